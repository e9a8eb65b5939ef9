"""The factory: its data checks (each rule broken once in a copy of the demo data), the
sanitised minutes, the pages' counts and waiting times, the Popolo export, the open data
and the Atom feeds. Site tests run a real Pelican build into a temporary folder.
"""
import csv
import json
import re
import shutil
from datetime import date
from decimal import Decimal
from html import unescape
from xml.etree import ElementTree

import pytest

from cabildo.extensions.factory.index import FactoryIndex
from cabildo.extensions.factory.text import render
from cabildo.model.load import load_dataset
from cabildo.model.problems import DataProblems
from cabildo.model.settings import SettingsError
from cabildo.model.settings import read as read_settings
from cabildo.pelican.build import build

from conftest import ROOT

DATA = ROOT / "data"
SETTINGS = str(ROOT / "pelicanconf.py")
POPOLO = ROOT.parent / "shared" / "standards" / "popolo"
ATOM = "{http://www.w3.org/2005/Atom}"


# --- helpers ---------------------------------------------------------------------------

@pytest.fixture
def data(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def edit(data, rel, old, new, at=None):
    """Replace the first `old` in data/factory/REL by `new`; return the 1-based line of
    `at` inside `new` (of the start of `new` without it; with at=">text", of the first
    "text" from there on in the edited file)."""
    path = data / "factory" / rel
    text = path.read_text("utf-8")
    assert old in text, f"fixture text not found in {rel}: {old!r}"
    start = text.index(old)
    edited = text.replace(old, new, 1)
    if at and at.startswith(">"):
        offset = edited.index(at[1:], start)
    else:
        offset = start + (new.index(at) if at else 0)
    path.write_text(edited, "utf-8")
    return edited[:offset].count("\n") + 1


def problems_of(data):
    with pytest.raises(DataProblems) as caught:
        load_dataset(data)
    return caught.value.problems


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def page(site, path):
    return (site / path / "index.html").read_text("utf-8")


def run_build(output, data=None, **overrides):
    if data:
        overrides["CABILDO_DATA_DIR"] = str(data)
    return build(SETTINGS, str(output), overrides, quiet=True)


# --- the data layer ----------------------------------------------------------------------

def test_demo_factory_loads_as_described():
    factory = load_dataset(DATA).extensions["factory"]
    assert factory.workers == 113 and factory.as_of == date(2026, 11, 15)
    bodies = factory.bodies
    assert bodies["consejo-trabajadores"].committees == 9
    committees = [b for b in bodies.values() if b.parent_id == "consejo-trabajadores"]
    assert len(committees) == 9 and all(len(b.seats) == 2 for b in committees)
    board = bodies["junta-directiva"]
    assert [s.selection for s in board.seats].count("ministry-appointed") == 3
    assert [s.selection for s in board.seats].count("worker-elected") == 4
    assert board.consensus_topics == ("property",)
    assert {m.date.year for m in factory.meetings} == {2023, 2024, 2025, 2026}
    community = [p for p in factory.proposals.values() if p.funding]
    assert len(community) >= 4
    assert all(isinstance(p.funding.amount.amount, Decimal) for p in community)
    assert all(p.submitted_by.kind == "council" for p in community)


def test_waiting_is_counted_to_the_as_of_date_never_the_clock():
    factory = load_dataset(DATA).extensions["factory"]
    ix = FactoryIndex(factory)
    state = ix.states["propiedad-social"]
    assert state.open and state.body_id == "junta-directiva" and state.waiting == "convene"
    assert state.days == (date(2026, 11, 15) - factory.proposals["propiedad-social"].steps[-1].date).days
    assert state.days == 412
    # The Board has not met since the proposal was sent to it.
    assert all(m.date < state.since for m in ix.meetings_by_body["junta-directiva"])
    later = FactoryIndex(factory, date(2026, 12, 15))
    assert later.states["propiedad-social"].days == 442
    assert ix.open[0].id == "propiedad-social"  # longest wait first
    assert [ix.states[p.id].days for p in ix.open] == sorted(
        (ix.states[p.id].days for p in ix.open), reverse=True)
    equal_pay = ix.states["igualdad-salarial"]
    assert not equal_pay.open and equal_pay.outcome == "approved"
    assert equal_pay.body_id == "asamblea-trabajadores"
    board_said = [d for d in ix.by_proposal["igualdad-salarial"] if d.body_id == "junta-directiva"]
    assert board_said and board_said[0].date < equal_pay.since and not board_said[0].binding


def test_the_record_types_have_their_place():
    from cabildo.extensions.factory import EXTENSION
    from cabildo.extensions.factory.load import FILES, FOLDERS
    PLACE = EXTENSION.places()  # what the data model page documents
    for name, record_type in FILES.items():
        assert PLACE[record_type] == f"data/factory/{name}"
    for name, record_type in FOLDERS.items():
        assert PLACE[record_type] == f"data/factory/{name}/"


def test_data_without_a_factory_has_none():
    data = ROOT / "tests" / "fixtures" / "riverside" / "data"
    assert load_dataset(data).extensions["factory"] is None


# Each rule: (file, old text, new text, marker of the expected line in new text,
#             end of the field path, message).
M23, M24, M25, M26 = "meetings/2023.yaml", "meetings/2024.yaml", "meetings/2025.yaml", \
    "meetings/2026.yaml"
RULES = {
    "votes above attendance": (
        M23, "      yes: 7\n      no: 0\n", "      yes: 7\n      no: 1\n", "yes",
        "decisions[0].yes",
        "8 votes cast (for 7, against 1, abstain 0) but only 7 present "
        "(votes cannot exceed attendance)"),
    "attendance above membership": (
        M23, "  present: 16\n", "  present: 19\n", None, "present",
        "19 present but the Consejo de Trabajadores had only 18 members on 2023-05-10"),
    "a Board meeting with more than its seats": (
        M23, "  present: 7\n  chair: hector", "  present: 8\n  chair: hector", None, "present",
        "8 present but the Junta Directiva has only 7 seats"),
    "consensus with an objection marked reached": (
        M23, "      reached: false\n      objections:\n      - junta-ministerio-2",
        "      reached: true\n      objections:\n      - junta-ministerio-2", None,
        "decisions[0].reached",
        "consensus is marked reached but junta-ministerio-2 objected (one objection blocks "
        "consensus: set reached: false, or remove the objection)"),
    "a meeting on a date when the body had no members": (
        M24, "  date: 2024-02-22\n", "  date: 2022-02-22\n", None, "date",
        "the Junta Directiva had no members on 2022-02-22"),
    "two people in one seat at once": (
        "memberships.yaml", "  seat: junta-ministerio-2\n  role: member\n  start: 2025-05-01",
        "  seat: junta-ministerio-2\n  role: member\n  start: 2025-04-01", "start", "start",
        "seat 'junta-ministerio-2' is already held by 'miriam-dividive-saman' from 2023-01-16 "
        "to 2025-04-30"),
    "a committee count other than the configured one": (
        "bodies.yaml", "  committees: 9\n", "  committees: 8\n", None, "committees",
        "the Consejo de Trabajadores should have 8 committees but 9 are recorded"),
    "unknown proposal": (
        M26, "      proposal: comedor-los-tamarindos", "      proposal: comedor-los-tamarindo",
        None, "proposal",
        "unknown proposal 'comedor-los-tamarindo' (did you mean 'comedor-los-tamarindos'?)"),
    "unknown body": (
        M24, "  body: comite-comunidad\n", "  body: comite-comunida\n", None, "body",
        "unknown body 'comite-comunida' (did you mean 'comite-comunidad'?)"),
    "unknown council": (
        "proposals.yaml", "    id: lara-los-cujies\n", "    id: lara-los-cujie\n", None,
        "submitted_by.id",
        "unknown communal council 'lara-los-cujie' (did you mean 'lara-los-cujies'?)"),
    "a proposal timeline out of date order": (
        "proposals.yaml", "  - date: 2024-11-14\n    kind: discussed",
        "  - date: 2024-06-14\n    kind: discussed", None, "date",
        "step dated 2024-06-14 comes after one dated 2024-07-12 (list the steps in date order)"),
    # Further rules of the same checks.
    "a vote without its counts": (
        M23, "      method: vote\n      yes: 7\n      no: 0\n      abstain: 0\n",
        "      method: vote\n      yes: 7\n      no: 0\n", None, "method",
        "a vote needs its yes, no and abstain counts"),
    "a crucial matter decided by vote": (
        M23, "      method: consensus\n      reached: false\n      objections:\n"
             "      - junta-ministerio-2\n",
        "      method: vote\n      yes: 4\n      no: 3\n      abstain: 0\n", None, "method",
        "the Junta Directiva decides property matters by consensus of all seats present, "
        "not by vote"),
    "reached on a vote": (
        M23, "      yes: 7\n", "      reached: true\n      yes: 7\n", None, "reached",
        "reached and objections belong to consensus decisions"),
    "counts on a consensus": (
        M23, "      method: consensus\n      reached: true\n",
        "      method: consensus\n      yes: 3\n      reached: true\n", "yes", "yes",
        "a consensus decision has no vote counts"),
    "a consensus without reached": (
        M23, "      method: consensus\n      reached: true\n", "      method: consensus\n",
        None, "method", "a consensus decision needs reached: true or false"),
    "an objection by a seat of another body": (
        M23, "      - junta-ministerio-2\n", "      - salud-1\n", None, "objections[0]",
        "seat 'salud-1' is not a seat of the Junta Directiva"),
    "an objection by an unknown seat": (
        M23, "      - junta-ministerio-2\n", "      - junta-ministerio-9\n", None,
        "objections[0]", "unknown seat 'junta-ministerio-9'"),
    "a decision without quorum": (
        M24, "  present: 2\n  items:\n  - title: Solicitud del Consejo Comunal Los Cujíes",
        "  present: 1\n  items:\n  - title: Solicitud del Consejo Comunal Los Cujíes",
        ">    - text:",
        "decisions[0]", "a decision without quorum: 1 present, 2 needed (more than 50% of 2)"),
    "a chair without a seat that day": (
        M23, "  chair: hector-guamacho-taparo\n", "  chair: carmen-cuji-palosano\n", None,
        "chair", "'carmen-cuji-palosano' held no seat on the Junta Directiva on 2023-06-15"),
    "an unknown chair": (
        M23, "  chair: hector-guamacho-taparo\n", "  chair: hector-guamacho\n", None, "chair",
        "unknown person 'hector-guamacho' (did you mean 'hector-guamacho-taparo'?)"),
    "a meeting that ends before it starts": (
        M23, "  start: '09:00'\n  end: '12:00'\n", "  start: '09:00'\n  end: '08:00'\n", "end",
        "end", "the meeting ends (08:00) before it starts (09:00)"),
    "a meeting after the as-of date": (
        M25, "  date: 2025-11-12\n", "  date: 2026-11-20\n", None, "date",
        "the meeting on 2026-11-20 is after the data's as-of date (2026-11-15)"),
    "a time that is not HH:MM": (
        M23, "  start: '08:00'\n", "  start: 8 am\n", None, "start",
        "'8 am' does not have the expected form"),
    "a duplicate meeting id": (
        M24, "- id: 2024-02-22-junta\n", "- id: 2024-02-20-comite-comunidad\n", None, "id",
        "duplicate factory meeting id '2024-02-20-comite-comunidad'"),
    "an unknown person in a membership": (
        "memberships.yaml", "- person: hector-guamacho-taparo\n",
        "- person: hector-guamacho-tapar\n", None, "person",
        "unknown person 'hector-guamacho-tapar' (did you mean 'hector-guamacho-taparo'?)"),
    "an unknown body in a membership": (
        "memberships.yaml", "  body: junta-directiva\n", "  body: junta-directivo\n", None,
        "body", "unknown body 'junta-directivo' (did you mean 'junta-directiva'?)"),
    "an unknown seat": (
        "memberships.yaml", "  seat: junta-ministerio-1\n", "  seat: junta-ministerio-0\n", None,
        "seat", "unknown seat 'junta-ministerio-0'"),
    "a seat of another body": (
        "memberships.yaml", "  seat: junta-ministerio-1\n", "  seat: salud-1\n", None, "seat",
        "seat 'salud-1' belongs to the Comité de Salud, not to the Junta Directiva"),
    "a seated body's membership without its seat": (
        "memberships.yaml",
        "- person: hector-guamacho-taparo\n  body: junta-directiva\n  seat: junta-ministerio-1\n",
        "- person: hector-guamacho-taparo\n  body: junta-directiva\n", None, "seat",
        "the Junta Directiva has seats: say which one this person held"),
    "a term that ends before it starts": (
        "memberships.yaml", "  end: 2025-04-30\n", "  end: 2022-04-30\n", None, "end",
        "the term ends (2022-04-30) before it starts (2023-01-16)"),
    "an unknown parent body": (
        "bodies.yaml", "  parent: consejo-trabajadores\n", "  parent: consejo-trabajador\n", None,
        "parent", "unknown body 'consejo-trabajador' (did you mean 'consejo-trabajadores'?)"),
    "a duplicate seat id": (
        "bodies.yaml", "  - id: salud-2\n", "  - id: salud-1\n", None, "id",
        "duplicate factory seat id 'salud-1'"),
    "a board without seats": (
        "bodies.yaml", "  kind: board\n", "  kind: board\n  seats: []\n", None, "kind",
        "a board needs its seats"),
    "an unknown submitting body": (
        "proposals.yaml", "    id: comite-contraloria\n", "    id: comite-contralori\n", None,
        "submitted_by.id",
        "unknown body 'comite-contralori' (did you mean 'comite-contraloria'?)"),
    "a commune without its name": (
        "proposals.yaml", "  submitted_by:\n    kind: council\n    id: lara-los-cujies\n",
        "  submitted_by:\n    kind: commune\n", None, "submitted_by",
        "a commune's proposal needs its name"),
    "a commune's project without its parish": (
        "proposals.yaml", "    kind: council\n    id: lara-los-cujies\n",
        "    kind: commune\n    name: Comuna El Cují\n", ">  funding:", "funding",
        "a community project needs its parish"),
    "a project in another parish than its council's": (
        "proposals.yaml", "    currency: VES\n    category: water\n",
        "    currency: VES\n    category: water\n    parish: torres\n", "parish",
        "funding.parish", "council 'lara-los-cujies' is in parish 'lara', not 'torres'"),
    "an unknown parish": (
        "proposals.yaml", "    currency: VES\n    category: water\n",
        "    currency: VES\n    category: water\n    parish: torre\n", "parish",
        "funding.parish", "unknown parish 'torre' (did you mean 'torres'?)"),
    "a step after the as-of date": (
        "proposals.yaml", "  - date: 2026-10-02\n    kind: sent",
        "  - date: 2026-11-20\n    kind: sent", None, "date",
        "step dated 2026-11-20 is after the data's as-of date (2026-11-15)"),
    "a step at an unknown body": (
        "proposals.yaml", "    kind: sent\n    body: junta-directiva\n    waiting: convene\n    "
        "note: Los", "    kind: sent\n    body: junta\n    waiting: convene\n    note: Los",
        "body", "body", "unknown body 'junta'"),
    "a decided step without its decision": (
        "proposals.yaml",
        "    kind: decided\n    body: consejo-trabajadores\n    decision: 2025-10-20-consejo-1\n",
        "    kind: decided\n    body: consejo-trabajadores\n", None, "kind",
        "a decided step names its decision"),
    "a step naming an unknown decision": (
        "proposals.yaml", "    decision: 2025-10-20-consejo-1\n",
        "    decision: 2025-10-20-consejo-9\n", None, "decision",
        "unknown decision '2025-10-20-consejo-9'"),
    "a step naming a decision about something else": (
        "proposals.yaml", "    decision: 2025-10-20-consejo-1\n",
        "    decision: 2025-11-12-comite-salud-1\n", None, "decision",
        "decision '2025-11-12-comite-salud-1' is about no proposal, not "
        "'reposicion-maquinaria'"),
    "a step dated otherwise than its decision": (
        "proposals.yaml", "  - date: 2025-09-26\n    kind: decided\n    body: asamblea",
        "  - date: 2025-09-27\n    kind: decided\n    body: asamblea",
        ">    decision: 2025-09-26-asamblea-1", "decision",
        "decision '2025-09-26-asamblea-1' was taken by asamblea-trabajadores on 2025-09-26, "
        "not by asamblea-trabajadores on 2025-09-27"),
}


@pytest.mark.parametrize("rule", list(RULES))
def test_each_rule_points_at_the_file_line_and_field(data, rule):
    rel, old, new, at, field_end, message = RULES[rule]
    line = edit(data, rel, old, new, at)
    found = problems_of(data)
    path = f"data/factory/{rel}"
    mine = [p for p in found if p.path == path and message in str(p)]
    assert mine, f"no problem saying {message!r}; found:\n" + "\n".join(map(str, found))
    problem = mine[0]
    assert problem.line == line, str(problem)
    assert problem.field.endswith(field_end), str(problem)
    assert re.fullmatch(rf"{re.escape(path)}:{line}:\d+: \S+: .+", str(problem)), str(problem)


def test_an_unexpected_file_and_a_missing_required_one(data):
    (data / "factory" / "notes.txt").write_text("x")
    (data / "factory" / "bodies.yaml").unlink()
    found = [str(p) for p in problems_of(data)]
    assert any(p.startswith("data/factory/notes.txt:0:0: (file): unexpected file in "
                            "data/factory/") for p in found), found
    assert any(p.startswith("data/factory/bodies.yaml:0:0: (file): this required file is "
                            "missing") for p in found), found


def test_a_factory_file_in_the_wrong_folder_is_named(data):
    shutil.move(data / "factory" / "people.yaml", data / "projects" / "people.yaml")
    found = [str(p) for p in problems_of(data)]
    assert any("this file holds factory person records but sits in data/projects/ "
               "(move it to data/factory/people.yaml)" in p for p in found), found


def test_a_wrong_as_of_setting_stops_the_build():
    with pytest.raises(SettingsError, match="CABILDO_FACTORY_AS_OF"):
        read_settings({"CABILDO_FACTORY_AS_OF": "15/11/2026"})


# --- minutes: Markdown, sanitised --------------------------------------------------------

EVIL = ("Hola **todos**. <script>alert('x')</script> [clic](javascript:alert(1)) "
        "<img src=x onerror=alert(2)> <div onclick=\"evil()\">texto crudo</div> "
        "<a href=\"JaVaScRiPt:alert(3)\">otro</a> <iframe src=\"https://evil.example\"></iframe> "
        "<style>body{display:none}</style> [acta](https://example.org/acta.pdf) "
        "[correo](mailto:consejo@example.org)")


def test_minutes_are_rendered_and_sanitised():
    html = str(render(EVIL))
    assert "<strong>todos</strong>" in html
    assert "<script" not in html and "alert('x')" not in html
    assert "javascript" not in html.lower()
    assert "onerror" not in html and "onclick" not in html and "<img" not in html
    assert "<div" not in html and "<iframe" not in html and "<style" not in html
    assert "texto crudo" in html  # the text of removed tags stays, as text
    assert '<a href="https://example.org/acta.pdf" rel="nofollow noopener noreferrer">acta</a>' \
        in html
    assert 'href="mailto:consejo@example.org"' in html


def test_malicious_minutes_are_inert_on_the_built_page(tmp_path, data):
    minutes = "    minutes: |\n      " + EVIL + "\n"
    edit(data, M23, "    minutes: |\n      Se presentó el plan de compra", minutes +
         "      Se presentó el plan de compra")
    out = tmp_path / "out"
    assert run_build(out, data) == 0
    for path in ("fabrica/reuniones/2023-06-15-junta", "en/factory/meetings/2023-06-15-junta"):
        html = page(out, path)
        assert "<script>alert" not in html and "javascript:" not in html.lower()
        assert "onerror" not in html and "onclick" not in html and "<iframe" not in html
        assert "texto crudo" in text_of(html)
    for f in out.rglob("*.html"):
        assert "alert(" not in f.read_text("utf-8"), f


# --- the built site ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("factory") / "output"
    assert run_build(out) == 0
    return out


@pytest.fixture(scope="module")
def factory():
    return load_dataset(DATA).extensions["factory"]


def test_overview_lists_open_proposals_by_how_long_they_waited(site, factory):
    ix = FactoryIndex(factory)
    es = text_of(page(site, "fabrica"))
    assert "Junta Directiva: en espera de que se reúna, 412 días" in es
    positions = [es.index(p.title) for p in ix.open]
    assert positions == sorted(positions)
    assert "113" in es and "15 de noviembre de 2026" in es
    en = text_of(page(site, "en/factory"))
    assert "Waiting for the Board of Directors to convene: 412 days" in en
    assert "Waiting for the Workers' Assembly to put it on its agenda: 44 days" in en
    # Current composition: who holds the Board's seats on the as-of date.
    for name in ("Héctor Guamacho Taparo", "Gustavo Curarire Maguey", "Zulay Guatacare Buría"):
        assert name in es
    assert "Miriam Dividive Samán" not in es  # her term ended in 2025
    # Latest decisions, newest first.
    newest = ix.latest[0]
    assert newest.text in es


def test_as_of_setting_moves_every_waiting_time(tmp_path):
    out = tmp_path / "out"
    assert run_build(out, CABILDO_FACTORY_AS_OF="2026-12-15") == 0
    assert "Waiting for the Board of Directors to convene: 442 days" in text_of(
        page(out, "en/factory/proposals/propiedad-social"))


def test_meeting_page_shows_attendance_quorum_and_each_decision(site, factory):
    meeting = next(m for m in factory.meetings if m.id == "2025-09-26-asamblea")
    text = text_of(page(site, f"fabrica/reuniones/{meeting.id}"))
    assert f"{meeting.present} de {meeting.entitled} miembros" in text
    assert f"se necesitan {meeting.quorum_needed}" in text and meeting.quorum_needed == 57
    vote = meeting.decisions[1]
    assert (f"Votación: {vote.yes} a favor, {vote.no} en contra, {vote.abstain} abstenciones. "
            "Aprobada.") in text
    assert "Hubo consenso." in text and "opinión, no vinculante" in text
    html = page(site, f"fabrica/reuniones/{meeting.id}")
    for d in meeting.decisions:
        assert f'id="{d.id}"' in html
    blocked = text_of(page(site, "en/factory/meetings/2023-06-15-junta"))
    assert "No consensus. Blocked by the objection of: Seat 2, Board of Directors " \
           "(appointed by the ministry)." in blocked
    lacking = text_of(page(site, "en/factory/meetings/2024-09-18-comite-seguridad"))
    assert "1 of 2 members" in lacking and "not met, so no decision could be taken" in lacking


def test_a_vote_says_how_many_present_did_not_vote(site, factory):
    """97 present, 95 votes cast: the page says 2 did not vote; full votes say nothing."""
    found = 0
    for meeting in factory.meetings:
        votes = [d for d in meeting.decisions if d.method == "vote"]
        if not votes:
            continue
        text = text_of(page(site, f"fabrica/reuniones/{meeting.id}"))
        silent = [meeting.present - d.cast for d in votes if meeting.present > d.cast]
        for n in silent:
            assert (f"{n} miembros presentes no votaron." if n > 1
                    else "1 miembro presente no votó.") in text
        if not silent:
            assert "no vot" not in text
        found += len(silent)
    assert found


def test_body_pages_show_seats_meetings_and_decisions(site, factory):
    ix = FactoryIndex(factory)
    board = factory.bodies["junta-directiva"]
    text = text_of(page(site, "en/factory/bodies/junta-directiva"))
    assert "7 / 7 seats" in text
    assert text.count("appointed by the ministry") >= 3
    assert "Decisions of this body, newest first" in text
    for d in ix.by_body[board.id]:
        assert d.text in text
    assert "Miriam Dividive Samán" in text  # in the history of terms
    assembly = text_of(page(site, "en/factory/bodies/asamblea-trabajadores"))
    assert "All 113 workers of the factory. Workers are counted, never listed." in assembly


def test_proposal_pages_show_the_path_and_the_outcome(site, factory):
    text = text_of(page(site, "en/factory/proposals/igualdad-salarial"))
    assert "Approved by the Workers' Assembly on July 18, 2025." in text
    assert "Vote: 4 for, 3 against, 0 abstaining. Passed. opinion, not binding" in text
    rejected = text_of(page(site, "fabrica/propuestas/techado-cancha-el-rosal"))
    assert "Rechazada el 12 de julio de 2024 (Asamblea de Trabajadores)." in rejected
    community = page(site, "fabrica/propuestas/bomba-agua-los-cujies")
    assert 'href="/consejos/lara-los-cujies/"' in community
    assert 'href="/parroquias/lara/"' in community
    assert "Bs. 1.850.000,00" in text_of(community)


def test_decisions_index_by_body_year_and_topic(site, factory):
    decisions = factory.decisions.values()
    def count(n):
        return f"{n} decisión." if n == 1 else f"{n} decisiones."

    assert count(len(decisions)) in text_of(page(site, "fabrica/decisiones"))
    for year in {d.date.year for d in decisions}:
        n = sum(1 for d in decisions if d.date.year == year)
        assert count(n) in text_of(page(site, f"fabrica/decisiones/{year}"))
    n = sum(1 for d in decisions if d.topic == "property")
    assert count(n) in text_of(page(site, "fabrica/decisiones/tema/property"))
    n = sum(1 for d in decisions if d.body_id == "junta-directiva")
    assert count(n) in text_of(page(site, "fabrica/decisiones/organo/junta-directiva"))
    assert count(0) in text_of(page(site, "fabrica/decisiones/tema/other"))


def test_factory_projects_are_a_separate_source_on_parish_pages(site, factory):
    lara = text_of(page(site, "parroquias/lara"))
    assert "Pagados con las ganancias de la fábrica" in lara
    assert "Bomba de agua para el pozo de Los Cujíes" in lara and "Bs. 1.850.000,00" in lara
    assert "Bomba de agua" in text_of(page(site, "parroquias/lara/2024"))
    assert "Pagados con las ganancias de la fábrica" not in text_of(page(site, "parroquias/lara/2025"))
    assert "Bomba de agua" in text_of(page(site, "consejos/lara-los-cujies"))
    assert "Paid from the factory's profits" in text_of(page(site, "en/parishes/el-blanco/2026"))
    # A rejected request is not listed as funded.
    assert "Techado" not in text_of(page(site, "parroquias/torres"))


def test_nav_links_the_factory(site):
    assert 'href="/fabrica/">Fábrica</a>' in page(site, "")
    assert 'href="/en/factory/">Factory</a>' in page(site, "en")


def test_a_municipality_without_factory_has_no_factory_pages(tmp_path):
    out = tmp_path / "out"
    data = ROOT / "tests" / "fixtures" / "riverside" / "data"
    assert run_build(out, data, DEFAULT_LANG="en", CABILDO_DEMO_NOTICE=False) == 0
    assert not (out / "factory").exists() and not (out / "es" / "fabrica").exists()
    assert "/factory/" not in page(out, "")
    package = json.loads((out / "datos" / "datapackage.json").read_text())
    assert not [r for r in package["resources"] if r["name"].startswith("fabrica-")]


# --- open data, Popolo, feeds ------------------------------------------------------------

def test_open_data_has_meetings_and_decisions(site, factory):
    package = json.loads((site / "datos" / "datapackage.json").read_text())
    names = {r["name"] for r in package["resources"]}
    assert {"fabrica-organos", "fabrica-reuniones", "fabrica-decisiones",
            "fabrica-propuestas"} <= names
    with open(site / "datos" / "fabrica-decisiones.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(factory.decisions)
    row = next(r for r in rows if r["id"] == "2023-06-15-junta-1")
    assert row["method"] == "consensus" and row["objections"] == "junta-ministerio-2"
    assert row["passed"] == "false" and row["yes"] == ""
    meetings = json.loads((site / "datos" / "fabrica-reuniones.json").read_text())
    assert len(meetings) == len(factory.meetings)
    assert all(isinstance(m["present"], int) for m in meetings)
    proposals = json.loads((site / "datos" / "fabrica-propuestas.json").read_text())
    social = next(p for p in proposals if p["id"] == "propiedad-social")
    assert social["days_waiting"] == 412 and social["status"] == "open"
    cujies = next(p for p in proposals if p["id"] == "bomba-agua-los-cujies")
    assert cujies["amount"] == "1850000.00"  # exact text, never a float


def popolo_validators():
    from jsonschema import Draft3Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT3
    schemas, registry = {}, Registry()
    for path in sorted(POPOLO.glob("*.json")):
        schema = json.loads(path.read_text("utf-8"))
        schemas[path.stem] = schema
        registry = registry.with_resource(
            schema["id"].rstrip("#"), Resource.from_contents(schema, default_specification=DRAFT3))
    return {name: Draft3Validator(schema, registry=registry,
                                  format_checker=Draft3Validator.FORMAT_CHECKER)
            for name, schema in schemas.items()}


@pytest.mark.skipif(not POPOLO.is_dir(), reason="../shared/standards/popolo/ is not here")
def test_popolo_export_validates_record_by_record(site, factory):
    validators = popolo_validators()
    doc = json.loads((site / "datos" / "fabrica" / "popolo.json").read_text("utf-8"))
    kinds = {"organizations": "organization", "posts": "post", "persons": "person",
             "memberships": "membership", "events": "event", "motions": "motion",
             "vote_events": "vote_event"}
    checked = 0
    for collection, kind in kinds.items():
        assert doc[collection], collection
        for record in doc[collection]:
            errors = [e.message for e in validators[kind].iter_errors(record)]
            assert not errors, (collection, record.get("id"), errors)
            checked += 1
    # The validators do check: a count without its value fails.
    assert list(validators["motion"].iter_errors(
        {"vote_events": [{"counts": [{"option": "yes"}]}]}))
    assert checked > 100
    orgs = {o["id"]: o for o in doc["organizations"]}
    committees = [o for o in orgs.values() if o.get("parent_id") == "consejo-trabajadores"]
    assert len(committees) == 9 and all(o["classification"] == "committee" for o in committees)
    assert "ministerio-energia-electrica" in orgs
    roles = [p["role"] for p in doc["posts"] if p["organization_id"] == "junta-directiva"]
    assert roles.count("ministry-appointed") == 3 and roles.count("worker-elected") == 4
    ministry_seats = {p["id"] for p in doc["posts"] if p["role"] == "ministry-appointed"}
    for m in doc["memberships"]:
        assert (m.get("on_behalf_of_id") == "ministerio-energia-electrica") == \
            (m.get("post_id") in ministry_seats)
    miriam = next(m for m in doc["memberships"] if m["person_id"] == "miriam-dividive-saman")
    assert miriam["start_date"] == "2023-01-16" and miriam["end_date"] == "2025-04-30"
    events = {e["id"]: e for e in doc["events"]}
    assert events["2025-09-26-asamblea"]["x_present"] == 102
    assert events["2025-09-26-asamblea"]["x_entitled"] == 113
    assert events["2025-09-26-asamblea"]["x_quorum_needed"] == 57
    for ve in doc["vote_events"]:
        if ve["classification"] == "consensus":
            assert "counts" not in ve
        else:
            assert [c["option"] for c in ve["counts"]] == ["yes", "no", "abstain"]
    blocked = next(v for v in doc["vote_events"] if v["id"] == "2023-06-15-junta-1")
    assert blocked["result"] == "fail" and blocked["x_objections"] == ["junta-ministerio-2"]
    motion = next(m for m in doc["motions"] if m["id"] == "igualdad-salarial")
    assert [v["organization_id"] for v in motion["vote_events"]] == [
        "asamblea-trabajadores", "junta-directiva", "asamblea-trabajadores"]
    assert motion["result"] == "pass"
    social = next(m for m in doc["motions"] if m["id"] == "propiedad-social")
    assert "result" not in social and social["x_status"]["days"] == 412


def test_atom_feeds_hold_minutes_and_decisions_dated_from_the_data(site, factory):
    root = ElementTree.parse(site / "fabrica" / "atom.xml").getroot()
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == len(factory.meetings) + len(factory.decisions)
    newest = factory.meetings[-1]
    assert root.find(f"{ATOM}updated").text == \
        f"{newest.date.isoformat()}T{newest.end.isoformat()}-04:00"
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(ids) == len(set(ids))
    board = ElementTree.parse(site / "en" / "factory" / "bodies" / "junta-directiva" /
                              "atom.xml").getroot()
    assert board.find(f"{ATOM}title").text == "Board of Directors: minutes and decisions"
    board_meetings = [m for m in factory.meetings if m.body_id == "junta-directiva"]
    board_decisions = [d for d in factory.decisions.values() if d.body_id == "junta-directiva"]
    assert len(board.findall(f"{ATOM}entry")) == len(board_meetings) + len(board_decisions)
    for body in factory.bodies:
        assert (site / "fabrica" / "organos" / body / "atom.xml").is_file()
    link = '<link rel="alternate" type="application/atom+xml" href="/fabrica/atom.xml"'
    assert link in page(site, "fabrica")
