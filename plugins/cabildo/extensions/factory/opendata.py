"""The factory's tables in the open data: bodies, meetings, decisions and proposals.

Each is a table of opendata.TABLES (CSV, JSON and its datapackage schema come from one
spec), published only when the data has a factory. The Popolo export is popolo.py.
"""
from __future__ import annotations


def _factory(data):
    return data.extensions.get("factory")


def _has_factory(data) -> bool:
    return _factory(data) is not None


def _bodies(data):
    from .index import FactoryIndex
    f = _factory(data)
    if f is None:
        return None
    ix = FactoryIndex(f)
    return [[b.id, b.name, b.name_en, b.kind, b.parent_id, len(b.seats), ix.members_on(b),
             b.quorum, b.majority, " ".join(b.consensus_topics)] for b in f.bodies.values()]


def _meetings(data):
    f = _factory(data)
    if f is None:
        return None
    return [[m.id, m.body_id, m.date, m.place, f"{m.start:%H:%M}", f"{m.end:%H:%M}", m.present,
             m.entitled, m.quorum_needed, m.quorum_met, m.chair_id, len(m.items),
             len(m.decisions)] for m in f.meetings]


def _decisions(data):
    f = _factory(data)
    if f is None:
        return None
    return [[d.id, d.meeting_id, d.body_id, d.date, d.item, d.topic, d.text, d.method, d.yes,
             d.no, d.abstain, d.reached, " ".join(d.objections), d.binding, d.passed,
             d.proposal_id] for m in f.meetings for d in m.decisions]


def _proposals(data):
    from .index import FactoryIndex
    f = _factory(data)
    if f is None:
        return None
    ix = FactoryIndex(f)
    rows = []
    for p in f.proposals.values():
        s = ix.states[p.id]
        money = p.funding.amount if p.funding else None
        rows.append([p.id, p.title, p.topic, p.submitted_by.kind,
                     p.submitted_by.id or p.submitted_by.name,
                     "open" if s.open else s.outcome, s.body_id, s.waiting, s.since,
                     s.days if s.open else None, ix.as_of,
                     money.amount if money else None, money.currency if money else None,
                     p.funding.category if p.funding else None,
                     p.funding.parish_id if p.funding else None])
    return rows


def tables():
    """The factory's Table specs (built on call: opendata imports this module)."""
    from ...outputs.opendata import C, Table
    return [
        Table("fabrica-organos", "Fábrica: órganos de gobierno", "Factory: governing bodies", (
            C("id", "string", "Identificador del órgano.", "Body identifier."),
            C("name", "string", "Nombre.", "Name."),
            C("name_en", "string", "Nombre en inglés.", "Name in English.", False),
            C("kind", "string", "Tipo: assembly, council, committee o board.",
              "Kind: assembly, council, committee or board."),
            C("parent_id", "string", "Órgano al que pertenece (los comités, al Consejo de "
              "Trabajadores).", "Body it belongs to.", False),
            C("seats", "integer", "Puestos (junta y comités; 0 si no tiene puestos propios).",
              "Seats (0 when it has none of its own)."),
            C("members", "integer", "Miembros en la fecha de corte de los datos (la asamblea: "
              "todos los trabajadores).", "Members on the data's as-of date."),
            C("quorum_share", "number", "Quórum: debe estar presente más de esta fracción de "
              "los miembros.", "Quorum: more than this share of members must be present."),
            C("majority", "string", "Mayoría en votación: cast (más sí que no) o present (más "
              "de la mitad de los presentes).", "Majority: cast or present."),
            C("consensus_topics", "string", "Temas que solo se deciden por consenso, separados "
              "por espacios.", "Topics decided only by consensus, space-separated.", False),
        ), ("id",), rows=_bodies, present=_has_factory),
        Table("fabrica-reuniones", "Fábrica: reuniones", "Factory: meetings", (
            C("id", "string", "Identificador de la reunión.", "Meeting identifier."),
            C("body_id", "string", "Órgano que se reunió.", "Body that met."),
            C("date", "date", "Fecha.", "Date."),
            C("place", "string", "Lugar.", "Place."),
            C("start", "string", "Hora de inicio (HH:MM, hora local).", "Start time (HH:MM)."),
            C("end", "string", "Hora de cierre (HH:MM, hora local).", "End time (HH:MM)."),
            C("present", "integer", "Miembros presentes.", "Members present."),
            C("entitled", "integer", "Miembros con derecho a asistir ese día.",
              "Members entitled to attend that day."),
            C("quorum_needed", "integer", "Presentes necesarios para el quórum.",
              "Attendance needed for quorum."),
            C("quorum_met", "boolean", "true si hubo quórum.", "true if quorum was met."),
            C("chair_id", "string", "Persona que presidió.", "Person who chaired.", False),
            C("items", "integer", "Puntos de la agenda.", "Agenda items."),
            C("decisions", "integer", "Decisiones tomadas.", "Decisions taken."),
        ), ("id",), ((("body_id",), "fabrica-organos", ("id",)),), rows=_meetings,
           present=_has_factory),
        Table("fabrica-decisiones", "Fábrica: decisiones", "Factory: decisions", (
            C("id", "string", "Identificador de la decisión.", "Decision identifier."),
            C("meeting_id", "string", "Reunión en que se tomó.", "Meeting where it was taken."),
            C("body_id", "string", "Órgano que decidió.", "Body that decided."),
            C("date", "date", "Fecha.", "Date."),
            C("item", "integer", "Número del punto de la agenda.", "Agenda item number."),
            C("topic", "string", "Tema.", "Topic."),
            C("text", "string", "Qué se decidió.", "What was decided."),
            C("method", "string", "vote (votación) o consensus (consenso).",
              "vote or consensus."),
            C("yes", "integer", "Votos a favor (solo votación).", "Votes for.", False),
            C("no", "integer", "Votos en contra (solo votación).", "Votes against.", False),
            C("abstain", "integer", "Abstenciones (solo votación).", "Abstentions.", False),
            C("reached", "boolean", "Si hubo consenso (solo consenso).",
              "Whether consensus was reached.", False),
            C("objections", "string", "Puestos que objetaron, separados por espacios.",
              "Seats that objected, space-separated.", False),
            C("binding", "boolean", "true si obliga; false si es opinión o recomendación.",
              "true if binding; false for an opinion or recommendation."),
            C("passed", "boolean", "true si se aprobó según la regla del órgano.",
              "true if it passed by the body's rule."),
            C("proposal_id", "string", "Propuesta que mueve.", "Proposal it moves.", False),
        ), ("id",), ((("meeting_id",), "fabrica-reuniones", ("id",)),
                     (("proposal_id",), "fabrica-propuestas", ("id",))), rows=_decisions,
           present=_has_factory),
        Table("fabrica-propuestas", "Fábrica: propuestas", "Factory: proposals", (
            C("id", "string", "Identificador de la propuesta.", "Proposal identifier."),
            C("title", "string", "Título.", "Title."),
            C("topic", "string", "Tema.", "Topic."),
            C("submitted_by_kind", "string", "Quién la presentó: body, workers, council o "
              "commune.", "Who submitted it."),
            C("submitted_by", "string", "Órgano o consejo comunal (su id), o nombre de la "
              "comuna.", "Body or council id, or the commune's name.", False),
            C("status", "string", "open (abierta), approved (aprobada) o rejected (rechazada).",
              "open, approved or rejected."),
            C("body_id", "string", "Órgano donde está (o donde se decidió).",
              "Body where it is (or where it was decided)."),
            C("waiting_for", "string", "Qué espera, si está abierta: convene (que el órgano se "
              "reúna), agenda, decide o report.", "What it waits for, if open.", False),
            C("since", "date", "Fecha de su último paso.", "Date of its last step."),
            C("days_waiting", "integer", "Días de espera hasta la fecha de corte, si está "
              "abierta.", "Days waited to the as-of date, if open.", False),
            C("as_of", "date", "Fecha de corte de los datos.", "The data's as-of date."),
            C("amount", "number", "Monto pedido a las ganancias (proyectos comunitarios).",
              "Amount asked of the profits (community projects).", False),
            C("currency", "string", "Moneda del monto.", "Currency of the amount.", False),
            C("category", "string", "Categoría del proyecto comunitario.",
              "Category of the community project.", False),
            C("parish_id", "string", "Parroquia del proyecto comunitario.",
              "Parish of the community project.", False),
        ), ("id",), rows=_proposals, present=_has_factory),
    ]
