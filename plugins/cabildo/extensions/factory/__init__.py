"""The factory: how the municipality's socialist electric-meter factory governs itself.

Bodies (the Workers' Assembly, the Workers' Council and its committees, the Board of
Directors), who held which seat when, meetings with their minutes and decisions, and the
proposals that travel between the bodies. Read from data/factory/ by the same data layer
as the budget, through the extension registry (EXTENSION below); shown by FactoryGenerator.

    records.py   typed, immutable records
    load.py      data/factory/*.yaml -> records (schema checks, ids)
    checks.py    checks across records (counts, dates, seats, references)
    index.py     what pages show: where each proposal waits and for how long, compositions
    text.py      minutes: Markdown, sanitised
    pages.py     the pages, as (route, template, context)
    opendata.py  CSV/JSON tables of the datapackage
    popolo.py    the Popolo export
    feeds.py     Atom feeds of minutes and decisions
    generator.py the Pelican glue
    schemas/     JSON Schemas of its files (package data; $schema lines point here)
"""
from importlib.resources import files
from pathlib import Path

from ...views.urls import NP_
from .. import Extension

# The top-level key of each of its files, and the record type the file holds.
FILE_KEYS = {
    "factory": "factory",
    "factory_bodies": "factory_body",
    "factory_people": "factory_person",
    "factory_memberships": "factory_membership",
    "factory_meetings": "factory_meeting",
    "factory_proposals": "factory_proposal",
}

# Where its pages and feeds live, per language (translated in the catalogs).
ROUTES = {
    "factory": NP_("URL path", "factory/"),
    "factory_body": NP_("URL path", "factory/bodies/{id}/"),
    "factory_meeting": NP_("URL path", "factory/meetings/{id}/"),
    "factory_proposals": NP_("URL path", "factory/proposals/"),
    "factory_proposal": NP_("URL path", "factory/proposals/{id}/"),
    "factory_decisions": NP_("URL path", "factory/decisions/"),
    "factory_decisions_body": NP_("URL path", "factory/decisions/body/{id}/"),
    "factory_decisions_year": NP_("URL path", "factory/decisions/{year}/"),
    "factory_decisions_topic": NP_("URL path", "factory/decisions/topic/{topic}/"),
    "factory_feed": NP_("URL path", "factory/atom.xml"),
    "factory_body_feed": NP_("URL path", "factory/bodies/{id}/atom.xml"),
}


def _load(root, problems, where, parishes, councils, config, categories=None):
    from . import load
    return load.load(root, problems, where, parishes, councils,
                     config.get("CABILDO_FACTORY_AS_OF", ""), categories)


def _schema_dir() -> Path:
    return Path(str(files(__name__) / "schemas"))


def _places() -> dict:
    from .load import PLACE
    return PLACE


def _generators() -> tuple:
    from .generator import FactoryGenerator
    return (FactoryGenerator,)


def _tables() -> tuple:
    from .opendata import tables
    return tuple(tables())


def _seo(*args):
    from .seo import extras
    return extras(*args)


EXTENSION = Extension(
    name="factory", folder="factory", load=_load, places=_places, generators=_generators,
    tables=_tables, seo=_seo, schema_dir=_schema_dir, file_keys=FILE_KEYS, routes=ROUTES,
    template_parts={"nav": "factory_nav.html", "parish": "factory_parish.html",
                    "data": "factory_data.html", "search": "factory_search.html"},
    settings=("CABILDO_FACTORY_AS_OF",), derived_context=("factory_index",))
