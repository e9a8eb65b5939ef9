"""The check of every announced result: recompute each pool's selection from
the published votes and the declared rule, and compare it with what was announced.

Rules recomputed here:
- greedy (Pabulib's `greedy`): projects by votes (by score when the vote type
  scores), most first; each is selected if its cost fits what is left of the
  pool's budget. Ties: cheaper first, then by id (stated on the page).
- Torres's assemblies (`assembly`): projects a parish's round-2 assembly
  approved (more for than against), by votes for, within the parish's envelope.
Other rules (Method of Equal Shares...) need every ballot, which the data does
not keep: their pools are shown as announced, marked as not recomputed.

Reasons are (code, values) pairs; templates put them into words per language.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..model.records import Dataset, Money

GREEDY = ("greedy", "greedy-votes", "utilitarian-greedy")
SCORED = ("ordinal", "cumulative")


@dataclass
class Row:
    rank: int
    id: str
    title: str
    cost: Money
    votes: int | None
    score: Decimal | None
    computed: bool | None  # None: the rule was not recomputed
    announced: bool | None  # None: the data does not say
    cumulative: Money | None  # cost of the computed selection up to and including this row
    reason: tuple[str, dict]
    url_kind: str = ""  # a page of the project, when it has one
    external_ids: tuple = ()
    categories: tuple = ()

    @property
    def mismatch(self) -> bool:
        return self.computed is not None and self.announced is not None \
            and self.computed != self.announced

    @property
    def selected(self) -> bool:
        """What the page shows as selected: the announcement, else the computation."""
        return bool(self.announced if self.announced is not None else self.computed)


@dataclass
class PoolResult:
    year: int
    id: str
    name: str
    parish_id: str | None
    budget: Money | None
    voters: int | None
    rule: str
    vote_type: str
    recomputed: bool
    announced: bool
    rows: list[Row] = field(default_factory=list)

    @property
    def mismatches(self) -> list[Row]:
        return [r for r in self.rows if r.mismatch]

    @property
    def selected(self) -> list[Row]:
        return [r for r in self.rows if r.selected]

    @property
    def spent(self) -> Money | None:
        if not self.rows:
            return None
        total = Money(Decimal(0), self.rows[0].cost.currency)
        for r in self.selected:
            total = total + r.cost
        return total

    @property
    def status(self) -> str:
        """matches | mismatch | computed (nothing announced) | announced (not recomputed)."""
        if not self.recomputed:
            return "announced"
        if not self.announced:
            return "computed"
        return "mismatch" if self.mismatches else "matches"


@dataclass
class CycleResult:
    year: int
    title: str
    currency: str
    budget: Money | None
    voters: int | None
    rule: str
    vote_type: str
    pools: list[PoolResult]
    ballot: object = None  # the ballots.Ballot, for ballot processes

    @property
    def mismatches(self) -> list[tuple[PoolResult, Row]]:
        return [(p, r) for p in self.pools for r in p.mismatches]

    @property
    def projects(self) -> int:
        return sum(len(p.rows) for p in self.pools)

    @property
    def selected(self) -> int:
        return sum(len(p.selected) for p in self.pools)


def _natural(text: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def greedy(rows: list[Row], budget: Money, by_score: bool) -> None:
    """Rank rows and fill computed, cumulative and reason in place."""
    def strength(r):
        return (r.score if by_score and r.score is not None else Decimal(r.votes or 0))
    rows.sort(key=lambda r: (-strength(r), r.cost.amount, _natural(r.id)))
    spent = Money(Decimal(0), budget.currency)
    chosen = 0
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
        left = Money(budget.amount - spent.amount, budget.currency)
        values = {"votes": row.votes, "score": row.score, "cost": row.cost, "left": left,
                  "before": chosen, "by_score": by_score and row.score is not None}
        if row.cost.amount <= left.amount:
            spent = spent + row.cost
            chosen += 1
            row.computed = True
            row.reason = ("fits", values)
        else:
            row.computed = False
            row.reason = ("too_expensive", values)
        row.cumulative = spent


def _ballot_pool(ballot, pool, labels: dict) -> PoolResult:
    """`labels`: category id -> its label in the site's main language, as a process
    publishes its categories (the .pb export and the results table)."""
    rows = [Row(0, p.id, p.title, p.cost, p.votes, p.score, None, p.selected, None,
                ("not_recomputed", {"votes": p.votes, "score": p.score}),
                external_ids=p.external_ids,
                categories=tuple(labels.get(c, c) for c in p.categories))
            for p in pool.projects]
    recomputed = ballot.rule in GREEDY and all(r.votes is not None or r.score is not None
                                               for r in rows)
    if recomputed:
        greedy(rows, pool.budget, ballot.vote_type in SCORED)
    else:
        rows.sort(key=lambda r: (-(r.votes or 0), _natural(r.id)))
        for rank, row in enumerate(rows, start=1):
            row.rank = rank
    return PoolResult(ballot.year, pool.id, pool.name, pool.parish_id, pool.budget, pool.voters,
                      ballot.rule, ballot.vote_type, recomputed,
                      any(p.selected is not None for p in pool.projects), rows)


def ballot_results(data: Dataset) -> dict[int, CycleResult]:
    out = {}
    main = data.municipality.languages[0]
    labels = {c.id: c.label_in(main) for c in data.categories.values()}
    for year, ballot in data.ballots.items():
        out[year] = CycleResult(year, ballot.title, ballot.currency, ballot.budget, ballot.voters,
                                ballot.rule, ballot.vote_type,
                                [_ballot_pool(ballot, pool, labels) for pool in ballot.pools], ballot)
    return out


def assembly_results(data: Dataset, year: int) -> CycleResult:
    """Torres: the declared rule fixes no order among approved projects, so the
    check is order-free. A funded project needs a round-2 majority; the funded
    total must fit the envelope; an approved project left out must not have fit
    in what the funded ones left."""
    cycle = data.cycles[year]
    cur = cycle.currency
    pools = []
    for parish in data.parishes.values():
        envelope = cycle.envelopes.get(parish.id)
        projects = data.projects_of(year, parish.id)
        if not projects:
            continue
        rows = []
        for p in projects:
            vote = p.votes.get(2)
            rows.append(Row(0, p.id, p.title, p.amount, vote.yes if vote else None, None,
                            None, p.funded, None, ("no_round_2", {}), url_kind="project",
                            categories=(p.category,)))
        rows.sort(key=lambda r: (-(r.votes or -1), r.title))
        funded = Money(sum((r.cost.amount for r in rows if r.announced), Decimal(0)), cur)
        left = Money(envelope.amount - funded.amount, cur) if envelope else None
        spent = Money(Decimal(0), cur)
        for rank, r in enumerate(rows, start=1):
            r.rank = rank
            vote = data.projects[r.id].votes.get(2)
            values = {"yes": vote.yes, "no": vote.no, "abstain": vote.abstain} if vote else {}
            values |= {"cost": r.cost, "left": left, "envelope": envelope}
            if not vote or not vote.approved:
                r.computed = False
                r.reason = ("no_majority" if vote else "no_round_2", values)
            elif r.announced:
                r.computed = left is None or left.amount >= 0
                r.reason = ("majority_fits" if r.computed else "over_envelope", values)
            elif left is not None and r.cost.amount > left.amount:
                r.computed = False
                r.reason = ("majority_too_expensive", values)
            else:
                r.computed = True
                r.reason = ("majority_left_out", values)
            if r.announced:
                spent = spent + r.cost
            r.cumulative = spent
        pools.append(PoolResult(year, parish.id, parish.name, parish.id, envelope, None,
                                "assembly", "assembly", True, True, rows))
    return CycleResult(year, "", cur, cycle.budget, None, "assembly", "assembly", pools)
