"""Property tests of the data contract (issue 9, item 1), with input nobody here wrote.

1. Every record Hypothesis generates from our own JSON Schemas, placed in a minimal
   dataset (the riverside fixture), either loads and renders, or stops with data
   messages (file:line:col, a message and a hint): never an exception.
2. A mutation of a valid record (wrong type, out of range, missing field, unknown
   reference, too long, wrong decimals) gives a message at the mutated spot.

`make test` runs a bounded profile (about a minute here); a deeper one by hand:
    CABILDO_HYPOTHESIS=deep .venv/bin/python -m pytest tests/test_properties.py
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from cabildo.model.load import load_dataset
from cabildo.model.problems import DataProblems
from cabildo.model.schema import FILE_KEYS
from cabildo.resources import SCHEMA_DIR

ROOT = Path(__file__).resolve().parent.parent
RIVERSIDE = ROOT / "tests" / "fixtures" / "riverside" / "data"

settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=list(HealthCheck))
settings.register_profile("deep", max_examples=400, deadline=None,
                          suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("CABILDO_HYPOTHESIS", "ci"))

# record type -> (file in the minimal dataset, top-level key, one record or a list)
PLACES = {
    "municipality": ("municipality.yaml", "municipality", False),
    "parish": ("parishes.yaml", "parishes", True),
    "council": ("councils/all.yaml", "councils", True),
    "cycle": ("cycles/2025.yaml", "cycle", False),
    "council_assembly": ("council-assemblies/2025.yaml", "council_assemblies", True),
    "parish_assembly": ("parish-assemblies/2025.yaml", "parish_assemblies", True),
    "project": ("projects/2025.yaml", "projects", True),
    "category": ("categories.yaml", "categories", True),
}


def record_schema(record_type: str) -> dict:
    """The schema of one record, its $defs kept so references resolve."""
    schema = json.loads((SCHEMA_DIR / f"{record_type}.schema.json").read_text("utf-8"))
    one = dict(schema["$defs"][record_type])
    one["$defs"] = schema["$defs"]
    return one


def dump(value) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=10_000)


def _plain(value):
    """Hypothesis gives floats for numbers; write them as a clerk would (no exponent)."""
    if isinstance(value, float):
        text = format(value, "f").rstrip("0").rstrip(".") if value == value else "0"
        return yaml.safe_load(text or "0")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def place(data: Path, record_type: str, record: dict) -> None:
    rel, key, many = PLACES[record_type]
    path = data / rel
    if many:
        records = yaml.safe_load(path.read_text("utf-8"))[key]
        records.append(record)
        path.write_text(dump({key: records}), "utf-8")
    else:
        path.write_text(dump({key: record}), "utf-8")


def load_and_render(data: Path, out: Path):
    """Load; when valid, render what the build renders from records outside Jinja:
    every page's context, the open data, the feeds and every amount in every language."""
    from cabildo.model.settings import Config
    from cabildo.outputs import feeds, opendata
    from cabildo.views import i18n
    from cabildo.views.pages import budget_pages
    from cabildo.views.stats import Index
    try:
        dataset = load_dataset(data)
    except DataProblems as exc:
        return exc.problems
    index = Index(dataset)
    budget_pages(index)
    opendata.write(out, dataset, index)
    languages = dataset.municipality.languages
    config = Config.for_data(data)
    for lang in languages:
        feeds.write(out, dataset, lang, languages[0], "https://example.org")
        fmt = i18n.formatter_for(config, dataset.municipality, lang)
        for project in dataset.projects.values():
            fmt.money(project.amount)
        for parish in dataset.parishes.values():
            fmt.number(parish.population)
    return []


def assert_clerk_messages(found) -> None:
    for p in found:
        assert p.path.startswith("data/") and p.line >= 0 and p.column >= 0, p
        assert p.message and p.hint, f"message without a hint: {p}"
        assert not re.search(r"\^\[|\]\+|\\\\d", str(p)), f"a regular expression: {p}"


# References to the minimal dataset's records, so that generated records also reach
# the render (half of the examples) instead of stopping at "unknown parish".
KNOWN = {
    "project": {"cycle": 2025, "parish": "north-bank", "councils": ["harbour"]},
    "council": {"parish": "north-bank"},
    "council_assembly": {"council": "harbour", "cycle": 2025, "date": "2025-02-15"},
    "parish_assembly": {"parish": "north-bank", "cycle": 2025, "round": 1,
                        "date": "2025-03-10"},
    "cycle": {"year": 2025},
}


def _generated(record_type):
    records = from_schema(record_schema(record_type))
    known = KNOWN.get(record_type)
    if not known:
        return records
    return st.one_of(records, records.map(lambda r: {**r, **known}))


def check_generated(record_type, record):
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(RIVERSIDE, data)
        place(data, record_type, _plain(record))
        assert_clerk_messages(load_and_render(data, Path(tmp) / "out"))


@given(_generated("project"))
def test_any_schema_valid_project_loads_or_is_explained(record):
    check_generated("project", record)


@given(_generated("cycle"))
def test_any_schema_valid_cycle_loads_or_is_explained(record):
    check_generated("cycle", record)


@given(_generated("municipality"))
def test_any_schema_valid_municipality_loads_or_is_explained(record):
    check_generated("municipality", record)


@given(st.sampled_from(["parish", "council", "council_assembly", "parish_assembly",
                        "category"])
       .flatmap(lambda t: st.tuples(st.just(t), _generated(t))))
def test_any_schema_valid_record_loads_or_is_explained(generated):
    check_generated(*generated)


# Mutations of valid records ---------------------------------------------------------

def _records():
    """(record type, index, record, field) of every field of every riverside record."""
    out = []
    for record_type, (rel, key, many) in PLACES.items():
        value = yaml.safe_load((RIVERSIDE / rel).read_text("utf-8"))[key]
        for i, record in enumerate(value if many else [value]):
            for field in record:
                out.append((record_type, i, field))
    return out


MUTATIONS = ["wrong type", "out of range", "missing", "unknown reference", "too long",
             "wrong decimals"]
REFERENCES = {"parish", "council", "councils", "project", "cycle", "category"}


def mutate(schema: dict, record: dict, field: str, how: str):
    """The mutated record, or None when the mutation does not apply to the field."""
    spec = schema["properties"].get(field, {})
    kind = spec.get("type")
    record = dict(record)
    if how == "wrong type":
        record[field] = "not a value" if kind in ("integer", "number", "array", "object",
                                                  "boolean") else ["a", "list"]
    elif how == "out of range":
        if kind not in ("integer", "number"):
            return None
        record[field] = -1 if ("minimum" in spec or "exclusiveMinimum" in spec) else None
        if record[field] is None:
            return None
    elif how == "missing":
        if field not in schema.get("required", []):
            return None
        del record[field]
    elif how == "unknown reference":
        if field not in REFERENCES:
            return None
        record[field] = 1999 if field == "cycle" else (
            ["zz-nobody"] if field == "councils" else "zz-nobody")
    elif how == "too long":
        if kind != "string" or "maxLength" not in spec:
            return None
        record[field] = "a" * (spec["maxLength"] + 1)
    elif how == "wrong decimals":
        if kind != "number" or field == "quorum":
            return None
        record[field] = 1.123
    return record


def _line_of(text: str, index: int, field: str | None, many: bool) -> int:
    """1-based line of `field` (or of the record's start) in a file `dump()` wrote."""
    lines = text.splitlines()
    starts = [n for n, line in enumerate(lines) if (line.startswith("- ") if many
                                                    else re.match(r"^  \w", line))]
    start = starts[index] if many else starts[0]
    if field is None:  # a missing field: reported where its record opens
        return start + 1 if many else 1
    for n in range(start, len(lines)):
        if re.match(rf"^(- |  ){re.escape(field)}:", lines[n]):
            return n + 1
    raise AssertionError((field, text))


@given(st.sampled_from(_records()), st.sampled_from(MUTATIONS))
def test_a_mutated_field_is_reported_at_its_line(where, how):
    record_type, index, field = where
    rel, key, many = PLACES[record_type]
    schema = record_schema(record_type)
    value = yaml.safe_load((RIVERSIDE / rel).read_text("utf-8"))[key]
    records = value if many else [value]
    changed = mutate(schema, records[index], field, how)
    if changed is None:
        return
    records[index] = changed
    text = dump({key: records if many else records[0]})
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(RIVERSIDE, data)
        (data / rel).write_text(text, "utf-8")
        found = load_and_render(data, Path(tmp) / "out")
    assert found, f"{how} of {record_type}.{field} was accepted"
    assert_clerk_messages(found)
    line = _line_of(text, index, None if how == "missing" else field, many)
    here = [p for p in found if p.path == f"data/{rel}" and p.line == line]
    assert here, (how, f"{rel}:{line}", [str(p) for p in found])


# Not generated yet (a known gap): the factory's records and residents' ballots, which
# need their own minimal datasets; a new record type must be added here or above.
NOT_GENERATED = {"ballot"}


def test_the_record_types_are_all_covered():
    assert set(PLACES) | NOT_GENERATED == {t for t in FILE_KEYS.values()
                                           if not t.startswith("factory")}


_DATE_LIKE = (st.text(max_size=12) | st.dates().map(str)
              | st.from_regex(r"\d{4}-\d{2}-\d{2}", fullmatch=True)
              | st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True))


@settings(max_examples=400, deadline=None)
@given(_DATE_LIKE)
def test_the_fast_date_check_agrees_with_the_schema_s_date_format(value):
    # jsonschema-rs calls schema._date_ok for every date; jsonschema (the wording of
    # problems) calls _is_date: a date one accepts and the other refuses would pass
    # validate and then fail where records are built.
    from cabildo.model import schema
    try:
        expected = schema._is_date(value)
    except ValueError:
        expected = False
    assert schema._date_ok(value) == expected


_CELL_TEXT = st.text(alphabet="ab <>&\"é1", max_size=6).map(
    lambda s: s.replace("<", "&lt;").replace(">", "&gt;"))
_CELL = st.builds(lambda tag, attrs, text: f"<{tag}{attrs}>{text}</{tag}>",
                  st.sampled_from(["td", "th"]),
                  st.sampled_from(["", ' class="num"', ' scope="row"', ' colspan="2"',
                                   ' data-label="x"']),
                  _CELL_TEXT)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab é&<", max_size=5), min_size=1, max_size=5),
       st.lists(_CELL, max_size=7))
def test_a_table_row_is_labelled_alike_by_the_fast_and_the_general_path(names, cells):
    # Phones read tables as cards labelled by column (views/tables.py). Most rows take
    # the fast path; it must label exactly as the general one (_label_row).
    import html as html_module

    from cabildo.views import tables
    row = "<tr>" + "".join(cells) + "</tr>"
    labels = [f' data-label="{html_module.escape(n)}"' if n else "" for n in names]
    fast = tables._label_plain_row(row, labels)
    if fast is not None:
        assert fast == tables._label_row(row, names)


_PIECES = st.sampled_from(["<table>", "<table class=\"t\">", "</table>", "<tablex>", "x",
                           "<tbody>", "</tbody>", "<tfoot>", "</tfoot>", "\n"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_elements_are_found_as_the_lazy_regular_expression_finds_them(text):
    import re

    from cabildo.views import tables
    mark = "[{}]".format
    assert tables._elements(text, ("table",), mark) == \
        re.sub(r"<table\b.*?</table>", lambda m: mark(m.group(0)), text, flags=re.S)
    assert tables._elements(text, ("tbody", "tfoot"), mark) == \
        re.sub(r"<(tbody|tfoot)\b.*?</\1>", lambda m: mark(m.group(0)), text, flags=re.S)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=" \t#a:\n\r\u2028\u2029", max_size=30))
def test_blank_files_and_tab_indents_are_found_line_by_line(text):
    # yamlread searches the whole text at once; this is the line-by-line reading it replaced.
    from cabildo.model import yamlread
    lines = text.splitlines()
    assert yamlread.is_blank(text) == all(
        not line.strip() or line.lstrip().startswith("#") for line in lines)
    expected = []
    for number, line in enumerate(lines, 1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            expected.append((number, indent.index("\t") + 1))
    assert yamlread.tab_indents(text) == expected
