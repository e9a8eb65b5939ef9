"""Typed, immutable records of the factory's self-government. Never YAML."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from functools import cached_property

from ...model.records import Money, Source

KINDS = ("assembly", "council", "committee", "board")
TOPICS = ("property", "pay", "hours", "hiring", "production", "health", "safety",
          "discipline", "training", "community", "governance", "other")
SELECTIONS = ("ministry-appointed", "worker-elected")
STEP_KINDS = ("submitted", "discussed", "decided", "sent", "waiting")
WAITING = ("convene", "agenda", "decide", "report")


@dataclass(frozen=True)
class Seat:
    id: str
    body_id: str
    label: str
    label_en: str
    selection: str  # ministry-appointed | worker-elected


@dataclass(frozen=True)
class Body:
    id: str
    name: str
    name_en: str
    kind: str  # assembly | council | committee | board
    parent_id: str
    description: str
    description_en: str
    founded: date | None
    committees: int | None  # how many committees a council must have
    term_years: int | None
    quorum: Decimal  # more than this share of the members must be present
    majority: str  # cast | present
    consensus_topics: tuple[str, ...]
    seats: tuple[Seat, ...]
    source: Source


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    source: Source


@dataclass(frozen=True)
class Membership:
    person_id: str
    body_id: str
    seat_id: str  # "" for bodies without seats
    role: str
    start: date
    end: date | None  # inclusive; None: still in office
    source: Source

    @property
    def id(self) -> str:
        return f"{self.seat_id or self.body_id}-{self.person_id}-{self.start.isoformat()}"

    def active(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Decision:
    id: str
    meeting_id: str
    body_id: str
    date: date
    item: int  # 1-based number of its agenda item
    topic: str
    text: str
    method: str  # vote | consensus
    yes: int | None
    no: int | None
    abstain: int | None
    reached: bool | None  # consensus only
    objections: tuple[str, ...]  # seat ids that blocked consensus
    binding: bool
    proposal_id: str
    passed: bool  # by the body's rule
    source: Source

    @property
    def cast(self) -> int:
        return (self.yes or 0) + (self.no or 0) + (self.abstain or 0)


@dataclass(frozen=True)
class Item:
    number: int
    title: str
    topic: str
    minutes: str  # Markdown, sanitised when shown
    decisions: tuple[Decision, ...]


@dataclass(frozen=True)
class Meeting:
    id: str
    body_id: str
    date: date
    place: str
    start: time
    end: time
    present: int
    entitled: int  # members entitled to attend on the day
    quorum_needed: int
    chair_id: str
    items: tuple[Item, ...]
    source: Source

    @property
    def quorum_met(self) -> bool:
        return self.entitled > 0 and self.present >= self.quorum_needed

    @property
    def decisions(self) -> tuple[Decision, ...]:
        return tuple(d for item in self.items for d in item.decisions)


@dataclass(frozen=True)
class Step:
    date: date
    kind: str  # submitted | discussed | decided | sent | waiting
    body_id: str
    decision_id: str
    waiting: str  # convene | agenda | decide | report ("" when not said)
    note: str


@dataclass(frozen=True)
class Submitter:
    kind: str  # body | workers | council | commune
    id: str
    name: str


@dataclass(frozen=True)
class Funding:
    amount: Money
    category: str
    parish_id: str  # the council's parish, or the one given for a commune


@dataclass(frozen=True)
class Proposal:
    id: str
    title: str
    text: str
    topic: str
    submitted_by: Submitter
    funding: Funding | None
    steps: tuple[Step, ...]
    source: Source


@dataclass(frozen=True)
class Factory:
    """Everything in data/factory/, checked and cross-referenced."""

    id: str
    name: str
    name_en: str
    description: str
    description_en: str
    founded: date | None
    workers: int
    ministry_id: str
    ministry_name: str
    ministry_name_en: str
    as_of: date  # waiting times are counted to this day, never to the build's clock
    bodies: dict[str, Body]
    people: dict[str, Person]
    memberships: tuple[Membership, ...]
    meetings: tuple[Meeting, ...]  # by date
    proposals: dict[str, Proposal]
    source: Source

    @cached_property
    def seats(self) -> dict[str, Seat]:
        return {s.id: s for b in self.bodies.values() for s in b.seats}

    @cached_property
    def decisions(self) -> dict[str, Decision]:
        return {d.id: d for m in self.meetings for d in m.decisions}

    @cached_property
    def meetings_by_id(self) -> dict[str, Meeting]:
        return {m.id: m for m in self.meetings}
