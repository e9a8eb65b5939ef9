"""What a resident on a 360x640 phone notices, measured in Chromium (tiles off): the
header leaves most of the first screen to the page, no table clips a cell, every
project on a map is a target big enough to tap, a popup stays inside its map, the
scale is metric, and the figures on a page add up."""
import re
from decimal import Decimal

import pytest

from browser import Visit, data, site  # noqa: F401 (fixtures)

PHONE = {"width": 360, "height": 640}


@pytest.fixture(scope="module")
def page_types(site, data):
    year = data.current_year
    project = next(p for p in data.projects.values() if p.funded and p.year == year)
    council = next(iter(data.councils))
    paths = ["/", "/ciclos/", f"/ciclos/{year}/", f"/ciclos/{year}/categoria/road/",
             "/parroquias/", "/parroquias/torres/", f"/parroquias/torres/{year}/",
             f"/consejos/{council}/", f"/proyectos/{project.id}/", "/proyectos/", "/datos/",
             "/datos/modelo/", "/buscar/", f"/en/cycles/{year}/", f"/en/projects/{project.id}/",
             f"/en/parishes/torres/{year}/", "/en/data/model/",
             f"/ciclos/{year}/proyectos/", f"/en/cycles/{year}/projects/"]
    for folder in ("fabrica", "fabrica/propuestas", "fabrica/decisiones"):
        if (site / folder / "index.html").exists():
            paths.append(f"/{folder}/")
    for folder in ("fabrica/reuniones", "fabrica/propuestas", "fabrica/organos"):
        pages = sorted(p.parent for p in (site / folder).glob("*/index.html"))
        if pages:
            paths.append(f"/{pages[0].relative_to(site)}/")
    return paths


def money(text: str) -> Decimal:
    """ "Bs. 1.766.072,56" (es_VE) -> Decimal("1766072.56")."""
    digits = re.search(r"[\d.]+,\d\d", text)
    assert digits, f"no amount in {text!r}"
    return Decimal(digits.group(0).replace(".", "").replace(",", "."))


def test_header_takes_at_most_a_third_of_the_first_screen(browser, serve, site, page_types):
    base = serve(site)
    tall = []
    for path in page_types:
        visit = Visit(browser, base + path, **PHONE)
        try:
            bottom = visit.page.evaluate(
                "document.querySelector('header.site-header').getBoundingClientRect().bottom")
            if bottom > PHONE["height"] / 3:
                tall.append(f"{path}: the header ends at {bottom:.0f} px of 640")
            controls = visit.page.locator("header input:visible").count()
            if controls:
                tall.append(f"{path}: {controls} search box(es) in the phone header")
        finally:
            visit.close()
    assert not tall, "\n".join(tall)


CLIPPED = """() => {
    const out = [];
    for (const cell of document.querySelectorAll('main td, main th, main caption')) {
        if (cell.offsetParent === null || cell.closest('.leaflet-container')) continue;
        const head = cell.closest('thead');  // on a phone, read out but not shown
        if (head && head.getBoundingClientRect().width <= 1) continue;
        const r = cell.getBoundingClientRect();
        if (cell.scrollWidth > cell.clientWidth + 1 || r.right > innerWidth + 0.5 || r.left < -0.5)
            out.push(cell.innerText.slice(0, 60) + ' (' + Math.round(r.left) + '..' +
                     Math.round(r.right) + ', content ' + cell.scrollWidth + ' in ' + cell.clientWidth + ')');
    }
    for (const box of document.querySelectorAll('main .table-wrap'))
        if (box.scrollWidth > box.clientWidth + 1) out.push('a table scrolls sideways');
    return out;
}"""


def test_no_table_clips_a_cell_on_a_phone(browser, serve, site, page_types):
    base = serve(site)
    clipped = []
    for path in page_types:
        visit = Visit(browser, base + path, **PHONE)
        try:
            clipped += [f"{path}: {c}" for c in visit.page.evaluate(CLIPPED)]
        finally:
            visit.close()
    assert not clipped, "\n".join(clipped[:30])


COLON_STARTS_A_LINE = """() => {
    const out = [];
    const walk = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
        const at = node.textContent.search(/\\S/);
        if (at < 0 || node.textContent[at] !== ':' || node.parentElement.offsetParent === null) continue;
        const colon = document.createRange();
        colon.setStart(node, at); colon.setEnd(node, at + 1);
        const box = colon.getBoundingClientRect();
        const before = document.createRange();
        before.setStart(node.parentElement.closest('li, p, td, th, dd, div') || node.parentElement, 0);
        before.setEnd(node, at);
        const rects = [...before.getClientRects()].filter(r => r.width > 0);
        if (box.width && rects.length && box.top >= rects[rects.length - 1].bottom - 2)
            out.push(node.parentElement.closest('li, p, td, th, dd, div').innerText.slice(0, 70));
    }
    return out;
}"""


@pytest.mark.parametrize("width", [360, 1280])
def test_no_line_starts_with_a_colon(browser, serve, site, page_types, width):
    """': En ejecución' and ': 12' once opened a line after a link (issue 12, item 8)."""
    base = serve(site)
    found = []
    for path in page_types:
        visit = Visit(browser, base + path, width=width, height=800)
        try:
            found += [f"{path}: {t!r}" for t in visit.page.evaluate(COLON_STARTS_A_LINE)]
        finally:
            visit.close()
    assert not found, "\n".join(found[:20])


def test_a_cycle_table_reads_as_labelled_cards_with_whole_amounts(browser, serve, site, data):
    year = data.current_year
    visit = Visit(browser, f"{serve(site)}/ciclos/{year}/", **PHONE)
    try:
        cell = visit.page.locator("main table td.num[data-label]").first
        label = cell.evaluate("e => getComputedStyle(e, '::before').content")
        assert label.strip('"') == cell.get_attribute("data-label") != ""
        assert re.fullmatch(r"Bs\.\s[\d.]+,\d\d", cell.inner_text().strip())
    finally:
        visit.close()


def funded_with_place(data, year, parish_id=None):
    return [p for p in data.projects.values() if p.year == year and p.funded and p.geometry
            and (parish_id is None or p.parish_id == parish_id)]


MARKERS = """() => [...document.querySelectorAll('.leaflet-marker-pane .leaflet-marker-icon')]
    .map(e => { const r = e.getBoundingClientRect();
                return {name: e.getAttribute('aria-label'), cluster: e.classList.contains('marker-cluster'),
                        w: r.width, h: r.height, x: r.left + r.width / 2, y: r.top + r.height / 2}; })"""


def test_parish_map_opens_on_its_projects_each_a_big_target(browser, serve, site, data):
    year = data.current_year
    for parish_id in ("torres", max(data.parishes, key=lambda pid: len(
            funded_with_place(data, year, pid)))):
        funded = funded_with_place(data, year, parish_id)
        visit = Visit(browser, f"{serve(site)}/parroquias/{parish_id}/{year}/", **PHONE)
        try:
            page = visit.page
            frame = page.locator(".folium-map").bounding_box()
            markers = page.evaluate(MARKERS)
            singles = [m for m in markers if not m["cluster"]]
            # Every project has a marker of at least 12x12 px (lines get one at their
            # middle), or is inside a numbered cluster; together they cover all.
            assert all(m["w"] >= 12 and m["h"] >= 12 for m in markers), markers
            shown = {m["name"] for m in singles}
            assert shown <= {p.title for p in funded}
            if not any(m["cluster"] for m in markers):
                assert shown == {p.title for p in funded}
            # The first view shows the funded projects, not the whole parish: they
            # spread over a good part of the map (a 4x3 px line was seen before).
            xs = [m["x"] for m in markers]
            ys = [m["y"] for m in markers]
            if len(markers) > 1:
                assert max(max(xs) - min(xs), max(ys) - min(ys)) > frame["width"] / 4
            for m in markers:
                assert frame["x"] <= m["x"] <= frame["x"] + frame["width"]
                assert frame["y"] <= m["y"] <= frame["y"] + frame["height"]
            scale = page.locator(".leaflet-control-scale").inner_text()
            assert re.search(r"\d+ (m|km)\b", scale) and "mi" not in scale and "ft" not in scale
            assert not visit.errors
        finally:
            visit.close()


def test_popup_stays_inside_the_map_with_its_close_button(browser, serve, site, data):
    year = data.current_year
    url = f"{serve(site)}/parroquias/torres/{year}/"
    count = len(funded_with_place(data, year, "torres"))
    assert count
    for i in range(count):  # each marker on a fresh page: a popup pans the map
        visit = Visit(browser, url, **PHONE)
        try:
            page = visit.page
            page.locator(".folium-map").scroll_into_view_if_needed()
            page.locator(".leaflet-marker-pane .map-symbol").nth(i).click()
            popup = page.locator(".leaflet-popup")
            popup.wait_for(timeout=5000)
            page.wait_for_timeout(500)  # the map pans to keep the popup in view
            frame = page.locator(".folium-map").bounding_box()
            close = page.locator(".leaflet-popup-close-button").bounding_box()
            for b in (popup.bounding_box(), close):
                assert frame["x"] - 1 <= b["x"] and b["x"] + b["width"] <= frame["x"] + frame["width"] + 1
                assert frame["y"] - 1 <= b["y"] and b["y"] + b["height"] <= frame["y"] + frame["height"] + 1
            assert close["width"] >= 24 and close["height"] >= 24
            # The tap's hover label does not sit on top of the popup.
            assert page.locator(".leaflet-tooltip:not(.map-label):visible").count() == 0
        finally:
            visit.close()


def test_cycle_map_spreads_or_clusters_every_project(browser, serve, site, data):
    year = data.current_year
    visit = Visit(browser, f"{serve(site)}/ciclos/{year}/", **PHONE)
    try:
        markers = visit.page.evaluate(MARKERS)
        # No marker hides under another: centres are at least half a marker apart.
        for i, a in enumerate(markers):
            for b in markers[i + 1:]:
                gap = max(abs(a["x"] - b["x"]), abs(a["y"] - b["y"]))
                assert gap >= min(a["w"], b["w"]) / 2, (a, b)
        counted = sum(int(visit.page.evaluate(f"() => document.querySelectorAll("
                                              f"'.marker-cluster')[{i}].innerText"))
                      for i in range(sum(1 for m in markers if m["cluster"])))
        singles = sum(1 for m in markers if not m["cluster"])
        assert counted + singles == len(funded_with_place(data, year))
    finally:
        visit.close()


def test_figures_add_up(browser, serve, site, data):
    year = data.current_year
    base = serve(site)
    visit = Visit(browser, f"{base}/ciclos/{year}/")
    try:
        page = visit.page
        table = page.locator("main table").first
        heads = [h.inner_text().strip() for h in table.locator("thead th").all()]
        rows = table.locator("tbody tr").all()
        foot = table.locator("tfoot tr th, tfoot tr td").all()
        for column in ("Disponible", "Asignado"):
            i = heads.index(column)
            total = sum(money(r.locator("th, td").nth(i).inner_text()) for r in rows)
            assert total == money(foot[i].inner_text()), column
        figures = {d.locator("dt").inner_text(): d.locator("dd").inner_text()
                   for d in page.locator("main dl.figures > div").all()}
        budget = money(figures["Presupuesto"])
        parts = [figures["Asignado a proyectos"], figures["Sin asignar a ningún proyecto"]]
        assert sum(money(p) for p in parts) == budget
        shares = [int(re.search(r"\((\d+)\s?%\)", p).group(1)) for p in parts]
        assert sum(shares) == 100
        bars = page.locator(".bars .bar-value").all_inner_texts()
        assert sum(money(b) for b in bars) == money(parts[0])
    finally:
        visit.close()
    visit = Visit(browser, f"{base}/")
    try:
        lead = visit.page.locator("main .lead").inner_text()
        budget = data.cycles[year].budget.amount
        decided = sum(e.amount for e in data.cycles[year].envelopes.values())
        share = round(100 * decided / budget)
        assert re.search(rf"\b{share}\s?%", lead), lead
    finally:
        visit.close()
