"""The projects of a cycle as one listing: every project, funded first, with the choices
(parish, category, status, funded) a resident can narrow it by and how many each holds.

The page is complete without JavaScript: the choices are links to the per-parish,
per-category and per-status pages, with their counts, and a choice holding no project
is left out, so no link leads to an empty list. theme/static/js/listing.js adds
filters that combine and sorting, from the data attributes written here.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..model.collation import sort_key
from ..model.records import STATUSES, Dataset
from .stats import CycleSummary


@dataclass(frozen=True)
class Choice:
    key: str  # a parish id, a category or a status code
    count: int  # projects of the cycle with it


@dataclass(frozen=True)
class Listing:
    projects: list  # funded first, then the rest; by title within each
    title_rank: dict  # project id -> place by title, in the municipality's collation
    parish_rank: dict  # parish id -> place by name
    parishes: list[Choice]
    categories: list[Choice]
    statuses: list[Choice]  # of funded projects: the others have none yet
    funded: int
    unfunded: int


def cycle_listing(summary: CycleSummary, data: Dataset) -> Listing:
    projects = summary.candidates
    by_title = sorted(projects, key=lambda p: (sort_key(data.municipality.locale, p.title),
                                               p.id))
    parishes = Counter(p.parish_id for p in projects)
    categories = Counter(p.category for p in projects)
    statuses = Counter(p.status for p in projects if p.funded)
    funded = sum(1 for p in projects if p.funded)
    return Listing(
        projects=sorted(by_title, key=lambda p: not p.funded),
        title_rank={p.id: i for i, p in enumerate(by_title)},
        parish_rank={pid: i for i, pid in enumerate(data.parishes)},  # sorted by name
        parishes=[Choice(pid, parishes[pid]) for pid in data.parishes if parishes[pid]],
        categories=[Choice(c, categories[c]) for c in data.categories if categories[c]],
        statuses=[Choice(s, statuses[s]) for s in STATUSES if statuses[s]],
        funded=funded, unfunded=len(projects) - funded)
