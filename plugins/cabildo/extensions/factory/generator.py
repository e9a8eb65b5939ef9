"""The Pelican glue of the factory's pages, feeds and Popolo export.

Two steps, as Pelican's own generators: generate_context builds the index and page list
(and shares `factory` and `factory_index` with every template: the nav link and the
budget's parish pages read them), generate_output writes. Nothing happens without
data/factory/.
"""
from __future__ import annotations

import json
from pathlib import Path

from jinja2 import pass_context
from pelican.generators import Generator

from ...model.settings import read as read_settings
from ...outputs import opendata
from ...pelican import pagerender
from ...pelican.generator import dataset_for
from ...views import i18n, urls
from . import feeds, pages, popolo, text
from .index import FactoryIndex


def _labels(table: dict):
    @pass_context
    def label(context, value):
        lang = context.get("lang") or context["municipality"].languages[0]
        return i18n.translations(lang).gettext(table.get(value, value))
    return label


@pass_context
def _local(context, record, field="name"):
    """A record's field in the page's language: `name_en` on English pages when given."""
    default = context["municipality"].languages[0]
    if context.get("lang", default) != default:
        other = getattr(record, f"{field}_en", "")
        if other:
            return other
    return getattr(record, field)


class FactoryGenerator(Generator):
    """The factory's self-government: bodies, meetings, decisions, proposals."""

    def generate_context(self):
        self.cabildo = read_settings(self.settings)
        self.data = dataset_for(self.settings)
        factory = self.data.extensions.get("factory")
        self.index = None
        self.pages = []
        if factory is not None:
            self.index = FactoryIndex(factory)  # to factory.as_of: the setting, or the data's
            self.pages = pages.factory_pages(self.index,
                                             self.cabildo["CABILDO_LATEST_DECISIONS"])
        self.context.update({"factory": factory, "factory_index": self.index,
                             "factory_popolo": f"{opendata.DIR}/{popolo.PATH}"})
        self.env.filters.update({
            "markdown": text.render, "local": _local,
            "topic": _labels(pages.TOPIC_LABELS), "body_kind": _labels(pages.KIND_LABELS),
            "selection": _labels(pages.SELECTION_LABELS), "role": _labels(pages.ROLE_LABELS),
            "step_kind": _labels(pages.STEP_LABELS),
            "submitter_kind": _labels(pages.SUBMITTER_LABELS),
        })
        if self.index is not None:
            pagerender.offer_first(self)

    def has_map(self, page) -> bool:
        return False

    def generate_output(self, writer):
        if self.index is None:
            return
        municipality = self.data.municipality
        languages = municipality.languages
        default = languages[0]
        # rendered as the budget's pages are: in parallel, and only where something changed
        pagerender.render_pages(self, "factory")
        output = Path(self.output_path)
        siteurl = self.settings.get("SITEURL", "")
        for lang in languages:
            fmt = i18n.formatter_for(self.cabildo, municipality, lang)
            bodies = [None, *self.index.factory.bodies.values()]
            for body in bodies:
                kind, values = (("factory_feed", {}) if body is None
                                else ("factory_body_feed", {"id": body.id}))
                target = output / urls.path(kind, lang, default, **values)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(feeds.feed(self.index, lang, default, siteurl,
                                              municipality.timezone, fmt, body))
        target = output / opendata.DIR / popolo.PATH
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(popolo.export(self.index, municipality.timezone),
                                     ensure_ascii=False, indent=1) + "\n", "utf-8")
