"""Where each page lives, per language: the site's default language at the root, the
others under their code (en/, fr/...).

Each path is written in English and translated in the catalogs (context "URL path"), so
a language's slugs come with its catalog: Spanish keeps Torres's /ciclos/, French gets
/cycles/ and /paroisses/, a language without a catalog uses the English paths. Paths are
stable across builds: people cite them, and open data files are linked from elsewhere.
"""
from __future__ import annotations

from functools import cache

URL = "URL path"  # the gettext context of paths (written out in NP_ calls for extraction)


def NP_(context: str, text: str) -> str:
    """Marks a path for extraction with its context; translated by `localized`."""
    return text


ROUTES = {
    "home": "",
    "cycles": NP_("URL path", "cycles/"),
    "cycle": NP_("URL path", "cycles/{year}/"),
    "cycle_projects": NP_("URL path", "cycles/{year}/projects/"),
    "cycle_category": NP_("URL path", "cycles/{year}/category/{category}/"),
    "cycle_status": NP_("URL path", "cycles/{year}/status/{status}/"),
    "parishes": NP_("URL path", "parishes/"),
    "parish": NP_("URL path", "parishes/{id}/"),
    "parish_cycle": NP_("URL path", "parishes/{id}/{year}/"),
    "councils": NP_("URL path", "councils/"),
    "council": NP_("URL path", "councils/{id}/"),
    "project": NP_("URL path", "projects/{id}/"),
    "projects": NP_("URL path", "projects/"),
    "data": NP_("URL path", "data/"),
    "model": NP_("URL path", "data/model/"),
    "search": NP_("URL path", "search/"),
    "notfound": "404.html",
    # The results check (views/results_pages.py)
    "results": NP_("URL path", "results/{year}/"),
    "pool_results": NP_("URL path", "results/{year}/{pool}/"),
}
# Files that are not pages (url() links them; their outputs write them).
FILES = {
    "bulletin": NP_("URL path", "bulletins/{year}/{id}.pdf"),
    "bulletin_municipal": NP_("URL path", "bulletins/{year}/municipality.pdf"),
}


@cache
def patterns() -> dict[str, str]:
    """Every kind of page or file and its path pattern: the core's, then the extensions'
    (extensions/: Extension.routes), which cannot take a core kind's place."""
    from ..extensions import extensions
    added = {kind: p for ext in extensions() for kind, p in ext.routes.items()}
    return added | ROUTES | FILES


@cache
def localized(lang: str, pattern: str) -> str:
    """A path pattern in a language, from its catalog."""
    if not pattern:
        return pattern  # gettext("") would be the catalog's header
    from .catalogs import translations
    return translations(lang).pgettext(URL, pattern)


def catalog_languages() -> list[str]:
    """English (the paths as written) and every language with a catalog."""
    from ..resources import TRANSLATIONS_DIR
    return sorted({"en", *(p.name for p in TRANSLATIONS_DIR.iterdir() if p.is_dir())})


def path(kind: str, lang: str, default: str = "es", **values) -> str:
    """The URL path of a page, without the site URL: 'proyectos/x/'.

    The site's default language lives at the root, the others under their code.
    """
    pattern = patterns()[kind]
    prefix = "" if lang == default else f"{lang}/"
    return prefix + localized(lang, pattern).format(**values)


def file(kind: str, lang: str, default: str = "es", **values) -> str:
    """The output file of a page: 'proyectos/x/index.html'."""
    return path(kind, lang, default, **values) + "index.html"
