"""Checks across records: references, dates, counts, totals, currencies.

Each check adds Problems pointing at the file and line of the field at fault.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from .records import PHASES

PHASE_WORDS = {
    "diagnosis": "diagnosis", "council_assemblies": "council assemblies",
    "parish_round_1": "parish round 1", "parish_round_2": "parish round 2",
}


def duplicate(problems, where, key, located, path, seen) -> bool:
    """Report a repeated id; True when the record must be skipped."""
    if key[1] in seen:
        first_path, first_line, _, _ = where(key)
        line, col = located.where(path + ("id",))
        problems.add(
            located.path, line, col, _field(path, "id"),
            f"duplicate {key[0].replace('_', ' ')} id '{key[1]}' "
            f"(already used at {first_path}:{first_line})",
            "give each record its own id",
        )
        return True
    where.remember(key, located, path)
    return False


def _field(path, name):
    from .yamlread import dotted
    return dotted(tuple(path) + (name,))


def _add(problems, at, message, hint=""):
    path, line, col, field = at
    problems.add(path, line, col, field, message, hint)


def currency(problems, where, key, record, cycle):
    if cycle and "currency" in record and record["currency"] != cycle.currency:
        _add(problems, where(key, "currency"),
             f"amount in {record['currency']} but cycle {cycle.year} is in {cycle.currency}",
             f"amounts are never mixed across currencies: convert it to {cycle.currency}")


KIND_TYPE = {"parish": "parish", "communal council": "council", "budget cycle": "cycle",
             "project": "project"}


def _unknown(problems, at, kind, value, known, where=None):
    import difflib
    unsure = where.unsure.get(KIND_TYPE[kind], ()) if where else ()
    if unsure is None or value in unsure:
        return  # its record could not be read: that problem is reported already
    close = difflib.get_close_matches(str(value), [str(k) for k in known], n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"add the {kind} first, or fix the id"
    _add(problems, at, f"unknown {kind} '{value}'", hint)


def run_all(problems, where, parishes, councils, cycles, council_assemblies,
            parish_assemblies, projects):
    _cycles(problems, where, cycles, parishes)
    _councils(problems, where, councils, parishes)
    _council_assemblies(problems, where, council_assemblies, councils, cycles, projects)
    _parish_assemblies(problems, where, parish_assemblies, parishes, cycles, projects)
    _projects(problems, where, projects, parishes, councils, cycles, parish_assemblies)


def _cycles(problems, where, cycles, parishes):
    for year, cycle in cycles.items():
        key = ("cycle", year)
        for name in PHASES:
            period = cycle.phases[name]
            if period.end < period.start:
                _add(problems, where(key, "phases", name, "end"),
                     f"{PHASE_WORDS[name]} ends ({period.end}) before it starts ({period.start})",
                     "swap or correct the dates")
        for before, after in zip(PHASES, PHASES[1:]):
            a, b = cycle.phases[before], cycle.phases[after]
            if b.start < a.start:
                _add(problems, where(key, "phases", after, "start"),
                     f"{PHASE_WORDS[after]} starts ({b.start}) before {PHASE_WORDS[before]} "
                     f"({a.start})", "phases go in this order: " + ", ".join(PHASE_WORDS.values()))
        last = cycle.phases["parish_round_2"].end
        if cycle.clpp_approval < last:
            _add(problems, where(key, "phases", "clpp_approval"),
                 f"CLPP approval ({cycle.clpp_approval}) is before the end of parish round 2 "
                 f"({last})", "the CLPP approves after the parish assemblies")
        for parish_id, envelope in cycle.envelopes.items():
            if parish_id not in parishes:
                _unknown(problems, where(key, "envelopes", parish_id), "parish", parish_id, parishes, where=where)
        if cycle.envelopes:
            total = sum((e.amount for e in cycle.envelopes.values()), Decimal(0))
            if total > cycle.budget.amount:
                _add(problems, where(key, "envelopes"),
                     f"parish envelopes add up to {total} {cycle.currency}, more than the "
                     f"budget of {cycle.budget.amount} {cycle.currency}",
                     "lower the envelopes or correct the budget")


def _councils(problems, where, councils, parishes):
    for council in councils.values():
        if council.parish_id not in parishes:
            _unknown(problems, where(("council", council.id), "parish"), "parish",
                     council.parish_id, parishes, where=where)


def _in_period(problems, at, what, day, period, phase):
    if not (period.start <= day <= period.end):
        _add(problems, at, f"{what} on {day} is outside the cycle's {PHASE_WORDS[phase]} "
             f"({period.start} to {period.end})", "correct the date, or the cycle's phase dates")


def _council_assemblies(problems, where, assemblies, councils, cycles, projects):
    for a in assemblies:
        key = ("council_assembly", a.id)
        if a.council_id not in councils:
            _unknown(problems, where(key, "council"), "communal council", a.council_id, councils, where=where)
        cycle = cycles.get(a.year)
        if cycle is None:
            _unknown(problems, where(key, "cycle"), "budget cycle", a.year, cycles, where=where)
        else:
            _in_period(problems, where(key, "date"), "the assembly", a.date,
                       cycle.phases["council_assemblies"], "council_assemblies")
        if a.attendance > a.members:
            _add(problems, where(key, "attendance"),
                 f"attendance ({a.attendance}) is above the registered members ({a.members})",
                 "check both counts in the assembly's act")
        for i, p in enumerate(a.priorities):
            if p.votes > a.attendance:
                _add(problems, where(key, "priorities", i, "votes"),
                     f"{p.votes} votes but only {a.attendance} members attended",
                     "votes cannot exceed attendance")
            if p.project_id and p.project_id not in projects:
                _unknown(problems, where(key, "priorities", i, "project"), "project",
                         p.project_id, projects, where=where)
        if a.priorities and not a.quorum_met and a.attendance <= a.members:
            _add(problems, where(key, "attendance"),
                 f"the assembly voted priorities without quorum: {a.attendance} present, "
                 f"{a.quorum_needed} needed ({a.quorum_needed * 100 // max(a.members, 1)}% of "
                 f"{a.members})", "an assembly without quorum cannot vote; remove its priorities "
                 "or correct the attendance")


def _parish_assemblies(problems, where, assemblies, parishes, cycles, projects):
    seen = {}
    for a in assemblies:
        key = ("parish_assembly", a.id)
        if a.parish_id not in parishes:
            _unknown(problems, where(key, "parish"), "parish", a.parish_id, parishes, where=where)
        cycle = cycles.get(a.year)
        if cycle is None:
            _unknown(problems, where(key, "cycle"), "budget cycle", a.year, cycles, where=where)
        else:
            phase = f"parish_round_{a.round}"
            _in_period(problems, where(key, "date"), f"the round {a.round} assembly", a.date,
                       cycle.phases[phase], phase)
        other = seen.setdefault((a.parish_id, a.year, a.round), a)
        if other is not a:
            _add(problems, where(key, "round"),
                 f"parish '{a.parish_id}' already has a round {a.round} assembly in {a.year} "
                 f"({other.id})", "each parish holds one assembly per round")
        if a.delegates_present > a.delegates_accredited:
            _add(problems, where(key, "delegates_present"),
                 f"{a.delegates_present} delegates present but only {a.delegates_accredited} "
                 "accredited", "present delegates cannot exceed accredited ones")
        voted = set()
        for i, v in enumerate(a.votes):
            total = v.yes + v.no + v.abstain
            if total > a.delegates_present:
                _add(problems, where(key, "votes", i),
                     f"{total} votes cast (for {v.yes}, against {v.no}, abstain {v.abstain}) "
                     f"but only {a.delegates_present} delegates present",
                     "votes cannot exceed the delegates present")
            if v.project_id in voted:
                _add(problems, where(key, "votes", i, "project"),
                     f"project '{v.project_id}' is voted twice in this assembly",
                     "keep one line per project")
            voted.add(v.project_id)
            project = projects.get(v.project_id)
            if project is None:
                _unknown(problems, where(key, "votes", i, "project"), "project",
                         v.project_id, projects, where=where)
            elif (project.parish_id, project.year) != (a.parish_id, a.year):
                _add(problems, where(key, "votes", i, "project"),
                     f"project '{project.id}' belongs to {project.parish_id} {project.year}, "
                     f"not to this assembly's {a.parish_id} {a.year}",
                     "an assembly votes only its own parish's projects")


def _projects(problems, where, projects, parishes, councils, cycles, parish_assemblies):
    round2 = {}
    for a in parish_assemblies:
        if a.round == 2:
            for v in a.votes:
                round2[v.project_id] = v
    funded = defaultdict(Decimal)
    for p in projects.values():
        key = ("project", p.id)
        if p.parish_id not in parishes:
            _unknown(problems, where(key, "parish"), "parish", p.parish_id, parishes, where=where)
        for i, c in enumerate(p.council_ids):
            council = councils.get(c)
            if council is None:
                _unknown(problems, where(key, "councils", i), "communal council", c, councils, where=where)
            elif council.parish_id != p.parish_id and council.parish_id in parishes:
                _add(problems, where(key, "councils", i),
                     f"council '{c}' is in parish '{council.parish_id}', not '{p.parish_id}'",
                     "a project is proposed by councils of its own parish")
        cycle = cycles.get(p.year)
        if cycle is None:
            _unknown(problems, where(key, "cycle"), "budget cycle", p.year, cycles, where=where)
        previous = None
        for i, m in enumerate(p.milestones):
            if previous and m.date < previous:
                _add(problems, where(key, "milestones", i, "date"),
                     f"milestone dated {m.date} comes after one dated {previous}",
                     "list milestones in date order")
            if cycle and m.date < cycle.start:
                _add(problems, where(key, "milestones", i, "date"),
                     f"milestone dated {m.date} is before the cycle began ({cycle.start})",
                     "correct the date")
            previous = m.date
        if p.status == "completion" and p.progress != 100:
            _add(problems, where(key, "progress"),
                 f"status is completion but progress is {p.progress}%",
                 "set progress: 100, or correct the status")
        if p.funded:
            vote = round2.get(p.id)
            if vote is not None and not vote.approved:
                _add(problems, where(key, "funded"),
                     f"marked funded but round 2 rejected it ({vote.yes} for, {vote.no} against)",
                     "round 2 results are binding: set funded: false")
            funded[(p.year, p.parish_id)] += p.amount.amount

    by_cycle = defaultdict(Decimal)
    for (year, parish_id), total in sorted(funded.items()):
        by_cycle[year] += total
        cycle = cycles.get(year)
        if cycle and parish_id in cycle.envelopes and total > cycle.envelopes[parish_id].amount:
            _add(problems, where(("cycle", year), "envelopes", parish_id),
                 f"funded projects of {parish_id} add up to {total} {cycle.currency}, more than "
                 f"its envelope of {cycle.envelopes[parish_id].amount} {cycle.currency}",
                 "unfund a project or correct the envelope")
    for year, total in sorted(by_cycle.items()):
        cycle = cycles.get(year)
        if cycle and total > cycle.budget.amount:
            _add(problems, where(("cycle", year), "budget"),
                 f"funded projects add up to {total} {cycle.currency}, more than the budget of "
                 f"{cycle.budget.amount} {cycle.currency}", "unfund a project or correct the budget")
