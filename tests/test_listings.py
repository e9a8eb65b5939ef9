"""A cycle's project listing, as a resident uses it: one table of every project, funded
first, that works without JavaScript; with it, filters that combine (counts beside each
choice), sorting by the raw amounts and an address that keeps the filters. No link on the
site leads to an empty list."""
import re
from collections import Counter
from decimal import Decimal
from html import unescape

import pytest

from browser import Visit, data, site  # noqa: F401 (fixtures)
from conftest import ROOT

PHONE = {"width": 360, "height": 640}


def cycle_projects(data, year):
    return [p for p in data.projects.values() if p.year == year]


def rows_of(html):
    """(project path, funded, data attributes) of each body row of the listing."""
    body = re.search(r"<table[^>]*class=\"listing\".*?<tbody>(.*?)</tbody>", html, re.S).group(1)
    rows = []
    for attrs, cells in re.findall(r"<tr\b([^>]*)>(.*?)</tr>", body, re.S):
        values = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', attrs))
        href = re.search(r'href="/proyectos/([^/"]+)/"', cells).group(1)
        rows.append((href, values["funded"] == "yes", values))
    return rows


def test_without_javascript_the_table_lists_every_project_funded_first(site, data):
    for year in data.cycles:
        html = (site / f"ciclos/{year}/proyectos/index.html").read_text("utf-8")
        rows = rows_of(html)
        expected = cycle_projects(data, year)
        assert sorted(r[0] for r in rows) == sorted(p.id for p in expected)
        funded = [r[1] for r in rows]
        assert funded == sorted(funded, reverse=True), "a not-funded project before a funded one"
        count = re.search(r"·\s+(\d+) proyectos:", html).group(1)
        assert int(count) == len(expected)
        for _, _, values in rows:  # raw numbers, for the script to sort by
            Decimal(values["amount"])
        # The filters are hidden until the script shows them; the links do the work.
        assert re.search(r"<form class=\"filters\" hidden", html)


def test_choices_carry_their_counts_and_never_lead_to_an_empty_list(site, data):
    year = data.current_year
    html = (site / f"ciclos/{year}/proyectos/index.html").read_text("utf-8")
    projects = cycle_projects(data, year)
    parishes = Counter(p.parish_id for p in projects)
    for pid, parish in data.parishes.items():
        link = re.search(rf'href="/parroquias/{pid}/{year}/">([^<]+)</a>&nbsp;\((\d+)\)', html)
        if parishes[pid]:
            assert link and unescape(link.group(1)) == parish.name
            assert int(link.group(2)) == parishes[pid]
        else:
            assert not link, f"{parish.name} has no project in {year} but is linked"


def listing_pages(site):
    """Listing pages that say they list nothing (a table with the "no projects" row)."""
    empty = set()
    for folder in ("ciclos", "en/cycles", "fr/cycles"):
        for page in (site / folder).glob("*/*/*/index.html"):
            html = page.read_text("utf-8")
            if re.search(r'<td colspan="\d+"[^>]*>[^<]*</td></tr>\s*</tbody>', html) \
                    and not re.search(r"<tbody>\s*<tr>\s*<th", html):
                empty.add("/" + str(page.parent.relative_to(site)) + "/")
    return empty


def test_no_link_on_the_site_leads_to_an_empty_list(site):
    empty = listing_pages(site)
    assert empty, "the demo has empty status pages: this test would not notice a link to one"
    linked = []
    for page in site.rglob("*.html"):
        if "/" + str(page.parent.relative_to(site)) + "/" in empty:
            continue  # an empty page's language switch leads to its translation
        for href in set(re.findall(r'<a\b[^>]*href="(/[^"#?]*)"', page.read_text("utf-8"))):
            if href in empty:
                linked.append(f"{page.relative_to(site)} -> {href}")
    assert not linked, linked[:10]


def option_counts(page, name):
    return page.evaluate(f"""() => Object.fromEntries([...document.querySelectorAll(
        'select[name={name}] option')].filter(o => o.value).map(o =>
        [o.value, parseInt(o.textContent.match(/\\((\\d+)\\)$/)[1], 10)]))""")


def shown_ids(page):
    return page.evaluate("""() => [...document.querySelectorAll('table.listing tbody tr')]
        .filter(r => !r.hidden && r.offsetParent !== null)
        .map(r => r.querySelector('a').getAttribute('href').split('/').filter(Boolean).pop())""")


def test_filters_combine_count_sort_and_survive_a_reload(browser, serve, site, data):
    year = data.current_year
    projects = cycle_projects(data, year)
    parish, category = Counter((p.parish_id, p.category) for p in projects).most_common(1)[0][0]
    base = serve(site)
    visit = Visit(browser, f"{base}/ciclos/{year}/proyectos/", **PHONE)
    try:
        page = visit.page
        assert page.locator("form.filters").is_visible()
        assert len(shown_ids(page)) == len(projects)
        page.select_option("select[name=parish]", parish)
        # Categories are counted among the chosen parish's projects.
        mine = [p for p in projects if p.parish_id == parish]
        counts = option_counts(page, "category")
        assert counts == {c: Counter(p.category for p in mine)[c] for c in counts}
        assert set(counts) == {p.category for p in projects}
        page.select_option("select[name=category]", category)
        expected = {p.id for p in mine if p.category == category}
        assert set(shown_ids(page)) == expected
        assert option_counts(page, "funded") == {
            "yes": sum(1 for p in mine if p.category == category and p.funded),
            "no": sum(1 for p in mine if p.category == category and not p.funded)}
        live = page.locator("[data-listing-count]")
        assert live.get_attribute("aria-live") == "polite"
        assert live.text_content() == (f"{len(expected)} proyecto"
                                       + ("" if len(expected) == 1 else "s"))
        # Sorting by amount orders the rows by the projects' amounts in the data.
        page.select_option("select[name=parish]", "")
        page.select_option("select[name=category]", "")
        page.select_option("select[name=sort]", "amount-desc")
        amounts = [data.projects[i].amount.amount for i in shown_ids(page)]
        assert amounts == sorted((p.amount.amount for p in projects), reverse=True)
        page.select_option("select[name=parish]", parish)
        page.select_option("select[name=category]", category)
        assert f"parish={parish}" in page.url and f"category={category}" in page.url
        page.reload()
        page.wait_for_load_state("networkidle")
        assert page.locator("select[name=parish]").input_value() == parish
        assert page.locator("select[name=sort]").input_value() == "amount-desc"
        assert set(shown_ids(page)) == expected
        amounts = [data.projects[i].amount.amount for i in shown_ids(page)]
        assert amounts == sorted(amounts, reverse=True)
        assert not visit.errors
    finally:
        visit.close()


def test_column_heading_sorts_and_the_english_page_speaks_english(browser, serve, site, data):
    year = data.current_year
    projects = cycle_projects(data, year)
    visit = Visit(browser, f"{serve(site)}/en/cycles/{year}/projects/", width=1280, height=800)
    try:
        page = visit.page
        heading = page.locator("th[data-sort=amount] button")
        heading.click()
        assert page.locator("th[data-sort=amount]").get_attribute("aria-sort") == "descending"
        heading.click()
        assert page.locator("th[data-sort=amount]").get_attribute("aria-sort") == "ascending"
        amounts = [data.projects[i].amount.amount for i in shown_ids(page)]
        assert amounts == sorted(p.amount.amount for p in projects)
        page.select_option("select[name=funded]", "no")
        unfunded = sum(1 for p in projects if not p.funded)
        assert page.locator("[data-listing-count]").text_content() == f"{unfunded} projects"
        assert page.locator("label[for=filter-parish]").text_content() == "Parish"
        assert "All parishes" in page.locator("select[name=parish] option").first.text_content()
        assert not visit.errors
    finally:
        visit.close()


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """The small riverside municipality with markup in every name (test_hostile.py)."""
    from test_hostile import hostile_data

    from cabildo.pelican.build import build
    root = tmp_path_factory.mktemp("hostile-listing")
    out = root / "output"
    assert build(str(ROOT / "pelicanconf.py"), str(out),
                 {"CABILDO_DATA_DIR": str(hostile_data(root / "data")),
                  "CABILDO_MAP_TILES": "none"}, quiet=True) == 0
    return out


def test_hostile_names_stay_text(browser, serve, hostile_site):
    """Names reach the table, the options' labels and the script as text: a parish named
    like markup is shown as written once filtered, and no element is created from it."""
    from test_hostile import EVIL
    pages = [p for p in hostile_site.rglob("index.html") if 'data-listing=""' in p.read_text()
             or "data-listing>" in p.read_text()]
    assert pages, "no listing page in the hostile build"
    listing = pages[0]
    visit = Visit(browser, f"{serve(hostile_site)}/{listing.parent.relative_to(hostile_site)}/",
                  **PHONE)
    try:
        page = visit.page
        hostile = page.locator("select[name=parish] option", has_text=EVIL)
        assert hostile.count() == 1
        page.select_option("select[name=parish]", hostile.get_attribute("value"))
        page.select_option("select[name=funded]", "yes")
        assert hostile.text_content().startswith("North Bank " + EVIL)
        titles = page.locator("table.listing tbody th").all_text_contents()
        assert any(EVIL in t for t in titles)
        assert page.locator("main img, main script:not([src]):not([type])").count() == 0
        assert not visit.dialogs and not visit.errors
    finally:
        visit.close()
