"""Residents' ballots: cycles decided by votes per pool (data/ballots/<year>.yaml).

Separate from the assembly records (cycles, projects) so a site may hold
either or both. Fields the data leaves out stay None: unknown is not zero.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from .problems import Problems
from .records import Money, Parish, Source
from .yamlread import dotted

if TYPE_CHECKING:
    from .load import RawRecord, RawRecords, Where
    from .yamlread import FieldPath, Located


@dataclass(frozen=True)
class BallotProject:
    id: str
    title: str
    cost: Money
    votes: int | None
    score: Decimal | None
    selected: bool | None  # the announced result; None when not published
    categories: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    description: str = ""
    proposer: str = ""
    external_ids: tuple[tuple[str, str], ...] = ()  # (system, id), e.g. ("pabulib", "104")


@dataclass(frozen=True)
class Pool:
    id: str
    name: str
    parish_id: str | None  # None: the citywide pool
    budget: Money
    voters: int | None
    projects: tuple[BallotProject, ...]
    source_file: str = ""


@dataclass(frozen=True)
class Ballot:
    year: int
    title: str
    currency: str
    budget: Money | None
    voters: int | None
    vote_type: str
    rule: str
    vote_start: date | None
    vote_end: date | None
    min_length: int | None
    max_length: int | None
    pools: tuple[Pool, ...]
    origin: str
    source: Source

    @property
    def announced(self) -> bool:
        """Whether the data states which projects were selected."""
        return any(p.selected is not None for pool in self.pools for p in pool.projects)


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _dec(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _amount(value: object) -> Decimal:  # a required amount (the schema checked it is there)
    return Decimal(str(value))


def build(raw: list[tuple[Located, FieldPath, RawRecord]], problems: Problems, where: Where,
          parishes: dict[str, Parish]) -> dict[int, Ballot]:
    """Ballot records from the schema-checked mappings of data/ballots/."""
    from . import checks
    ballots: dict[int, Ballot] = {}
    for located, path, m in raw:
        key = ("ballot", m["cycle"])
        if checks.duplicate(problems, where, key, located, path, ballots):
            continue
        cur = m["currency"]
        pools, pool_ids, project_ids = [], set(), set()
        for i, p in enumerate(m["pools"]):
            at = located.where(path + ("pools", i))
            if p["id"] in pool_ids:
                problems.add(located.path, *at, f"pools.{i}.id",
                             f"pool '{p['id']}' appears twice in this cycle",
                             "give each pool its own id")
            pool_ids.add(p["id"])
            if p.get("parish") and p["parish"] not in parishes and "parish" not in where.unsure:
                problems.add(located.path, *located.where(path + ("pools", i, "parish")),
                             f"pools.{i}.parish", f"unknown parish '{p['parish']}'",
                             "add it to data/parishes.yaml or fix the id")
            projects = []
            for j, x in enumerate(p["projects"]):
                if x["id"] in project_ids:
                    at = located.where(path + ("pools", i, "projects", j, "id"))
                    problems.add(located.path, *at, f"pools.{i}.projects.{j}.id",
                                 f"project '{x['id']}' is listed twice in this cycle",
                                 "a project belongs to one pool; give each its own id")
                project_ids.add(x["id"])
                projects.append(BallotProject(
                    id=x["id"], title=x.get("title", ""), cost=Money(_amount(x["cost"]), cur),
                    votes=x.get("votes"), score=_dec(x.get("score")), selected=x.get("selected"),
                    categories=tuple(x.get("categories", ())), targets=tuple(x.get("targets", ())),
                    description=x.get("description", ""), proposer=x.get("proposer", ""),
                    external_ids=tuple(sorted(x.get("external_ids", {}).items()))))
            pools.append(Pool(p["id"], p["name"], p.get("parish"), Money(_amount(p["budget"]), cur),
                              p.get("voters"), tuple(projects), p.get("source", "")))
        ballots[m["cycle"]] = Ballot(
            year=m["cycle"], title=m.get("title", ""), currency=cur,
            budget=Money(_amount(m["budget"]), cur) if "budget" in m else None,
            voters=m.get("voters"), vote_type=m.get("vote_type", ""), rule=m.get("rule", ""),
            vote_start=_d(m.get("vote_start")), vote_end=_d(m.get("vote_end")),
            min_length=m.get("min_length"), max_length=m.get("max_length"),
            pools=tuple(pools), origin=m.get("source", ""),
            source=Source(located.path, located.where(path)[0]))
    return dict(sorted(ballots.items()))


def require_population(raw: RawRecords, problems: Problems) -> None:
    """Population is optional (imported districts have none), except where the site's
    process shows per-resident figures: sites with assembly cycles (Torres)."""
    if not raw["cycle"]:
        return
    for located, path, m in raw["parish"]:
        if "population" not in m:
            line, col = located.where(path)
            problems.add(located.path, line, col, dotted(path),
                         "required field 'population' is missing",
                         "add 'population:' to this record (the cycles' pages show amounts "
                         "per resident)")
