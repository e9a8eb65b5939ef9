"""The Pelican glue: one generator that writes the budget site from the records.

Two steps, as Pelican's own generators: generate_context computes (load
data once, build the index and the page list), generate_output writes.
"""
from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from pelican.generators import Generator

from .. import cachefiles
from ..model.load import load_dataset
from ..model.settings import SETTINGS
from ..model.settings import read as read_settings
from ..outputs import feeds, maps, modeldoc, opendata
from ..views import i18n, mapviews
from ..views.pages import budget_pages
from ..views.results_pages import results_pages
from ..views.stats import Index
from ..workers import Background, can_fork, worker_count
from . import pagerender, results_glue

log = logging.getLogger(__name__)

DATASET = "cabildo_dataset"  # key of the build's dataset in Pelican's settings


def dataset_for(settings: dict):
    """The dataset of this build: loaded by `build()` before Pelican runs and handed
    over in its settings; loaded here (once, into those settings) when Pelican is run
    by itself. No module-global cache, so two builds in one process never mix."""
    if settings.get(DATASET) is None:
        settings[DATASET] = load_dataset(read_settings(settings))
    return settings[DATASET]


class BudgetGenerator(Generator):
    """Pages of the participatory budget, and their open data."""

    def generate_context(self):
        self.cabildo = read_settings(self.settings)
        self.data = dataset_for(self.settings)
        self.index = Index(self.data)
        self.pages = budget_pages(self.index) + results_pages(self.data)
        languages = self.data.municipality.languages
        self.context.update({
            "municipality": self.data.municipality,
            "dataset": self.data,
            "CATEGORIES": self.data.categories,  # hashed whole: labels show on most pages
            "index": self.index,
            "LANGUAGES": languages,
            "DEMO_NOTICE": self.cabildo["CABILDO_DEMO_NOTICE"],
            "REPOSITORY_URL": self.cabildo["CABILDO_REPOSITORY_URL"]
            or self.data.municipality.repository_url,
            "SOURCE_BRANCH": self.cabildo["CABILDO_SOURCE_BRANCH"],
            "LATEST_DECISIONS": self.cabildo["CABILDO_LATEST_DECISIONS"],
            "opendata_tables": opendata.tables(self.data),
            "opendata_files": opendata.files(self.data),
            "model_docs": modeldoc.model_docs(self.data),
            "cabildo_settings": modeldoc.settings_docs(SETTINGS, self.data),
            "MAP_TILES": self.cabildo["CABILDO_MAP_TILES"],
            "legend_symbol": mapviews.legend_symbol,
            **results_glue.context(self.cabildo, self.data.municipality),
        })
        for w in self.data.warnings:
            log.warning("%s", w)
        # `cabildo serve`: the pages open in a browser are rendered now, with the other
        # parts' contexts (computed before this one) and the bulletins as last published.
        from .bulletin_generator import published_link
        pagerender.offer_first(self)
        pagerender.show_first(self.context, published_link(self.settings, self.cabildo,
                                                           self.data.municipality))
        # What the published build's open data files were written from, to keep those
        # unchanged; this build's record is written by whoever writes the files.
        from . import reuse
        self._version = pagerender.code_digest(Path(self.settings["THEME"]))
        known, self._record = reuse.side_record(self.settings, self.cabildo, "opendata",
                                                     self._version)
        previous = self.settings.get("PREVIOUS_OUTPUT_PATH")
        published = Path(previous) if previous and Path(previous).is_dir() else None
        self._published_files = opendata.PublishedFiles(published, known)
        # The open data and feeds are written by one more forked process, started now:
        # on two cores it overlaps the bulletins' printing and the pages' rendering.
        self._side = None
        reuse.ready()  # the build folder is recycled before anything is written into it
        if can_fork(worker_count(self.cabildo["CABILDO_WORKERS"], 2)):
            _SIDE["generator"] = self
            try:
                self._side = Background(_write_data_files)
            finally:
                _SIDE.clear()

    MAP_KINDS = ("parish_cycle", "cycle", "project")

    def has_map(self, page) -> bool:
        return bool(self.cabildo["CABILDO_MAPS"]) and page.kind in self.MAP_KINDS

    def _maps(self, page, lang: str) -> dict:
        """The maps of a page in one language (empty for pages without a map)."""
        if not self.has_map(page):
            return {}
        ctx = mapviews.MapContext(
            lang, self.data.municipality.languages[0], self.settings.get("SITEURL", ""),
            self.cabildo["CABILDO_MAP_TILES"],
            i18n.formatter_for(self.cabildo, self.data.municipality, lang), self._map_cache,
            self._outlines)
        if page.kind == "parish_cycle":
            return mapviews.parish_cycle(ctx, self.data, page.context["pc"])
        if page.kind == "cycle":
            return mapviews.cycle(ctx, self.data, page.context["summary"])
        if page.kind == "project":
            return mapviews.project(ctx, self.data, page.context["project"])
        return {}

    def generate_output(self, writer):
        from . import pagerender
        maps.copy_leaflet(Path(self.output_path))
        if self._side is None:
            self._data_files()
            pagerender.render_pages(self)
            return
        pagerender.render_pages(self)
        cachefiles.merge(self._side.wait())

    def _data_files(self) -> None:
        """Open data, results, feeds and schemas: everything but the pages."""
        import time

        from . import reuse
        start = time.perf_counter()
        languages = self.data.municipality.languages
        opendata.write(Path(self.output_path), self.data, self.index,
                       reuse.cache_dir(self.settings, self.cabildo), self._published_files)
        if self._record is not None:
            self._record.write_text(json.dumps({"global": self._version, "files":
                                                self._published_files.digests}), "utf-8")
        results_glue.write(Path(self.output_path), self.pages, self.data.municipality)
        for lang in languages:
            feeds.write(Path(self.output_path), self.data, lang, languages[0],
                        self.settings.get("SITEURL", ""))
        schemas = Path(self.output_path) / opendata.DIR / "esquemas"
        schemas.mkdir(parents=True, exist_ok=True)
        for schema in modeldoc.schema_files(self.data):
            shutil.copyfile(schema, schemas / schema.name)
        log.info("open data and feeds written in %.1f s", time.perf_counter() - start)


_SIDE: dict = {}  # what the forked side process inherits


def _write_data_files() -> dict[str, set[str]]:
    _SIDE["generator"]._data_files()
    return cachefiles.noted()  # the workbooks it found or wrote, for the cache's sweep
