"""JSON Schema checks of one file, turned into messages staff can act on.

The schemas in schemas/ (and each extension's own, extensions/) are the same files editors
use for completion (`# yaml-language-server: $schema=...` at the top of each data file).
"""
from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from ..extensions import extensions
from ..resources import SCHEMA_DIR
from .problems import Problems
from .yamlread import FieldPath, Located, dotted, note_verdict, verdict_file

if TYPE_CHECKING:
    # jsonschema words the problems of invalid files only: imported when one is found
    # (a tenth of a second at every start otherwise).
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
    from jsonschema_rs import Validator as CompiledValidator

# A JSON Schema (or one of its subschemas) as json.loads gives it: JSON values nested to any
# depth, which is how jsonschema's own stubs type it too.
JsonSchema: TypeAlias = dict[str, Any]

# The top-level key of a file names its record type (the core's; extensions add theirs).
FILE_KEYS = {
    "municipality": "municipality",
    "parishes": "parish",
    "categories": "category",
    "councils": "council",
    "cycle": "cycle",
    "council_assemblies": "council_assembly",
    "parish_assemblies": "parish_assembly",
    "projects": "project",
    "ballot": "ballot",  # data/ballots/ (model/ballots.py)
}


def file_keys() -> dict[str, str]:
    """Top-level key -> record type: the core's, then the installed extensions'."""
    return FILE_KEYS | {key: record_type for ext in extensions()
                        for key, record_type in ext.file_keys.items()}


def schema_path(record_type: str) -> Path:
    """The JSON Schema of a record type: the core's, or the extension's that reads it."""
    for ext in extensions():
        if ext.schema_dir is not None and record_type in ext.file_keys.values():
            return ext.schema_dir() / f"{record_type}.schema.json"
    return SCHEMA_DIR / f"{record_type}.schema.json"

def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("not YYYY-MM-DD")
    date.fromisoformat(value)
    return True


def _schema(record_type: str) -> JsonSchema:
    schema: JsonSchema = json.loads(schema_path(record_type).read_text("utf-8"))
    return schema


@cache
def validator(record_type: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator, FormatChecker
    formats = FormatChecker(formats=())
    formats.checks("date", raises=ValueError)(_is_date)
    return Draft202012Validator(_schema(record_type), format_checker=formats)


def _date_ok(value: str) -> bool:
    """_is_date for jsonschema-rs, called for every date of every record: the same answer
    (a property test compares them) without the regular expression, which cost more."""
    if not (len(value) == 10 and value[4] == value[7] == "-" and value.isascii()
            and value[:4].isdigit() and value[5:7].isdigit() and value[8:].isdigit()):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


@cache
def _compiled(record_type: str) -> CompiledValidator | None:
    """A compiled validator (jsonschema-rs) that only says valid or not: most files are
    valid, and it checks them some 50 times faster. Invalid ones, or any it cannot
    read, go through `validator` for the precise messages."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    return jsonschema_rs.validator_for(_schema(record_type), validate_formats=True,
                                       formats={"date": _date_ok})


def _verdict(cached: Path | None, record_type: str) -> Path | None:
    """Where "valid" is noted for a cached file's text under its record type's schema."""
    return verdict_file(cached, f"{_checker_digest(record_type)}.valid")


@cache
def _checker_digest(record_type: str) -> str:
    """What a verdict depends on besides the text: the schema, this module's checks and
    the installed validator (its file changes with its version)."""
    import importlib.util
    found = importlib.util.find_spec("jsonschema_rs")
    origin = Path(found.origin) if found is not None and found.origin else None
    stat = origin.stat() if origin is not None and origin.is_file() else None
    validator = f"{origin}:{stat.st_size}:{stat.st_mtime_ns}" if stat else "none"
    digest = hashlib.sha256(schema_path(record_type).read_bytes() + b"\0"
                            + Path(__file__).read_bytes() + b"\0" + validator.encode())
    return digest.hexdigest()[:24]


def _valid(record_type: str, data: object) -> bool:
    compiled = _compiled(record_type)
    if compiled is None:
        return False
    try:
        return compiled.is_valid(data)
    except Exception:  # a value it does not know (never expected from our YAML reader)
        return False


_TYPE_WORDS = {
    "string": "text", "integer": "a whole number", "number": "a number",
    "boolean": "true or false", "array": "a list", "object": "a mapping (key: value lines)",
}


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, (int, Decimal)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{value[:40]}'"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _hint(schema: object, fallback: str = "") -> str:
    """What the field should hold, in the schema's own words (x-hint-en, else its
    English description): the wording lives with the schemas, never in a regex."""
    if not isinstance(schema, dict):
        return fallback
    return str(schema.get("x-hint-en") or schema.get("x-description-en") or fallback)


def _message(error: ValidationError) -> tuple[str, str, FieldPath]:
    """(message, hint, path) for one jsonschema error. Every message has a hint."""
    path = tuple(error.absolute_path)
    kind = error.validator
    value: Any = error.instance  # the value at fault: whatever the YAML held there
    # The subschema that failed; always a mapping in our schemas (none is a bare true/false)
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    if kind == "required":
        missing = error.message.split("'")[1]
        what = _hint(schema.get("properties", {}).get(missing))
        return (f"required field '{missing}' is missing",
                f"add '{missing}:' to this record" + (f" ({what})" if what else ""), path)
    if kind == "additionalProperties":
        extra = sorted(set(value) - set(schema.get("properties", {})))
        if not schema.get("properties"):  # a free mapping of typed values
            return (f"'{extra[0] if extra else '?'}' is not allowed here",
                    _hint(schema, "remove it"), path)
        name = extra[0] if extra else "?"
        close = difflib.get_close_matches(name, list(schema["properties"]), n=1)
        hint = (f"did you mean '{close[0]}'?" if close else
                "allowed fields: " + ", ".join(sorted(schema["properties"])))
        return f"unknown field '{name}'", hint, path + (name,)
    if kind == "enum":
        allowed = ", ".join(str(v) for v in schema["enum"])
        close = difflib.get_close_matches(str(value), [str(v) for v in schema["enum"]], n=1)
        hint = f"did you mean '{close[0]}'? allowed: {allowed}" if close else f"use one of: {allowed}"
        return f"{_describe(value)} is not an allowed value", hint, path
    if kind == "type":
        want = schema["type"]
        want = _TYPE_WORDS.get(want, want) if isinstance(want, str) else " or ".join(want)
        hint = _hint(schema, f"write {want}")
        if isinstance(value, str) and re.search(r"\d,\d", value):
            hint = "write numbers with a dot for decimals and no thousands separator, " \
                   "e.g. 1234567.89; " + hint
        return f"expected {want}, found {_describe(value)}", hint, path
    if kind == "format":
        return (f"'{value}' is not a real date", "write it as YYYY-MM-DD, e.g. 2024-03-15",
                path)
    if kind in ("minimum", "exclusiveMinimum"):
        limit = schema[kind]
        rel = "at least" if kind == "minimum" else "more than"
        return f"{value} is too small: it must be {rel} {limit}", _hint(schema, "correct it"), path
    if kind in ("maximum", "exclusiveMaximum"):
        return (f"{value} is too large: it must be at most {schema[kind]:,}".replace(",", " "),
                _hint(schema, "correct it"), path)
    if kind == "pattern":
        shown = value if len(value) <= 60 else value[:57] + "..."
        if schema is not None and "currency" in (schema.get("description") or "").lower():
            return f"'{shown}' is not a currency code", "use a 3-letter ISO code such as VES", path
        if "[a-z0-9]+" in schema["pattern"]:
            return (f"'{shown}' is not a valid id",
                    "use lowercase letters, digits and hyphens, e.g. la-guajira", path)
        return f"'{shown}' does not have the expected form", _hint(schema, "correct it"), path
    if kind == "minItems":
        return "the list is empty", "add at least one item", path
    if kind == "minLength":
        return "the text is empty or too short", f"write at least {schema['minLength']} characters", path
    if kind == "maxLength":
        return (f"the text is too long ({len(value)} characters)",
                f"keep it to {schema['maxLength']} characters or fewer", path)
    if kind == "uniqueItems":
        return "the list has the same item twice", "remove the repeated item", path
    return error.message, _hint(schema, "see the schema of this file"), path


def check_file(located: Located, problems: Problems) -> tuple[str | None, set[int | None]]:
    """Validate a file against its record type's schema.

    Returns its record type (None if unknown) and the set of indexes of
    records with errors (None in the set when the whole file is unusable).
    """
    data = located.data
    known = file_keys()
    if not isinstance(data, dict) or len(data) != 1 or next(iter(data)) not in known:
        found = ", ".join(map(str, data)) if isinstance(data, dict) else _describe(data)
        problems.add(
            located.path, 1, 1, "",
            f"cannot tell what this file holds (top-level key: {found or 'none'})",
            "start the file with one of: " + ", ".join(f"'{k}:'" for k in known),
        )
        return None, {None}
    record_type = known[next(iter(data))]
    verdict = _verdict(located.cached, record_type)
    if verdict is not None and verdict.exists():  # this text, valid under this schema
        return record_type, set()
    if _valid(record_type, data):
        note_verdict(verdict)
        return record_type, set()
    errors = sorted(validator(record_type).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    bad: set[int | None] = set()
    for error in errors:
        message, hint, path = _message(error)
        many = isinstance(data[next(iter(data))], list)
        index = path[1] if many and len(path) > 1 else None  # the record's place in the list
        bad.add(index if isinstance(index, int) else None)
        line, col = located.where(path)
        problems.add(located.path, line, col, dotted(path), message, hint)
    return record_type, bad
