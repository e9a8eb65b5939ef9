"""The Pelican glue of the printed bulletins (the work is in bulletins.py).

generate_context prints the PDFs, so that the pages can link each one with its
size (through the `bulletin()` function shared in the context); generate_output
writes them. Runs after BudgetGenerator and reuses its Index.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from babel.units import format_unit
from pelican.generators import Generator

from ..model.settings import read as read_settings
from ..outputs import bulletins
from ..views import i18n
from .reuse import cache_dir

log = logging.getLogger(__name__)
# A build setting of `cabildo serve` (never in pelicanconf.py): a bulletin whose inputs
# changed is printed after the pages are published, its last printing standing in.
LATER = "cabildo_bulletins_later"
UNITS = {"KB": "digital-kilobyte", "MB": "digital-megabyte"}


class Link:
    def __init__(self, url: str, size: int, locale: str):
        self.url = url
        unit, value = bulletins.size_label(size)
        # CLDR's unit names: "180 kB", "1,2 MB", French "180 ko"; never split at the space
        self.size = format_unit(value, UNITS[unit], length="short", format="#,##0.#",
                                locale=locale).replace(" ", "\u00a0")
        self.bytes = size


class BulletinGenerator(Generator):
    """PDF bulletins per parish and cycle, and a municipal summary per cycle."""

    def generate_context(self):
        self.cabildo = read_settings(self.settings)
        self.pdfs: dict[str, bytes] = {}
        self.context["bulletin"] = self.link
        if not self.cabildo["CABILDO_BULLETINS"]:
            return
        index = self.context.get("index")
        if index is None:  # BudgetGenerator did not run first
            from ..views.stats import Index
            from .generator import dataset_for
            index = Index(dataset_for(self.settings))
        data = index.data
        if not data.cycles:  # residents' ballots only: the bulletins print assembly cycles
            return
        every = sorted(data.cycles)
        years = every
        if self.cabildo["CABILDO_BULLETIN_CYCLES"]:
            years = every[-self.cabildo["CABILDO_BULLETIN_CYCLES"]:]
        data_dir = Path(self.settings.get("CABILDO_ROOT", ".")) / self.cabildo["CABILDO_DATA_DIR"]
        edition = bulletins.Edition.of(
            data, data_dir, self.settings.get("SITEURL", ""),
            self.cabildo["CABILDO_BULLETIN_PAGE_SIZE"], self.cabildo["CABILDO_DEMO_NOTICE"])
        if not edition.public_url:
            log.info("bulletins: SITEURL is not an absolute address, so they carry no QR code")
        start = time.perf_counter()
        root = Path(self.settings.get("CABILDO_ROOT", "."))
        overrides = [root / f for f in self.settings.get("THEME_TEMPLATES_OVERRIDES", [])]
        printer = bulletins.Printer(self.cabildo, data.municipality, edition,
                                    Path(self.settings["THEME"]),
                                    cache=cache_dir(self.settings, self.cabildo) / bulletins.CACHE_PART,
                                    overrides=overrides)
        jobs = bulletins.plan(data, years)
        latest = bulletins.render_all(index, printer, jobs,
                                      self.cabildo["CABILDO_BULLETIN_WORKERS"],
                                      stand_in=self._published if self.settings.get(LATER)
                                      else None)
        printed, self.pdfs = latest.printed, dict(latest)
        bulletins.LATER[:] = [latest.later] if latest.later else []
        # Older cycles: only what the cache holds (`cabildo bulletins`, or a build with
        # CABILDO_BULLETIN_CYCLES = 0, printed it), since printing them all costs minutes.
        older = bulletins.plan(data, [y for y in every if y not in years])
        self.pdfs.update((path, pdf) for path, (_, pdf)
                         in printer.cached_only(index, older).items())
        self.municipality = data.municipality
        later = len(latest.later or ())
        log.info("bulletins: %d printed, %d unchanged from the cache, %d of older cycles "
                 "from the cache, %d to print once the pages are published, in %.1f s",
                 printed, len(jobs) - printed - later, len(self.pdfs) - len(jobs), later,
                 time.perf_counter() - start)

    def _published(self, path: str) -> bytes | None:
        """The bulletin as the published build holds it (stands in until printed)."""
        published = self.settings.get("PREVIOUS_OUTPUT_PATH")
        file = Path(published, path) if published else None
        return file.read_bytes() if file is not None and file.is_file() else None

    def link(self, year: int, parish_id: str, lang: str) -> Link | None:
        """The bulletin of a parish ("" for the municipal summary) in a language, or None."""
        if not self.pdfs:
            return None
        path = bulletins.bulletin_path(year, parish_id, lang, self.municipality.languages[0])
        if path not in self.pdfs:
            return None
        return _link(self.settings, self.cabildo, self.municipality, path,
                     len(self.pdfs[path]), lang)

    def generate_output(self, writer):
        bulletins.write(Path(self.output_path), self.pdfs)


def published_link(settings: dict, cabildo, municipality):
    """BulletinGenerator.link as the published build shows it: the pages `cabildo serve`
    renders first have it before this build's bulletins are known."""
    published = settings.get("PREVIOUS_OUTPUT_PATH")

    def link(year: int, parish_id: str, lang: str) -> Link | None:
        if not cabildo["CABILDO_BULLETINS"] or not published:
            return None
        path = bulletins.bulletin_path(year, parish_id, lang, municipality.languages[0])
        try:
            size = Path(published, path).stat().st_size
        except OSError:
            return None
        return _link(settings, cabildo, municipality, path, size, lang)
    return link


def _link(settings: dict, cabildo, municipality, path: str, size: int, lang: str) -> Link:
    locale = i18n.formatter_for(cabildo, municipality, lang).locale
    return Link(f"{settings.get('SITEURL', '')}/{path}", size, locale)
