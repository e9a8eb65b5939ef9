"""On a cheap phone, in Chromium: axe-core finds no violation on any page type, no page
scrolls sideways at 360x640, tap targets are big enough, the keyboard works, and search
works (and falls back to a helpful page without JavaScript)."""
import pytest

from cabildo.model.load import load_dataset

from browser import Visit, site  # noqa: F401 (fixtures)
from conftest import ROOT


@pytest.fixture(scope="module")
def page_paths(site):
    data = load_dataset(ROOT / "data")
    year = data.current_year
    project = next(p for p in data.projects.values() if p.funded and p.year == year)
    council = next(iter(data.councils))
    paths = ["/", "/ciclos/", f"/ciclos/{year}/", f"/ciclos/{year}/categoria/road/",
             "/parroquias/", "/parroquias/torres/", f"/parroquias/torres/{year}/",
             f"/consejos/{council}/", f"/proyectos/{project.id}/", "/proyectos/", "/datos/",
             "/datos/modelo/", "/como-participar/", "/buscar/", "/404.html",
             f"/en/projects/{project.id}/", "/en/",
             f"/ciclos/{year}/proyectos/", f"/en/cycles/{year}/projects/"]
    for extra in ("/fabrica/", "/fabrica/propuestas/", "/fabrica/decisiones/"):
        if (site / extra.strip("/") / "index.html").exists():
            paths.append(extra)
    for folder in ("fabrica/reuniones", "fabrica/propuestas", "fabrica/organos"):
        pages = sorted(p.parent for p in (site / folder).glob("*/index.html"))
        if pages:
            paths.append(f"/{pages[0].relative_to(site)}/")
    return paths


@pytest.mark.parametrize("width,height", [(360, 640), (1280, 800)])
def test_axe_finds_no_violation(browser, serve, site, page_paths, width, height):
    """At a phone's width too: scroll boxes a keyboard cannot reach were found there."""
    from axe_playwright_python.sync_playwright import Axe
    axe = Axe()
    base = serve(site)
    found = []
    for path in page_paths:
        visit = Visit(browser, base + path, width=width, height=height)
        try:
            result = axe.run(visit.page)
            for v in result.response["violations"]:
                targets = [n["target"] for n in v["nodes"]][:3]
                found.append(f"{path}: {v['id']} ({v['impact']}): {v['help']} {targets}")
        finally:
            visit.close()
    assert not found, "\n".join(found)


def test_no_sideways_scroll_and_big_tap_targets_on_a_phone(browser, serve, site, page_paths):
    base = serve(site)
    problems = []
    for path in page_paths:
        visit = Visit(browser, base + path, width=360, height=640)
        try:
            page = visit.page
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > 360:
                problems.append(f"{path}: the page is {wide} px wide")
            # Links and buttons that stand alone (not inside a sentence or a table cell)
            # must offer a 44 px tall target.
            # A checkbox is tapped through its label: the label is the target then.
            small = page.evaluate("""() => [...document.querySelectorAll(
                    'header a, nav a, button, input, select, footer a, .langs a')]
                .filter(e => e.offsetParent !== null)
                .map(e => (e.closest('label') || e))
                .filter(e => e.getBoundingClientRect().height < 44)
                .map(e => e.outerHTML.slice(0, 80))""")
            problems += [f"{path}: small tap target {s}" for s in small]
        finally:
            visit.close()
    assert not problems, "\n".join(problems[:20])


def test_keyboard_skip_link_and_language(browser, serve, site):
    visit = Visit(browser, serve(site) + "/")
    try:
        page = visit.page
        assert page.evaluate("document.documentElement.lang") == "es"
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('href')")
        assert focused == "#main"
        assert page.locator("a.skip").is_visible()
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#main"
    finally:
        visit.close()


def test_search_finds_a_project_in_spanish(browser, serve, site):
    data = load_dataset(ROOT / "data")
    project = next(p for p in data.projects.values() if p.funded)
    word = "cloacas"  # stemming: 'cloaca' in the query finds 'cloacas'
    visit = Visit(browser, serve(site) + "/buscar/?q=cloaca")
    try:
        page = visit.page
        page.locator(".pagefind-ui__result").first.wait_for(timeout=10000)
        text = page.locator(".pagefind-ui__results").inner_text().lower()
        assert word in text or "cloaca" in text
        assert project  # the demo has funded projects to find
        assert not [u for u in visit.requests if "127.0.0.1" not in u and
                    not u.startswith("data:")]
    finally:
        visit.close()


def test_searching_a_project_s_title_finds_its_page_not_the_listings(browser, serve, site):
    """Tables that list records with pages of their own (and figures) stay out of the
    index: a title finds its project, not every cycle, parish and listing page naming it
    (which also keeps Pagefind's time and memory down at full scale)."""
    from urllib.parse import quote
    data = load_dataset(ROOT / "data")
    project = max((p for p in data.projects.values() if p.funded),
                  key=lambda p: len(p.title))
    visit = Visit(browser, serve(site) + "/buscar/?q=" + quote(project.title))
    try:
        page = visit.page
        page.locator(".pagefind-ui__result").first.wait_for(timeout=10000)
        links = page.locator(".pagefind-ui__result-link").evaluate_all(
            "links => links.map(a => new URL(a.href).pathname)")
        assert links[0] == f"/proyectos/{project.id}/", links[:5]
        listings = [u for u in links if u.startswith(("/ciclos/", "/parroquias/"))]
        assert not listings, listings
    finally:
        visit.close()


def test_search_on_a_phone_shows_the_first_result_on_the_first_screen(browser, serve, site):
    """One search box, and the first result's title above the fold at 360x640 (the
    filters once stood in a 250 px column above the results)."""
    visit = Visit(browser, serve(site) + "/buscar/?q=cloacas", width=360, height=640)
    try:
        page = visit.page
        first = page.locator(".pagefind-ui__result-title").first
        first.wait_for(timeout=10000)
        box = first.bounding_box()
        assert box["y"] + box["height"] <= 640, f"first result ends at {box['y'] + box['height']}"
        assert page.locator("main input:visible").count() == 1
        assert page.locator("header input:visible").count() == 0
        for name in page.locator(".pagefind-ui__filter-name").all():
            assert name.bounding_box()["height"] >= 44  # still a tap target
    finally:
        visit.close()


def test_search_without_javascript_is_a_helpful_page(browser, serve, site):
    visit = Visit(browser, serve(site) + "/buscar/?q=escuela", javascript=False)
    try:
        text = visit.page.locator("main").inner_text()
        assert "JavaScript" in text
        assert visit.page.locator("main a[href='/parroquias/']").count() >= 1
    finally:
        visit.close()
