"""The maps as a resident sees them, in headless Chromium (tiles off)."""
import re
import shutil
from urllib.parse import urlparse

from cabildo.pelican.build import build

from browser import Visit, data, site  # noqa: F401 (fixtures)
from conftest import ROOT

ATTACK = "<img src=x onerror=alert(1)>"


def parish_with_road(data):
    year = data.current_year
    for parish_id in data.parishes:
        funded = [p for p in data.projects.values()
                  if p.year == year and p.parish_id == parish_id and p.funded and p.geometry]
        if any(p.category == "road" for p in funded) and parish_id in data.boundaries:
            return parish_id, year, funded
    raise AssertionError("the demo data needs a funded road")


def marker_sizes(page):
    """{project title: (width, height) in px} of each project's marker: points, and the
    marker at the middle of every line or area."""
    return {name: size for name, size in page.evaluate("""() =>
        [...document.querySelectorAll('.leaflet-marker-pane .map-symbol')].map(e => {
            const r = e.getBoundingClientRect();
            return [e.getAttribute('aria-label'), [r.width, r.height]]; })""")}


def test_parish_map_draws_every_funded_project(browser, serve, site, data):
    parish_id, year, funded = parish_with_road(data)
    visit = Visit(browser, f"{serve(site)}/parroquias/{parish_id}/{year}/")
    try:
        assert visit.page.locator(".folium-map").is_visible()
        sizes = marker_sizes(visit.page)
        assert set(sizes) == {p.title for p in funded}
        assert all(w >= 12 and h >= 12 for w, h in sizes.values()), sizes
        assert not visit.errors
        hosts = {urlparse(u).hostname for u in visit.requests if not u.startswith("data:")}
        assert hosts == {"127.0.0.1"}, hosts
    finally:
        visit.close()


def test_clicking_a_road_shows_its_amount(browser, serve, site, data):
    parish_id, year, funded = parish_with_road(data)
    visit = Visit(browser, f"{serve(site)}/parroquias/{parish_id}/{year}/")
    try:
        page = visit.page
        black = page.locator('.leaflet-overlay-pane path[stroke="#000000"]').first
        # Click a point of the road line itself that no other feature covers.
        x, y = black.evaluate("""p => {
            const total = p.getTotalLength();
            for (let i = 1; i < 40; i++) {
                const m = p.getPointAtLength(total * i / 40);
                const pt = p.ownerSVGElement.createSVGPoint(); pt.x = m.x; pt.y = m.y;
                const s = pt.matrixTransform(p.getScreenCTM());
                if (document.elementFromPoint(s.x, s.y) === p) return [s.x, s.y];
            }
            throw new Error("the road is hidden under other features");
        }""")
        page.mouse.click(x, y)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for(timeout=5000)
        text = popup.inner_text()
        roads = [p for p in funded if p.category == "road"]
        assert any(p.title in text for p in roads), text
        assert re.search(r"Bs\.\s[\d.]+,\d\d", text)
        assert "Ver el proyecto" in text
    finally:
        visit.close()


def test_map_falls_back_to_svg_without_javascript(browser, serve, site, data):
    parish_id, year, funded = parish_with_road(data)
    visit = Visit(browser, f"{serve(site)}/parroquias/{parish_id}/{year}/", javascript=False)
    try:
        svg = visit.page.locator("svg.svgmap")
        assert svg.is_visible()
        assert svg.locator("a").count() == len(funded)
        assert visit.page.locator("table").first.is_visible()
    finally:
        visit.close()


def test_project_title_with_html_runs_nothing(browser, serve, tmp_path, data):
    parish_id, year, funded = parish_with_road(data)
    target = funded[0]
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)
    path = copy / "projects" / f"{year}.yaml"
    text = path.read_text()
    old = f"  title: {target.title}\n"
    assert old in text
    path.write_text(text.replace(old, f"  title: '{ATTACK}'\n", 1))
    out = tmp_path / "out"
    assert build(str(ROOT / "pelicanconf.py"), str(out),
                 {"CABILDO_MAP_TILES": "none", "CABILDO_DATA_DIR": str(copy)}, quiet=True) == 0
    visit = Visit(browser, f"{serve(out)}/parroquias/{parish_id}/{year}/")
    try:
        page = visit.page
        # Open every tooltip and popup of the map.
        # (events dispatched: an open popup would catch a real pointer's next click)
        for symbol in page.locator(".leaflet-marker-pane .map-symbol").all():
            symbol.dispatch_event("mouseover")
            symbol.dispatch_event("click")
        for path_el in page.locator(".leaflet-overlay-pane path.leaflet-interactive").all():
            path_el.dispatch_event("click")
            path_el.dispatch_event("mouseover")
        page.wait_for_timeout(300)
        assert not visit.dialogs
        assert page.locator(".leaflet-pane img[src='x']").count() == 0
        assert ATTACK in page.locator("body").inner_text()  # shown as text in the table
    finally:
        visit.close()
