"""Open data: every listing as CSV and JSON, described by a Frictionless datapackage,
and as XLSX for spreadsheets (spreadsheets.py).

One table spec drives the CSV, the JSON, the datapackage schema and the
downloads page, so they cannot disagree. File paths are stable: a cycle's
files keep their URL when newer cycles arrive.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

from slugify import slugify

from ..extensions import extensions
from ..model.records import Dataset
from ..views.i18n import written_in
from ..views.stats import Index
from . import spreadsheets
from .files import link_or_copy

DIR = "datos"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Frictionless field type
    es: str  # plain Spanish description, shown on the downloads page
    en: str
    required: bool = True

    def description(self, lang: str) -> str:
        return written_in(lang, self.es, self.en)


@dataclass(frozen=True)
class Table:
    name: str  # resource name and file stem
    title_es: str
    title_en: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple = ()  # (fields, resource, reference fields)
    per_cycle: bool = False
    # For a table of an optional part (the factory): a function (Dataset) -> rows, or None
    # when the data has no such part (then the table is not published).
    rows: object = None
    # Whether the data has that part, answered without computing the rows (which can
    # cost seconds: the results check recomputes every pool); None: ask `rows`.
    present: object = None

    def title(self, lang: str) -> str:
        return written_in(lang, self.title_es, self.title_en)


def C(name, type_, es, en, required=True):
    return Column(name, type_, es, en, required)


TABLES = [
    Table("parroquias", "Parroquias", "Parishes", (
        C("id", "string", "Identificador de la parroquia.", "Parish identifier."),
        C("name", "string", "Nombre de la parroquia.", "Parish name."),
        C("population", "integer", "Habitantes (para cifras por habitante; vacío si no se "
          "conoce).", "Residents (for per-resident figures; empty when unknown).", False),
        C("seat", "string", "Poblado capital de la parroquia.", "Main town.", False),
    ), ("id",)),
    Table("consejos", "Consejos comunales", "Communal councils", (
        C("id", "string", "Identificador del consejo comunal.", "Council identifier."),
        C("name", "string", "Nombre del consejo comunal.", "Council name."),
        C("parish_id", "string", "Parroquia a la que pertenece.", "Its parish."),
        C("setting", "string", "urban (urbano) o rural.", "urban or rural."),
        C("families", "integer", "Familias del consejo comunal.", "Families."),
        C("members", "integer", "Miembros inscritos (votantes).", "Registered members."),
    ), ("id",), ((("parish_id",), "parroquias", ("id",)),)),
    Table("ciclos", "Ciclos presupuestarios", "Budget cycles", (
        C("year", "integer", "Año del ciclo.", "Year of the cycle."),
        C("currency", "string", "Moneda (código ISO 4217) de todos los montos del ciclo.",
          "Currency (ISO 4217) of every amount of the cycle."),
        C("budget", "number", "Presupuesto de inversión total decidido por la gente.",
          "Total investment budget decided by residents."),
        C("allocated", "number", "Monto asignado a proyectos aprobados.",
          "Amount allocated to funded projects."),
        C("clpp_approval", "date", "Fecha de aprobación por el CLPP.",
          "Date of approval by the CLPP."),
        C("clpp_act", "string", "Acta de aprobación del CLPP.", "CLPP approval act.", False),
    ), ("year",)),
    Table("asignaciones", "Asignación por parroquia", "Allocation by parish", (
        C("year", "integer", "Año del ciclo.", "Year."),
        C("parish_id", "string", "Parroquia.", "Parish."),
        C("currency", "string", "Moneda de los montos.", "Currency of the amounts."),
        C("available", "number", "Monto disponible para la parroquia (vacío si el ciclo "
          "no usa montos por parroquia).", "Amount available (empty without envelopes).",
          False),
        C("allocated", "number", "Monto asignado a proyectos aprobados.", "Amount allocated."),
        C("per_resident", "number", "Monto asignado por habitante.", "Allocated per resident."),
        C("funded_projects", "integer", "Proyectos aprobados.", "Funded projects."),
    ), ("year", "parish_id"), ((("parish_id",), "parroquias", ("id",)),
                                (("year",), "ciclos", ("year",))), True),
    Table("proyectos", "Proyectos", "Projects", (
        C("id", "string", "Identificador del proyecto.", "Project identifier."),
        C("year", "integer", "Año del ciclo.", "Year of the cycle."),
        C("title", "string", "Título del proyecto.", "Title."),
        C("category", "string", "Categoría: el id de una de las que declara el sitio "
          "(data/categories.yaml).",
          "Category: the id of one the site declares (data/categories.yaml)."),
        C("amount", "number", "Monto, en la moneda del ciclo.", "Amount, in the cycle's currency."),
        C("currency", "string", "Moneda del monto.", "Currency."),
        C("parish_id", "string", "Parroquia.", "Parish."),
        C("council_ids", "string", "Consejos comunales proponentes, separados por espacios.",
          "Proposing councils, separated by spaces."),
        C("funded", "boolean", "true si la asamblea parroquial lo aprobó con recursos.",
          "true if funded."),
        C("status", "string", "Estado (códigos OC4IDS): identification, preparation, "
          "implementation, completion, cancelled.", "Status (OC4IDS codes)."),
        C("progress", "integer", "Avance físico, de 0 a 100.", "Progress, 0 to 100."),
        C("round1_for", "integer", "Votos a favor en la primera vuelta.", "Round 1 votes for.",
          False),
        C("round2_for", "integer", "Votos a favor en la segunda vuelta.", "Round 2 votes for.",
          False),
        C("round2_against", "integer", "Votos en contra en la segunda vuelta.",
          "Round 2 votes against.", False),
    ), ("id",), ((("parish_id",), "parroquias", ("id",)), (("year",), "ciclos", ("year",))),
        True),
    Table("asambleas-consejos", "Asambleas de ciudadanos de los consejos comunales",
          "Council assemblies", (
              C("id", "string", "Identificador de la asamblea.", "Assembly identifier."),
              C("council_id", "string", "Consejo comunal.", "Communal council."),
              C("year", "integer", "Año del ciclo.", "Year."),
              C("date", "date", "Fecha de la asamblea.", "Date."),
              C("members", "integer", "Miembros inscritos.", "Registered members."),
              C("attendance", "integer", "Asistentes.", "Attendance."),
              C("quorum_needed", "integer", "Asistentes necesarios para el quórum.",
                "Attendance needed for quorum."),
              C("quorum_met", "boolean", "true si hubo quórum.", "true if quorum was met."),
          ), ("id",), ((("council_id",), "consejos", ("id",)),), True),
    Table("asambleas-parroquiales", "Asambleas parroquiales", "Parish assemblies", (
        C("id", "string", "Identificador de la asamblea.", "Assembly identifier."),
        C("parish_id", "string", "Parroquia.", "Parish."),
        C("year", "integer", "Año del ciclo.", "Year."),
        C("round", "integer", "Vuelta: 1 o 2.", "Round: 1 or 2."),
        C("date", "date", "Fecha.", "Date."),
        C("delegates_accredited", "integer", "Voceros y voceras acreditados.",
          "Delegates accredited."),
        C("delegates_present", "integer", "Voceros y voceras presentes.", "Delegates present."),
    ), ("id",), ((("parish_id",), "parroquias", ("id",)),), True),
    Table("votos", "Votos por proyecto en las asambleas parroquiales",
          "Votes per project in parish assemblies", (
              C("assembly_id", "string", "Asamblea parroquial.", "Parish assembly."),
              C("project_id", "string", "Proyecto.", "Project."),
              C("round", "integer", "Vuelta: 1 o 2.", "Round."),
              C("for", "integer", "Votos a favor.", "For."),
              C("against", "integer", "Votos en contra.", "Against."),
              C("abstain", "integer", "Abstenciones.", "Abstentions."),
          ), ("assembly_id", "project_id"), (), True),
]


from .resultsdata import tables as _results_tables  # noqa: E402  (residents' ballots, checks)

TABLES += _results_tables()


def all_tables() -> list[Table]:
    """Core tables, then the extensions' (the factory's bodies, meetings...)."""
    return TABLES + [t for ext in extensions() for t in ext.tables()]


def _rows(table: Table, data: Dataset, index: Index, year: int | None):
    if table.rows is not None:
        yield from table.rows(data) or ()
        return
    cur = data.cycles[year].currency if year else ""
    if table.name == "parroquias":
        for p in data.parishes.values():
            yield [p.id, p.name, p.population, p.seat]
    elif table.name == "consejos":
        for c in data.councils.values():
            yield [c.id, c.name, c.parish_id, c.setting, c.families, c.members]
    elif table.name == "ciclos":
        for y, c in data.cycles.items():
            yield [y, c.currency, c.budget.amount, index.cycles[y].allocated.amount,
                   c.clpp_approval, c.clpp_act]
    elif table.name == "asignaciones":
        for pc in index.cycles[year].by_parish:
            yield [year, pc.parish_id, cur, pc.available.amount if pc.available else "",
                   pc.allocated.amount, pc.per_resident.amount, len(pc.funded)]
    elif table.name == "proyectos":
        for p in index.projects_by_year.get(year, []):
            r1, r2 = p.votes.get(1), p.votes.get(2)
            yield [p.id, p.year, p.title, p.category, p.amount.amount, p.amount.currency,
                   p.parish_id, " ".join(p.council_ids), p.funded, p.status, p.progress,
                   r1.yes if r1 else "", r2.yes if r2 else "", r2.no if r2 else ""]
    elif table.name == "asambleas-consejos":
        for a in data.council_assemblies:
            if a.year == year:
                yield [a.id, a.council_id, a.year, a.date, a.members, a.attendance,
                       a.quorum_needed, a.quorum_met]
    elif table.name == "asambleas-parroquiales":
        for a in data.parish_assemblies:
            if a.year == year:
                yield [a.id, a.parish_id, a.year, a.round, a.date, a.delegates_accredited,
                       a.delegates_present]
    elif table.name == "votos":
        for a in data.parish_assemblies:
            if a.year == year:
                for v in a.votes:
                    yield [a.id, v.project_id, a.round, v.yes, v.no, v.abstain]


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


# OWASP "CSV Injection": a cell a spreadsheet would read as a formula.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(kind: str, value: str) -> str:
    """A text cell neutralised for spreadsheets: a leading ' keeps `=HYPERLINK(...)`
    as text. Numbers, dates and booleans are left as they are (a real -5 stays -5);
    the JSON copy keeps the text unchanged."""
    if kind == "string" and value.startswith(_FORMULA):
        return "'" + value
    return value


def files(data: Dataset) -> list[tuple[Table, int | None, str]]:
    """(table, year, path stem) of every published file, in a stable order."""
    out = []
    for table in tables(data):
        if table.per_cycle:
            for year in data.cycles:
                out.append((table, year, f"{DIR}/{year}/{table.name}"))
        else:
            out.append((table, None, f"{DIR}/{table.name}"))
    return out


def tables(data: Dataset) -> list[Table]:
    """The tables this data publishes (the factory's only when it has one)."""
    return [t for t in all_tables() if t.rows is None
            or (t.present(data) if t.present is not None else t.rows(data) is not None)]


def _resource_name(table: Table, year) -> str:
    return f"{table.name}-{year}" if year else table.name


class PublishedFiles:
    """The files of the published build (`previous`) whose content is known by a digest
    of exactly what they are written from (`known`: {path: digest}, its record): one
    whose digest is unchanged is hard-linked, not written again (an edit changes one
    cycle's tables; writing all the others cost seconds at full scale). `digests`: this
    build's, to record."""

    def __init__(self, previous: Path | None = None, known: dict | None = None):
        self.previous, self.known = previous, known or {}
        self.digests: dict[str, str] = {}

    def link(self, output: Path, paths: tuple[str, ...], content: object) -> bool:
        """True when the files at `paths`, written from `content` alone (a repr that
        tells every value and type apart), were linked from the published build."""
        key = paths[0]
        digest = hashlib.sha256(repr(content).encode()).hexdigest()
        self.digests[key] = digest
        if self.previous is None or self.known.get(key) != digest:
            return False
        if not all((self.previous / path).is_file() for path in paths):
            return False
        for path in paths:
            target = output / path
            target.parent.mkdir(parents=True, exist_ok=True)
            link_or_copy(self.previous / path, target)
        return True


def write(output: Path, data: Dataset, index: Index, cache: Path | None = None,
          published: PublishedFiles | None = None) -> None:
    """Every table as CSV, JSON and XLSX, the GeoJSON and the datapackage. `cache`: a
    folder where workbooks are kept by the hash of their cells (spreadsheets.py);
    `published`: the published build's files that can be kept."""
    published = published or PublishedFiles()
    resources = []
    lang = data.municipality.languages[0]
    for table, year, stem in files(data):
        header = [c.name for c in table.columns]
        raw = list(_rows(table, data, index, year))
        resources.append(_resource(table, year, stem))
        (output / stem).parent.mkdir(parents=True, exist_ok=True)
        # The workbook also shows labels (categories, parishes): it has its own cache.
        spreadsheets.write(output / f"{stem}.xlsx", table, raw, data, lang,
                           cache / "xlsx" if cache is not None else None)
        # the values as they are (Decimal('1.10'), a date, None): all CSV and JSON show
        if published.link(output, (f"{stem}.csv", f"{stem}.json"),
                      (header, [c.type for c in table.columns], raw)):
            continue
        rows = [[_text(v) for v in row] for row in raw]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([[csv_cell(c.type, v) for c, v in zip(table.columns, row)]
                          for row in rows])
        (output / f"{stem}.csv").write_text(buffer.getvalue(), "utf-8")
        records = [dict(zip(header, _typed(table, row))) for row in rows]
        # One record per line: as readable and diffable as an indented file, and written
        # by json's C encoder (with `indent` it falls back to Python: 1.5 s at full scale).
        lines = ",\n".join(json.dumps(r, ensure_ascii=False) for r in records)
        (output / f"{stem}.json").write_text(f"[\n{lines}\n]\n" if records else "[]\n",
                                             "utf-8")
    for year in data.cycles:
        resources.append(_write_geojson(output, data, index, year, published))
    package = {
        "name": f"cabildo-{_slug(data.municipality.name)}",
        "title": f"Presupuesto participativo de {data.municipality.name}",
        "description": "Datos abiertos del presupuesto participativo: parroquias, consejos "
                       "comunales, asambleas, votos y proyectos. Cada monto va en la moneda "
                       "de su ciclo.",
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                      "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": resources,
    }
    (output / DIR / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=1) + "\n", "utf-8")


def geojson_path(year: int) -> str:
    return f"{DIR}/{year}/proyectos.geojson"


def _write_geojson(output: Path, data: Dataset, index: Index, year: int,
                   published: PublishedFiles) -> dict:
    """Every funded project of a cycle with a location, as RFC 7946 GeoJSON."""
    features = []
    for p in index.projects_by_year.get(year, []):
        if p.funded and p.geometry:
            features.append({"type": "Feature", "id": p.id, "geometry": p.geometry,
                             "properties": {
                                 "id": p.id, "title": p.title, "category": p.category,
                                 "amount": str(p.amount.amount), "currency": p.amount.currency,
                                 "parish_id": p.parish_id, "status": p.status,
                                 "progress": p.progress}})
    path = geojson_path(year)
    if not published.link(output, (path,), features):
        (output / path).write_text(json.dumps(
            {"type": "FeatureCollection", "features": features}, ensure_ascii=False,
            separators=(",", ":")) + "\n", "utf-8")
    return {"name": f"proyectos-geo-{year}", "title": f"Proyectos financiados {year} (mapa)",
            "description": "Proyectos financiados del ciclo con su ubicación, en GeoJSON "
                           "(RFC 7946, WGS84, longitud primero). Montos como texto exacto.",
            "path": path.removeprefix(f"{DIR}/"), "format": "geojson",
            "mediatype": "application/geo+json", "encoding": "utf-8"}


def _typed(table: Table, row: list[str]):
    out = []
    for col, value in zip(table.columns, row):
        if value == "":
            out.append(None)
        elif col.type == "integer":
            out.append(int(value))
        elif col.type == "boolean":
            out.append(value == "true")
        else:
            out.append(value)  # numbers stay exact text: money is never a float
    return out


def _resource(table: Table, year, stem: str) -> dict:
    fields = []
    for c in table.columns:
        f = {"name": c.name, "type": c.type, "description": c.es}
        if c.required:
            f["constraints"] = {"required": True}
        fields.append(f)
    schema = {"fields": fields, "primaryKey": list(table.primary_key)}
    fks = []
    for fields_, resource, ref in table.foreign_keys:
        target = f"{resource}-{year}" if resource in _PER_CYCLE else resource
        fks.append({"fields": list(fields_), "reference": {"resource": target,
                                                            "fields": list(ref)}})
    if fks:
        schema["foreignKeys"] = fks
    title = table.title_es + (f" {year}" if year else "")
    return {"name": _resource_name(table, year), "title": title,
            "path": stem.removeprefix(f"{DIR}/") + ".csv", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "schema": schema}


_PER_CYCLE = {t.name for t in TABLES if t.per_cycle}


def _slug(text: str) -> str:
    return slugify(text)
