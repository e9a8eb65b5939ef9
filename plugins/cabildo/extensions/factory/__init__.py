"""The factory: how the municipality's socialist electric-meter factory governs itself.

Bodies (the Workers' Assembly, the Workers' Council and its committees, the Board of
Directors), who held which seat when, meetings with their minutes and decisions, and the
proposals that travel between the bodies. Read from data/factory/ by the same data layer
as the budget (load.load_dataset calls factory.load.load), shown by FactoryGenerator.

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
