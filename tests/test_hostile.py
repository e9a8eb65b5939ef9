"""Hostile text in every free-text field, through every output format (issue 9, item 4).

One build of the small riverside municipality whose every name, title, description,
note and act carries markup, a script break-out and a spreadsheet formula; then each
format is read as its consumer would (an HTML parser, a feed reader, a spreadsheet,
Pagefind's UI, a PDF reader) and must show the text as text.
"""
from __future__ import annotations

import csv
import html
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT, built_site

RIVERSIDE = ROOT / "tests" / "fixtures" / "riverside" / "data"
EVIL = "<img src=x onerror=alert(1)></script><script>alert(2)</script>&amp;\"'"
FORMULA = "=HYPERLINK(\"http://evil.example\",\"x\")"


def hostile(text: str) -> str:
    return json.dumps(text + " " + EVIL)  # a YAML double-quoted string


def hostile_data(target: Path) -> Path:
    shutil.copytree(RIVERSIDE, target)
    files = {
        "municipality.yaml": [("name: Riverside", "name: " + hostile("Riverside")),
                              ("state: Northern Province", "state: " + hostile("North")),
                              ("timezone:", "seat: " + hostile("Seat") + "\n  timezone:")],
        # category labels reach pages, listings' filters, map popups and legends,
        # spreadsheets, search filters and the bulletins' tables
        "categories.yaml": [("{en: Roads and bridges,", "{en: " + hostile("Roads") + ","),
                            ("{en: Schools,", "{en: " + hostile("Schools") + ",")],
        "parishes.yaml": [("name: North Bank", "name: " + hostile("North Bank")),
                          ("name: South Bank", "name: " + json.dumps(FORMULA))],
        "councils/all.yaml": [("name: Harbour Council", "name: " + hostile("Harbour")),
                              ("name: Orchard Council", "name: " + json.dumps("-2+3"))],
        "council-assemblies/2025.yaml": [("title: Harbour Road resurfacing",
                                          "title: " + hostile("Road"))],
        # whole-number amounts (real budgets are round) once stopped the bulletins
        "cycles/2025.yaml": [("quorum: 0.25", "quorum: 0.25\n  clpp_act: " + hostile("Act")),
                             ("budget: 100000.00", "budget: 100000")],
        "projects/2025.yaml": [
            ("title: Harbour Road resurfacing", "title: " + hostile("Harbour Road")),
            ("amount: 18000.25", "amount: 18000"),
            # a place on the maps, so the hostile title also reaches a map popup
            ("  councils: [orchard]\n", "  councils: [orchard]\n"
             "  geometry: {type: Point, coordinates: [-88.2, 17.5]}\n"),
            ("title: Orchard school roof",
             "title: " + json.dumps("@SUM(1+1)*cmd|' /C calc'!A0 " + EVIL)),
            ("note: Works started.}", "note: " + hostile("Works") + "}"),
            ("  progress: 40\n", "  progress: 40\n  description: " + hostile("Desc")
             + "\n  sources:\n  - {title: " + hostile("Act") + ", url: 'https://x.org/?a=1&b=2#x'}\n"),
        ],
    }
    for rel, edits in files.items():
        path = target / rel
        text = path.read_text("utf-8")
        for old, new in edits:
            assert old in text, old
            text = text.replace(old, new, 1)
        path.write_text(text, "utf-8")
    return target


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    return built_site(root / "output", hostile_data(root / "data"),
                      CABILDO_MAP_TILES="openstreetmap", CABILDO_DEMO_NOTICE=False)


class Tags(HTMLParser):
    """Every element and attribute a browser would create, and every script's text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.scripts, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def test_html_pages_show_the_text_and_create_no_element(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    shown = 0
    for page in pages:
        parser = Tags()
        parser.feed(page.read_text("utf-8"))
        for tag, attrs in parser.tags:
            assert tag != "img" or "onerror" not in attrs, page
            assert not any(k.startswith("on") for k in attrs), (page, tag, attrs)
            for name in ("href", "src"):
                assert not (attrs.get(name) or "").strip().lower().startswith(
                    ("javascript:", "data:text")), (page, attrs)
            if "data-pagefind-filter" in attrs:
                # what Pagefind indexes (the attribute's value, which the parser has
                # unescaped) is put into its UI as HTML: it must hold no markup
                assert "<" not in attrs.get("data-value", ""), (page, attrs)
                assert "<" not in attrs["data-pagefind-filter"], (page, attrs)
        for script in parser.scripts:
            assert "alert(2)" not in script or "<\\/script>" in script or \
                "\\u003c" in script, (page, script[:200])
        visible = html.unescape(re.sub(r"<[^>]+>", "", re.sub(
            r"<(script|style)[^>]*>.*?</\1>", "", page.read_text("utf-8"), flags=re.S)))
        shown += "<img src=x onerror=alert(1)>" in visible
    assert shown > 10  # the hostile text is shown, as text, on the pages


def test_feeds_escape_their_html_once(site):
    feeds = sorted(site.rglob("atom.xml"))
    assert feeds
    ns = {"a": "http://www.w3.org/2005/Atom"}
    summaries = 0
    for feed in feeds:
        root = ET.parse(feed).getroot()  # well-formed XML, no control characters
        for entry in root.findall("a:entry", ns):
            summary = entry.find("a:summary", ns)
            if summary.get("type") == "html":
                assert "<img" not in summary.text and "<script" not in summary.text
                if "Works" in summary.text:
                    summaries += 1
                    assert "&lt;img src=x" in summary.text  # shown as text by the reader
            title = entry.find("a:title", ns)
            assert title.get("type", "text") == "text"
    assert summaries


def test_csv_cells_cannot_run_formulas(site):
    tables = sorted(site.rglob("*.csv"))
    assert tables
    seen = set()
    for table in tables:
        with table.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        for row in rows[1:]:
            for cell in row:
                if cell[:1] in ("=", "+", "@", "\t", "\r") or (
                        cell[:1] == "-" and not re.fullmatch(r"-\d+(\.\d+)?", cell)):
                    pytest.fail(f"{table.name}: formula cell {cell!r}")
                seen.update(c for c in ("'=HYPERLINK", "'@SUM", "'-2+3") if cell.startswith(c))
    assert seen == {"'=HYPERLINK", "'@SUM", "'-2+3"}
    # the JSON copies keep the text exactly as typed
    parishes = json.loads((site / "datos" / "parroquias.json").read_text())
    assert FORMULA in {p["name"] for p in parishes}


def test_spreadsheet_cells_are_text_not_formulas(site):
    """The XLSX copies store every text as text: nothing a spreadsheet would run."""
    import openpyxl
    books = sorted(site.rglob("*.xlsx"))
    assert books
    names = set()
    for book in books:
        for sheet in openpyxl.load_workbook(book).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{book.name}: formula {cell.value!r}"
                    names.add(cell.value)
    assert FORMULA in names


def test_json_and_geojson_parse_and_keep_the_text(site):
    for file in list(site.rglob("*.json")) + list(site.rglob("*.geojson")):
        json.loads(file.read_text("utf-8"))


def test_pdf_bulletins_print_the_text_as_text(site):
    pdfs = sorted(site.rglob("*.pdf"))
    assert pdfs
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils missing")
    text = subprocess.run(["pdftotext", str(pdfs[0]), "-"], capture_output=True,
                          text=True).stdout
    assert "onerror=alert(1)" in text
    assert len(pdfs) == 6  # municipal and two parishes, in two languages


def test_category_labels_are_text_in_pages_maps_legends_and_bulletins(site):
    label = "Schools " + EVIL
    project = (site / "projects" / "orchard-school" / "index.html").read_text("utf-8")
    visible = html.unescape(re.sub(r"<[^>]+>", "", re.sub(
        r"<(script|style)[^>]*>.*?</\1>", "", project, flags=re.S)))
    assert label in visible
    parish = (site / "parishes" / "south-bank" / "2025" / "index.html").read_text("utf-8")
    legend = parish.split('<ul class="legend">')[-1].split("</ul>")[0]
    assert "<img" not in legend and label in html.unescape(re.sub(r"<[^>]+>", "", legend))
    # the map popup: HTML in a JSON string inside a script, the label escaped in it
    script = parish.split("<script>")[-1]
    decoded = script.replace("\\u0026", "&").replace("\\u003c", "<").replace("\\u003e", ">")
    assert "<br>Schools &lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;" in decoded
    assert "<br>Schools <img" not in decoded
    import openpyxl
    book = openpyxl.load_workbook(site / "datos" / "2025" / "proyectos.xlsx")
    assert label in {c.value for row in book.worksheets[0].iter_rows() for c in row}
    if shutil.which("pdftotext"):
        pdf = site / "bulletins" / "2025" / "south-bank.pdf"  # English, the default
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                              text=True).stdout
        assert label in text.splitlines()  # the project table's category cell, as text


def test_search_index_builds(site):
    assert (site / "pagefind" / "pagefind-ui.js").is_file()
