"""The data layer: read all of data/ once, check it, return typed records.

    dataset = load_dataset(config)   # config: settings.Config; raises DataProblems

Reading and schema checks happen per file; the checks that need several
files (references, totals, dates across a cycle) run on the records after.
"""
from __future__ import annotations

import gc
import math
from collections.abc import Collection
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeAlias

from ..extensions import extensions
from . import ballots, categories, checks, geo
from .checks import At, RecordKey
from .collation import sort_key
from .problems import DataProblems, Problems
from .records import (
    CalendarStep,
    Council,
    CouncilAssembly,
    Cycle,
    Dataset,
    Document,
    Milestone,
    Municipality,
    Office,
    Parish,
    ParishAssembly,
    Period,
    Priority,
    Project,
    ProjectVote,
    Source,
)
from .schema import check_file
from .settings import Config
from .yamlread import FieldPath, Located, dotted, keep_parsed_of, read_yaml

# Where each record type lives: a file of its own, or a folder of files.
FILES = {"municipality.yaml": "municipality", "parishes.yaml": "parish",
         "categories.yaml": "category"}
OPTIONAL_FILES = {"categories.yaml"}  # a site of ballots alone may have no categories
FOLDERS = {
    "councils": "council",
    "cycles": "cycle",
    "council-assemblies": "council_assembly",
    "parish-assemblies": "parish_assembly",
    "projects": "project",
    "ballots": "ballot",  # residents' ballots (model/ballots.py)
}
OTHER_FOLDERS = {"geo"}  # read by the maps; extensions' folders are theirs (extensions/)
PLACE = {t: f"data/{n}" for n, t in FILES.items()} | {t: f"data/{n}/" for n, t in FOLDERS.items()}

DEFAULT_QUORUM = Decimal("0.20")

# One record as read, after its file passed its schema check: the JSON Schema
# (schemas/<type>.schema.json) guarantees its fields and their types, which mypy cannot see.
RawRecord: TypeAlias = dict[str, Any]
# Every valid record by record type: (its file, its path in the file, the record).
RawRecords: TypeAlias = dict[str, list[tuple[Located, FieldPath, RawRecord]]]


def all_places() -> dict[str, str]:
    """Where every record type lives: the core's, then the extensions' (data/factory/...)."""
    return PLACE | {t: p for ext in extensions() for t, p in ext.places().items()}


class Where:
    """Remembers where each record came from, so checks can point at lines."""

    def __init__(self) -> None:
        self._at: dict[RecordKey, tuple[Located, FieldPath]] = {}
        # Record types some records of which could not be read, with their ids
        # (None: unknown ids). References to them are not reported as unknown,
        # so one broken file does not bury its real problem under a hundred others.
        self.unsure: dict[str, set[str | int] | None] = {}

    def broken(self, record_type: str, record_id: object = None) -> None:
        if record_id is None or not isinstance(record_id, (str, int)):
            self.unsure[record_type] = None
        elif (ids := self.unsure.setdefault(record_type, set())) is not None:
            ids.add(record_id)

    def remember(self, key: RecordKey, located: Located, path: FieldPath) -> None:
        self._at.setdefault(key, (located, path))

    def __call__(self, key: RecordKey, *subpath: str | int) -> At:
        located, path = self._at[key]
        line, col = located.where(path + subpath)
        return located.path, line, col, dotted(path + subpath)


def _rel(file: Path, root: Path) -> str:
    return "data/" + file.relative_to(root).as_posix()


def read_all(root: Path, problems: Problems, where: Where,
             cache: Path | None = None) -> RawRecords:
    """Every valid record of every file, by record type: (located, path, mapping)."""
    found: RawRecords = {t: [] for t in list(FILES.values()) + list(FOLDERS.values())}
    if not root.is_dir():
        problems.add(str(root), 0, 0, "", "the data folder does not exist",
                     "create it, or point CABILDO_DATA_DIR at it")
        return found
    keep_parsed_of(root)
    files: list[tuple[Path, str]] = []
    others = OTHER_FOLDERS | {ext.folder for ext in extensions()}
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            _link(problems, entry, root)
            continue
        if entry.is_dir():
            if entry.name in others:
                continue
            if entry.name not in FOLDERS:
                problems.add(_rel(entry, root), 0, 0, "", "unexpected folder in data/",
                             _did_you_mean(entry.name, FOLDERS, "data/ holds: " + ", ".join(
                                 sorted(FOLDERS) + sorted(others))))
                where.broken(FOLDERS.get(_close(entry.name, FOLDERS) or "", "-"))
                continue
            for file in _walk(entry, problems, root):
                if file.suffix not in (".yaml", ".yml"):
                    problems.add(_rel(file, root), 0, 0, "",
                                 f"'{file.name}' is not a YAML file",
                                 f"data/{entry.name}/ holds only .yaml files; move or rename it")
                    where.broken(FOLDERS[entry.name])
                    continue
                files.append((file, FOLDERS[entry.name]))
        elif entry.name in FILES:
            files.append((entry, FILES[entry.name]))
        else:
            problems.add(_rel(entry, root), 0, 0, "", "unexpected file in data/",
                         _did_you_mean(entry.name, FILES, "data/ holds municipality.yaml, "
                                       "parishes.yaml, categories.yaml and the folders "
                                       + ", ".join(
                                           sorted(FOLDERS))))
    for name, record_type in FILES.items():
        if name in OPTIONAL_FILES and not (root / name).exists():
            continue
        if not (root / name).is_file() or (root / name).is_symlink():
            if not (root / name).is_symlink():
                problems.add(f"data/{name}", 0, 0, "", "this required file is missing",
                             f"create data/{name}")
            # its records are unknown, so references to them are not reported one by one
            where.broken(record_type)
    read_files(files, root, problems, where, found, cache)
    return found


def _close(name: str, known: Collection[str]) -> str | None:
    import difflib
    close = difflib.get_close_matches(name.split(".")[0], [k.split(".")[0] for k in known], n=1)
    return next((k for k in known if close and k.split(".")[0] == close[0]), None)


def _did_you_mean(name: str, known: Collection[str], otherwise: str) -> str:
    close = _close(name, known)
    return f"did you mean '{close}'?" if close else otherwise


def _link(problems: Problems, path: Path, root: Path) -> None:
    problems.add(_rel(path, root), 0, 0, "", "this is a symbolic link; data/ is never read "
                 "through links", "copy the real file or folder into data/ instead")


def _walk(folder: Path, problems: Problems, root: Path) -> list[Path]:
    """The files under `folder`, sorted, without following (and reporting) links."""
    out: list[Path] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            _link(problems, entry, root)
        elif entry.is_dir():
            out += _walk(entry, problems, root)
        else:
            out.append(entry)
    return out


def read_files(files: list[tuple[Path, str]], root: Path, problems: Problems, where: Where,
               found: RawRecords, cache: Path | None = None) -> None:
    """Read and schema-check each (file, expected record type); add its valid records to found."""
    for file, expected in files:
        rel = _rel(file, root)
        located = read_yaml(file, rel, problems, cache)
        if located is None:
            where.broken(expected)
            continue
        record_type, bad = check_file(located, problems)
        if record_type is None:
            where.broken(expected)
            continue
        if record_type != expected:
            places = all_places()
            problems.add(rel, 1, 1, "",
                         f"this file holds {record_type.replace('_', ' ')} records but sits in "
                         f"{places[expected]}",
                         f"move it to {places[record_type]}")
            continue
        data = located.data
        assert isinstance(data, dict)  # check_file found its record type: one key, a mapping
        key = next(iter(data))
        value = data[key]
        if None in bad:
            where.broken(record_type)
            continue
        if isinstance(value, list):
            for i, item in enumerate(value):
                if i in bad:
                    where.broken(record_type, item.get("id") if isinstance(item, dict) else None)
                elif i not in bad:
                    found[record_type].append((located, (key, i), item))
        else:
            found[record_type].append((located, (key,), value))


def _d(text: str) -> date:
    return date.fromisoformat(text)


def load_dataset(config: Config | Path | str) -> Dataset:
    """Load and check the data folder of `config` (the one checked settings object that
    validate, the build and the bulletins share; a bare folder means default settings).
    Raises DataProblems listing every error found."""
    # Loading makes a million objects and frees few: the cyclic collector walked them
    # again and again, a sixth of the load at full scale (more, the larger the heap).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load(config)
    finally:
        if collecting:
            gc.enable()


def _load(config: Config | Path | str) -> Dataset:
    if not isinstance(config, Config):
        config = Config.for_data(config)
    root = config.data_dir
    quorum = config["CABILDO_QUORUM"]
    geometry_types = config["CABILDO_GEOMETRY_TYPES"]
    tolerance_m = config["CABILDO_GEO_TOLERANCE_M"]
    problems = Problems()
    where = Where()
    parsed = config.root / config["CABILDO_CACHE_DIR"] / "yaml"
    raw = read_all(Path(root), problems, where, parsed)

    def src(located: Located, path: FieldPath) -> Source:
        return Source(located.path, located.where(path)[0])

    municipality = None
    for located, path, m in raw["municipality"]:
        languages = tuple(m["languages"])
        municipality = Municipality(
            name=m["name"], state=m.get("state", ""), country=m["country"], languages=languages,
            default_currency=m["default_currency"], timezone=m.get("timezone", ""),
            locale=m.get("locale") or f"{languages[0]}_{m['country']}",
            seat=m.get("seat", ""), repository_url=m.get("repository_url", ""),
            as_of=_d(m["as_of"]) if m.get("as_of") else None,
            office=Office(**m["office"]) if m.get("office") else None,
        )
        where.remember(("municipality",), located, path)
        checks.municipality(problems, where, municipality, "locale" in m)

    declared = categories.build(raw["category"], problems, where,
                                municipality.languages if municipality else (), geometry_types)
    ballots.require_population(raw, problems)
    parishes: dict[str, Parish] = {}
    for located, path, m in raw["parish"]:
        key = ("parish", m["id"])
        if checks.duplicate(problems, where, key, located, path, parishes):
            continue
        parishes[m["id"]] = Parish(m["id"], m["name"], m.get("population"), m.get("seat", ""),
                                   src(located, path))
        checks.reserved_id(problems, where, key)

    boundaries = geo.load_boundaries(Path(root), parishes, problems,
                                     parishes_complete="parish" not in where.unsure, cache=parsed)
    area = geo.bounds_of(boundaries)
    allowed = {c.id: list(c.geometry_types) for c in declared.values()}

    councils: dict[str, Council] = {}
    for located, path, m in raw["council"]:
        key = ("council", m["id"])
        if checks.duplicate(problems, where, key, located, path, councils):
            continue
        councils[m["id"]] = Council(m["id"], m["name"], m["parish"], m["setting"],
                                    m["families"], m["members"], src(located, path))

    cycles: dict[int, Cycle] = {}
    for located, path, m in raw["cycle"]:
        key = ("cycle", m["year"])
        if checks.duplicate(problems, where, key, located, path, cycles):
            continue
        cur = m["currency"]
        money = checks.money_reader(problems, where, key, cur)
        cycles[m["year"]] = Cycle(
            year=m["year"], currency=cur, budget=money(m["budget"], "budget"),
            quorum=Decimal(str(m.get("quorum", quorum))),
            envelopes={p: money(a, "envelopes", p)
                       for p, a in sorted(m.get("envelopes", {}).items())},
            phases={k: Period(_d(v["start"]), _d(v["end"]))
                    for k, v in m["phases"].items() if k != "clpp_approval"},
            clpp_approval=_d(m["phases"]["clpp_approval"]), clpp_act=m.get("clpp_act", ""),
            source=src(located, path),
            calendar=tuple(
                CalendarStep(s["name"] if isinstance(s["name"], dict) else {"": s["name"]},
                             _d(s["start"]), _d(s["end"]) if "end" in s else None)
                for s in m.get("calendar", ())),
        )

    council_assemblies: list[CouncilAssembly] = []
    seen_ca: dict[str, CouncilAssembly] = {}
    for located, path, m in raw["council_assembly"]:
        key = ("council_assembly", m["id"])
        if checks.duplicate(problems, where, key, located, path, seen_ca):
            continue
        cycle = cycles.get(m["cycle"])
        ratio = cycle.quorum if cycle else quorum
        council_assembly = CouncilAssembly(
            id=m["id"], council_id=m["council"], year=m["cycle"], date=_d(m["date"]),
            members=m["members"], attendance=m["attendance"],
            quorum_needed=math.ceil(m["members"] * ratio),
            priorities=tuple(Priority(p["title"], p.get("category", ""), p["votes"],
                                      p.get("project", "")) for p in m.get("priorities", [])),
            source=src(located, path),
        )
        seen_ca[m["id"]] = council_assembly
        council_assemblies.append(council_assembly)

    parish_assemblies: list[ParishAssembly] = []
    seen_pa: dict[str, ParishAssembly] = {}
    for located, path, m in raw["parish_assembly"]:
        key = ("parish_assembly", m["id"])
        if checks.duplicate(problems, where, key, located, path, seen_pa):
            continue
        assembly = ParishAssembly(
            id=m["id"], parish_id=m["parish"], year=m["cycle"], round=m["round"],
            date=_d(m["date"]), delegates_accredited=m["delegates_accredited"],
            delegates_present=m["delegates_present"],
            votes=tuple(ProjectVote(v["project"], v["for"], v["against"], v["abstain"])
                        for v in m.get("votes", [])),
            source=src(located, path),
        )
        seen_pa[m["id"]] = assembly
        parish_assemblies.append(assembly)

    projects: dict[str, Project] = {}
    # Files whose every geometry passed the tests before, with these boundaries: the
    # tests that need shapely are not run again (geo.placed_verdict).
    placed_key = geo.placed_key(boundaries, allowed, tolerance_m, area)
    placed: dict[int, tuple[Located, bool]] = {}  # by id(located)
    unplaced: set[int] = set()  # files with a geometry problem: no verdict
    for located, path, m in raw["project"]:
        key = ("project", m["id"])
        if checks.duplicate(problems, where, key, located, path, projects):
            continue
        cycle = cycles.get(m["cycle"])
        currency = cycle.currency if cycle else m.get("currency", "")
        if id(located) not in placed:
            verdict = geo.placed_verdict(located.cached, placed_key)
            placed[id(located)] = (located, verdict is not None and verdict.exists())

        def add(sub: tuple[str, ...], message: str, hint: str = "", key: RecordKey = key,
                file: int = id(located)) -> None:
            unplaced.add(file)
            checks._add(problems, where(key, *sub), message, hint)
        geometry = geo.check_project(add, m, allowed, boundaries.get(m["parish"]), tolerance_m,
                                     area, placed=placed[id(located)][1])
        projects[m["id"]] = Project(
            id=m["id"], year=m["cycle"], title=m["title"], description=m.get("description", ""),
            category=m["category"],
            amount=checks.money_reader(problems, where, key, currency)(m["amount"], "amount"),
            parish_id=m["parish"],
            council_ids=tuple(m["councils"]), geometry=geometry, funded=m["funded"],
            status=m["status"], progress=m.get("progress", 0),
            milestones=tuple(Milestone(_d(x["date"]), x["status"], x.get("note", ""))
                             for x in m.get("milestones", [])),
            sources=tuple(Document(d["title"], d.get("url", "")) for d in m.get("sources", [])),
            source=src(located, path),
            votes={},
        )
        checks.currency(problems, where, key, m, cycle)
    for file, (located, already) in placed.items():
        if not already and file not in unplaced:
            geo.note_placed(located.cached, placed_key)

    if municipality is None and not any(p.path == "data/municipality.yaml" for p in problems.items):
        problems.add("data/municipality.yaml", 0, 0, "", "no municipality record",
                     "fill in data/municipality.yaml")

    checks.run_all(problems, where, parishes, councils, cycles,
                   council_assemblies, parish_assemblies, projects,
                   as_of=municipality.as_of if municipality else None)

    # Extensions read their own folders (with the settings they name); None where the
    # folder is absent.
    loaded = {ext.name: ext.load(Path(root), problems, where, parishes, councils, config,
                           declared)
              for ext in extensions()}

    ballot_records = ballots.build(raw["ballot"], problems, where, parishes)
    categories.check_references(problems, where, declared, projects.values(),
                                council_assemblies, ballot_records.values())

    # Votes of each round, attached to their project (one source of truth).
    for assembly in parish_assemblies:
        for vote in assembly.votes:
            if vote.project_id in projects:
                projects[vote.project_id].votes[assembly.round] = vote

    if problems.errors:
        raise DataProblems(problems.errors)
    assert municipality is not None  # else "no municipality record" is among the errors

    def by_name(name: str) -> bytes:  # lists read in the municipality's own collation
        return sort_key(municipality.locale, name)

    return Dataset(
        municipality=municipality,
        parishes=dict(sorted(parishes.items(), key=lambda kv: by_name(kv[1].name))),
        councils=dict(sorted(councils.items(), key=lambda kv: by_name(kv[1].name))),
        cycles=dict(sorted(cycles.items())),
        council_assemblies=tuple(sorted(council_assemblies, key=lambda a: (a.date, a.id))),
        parish_assemblies=tuple(sorted(parish_assemblies, key=lambda a: (a.date, a.id))),
        projects=dict(sorted(projects.items())),
        categories=declared,
        boundaries=boundaries,
        extensions=loaded,
        ballots=ballot_records,
        warnings=tuple(problems.warnings),
    )
