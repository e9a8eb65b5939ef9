"""Read and write Pabulib's `.pb` files (Stolicki, Szufa, Talmon, arXiv:2012.06539).

A `.pb` file has three `;`-separated sections: META (key;value), PROJECTS
(a header, then one project a line) and VOTES (a header, then one ballot a
line). Our reader streams: ballots are counted as they are read and never
kept, so files of many megabytes cost little memory. Every mistake names its
line: `file.pb:LINE: what is wrong`. (pabutools parses the format too, but
reads everything at once and reports no lines.)
"""
from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

VOTE_TYPES = ("approval", "ordinal", "cumulative", "choose-1")
SECTIONS = ("META", "PROJECTS", "VOTES")


class PbError(ValueError):
    """A malformed `.pb` file; str() is `file.pb:LINE: what is wrong`."""


@dataclass
class PbProject:
    id: str
    cost: Decimal
    fields: dict[str, str]  # every other column, as written (name, category, votes...)
    line: int


@dataclass
class PbFile:
    path: str
    meta: dict[str, str]
    projects: dict[str, PbProject]
    columns: list[str]  # of PROJECTS, in file order
    voters: int | None = None  # ballots in VOTES (None: no VOTES section, or no ballot in it)
    counted_votes: Counter = field(default_factory=Counter)  # ballots naming each project
    counted_points: Counter = field(default_factory=Counter)  # cumulative points / Borda-free sum


def _cells(line: str) -> list[str]:
    return next(csv.reader([line], delimiter=";"))


def number(text: str, where: str, what: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise PbError(f"{where}: {what} '{text}' is not a number") from None
    if not value.is_finite():
        raise PbError(f"{where}: {what} '{text}' is not a number")
    return value


def read(path: Path | str) -> PbFile:
    """Parse one `.pb` file, streaming its VOTES; raises PbError on the first mistake."""
    path = Path(path)
    name = path.name
    pb = PbFile(str(path), {}, {}, [])
    section = None
    header: list[str] | None = None
    seen_sections: list[str] = []
    vote_at, points_at = 1, None
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as e:
        raise PbError(f"{name}:0: cannot be read ({e.strerror})") from None
    with handle:
        try:
            for number_, raw in enumerate(handle, start=1):
                line = raw.rstrip("\r\n")
                where = f"{name}:{number_}"
                if not line.strip():
                    continue
                if line.strip().upper() in SECTIONS and ";" not in line:
                    section = line.strip().upper()
                    if section in seen_sections:
                        raise PbError(f"{where}: section {section} appears twice")
                    seen_sections.append(section)
                    header = None
                    if section == "VOTES":
                        pb.voters = 0
                    continue
                if section is None:
                    raise PbError(f"{where}: expected the META section first, found '{line[:40]}'")
                if section == "VOTES" and header is not None and '"' not in line:
                    _fast_ballot(pb, line, header, vote_at, points_at, name, number_)
                    continue
                cells = [c.strip() for c in _cells(line)]
                if header is None:
                    header = [c.lower() for c in cells]
                    _check_header(section, header, where)
                    if section == "PROJECTS":
                        pb.columns = header
                    if section == "VOTES":
                        vote_at = header.index("vote")
                        points_at = header.index("points") if "points" in header else None
                    continue
                if len(cells) != len(header):
                    raise PbError(f"{where}: {len(cells)} fields where the {section} header has "
                                  f"{len(header)} ({';'.join(header)})")
                row = dict(zip(header, cells))
                if section == "META":
                    pb.meta[row[header[0]].lower()] = row[header[1]]
                elif section == "PROJECTS":
                    _project(pb, row, where, number_)
                else:
                    _ballot(pb, row, where)
        except UnicodeDecodeError as e:
            raise PbError(f"{name}:{number_ + 1}: not UTF-8 text ({e.reason})") from None
    if pb.voters == 0:  # a VOTES header without ballots (Cabildo's own export): not published
        pb.voters = None
    for needed in ("META", "PROJECTS"):
        if needed not in seen_sections:
            raise PbError(f"{name}:0: no {needed} section")
    _check_meta(pb, name)
    return pb


def _check_header(section: str, header: list[str], where: str) -> None:
    need = {"META": ("key", "value"), "PROJECTS": ("project_id", "cost"),
            "VOTES": ("voter_id", "vote")}[section]
    missing = [c for c in need if c not in header]
    if missing:
        raise PbError(f"{where}: the {section} header lacks {', '.join(missing)} "
                      f"(found {';'.join(header)})")


def _project(pb: PbFile, row: dict, where: str, line: int) -> None:
    pid = row["project_id"]
    if not pid:
        raise PbError(f"{where}: project_id is empty")
    if pid in pb.projects:
        raise PbError(f"{where}: project {pid} is listed twice "
                      f"(first on line {pb.projects[pid].line})")
    cost = number(row["cost"], where, "cost")
    if cost < 0:
        raise PbError(f"{where}: cost {row['cost']} is negative")
    for column in ("votes", "score"):
        if row.get(column):
            number(row[column], where, column)
    if row.get("selected", "") not in ("", "0", "1"):
        raise PbError(f"{where}: selected is '{row['selected']}' (0 or 1)")
    fields = {k: v for k, v in row.items() if k not in ("project_id", "cost")}
    pb.projects[pid] = PbProject(pid, cost, fields, line)


def _ballot(pb: PbFile, row: dict, where: str) -> None:
    chosen = [p.strip() for p in row["vote"].split(",") if p.strip()]
    for pid in chosen:
        if pid not in pb.projects:
            raise PbError(f"{where}: the ballot names project {pid}, which PROJECTS does not list")
    if len(set(chosen)) != len(chosen):
        raise PbError(f"{where}: the ballot names a project twice")
    points = row.get("points")
    if points:
        values = [number(x, where, "points") for x in points.split(",")]
        if len(values) != len(chosen):
            raise PbError(f"{where}: {len(values)} points for {len(chosen)} projects")
        for pid, value in zip(chosen, values):
            pb.counted_points[pid] += value
    pb.voters += 1
    pb.counted_votes.update(chosen)


def _fast_ballot(pb: PbFile, line: str, header: list, vote_at: int, points_at, name: str,
                 number_: int) -> None:
    """A VOTES line without quotes: the common case of files of many MB, kept cheap."""
    cells = line.split(";")
    if len(cells) != len(header):
        raise PbError(f"{name}:{number_}: {len(cells)} fields where the VOTES header has "
                      f"{len(header)} ({';'.join(header)})")
    chosen = [x.strip() for x in cells[vote_at].split(",")]
    projects, counts = pb.projects, pb.counted_votes
    for pid in chosen:
        if pid not in projects:
            if not pid:
                chosen = [c for c in chosen if c]
                continue
            raise PbError(f"{name}:{number_}: the ballot names project {pid}, which PROJECTS "
                          "does not list")
    if len(set(chosen)) != len(chosen):
        raise PbError(f"{name}:{number_}: the ballot names a project twice")
    if points_at is not None and cells[points_at].strip():
        where = f"{name}:{number_}"
        values = [number(x, where, "points") for x in cells[points_at].split(",")]
        if len(values) != len(chosen):
            raise PbError(f"{where}: {len(values)} points for {len(chosen)} projects")
        for pid, value in zip(chosen, values):
            pb.counted_points[pid] += value
    pb.voters += 1
    for pid in chosen:
        counts[pid] += 1


def _check_meta(pb: PbFile, name: str) -> None:
    meta = pb.meta
    if "budget" not in meta:
        raise PbError(f"{name}:0: META has no budget")
    number(meta["budget"], f"{name}:0", "META budget")
    vote_type = meta.get("vote_type", "")
    if vote_type and vote_type not in VOTE_TYPES:
        raise PbError(f"{name}:0: META vote_type '{vote_type}' is not one of "
                      + ", ".join(VOTE_TYPES))


def _plain(value) -> str:
    """A number as Pabulib writes it: whole numbers without decimals."""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal(1))) if value == value.to_integral_value() \
            else format(value.normalize(), "f")
    return str(value)


def write(meta: dict, projects: list[dict], ballots: list[tuple[str, str]] | None = None) -> str:
    """A `.pb` file's text: meta in order, projects as dicts (project_id, cost, ...)."""
    out = ["META", "key;value"]
    out += [f"{k};{_clean(_plain(v))}" for k, v in meta.items() if v not in (None, "")]
    columns: list[str] = []
    for p in projects:
        columns += [c for c in p if c not in columns]
    out += ["PROJECTS", ";".join(columns)]
    for p in projects:
        out.append(";".join(_clean(_plain(p.get(c, ""))) for c in columns))
    out += ["VOTES", "voter_id;vote"]
    out += [f"{voter};{vote}" for voter, vote in ballots or []]
    return "\n".join(out) + "\n"


def _clean(text: str) -> str:
    """One line per record; a field holding `;` or `"` is quoted as CSV (as pabutools reads)."""
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    if ";" in text or '"' in text:
        return '"' + text.replace('"', '""') + '"'
    return text
