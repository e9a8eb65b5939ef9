"""Where each page lives, per language. Spanish at the root, English under en/.

Paths are stable across builds: people cite them, and open data files are
linked from elsewhere.
"""
from __future__ import annotations

# Page paths per language; a language without its own uses the English ones.
ROUTES = {
    "home": {"es": "", "en": ""},
    "cycles": {"es": "ciclos/", "en": "cycles/"},
    "cycle": {"es": "ciclos/{year}/", "en": "cycles/{year}/"},
    "cycle_projects": {"es": "ciclos/{year}/proyectos/", "en": "cycles/{year}/projects/"},
    "cycle_category": {"es": "ciclos/{year}/categoria/{category}/",
                       "en": "cycles/{year}/category/{category}/"},
    "cycle_status": {"es": "ciclos/{year}/estado/{status}/",
                     "en": "cycles/{year}/status/{status}/"},
    "parishes": {"es": "parroquias/", "en": "parishes/"},
    "parish": {"es": "parroquias/{id}/", "en": "parishes/{id}/"},
    "parish_cycle": {"es": "parroquias/{id}/{year}/", "en": "parishes/{id}/{year}/"},
    "councils": {"es": "consejos/", "en": "councils/"},
    "council": {"es": "consejos/{id}/", "en": "councils/{id}/"},
    "project": {"es": "proyectos/{id}/", "en": "projects/{id}/"},
    "projects": {"es": "proyectos/", "en": "projects/"},
    "data": {"es": "datos/", "en": "data/"},
    "model": {"es": "datos/modelo/", "en": "data/model/"},
    "search": {"es": "buscar/", "en": "search/"},
    "notfound": {"es": "404.html", "en": "404.html"},  # a file, not a folder
    # The results check (views/results_pages.py)
    "results": {"es": "resultados/{year}/", "en": "results/{year}/"},
    "pool_results": {"es": "resultados/{year}/{pool}/", "en": "results/{year}/{pool}/"},
    # The factory (plugins/cabildo/factory/)
    "factory": {"es": "fabrica/", "en": "factory/"},
    "factory_body": {"es": "fabrica/organos/{id}/", "en": "factory/bodies/{id}/"},
    "factory_meeting": {"es": "fabrica/reuniones/{id}/", "en": "factory/meetings/{id}/"},
    "factory_proposals": {"es": "fabrica/propuestas/", "en": "factory/proposals/"},
    "factory_proposal": {"es": "fabrica/propuestas/{id}/", "en": "factory/proposals/{id}/"},
    "factory_decisions": {"es": "fabrica/decisiones/", "en": "factory/decisions/"},
    "factory_decisions_body": {"es": "fabrica/decisiones/organo/{id}/",
                               "en": "factory/decisions/body/{id}/"},
    "factory_decisions_year": {"es": "fabrica/decisiones/{year}/",
                               "en": "factory/decisions/{year}/"},
    "factory_decisions_topic": {"es": "fabrica/decisiones/tema/{topic}/",
                                "en": "factory/decisions/topic/{topic}/"},
}
# Files that are not pages (url() links them; FactoryGenerator writes them).
FILES = {
    "factory_feed": {"es": "fabrica/atom.xml", "en": "factory/atom.xml"},
    "factory_body_feed": {"es": "fabrica/organos/{id}/atom.xml",
                          "en": "factory/bodies/{id}/atom.xml"},
    # Printable bulletins (plugins/cabildo/bulletins.py writes them)
    "bulletin": {"es": "boletines/{year}/{id}.pdf", "en": "bulletins/{year}/{id}.pdf"},
    "bulletin_municipal": {"es": "boletines/{year}/municipio.pdf",
                           "en": "bulletins/{year}/municipality.pdf"},
}


def path(kind: str, lang: str, default: str = "es", **values) -> str:
    """The URL path of a page, without the site URL: 'proyectos/x/'.

    The site's default language lives at the root, the others under their code.
    """
    route = ROUTES[kind] if kind in ROUTES else FILES[kind]
    prefix = "" if lang == default else f"{lang}/"
    return prefix + route.get(lang, route["en"]).format(**values)


def file(kind: str, lang: str, default: str = "es", **values) -> str:
    """The output file of a page: 'proyectos/x/index.html'."""
    return path(kind, lang, default, **values) + "index.html"
