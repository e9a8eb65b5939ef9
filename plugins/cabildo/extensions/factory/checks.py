"""Checks across the factory's records: counts against attendance and seats, who held
which seat when, consensus and quorum, references, and the order of dates.

Each check adds a Problem pointing at the file, line and field at fault, in the data
layer's format: `file:line:col: field: message (hint)`.
"""
from __future__ import annotations

import difflib
from collections import defaultdict

KIND_TYPE = {"body": "factory_body", "person": "factory_person", "seat": "factory_seat",
             "proposal": "factory_proposal", "decision": "factory_decision",
             "communal council": "council", "parish": "parish"}
# Ids defined inside other records: when one of those could not be read, its ids are unknown.
INSIDE = {"seat": "factory_body", "decision": "factory_meeting"}


def _add(problems, at, message, hint=""):
    path, line, col, field = at
    problems.add(path, line, col, field, message, hint)


def _unknown(problems, where, at, kind, value, known):
    unsure = where.unsure.get(KIND_TYPE[kind], ())
    if unsure is None or value in unsure or INSIDE.get(kind) in where.unsure:
        return  # its record could not be read: that problem is reported already
    close = difflib.get_close_matches(str(value), [str(k) for k in known], n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"add the {kind} first, or fix the id"
    _add(problems, at, f"unknown {kind} '{value}'", hint)


def _name(factory, body_id) -> str:
    body = factory.bodies.get(body_id)
    return body.name if body else body_id


def run_all(problems, where, factory, parishes, councils):
    _bodies(problems, where, factory)
    _memberships(problems, where, factory)
    _meetings(problems, where, factory)
    _proposals(problems, where, factory, parishes, councils)


def _bodies(problems, where, factory):
    children = defaultdict(list)
    for body in factory.bodies.values():
        key = ("factory_body", body.id)
        if body.parent_id:
            if body.parent_id not in factory.bodies:
                _unknown(problems, where, where(key, "parent"), "body", body.parent_id,
                         factory.bodies)
            else:
                children[body.parent_id].append(body)
        if body.kind in ("board", "committee") and not body.seats:
            _add(problems, where(key, "kind"), f"a {body.kind} needs its seats",
                 "list them under seats:, each with its id and selection")
    for body in factory.bodies.values():
        if body.committees is not None:
            found = [b for b in children[body.id] if b.kind == "committee"]
            if len(found) != body.committees:
                _add(problems, where(("factory_body", body.id), "committees"),
                     f"the {body.name} should have {body.committees} committees but "
                     f"{len(found)} are recorded",
                     f"add or remove committees (bodies with parent: {body.id}), or correct "
                     "committees")


def _memberships(problems, where, factory):
    seats = factory.seats
    by_seat = defaultdict(list)
    for n, x in enumerate(factory.memberships):
        key = ("factory_membership", n)
        if x.person_id not in factory.people:
            _unknown(problems, where, where(key, "person"), "person", x.person_id,
                     factory.people)
        body = factory.bodies.get(x.body_id)
        if body is None:
            _unknown(problems, where, where(key, "body"), "body", x.body_id, factory.bodies)
        if x.end and x.end < x.start:
            _add(problems, where(key, "end"), f"the term ends ({x.end}) before it starts "
                 f"({x.start})", "swap or correct the dates")
        if x.seat_id:
            seat = seats.get(x.seat_id)
            if seat is None:
                _unknown(problems, where, where(key, "seat"), "seat", x.seat_id, seats)
            elif body is not None and seat.body_id != body.id:
                _add(problems, where(key, "seat"),
                     f"seat '{x.seat_id}' belongs to the {_name(factory, seat.body_id)}, not "
                     f"to the {body.name}", "correct the seat or the body")
            else:
                by_seat[x.seat_id].append((n, x))
        elif body is not None and body.seats:
            _add(problems, where(key, "seat"), f"the {body.name} has seats: say which one "
                 "this person held", "add seat: with one of " + ", ".join(
                     s.id for s in body.seats))
    for seat_id, held in sorted(by_seat.items()):
        held.sort(key=lambda nx: (nx[1].start, nx[0]))
        for (_, a), (n, b) in zip(held, held[1:]):
            if a.end is None or b.start <= a.end:
                until = a.end.isoformat() if a.end else "with no end"
                _add(problems, where(("factory_membership", n), "start"),
                     f"seat '{seat_id}' is already held by '{a.person_id}' from {a.start} "
                     f"{'to ' + until if a.end else until}",
                     "one person per seat at a time: end the earlier term before this one "
                     "starts")


def _meetings(problems, where, factory):
    seats = factory.seats
    for meeting in factory.meetings:
        key = ("factory_meeting", meeting.id)
        body = factory.bodies.get(meeting.body_id)
        if body is None:
            _unknown(problems, where, where(key, "body"), "body", meeting.body_id,
                     factory.bodies)
        if meeting.date > factory.as_of:
            _add(problems, where(key, "date"), f"the meeting on {meeting.date} is after the "
                 f"data's as-of date ({factory.as_of})", "correct the date, or the factory's "
                 "as_of (or CABILDO_FACTORY_AS_OF)")
        if meeting.end <= meeting.start:
            _add(problems, where(key, "end"), f"the meeting ends ({meeting.end:%H:%M}) before "
                 f"it starts ({meeting.start:%H:%M})", "correct the times")
        if meeting.chair_id:
            if meeting.chair_id not in factory.people:
                _unknown(problems, where, where(key, "chair"), "person", meeting.chair_id,
                         factory.people)
            elif body is not None and body.seats and meeting.entitled and not any(
                    x.person_id == meeting.chair_id and x.body_id == body.id
                    and x.active(meeting.date) for x in factory.memberships):
                _add(problems, where(key, "chair"),
                     f"'{meeting.chair_id}' held no seat on the {body.name} on {meeting.date}",
                     "the chair is one of the members of that day")
        if body is None:
            continue
        if meeting.entitled == 0:
            _add(problems, where(key, "date"),
                 f"the {body.name} had no members on {meeting.date}",
                 "check the date, or the start and end dates of its memberships")
        elif body.seats and meeting.present > len(body.seats):
            _add(problems, where(key, "present"),
                 f"{meeting.present} present but the {body.name} has only {len(body.seats)} "
                 "seats", "count only the members holding a seat")
        elif meeting.present > meeting.entitled:
            _add(problems, where(key, "present"),
                 f"{meeting.present} present but the {body.name} had only {meeting.entitled} "
                 f"members on {meeting.date}",
                 "attendance cannot exceed membership: check it, or the memberships of that day")
        for item in meeting.items:
            for d in item.decisions:
                _decision(problems, where, factory, meeting, body, item, d, seats)


def _decision(problems, where, factory, meeting, body, item, d, seats):
    key = ("factory_decision", d.id)
    counts = (d.yes, d.no, d.abstain)
    if d.method == "vote":
        if None in counts:
            _add(problems, where(key, "method"), "a vote needs its yes, no and abstain counts",
                 "add yes:, no: and abstain: (0 when none)")
        elif d.cast > meeting.present:
            _add(problems, where(key, "yes"),
                 f"{d.cast} votes cast (for {d.yes}, against {d.no}, abstain {d.abstain}) but "
                 f"only {meeting.present} present", "votes cannot exceed attendance")
        if d.reached is not None or d.objections:
            _add(problems, where(key, "reached" if d.reached is not None else "objections"),
                 "reached and objections belong to consensus decisions",
                 "remove them, or set method: consensus")
        if item.topic in body.consensus_topics:
            _add(problems, where(key, "method"),
                 f"the {body.name} decides {item.topic} matters by consensus of all seats "
                 "present, not by vote", "set method: consensus, with reached: and any "
                 "objections")
    else:
        if any(c is not None for c in counts):
            _add(problems, where(key, "yes" if d.yes is not None else
                                 "no" if d.no is not None else "abstain"),
                 "a consensus decision has no vote counts", "remove them, or set method: vote")
        if d.reached is None:
            _add(problems, where(key, "method"), "a consensus decision needs reached: true or "
                 "false", "add reached:")
        elif d.reached and d.objections:
            _add(problems, where(key, "reached"),
                 f"consensus is marked reached but {', '.join(d.objections)} objected",
                 "one objection blocks consensus: set reached: false, or remove the objection")
        for i, seat_id in enumerate(d.objections):
            seat = seats.get(seat_id)
            if seat is None:
                _unknown(problems, where, where(key, "objections", i), "seat", seat_id, seats)
            elif seat.body_id != body.id:
                _add(problems, where(key, "objections", i),
                     f"seat '{seat_id}' is not a seat of the {body.name}",
                     "only the body's own seats can object")
    if meeting.entitled and not meeting.quorum_met and meeting.present <= meeting.entitled:
        _add(problems, where(key),
             f"a decision without quorum: {meeting.present} present, {meeting.quorum_needed} "
             f"needed (more than {body.quorum:%} of {meeting.entitled})",
             "a meeting without quorum cannot decide; remove the decision or correct the "
             "attendance")
    if d.proposal_id and d.proposal_id not in factory.proposals:
        _unknown(problems, where, where(key, "proposal"), "proposal", d.proposal_id,
                 factory.proposals)


def _proposals(problems, where, factory, parishes, councils):
    decisions = factory.decisions
    for p in factory.proposals.values():
        key = ("factory_proposal", p.id)
        by = p.submitted_by
        if by.kind == "body":
            if by.id not in factory.bodies:
                _unknown(problems, where, where(key, "submitted_by", "id"), "body", by.id,
                         factory.bodies)
        elif by.kind == "council":
            if by.id not in councils:
                _unknown(problems, where, where(key, "submitted_by", "id"), "communal council",
                         by.id, councils)
        elif by.kind == "commune" and not by.name:
            _add(problems, where(key, "submitted_by"), "a commune's proposal needs its name",
                 "add name: with the commune's name")
        if p.funding is not None:
            if not p.funding.parish_id and by.kind != "council":
                _add(problems, where(key, "funding"), "a community project needs its parish",
                     "add parish: to funding")
            elif p.funding.parish_id and p.funding.parish_id not in parishes:
                _unknown(problems, where, where(key, "funding", "parish"), "parish",
                         p.funding.parish_id, parishes)
            elif by.kind == "council" and by.id in councils and \
                    councils[by.id].parish_id != p.funding.parish_id:
                _add(problems, where(key, "funding", "parish"),
                     f"council '{by.id}' is in parish '{councils[by.id].parish_id}', not "
                     f"'{p.funding.parish_id}'", "remove parish: (the council's is used)")
        previous = None
        for i, step in enumerate(p.steps):
            if previous and step.date < previous:
                _add(problems, where(key, "steps", i, "date"),
                     f"step dated {step.date} comes after one dated {previous}",
                     "list the steps in date order")
            previous = step.date
            if step.date > factory.as_of:
                _add(problems, where(key, "steps", i, "date"),
                     f"step dated {step.date} is after the data's as-of date ({factory.as_of})",
                     "correct the date, or the factory's as_of (or CABILDO_FACTORY_AS_OF)")
            if step.body_id not in factory.bodies:
                _unknown(problems, where, where(key, "steps", i, "body"), "body", step.body_id,
                         factory.bodies)
            if step.kind == "decided" and not step.decision_id:
                _add(problems, where(key, "steps", i, "kind"),
                     "a decided step names its decision", "add decision: with its id")
            if step.decision_id:
                d = decisions.get(step.decision_id)
                if d is None:
                    _unknown(problems, where, where(key, "steps", i, "decision"), "decision",
                             step.decision_id, decisions)
                elif d.proposal_id != p.id:
                    _add(problems, where(key, "steps", i, "decision"),
                         f"decision '{d.id}' is about "
                         f"{repr(d.proposal_id) if d.proposal_id else 'no proposal'}, "
                         f"not '{p.id}'", f"add proposal: {p.id} to the decision, or correct "
                         "the id")
                elif (d.date, d.body_id) != (step.date, step.body_id):
                    _add(problems, where(key, "steps", i, "decision"),
                         f"decision '{d.id}' was taken by {d.body_id} on {d.date}, not by "
                         f"{step.body_id} on {step.date}", "give the step the decision's date "
                         "and body")
