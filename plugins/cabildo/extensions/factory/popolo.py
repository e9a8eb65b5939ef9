"""The factory as a Popolo export (https://www.popoloproject.com), one JSON document.

    organizations  the factory, the ministry, each body (committees with parent_id = the
                   Workers' Council)
    posts          Board and committee seats; role: ministry-appointed | worker-elected
    persons        officers only (workers are counted, never listed)
    memberships    who held which post when; ministry appointees on_behalf_of the ministry
    events         meetings
    motions        proposals, each with its vote_events (its decisions in each body)
    vote_events    every decision: a consensus one has classification "consensus" and no
                   counts; a vote has counts (yes, no, abstain)

What Popolo lacks is given as extra properties, all named x_*: attendance and quorum
of meetings, objecting seats of a blocked consensus, whether a decision binds, where a
proposal waits and for how long.
"""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from .index import FactoryIndex
from .records import Decision

PATH = "fabrica/popolo.json"  # under the open data folder


def _drop_empty(d: dict) -> dict:
    return {k: v for k, v in d.items() if v not in (None, "", [], {})}


def export(ix: FactoryIndex, tz: str) -> dict:
    f = ix.factory
    zone = ZoneInfo(tz)

    def stamp(day: date, at: time = time(0, 0)) -> str:
        return datetime.combine(day, at, tzinfo=zone).isoformat()

    meetings = ix.meetings
    organizations = [
        _drop_empty({"id": f.id, "name": f.name, "classification": "factory",
                     "founding_date": f.founded.isoformat() if f.founded else None,
                     "other_names": [{"name": f.name_en, "note": "en"}] if f.name_en else []}),
        _drop_empty({"id": f.ministry_id, "name": f.ministry_name, "classification": "ministry",
                     "other_names": [{"name": f.ministry_name_en, "note": "en"}]
                     if f.ministry_name_en else []}),
    ]
    posts = []
    for body in f.bodies.values():
        organizations.append(_drop_empty({
            "id": body.id, "name": body.name, "classification": body.kind,
            "parent_id": body.parent_id or f.id,
            "founding_date": body.founded.isoformat() if body.founded else None,
            "other_names": [{"name": body.name_en, "note": "en"}] if body.name_en else [],
            "x_quorum_share": str(body.quorum), "x_majority": body.majority,
            "x_consensus_topics": list(body.consensus_topics),
            "x_committees": body.committees,
            "x_members_entitled": ix.members_on(body),
        }))
        for seat in body.seats:
            posts.append(_drop_empty({
                "id": seat.id, "label": seat.label or seat.id, "role": seat.selection,
                "organization_id": body.id,
                "other_label": [seat.label_en] if seat.label_en else []}))
    persons = [{"id": p.id, "name": p.name} for p in f.people.values()]
    seats = f.seats
    memberships = []
    for x in sorted(f.memberships, key=lambda x: (x.body_id, x.seat_id, x.start, x.person_id)):
        seat = seats.get(x.seat_id)
        memberships.append(_drop_empty({
            "id": x.id, "person_id": x.person_id, "organization_id": x.body_id,
            "post_id": x.seat_id or None, "role": x.role, "start_date": x.start.isoformat(),
            "end_date": x.end.isoformat() if x.end else None,
            "on_behalf_of_id": f.ministry_id if seat and seat.selection == "ministry-appointed"
            else None}))
    events = []
    for m in f.meetings:
        events.append(_drop_empty({
            "id": m.id, "name": f"{f.bodies[m.body_id].name}, {m.date.isoformat()}",
            "classification": "meeting", "organization_id": m.body_id,
            "start_date": stamp(m.date, m.start), "end_date": stamp(m.date, m.end),
            "location": m.place,
            "x_present": m.present, "x_entitled": m.entitled,
            "x_quorum_needed": m.quorum_needed, "x_quorum_met": m.quorum_met,
            "x_chair_id": m.chair_id or None,
            "x_agenda": [_drop_empty({"number": i.number, "title": i.title, "topic": i.topic,
                                      "minutes_markdown": i.minutes}) for i in m.items],
        }))

    def vote_event(d: Decision) -> dict:
        m = meetings[d.meeting_id]
        out = {
            "id": d.id, "organization_id": d.body_id, "legislative_session_id": d.meeting_id,
            "motion_id": d.proposal_id or None, "classification": d.method
            if d.method == "consensus" else "vote",
            "start_date": stamp(m.date, m.start), "end_date": stamp(m.date, m.end),
            "result": "pass" if d.passed else "fail",
            "x_text": d.text, "x_topic": d.topic, "x_binding": d.binding,
        }
        if d.method == "vote":
            out["counts"] = [{"option": "yes", "value": d.yes}, {"option": "no", "value": d.no},
                             {"option": "abstain", "value": d.abstain}]
        else:
            out["x_consensus_reached"] = bool(d.reached)
            out["x_objections"] = list(d.objections)
        return _drop_empty(out)

    vote_events = [vote_event(d) for d in sorted(f.decisions.values(),
                                                 key=lambda d: (d.date, d.id))]
    motions = []
    for p in f.proposals.values():
        state = ix.states[p.id]
        first = p.steps[0]
        by = p.submitted_by
        motions.append(_drop_empty({
            "id": p.id, "identifier": p.id, "organization_id": first.body_id,
            "text": p.text or p.title, "classification": p.topic,
            "date": stamp(first.date),
            "result": None if state.open else ("pass" if state.outcome == "approved" else "fail"),
            "vote_events": [vote_event(d) for d in sorted(ix.by_proposal.get(p.id, []),
                                                          key=lambda d: (d.date, d.id))],
            "x_title": p.title,
            "x_submitted_by": _drop_empty({"kind": by.kind, "id": by.id, "name": by.name}),
            "x_funding": _drop_empty({
                "amount": str(p.funding.amount.amount), "currency": p.funding.amount.currency,
                "category": p.funding.category, "parish_id": p.funding.parish_id,
            }) if p.funding else None,
            "x_status": _drop_empty({
                "open": state.open, "outcome": state.outcome, "body_id": state.body_id,
                "waiting_for": state.waiting, "since": state.since.isoformat(),
                "days": state.days if state.open else None, "as_of": ix.as_of.isoformat()}),
            "x_steps": [_drop_empty({"date": s.date.isoformat(), "kind": s.kind,
                                     "body_id": s.body_id, "decision_id": s.decision_id,
                                     "waiting_for": s.waiting, "note": s.note})
                        for s in p.steps],
        }))
    return {
        "x_as_of": ix.as_of.isoformat(),
        "organizations": organizations, "posts": posts, "persons": persons,
        "memberships": memberships, "events": events, "motions": motions,
        "vote_events": vote_events,
    }
