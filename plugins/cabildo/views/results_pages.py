"""Pages of the results check: one per cycle, and one per pool of a ballot cycle.

A site with ballots but no assembly cycles (an imported Pabulib process) gets
these pages, the home page listing its ballot cycles, and the common pages.
"""
from __future__ import annotations

from ..outputs import pbexport
from ..outputs.resultsdata import all_results
from .pages import Page


def results_pages(data) -> list[Page]:
    pages = []
    cycles = all_results(data)
    for cycle in cycles:
        pb_files = {pool.id: pbexport.path(cycle.year, pool.id) for pool in cycle.pools} \
            if cycle.ballot else {}
        pages.append(Page("results", {"year": cycle.year}, "results.html",
                          {"result": cycle, "pb_files": pb_files}))
        for pool in cycle.pools:
            pages.append(Page("pool_results", {"year": cycle.year, "pool": pool.id},
                              "pool_results.html", {"result": cycle, "pool": pool,
                                                    "pb_file": pb_files.get(pool.id)}))
    if not data.cycles:  # a ballot-only site: its home lists the ballot cycles
        pages.insert(0, Page("home", {}, "ballots_home.html",
                             {"results": [c for c in cycles if c.ballot]}))
    return pages
