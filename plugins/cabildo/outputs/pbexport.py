"""Every ballot cycle as Pabulib `.pb` files in the open data, one per pool, so
researchers can use a Cabildo site directly (and round-trip it: tests/test_pabulib.py).

The data keeps per-project votes, not each ballot, so VOTES holds a header only
and META num_votes gives the voters."""
from __future__ import annotations

from pathlib import Path

from ..importers import pbfile
from ..views.results import CycleResult
from .opendata import DIR


def path(year: int, pool_id: str) -> str:
    return f"{DIR}/{year}/pabulib/{pool_id}.pb"


def pool_text(result: CycleResult, pool, municipality) -> str:
    ballot = result.ballot
    from babel import Locale
    country = Locale("en").territories.get(municipality.country, municipality.country)
    meta = {"description": ballot.title, "country": country,
            "unit": municipality.name, "subunit": pool.name if pool.parish_id else "",
            "instance": str(ballot.year), "num_projects": len(pool.rows),
            "num_votes": pool.voters, "budget": pool.budget.amount,
            "vote_type": ballot.vote_type, "rule": ballot.rule,
            "date_begin": ballot.vote_start.strftime("%d.%m.%Y") if ballot.vote_start else "",
            "date_end": ballot.vote_end.strftime("%d.%m.%Y") if ballot.vote_end else "",
            "min_length": ballot.min_length, "max_length": ballot.max_length,
            "currency": ballot.currency}
    projects = []
    for r in sorted(pool.rows, key=lambda r: r.rank):
        ids = dict(r.external_ids)
        p = {"project_id": ids.get("pabulib", r.id), "cost": r.cost.amount}
        if r.votes is not None:
            p["votes"] = r.votes
        if r.score is not None:
            p["score"] = r.score
        p["name"] = r.title
        if r.categories:
            p["category"] = ",".join(r.categories)
        if r.announced is not None:
            p["selected"] = int(r.announced)
        projects.append(p)
    return pbfile.write(meta, projects)


def write(output: Path, results: dict[int, CycleResult], municipality) -> list[str]:
    written = []
    for year, result in results.items():
        if result.ballot is None:
            continue
        for pool in result.pools:
            target = output / path(year, pool.id)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(pool_text(result, pool, municipality), "utf-8")
            written.append(path(year, pool.id))
    return written
