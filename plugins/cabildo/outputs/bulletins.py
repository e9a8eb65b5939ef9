"""Printable bulletins: a PDF per parish and cycle, and a municipal summary per cycle.

    edition = Edition.of(data, root=Path("."), public_url="https://...")
    printer = Printer(cabildo_settings, data.municipality, edition)
    pdfs = render_all(index, printer, plan(data))      # {path: PDF bytes}

What a bulletin shows is computed here, by plain functions over the typed
records and the Index (never YAML); theme/templates/bulletin_*.html present it
and theme/static/css/bulletin.css lays it out for paper. WeasyPrint prints the
HTML to a tagged PDF (PDF/UA-1) with title and language metadata, the DejaVu
fonts of an installed package, and no network access at all.

Deterministic: the same data and source revision give byte-identical files.
Dates come from the data's as-of date (its newest milestone or assembly), never
from the clock; the PDF's identifier from the bulletin's path and the revision.
Rendering is a pure function of (job, records), so the jobs are spread over a
pool of processes, one per core.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from markupsafe import Markup

from .. import cachefiles
from ..model.records import Dataset, Money
from ..resources import THEME_DIR as THEME  # noqa: E402
from ..views import urls
from ..views.i18n import N_, gettext_for
from ..workers import can_fork, die_with, run_forked, worker_count
from . import bulletinmaps

PAGE_SIZES = {"A4": "A4", "Letter": "letter"}
CACHE_PART = "bulletins"  # their folder in the cache (cachefiles.py)
UNDER_WAY = ("identification", "preparation", "implementation")
MAX_CHANGES = 12  # status changes listed; the rest are counted and left to the site
# The fonts: DejaVu Sans from the distribution's package (Debian: fonts-dejavu-core).
FONT_FILES = {"normal": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts",
             "/opt/homebrew/share/fonts", "/Library/Fonts")


class BulletinError(Exception):
    """Something the bulletins need is missing (a font); one clear line."""


# What every bulletin of one build shares ------------------------------------------------

def as_of(data: Dataset) -> date:
    """The data's as-of date: the municipality's `as_of`, else its newest milestone or
    assembly (never the clock)."""
    if data.municipality.as_of:
        return data.municipality.as_of
    dates = [m.date for p in data.projects.values() for m in p.milestones]
    dates += [a.date for a in data.council_assemblies] + [a.date for a in data.parish_assemblies]
    return max(dates, default=None) or min(c.start for c in data.cycles.values())


def source_revision(root: Path) -> str:
    """The commit the data was built from (`git rev-parse HEAD` in the data's folder, so a
    data repository of its own gives its own commit), or "unknown"."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out if len(out) >= 7 and all(c in "0123456789abcdef" for c in out) else "unknown"


@dataclass(frozen=True)
class Edition:
    as_of: date
    revision: str
    public_url: str = ""  # the site's absolute address; "" prints no QR code
    page_size: str = "A4"
    demo_notice: bool = False

    @classmethod
    def of(cls, data: Dataset, root: Path, public_url: str = "", page_size: str = "A4",
           demo_notice: bool = False) -> Edition:
        url = public_url.rstrip("/") if public_url.startswith(("http://", "https://")) else ""
        return cls(as_of(data), source_revision(root), url, page_size, demo_notice)


@dataclass(frozen=True)
class Job:
    """One bulletin to print: a parish's (parish_id) or the municipal summary ("")."""

    year: int
    parish_id: str
    lang: str
    path: str  # in the site, e.g. boletines/2026/altagracia.pdf


def bulletin_path(year: int, parish_id: str, lang: str, default: str) -> str:
    if parish_id:
        return urls.path("bulletin", lang, default, year=year, id=parish_id)
    return urls.path("bulletin_municipal", lang, default, year=year)


def plan(data: Dataset, years=None, languages=None) -> list[Job]:
    """The bulletins of the given cycles (default: all) and languages (default: the
    municipality's), municipal summary first, parishes in the data's order."""
    default = data.municipality.languages[0]
    jobs = []
    for year in sorted(years or data.cycles):
        for lang in languages or data.municipality.languages:
            for parish_id in ["", *data.parishes]:
                jobs.append(Job(year, parish_id, lang, bulletin_path(year, parish_id, lang,
                                                                     default)))
    return jobs


# What a bulletin shows ------------------------------------------------------------------

@dataclass
class Row:
    number: int  # as on the map
    project: object
    councils: list  # names of the proposing councils
    votes: object  # the round-2 ProjectVote, or None
    present: int | None = None  # delegates present when it was voted

    @property
    def did_not_vote(self) -> int:
        v = self.votes
        return max(0, self.present - v.yes - v.no - v.abstain) if v and self.present else 0


@dataclass
class Change:
    date: date
    project: object
    status: str
    note: str


@dataclass
class Upcoming:
    date: date
    what: str  # a msgid, translated by the template
    place: str = ""  # a council or parish name


@dataclass
class Assemblies:
    held: int = 0
    quorum_met: int = 0
    participants: int = 0
    members: int = 0
    parish_rounds: list = field(default_factory=list)  # ParishAssembly, by round


def _assemblies(council_assemblies, parish_assemblies) -> Assemblies:
    return Assemblies(
        held=len(council_assemblies),
        quorum_met=sum(1 for a in council_assemblies if a.quorum_met),
        participants=sum(a.attendance for a in council_assemblies),
        members=sum(a.members for a in council_assemblies),
        parish_rounds=sorted(parish_assemblies, key=lambda a: (a.round, a.date)))


def _status_on(project, day: date) -> str | None:
    """A project's status on a day, from its milestones (None before the first)."""
    status = None
    for m in sorted(project.milestones, key=lambda m: m.date):
        if m.date <= day:
            status = m.status
    return status


def changes_since(projects, since: date, until: date) -> list[Change]:
    """Milestones of the projects dated after `since`, up to `until`, newest first."""
    out = [Change(m.date, p, m.status, m.note) for p in projects for m in p.milestones
           if since < m.date <= until]
    out.sort(key=lambda c: (c.date, c.project.year, c.project.title, c.project.id),
             reverse=True)
    return out


def last_bulletin_date(data: Dataset, year: int) -> date:
    """When the previous bulletin was final: the approval of the previous cycle, or
    the start of this one when the data has no earlier cycle."""
    earlier = [y for y in data.cycles if y < year]
    return data.cycles[max(earlier)].clpp_approval if earlier else data.cycles[year].start


def upcoming(data: Dataset, parish_id: str | None, after: date) -> list[Upcoming]:
    """Assemblies and cycle phases dated after the as-of date (the data may announce them)."""
    return [u for place, u in _upcoming(data, after)
            if parish_id is None or place is None or place == parish_id]


_UPCOMING: list = []  # [(data, after, the list)]: every bulletin of a build asks the same


def forget() -> None:
    """The build is over: its records are not kept alive from here (see build._let_go)."""
    _UPCOMING.clear()


def _upcoming(data: Dataset, after: date) -> list[tuple[str | None, Upcoming]]:
    """(parish id, or None for the whole municipality; what comes) in date order."""
    if _UPCOMING and _UPCOMING[0][0] is data and _UPCOMING[0][1] == after:
        found: list[tuple[str | None, Upcoming]] = _UPCOMING[0][2]
        return found
    out: list[tuple[str | None, Upcoming]] = []
    for a in data.council_assemblies:
        council = data.councils[a.council_id]
        if a.date > after:
            out.append((council.parish_id, Upcoming(a.date, N_("Citizens' assembly"),
                                                    council.name)))
    for a in data.parish_assemblies:
        if a.date > after:
            what = N_("Parish assembly, round 1") if a.round == 1 else N_("Parish assembly, round 2")
            out.append((a.parish_id, Upcoming(a.date, what, data.parishes[a.parish_id].name)))
    phase_names = {"diagnosis": N_("Participatory diagnosis"),
                   "council_assemblies": N_("Council assemblies"),
                   "parish_round_1": N_("Parish assemblies, round 1"),
                   "parish_round_2": N_("Parish assemblies, round 2")}
    for cycle in data.cycles.values():
        for key, period in cycle.phases.items():
            if period.start > after:
                out.append((None, Upcoming(period.start, phase_names[key])))
        if cycle.clpp_approval > after:
            out.append((None, Upcoming(cycle.clpp_approval, N_("Approval by the CLPP"))))
    out.sort(key=lambda item: (item[1].date, item[1].what, item[1].place))
    _UPCOMING[:] = [(data, after, out)]
    return out


def parish_view(index, year: int, parish_id: str, day: date) -> dict:
    """Everything a parish's bulletin shows, from the records."""
    data = index.data
    pc = index.parish_cycle(year, parish_id)
    present = {v.project_id: a.delegates_present
               for a in pc.parish_assemblies if a.round == 2 for v in a.votes}
    rows = [Row(n, p, [data.councils[c].name for c in p.council_ids], p.votes.get(2),
                present.get(p.id)) for n, p in enumerate(pc.funded, 1)]
    mine = index.projects_by_parish[parish_id]
    earlier = sorted((p for p in mine if p.year < year and p.funded and p.status in UNDER_WAY),
                     key=lambda p: (p.year, p.title, p.id))
    since = last_bulletin_date(data, year)
    changes = changes_since([p for p in mine if p.year <= year and p.funded], since, day)
    return {
        "kind": "parish", "parish": data.parishes[parish_id], "cycle": data.cycles[year],
        "pc": pc, "rows": rows, "earlier": earlier,
        "changes": changes[:MAX_CHANGES], "more_changes": len(changes) - MAX_CHANGES,
        "changes_since": since,
        "assemblies": _assemblies(pc.council_assemblies, pc.parish_assemblies),
        "councils": len(index.councils_by_parish[parish_id]),
        "upcoming": upcoming(data, parish_id, day),
        "not_funded": len(pc.candidates) - len(pc.funded),
    }


def municipal_view(index, year: int, day: date) -> dict:
    data = index.data
    summary = index.cycles[year]
    council_assemblies = [a for a in data.council_assemblies if a.year == year]
    parish_assemblies = [a for a in data.parish_assemblies if a.year == year]
    return {
        "kind": "municipal", "cycle": data.cycles[year], "summary": summary,
        "assemblies": _assemblies(council_assemblies, parish_assemblies),
        "upcoming": upcoming(data, None, day),
        "parishes": data.parishes,
        "categories": [s for s in summary.by_category if s.count],
        "available": sum((pc.available for pc in summary.by_parish if pc.available),
                         Money(Decimal(0), summary.currency)),
    }


# Printing -------------------------------------------------------------------------------

def font_files() -> dict[str, Path]:
    """The DejaVu Sans files of the installed package; BulletinError when missing."""
    found = {}
    for folder in FONT_DIRS:
        base = Path(folder).expanduser()
        if not base.is_dir():
            continue
        for weight, name in FONT_FILES.items():
            if weight not in found:
                match = sorted(base.rglob(name))
                if match:
                    found[weight] = match[0]
        if len(found) == len(FONT_FILES):
            return found
    raise BulletinError("the bulletins need the DejaVu Sans fonts (Debian: apt-get install "
                        "fonts-dejavu-core; `make site` installs it when run as root)")


def qr_svg(url: str) -> Markup:
    """A QR code of the URL as inline SVG (segno: pure Python, deterministic)."""
    import segno
    code = segno.make(url, error="m", micro=False)
    return Markup(code.svg_inline(scale=1, border=4, omitsize=True, dark="#000",
                                  light="#fff"))


def css_string(text: str) -> Markup:
    """Text as a CSS string literal, safe inside a <style> element."""
    escaped = "".join(c if c.isalnum() or c in " .,;:-_()·/" else f"\\{ord(c):x} "
                      for c in str(text))
    return Markup(f'"{escaped}"')


def _page_counter(text: str) -> Markup:
    """'Page %(page)s of %(pages)s', translated, as CSS content with the page counters."""
    out = []
    for i, part in enumerate(text.split("%(page)s")):
        if i:
            out.append("counter(page)")
        for j, piece in enumerate(part.split("%(pages)s")):
            if j:
                out.append("counter(pages)")
            if piece:
                out.append(css_string(piece))
    return Markup(" ".join(out))


def size_label(size: int) -> tuple[str, float]:
    """A file size for people: ("KB", 180) or ("MB", 1.2)."""
    if size >= 1_000_000:
        return "MB", round(size / 1_000_000, 1)
    return "KB", max(1, round(size / 1000))


class Printer:
    """Renders bulletins: Jinja for the HTML, WeasyPrint for the PDF."""

    def __init__(self, settings: dict, municipality, edition: Edition, theme: Path = THEME,
                 cache: Path | None = None, overrides: list[Path] | tuple = ()):
        """`overrides`: a site's template folders (Pelican's THEME_TEMPLATES_OVERRIDES),
        searched before the theme's, as the pages' templates are."""
        from importlib.metadata import version

        from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader

        from ..views import i18n

        self.municipality = municipality
        self.edition = edition
        self.theme = Path(theme)
        self.cache = Path(cache) if cache else None  # printed PDFs, by the hash of their key
        folders = [str(f) for f in overrides if Path(f).is_dir()]
        compiled = FileSystemBytecodeCache(str(self.cache.parent / "jinja")) if self.cache else None
        if compiled is not None:
            Path(compiled.directory).mkdir(parents=True, exist_ok=True)
        self.env = Environment(loader=FileSystemLoader([*folders, str(self.theme / "templates")]),
                               trim_blocks=True, lstrip_blocks=True, autoescape=True,
                               extensions=["jinja2.ext.i18n"], bytecode_cache=compiled,
                               auto_reload=False)
        i18n.install(self.env, {**settings, "DEFAULT_LANG": municipality.languages[0]})
        from ..views.mapviews import legend_symbol
        self.env.filters["css_string"] = css_string
        self.env.globals["legend_symbol"] = legend_symbol
        faces = "".join(
            f'@font-face {{ font-family: "Cabildo Sans"; font-weight: {weight}; '
            f'src: url("{path.as_uri()}"); }}\n' for weight, path in font_files().items())
        size = PAGE_SIZES[edition.page_size]
        css_file = self.theme / "static" / "css" / "bulletin.css"
        # What, besides a bulletin's HTML and path, its PDF depends on (the memo's key).
        self.key = hashlib.sha256("\n".join([
            faces, css_file.read_text("utf-8"), size, edition.revision,
            *(hashlib.sha256(p.read_bytes()).hexdigest() for p in font_files().values()),
            version("weasyprint")]).encode()).hexdigest()
        self._faces, self._size, self._css_file = faces, size, css_file
        self._stylesheets = None

    def _styles(self) -> list:
        """WeasyPrint's stylesheets, made when the first PDF is printed: a build whose
        bulletins all come from the cache never loads WeasyPrint."""
        if self._stylesheets is None:
            from weasyprint import CSS
            from weasyprint.text.fonts import FontConfiguration
            self.fonts = FontConfiguration()
            self._stylesheets = [
                CSS(string=self._faces, font_config=self.fonts, url_fetcher=self._fetcher()),
                CSS(filename=str(self._css_file),
                    font_config=self.fonts, url_fetcher=self._fetcher()),
                CSS(string=f"@page {{ size: {self._size}; }}", font_config=self.fonts),
            ]
        return self._stylesheets

    @staticmethod
    def _fetcher():
        from weasyprint.urls import URLFetcher
        # Files only (the fonts): a bulletin never reaches the network.
        return URLFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)

    def _(self, lang: str, text: str) -> str:
        return gettext_for(lang, text)

    def page_url(self, kind: str, lang: str, **values) -> str:
        if not self.edition.public_url:
            return ""
        path = urls.path(kind, lang, self.municipality.languages[0], **values)
        return f"{self.edition.public_url}/{path}"

    def view(self, index, job: Job) -> dict:
        """What the bulletin shows, before the maps are drawn."""
        if job.parish_id:
            return parish_view(index, job.year, job.parish_id, self.edition.as_of)
        return municipal_view(index, job.year, self.edition.as_of)

    def html(self, index, job: Job, view: dict | None = None) -> str:
        data = index.data
        _ = lambda text: self._(job.lang, text)  # noqa: E731
        view = dict(view or self.view(index, job))
        if job.parish_id:
            parish = view["parish"]
            view["map"] = bulletinmaps.parish_map(
                data, parish, [(r.number, r.project) for r in view["rows"]],
                _("Map of %(parish)s") % {"parish": parish.name},
                _("Detail: the funded projects, numbered as in the table"))
            page = self.page_url("parish_cycle", job.lang, id=parish.id, year=job.year)
            template = "bulletin_parish.html"
        else:
            view["map"] = bulletinmaps.municipal_map(
                data, view["summary"].funded,
                _("Map of the municipality of %(name)s") % {"name": self.municipality.name})
            page = self.page_url("cycle", job.lang, year=job.year)
            template = "bulletin_municipal.html"
        running = [_("Municipality of %(name)s") % {"name": self.municipality.name}]
        if job.parish_id:
            running.append(_("Parish %(name)s") % {"name": view["parish"].name})
        running.append(_("Cycle %(year)s") % {"year": job.year})
        return self.env.get_template(template).render(
            lang=job.lang, municipality=self.municipality, dataset=data, edition=self.edition,
            SITEURL=self.edition.public_url, page_url=page, qr=qr_svg(page) if page else "",
            job=job, running=" · ".join(running),
            page_counter=_page_counter(_("Page %(page)s of %(pages)s")), **view)

    def pdf(self, html: str, job: Job) -> bytes:
        from weasyprint import HTML
        identifier = hashlib.md5(f"{job.path}\n{self.edition.revision}".encode()).hexdigest()
        return HTML(string=html, base_url=str(self.theme), url_fetcher=self._fetcher()).write_pdf(
            stylesheets=self._styles(), font_config=self.fonts, pdf_variant="pdf/ua-1",
            pdf_identifier=identifier.encode(), custom_metadata=True)

    def render(self, index, job: Job) -> bytes:
        """The job's PDF; from the memo when the same HTML was printed before in this
        process (a rebuild, or the tests' several builds), since output depends on
        nothing else."""
        key, pdf = self.render_keyed(index, job)
        _remember(key, pdf)
        return pdf

    def render_keyed(self, index, job: Job) -> tuple[str, bytes]:
        """(key, PDF): from the cache when the same inputs, or the same HTML, were printed
        before; else printed now and kept."""
        key, found, html = self.find(index, job)
        return (key, found) if found is not None else self.print_kept(key, html, job)

    def find(self, index, job: Job, render: bool = True) -> tuple[str, bytes | None, str]:
        """(key, PDF, HTML): the PDF from the cache when the same inputs, or the same HTML
        (an edit the bulletin does not show), were printed before; else None, and the HTML
        to print ("" when found by inputs: it was never rendered). `render=False`: by
        inputs only ("", None, "" when not found)."""
        inputs = self.inputs_key(index, job, self.view(index, job))
        known = self.known(inputs)
        if known is not None:
            return known[0], known[1], ""
        if not render:
            return "", None, ""
        html = self.html(index, job)
        key = self.key_of(html, job)
        found = self.cached(key)
        # noted before printing: if the print fails, the note finds no PDF and is ignored
        self.remember_inputs(inputs, key, job)
        return key, found, html

    def print_kept(self, key: str, html: str, job: Job) -> tuple[str, bytes]:
        """Print the HTML and keep the PDF in the cache under its key."""
        pdf = self.pdf(html, job)
        self.keep(key, pdf)
        return key, pdf

    def ready(self) -> None:
        """Load WeasyPrint and the stylesheets now: forked printers then share them
        instead of each spending a second on the import."""
        self._styles()

    def inputs_key(self, index, job: Job, view: dict) -> str | None:
        """A hash of what the HTML is made from (the view's records, the boundaries and
        parish names the maps draw, the edition, templates, catalogs and code), so an
        unchanged bulletin is found without drawing its maps and rendering its HTML."""
        if self.cache is None:
            return None
        from ..pelican.depends import shared
        from ..pelican.pagerender import code_digest
        data = index.data
        if not hasattr(self, "_digests"):
            self._digests, self._code = shared(data), code_digest(self.theme)
            # the same for every job: hashed once
            self._shared = self._digests.of([data.boundaries, data.parishes,
                                             self.municipality, self.edition])
        what = [job.year, job.parish_id, job.lang, job.path, view, self._shared]
        return hashlib.sha256(f"{self.key}\n{self._code}\n{self._digests.of(what)}"
                              .encode()).hexdigest()

    def known(self, inputs: str | None) -> tuple[str, bytes] | None:
        if inputs is None:
            return None
        note = self.cache / "inputs" / inputs[:2] / inputs
        if not note.is_file():
            return None
        cachefiles.note(CACHE_PART, note)
        key = note.read_text("utf-8").strip()
        pdf = self.cached(key)
        return None if pdf is None else (key, pdf)

    def remember_inputs(self, inputs: str | None, key: str, job: Job) -> None:
        if inputs is None:
            return
        for note in (self.cache / "inputs" / inputs[:2] / inputs, self._printed(job)):
            cachefiles.note(CACHE_PART, note)
            note.parent.mkdir(parents=True, exist_ok=True)
            temporary = note.with_name(f".{note.name}.tmp-{os.getpid()}")
            temporary.write_text(key + "\n", "utf-8")
            os.replace(temporary, note)

    def _printed(self, job: Job) -> Path:
        """A note that this bulletin (path and printer) was printed once, whatever from."""
        name = hashlib.sha256(f"{self.key}\n{job.path}".encode()).hexdigest()
        return self.cache / "printed" / name

    def key_of(self, html: str, job: Job) -> str:
        """What the PDF depends on: its HTML, path, fonts, CSS, paper and WeasyPrint."""
        return hashlib.sha256(f"{self.key}\n{job.path}\n{html}".encode()).hexdigest()

    def cache_file(self, key: str) -> Path | None:
        return self.cache / key[:2] / f"{key}.pdf" if self.cache else None

    def cached(self, key: str) -> bytes | None:
        """The PDF printed before from the same key: in this process, or in the cache."""
        file = self.cache_file(key)
        if key in _MEMO:
            cachefiles.note(CACHE_PART, file)  # (`cabildo serve`: its file stays too)
            return _MEMO[key]
        if file is not None and file.is_file():
            cachefiles.note(CACHE_PART, file)
            return file.read_bytes()
        return None

    def keep(self, key: str, pdf: bytes) -> None:
        """Into the cache folder, whole or not at all (a temporary name, then renamed):
        files there are never changed afterwards, so builds may hard-link them."""
        file = self.cache_file(key)
        if file is None:
            return
        file.parent.mkdir(parents=True, exist_ok=True)
        temporary = file.with_name(f".{file.name}.tmp-{os.getpid()}")
        temporary.write_bytes(pdf)
        os.replace(temporary, file)

    def cached_only(self, index, jobs: list[Job]) -> dict[str, tuple[str, bytes]]:
        """{path: (key, PDF)} of the jobs whose PDF is already in the cache, printing
        none (the older cycles: their bulletins are linked when someone printed them)."""
        found = {}
        for job in jobs:
            if self.cache is None or not self._printed(job).is_file():
                continue  # never printed: nothing to look for
            cachefiles.note(CACHE_PART, self._printed(job))
            view = self.view(index, job)
            inputs = self.inputs_key(index, job, view)
            known = self.known(inputs)
            if known is None:  # printed from other inputs: maybe into the same HTML
                key = self.key_of(self.html(index, job, view), job)
                pdf = self.cached(key)
                known = None if pdf is None else (key, pdf)
                if pdf is not None:  # the next build finds it without rendering its HTML
                    self.remember_inputs(inputs, key, job)
            if known is not None:
                found[job.path] = known
        return found


# Many at once ---------------------------------------------------------------------------

_WORK: dict = {}  # what forked workers inherit: the index and the printer
_MEMO: dict[str, bytes] = {}  # PDFs printed in this process, by the hash of their inputs
MEMO_BYTES = 64_000_000


def _remember(key: str, pdf: bytes) -> None:
    _MEMO[key] = pdf
    while sum(len(v) for v in _MEMO.values()) > MEMO_BYTES and len(_MEMO) > 1:
        del _MEMO[next(iter(_MEMO))]  # the oldest first


def _print_one(work: tuple[Job, str, str]) -> tuple[str, tuple[str, bytes]]:
    job, key, html = work
    return job.path, _WORK["printer"].print_kept(key, html, job)


class Printed(dict[str, bytes]):
    """{path: PDF} in the order of the jobs, how many were printed (the others came
    from the cache), and `later`: the jobs whose earlier printing stands in for now."""

    printed: int = 0
    later: Later | None = None


def render_all(index, printer: Printer, jobs: list[Job], workers: int = 0,
               stand_in: Callable[[str], bytes | None] | None = None) -> Printed:
    """Render the jobs; {path: bytes} in the order of the jobs. The cache is looked up
    here, by the jobs' inputs and then by their HTML; only the bulletins never printed
    go to `workers` printers (0: one per core), forked so that they share the records
    unpickled and WeasyPrint loaded (never loaded when nothing is printed).

    `stand_in(path)`: the bulletin as it was printed last (`cabildo serve`: the published
    one). A bulletin not found by its inputs is then not printed, nor even rendered: its
    last printing stands in, and `later` prints it once the pages are published."""
    done: dict[str, tuple[str, bytes]] = {}
    new: list[tuple[Job, str, str]] = []
    later: dict[Job, bytes] = {}
    for job in jobs:
        key, found, html = printer.find(index, job, render=stand_in is None)
        if found is None and stand_in is not None:
            old = stand_in(job.path)
            if old is not None:
                done[job.path], later[job] = ("", old), old
                continue
            key, found, html = printer.find(index, job)  # none to stand in: print now
        if found is not None:
            done[job.path] = (key, found)
        else:
            new.append((job, key, html))
    workers = worker_count(workers, len(new))
    if new and can_fork(workers):
        printer.ready()
        _WORK.update(index=index, printer=printer)
        try:
            done.update(run_forked(_print_one, new, workers))
        finally:
            _WORK.clear()
    else:
        done.update((job.path, printer.print_kept(key, html, job)) for job, key, html in new)
    for key, pdf in done.values():
        if key:  # not a stand-in
            _remember(key, pdf)
            cachefiles.note(CACHE_PART, printer.cache_file(key))
    result = Printed((job.path, done[job.path][1]) for job in jobs)
    result.printed = len(new)
    if later:
        result.later = Later(index, printer, later, workers)
    return result


LATER: list[Later] = []  # the last build's bulletins to print (cabildo serve takes them)


class Later:
    """Bulletins published with their last printing standing in (render_all): printed
    after the pages, in a forked process, into the cache, where the next build finds
    them by their inputs."""

    CHANGED = 3  # the process's exit status when a printing differs from its stand-in

    def __init__(self, index, printer: Printer, stand_ins: dict[Job, bytes], workers: int):
        self.index, self.printer, self.stand_ins, self.workers = (index, printer, stand_ins,
                                                                  workers)

    def __len__(self) -> int:
        return len(self.stand_ins)

    def start(self) -> multiprocessing.process.BaseProcess:
        """The printing process: exits with CHANGED when the site needs building again."""
        process = multiprocessing.get_context("fork").Process(
            target=self._run, args=(os.getpid(),), name="bulletins")
        process.start()
        return process

    def _run(self, server: int) -> None:
        # stopped (a new save): through SystemExit, so the printers' pool is ended too;
        # Ctrl-C in the terminal is the server's to handle (it stops this process)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        die_with(server)
        jobs = list(self.stand_ins)
        printed = render_all(self.index, self.printer, jobs, self.workers)
        if any(printed[job.path] != old for job, old in self.stand_ins.items()):
            sys.exit(self.CHANGED)


def write(out: Path, pdfs: dict[str, bytes]) -> dict[str, int]:
    """Write the PDFs under `out`; {path: size in bytes}."""
    sizes = {}
    for path, content in pdfs.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        sizes[path] = len(content)
    return sizes


def build(data_dir: Path, out: Path, *, years=None, languages=None, public_url: str = "",
          workers: int = 0, settings: dict | None = None, theme: Path = THEME,
          overrides: list[Path] | tuple = ()) -> dict[str, int]:
    """Load data/, render the bulletins and write them under `out` (what `cabildo
    bulletins` runs, with the site's theme and template overrides); {path: size}."""
    from ..model.load import load_dataset
    from ..model.settings import read as read_settings
    from ..views.stats import Index

    cabildo = read_settings({**(settings or {}), "CABILDO_DATA_DIR": str(data_dir)})
    data = load_dataset(cabildo)
    index = Index(data)
    edition = Edition.of(data, data_dir, public_url, cabildo["CABILDO_BULLETIN_PAGE_SIZE"],
                         cabildo["CABILDO_DEMO_NOTICE"])
    cache = Path(cabildo["CABILDO_ROOT"]) / cabildo["CABILDO_CACHE_DIR"] / CACHE_PART
    printer = Printer(cabildo, data.municipality, edition, theme, cache=cache, overrides=overrides)
    return write(out, render_all(index, printer, plan(data, years, languages), workers))
