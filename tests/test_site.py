"""The built site, read as a resident would: the numbers on the pages, the links, the files.

Each test runs a real Pelican build into a temporary folder.
"""
import hashlib
import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from cabildo.model.load import load_dataset
from cabildo.model.records import Money
from cabildo.pelican.build import build
from cabildo.views.i18n import Formatter

from conftest import ROOT, text_of

SETTINGS = str(ROOT / "pelicanconf.py")


def run_build(output, data=None, **overrides):
    if data:
        overrides["CABILDO_DATA_DIR"] = str(data)
    return build(SETTINGS, str(output), overrides, quiet=True)


def tree_digest(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "output"
    assert run_build(out) == 0
    return out


@pytest.fixture(scope="module")
def data():
    return load_dataset(ROOT / "data")


def page(site, path):
    return (site / path / "index.html").read_text("utf-8")


es = Formatter("es", {"es": "es_VE"}, {"VES": "Bs."}, "¤\u00a0#,##0.00")  # as pelicanconf.py


def money(value, digits=True, currency="VES"):
    """As a resident reads it: 'Bs. 1.234.567,89' (spaces normalised like text_of)."""
    if not isinstance(value, Money):
        value = Money(value, currency)
    return re.sub(r"\s+", " ", es.money(value, digits))


def test_home_shows_the_current_cycle(site, data):
    year = data.current_year
    funded = [p for p in data.projects.values() if p.year == year and p.funded]
    total = sum((p.amount.amount for p in funded), Decimal(0))
    text = text_of(page(site, ""))
    assert "Presupuesto" in text or "Participatory" in text
    assert money(total) in text  # one precision for a figure: exact cents
    assert f"{len(funded)}" in text


def test_cycle_total_is_the_sum_of_its_projects(site, data):
    for year in data.cycles:
        funded = [p for p in data.projects.values() if p.year == year and p.funded]
        total = sum((p.amount.amount for p in funded), Decimal(0))
        html = page(site, f"ciclos/{year}")
        foot = text_of(html.split("<tfoot>")[1].split("</tfoot>")[0])
        assert money(total) in foot
        assert foot.endswith(str(len(funded)))


def test_parish_page_lists_its_funded_projects_and_their_sum(site, data):
    year = data.current_year
    for parish in list(data.parishes.values())[:5]:
        funded = [p for p in data.projects.values()
                  if p.year == year and p.parish_id == parish.id and p.funded]
        text = text_of(page(site, f"parroquias/{parish.id}/{year}"))
        for p in funded:
            assert p.title in text
            assert money(p.amount) in text
        total = sum((p.amount.amount for p in funded), Decimal(0))
        assert money(total) in text  # one precision for a figure: exact cents


def test_project_page_shows_money_votes_and_source(site, data):
    project = next(p for p in data.projects.values() if p.funded and 2 in p.votes)
    html = page(site, f"proyectos/{project.id}")
    text = text_of(html)
    assert project.title in text
    assert money(project.amount) in text  # e.g. Bs. 1.234.567,89
    assert re.search(r"Bs\.\s[\d.]+,\d\d", text)
    vote = project.votes[2]
    assert re.search(rf"\b{vote.yes}\b.*\b{vote.no}\b.*\b{vote.abstain}\b", text)
    # The demo names no repository: no "see the source file" link to a placeholder.
    assert f"{project.source.path}#L{project.source.line}" not in html
    assert "example.org" not in html


def test_every_page_has_its_translation_and_hreflang(site):
    html = page(site, "proyectos")
    assert '<html lang="es">' in html
    assert 'hreflang="en" href="/en/projects/"' in html
    en = page(site, "en/projects")
    assert '<html lang="en">' in en and 'hreflang="es" href="/proyectos/"' in en


def test_listings_are_prerendered(site, data):
    year = data.current_year
    for category in ("road", "school", "sewer"):
        text = text_of(page(site, f"ciclos/{year}/categoria/{category}"))
        for p in data.projects.values():
            if p.year == year and p.category == category:
                assert p.title in text
    assert (site / f"ciclos/{year}/estado/implementation/index.html").exists()


def test_internal_links_resolve(site):
    broken = set()
    for html_file in site.rglob("*.html"):
        for href in re.findall(r'href="(/[^"#]*)', html_file.read_text("utf-8")):
            target = site / href.lstrip("/")
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.add(f"{html_file.relative_to(site)} -> {href}")
    assert not broken, sorted(broken)[:10]


def test_no_third_party_requests(site):
    for html_file in list(site.rglob("*.html"))[:200]:
        html = html_file.read_text("utf-8")
        assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', html), html_file


def test_open_data_package_validates(site):
    from frictionless import validate
    report = validate(str(site / "datos" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_open_data_totals_match_the_pages(site, data):
    year = data.current_year
    rows = json.loads((site / f"datos/{year}/proyectos.json").read_text())
    funded = sum(Decimal(r["amount"]) for r in rows if r["funded"])
    expected = sum((p.amount.amount for p in data.projects.values()
                    if p.year == year and p.funded), Decimal(0))
    assert funded == expected


def test_spreadsheet_of_projects_reads_in_spanish_with_names_beside_codes(site, data):
    """What a clerk sees opening datos/AAAA/proyectos.xlsx: Spanish headers, a name beside
    each code, amounts as numbers with two decimals, every project of the cycle."""
    import openpyxl
    year = data.current_year
    sheet = openpyxl.load_workbook(site / f"datos/{year}/proyectos.xlsx").worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    head = rows[0]
    assert head[:3] == ("Identificador del proyecto", "Año del ciclo", "Título del proyecto")
    assert "Categoría (código)" in head and "Parroquia (código)" in head
    at = {name: head.index(name) for name in ("Categoría", "Parroquia", "Estado")}
    projects = {p.id: p for p in data.projects.values() if p.year == year}
    assert sorted(r[0] for r in rows[1:]) == sorted(projects)
    labels = {"road": "Vialidad", "sewer": "Cloacas", "school": "Educación"}
    seen = set()
    for row in rows[1:]:
        project = projects[row[0]]
        assert row[head.index("Categoría (código)")] == project.category
        assert row[head.index("Categoría (código)") + 1] == row[at["Categoría"]]
        if project.category in labels:
            assert row[at["Categoría"]] == labels[project.category]
            seen.add(project.category)
        assert row[at["Parroquia"]] == data.parishes[project.parish_id].name
        assert round(Decimal(str(row[head.index("Monto, en la moneda del ciclo")])), 2) == \
            project.amount.amount
        assert row[at["Estado"]] and row[at["Estado"]] != project.status
    assert seen
    money = sheet.cell(row=2, column=head.index("Monto, en la moneda del ciclo") + 1)
    assert money.number_format == "#,##0.00" and sheet.freeze_panes == "A2"
    page = (site / "datos/index.html").read_text("utf-8")
    assert f'href="/datos/{year}/proyectos.xlsx">XLSX</a>' in page


def test_spreadsheets_come_from_the_cache_until_their_cells_change(tmp_path, data,
                                                                  monkeypatch):
    """Issue 13: an edit rewrites only the workbooks whose cells changed."""
    from cabildo.outputs import opendata, spreadsheets
    from cabildo.views.stats import Index
    index, cache, written = Index(data), tmp_path / "cache", []
    real = spreadsheets._workbook
    monkeypatch.setattr(spreadsheets, "_workbook",
                        lambda target, *rest: (written.append(target.name), real(target, *rest)))
    opendata.write(tmp_path / "one", data, index, cache)
    assert len(written) >= 10
    written.clear()
    opendata.write(tmp_path / "two", data, index, cache)
    assert written == []
    for book in (tmp_path / "one").rglob("*.xlsx"):
        assert book.read_bytes() == (tmp_path / "two" / book.relative_to(tmp_path / "one")).read_bytes()
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)
    council = next(iter(data.councils.values()))
    names = copy / council.source.path.removeprefix("data/")
    names.write_text(names.read_text("utf-8").replace(f"name: {council.name}\n",
                                                      "name: Consejo renombrado\n", 1), "utf-8")
    renamed = load_dataset(copy)
    assert renamed.councils[council.id].name == "Consejo renombrado"
    opendata.write(tmp_path / "three", renamed, Index(renamed), cache)
    # its name is in the councils table and beside its code in its assemblies' tables
    assert "consejos.xlsx" in written and "asambleas-consejos.xlsx" in written
    assert "ciclos.xlsx" not in written


def test_builds_are_byte_identical(tmp_path, site):
    """Every page, feed, data file, PDF and map: byte for byte. Only Pagefind's filter
    index is left out: Pagefind writes it in an unstable order (upstream: Pagefind
    issue 638, 'filter/metadata indexes will still change'); the pages it indexes are
    compared, and its fragments are stable."""
    again = tmp_path / "again"
    assert run_build(again) == 0

    def stable(digest):
        return {k: v for k, v in digest.items()
                if not (k.startswith("pagefind/filter/") or k.endswith(".pf_meta")
                        or k == "pagefind/pagefind-entry.json")}
    first, second = tree_digest(site), tree_digest(again)
    assert stable(first) == stable(second)
    assert any(k.startswith("pagefind/fragment/") for k in first)


def broken_copy(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    path = data / "councils" / "torres.yaml"
    text = path.read_text()
    path.write_text(text.replace("  parish: torres", "  parish: torre", 1))
    return data


def test_failed_build_leaves_output_untouched(tmp_path, site):
    out = tmp_path / "output"
    shutil.copytree(site, out)
    before = tree_digest(out)
    assert run_build(out, broken_copy(tmp_path)) == 1
    assert tree_digest(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("output")] == ["output"]


def test_bad_data_prints_file_line_and_no_traceback(tmp_path):
    data = broken_copy(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "cabildo", "build", "--data", str(data),
         "--output", str(tmp_path / "out")],
        cwd=ROOT, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT),
                                                      "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    assert re.search(r"data/councils/torres\.yaml:\d+:\d+: councils\[\d+\]\.parish: "
                     r"unknown parish 'torre' \(did you mean 'torres'\?\)", result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "out").exists()


def test_validate_command(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "cabildo", "validate"], cwd=ROOT,
                        capture_output=True, text=True,
                        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert ok.returncode == 0 and "data/ is valid" in ok.stdout


def test_html_in_a_title_is_shown_as_text(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    path = data / "projects" / "2024.yaml"
    text = path.read_text()
    first = re.search(r"  title: (.*)\n", text)
    path.write_text(text.replace(first.group(0),
                                 "  title: '<img src=x onerror=alert(1)> Calle & Co'\n", 1))
    out = tmp_path / "out"
    assert run_build(out, data) == 0
    pid = re.search(r"- id: (\S+)", text).group(1)
    html = page(out, f"proyectos/{pid}")
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; Calle &amp; Co" in html
    for f in out.rglob("*.html"):
        assert "<img src=x" not in f.read_text("utf-8"), f


def test_a_second_municipality_builds(tmp_path):
    data = ROOT / "tests" / "fixtures" / "riverside" / "data"
    out = tmp_path / "out"
    assert run_build(out, data, DEFAULT_LANG="en", CABILDO_DEMO_NOTICE=False,
                     CABILDO_REPOSITORY_URL="https://git.riverside.example/budget",
                     PATH=str(data.parent / "content")) == 0  # its own pages, too
    project = page(out, "projects/harbour-road")
    assert 'href="https://git.riverside.example/budget/blob/' in project
    assert "#L" in project
    home = text_of(page(out, ""))
    assert "Riverside" in home and "Torres" not in home
    assert "Every spring the residents of Riverside choose" in home
    assert "BZ$" in home or "BZD" in home or "$" in home
    assert "79,250.75" in home  # 61,250.50 + 18,000.25, exact, in English digits
    assert (out / "es" / "proyectos" / "harbour-road" / "index.html").exists()
    assert '<html lang="es">' in page(out, "es/proyectos/harbour-road")
    assert "Demonstration site" not in page(out, "")


def test_geojson_of_funded_projects_per_cycle(site, data):
    year = data.current_year
    collection = json.loads((site / f"datos/{year}/proyectos.geojson").read_text())
    assert collection["type"] == "FeatureCollection"
    expected = {p.id for p in data.projects.values() if p.year == year and p.funded and p.geometry}
    assert {f["properties"]["id"] for f in collection["features"]} == expected
    for feature in collection["features"]:
        props = feature["properties"]
        assert set(props) >= {"id", "title", "category", "amount", "currency", "parish_id", "status"}
        assert Decimal(props["amount"]) == data.projects[props["id"]].amount.amount
        lon, lat = (feature["geometry"]["coordinates"][0]
                    if feature["geometry"]["type"] == "LineString"
                    else feature["geometry"]["coordinates"])
        assert -180 <= lon <= 180 and -90 <= lat <= 90 and lon < -60  # longitude first
    package = json.loads((site / "datos/datapackage.json").read_text())
    assert f"{year}/proyectos.geojson" in {r["path"] for r in package["resources"]}
    assert f"/datos/{year}/proyectos.geojson" in page(site, "datos")


def test_make_site_twice_skips_the_second_build(tmp_path, capsys):
    from cabildo.pelican.build import build_if_changed
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    out = tmp_path / "out"
    quick = {"CABILDO_DATA_DIR": str(data), "CABILDO_BULLETINS": False,
             "CABILDO_SEARCH": False, "CABILDO_MAPS": False}
    assert build_if_changed(SETTINGS, str(out), quick, quiet=True) == 0
    # the input stamp lives beside the published build, never inside output/
    assert not [f for f in out.rglob("*") if "inputs" in f.name]
    assert list((tmp_path / "out.builds").glob("build-*.inputs"))
    capsys.readouterr()
    assert build_if_changed(SETTINGS, str(out), quick, quiet=True) == 0
    assert "up to date" in capsys.readouterr().out
    # From the command line, that check and `validate` never import Pelican (a third of a
    # second at every start), nor shapely and numpy once the geometries' verdicts are
    # kept (the build above kept them): a fresh process says which modules it loaded.
    program = ("import json, sys; from cabildo.pelican.cli import main\n"
               "from cabildo.pelican.build import build_if_changed\n"
               "args = json.loads(sys.argv[1])\n"
               "assert build_if_changed(*args, quiet=True) == 0\n"
               "assert main(['validate', '--settings', args[0], '--data', args[2]"
               "['CABILDO_DATA_DIR']]) == 0\n"
               "print(sorted(m for m in sys.modules\n"
               "             if m.split('.')[0] in ('pelican', 'shapely', 'numpy')))")
    ran = subprocess.run([sys.executable, "-c", program, json.dumps([SETTINGS, str(out), quick])],
                         capture_output=True, text=True, cwd=ROOT)
    assert ran.returncode == 0, ran.stderr
    assert "up to date" in ran.stdout and "is valid" in ran.stdout
    assert ran.stdout.splitlines()[-1] == "[]"
    path = data / "parishes.yaml"
    path.write_text(path.read_text().replace("population: 9400", "population: 9401"))
    assert build_if_changed(SETTINGS, str(out), quick, quiet=True) == 0
    assert "up to date" not in capsys.readouterr().out
    assert "9.401" in page(out, "parroquias/altagracia")


def test_every_page_s_footer_says_where_to_ask(site, data):
    office = data.municipality.office
    pages = [site / "index.html", site / "en" / "index.html",
             next((site / "proyectos").glob("*/index.html"))]
    for page in pages:
        footer = page.read_text("utf-8").split('<footer class="site-footer">')[1]
        assert f"<strong>{office.name}</strong><br>{office.address}<br>{office.hours}" in footer, page
    assert "Preguntas sobre el presupuesto participativo:" in pages[0].read_text("utf-8")


def test_footer_links_the_site_s_own_pages_in_each_language(site):
    """The footer lists content/pages in the page's language (no slug is written in the
    theme); the hidden home introduction is shown on the home page, never linked."""
    es, en = page(site, ""), page(site, "en")
    footer = lambda html: re.search(r"<footer.*?</footer>", html, re.S).group(0)  # noqa: E731
    assert 'href="/como-participar/"' in footer(es) and 'href="/acerca-de-estos-datos/"' in footer(es)
    assert 'href="/en/how-to-take-part/"' in footer(en) and "/como-participar/" not in footer(en)
    assert "inicio" not in footer(es) and not (site / "inicio").exists()
    assert "Cada año, los habitantes de Torres deciden" in text_of(es)
    assert "Every year the residents of Torres decide" in text_of(en)


def test_model_page_explains_each_setting_in_the_page_s_language(site):
    from cabildo.model.settings import SETTINGS
    spanish, english = text_of(page(site, "datos/modelo")), text_of(page(site, "en/data/model"))
    assert "Carpeta con los registros YAML, relativa al proyecto." in spanish
    assert "Folder holding the YAML records, relative to the project." in english
    for setting in SETTINGS:  # no English left on the Spanish page
        assert setting.doc.split(". ")[0] not in spanish, setting.name
    # names and commands read as code, not as Markdown's backticks
    assert "<code>cabildo bulletins</code>" in page(site, "datos/modelo")
    assert "`" not in spanish and "`" not in english
