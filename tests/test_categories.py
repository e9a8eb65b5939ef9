"""Categories are the site's data (data/categories.yaml): a site with its own categories
shows its own labels, in each page's language, everywhere a category is named; a project
naming an undeclared one stops validate and the build alike; Torres keeps its eleven."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cabildo.model import categories as cats
from cabildo.model.load import load_dataset
from cabildo.model.problems import DataProblems
from cabildo.model.settings import Config
from cabildo.views import urls

from conftest import ROOT, built_site, text_of

RIVERSIDE = ROOT / "tests" / "fixtures" / "riverside" / "data"
CABILDO = [sys.executable, "-m", "cabildo"]

# Three categories of a French-speaking town: ids in French (they are in the URLs), one
# without an English label (its English pages show the French one), styles left out.
FRENCH_CATEGORIES = """\
# yaml-language-server: $schema=../../plugins/cabildo/model/schemas/category.schema.json
categories:
- id: voirie
  label: {fr: Rues et ponts, en: Streets and bridges}
  geometry: [LineString, MultiLineString]
- id: ecoles
  label: {fr: Écoles du quartier, en: Neighbourhood schools}
- id: jardins
  label: {fr: Jardins partagés}
"""


def french_town(target: Path) -> Path:
    """Riverside speaking French first, with its own three categories and two projects
    on the map (a street and a school)."""
    shutil.copytree(RIVERSIDE, target)
    (target / "categories.yaml").write_text(FRENCH_CATEGORIES, "utf-8")
    edits = {
        "municipality.yaml": [("languages: [en, es]", "languages: [fr, en]"),
                              ("locale: en_BZ", "locale: fr_FR")],
        "projects/2025.yaml": [
            ("category: road", "category: voirie"), ("category: school", "category: ecoles"),
            ("  councils: [harbour]\n", "  councils: [harbour]\n  geometry: {type: LineString, "
             "coordinates: [[-88.21, 17.49], [-88.20, 17.495]]}\n"),
            ("  councils: [orchard]\n", "  councils: [orchard]\n"
             "  geometry: {type: Point, coordinates: [-88.2, 17.5]}\n")],
        "council-assemblies/2025.yaml": [("category: road", "category: voirie"),
                                         ("category: school", "category: ecoles")],
    }
    for rel, pairs in edits.items():
        path = target / rel
        text = path.read_text("utf-8")
        for old, new in pairs:
            assert old in text, old
            text = text.replace(old, new)
        path.write_text(text, "utf-8")
    return target


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    root = tmp_path_factory.mktemp("categories")
    return built_site(root / "output", french_town(root / "data"), DEFAULT_LANG="fr",
                      CABILDO_DEMO_NOTICE=False, CABILDO_MAP_TILES="none")


def page(site: Path, kind: str, lang: str = "fr", **values) -> str:
    return (site / urls.path(kind, lang, "fr", **values) / "index.html").read_text("utf-8")


def test_project_pages_name_the_site_s_category_in_each_language(town):
    fr = page(town, "project", id="harbour-road")
    assert "Rues et ponts" in text_of(fr)
    listing = urls.path("cycle_category", "fr", "fr", year=2025, category="voirie")
    assert f'href="/{listing}"' in fr  # the listing URL carries the site's own id
    assert "Streets and bridges" in text_of(page(town, "project", "en", id="harbour-road"))
    for torres in ("Vialidad", "Roads", "Educación", "Schools"):
        assert torres not in text_of(fr)


def test_listing_filters_and_lists_offer_the_site_s_categories(town):
    listing = page(town, "cycle_projects", year=2025)
    options = dict(re.findall(r'<option value="([^"]+)"[^>]*>\s*([^<(]+?)\s*\(',
                              listing.split('name="category"')[1].split("</select>")[0]))
    assert options == {"voirie": "Rues et ponts", "ecoles": "Écoles du quartier"}
    assert "Rues et ponts" in text_of(page(town, "cycle_category", year=2025,
                                           category="voirie"))
    # a declared category without projects still has its (empty) list, in both languages
    assert "Jardins partagés" in text_of(page(town, "cycle_category", year=2025,
                                              category="jardins"))
    assert "Jardins partagés" in text_of(page(town, "cycle_category", "en", year=2025,
                                              category="jardins"))


def test_the_map_legend_names_and_draws_each_category(town):
    html = page(town, "parish_cycle", id="north-bank", year=2025)
    legend = html.split('<ul class="legend">')[-1].split("</ul>")[0]
    assert "Rues et ponts" in legend and "<svg" in legend
    # a line-only category shows its line pattern, not a point symbol
    assert "<line" in legend and "<path" not in legend
    en = page(town, "parish_cycle", "en", id="south-bank", year=2025)
    assert "Neighbourhood schools" in en.split('<ul class="legend">')[-1].split("</ul>")[0]


def test_the_bulletins_print_the_site_s_labels(town):
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils missing")
    pdfs = sorted(town.rglob("*.pdf"))
    french = [p for p in pdfs if not p.is_relative_to(town / "en")]
    assert french
    text = " ".join(subprocess.run(["pdftotext", str(p), "-"], capture_output=True,
                                   text=True).stdout for p in french)
    text = re.sub(r"\s+", " ", text)
    assert "Rues et ponts" in text and "Écoles du quartier" in text
    assert "Vialidad" not in text and "Roads" not in text


def test_a_label_missing_in_a_site_language_is_a_warning_and_falls_back(tmp_path):
    data = french_town(tmp_path / "data")
    found = load_dataset(Config.for_data(data))
    warning = [w for w in found.warnings if w.path == "data/categories.yaml"]
    assert len(warning) == 1 and "no label in 'en'" in warning[0].message
    assert warning[0].line == 9 and warning[0].field == "categories[2].label"
    assert found.categories["jardins"].label_in("en") == "Jardins partagés"
    # no label in the main language: an error (its pages would show another language)
    path = data / "categories.yaml"
    path.write_text(path.read_text("utf-8").replace("{fr: Jardins partagés}",
                                                    "{en: Shared gardens}"), "utf-8")
    with pytest.raises(DataProblems) as caught:
        load_dataset(Config.for_data(data))
    assert [str(p) for p in caught.value.problems] == [
        "data/categories.yaml:9:3: categories[2].label: no label in 'fr', the site's main "
        "language (add fr: to label, or write one label for every language)"]


def cabildo(*args, cwd):
    return subprocess.run([*CABILDO, *args], cwd=cwd, capture_output=True, text=True)


def test_an_undeclared_category_stops_validate_and_build_alike(tmp_path):
    """A new French site (cabildo init), built once; then a project names a category
    nobody declared: validate and build print the same line and exit 1, and the
    published output/ stays byte for byte as it was."""
    site = tmp_path / "ville"
    assert cabildo("init", str(site), "--name", "Albi", "--country", "FR", "--language", "fr",
                   "--currency", "EUR", cwd=tmp_path).returncode == 0
    build = ["build", "--set", "CABILDO_BULLETINS=false"]
    assert cabildo(*build, cwd=site).returncode == 0
    before = {p: p.read_bytes() for p in sorted((site / "output").rglob("*")) if p.is_file()}
    [path] = (site / "data" / "projects").glob("*.yaml")
    text = path.read_text("utf-8")
    assert "  category: voirie\n" in text
    path.write_text(text.replace("  category: voirie\n", "  category: voiries\n"), "utf-8")
    line = text.splitlines().index("  category: voirie") + 1
    expected = (f"data/projects/{path.name}:{line}:3: projects[0].category: category "
                "'voiries' is not declared (did you mean 'voirie'?)")
    for command in (["validate"], build):
        ran = cabildo(*command, cwd=site)
        assert ran.returncode == 1, (command, ran.stdout, ran.stderr)
        assert expected in ran.stdout + ran.stderr, (command, ran.stdout + ran.stderr)
        assert "Traceback" not in ran.stderr
    after = {p: p.read_bytes() for p in sorted((site / "output").rglob("*")) if p.is_file()}
    assert after == before


def test_a_label_typed_for_an_id_gets_the_id_as_hint(tmp_path):
    """Staff who type the Spanish name (vialidad) where the id goes are told the id."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    path = data / "council-assemblies" / "2025.yaml"
    text = path.read_text("utf-8")
    assert "category: road" in text
    path.write_text(text.replace("category: road", "category: vialidad", 1), "utf-8")
    with pytest.raises(DataProblems) as caught:
        load_dataset(Config.for_data(data))
    [problem] = caught.value.problems
    assert problem.field.endswith(".category") and problem.message == (
        "category 'vialidad' is not declared")
    assert problem.hint == "did you mean 'road'?"


def test_a_broken_category_record_is_reported_once_not_at_every_project(tmp_path):
    data = french_town(tmp_path / "data")
    path = data / "categories.yaml"
    path.write_text(path.read_text("utf-8").replace("{fr: Rues et ponts,", "{fr: Rues, ponts,"),
                    "utf-8")
    with pytest.raises(DataProblems) as caught:
        load_dataset(Config.for_data(data))
    assert [(p.path, p.line, p.field) for p in caught.value.problems] == [
        ("data/categories.yaml", 4, "categories[0].label")]


def test_geometry_types_setting_works_with_declared_ids(tmp_path):
    data = french_town(tmp_path / "data")
    # the setting overrides the street category's declared lines: a point is refused...
    with pytest.raises(DataProblems) as caught:
        load_dataset(Config.for_data(data, CABILDO_GEOMETRY_TYPES={"voirie": ["Point"]}))
    [problem] = caught.value.problems
    assert problem.field == "projects[0].geometry.type" and "voirie" in problem.message
    # ...and the legend then draws its symbol, not a line
    found = load_dataset(Config.for_data(data, CABILDO_GEOMETRY_TYPES={
        "voirie": ["LineString", "Point"]}))
    assert found.categories["voirie"].has_places
    # a key that is no declared category is an error, not silently ignored
    with pytest.raises(DataProblems) as caught:
        load_dataset(Config.for_data(data, CABILDO_GEOMETRY_TYPES={"voiries": ["Point"]}))
    assert [str(p) for p in caught.value.problems] == [
        "pelicanconf.py:0:0: CABILDO_GEOMETRY_TYPES.voiries: unknown category 'voiries' "
        "(did you mean 'voirie'?)"]


def test_a_site_with_projects_and_no_categories_file_is_told_once(tmp_path):
    data = french_town(tmp_path / "data")
    (data / "categories.yaml").unlink()
    with pytest.raises(DataProblems) as caught:
        load_dataset(Config.for_data(data))
    assert [str(p) for p in caught.value.problems] == [
        "data/categories.yaml:0:0: (file): this file is missing, and projects name categories "
        "(create data/categories.yaml: each category with its id and label)"]


# Torres: the eleven categories and their styles as they were before they became data.
TORRES = {
    "road": ("Vialidad", "Roads", "#000000", "", 5, "square", "line"),
    "school": ("Educación", "Schools", "#0072B2", "", 3, "square", "point"),
    "sewer": ("Cloacas", "Sewers", "#D55E00", "10 5", 4, "triangle", "line"),
    "electricity": ("Electricidad", "Electricity", "#E69F00", "2 5", 4, "diamond", "both"),
    "water": ("Agua", "Water", "#0072B2", "12 4 2 4", 4, "circle", "both"),
    "health": ("Salud", "Health", "#D55E00", "", 3, "cross", "point"),
    "housing": ("Vivienda", "Housing", "#009E73", "", 3, "triangle", "point"),
    "sports": ("Deporte", "Sports", "#E69F00", "", 3, "circle", "point"),
    "culture": ("Cultura", "Culture", "#CC79A7", "", 3, "diamond", "point"),
    "transport": ("Transporte", "Transport", "#CC79A7", "6 3", 4, "star", "both"),
    "other": ("Otros", "Other", "#555555", "1 4", 3, "star", "both"),
}


def test_torres_declares_today_s_eleven_with_today_s_labels_and_styles():
    found = load_dataset(Config.for_data(ROOT / "data")).categories
    assert list(found) == list(TORRES)  # the order of pages, charts and legends
    for cid, (es, en, color, dash, weight, symbol, legend) in TORRES.items():
        c = found[cid]
        assert (c.label_in("es"), c.label_in("en")) == (es, en)
        assert (c.style.color, c.style.dash, c.style.weight, c.style.symbol) == (
            color, dash, weight, symbol)
        assert {(True, False): "line", (False, True): "point", (True, True): "both"}[
            (c.has_lines, c.has_places)] == legend


@given(st.lists(st.fixed_dictionaries({}, optional={
    "symbol": st.sampled_from(cats.SYMBOLS), "dash": st.sampled_from(cats.DASHES),
    "color": st.sampled_from(["#123456"])}), max_size=5))
def test_default_styles_never_repeat_a_pattern_and_symbol(declared):
    """Whatever a site declares, the styles filled in for it never give two categories
    the same line pattern and symbol (told apart in greyscale), and keep what it declared.
    (Five categories: a category that fixes its symbol alone has five patterns to choose
    from.)"""
    filled = cats._defaults(declared)
    explicit = [(m["symbol"], m["dash"]) for m in declared if "symbol" in m and "dash" in m]
    pairs = [(f["symbol"], f["dash"]) for f in filled]
    chosen = [p for m, p in zip(declared, pairs) if not ("symbol" in m and "dash" in m)]
    assert len(set(chosen)) == len(chosen)
    assert not set(chosen) & set(explicit)
    for m, f in zip(declared, filled):
        assert all(f[k] == v for k, v in m.items())
        assert re.fullmatch(r"#[0-9A-F]{6}", f["color"].upper())


def test_the_first_defaults_differ_by_pattern_and_by_symbol_alone():
    filled = cats._defaults([{}] * 5)
    assert len({f["dash"] for f in filled}) == 5 and len({f["symbol"] for f in filled}) == 5
    assert len({f["color"] for f in filled}) == 5
    thirty = cats._defaults([{}] * 30)
    assert len({(f["symbol"], f["dash"]) for f in thirty}) == 30


def test_a_changed_label_or_style_rebuilds_every_page_that_shows_it(tmp_path):
    """Labels and styles are read by filters and maps, not by a template's lookup in the
    dataset: an incremental build must still render their pages again, to the bytes of
    a clean build."""
    import hashlib

    from cabildo.pelican.build import build
    data = french_town(tmp_path / "data")
    quick = {"CABILDO_DATA_DIR": str(data), "DEFAULT_LANG": "fr", "CABILDO_BULLETINS": False,
             "CABILDO_SEARCH": False, "CABILDO_DEMO_NOTICE": False}

    def run(out: Path, cache: Path) -> dict[str, str]:
        assert build(str(ROOT / "pelicanconf.py"), str(out),
                     {**quick, "CABILDO_CACHE_DIR": str(cache)}, quiet=True) == 0
        return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(out.rglob("*")) if p.is_file()}

    out, cache = tmp_path / "output", tmp_path / "cache"
    run(out, cache)
    path = data / "categories.yaml"
    path.write_text(path.read_text("utf-8").replace("Rues et ponts", "Rues ponts et places")
                    .replace("geometry: [LineString, MultiLineString]",
                             "geometry: [LineString, MultiLineString]\n  map: {color: '#009E73'}"),
                    "utf-8")
    again = run(out, cache)
    assert again == run(tmp_path / "clean", tmp_path / "clean-cache")
    html = page(out, "project", id="harbour-road")
    assert "Rues ponts et places" in text_of(html)
    legend = page(out, "parish_cycle", id="north-bank", year=2025)
    assert 'stroke="#009E73"' in legend.split('<ul class="legend">')[-1].split("</ul>")[0]
