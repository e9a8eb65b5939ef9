"""Open-data tables of the results check: every project of every pool with the
announced and computed selection, and the mismatches alone (published even when
empty: an empty list says the check found none)."""
from __future__ import annotations

from ..views import results
from ..views.i18n import Formatter
from ..views.results_text import explain


def all_results(data) -> list[results.CycleResult]:
    out = list(results.ballot_results(data).values())
    out += [results.assembly_results(data, y) for y in data.cycles if y not in data.ballots]
    return sorted(out, key=lambda c: c.year)


def _present(data) -> bool:
    return bool(data.cycles or data.ballots)


def _rows(data, only_mismatches: bool):
    if not _present(data):
        return None
    lang = data.municipality.languages[0]
    fmt = Formatter(lang, {lang: data.municipality.locale}, {})
    rows = []
    for cycle in all_results(data):
        for pool in cycle.pools:
            for r in pool.rows:
                if only_mismatches and not r.mismatch:
                    continue
                rows.append([cycle.year, pool.id, pool.name, pool.parish_id or "", r.rank, r.id,
                             " ".join(f"{k}:{v}" for k, v in r.external_ids), r.title,
                             "|".join(r.categories), r.cost.amount, r.cost.currency,
                             "" if r.votes is None else r.votes,
                             "" if r.score is None else r.score,
                             pool.budget.amount if pool.budget else "", pool.rule,
                             "" if r.announced is None else r.announced,
                             "" if r.computed is None else r.computed, r.mismatch,
                             r.reason[0], explain(r, lang, fmt)])
    return rows


def tables():
    from .opendata import C, Table
    columns = (
        C("year", "integer", "Año del ciclo.", "Year of the cycle."),
        C("pool_id", "string", "Bolsa (parroquia o distrito, o municipal).", "Pool."),
        C("pool_name", "string", "Nombre de la bolsa.", "Name of the pool."),
        C("parish_id", "string", "Parroquia de la bolsa (vacío en la municipal).",
          "Parish of the pool (empty for the citywide pool).", False),
        C("rank", "integer", "Puesto por votos en la bolsa.", "Rank by votes in the pool."),
        C("project_id", "string", "Proyecto.", "Project."),
        C("external_ids", "string", "Identificadores en otros sistemas, 'sistema:id' separados "
          "por espacios (p. ej. pabulib:104).", "Ids in other systems, 'system:id' separated by "
          "spaces (e.g. pabulib:104).", False),
        C("title", "string", "Título.", "Title.", False),
        C("categories", "string", "Categorías, separadas por |.", "Categories, separated by |.",
          False),
        C("cost", "number", "Costo.", "Cost."),
        C("currency", "string", "Moneda.", "Currency."),
        C("votes", "integer", "Votos (en asambleas: a favor en la segunda vuelta).",
          "Votes (in assemblies: for, in round 2).", False),
        C("score", "number", "Puntaje, si el voto lo usa.", "Score, when the vote uses one.",
          False),
        C("pool_budget", "number", "Presupuesto de la bolsa.", "Budget of the pool.", False),
        C("rule", "string", "Regla de selección declarada (greedy, assembly...).",
          "Declared selection rule."),
        C("announced", "boolean", "Seleccionado según el resultado anunciado (vacío si los "
          "datos no lo dicen).", "Selected in the announced result (empty when not stated).",
          False),
        C("computed", "boolean", "Seleccionado según la regla recalculada (vacío si no se "
          "pudo recalcular).", "Selected by the recomputed rule (empty when not recomputed).",
          False),
        C("mismatch", "boolean", "true si lo anunciado y lo calculado difieren.",
          "true when announced and computed differ."),
        C("reason_code", "string", "Motivo, como código (fits, too_expensive, no_majority...).",
          "Reason, as a code."),
        C("reason", "string", "Motivo, en palabras.", "Reason, in words."),
    )
    return [
        Table("resultados", "Resultados: selección anunciada y calculada por proyecto",
              "Results: announced and computed selection per project", columns,
              ("year", "pool_id", "project_id"), rows=lambda data: _rows(data, False), present=_present),
        Table("discrepancias", "Discrepancias entre el resultado anunciado y la regla",
              "Mismatches between the announced result and the rule", columns,
              ("year", "pool_id", "project_id"), rows=lambda data: _rows(data, True), present=_present),
    ]
