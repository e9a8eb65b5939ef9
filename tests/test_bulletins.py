"""The printed bulletins, read as a resident would read the paper: the text in the PDF,
the number of pages, the QR code, and the same bytes for the same data.

Text is read with pypdf, page by page and fragment by fragment (each fragment with its
position), so a table's column can be read on its own. The QR code is read the way a
phone would: the page is rasterised with pdftoppm (poppler-utils) and decoded with
zxing-cpp (a PyPI wheel with no system library).
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from decimal import Decimal

import pytest
from pelican.settings import read_settings as pelican_settings
from pypdf import PdfReader

from cabildo.model.load import load_dataset
from cabildo.model.records import Money
from cabildo.model.settings import read as read_settings
from cabildo.outputs import bulletins
from cabildo.pelican.build import build
from cabildo.views.i18n import formatter_for
from cabildo.views.stats import Index

from conftest import ROOT

PUBLIC = "https://torres.example.org"
# Torres's own settings (its money pattern and symbol), as the site build prints them.
SETTINGS = read_settings({k: v for k, v in pelican_settings(str(ROOT / "pelicanconf.py")).items()
                          if k.startswith("CABILDO_")})
MAX_PAGES, MAX_BYTES = 4, 1_000_000


@pytest.fixture(scope="module")
def data():
    return load_dataset(ROOT / "data")


@pytest.fixture(scope="module")
def index(data):
    return Index(data)


def printer_for(data, **edition):
    ed = bulletins.Edition.of(data, ROOT, edition.pop("public_url", PUBLIC),
                              edition.pop("page_size", "A4"), demo_notice=True)
    return bulletins.Printer(SETTINGS, data.municipality, ed)


@pytest.fixture(scope="module")
def printer(data):
    return printer_for(data)


@pytest.fixture(scope="module")
def cycle_pdfs(data, index, printer):
    """Every Spanish bulletin of the current cycle, printed over both cores."""
    jobs = bulletins.plan(data, [data.current_year], ["es"])
    return bulletins.render_all(index, printer, jobs)


def job(data, year, parish_id, lang="es"):
    return bulletins.Job(year, parish_id, lang, bulletins.bulletin_path(
        year, parish_id, lang, data.municipality.languages[0]))


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def text_of(pdf: bytes) -> str:
    return flat(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def fragments(page) -> list[tuple[float, float, str]]:
    """(x, y, text) of each line of text on a page, in CSS px from the top left."""
    out = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            out.append((tm[4], tm[5], text))
    page.extract_text(visitor_text=visit)
    return out


def project_column(pdf: bytes, header: str, next_header: str) -> list[str]:
    """The text of one column of the funded-projects table, one string per page (empty
    for pages without the table): from the (repeated) header row down to the Total row."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        frags = fragments(page)
        heads = [(x, y) for x, y, t in frags if t.strip() == header]
        nexts = [x for x, y, t in frags if t.strip() == next_header]
        start = [(x, y) for x, y in heads if any(t.strip() == "N.º" and abs(y2 - y) < 20
                                                 for _, y2, t in frags)]
        if not start or not nexts:
            pages.append("")
            continue
        x0, y0 = start[0]
        x1 = min(x for x in nexts if x > x0)
        column = sorted((y, x, t) for x, y, t in frags if x0 - 1 <= x < x1 - 1 and y > y0 + 2)
        texts = []
        for _, _, t in column:
            if t.strip() == "Total":
                break
            texts.append(t)
        pages.append(flat(" ".join(texts)))
    return pages


def pages_of(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


# What a parish's bulletin says -----------------------------------------------------------

def test_parish_bulletin_shows_name_projects_and_totals(data, index, cycle_pdfs):
    fmt = formatter_for(SETTINGS, data.municipality, "es")
    year = data.current_year
    shown = 0
    for parish in data.parishes.values():
        pc = index.parish_cycle(year, parish.id)
        pdf = cycle_pdfs[bulletins.bulletin_path(year, parish.id, "es", "es")]
        text = text_of(pdf)
        assert f"Parroquia {parish.name}" in text
        assert f"Presupuesto participativo {year}" in text
        assert flat(fmt.money(pc.allocated)) in text  # the Total row, to the cent
        assert flat(fmt.money(pc.allocated, False)) in text  # the headline figure
        if pc.available:
            assert flat(fmt.money(pc.available, False)) in text
        column = " ".join(project_column(pdf, "Proyecto", "Categoría"))
        for p in pc.funded:
            assert flat(p.title) in column, (parish.id, p.title)
            assert flat(fmt.money(p.amount)) in text
            shown += 1
        assert "OCHA / INE Venezuela" in text or parish.id not in data.boundaries
    assert shown == len(index.cycles[year].funded)


def test_votes_in_full_with_those_who_did_not_vote(data, index, cycle_pdfs):
    """For, against and abstain of round 2, and the delegates present who did not vote."""
    from collections import Counter
    year = data.current_year
    silent_rows = 0
    for parish in data.parishes.values():
        pc = index.parish_cycle(year, parish.id)
        present = {v.project_id: a.delegates_present
                   for a in pc.parish_assemblies if a.round == 2 for v in a.votes}
        expected = Counter()
        text = text_of(cycle_pdfs[bulletins.bulletin_path(year, parish.id, "es", "es")])
        for p in pc.funded:
            v = p.votes[2]
            assert f"{v.yes} / {v.no} / {v.abstain}" in text, (parish.id, p.id)
            silent = present[p.id] - v.yes - v.no - v.abstain
            if silent:
                expected[f"{silent} no votó" if silent == 1 else f"{silent} no votaron"] += 1
        for phrase, times in expected.items():
            assert text.count(phrase) >= times, (parish.id, phrase)
        silent_rows += sum(expected.values())
    assert silent_rows  # the demo has delegates who did not vote


def test_every_bulletin_says_where_to_ask(data, cycle_pdfs):
    """The office from municipality.yaml, on every bulletin for the wall."""
    office = data.municipality.office
    for path, pdf in cycle_pdfs.items():
        text = text_of(pdf)
        assert (f"Preguntas sobre el presupuesto participativo: {office.name}, "
                f"{office.address}") in text, path
        assert office.hours in text, path


def test_each_parish_is_named_on_its_own_map(data, index):
    """On the wall, a reader finds the parish by its name, not only by its outline."""
    from cabildo.outputs import bulletinmaps
    year = data.current_year
    named = 0
    for parish in data.parishes.values():
        funded = index.parish_cycle(year, parish.id).funded
        if parish.id not in data.boundaries or not any(p.geometry for p in funded):
            continue
        printed = bulletinmaps.parish_map(data, parish, list(enumerate(funded, 1)), "map")
        words = re.sub(r"<[^>]+>", " ", str(printed.svg))  # a long name wraps on two lines
        assert " ".join(words.split()).count(parish.name) >= 1, parish.id
        named += 1
    assert named >= 10


def test_municipal_bulletin_totals_by_parish_and_category(data, index, cycle_pdfs):
    fmt = formatter_for(SETTINGS, data.municipality, "es")
    year = data.current_year
    summary = index.cycles[year]
    text = text_of(cycle_pdfs[bulletins.bulletin_path(year, "", "es", "es")])
    assert "Resumen del municipio" in text and "OCHA / INE Venezuela" in text
    assert flat(fmt.money(summary.allocated)) in text
    for pc in summary.by_parish:
        name = data.parishes[pc.parish_id].name
        assert flat(f"{name} ") in text or name.split()[0] in text
        assert flat(fmt.money(pc.allocated, False)) in text
    for share in summary.by_category:
        if share.count:
            assert flat(fmt.money(share.amount)) in text
    missing = [p.name for p in data.parishes.values() if p.id not in data.boundaries]
    for name in missing:
        assert f"sin límite disponible todavía: {name}" in text


def test_every_bulletin_is_short_and_light(cycle_pdfs):
    for path, pdf in cycle_pdfs.items():
        assert pages_of(pdf) <= MAX_PAGES, path
        assert len(pdf) < MAX_BYTES, path


def test_municipal_bulletin_fills_two_pages_with_bars_to_the_largest(data, index, printer,
                                                                   cycle_pdfs):
    """17 parishes and 10 categories on two A4 pages, no third page for two paragraphs;
    the largest category's bar is full, the others in proportion."""
    year = data.current_year
    path = bulletins.bulletin_path(year, None, "es", "es")
    assert pages_of(cycle_pdfs[path]) == 2
    job = bulletins.Job(year, None, "es", path)
    html = printer.html(index, job)
    widths = [float(w) for w in re.findall(r'class="bar" aria-hidden="true"><span style="width: '
                                           r'([\d.]+)%"', html)]
    amounts = [s.amount.amount for s in index.cycles[year].by_category if s.count]
    top = max(amounts)
    assert sorted(widths) == sorted(round(float(a / top * 100), 1) for a in amounts)
    assert max(widths) == 100.0 and len(widths) >= 5


def test_metadata_tags_and_fonts(data, cycle_pdfs):
    pdf = cycle_pdfs[bulletins.bulletin_path(data.current_year, "altagracia", "es", "es")]
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "es"
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root  # tagged (PDF/UA-1)
    assert reader.metadata.title == f"Boletín de la parroquia Altagracia, ciclo {data.current_year}"
    as_of = bulletins.as_of(data).strftime("%Y%m%d")
    assert reader.metadata["/CreationDate"].startswith(f"D:{as_of}")
    assert reader.metadata["/ModDate"].startswith(f"D:{as_of}")
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in xmp
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object()  # embedded
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    assert fonts == {"Cabildo-Sans", "Cabildo-Sans-Bold"}, fonts  # DejaVu, maps included


def test_a_plain_as_of_date_not_a_hash(data, cycle_pdfs):
    text = text_of(cycle_pdfs[bulletins.bulletin_path(data.current_year, "lara", "es", "es")])
    day = bulletins.as_of(data)
    assert "Datos al " + flat(formatter_for(SETTINGS, data.municipality, "es").date(day)) in text
    revision = bulletins.source_revision(ROOT)
    assert revision[:12] not in text and "Revisión" not in text


def test_qr_code_opens_the_parish_page(tmp_path, data, cycle_pdfs):
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is missing: `make test` installs it as root")
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image
    year = data.current_year
    for parish_id, url in (("torres", f"{PUBLIC}/parroquias/torres/{year}/"),
                           ("", f"{PUBLIC}/ciclos/{year}/")):
        pdf = tmp_path / "b.pdf"
        pdf.write_bytes(cycle_pdfs[bulletins.bulletin_path(year, parish_id, "es", "es")])
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-gray",
                        str(pdf), str(tmp_path / "page")], check=True)
        image = Image.open(next(tmp_path.glob("page*.png")))
        found = [r.text for r in zxingcpp.read_barcodes(image)]
        assert found == [url]
        for png in tmp_path.glob("page*.png"):
            png.unlink()


def test_no_public_address_no_qr_code(data, index):
    printer = printer_for(data, public_url="")
    html = printer.html(index, job(data, data.current_year, "altagracia"))
    assert "segno" not in html and "En internet:" not in html


# Determinism -----------------------------------------------------------------------------

def test_same_data_same_bytes(data, index, cycle_pdfs):
    """Two printers, one process and the pool: byte-identical files."""
    one = job(data, data.current_year, "chiquinquira")
    fresh = printer_for(data)
    html = fresh.html(index, one)
    assert fresh.pdf(html, one) == printer_for(data).pdf(html, one) == cycle_pdfs[one.path]


def test_as_of_is_the_newest_record(data):
    dates = [m.date for p in data.projects.values() for m in p.milestones]
    dates += [a.date for a in (*data.council_assemblies, *data.parish_assemblies)]
    assert bulletins.as_of(data) == max(dates)


# Edge cases: 40 funded projects, none, no boundary -------------------------------------

def synthetic(data, parish_id: str, year: int, count: int):
    """The demo data with `count` funded projects in one parish and cycle (and no other
    project of that parish and cycle), titles long enough to wrap on two lines."""
    parish_projects = [p for p in data.projects.values()
                       if p.parish_id == parish_id and p.year == year]
    base = parish_projects[0]
    council = next(c for c in data.councils.values() if c.parish_id == parish_id)
    keep = {k: p for k, p in data.projects.items() if p not in parish_projects}
    cx, cy = data.boundaries[parish_id].shape.representative_point().coords[0]
    categories = ["road", "school", "sewer", "water", "health", "electricity"]
    for i in range(count):
        pid = f"{year}-{parish_id}-synthetic-{i:02d}"
        geometry = ({"type": "Point", "coordinates": [cx + (i % 8) * 0.004,
                                                      cy + (i // 8) * 0.004]}
                    if categories[i % 6] not in ("road", "sewer", "water", "electricity")
                    else {"type": "LineString",
                          "coordinates": [[cx + (i % 8) * 0.004, cy + (i // 8) * 0.004],
                                          [cx + (i % 8) * 0.004 + 0.002,
                                           cy + (i // 8) * 0.004 + 0.001]]})
        keep[pid] = replace(
            base, id=pid, title=f"Obra de prueba número {i + 1:02d} para el sector "
                                f"comunitario de la calle principal y sus alrededores",
            category=categories[i % 6], amount=Money(Decimal(100_000 + i), base.amount.currency),
            council_ids=(council.id,), geometry=geometry, funded=True,
            status="implementation", progress=10 + i, milestones=(), votes={})
    return replace(data, projects=keep)


def test_forty_funded_projects_lay_out_cleanly(data):
    year = data.current_year
    big = synthetic(data, "altagracia", year, 40)
    index = Index(big)
    one = job(big, year, "altagracia")
    pdf = printer_for(big).render(index, one)
    pages = project_column(pdf, "Proyecto", "Categoría")
    titles = [p.title for p in index.parish_cycle(year, "altagracia").funded]
    assert len(titles) == 40
    with_table = [i for i, text in enumerate(pages) if text]
    assert len(with_table) >= 2  # the table runs over pages, its header repeated on each
    for title in titles:  # each row whole on one page: no row is split
        assert sum(flat(title) in text for text in pages) == 1, title
    text = text_of(pdf)
    fmt = formatter_for(SETTINGS, big.municipality, "es")
    assert flat(fmt.money(index.parish_cycle(year, "altagracia").allocated)) in text
    assert len(pdf) < MAX_BYTES
    assert pages_of(pdf) <= 6


def test_a_parish_with_no_funded_project_says_so(data):
    year = data.current_year
    none = replace(data, projects={
        k: (replace(p, funded=False, status="identification", progress=0, milestones=())
            if p.parish_id == "camacaro" and p.year == year else p)
        for k, p in data.projects.items()})
    index = Index(none)
    text = text_of(printer_for(none).render(index, job(none, year, "camacaro")))
    assert "La parroquia no financió ningún proyecto en este ciclo." in text
    assert "Proyectos financiados 0" in text


def test_a_parish_without_boundary_maps_its_projects_and_says_so(data, cycle_pdfs):
    missing = [p for p in data.parishes if p not in data.boundaries]
    assert missing, "the demo data has a parish without a boundary (Heriberto Arroyo)"
    text = text_of(cycle_pdfs[bulletins.bulletin_path(data.current_year, missing[0], "es",
                                                      "es")])
    assert "El límite de esta parroquia todavía no está disponible" in text


def test_english_bulletin(data, index, printer):
    year = data.current_year
    pdf = printer.render(index, job(data, year, "altagracia", "en"))
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert reader.metadata.title == f"Bulletin of Altagracia, cycle {year}"
    text = text_of(pdf)
    assert "Funded projects" in text and "How to take part" in text
    assert "Page 1 of" in text


def test_letter_paper(data, index):
    pdf = printer_for(data, page_size="Letter").render(index, job(data, data.current_year,
                                                                   "lara"))
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


# The site build ----------------------------------------------------------------------------

def test_site_build_writes_and_links_the_bulletins(tmp_path, data):
    out, cache = tmp_path / "output", tmp_path / "cache"
    settings = {"CABILDO_BULLETIN_CYCLES": 1, "CABILDO_CACHE_DIR": str(cache)}
    assert build(str(ROOT / "pelicanconf.py"), str(out), settings, quiet=True) == 0
    year = data.current_year
    pdf = out / "boletines" / str(year) / "altagracia.pdf"
    english = out / "en" / "bulletins" / str(year) / "altagracia.pdf"
    assert pdf.is_file() and english.is_file()
    assert (out / "boletines" / str(year) / "municipio.pdf").is_file()
    assert not (out / "boletines" / str(year - 1)).exists()  # CABILDO_BULLETIN_CYCLES = 1
    html = (out / "parroquias" / "altagracia" / str(year) / "index.html").read_text("utf-8")
    unit, value = bulletins.size_label(pdf.stat().st_size)
    assert (f'href="/boletines/{year}/altagracia.pdf"' in html
            and f"Boletín imprimible (PDF, {value}\u00a0{unit.replace('KB', 'kB')})" in html)
    en = (out / "en" / "parishes" / "altagracia" / str(year) / "index.html").read_text("utf-8")
    assert f'href="/en/bulletins/{year}/altagracia.pdf"' in en and "Printable bulletin" in en
    cycle = (out / "ciclos" / str(year) / "index.html").read_text("utf-8")
    assert f'href="/boletines/{year}/municipio.pdf"' in cycle
    older = (out / "parroquias" / "altagracia" / str(year - 1) / "index.html").read_text()
    assert "Boletín imprimible" not in older

    # `cabildo bulletins` prints an older cycle into the cache: the next build links it
    # without printing anything.
    printed = bulletins.build(ROOT / "data", tmp_path / "printed", years=[year - 1],
                              languages=["es"], settings={**dict(SETTINGS), **settings})
    assert f"boletines/{year - 1}/altagracia.pdf" in printed
    assert build(str(ROOT / "pelicanconf.py"), str(out), settings, quiet=True) == 0
    older = (out / "parroquias" / "altagracia" / str(year - 1) / "index.html").read_text()
    assert f'href="/boletines/{year - 1}/altagracia.pdf"' in older
    assert ((out / "boletines" / str(year - 1) / "altagracia.pdf").read_bytes()
            == (tmp_path / "printed" / "boletines" / str(year - 1) / "altagracia.pdf")
            .read_bytes())
    assert not (out / "en" / "bulletins" / str(year - 1)).exists()  # never printed


def test_bulletins_can_be_turned_off(tmp_path, data):
    out = tmp_path / "output"
    assert build(str(ROOT / "pelicanconf.py"), str(out), {"CABILDO_BULLETINS": False},
                 quiet=True) == 0
    assert not (out / "boletines").exists()
    html = (out / "parroquias" / "altagracia" / str(data.current_year) / "index.html")
    assert "Boletín imprimible" not in html.read_text("utf-8")


def test_bulletins_found_in_the_cache_never_load_weasyprint(tmp_path):
    """A build whose bulletins are all in the cache (by their inputs, or by their HTML
    when an edit changed inputs they do not show) prints nothing and does not spend a
    second loading WeasyPrint; a bulletin missing from the cache is printed again."""
    import sys
    script = f"""
import sys
from pathlib import Path
from cabildo.model.load import load_dataset
from cabildo.outputs import bulletins
from cabildo.model.settings import read
from cabildo.views.stats import Index
data = load_dataset(Path({str(ROOT / "data")!r}))
index = Index(data)
edition = bulletins.Edition.of(data, Path({str(ROOT)!r}), "", "A4", True)
printer = bulletins.Printer(read({{}}), data.municipality, edition, cache=Path(sys.argv[1]))
jobs = bulletins.plan(data, [data.current_year], ["es"])[:2]
done = bulletins.render_all(index, printer, jobs, workers=1)
print(done.printed, len(done), "weasyprint" in sys.modules)
"""
    cache = tmp_path / "bulletins"

    def run() -> str:
        return subprocess.run([sys.executable, "-c", script, str(cache)], capture_output=True,
                              text=True, check=True, cwd=ROOT).stdout.strip()
    assert run() == "2 2 True"  # printed, and kept
    assert run() == "0 2 False"  # by their inputs
    shutil.rmtree(cache / "inputs")
    assert run() == "0 2 False"  # by their HTML
    next(cache.rglob("*.pdf")).unlink()
    assert run() == "1 2 True"


def test_an_older_bulletin_found_by_its_html_is_found_by_its_inputs_next_time(
        tmp_path, data, index, monkeypatch):
    """A new version of the code changes every bulletin's inputs key, so the older
    cycles' bulletins are then found by their HTML (maps drawn, templates rendered). That
    is noted now: before, every later build drew them all again (500 bulletins at full
    scale: 6 s of every build, until someone printed every cycle again)."""
    ed = bulletins.Edition.of(data, ROOT, PUBLIC, "A4", demo_notice=True)
    printer = bulletins.Printer(SETTINGS, data.municipality, ed, cache=tmp_path / "bulletins")
    jobs = bulletins.plan(data, [data.current_year - 1], ["es"])[:2]
    bulletins.render_all(index, printer, jobs, workers=1)  # printed into the cache
    shutil.rmtree(tmp_path / "bulletins" / "inputs")  # as a new version of the code leaves it
    found = printer.cached_only(index, jobs)
    assert sorted(found) == sorted(j.path for j in jobs)
    drawn = []
    html = bulletins.Printer.html
    monkeypatch.setattr(bulletins.Printer, "html",
                        lambda self, *args: drawn.append(args) or html(self, *args))
    assert printer.cached_only(index, jobs) == found
    assert drawn == []


def test_what_comes_next_lists_a_parish_s_own_assemblies_and_every_phase(data):
    """Seen from before the current cycle, a parish's bulletin announces its own councils'
    and parish assemblies and the cycle's phases, in date order; the municipal one announces
    every assembly. (The list is made once per build and filtered per parish.)"""
    from datetime import timedelta
    year = data.current_year
    before = min(p.start for p in data.cycles[year].phases.values()) - timedelta(days=1)
    councils = {c.id: c for c in data.councils.values()}
    everything = bulletins.upcoming(data, None, before)
    for parish_id in ("altagracia", "camacaro"):
        mine = bulletins.upcoming(data, parish_id, before)
        own = {councils[a.council_id].name for a in data.council_assemblies
               if a.year == year and councils[a.council_id].parish_id == parish_id}
        others = {c.name for c in councils.values() if c.parish_id != parish_id} - own
        places = {u.place for u in mine}
        assert own <= places and not (places & others)
        assert {u.what for u in mine} >= {"Participatory diagnosis", "Approval by the CLPP"}
        assert [u.date for u in mine] == sorted(u.date for u in mine)
        assert all(u in everything for u in mine)
    assert len(everything) > len(bulletins.upcoming(data, "altagracia", before))
    assert {u.place for u in everything} >= {c.name for c in councils.values()
                                             if any(a.council_id == c.id and a.year == year
                                                    for a in data.council_assemblies)}
