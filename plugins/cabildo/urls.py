"""Where each page lives, per language. Spanish at the root, English under en/.

Paths are stable across builds: people cite them, and open data files are
linked from elsewhere.
"""
from __future__ import annotations

ROUTES = {
    "home": {"es": "", "en": "en/"},
    "cycles": {"es": "ciclos/", "en": "en/cycles/"},
    "cycle": {"es": "ciclos/{year}/", "en": "en/cycles/{year}/"},
    "cycle_projects": {"es": "ciclos/{year}/proyectos/", "en": "en/cycles/{year}/projects/"},
    "cycle_category": {"es": "ciclos/{year}/categoria/{category}/",
                       "en": "en/cycles/{year}/category/{category}/"},
    "cycle_status": {"es": "ciclos/{year}/estado/{status}/",
                     "en": "en/cycles/{year}/status/{status}/"},
    "parishes": {"es": "parroquias/", "en": "en/parishes/"},
    "parish": {"es": "parroquias/{id}/", "en": "en/parishes/{id}/"},
    "parish_cycle": {"es": "parroquias/{id}/{year}/", "en": "en/parishes/{id}/{year}/"},
    "councils": {"es": "consejos/", "en": "en/councils/"},
    "council": {"es": "consejos/{id}/", "en": "en/councils/{id}/"},
    "project": {"es": "proyectos/{id}/", "en": "en/projects/{id}/"},
    "projects": {"es": "proyectos/", "en": "en/projects/"},
    "data": {"es": "datos/", "en": "en/data/"},
    "model": {"es": "datos/modelo/", "en": "en/data/model/"},
}


def path(kind: str, lang: str, **values) -> str:
    """The URL path of a page, without the site URL: 'proyectos/x/'."""
    route = ROUTES[kind]
    # A language without its own paths uses the English ones under its code.
    pattern = route[lang] if lang in route else f"{lang}/" + route["en"].removeprefix("en/")
    return pattern.format(**values)


def file(kind: str, lang: str, **values) -> str:
    """The output file of a page: 'proyectos/x/index.html'."""
    return path(kind, lang, **values) + "index.html"
