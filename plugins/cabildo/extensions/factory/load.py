"""Read data/factory/ into records, with the budget's data layer: the same reader, schema
checks, Problems collector and Where (so every problem is `file:line:col: field: message`).

    factory = load(Path("data"), problems, where, parishes, councils)   # None without data/factory/
"""
from __future__ import annotations

import math
from datetime import date, time
from decimal import Decimal
from pathlib import Path

from ...model import checks as budget_checks
from ...model.categories import check_named
from ...model.load import read_files
from ...model.records import Money, Source
from . import checks
from .records import (
    Body,
    Decision,
    Factory,
    Funding,
    Item,
    Meeting,
    Membership,
    Person,
    Proposal,
    Seat,
    Step,
    Submitter,
)

DIR = "factory"
FILES = {
    "factory.yaml": "factory", "bodies.yaml": "factory_body", "people.yaml": "factory_person",
    "memberships.yaml": "factory_membership", "proposals.yaml": "factory_proposal",
}
REQUIRED = ("factory.yaml", "bodies.yaml")
FOLDERS = {"meetings": "factory_meeting"}
DEFAULT_QUORUM = Decimal("0.5")
# Where each record type lives, for the data model page.
PLACE = {t: f"data/{DIR}/{n}" for n, t in FILES.items()} | {
    t: f"data/{DIR}/{n}/" for n, t in FOLDERS.items()}


def _d(text) -> date | None:
    return date.fromisoformat(text) if text else None


def _t(text: str) -> time:
    return time.fromisoformat(text)


def _files(root: Path, problems) -> list[tuple[Path, str]]:
    folder = root / DIR
    files = []
    for entry in sorted(folder.iterdir()):
        rel = f"data/{DIR}/{entry.name}"
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and entry.name in FOLDERS:
            from ...model.load import _walk  # never through symbolic links
            for file in _walk(entry, problems, root):
                if file.suffix not in (".yaml", ".yml"):
                    problems.add(f"{rel}/{file.relative_to(entry).as_posix()}", 0, 0, "",
                                 f"'{file.name}' is not a YAML file",
                                 f"data/{DIR}/{entry.name}/ holds only .yaml files")
                    continue
                files.append((file, FOLDERS[entry.name]))
        elif entry.is_file() and entry.name in FILES:
            files.append((entry, FILES[entry.name]))
        else:
            problems.add(rel, 0, 0, "", f"unexpected {'folder' if entry.is_dir() else 'file'} "
                         f"in data/{DIR}/", f"data/{DIR}/ holds " + ", ".join(
                             sorted(FILES) + [f"{n}/" for n in FOLDERS]))
    for name in REQUIRED:
        if not (folder / name).is_file():
            problems.add(f"data/{DIR}/{name}", 0, 0, "", "this required file is missing",
                         f"create data/{DIR}/{name}, or remove data/{DIR}/")
    return files


def load(root: Path, problems, where, parishes: dict, councils: dict,
         as_of: str = "", categories: dict | None = None) -> Factory | None:
    """The factory's records, or None when data/ has no factory/ folder.

    Waiting times are counted to `as_of` (the CABILDO_FACTORY_AS_OF setting) when given,
    else to the as_of of factory.yaml, else to the date of the newest record.
    """
    root = Path(root)
    if not (root / DIR).is_dir():
        return None
    found: dict[str, list] = {t: [] for t in list(FILES.values()) + list(FOLDERS.values())}
    read_files(_files(root, problems), root, problems, where, found)

    def src(located, path):
        return Source(located.path, located.where(path)[0])

    def dup(kind, record_id, located, path, seen):
        return budget_checks.duplicate(problems, where, (kind, record_id), located, path, seen)

    head = None
    for located, path, m in found["factory"]:
        where.remember(("factory",), located, path)
        head = (m, src(located, path))

    bodies: dict[str, Body] = {}
    seats_seen: dict = {}
    for located, path, m in found["factory_body"]:
        if dup("factory_body", m["id"], located, path, bodies):
            continue
        seats = []
        for i, s in enumerate(m.get("seats", [])):
            if dup("factory_seat", s["id"], located, path + ("seats", i), seats_seen):
                continue
            seats_seen[s["id"]] = True
            seats.append(Seat(s["id"], m["id"], s.get("label", ""), s.get("label_en", ""),
                              s["selection"]))
        bodies[m["id"]] = Body(
            id=m["id"], name=m["name"], name_en=m.get("name_en", ""), kind=m["kind"],
            parent_id=m.get("parent", ""), description=m.get("description", ""),
            description_en=m.get("description_en", ""), founded=_d(m.get("founded")),
            committees=m.get("committees"), term_years=m.get("term_years"),
            quorum=Decimal(str(m.get("quorum", DEFAULT_QUORUM))),
            majority=m.get("majority", "cast"),
            consensus_topics=tuple(m.get("consensus_topics", ())), seats=tuple(seats),
            source=src(located, path))

    people: dict[str, Person] = {}
    for located, path, m in found["factory_person"]:
        if dup("factory_person", m["id"], located, path, people):
            continue
        people[m["id"]] = Person(m["id"], m["name"], src(located, path))

    memberships = []
    for n, (located, path, m) in enumerate(found["factory_membership"]):
        where.remember(("factory_membership", n), located, path)
        memberships.append(Membership(
            person_id=m["person"], body_id=m["body"], seat_id=m.get("seat", ""),
            role=m.get("role", "member"), start=_d(m["start"]), end=_d(m.get("end")),
            source=src(located, path)))

    workers = head[0]["workers"] if head else 0
    meetings = []
    seen_meetings: dict = {}
    seen_decisions: dict = {}
    for located, path, m in found["factory_meeting"]:
        if dup("factory_meeting", m["id"], located, path, seen_meetings):
            continue
        seen_meetings[m["id"]] = True
        body = bodies.get(m["body"])
        day = _d(m["date"])
        entitled = entitled_on(body, day, bodies, memberships, workers) if body else 0
        needed = quorum_needed(entitled, body.quorum if body else DEFAULT_QUORUM)
        items, number = [], 0
        for i, it in enumerate(m["items"]):
            decisions = []
            for j, x in enumerate(it.get("decisions", [])):
                number += 1
                did = x.get("id") or f"{m['id']}-{number}"
                dpath = path + ("items", i, "decisions", j)
                if dup("factory_decision", did, located, dpath, seen_decisions):
                    continue
                seen_decisions[did] = True
                decision = Decision(
                    id=did, meeting_id=m["id"], body_id=m["body"], date=day, item=i + 1,
                    topic=it["topic"], text=x["text"], method=x["method"], yes=x.get("yes"),
                    no=x.get("no"), abstain=x.get("abstain"), reached=x.get("reached"),
                    objections=tuple(x.get("objections", ())), binding=x.get("binding", True),
                    proposal_id=x.get("proposal", ""), passed=False,
                    source=src(located, dpath))
                decisions.append(_with_result(decision, body, m["present"]))
            items.append(Item(i + 1, it["title"], it["topic"], it.get("minutes", ""),
                              tuple(decisions)))
        meetings.append(Meeting(
            id=m["id"], body_id=m["body"], date=day, place=m["place"], start=_t(m["start"]),
            end=_t(m["end"]), present=m["present"], entitled=entitled, quorum_needed=needed,
            chair_id=m.get("chair", ""), items=tuple(items), source=src(located, path)))

    proposals: dict[str, Proposal] = {}
    for located, path, m in found["factory_proposal"]:
        if dup("factory_proposal", m["id"], located, path, proposals):
            continue
        by = m["submitted_by"]
        submitter = Submitter(by["kind"], by.get("id", ""), by.get("name", ""))
        funding = None
        if "funding" in m:
            f = m["funding"]
            council = councils.get(submitter.id) if submitter.kind == "council" else None
            funding = Funding(Money(f["amount"], f["currency"]), f["category"],
                              f.get("parish") or (council.parish_id if council else ""))
        steps = tuple(Step(_d(s["date"]), s["kind"], s["body"], s.get("decision", ""),
                           s.get("waiting", ""), s.get("note", "")) for s in m["steps"])
        proposals[m["id"]] = Proposal(m["id"], m["title"], m.get("text", ""), m["topic"],
                                      submitter, funding, steps, src(located, path))

    if head is None:
        return None  # its problem is reported already
    m, source = head
    ministry = m["ministry"]
    dates = ([x.date for x in meetings] + [s.date for p in proposals.values() for s in p.steps]
             + [x.start for x in memberships] + [x.end for x in memberships if x.end])
    factory = Factory(
        id=m["id"], name=m["name"], name_en=m.get("name_en", ""),
        description=m.get("description", ""), description_en=m.get("description_en", ""),
        founded=_d(m.get("founded")), workers=m["workers"], ministry_id=ministry["id"],
        ministry_name=ministry["name"], ministry_name_en=ministry.get("name_en", ""),
        as_of=_d(as_of) or _d(m.get("as_of")) or max(dates, default=date(1970, 1, 1)),
        bodies=bodies, people=dict(sorted(people.items())),  # bodies in file order
        memberships=tuple(memberships),  # in file order: checks point at them by position
        meetings=tuple(sorted(meetings, key=lambda x: (x.date, x.start, x.id))),
        proposals=dict(sorted(proposals.items())), source=source)
    checks.run_all(problems, where, factory, parishes, councils)
    check_named(problems, where, categories or {},
                [(("factory_proposal", p.id), ("funding", "category"), p.funding.category)
                 for p in factory.proposals.values() if p.funding])
    return factory


def entitled_on(body: Body, day: date, bodies: dict, memberships, workers: int) -> int:
    """Members entitled to attend a meeting of `body` on `day`."""
    if body.founded and day < body.founded:
        return 0
    if body.kind == "assembly":
        return workers
    if body.seats:
        seats = {s.id for s in body.seats}
        return len({x.seat_id for x in memberships if x.seat_id in seats and x.active(day)})
    children = [b for b in bodies.values() if b.parent_id == body.id]
    if children:
        return sum(entitled_on(b, day, bodies, memberships, workers) for b in children)
    return len({x.person_id for x in memberships if x.body_id == body.id and x.active(day)})


def quorum_needed(entitled: int, share: Decimal) -> int:
    """More than `share` of the members: 0.5 of 113 is 57, of 7 is 4, of 2 is 2."""
    if entitled <= 0:
        return 0
    return min(entitled, math.floor(entitled * share) + 1)


def _with_result(decision: Decision, body: Body | None, present: int) -> Decision:
    """The decision with `passed` set by its body's rule."""
    from dataclasses import replace
    if decision.method == "consensus":
        passed = bool(decision.reached) and not decision.objections
    elif body is not None and body.majority == "present":
        passed = (decision.yes or 0) * 2 > present
    else:
        passed = (decision.yes or 0) > (decision.no or 0)
    return replace(decision, passed=passed)
