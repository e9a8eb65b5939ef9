"""The pages of the participatory-budget site, as (route, template, context).

Pure: each page is a function of the records it shows, so pages can later be
rendered in parallel or skipped when unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model.records import STATUSES
from .listings import cycle_listing
from .stats import Index


@dataclass(frozen=True)
class Page:
    kind: str  # a route of urls.ROUTES
    values: dict  # the route's placeholders
    template: str
    context: dict


def budget_pages(index: Index) -> list[Page]:
    data = index.data
    if not data.cycles:  # residents' ballots only: views/results_pages.py makes the home page
        return [Page(kind, {}, f"{tpl}.html", {}) for kind, tpl in (
            ("data", "data"), ("model", "model"), ("search", "search"), ("notfound", "404"))]
    pages = [
        Page("home", {}, "home.html", {"summary": index.cycles[data.current_year]}),
        Page("cycles", {}, "cycles.html", {"summaries": list(index.cycles.values())}),
        Page("parishes", {}, "parishes.html", {"summary": index.cycles[data.current_year]}),
        Page("councils", {}, "councils.html", {}),
        Page("projects", {}, "projects.html", {"summaries": list(index.cycles.values())}),
    ]
    for year, summary in index.cycles.items():
        cycle = data.cycles[year]
        pages.append(Page("cycle", {"year": year}, "cycle.html",
                          {"summary": summary, "cycle": cycle}))
        pages.append(Page("cycle_projects", {"year": year}, "cycle_projects.html", {
            "cycle": cycle, "listing": cycle_listing(summary, data)}))
        for category in data.categories:
            pages.append(Page("cycle_category", {"year": year, "category": category},
                              "listing.html", {
                                  "cycle": cycle, "listing": "category", "category": category,
                                  "projects": [p for p in summary.candidates
                                               if p.category == category]}))
        for status in STATUSES:
            pages.append(Page("cycle_status", {"year": year, "status": status},
                              "listing.html", {
                                  "cycle": cycle, "listing": "status", "status": status,
                                  "projects": [p for p in summary.funded if p.status == status]}))
        for pc in summary.by_parish:
            pages.append(Page("parish_cycle", {"id": pc.parish_id, "year": year},
                              "parish_cycle.html", {
                                  "parish": data.parishes[pc.parish_id], "cycle": cycle,
                                  "pc": pc}))
    for parish in data.parishes.values():
        pages.append(Page("parish", {"id": parish.id}, "parish.html", {
            "parish": parish,
            "history": [index.parish_cycle(y, parish.id) for y in reversed(index.cycles)],
            "councils": index.councils_by_parish[parish.id],
        }))
    for council in data.councils.values():
        pages.append(Page("council", {"id": council.id}, "council.html", {
            "council": council, "parish": data.parishes[council.parish_id],
            "assemblies": sorted(index.council_assemblies_by_council[council.id],
                                 key=lambda a: a.date, reverse=True),
            "projects": sorted(index.projects_by_council[council.id],
                               key=lambda p: (-p.year, p.title)),
        }))
    for project in data.projects.values():
        pages.append(Page("project", {"id": project.id}, "project.html", {
            "project": project, "parish": data.parishes[project.parish_id],
            "cycle": data.cycles[project.year],
            "councils": [data.councils[c] for c in project.council_ids],
            # in the page's own context, so the page depends on its assemblies only
            "present_by_round": {r: index.delegates_present(project, r) for r in project.votes},
        }))
    pages.append(Page("data", {}, "data.html", {}))
    pages.append(Page("model", {}, "model.html", {}))
    pages.append(Page("search", {}, "search.html", {}))
    pages.append(Page("notfound", {}, "404.html", {}))
    return pages
