"""Typed, immutable records: what every generator reads. Never YAML."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

# OC4IDS projectStatus codelist.
STATUSES = ("identification", "preparation", "implementation", "completion", "cancelled")
PHASES = ("diagnosis", "council_assemblies", "parish_round_1", "parish_round_2")


@dataclass(frozen=True)
class Source:
    """Where a record was read: shown on pages as a link to the YAML file."""

    path: str
    line: int


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __add__(self, other: Money) -> Money:
        if self.currency != other.currency:
            raise ValueError(f"cannot add {self.currency} to {other.currency}")
        return Money(self.amount + other.amount, self.currency)


@dataclass(frozen=True)
class Office:
    """Where residents ask about the budget (printed on bulletins, at every page's foot)."""
    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    hours: str = ""


@dataclass(frozen=True)
class Municipality:
    name: str
    state: str
    country: str
    languages: tuple[str, ...]
    default_currency: str
    timezone: str  # "" when unknown (feeds then use UTC)
    locale: str
    seat: str = ""
    repository_url: str = ""
    as_of: date | None = None  # the day the data is up to date to, when it says
    office: Office | None = None


@dataclass(frozen=True)
class MapStyle:
    """How a category is drawn on the web maps, the SVG maps and in print (mapstyle.py)."""
    color: str  # "#RRGGBB"
    dash: str  # SVG/Leaflet dash array; "" for solid
    weight: int  # line width in px
    symbol: str  # point symbol: circle, square, triangle, diamond, cross, star


LINE_TYPES = ("LineString", "MultiLineString")


@dataclass(frozen=True)
class Category:
    """A category of projects, declared by the site (data/categories.yaml)."""
    id: str
    labels: dict[str, str]  # language -> label, the default language's first; "" for all
    style: MapStyle
    geometry_types: tuple[str, ...]  # what its projects may be (GeoJSON types)
    source: Source

    def label_in(self, lang: str) -> str:
        """Its label in `lang`; else the one label for every language, else the default
        language's (the loader puts it first)."""
        return self.labels.get(lang) or self.labels.get("") or next(iter(self.labels.values()))

    @property
    def has_lines(self) -> bool:
        """Whether its projects may be lines (the legend then shows its line pattern)."""
        return any(t in LINE_TYPES for t in self.geometry_types)

    @property
    def has_places(self) -> bool:
        """Whether they may be points or areas (the legend then shows its symbol)."""
        return any(t not in LINE_TYPES for t in self.geometry_types)


@dataclass(frozen=True)
class Parish:
    id: str
    name: str
    population: int | None  # None when unknown (imported districts)
    seat: str
    source: Source


@dataclass(frozen=True)
class Council:
    id: str
    name: str
    parish_id: str
    setting: str  # urban | rural
    families: int
    members: int
    source: Source


@dataclass(frozen=True)
class Period:
    start: date
    end: date


@dataclass(frozen=True)
class CalendarStep:
    """A step of a cycle's calendar as residents see it, named per language."""
    names: dict[str, str]  # language -> name; "" for one name in every language
    start: date
    end: date | None = None

    def name_in(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("") or next(iter(self.names.values()))


@dataclass(frozen=True)
class Cycle:
    year: int
    currency: str
    budget: Money
    quorum: Decimal
    envelopes: dict[str, Money]  # by parish id; empty when the cycle has none
    phases: dict[str, Period]
    clpp_approval: date
    clpp_act: str
    source: Source
    calendar: tuple[CalendarStep, ...] = ()  # what residents see; () shows the phases


    @property
    def start(self) -> date:
        return self.phases["diagnosis"].start

    @property
    def end(self) -> date:
        return self.clpp_approval


@dataclass(frozen=True)
class Priority:
    title: str
    category: str
    votes: int
    project_id: str


@dataclass(frozen=True)
class CouncilAssembly:
    id: str
    council_id: str
    year: int
    date: date
    members: int
    attendance: int
    quorum_needed: int
    priorities: tuple[Priority, ...]
    source: Source

    @property
    def quorum_met(self) -> bool:
        return self.attendance >= self.quorum_needed


@dataclass(frozen=True)
class ProjectVote:
    project_id: str
    yes: int
    no: int
    abstain: int

    @property
    def approved(self) -> bool:
        return self.yes > self.no


@dataclass(frozen=True)
class ParishAssembly:
    id: str
    parish_id: str
    year: int
    round: int
    date: date
    delegates_accredited: int
    delegates_present: int
    votes: tuple[ProjectVote, ...]
    source: Source


@dataclass(frozen=True)
class Milestone:
    date: date
    status: str
    note: str


@dataclass(frozen=True)
class Document:
    title: str
    url: str


@dataclass(frozen=True)
class Project:
    id: str
    year: int
    title: str
    description: str
    category: str
    amount: Money
    parish_id: str
    council_ids: tuple[str, ...]
    geometry: dict[str, Any] | None
    funded: bool
    status: str
    progress: int
    milestones: tuple[Milestone, ...]
    sources: tuple[Document, ...]
    source: Source
    # votes per round, filled from the parish assemblies: {1: ProjectVote, 2: ...}
    votes: dict[int, ProjectVote] = field(default_factory=dict)


@dataclass(frozen=True)
class Dataset:
    """Everything in data/, checked and cross-referenced."""

    municipality: Municipality
    parishes: dict[str, Parish]
    councils: dict[str, Council]
    cycles: dict[int, Cycle]
    council_assemblies: tuple[CouncilAssembly, ...]
    parish_assemblies: tuple[ParishAssembly, ...]
    projects: dict[str, Project]
    categories: dict[str, Category] = field(default_factory=dict)  # by id, in declared order
    boundaries: dict[str, Any] = field(default_factory=dict)  # parish id -> geo.Boundary
    extensions: dict[str, Any] = field(default_factory=dict)  # name -> its records, or None
    ballots: dict[int, Any] = field(default_factory=dict)  # year -> ballots.Ballot
    warnings: tuple[Any, ...] = ()

    # Indexes, built once so generators never scan the whole data again.
    def projects_of(self, year: int | None = None,
                    parish_id: str | None = None) -> list[Project]:
        return list(self._projects_by.get((year, parish_id), ()))

    @cached_property
    def _projects_by(self) -> dict[tuple[int | None, str | None], list[Project]]:
        """Projects by (year, parish), either or both None for any (results pages ask
        for each parish of each cycle: a scan each cost 0.2 s at full scale)."""
        found: dict[tuple[int | None, str | None], list[Project]] = {}
        for p in self.projects.values():
            for key in ((None, None), (p.year, None), (None, p.parish_id),
                        (p.year, p.parish_id)):
                found.setdefault(key, []).append(p)
        return found

    @property
    def current_year(self) -> int:
        return max(self.cycles)
