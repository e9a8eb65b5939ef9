"""A municipality that declares French gets a French site: the fr catalog's labels,
`lang="fr"`, French plurals and dates, and a language switch that says "Français".

The site is tests/fixtures/riverside with `languages: [fr, en]`, built once.
"""
import re
import shutil

import pytest
from babel.messages.pofile import read_po
from test_site import page, run_build, text_of

from conftest import ROOT

FR_PO = ROOT / "theme" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
# Pages whose tables and field descriptions come from outputs/opendata.py and the JSON
# Schemas, which carry Spanish and English text only (not gettext): not French yet.
NOT_FRENCH_YET = {"donnees/modele/index.html"}  # French paths


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("french")
    data = tmp / "data"
    shutil.copytree(ROOT / "tests" / "fixtures" / "riverside" / "data", data)
    town = data / "municipality.yaml"
    text = town.read_text("utf-8")
    text = text.replace("languages: [en, es]", "languages: [fr, en]")
    text = text.replace("locale: en_BZ", "locale: fr_FR")
    assert "[fr, en]" in text and "fr_FR" in text
    town.write_text(text, "utf-8")
    out = tmp / "out"
    assert run_build(out, data, DEFAULT_LANG="fr", CABILDO_DEMO_NOTICE=False,
                     CABILDO_BULLETINS=False, CABILDO_MAPS=False) == 0
    return out


def french_pages(site):
    for path in sorted(site.rglob("*.html")):
        html = path.read_text("utf-8")
        if '<html lang="fr">' in html:
            yield path, html


def test_the_default_language_is_french(site):
    home = page(site, "")
    assert '<html lang="fr">' in home
    text = text_of(home)
    for label in ("Aller au contenu", "Budget participatif", "Paroisses", "Projets",
                  "Données ouvertes", "Chercher", "Attribué à des projets par les habitants"):
        assert label in text, label
    for english in ("Skip to content", "Parishes", "Open data", "Assigned to projects by residents"):
        assert english not in text, english
    assert '<html lang="fr">' in page(site, "projets/harbour-road")
    assert '<html lang="en">' in page(site, "en/projects/harbour-road")


def english_labels_on(pages) -> list[str]:
    """The labels the fr catalog translates (two words or more, no placeholder) that
    these pages still show in English."""
    with FR_PO.open("rb") as f:
        catalog = read_po(f, locale="fr")
    english = {m.id for m in catalog if isinstance(m.id, str) and m.id and "%" not in m.id
               and " " in m.id and m.string != m.id}
    return sorted(f"{name}: {label!r}" for name, html in pages for label in english
                  if label in text_of(html))


def test_no_english_label_is_left_on_a_french_page(site):
    pages = [(str(p.relative_to(site)), html) for p, html in french_pages(site)]
    assert len(pages) >= 10, [name for name, _ in pages]
    found = english_labels_on([(n, h) for n, h in pages if n not in NOT_FRENCH_YET])
    assert not found, "\n".join(found)


def test_the_open_data_page_describes_every_field_in_french(site):
    text = text_of((site / "donnees/index.html").read_text("utf-8"))
    assert "Identifiant de la paroisse." in text and "Montant, dans la monnaie du cycle." in text
    assert "Parish identifier." not in text and "Amount, in the cycle's currency." not in text


def test_the_data_model_page_is_french_too(site):
    pages = [(name, (site / name).read_text("utf-8")) for name in sorted(NOT_FRENCH_YET)]
    assert not english_labels_on(pages)


def test_plurals_follow_the_french_rule(site):
    text = text_of(page(site, "conseils"))
    assert "2 conseils communaux participent au budget participatif." in text
    assert re.search(r"\b1 projet\b(?!s)", text_of(page(site, "")))
    # French counts 0 as singular (plural=(n > 1)): "0 projet", not "0 projets"
    from cabildo.views.i18n import translations
    fr = translations("fr")
    assert fr.ngettext("%(num)s project", "%(num)s projects", 0) == "%(num)s projet"
    assert fr.ngettext("%(num)s project", "%(num)s projects", 2) == "%(num)s projets"


def test_one_is_never_followed_by_a_plural(site):
    """French agreement where the catalog cannot use ngettext: this site has parishes
    with 1 project approved and funded, which must not read "1 projets"."""
    texts = [text_of(html) for _, html in french_pages(site)]
    texts.append(text_of((site / "atom.xml").read_text("utf-8")))
    assert any("projets approuvés : 1 sur 1 ; projets financés : 1." in t for t in texts)
    # a lone 1, not the end of 2,1 or of 2 001 (text_of turns group spaces into " ")
    plural_after_one = re.compile(r"(?<![\d,.])(?<!\d )1 (projets|délégués|membres|"
                                  r"conseils|assemblées|personnes|familles|décisions|"
                                  r"sièges|jours)\b")
    found = [m.group(0) for t in texts for m in plural_after_one.finditer(t)]
    assert not found, found


def test_dates_are_written_in_french(site):
    text = text_of(page(site, "paroisses/north-bank/2025"))
    assert "Tour 1, 5 mars 2025" in text
    assert "Présence : 2 sur 2 délégués accrédités." in text


def test_the_language_switch_names_each_language_in_itself(site):
    en_home = page(site, "en")
    link = re.search(r'<a href="([^"]*)" hreflang="fr" lang="fr">([^<]*)</a>', en_home)
    assert link and link.group(2) == "Français" and link.group(1) in {"/", ""}, link
    assert re.search(r'hreflang="en" lang="en">English</a>', page(site, ""))


def test_file_sizes_use_french_units():
    """The PDF links' sizes: "19 ko" in French (CLDR), with a narrow no-break space."""
    from cabildo.pelican.bulletin_generator import Link
    assert Link("/b.pdf", 19_400, "fr_FR").size == "19\u202fko"
    assert Link("/b.pdf", 1_234_000, "fr_FR").size == "1,2\u202fMo"
    assert Link("/b.pdf", 19_400, "es_VE").size == "19\u00a0kB"

