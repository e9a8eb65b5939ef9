"""Translations: every string the site shows has its Spanish, and no translation breaks a page.

Nothing is built here. The messages are extracted afresh (as `pybabel extract -F
babel.cfg` would) into a temporary template and compared with the catalogs in
theme/translations/. When a test fails, re-extract and update the catalogs:

    .venv/bin/pybabel extract -F babel.cfg -k N_ -o theme/translations/messages.pot .
    .venv/bin/pybabel update -i theme/translations/messages.pot -d theme/translations \
        --no-fuzzy-matching

then translate what the failure lists in the complete catalogs (es and fr; English is
the msgid language, so the en catalog may leave entries empty).
"""
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

from conftest import ROOT

TRANSLATIONS = ROOT / "theme" / "translations"
DEFAULT_LANG = "es"  # the site's default language: it must be complete
# Catalogs that must translate every message: the demo's default and every shipped
# language whose text differs from the English msgids.
COMPLETE = ("es", "fr")
SOURCE_DIRS = {"plugins", "theme"}  # where babel.cfg's patterns point; skip output/ etc.

# A %-conversion as Python's `%` operator reads it: %(name)s, %s, %d, %%...
CONVERSION = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?"
                        r"(?P<type>[diouxXeEfFgGcrsa%])")


def _only_sources(path: str) -> bool:
    rel = Path(path).relative_to(ROOT).parts
    return (rel[0] in SOURCE_DIRS and not any(p.startswith(".") or p == "__pycache__"
                                               for p in rel))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Catalog:
    """The messages of the templates and plugins, as babel.cfg extracts them."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    catalog = Catalog(fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords={**DEFAULT_KEYWORDS, "N_": None, "NP_": ((1, "c"), 2)},
            directory_filter=_only_sources):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                    context=context)
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    with pot.open("wb") as f:
        write_po(f, catalog)
    with pot.open("rb") as f:
        return read_po(f)


def catalog_files():
    return sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def load(path: Path) -> Catalog:
    lang = path.parent.parent.name
    with path.open("rb") as f:
        return read_po(f, locale=lang, abort_invalid=True)


def where(message) -> str:
    return ", ".join(f"{f}:{n}" for f, n in message.locations[:2]) or "?"


def forms(value) -> tuple:
    return value if isinstance(value, (tuple, list)) else (value,)


def names(text: str) -> set:
    """The placeholders of a string: {'name', 'year'} for '%(name)s in %(year)s'."""
    return {m["name"] if m["name"] is not None else f"#{m['type']}"
            for m in CONVERSION.finditer(text) if m["type"] != "%"}


def formats(text: str, keys: set) -> str | None:
    """What `text % values` raises, as newstyle gettext always applies it; None if fine."""
    try:
        text % {k: 1 for k in keys}
    except (KeyError, TypeError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def test_babel_cfg_finds_the_templates_and_the_plugin_labels(extracted):
    files = {f for m in extracted for f, _ in m.locations}
    assert any(f.startswith("theme/templates/") for f in files), files
    assert any(f.startswith("plugins/cabildo/") for f in files), files  # N_() labels
    assert "Under way" in extracted and "Skip to content" in extracted


def test_the_default_language_has_a_catalog():
    assert (TRANSLATIONS / DEFAULT_LANG / "LC_MESSAGES" / "messages.po").is_file()
    assert {p.parent.parent.name for p in catalog_files()} >= {"es", "en", *COMPLETE}


@pytest.mark.parametrize("lang", COMPLETE)
def test_every_message_is_translated(extracted, lang):
    catalog = load(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po")
    problems = []
    for message in extracted:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        ours = catalog.get(key, message.context)
        if ours is None:
            problems.append(f"missing: {key!r} ({where(message)})")
        elif isinstance(message.id, tuple) and ours.id != message.id:
            problems.append(f"plural changed: {message.id!r}, catalog has {ours.id!r}")
        elif ours.fuzzy:
            problems.append(f"fuzzy: {key!r} ({where(message)})")
        elif not all(forms(ours.string)) or (
                ours.pluralizable and len(forms(ours.string)) != catalog.num_plurals):
            problems.append(f"untranslated: {key!r} ({where(message)})")
    assert not problems, (f"{len(problems)} message(s) of the {lang} catalog need "
                          f"work (see this file's docstring):\n" + "\n".join(problems))


@pytest.mark.parametrize("lang", [lang for lang in COMPLETE if lang not in ("es", "en")])
def test_every_open_data_and_schema_description_is_translated(lang):
    """Open-data and schema titles and field descriptions are written in Spanish and
    English; another language finds them in its catalog by the English text."""
    from cabildo.outputs.modeldoc import model_docs
    from cabildo.outputs.opendata import all_tables
    catalog = load(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po")
    texts = [text for table in all_tables()
             for text in [table.title_en, *(c.en for c in table.columns)]]
    texts += [text for doc in model_docs() for text in [doc.title_en, *(f.en for f in doc.fields)]]
    missing = sorted({text for text in texts
                      if text and not (catalog.get(text) and catalog.get(text).string)})
    assert not missing, f"add to the {lang} catalog: {missing}"


@pytest.mark.parametrize("lang", [lang for lang in COMPLETE if lang != "en"])
def test_every_setting_description_is_translated(lang):
    """The data-model page explains each setting in the site's language: the English
    text is the message, so each language's catalog must hold it."""
    from cabildo.model.settings import SETTINGS
    catalog = load(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po")
    missing = sorted(s.name for s in SETTINGS
                     if not (catalog.get(s.doc) and catalog.get(s.doc).string))
    assert not missing, f"add the descriptions of these settings to the {lang} catalog: {missing}"


@pytest.mark.parametrize("po", catalog_files(), ids=lambda p: p.parent.parent.name)
def test_translations_keep_their_placeholders(po):
    catalog = load(po)
    problems = []
    for message in catalog:
        if not message.id or not any(forms(message.string)):
            continue  # the header, or untranslated (gettext shows the msgid)
        expected = set().union(*(names(i) for i in forms(message.id)))
        for i, text in enumerate(forms(message.string)):
            label = f"{forms(message.id)[0]!r}" + (f" [form {i}]" if message.pluralizable
                                                   else "")
            found = names(text)
            if found != expected:
                problems.append(f"{label}: placeholders {sorted(found)} instead of "
                                f"{sorted(expected)}")
            elif formats(forms(message.id)[0], expected) is None and (
                    error := formats(text, expected)):
                problems.append(f"{label}: {error} (write a literal percent sign as %%)")
    assert not problems, f"{po.relative_to(ROOT)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("po", catalog_files(), ids=lambda p: p.parent.parent.name)
def test_catalog_header_matches_its_language(po):
    catalog = load(po)
    lang = po.parent.parent.name
    assert str(catalog.locale) == lang
    assert not catalog.fuzzy, f"{po.relative_to(ROOT)}: the header is marked fuzzy"
    # The plural rule of the language (French counts 0 as singular), as CLDR gives it
    expected = get_plural(lang)
    assert (catalog.num_plurals, catalog.plural_expr) == (
        expected.num_plurals, expected.plural_expr), catalog.plural_forms


def test_every_hand_written_page_exists_in_both_languages():
    """content/pages: each `key` in Spanish and in English, so the language switch works."""
    pages: dict[str, dict[str, str]] = {}
    for md in sorted((ROOT / "content" / "pages").glob("*.md")):
        head = md.read_text("utf-8").split("\n\n", 1)[0]
        meta = {k.strip().lower(): v.strip() for k, v in
                (line.split(":", 1) for line in head.splitlines() if ":" in line)}
        assert {"title", "lang", "key", "slug"} <= meta.keys(), f"{md.name}: {meta}"
        langs = pages.setdefault(meta["key"], {})
        assert meta["lang"] not in langs, f"{md.name}: a second {meta['lang']} page for " \
                                          f"key {meta['key']!r} ({langs[meta['lang']]})"
        langs[meta["lang"]] = md.name
    assert {"participate", "about"} <= pages.keys()
    for key, langs in pages.items():
        assert set(langs) == {"es", "en"}, f"key {key!r} has only {sorted(langs)}"

