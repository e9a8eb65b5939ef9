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
"""
from .. import Extension


def _load(root, problems, where, parishes, councils, options):
    from . import load
    return load.load(root, problems, where, parishes, councils,
                     options.get("CABILDO_FACTORY_AS_OF", ""), options.get("categories"))


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
    tables=_tables, seo=_seo,
    template_parts={"nav": "factory_nav.html", "parish": "factory_parish.html",
                    "data": "factory_data.html", "search": "factory_search.html"},
    settings=("CABILDO_FACTORY_AS_OF",))
