"""The factory's pages, as (route, template, context), and the labels they show.

Pure: each page is a function of the records it shows.
"""
from __future__ import annotations

from ...views.i18n import N_
from ...views.pages import Page
from .index import FactoryIndex
from .records import TOPICS

TOPIC_LABELS = {
    "property": N_("Property"), "pay": N_("Pay"), "hours": N_("Working hours"),
    "hiring": N_("Hiring"), "production": N_("Production"), "health": N_("Health"),
    "safety": N_("Safety"), "discipline": N_("Discipline"), "training": N_("Training"),
    "community": N_("Community projects"), "governance": N_("Elections and organisation"),
    "other": N_("Other"),
}
KIND_LABELS = {"assembly": N_("Assembly"), "council": N_("Council"),
               "committee": N_("Committee"), "board": N_("Board")}
SELECTION_LABELS = {"ministry-appointed": N_("appointed by the ministry"),
                    "worker-elected": N_("elected by the workers")}
ROLE_LABELS = {"member": N_("member"), "chair": N_("chair"), "secretary": N_("secretary"),
               "spokesperson": N_("spokesperson")}
STEP_LABELS = {"submitted": N_("Submitted"), "discussed": N_("Discussed"),
               "decided": N_("Decided"), "sent": N_("Sent"), "waiting": N_("Waiting")}
SUBMITTER_LABELS = {"workers": N_("The workers"), "body": N_("A body of the factory"),
                    "council": N_("A communal council"), "commune": N_("A commune")}


def factory_pages(ix: FactoryIndex, latest: int = 8) -> list[Page]:
    f = ix.factory
    pages = [
        Page("factory", {}, "factory.html", {
            "bodies": ix.top_bodies(), "open_proposals": ix.open,
            "latest_decisions": ix.latest[:latest], "community": ix.community}),
        Page("factory_proposals", {}, "factory_proposals.html", {
            "open_proposals": ix.open, "closed_proposals": ix.closed}),
        Page("factory_decisions", {}, "factory_decisions.html", {
            "decisions": ix.latest, "listing": "all"}),
    ]
    for body in f.bodies.values():
        pages.append(Page("factory_body", {"id": body.id}, "factory_body.html", {
            "body": body, "parent": f.bodies.get(body.parent_id),
            "children": ix.children.get(body.id, []),
            "holders": ix.composition(body), "history": ix.history(body),
            "members_now": ix.members_on(body),
            "meetings": list(reversed(ix.meetings_by_body.get(body.id, []))),
            "decisions": ix.by_body.get(body.id, []),
            "waiting_here": [p for p in ix.open if ix.states[p.id].body_id == body.id],
        }))
        pages.append(Page("factory_decisions_body", {"id": body.id}, "factory_decisions.html", {
            "decisions": ix.by_body.get(body.id, []), "listing": "body", "body": body}))
    for meeting in f.meetings:
        pages.append(Page("factory_meeting", {"id": meeting.id}, "factory_meeting.html", {
            "meeting": meeting, "body": f.bodies[meeting.body_id],
            "chair": f.people.get(meeting.chair_id)}))
    for year in ix.years:
        pages.append(Page("factory_decisions_year", {"year": year}, "factory_decisions.html", {
            "decisions": ix.by_year[year], "listing": "year", "year": year}))
    for topic in TOPICS:
        pages.append(Page("factory_decisions_topic", {"topic": topic}, "factory_decisions.html",
                          {"decisions": ix.by_topic.get(topic, []), "listing": "topic",
                           "topic": topic}))
    for proposal in f.proposals.values():
        pages.append(Page("factory_proposal", {"id": proposal.id}, "factory_proposal.html", {
            "proposal": proposal, "state": ix.states[proposal.id],
            "decisions": sorted(ix.by_proposal.get(proposal.id, []),
                                key=lambda d: (d.date, d.id))}))
    return pages
