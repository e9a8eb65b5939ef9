"""Checks across records: references, dates, counts, totals, currencies.

Each check adds Problems pointing at the file and line of the field at fault.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from .problems import Problems
from .records import (
    PHASES,
    Council,
    CouncilAssembly,
    Cycle,
    Money,
    Municipality,
    Parish,
    ParishAssembly,
    Period,
    Project,
    ProjectVote,
)
from .yamlread import FieldPath, Located

if TYPE_CHECKING:
    from .load import Where

RecordKey: TypeAlias = tuple[str | int, ...]  # (record type, id): ("project", "p-1"), ("cycle", 2024)
At: TypeAlias = tuple[str, int, int, str]  # file, line, column, dotted field: where a problem is

PHASE_WORDS = {
    "diagnosis": "diagnosis", "council_assemblies": "council assemblies",
    "parish_round_1": "parish round 1", "parish_round_2": "parish round 2",
}


def duplicate(problems: Problems, where: Where, key: RecordKey, located: Located,
              path: FieldPath, seen: Container[object]) -> bool:
    """Report a repeated id; True when the record must be skipped."""
    if key[1] in seen:
        first_path, first_line, _, _ = where(key)
        line, col = located.where(path + ("id",))
        problems.add(
            located.path, line, col, _field(path, "id"),
            f"duplicate {str(key[0]).replace('_', ' ')} id '{key[1]}' "
            f"(already used at {first_path}:{first_line})",
            "give each record its own id",
        )
        return True
    where.remember(key, located, path)
    return False


def _field(path: FieldPath, name: str) -> str:
    from .yamlread import dotted
    return dotted(tuple(path) + (name,))


def _add(problems: Problems, at: At, message: str, hint: str = "") -> None:
    path, line, col, field = at
    problems.add(path, line, col, field, message, hint)


class MoneyReader(Protocol):
    def __call__(self, value: int | Decimal, *field: str | int) -> Money: ...


def money_reader(problems: Problems, where: Where, key: RecordKey, currency: str) -> MoneyReader:
    """A function turning an amount of `currency` read from YAML into Money, reporting an
    amount with more decimals than the currency has (1.500 typed for 1500, or the
    float noise of a spreadsheet, 6100000.0000001) at its field."""
    from babel.numbers import get_currency_precision

    digits = get_currency_precision(currency) if currency else 2

    def money(value: int | Decimal, *field: str | int) -> Money:
        amount = Decimal(value)
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > digits:
            _add(problems, where(key, *field),
                 f"{value} has {-exponent} decimals but {currency} has {digits}",
                 "a dot marks the decimals (1234567.89) and thousands take no separator: "
                 "for one thousand five hundred write 1500, not 1.500")
        return Money(amount, currency)
    return money


def municipality(problems: Problems, where: Where, m: Municipality,
                 explicit_locale: bool) -> None:
    """Time zone, locale and languages the pages and feeds will need, checked now."""
    from zoneinfo import ZoneInfo

    from babel import Locale, UnknownLocaleError
    from babel.numbers import list_currencies
    key: RecordKey = ("municipality",)
    try:
        ZoneInfo(m.timezone)
    except (ValueError, OSError, LookupError):
        _add(problems, where(key, "timezone"), f"'{m.timezone}' is not a known time zone",
             "write an IANA time zone such as America/Caracas")
    for field, name in ((("locale",) if explicit_locale else ("country",)), m.locale), *(
            (("languages", i), lang) for i, lang in enumerate(m.languages)):
        try:
            Locale.parse(name)
        except (UnknownLocaleError, ValueError):
            _add(problems, where(key, *field), f"'{name}' is not a language or locale "
                 "this site can format numbers and dates in",
                 "use a code such as es, en, es_VE or en_US")
    if m.default_currency not in list_currencies():
        _add(problems, where(key, "default_currency"),
             f"'{m.default_currency}' is not an ISO 4217 currency code",
             "use a code such as VES, USD or EUR")


@functools.cache
def _reserved_names() -> frozenset[str]:
    from ..views import urls
    pattern = urls.FILES["bulletin_municipal"]  # its name in every shipped language
    return frozenset(urls.localized(lang, pattern).rsplit("/", 1)[-1].removesuffix(".pdf")
                     for lang in urls.catalog_languages())


def reserved_id(problems: Problems, where: Where, key: RecordKey) -> None:
    """A parish id that names a file the site writes itself (the municipal bulletin
    boletines/{year}/municipio.pdf shares its folder with the parishes' bulletins)."""
    if key[1] in _reserved_names():
        _add(problems, where(key, "id"), f"the id '{key[1]}' is reserved for the "
             "municipality's own files", "choose another id, e.g. " + str(key[1]) + "-parroquia")


def currency(problems: Problems, where: Where, key: RecordKey, record: Mapping[str, Any],
             cycle: Cycle | None) -> None:
    """`record`: the project as read, after its schema check."""
    if cycle and "currency" in record and record["currency"] != cycle.currency:
        _add(problems, where(key, "currency"),
             f"amount in {record['currency']} but cycle {cycle.year} is in {cycle.currency}",
             f"amounts are never mixed across currencies: convert it to {cycle.currency}")


KIND_TYPE = {"parish": "parish", "communal council": "council", "budget cycle": "cycle",
             "project": "project"}


def _unknown(problems: Problems, at: At, kind: str, value: object, known: Iterable[object],
             where: Where | None = None) -> None:
    import difflib
    unsure: Container[object] | None = where.unsure.get(KIND_TYPE[kind], ()) if where else ()
    if unsure is None or value in unsure:
        return  # its record could not be read: that problem is reported already
    close = difflib.get_close_matches(str(value), [str(k) for k in known], n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"add the {kind} first, or fix the id"
    _add(problems, at, f"unknown {kind} '{value}'", hint)


MAX_WORK_YEARS = 10  # a milestone later than this after its cycle is a typo


def run_all(problems: Problems, where: Where, parishes: Mapping[str, Parish],
            councils: Mapping[str, Council], cycles: Mapping[int, Cycle],
            council_assemblies: Sequence[CouncilAssembly],
            parish_assemblies: Sequence[ParishAssembly], projects: Mapping[str, Project],
            as_of: date | None = None) -> None:
    _cycles(problems, where, cycles, parishes)
    _councils(problems, where, councils, parishes)
    _council_assemblies(problems, where, council_assemblies, councils, cycles, projects,
                        parishes)
    _parish_assemblies(problems, where, parish_assemblies, parishes, cycles, projects)
    _projects(problems, where, projects, parishes, councils, cycles, parish_assemblies, as_of)


def _cycles(problems: Problems, where: Where, cycles: Mapping[int, Cycle],
            parishes: Mapping[str, Parish]) -> None:
    from babel.numbers import list_currencies
    for year, cycle in cycles.items():
        key: RecordKey = ("cycle", year)
        if cycle.currency not in list_currencies():
            _add(problems, where(key, "currency"),
                 f"'{cycle.currency}' is not an ISO 4217 currency code",
                 "use a code such as VES, USD or EUR")
        for name, period in (*cycle.phases.items(), ("clpp_approval", None)):
            day = period.start if period else cycle.clpp_approval
            if abs(day.year - year) > 1:
                _add(problems, where(key, "phases", name, *(("start",) if period else ())),
                     f"the {PHASE_WORDS.get(name, 'CLPP approval')} of cycle {year} is dated "
                     f"{day}", "a cycle's phases fall in the year before it or in its own "
                     "year; correct the year")
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
        previous = cycles.get(year - 1)
        start = cycle.phases["diagnosis"].start
        if previous and start <= previous.clpp_approval:
            _add(problems, where(key, "phases", "diagnosis", "start"),
                 f"cycle {year} starts on {start}, before cycle {year - 1} ended "
                 f"({previous.clpp_approval})",
                 "were the dates copied from the previous cycle? give this cycle its own")
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


def _councils(problems: Problems, where: Where, councils: Mapping[str, Council],
              parishes: Mapping[str, Parish]) -> None:
    for council in councils.values():
        if council.parish_id not in parishes:
            _unknown(problems, where(("council", council.id), "parish"), "parish",
                     council.parish_id, parishes, where=where)


def _in_period(problems: Problems, where: Where, key: RecordKey, what: str, day: date,
               period: Period, phase: str) -> None:
    # the place of the date is looked up only for a problem (a field's place may need
    # its file's full marks read from the cache: yamlread.Located.more)
    if not (period.start <= day <= period.end):
        _add(problems, where(key, "date"), f"{what} on {day} is outside the cycle's {PHASE_WORDS[phase]} "
             f"({period.start} to {period.end})", "correct the date, or the cycle's phase dates")


def _council_assemblies(problems: Problems, where: Where, assemblies: Sequence[CouncilAssembly],
                        councils: Mapping[str, Council], cycles: Mapping[int, Cycle],
                        projects: Mapping[str, Project], parishes: Mapping[str, Parish]) -> None:
    for a in assemblies:
        key: RecordKey = ("council_assembly", a.id)
        if a.council_id not in councils:
            _unknown(problems, where(key, "council"), "communal council", a.council_id, councils, where=where)
        cycle = cycles.get(a.year)
        if cycle is None:
            _unknown(problems, where(key, "cycle"), "budget cycle", a.year, cycles, where=where)
        else:
            _in_period(problems, where, key, "the assembly", a.date,
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
            project = projects.get(p.project_id) if p.project_id else None
            if p.project_id and project is None:
                _unknown(problems, where(key, "priorities", i, "project"), "project",
                         p.project_id, projects, where=where)
            council = councils.get(a.council_id)
            if (project and council and project.parish_id != council.parish_id
                    and council.parish_id in parishes):  # else: reported as unknown
                _add(problems, where(key, "priorities", i, "project"),
                     f"project '{project.id}' belongs to parish '{project.parish_id}', but "
                     f"council '{council.id}' is in '{council.parish_id}'",
                     "a council prioritises projects of its own parish; check the project id")
            elif project and project.year != a.year:
                _add(problems, where(key, "priorities", i, "project"),
                     f"project '{project.id}' belongs to cycle {project.year}, not {a.year}",
                     "check the project id or the assembly's cycle")
        if a.priorities and not a.quorum_met and a.attendance <= a.members:
            _add(problems, where(key, "attendance"),
                 f"the assembly voted priorities without quorum: {a.attendance} present, "
                 f"{a.quorum_needed} needed ({a.quorum_needed * 100 // max(a.members, 1)}% of "
                 f"{a.members})", "an assembly without quorum cannot vote; remove its priorities "
                 "or correct the attendance")


def _parish_assemblies(problems: Problems, where: Where, assemblies: Sequence[ParishAssembly],
                       parishes: Mapping[str, Parish], cycles: Mapping[int, Cycle],
                       projects: Mapping[str, Project]) -> None:
    seen: dict[tuple[str, int, int], ParishAssembly] = {}
    for a in assemblies:
        key: RecordKey = ("parish_assembly", a.id)
        if a.parish_id not in parishes:
            _unknown(problems, where(key, "parish"), "parish", a.parish_id, parishes, where=where)
        cycle = cycles.get(a.year)
        if cycle is None:
            _unknown(problems, where(key, "cycle"), "budget cycle", a.year, cycles, where=where)
        else:
            phase = f"parish_round_{a.round}"
            _in_period(problems, where, key, f"the round {a.round} assembly", a.date,
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
        voted: set[str] = set()
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


def _projects(problems: Problems, where: Where, projects: Mapping[str, Project],
              parishes: Mapping[str, Parish], councils: Mapping[str, Council],
              cycles: Mapping[int, Cycle], parish_assemblies: Sequence[ParishAssembly],
              as_of: date | None = None) -> None:
    # Cycles whose round 2 has been held somewhere: before it, nothing can be funded yet.
    voted_cycles = {a.year for a in parish_assemblies if a.round == 2}
    round2: dict[str, ProjectVote] = {}
    for a in parish_assemblies:
        if a.round == 2:
            for v in a.votes:
                round2[v.project_id] = v
    funded: defaultdict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for p in projects.values():
        key: RecordKey = ("project", p.id)
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
        previous: date | None = None
        for i, m in enumerate(p.milestones):
            if previous and m.date < previous:
                _add(problems, where(key, "milestones", i, "date"),
                     f"milestone dated {m.date} comes after one dated {previous}",
                     "list milestones in date order")
            if as_of and m.date > as_of:
                _add(problems, where(key, "milestones", i, "date"),
                     f"milestone dated {m.date} is after the data's as-of date ({as_of})",
                     "correct the date, or move municipality.yaml's as_of forward")
            elif m.date.year > p.year + MAX_WORK_YEARS:
                _add(problems, where(key, "milestones", i, "date"),
                     f"milestone dated {m.date}, {m.date.year - p.year} years after its "
                     f"cycle ({p.year})", "is the year mistyped? (the newest milestone "
                     "becomes the bulletins' date; municipality.yaml's as_of can set it)")
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
            if vote is None and p.year in voted_cycles:
                _add(problems, where(key, "funded"),
                     f"marked funded but no round 2 assembly of {p.year} voted on it",
                     "only projects approved in round 2 are funded: add its vote to the "
                     "parish's round 2 assembly, or set funded: false")
            if vote is not None and not vote.approved:
                _add(problems, where(key, "funded"),
                     f"marked funded but round 2 rejected it ({vote.yes} for, {vote.no} against)",
                     "round 2 results are binding: set funded: false")
            funded[(p.year, p.parish_id)] += p.amount.amount

    by_cycle: defaultdict[int, Decimal] = defaultdict(Decimal)
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
