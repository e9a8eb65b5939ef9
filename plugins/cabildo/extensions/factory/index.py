"""What the factory pages show, as plain functions over the records.

Where each proposal is now, what it waits for and since when, counted to the data's
as-of date (never the build's clock, so builds are reproducible); who holds each seat
on a day; decisions grouped by body, year and topic; the community projects the
factory's profits fund.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from .records import Body, Decision, Factory, Meeting, Membership, Proposal, Seat


@dataclass(frozen=True)
class State:
    """Where a proposal stands on the as-of date."""

    open: bool
    outcome: str  # "" while open; approved | rejected
    body_id: str  # where it is now (or where it was decided)
    waiting: str  # convene | agenda | decide | report, while open
    since: date  # date of its last step
    days: int  # days since its last step, to the as-of date
    decision: Decision | None  # the decision that closed it


@dataclass(frozen=True)
class SeatHolder:
    seat: Seat | None  # None for bodies without seats
    membership: Membership | None  # None: vacant


@dataclass(frozen=True)
class CommunityProject:
    """A community project approved for funding from the factory's profits."""

    proposal: Proposal
    decision: Decision
    council_id: str  # "" when a commune submitted it
    parish_id: str

    @property
    def year(self) -> int:
        return self.decision.date.year


def state_of(proposal: Proposal, decisions: dict[str, Decision], as_of: date) -> State:
    last = proposal.steps[-1]
    days = (as_of - last.date).days
    decision = decisions.get(last.decision_id) if last.decision_id else None
    if last.kind == "decided" and decision is not None and decision.binding:
        return State(False, "approved" if decision.passed else "rejected", last.body_id, "",
                     last.date, days, decision)
    return State(True, "", last.body_id, last.waiting or "decide", last.date, days, None)


class FactoryIndex:
    """Lookups and derived figures, built once per build from the Factory."""

    def __init__(self, factory: Factory, as_of: date | None = None):
        self.factory = factory
        self.as_of = as_of or factory.as_of
        self.decisions = factory.decisions
        self.meetings = {m.id: m for m in factory.meetings}
        self.meetings_by_body: dict[str, list[Meeting]] = defaultdict(list)
        for m in factory.meetings:
            self.meetings_by_body[m.body_id].append(m)
        # Newest first, everywhere decisions are listed.
        ordered = sorted(self.decisions.values(), key=lambda d: (d.date, d.id), reverse=True)
        self.latest = ordered
        self.by_body: dict[str, list[Decision]] = defaultdict(list)
        self.by_year: dict[int, list[Decision]] = defaultdict(list)
        self.by_topic: dict[str, list[Decision]] = defaultdict(list)
        self.by_proposal: dict[str, list[Decision]] = defaultdict(list)
        for d in ordered:
            self.by_body[d.body_id].append(d)
            self.by_year[d.date.year].append(d)
            self.by_topic[d.topic].append(d)
            if d.proposal_id:
                self.by_proposal[d.proposal_id].append(d)
        self.years = sorted(self.by_year, reverse=True)
        self.topics = sorted(self.by_topic)
        self.states = {p.id: state_of(p, self.decisions, self.as_of)
                       for p in factory.proposals.values()}
        self.open = sorted((p for p in factory.proposals.values() if self.states[p.id].open),
                           key=lambda p: (-self.states[p.id].days, p.id))
        self.closed = sorted((p for p in factory.proposals.values()
                              if not self.states[p.id].open),
                             key=lambda p: (self.states[p.id].since, p.id), reverse=True)
        self.children: dict[str, list[Body]] = defaultdict(list)
        for b in factory.bodies.values():
            if b.parent_id:
                self.children[b.parent_id].append(b)
        self.community = []
        for p in factory.proposals.values():
            state = self.states[p.id]
            if p.funding is not None and state.outcome == "approved":
                council = p.submitted_by.id if p.submitted_by.kind == "council" else ""
                self.community.append(CommunityProject(p, state.decision, council,
                                                       p.funding.parish_id))
        self.community.sort(key=lambda c: (c.decision.date, c.proposal.id))
        self.community_by_parish: dict[str, list[CommunityProject]] = defaultdict(list)
        self.community_by_council: dict[str, list[CommunityProject]] = defaultdict(list)
        for c in self.community:
            self.community_by_parish[c.parish_id].append(c)
            if c.council_id:
                self.community_by_council[c.council_id].append(c)

    def top_bodies(self) -> list[Body]:
        return [b for b in self.factory.bodies.values() if not b.parent_id]

    def composition(self, body: Body, day: date | None = None) -> list[SeatHolder]:
        """Who holds each seat of `body` on `day` (the as-of date by default).

        For a body without seats, its named officers of that day (the assembly's
        workers are counted, never listed).
        """
        day = day or self.as_of
        active = [x for x in self.factory.memberships if x.body_id == body.id and x.active(day)]
        if body.seats:
            held = {x.seat_id: x for x in active}
            return [SeatHolder(s, held.get(s.id)) for s in body.seats]
        return [SeatHolder(None, x) for x in sorted(active, key=lambda x: (x.role, x.person_id))]

    def history(self, body: Body) -> list[Membership]:
        """Every term on the body's seats, newest first."""
        return sorted((x for x in self.factory.memberships if x.body_id == body.id),
                      key=lambda x: (x.start, x.seat_id), reverse=True)

    def members_on(self, body: Body, day: date | None = None) -> int:
        from .load import entitled_on
        return entitled_on(body, day or self.as_of, self.factory.bodies,
                           self.factory.memberships, self.factory.workers)

    def community_of(self, parish_id: str, year: int | None = None) -> list[CommunityProject]:
        return [c for c in self.community_by_parish.get(parish_id, [])
                if year is None or c.year == year]
