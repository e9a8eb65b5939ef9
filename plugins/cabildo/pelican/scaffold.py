"""`cabildo init`: a new site that validates and builds at once.

It writes the settings, one example record of each type (each file pointing editors to
its JSON Schema, copied beside the data), the hand-written pages in the site's language,
and CI workflows that validate and build on every push. Nothing in it is about Torres:
the examples are neutral and say they are examples.
"""
from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml
from babel import Locale, UnknownLocaleError
from babel.numbers import UnknownCurrencyError, get_currency_name

from ..resources import SCHEMA_DIR


class InitError(Exception):
    pass


# The example records' words, per language (English for any other).
WORDS = {
    "en": {"district": "Centre", "council": "Example neighbourhood council",
           "project": "Example: resurface the market street", "priority": "Market street",
           "proposals": "Proposals", "vote": "Vote", "results": "Results",
           "office": "Participatory budget office (example)"},
    "es": {"district": "Centro", "council": "Consejo vecinal de ejemplo",
           "project": "Ejemplo: asfaltado de la calle del mercado", "priority": "Calle del mercado",
           "proposals": "Propuestas", "vote": "Votación", "results": "Resultados",
           "office": "Oficina del presupuesto participativo (ejemplo)"},
    "fr": {"district": "Centre", "council": "Conseil de quartier (exemple)",
           "project": "Exemple : réfection de la rue du marché", "priority": "Rue du marché",
           "proposals": "Dépôt des projets", "vote": "Vote", "results": "Résultats",
           "office": "Bureau du budget participatif (exemple)"},
}
# Three example categories, (id, label) per language: the ids are in the list URLs.
CATEGORIES: dict[str, list[tuple[str, str]]] = {
    "en": [("streets", "Streets"), ("schools", "Schools"),
           ("green-spaces", "Parks and green spaces")],
    "es": [("calles", "Calles"), ("escuelas", "Escuelas"),
           ("espacios-verdes", "Parques y espacios verdes")],
    "fr": [("voirie", "Voirie"), ("ecoles", "Écoles"), ("espaces-verts", "Parcs et espaces verts")],
}

PAGES = {
    "en": ("How to take part", "how-to-take-part", """\
Describe here, in your own words, how residents of {name} decide the participatory budget:
who can propose a project, who votes and how, when, and how the results are approved.

This page is yours: edit `content/pages/{slug}.md`."""),
    "es": ("Cómo participar", "como-participar", """\
Cuente aquí, con sus propias palabras, cómo los habitantes de {name} deciden el presupuesto
participativo: quién puede proponer un proyecto, quién vota y cómo, cuándo, y cómo se
aprueban los resultados.

Esta página es suya: edite `content/pages/{slug}.md`."""),
    "fr": ("Comment participer", "comment-participer", """\
Décrivez ici, avec vos mots, comment les habitants de {name} décident du budget
participatif : qui peut proposer un projet, qui vote et comment, quand, et comment les
résultats sont adoptés.

Cette page est la vôtre : modifiez `content/pages/{slug}.md`."""),
}

# The home page's opening words: how the process works, in the site's own words.
INTROS = {
    "en": "Every year the residents of {name} decide how part of the budget is spent. "
          "Say here, in two sentences, who proposes, who votes and how "
          "(edit `content/pages/home-en.md`).",
    "es": "Cada año, los habitantes de {name} deciden en qué se invierte una parte del "
          "presupuesto. Diga aquí, en dos frases, quién propone, quién vota y cómo "
          "(edite `content/pages/home-es.md`).",
    "fr": "Chaque année, les habitants de {name} décident de l’usage d’une partie du budget. "
          "Dites ici, en deux phrases, qui propose, qui vote et comment "
          "(modifiez `content/pages/home-fr.md`).",
}

GITHUB_WORKFLOW = """\
# Validate and build the site on every push; problems show on the files' lines.
name: cabildo
on: [push, pull_request]
jobs:
  site:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with: {python-version: "3.11"}
      - run: sudo apt-get install -y fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
      - run: pip install -r requirements.txt
      # What builds reuse (bulletins, workbooks, parsed data), from the last run: an edit
      # then prints only the bulletins it changes. Builds prune it themselves.
      - uses: actions/cache@v4
        with:
          path: .cabildo-cache
          key: cabildo-${{ github.run_id }}
          restore-keys: cabildo-
      - run: cabildo validate --annotations github
      - run: cabildo build
"""

GITLAB_CI = """\
# Validate and build the site on every push (problems are printed as file:line:col).
site:
  image: python:3.11
  script:
    - apt-get update && apt-get install -y fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
    - pip install -r requirements.txt
    - cabildo validate
    - cabildo build
  cache:  # what builds reuse (bulletins, workbooks, parsed data); builds prune it
    key: cabildo
    paths: [.cabildo-cache/]
  artifacts:
    paths: [output/]
"""


def create_site(directory: Path, *, name: str, country: str, languages: list[str],
                currency: str, timezone: str = "", force: bool = False,
                year: int | None = None) -> None:
    country, currency = country.upper(), currency.upper()
    languages = list(dict.fromkeys(code.strip().lower() for code in languages))
    locale = _locale(languages[0], country)
    timezone = timezone or _timezone(country)
    try:
        get_currency_name(currency, locale=locale, count=None)
    except UnknownCurrencyError:
        raise InitError(
            f"unknown currency {currency!r} (an ISO 4217 code, e.g. EUR)") from None
    if not currency.isalpha() or len(currency) != 3:
        raise InitError(f"unknown currency {currency!r} (an ISO 4217 code, e.g. EUR)")
    if directory.exists() and any(directory.iterdir()) and not force:
        raise InitError(f"{directory}/ is not empty (use --force to write into it)")
    year = year or date.today().year
    words = WORDS.get(languages[0], WORDS["en"])

    directory.mkdir(parents=True, exist_ok=True)
    _write(directory / "pelicanconf.py", _settings(name, timezone, languages[0]))
    _write(directory / "publishconf.py", '"""Settings for publishing: pelicanconf plus the '
           'public address."""\nimport os\nimport sys\n\nsys.path.append(os.curdir)\n'
           'from pelicanconf import *  # noqa: E402,F401,F403\n\n'
           'SITEURL = os.environ.get("CABILDO_SITEURL", "")\n')
    _write(directory / "requirements.txt", "cabildo\n")
    _write(directory / ".gitignore", "/output\n/output.*\n/.cabildo-cache/\n__pycache__/\n")
    _write(directory / ".github" / "workflows" / "cabildo.yml", GITHUB_WORKFLOW)
    _write(directory / ".gitlab-ci.yml", GITLAB_CI)
    schemas = directory / "schemas"
    schemas.mkdir(exist_ok=True)
    for schema in sorted(SCHEMA_DIR.glob("*.schema.json")):  # the core's (extensions keep theirs)
        shutil.copyfile(schema, schemas / schema.name)
    for lang in languages:
        intro = INTROS.get(lang, INTROS["en"]).replace("home-en", f"home-{lang}")
        _write(directory / "content" / "pages" / f"home-{lang}.md",
               f"Title: {name}\nLang: {lang}\nKey: home\nSlug: home-{lang}\n"
               f"Status: hidden\nSave_as:\nUrl:\n\n{intro.format(name=name)}\n")
        title, slug, text = PAGES.get(lang, PAGES["en"])
        _write(directory / "content" / "pages" / f"{slug}.md",
               f"Title: {title}\nLang: {lang}\nKey: participate\nSlug: {slug}\n\n"
               + text.format(name=name, slug=slug) + "\n")
    _data(directory / "data", name=name, country=country, languages=languages,
          locale=locale, currency=currency, timezone=timezone, year=year, words=words)


def _locale(language: str, country: str) -> str:
    try:
        Locale.parse(f"{language}_{country}")
        return f"{language}_{country}"
    except (ValueError, UnknownLocaleError):
        try:
            Locale.parse(language)
        except (ValueError, UnknownLocaleError):
            raise InitError(
                f"unknown language {language!r} (an ISO 639-1 code, e.g. fr)") from None
        return language


def _timezone(country: str) -> str:
    from babel.core import get_global
    zones: list[str] = get_global("territory_zones").get(country) or []
    if not zones:
        raise InitError(f"unknown country {country!r} (an ISO 3166 code, e.g. FR)")
    return zones[0]


def _settings(name: str, timezone: str, language: str) -> str:
    return f'''"""Pelican settings for {name}'s participatory budget site. Cabildo's settings
(CABILDO_*) are listed on the site's data model page (/data/model/)."""
from cabildo.pelican.defaults import *  # noqa: F401,F403

SITENAME = {name!r}
TIMEZONE = {timezone!r}
DEFAULT_LANG = {language!r}

CABILDO_DATA_DIR = "data"
CABILDO_DEMO_NOTICE = False
CABILDO_MAP_TILES = "none"  # "openstreetmap" for a map background from openstreetmap.org
'''


def _data(data: Path, *, name: str, country: str, languages: list[str], locale: str,
          currency: str, timezone: str, year: int, words: dict[str, str]) -> None:
    district, council = "centre", "example-council"
    project = f"{year}-example-street"

    def record(folder: str, file: str, schema: str, key: str, value: object) -> None:
        depth = file.count("/")
        ref = "../" * (depth + 1) + f"schemas/{schema}.schema.json"
        _write(data / file,
               f"# yaml-language-server: $schema={ref}\n"
               + yaml.dump({key: value}, Dumper=_Dumper, allow_unicode=True, sort_keys=False))

    record("", "municipality.yaml", "municipality", "municipality", {
        "name": name, "state": Locale.parse(locale).territories.get(country, country),
        "country": country, "languages": languages, "locale": locale,
        "default_currency": currency, "timezone": timezone,
        # where residents ask (bulletins, every page's foot): replace with the real office
        "office": {"name": words["office"], "email": "budget@example.org"}})
    # Three categories in the site's languages; their map styles are left to the defaults.
    own = CATEGORIES.get(languages[0], CATEGORIES["en"])
    streets = own[0][0]
    record("", "categories.yaml", "category", "categories", [
        {"id": cid, "label": {lang: CATEGORIES.get(lang, CATEGORIES["en"])[i][1]
                              for lang in languages},
         **({"geometry": ["LineString", "MultiLineString"]} if i == 0 else {})}
        for i, (cid, _) in enumerate(own)])
    record("", "parishes.yaml", "parish", "parishes",
           [{"id": district, "name": words["district"], "population": 10000}])
    record("councils", f"councils/{district}.yaml", "council", "councils", [{
        "id": council, "name": words["council"], "parish": district, "setting": "urban",
        "families": 100, "members": 200}])
    record("cycles", f"cycles/{year}.yaml", "cycle", "cycle", {
        "year": year, "currency": currency, "budget": Decimal("100000.00"), "phases": {
            "diagnosis": {"start": date(year, 1, 10), "end": date(year, 1, 31)},
            "council_assemblies": {"start": date(year, 2, 1), "end": date(year, 2, 28)},
            "parish_round_1": {"start": date(year, 3, 1), "end": date(year, 3, 15)},
            "parish_round_2": {"start": date(year, 3, 16), "end": date(year, 3, 31)},
            "clpp_approval": date(year, 4, 10)},
        # What residents see on the cycle page: your own steps, in your words.
        "calendar": [{"name": words["proposals"], "start": date(year, 1, 10),
                      "end": date(year, 2, 28)},
                     {"name": words["vote"], "start": date(year, 3, 1),
                      "end": date(year, 3, 31)},
                     {"name": words["results"], "start": date(year, 4, 10)}]})
    record("council-assemblies", f"council-assemblies/{year}.yaml", "council_assembly",
           "council_assemblies", [{
               "id": f"{council}-{year}", "council": council, "cycle": year,
               "date": date(year, 2, 10), "members": 200, "attendance": 60, "priorities": [{
                   "title": words["priority"], "category": streets, "votes": 50,
                   "project": project}]}])
    record("parish-assemblies", f"parish-assemblies/{year}.yaml", "parish_assembly",
           "parish_assemblies", [
               {"id": f"{district}-{year}-r{n}", "parish": district, "cycle": year,
                "round": n, "date": date(year, 3, 5 + 15 * (n - 1)),
                "delegates_accredited": 3, "delegates_present": 3,
                "votes": [{"project": project, "for": 3, "against": 0, "abstain": 0}]}
               for n in (1, 2)])
    record("projects", f"projects/{year}.yaml", "project", "projects", [{
        "id": project, "cycle": year, "title": words["project"], "category": streets,
        "amount": Decimal("45000.00"), "parish": district, "councils": [council], "funded": True,
        "status": "identification"}])


class _Dumper(yaml.SafeDumper):
    """Amounts as plain numbers (100000.00), as staff type them."""


_Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float",
                                                                 str(v)))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
