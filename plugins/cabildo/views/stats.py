"""Figures the pages show, as plain functions over the records.

Computed once per build; templates only present them. Totals are Money, so
amounts of different currencies can never be added by mistake.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ..model.records import STATUSES, Dataset, Money, Project
from .numbers import ratios


@dataclass
class Share:
    """One bar of a chart: a label, an amount, and its share of the largest."""

    key: str
    amount: Money
    count: int
    ratio: Decimal = Decimal(0)  # 0..1 of the chart's largest bar
    available: Money | None = None


@dataclass
class ParishCycle:
    parish_id: str
    year: int
    available: Money | None
    allocated: Money
    funded: list[Project]
    candidates: list[Project]
    per_resident: Money
    council_assemblies: list = field(default_factory=list)
    parish_assemblies: list = field(default_factory=list)

    @property
    def used_ratio(self) -> Decimal:
        if not self.available or not self.available.amount:
            return Decimal(0)
        return min(Decimal(1), self.allocated.amount / self.available.amount)


@dataclass
class CycleSummary:
    year: int
    currency: str
    budget: Money
    allocated: Money
    funded: list[Project]
    candidates: list[Project]
    by_parish: list[ParishCycle]
    by_category: list[Share]
    by_status: list[Share]
    council_assemblies: int
    quorum_met: int
    participants: int
    delegates: int
    parish_assemblies: int
    envelopes: Money | None = None  # the part of the budget given to parishes to decide

    @property
    def unallocated(self) -> Money:
        return Money(self.budget.amount - self.allocated.amount, self.currency)

    @property
    def decided_share(self) -> Decimal:
        """Share of the budget residents decide (their parishes' envelopes), from data."""
        if not self.envelopes or not self.budget.amount:
            return Decimal(0)
        return min(Decimal(1), self.envelopes.amount / self.budget.amount)

    @property
    def allocation_split(self) -> list[Decimal]:
        """Allocated and unallocated shares of the budget, adding up to 100 %."""
        return ratios([self.allocated.amount, max(Decimal(0), self.unallocated.amount)])


def _zero(currency: str) -> Money:
    return Money(Decimal(0), currency)


def _total(items, currency) -> Money:
    """Sum of projects' amounts, or of Money values."""
    total = _zero(currency)
    for item in items:
        total = total + (item if isinstance(item, Money) else item.amount)
    return total


def _scale(shares: list[Share]) -> list[Share]:
    top = max((s.amount.amount for s in shares), default=Decimal(0))
    if top:
        for s in shares:
            s.ratio = (s.amount.amount / top).quantize(Decimal("0.001"))
    return shares


class Index:
    """Lookups and summaries built once from a Dataset."""

    def __init__(self, data: Dataset):
        self.data = data
        self.projects_by_year: dict[int, list[Project]] = defaultdict(list)
        self.projects_by_parish: dict[str, list[Project]] = defaultdict(list)
        self.projects_by_council: dict[str, list[Project]] = defaultdict(list)
        for p in sorted(data.projects.values(), key=lambda p: (p.year, p.title, p.id)):
            self.projects_by_year[p.year].append(p)
            self.projects_by_parish[p.parish_id].append(p)
            for c in p.council_ids:
                self.projects_by_council[c].append(p)
        self.council_assemblies_by_council = defaultdict(list)
        self.council_assemblies_by_year_parish = defaultdict(list)
        for a in data.council_assemblies:
            self.council_assemblies_by_council[a.council_id].append(a)
            parish_id = data.councils[a.council_id].parish_id
            self.council_assemblies_by_year_parish[(a.year, parish_id)].append(a)
        self.parish_assemblies_by_year_parish = defaultdict(list)
        for a in data.parish_assemblies:
            self.parish_assemblies_by_year_parish[(a.year, a.parish_id)].append(a)
        self.councils_by_parish = defaultdict(list)
        for c in data.councils.values():
            self.councils_by_parish[c.parish_id].append(c)
        # (grouped once: a cycle's summary looked at every project for each parish)
        self._by_year_parish: dict[tuple[int, str], list[Project]] = defaultdict(list)
        for year, projects in self.projects_by_year.items():
            for p in projects:
                self._by_year_parish[(year, p.parish_id)].append(p)
        self._council_assemblies_by_year = defaultdict(list)
        for a in data.council_assemblies:
            self._council_assemblies_by_year[a.year].append(a)
        self._parish_assemblies_by_year = defaultdict(list)
        for a in data.parish_assemblies:
            self._parish_assemblies_by_year[a.year].append(a)
        self.cycles = {year: self._cycle(year) for year in data.cycles}

    def parish_cycle(self, year: int, parish_id: str) -> ParishCycle:
        return self._parish_cycles[(year, parish_id)]

    def _cycle(self, year: int) -> CycleSummary:
        cycle = self.data.cycles[year]
        cur = cycle.currency
        projects = self.projects_by_year.get(year, [])
        funded = [p for p in projects if p.funded]
        if not hasattr(self, "_parish_cycles"):
            self._parish_cycles = {}
        by_parish = []
        for parish in self.data.parishes.values():
            mine = self._by_year_parish.get((year, parish.id), [])
            mine_funded = [p for p in mine if p.funded]
            allocated = _total(mine_funded, cur)
            pc = ParishCycle(
                parish_id=parish.id, year=year, available=cycle.envelopes.get(parish.id),
                allocated=allocated, funded=mine_funded, candidates=mine,
                per_resident=Money((allocated.amount / parish.population).quantize(
                    Decimal("0.01")), cur),
                council_assemblies=self.council_assemblies_by_year_parish[(year, parish.id)],
                parish_assemblies=self.parish_assemblies_by_year_parish[(year, parish.id)],
            )
            self._parish_cycles[(year, parish.id)] = pc
            by_parish.append(pc)
        by_category = _scale([
            Share(c, _total([p for p in funded if p.category == c], cur),
                  sum(1 for p in funded if p.category == c))
            for c in self.data.categories])
        by_status = [Share(s, _total([p for p in funded if p.status == s], cur),
                           sum(1 for p in funded if p.status == s)) for s in STATUSES]
        assemblies = self._council_assemblies_by_year[year]
        parish_assemblies = self._parish_assemblies_by_year[year]
        return CycleSummary(
            year=year, currency=cur, budget=cycle.budget, allocated=_total(funded, cur),
            funded=funded, candidates=projects, by_parish=by_parish, by_category=by_category,
            by_status=by_status, council_assemblies=len(assemblies),
            quorum_met=sum(1 for a in assemblies if a.quorum_met),
            participants=sum(a.attendance for a in assemblies),
            delegates=sum(a.delegates_present for a in parish_assemblies),
            parish_assemblies=len(parish_assemblies),
            envelopes=_total(cycle.envelopes.values(), cur) if cycle.envelopes else None,
        )

    def delegates_present(self, project: Project, round_: int) -> int | None:
        """Delegates present at the parish assembly that voted on a project in a round."""
        for a in self.parish_assemblies_by_year_parish[(project.year, project.parish_id)]:
            if a.round == round_:
                return a.delegates_present
        return None

    def latest_decisions(self, limit: int):
        """Most recent round-2 results and project milestones, newest first."""
        events = []
        for a in self.data.parish_assemblies:
            if a.round == 2:
                events.append((a.date, "assembly", a))
        for p in self.data.projects.values():
            for m in p.milestones:
                events.append((m.date, "milestone", (p, m)))
        events.sort(key=lambda e: (e[0], e[1], getattr(e[2], "id", "") or e[2][0].id),
                    reverse=True)
        return events[:limit]
