"""Read one YAML file into plain Python values, remembering where each value was.

PyYAML's safe loader is used only to compose the node tree; we build the
values ourselves so that:
- every value's line and column is known (for file:line:col messages);
- a key repeated inside one mapping is an error (PyYAML keeps the last one);
- decimals become `Decimal` from their source text, never float;
- dates stay ISO strings so the schema can report impossible ones (2024-02-30);
- nothing a clerk did not mean is accepted silently: aliases, anchors, merge keys
  and tags are refused (an alias bomb cannot explode), nesting and size are
  bounded, control characters and symbolic links are reported with their place.
The values are built straight from the parser's events (no node tree, no recursion).
Large files that read without a problem are kept, parsed, in the build's cache folder
by the hash of their text and of this reader, so an unchanged file is not parsed again.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Protocol, TypeAlias

import yaml

from .. import cachefiles
from .problems import Problems

try:  # the C composer is several times faster on the full-scale data
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]  # same interface

# Where a value sits in its file: keys and list indexes from the top, ("projects", 3, "amount").
FieldPath: TypeAlias = tuple[str | int, ...]
Marks: TypeAlias = dict[FieldPath, tuple[int, int]]  # path -> (line, column), 1-based
Scalar: TypeAlias = str | int | bool | Decimal | None


@dataclass
class Located:
    """A file's values and the (line, column) of every path inside it."""

    path: str
    data: object  # as read, not yet checked against its schema
    marks: Marks = field(default_factory=dict)
    # Read from the cache, `marks` holds the records' own places (paths of up to two
    # parts: what a build shows), and `more` gives all the others when a problem
    # needs them: most builds never do, and reading them was a sixth of loading.
    more: Callable[[], Marks] | None = field(default=None, repr=False, compare=False)
    # Where the parse cache keeps this very text (its parsed values only when the file is
    # large): the schema's verdict on it is noted beside (schema.check_file).
    cached: Path | None = field(default=None, repr=False, compare=False)

    def where(self, path: Iterable[str | int]) -> tuple[int, int]:
        """The position of `path`, or of its closest ancestor that has one."""
        path = tuple(path)
        if self.more is not None and path not in self.marks:
            self.marks, self.more = self.more(), None
        while path and path not in self.marks:
            path = path[:-1]
        return self.marks.get(path, (1, 1))


def dotted(path: Iterable[object]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_BOOL = {"true": True, "false": False, "yes": True, "no": False, "on": True, "off": False}


MAX_BYTES = 5_000_000  # one data file; a year of a large city's projects is ~1 MB
MAX_DEPTH = 24  # the deepest record (a multipolygon's coordinates) needs 9
# Control characters a title or a note cannot carry into HTML, feeds or PDFs
# (tab, newline and carriage return are fine).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_resolver = yaml.resolver.Resolver()


@lru_cache(maxsize=65536)
def _tag(value: str, implicit: tuple[bool, bool]) -> str:
    """The type YAML 1.1 gives a scalar (repeated values are many: ids, dates, words)."""
    tag: str = _resolver.resolve(yaml.ScalarNode, value, implicit)
    return tag


def _scalar(event: yaml.ScalarEvent) -> Scalar:
    value = event.value
    tag = _tag(value, event.implicit) if event.implicit[0] else "tag:yaml.org,2002:str"
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return _BOOL.get(value.lower(), value)
    if tag.endswith(":int"):
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            return value
    if tag.endswith(":float"):
        try:
            number = Decimal(value.replace("_", ""))
        except InvalidOperation:
            return value
        return number if number.is_finite() else value  # .inf and .nan are not amounts
    return value  # str, and timestamps kept as text for the schema's date check


class _Mark(Protocol):
    line: int  # 0-based
    column: int


def _at(mark: _Mark | None) -> tuple[int, int]:
    if mark is None:  # the parser marks every event; (1, 1) rather than a crash
        return 1, 1
    return mark.line + 1, mark.column + 1


class _Refused(Exception):
    """A construct staff data may not use; carries its message."""

    def __init__(self, mark: _Mark | None, message: str, hint: str) -> None:
        self.at, self.message, self.hint = _at(mark), message, hint


def _check_event(event: yaml.Event) -> None:
    if isinstance(event, yaml.AliasEvent):
        raise _Refused(event.start_mark, f"an alias (*{event.anchor}) repeats another part of "
                       "the file", "write the values out in full; aliases are not allowed in "
                       "data files")
    anchor = getattr(event, "anchor", None)
    if anchor is not None:
        raise _Refused(event.start_mark, f"an anchor (&{anchor}) is not allowed in data files",
                       "remove it and write the values out in full")
    tag = getattr(event, "tag", None)
    implicit = getattr(event, "implicit", True)
    explicit = not any(implicit) if isinstance(implicit, tuple) else not implicit
    if tag is not None and explicit and tag != "!":
        raise _Refused(event.start_mark, f"the tag {tag} is not allowed in data files",
                       "remove it; write the value as plain text, a number or a date")


@dataclass(slots=True)
class _Frame:
    """A mapping or list being built, where it sits, and (mappings) the key just read."""

    container: dict[str, object] | list[object]
    path: FieldPath
    pending: tuple[str, tuple[int, int]] | None = None  # key and its (line, column)


def _events_to_values(events: Iterable[yaml.Event], marks: Marks, problems: Problems,
                      rel: str) -> object:
    """Build plain values from the parser's events, remembering each value's position.
    Refuses aliases, anchors, tags, merge keys, deep nesting and several documents."""
    stack: list[_Frame] = []
    root: object = None
    documents = 0

    def place(value: object) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        frame = stack[-1]
        container, path = frame.container, frame.path
        if isinstance(container, list):
            container.append(value)
        else:
            assert frame.pending is not None  # a value in a mapping follows its key
            key, key_mark = frame.pending
            frame.pending = None
            if key in container:
                first = marks.get(path + (key,), (0, 0))[0]
                problems.add(rel, *key_mark, dotted(path + (key,)),
                             f"key '{key}' appears twice in this mapping (first on line {first})",
                             "keep one of them; YAML would silently drop the first")
            else:
                container[key] = value
                marks[path + (key,)] = key_mark

    def next_path() -> FieldPath:
        if not stack:
            return ()
        frame = stack[-1]
        if isinstance(frame.container, list):
            return frame.path + (len(frame.container),)
        assert frame.pending is not None
        return frame.path + (frame.pending[0],)

    for event in events:
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _Refused(event.start_mark, "a second document ('---') in the same file",
                               "keep one document per file; split the file in two")
            continue
        if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent,
                              yaml.DocumentEndEvent)):
            continue
        _check_event(event)
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            place(stack.pop().container)
            continue
        if stack and stack[-1].pending is None and isinstance(stack[-1].container, dict):
            # a mapping waiting for its next key
            if not isinstance(event, yaml.ScalarEvent):
                raise _Refused(event.start_mark, "a key must be a plain word",
                               "write the key as text followed by a colon")
            if event.value == "<<" and event.implicit[0]:  # plain, not quoted
                raise _Refused(event.start_mark, "merge keys ('<<:') are not allowed in "
                               "data files", "write the fields out in full")
            stack[-1].pending = (event.value, _at(event.start_mark))
            continue
        path = next_path()
        marks.setdefault(path, _at(event.start_mark))
        if isinstance(event, yaml.ScalarEvent):
            value = _scalar(event)
            if isinstance(value, str) and (bad := _CONTROL.search(value)):
                problems.add(rel, *_at(event.start_mark), dotted(path),
                             f"the text holds an invisible control character "
                             f"(U+{ord(bad.group()):04X})",
                             "retype the text; it was probably pasted from another program")
            place(value)
        else:
            if len(stack) >= MAX_DEPTH:
                raise _Refused(event.start_mark, f"the data is nested more than {MAX_DEPTH} "
                               "levels deep", "check the indentation; no record needs this")
            container: dict[str, object] | list[object] = (
                {} if isinstance(event, yaml.MappingStartEvent) else [])
            stack.append(_Frame(container, path))
    return root


def _text_problems(raw: bytes, rel: str, problems: Problems) -> str | None:
    """The file's text, or None after reporting why it cannot be read."""
    if len(raw) > MAX_BYTES:
        problems.add(rel, 1, 1, "", f"the file is too large ({len(raw) // 1_000_000} MB; at "
                     f"most {MAX_BYTES // 1_000_000} MB)",
                     "split it into several files, or shorten its longest texts")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.add(
            rel, line, col, "", "the file is not UTF-8 text",
            "save it as UTF-8 in your editor (Save with encoding: UTF-8)",
        )
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        what = "a NUL byte" if bad.group() == "\x00" else \
            f"an invisible control character (U+{ord(bad.group()):04X})"
        problems.add(rel, line, col, "", f"the file holds {what}",
                     "delete it; it was probably pasted from another program")
        return None
    return text


# Lines as YAML counts them (control characters other than these are refused before);
# searched in the whole text at once: a Python loop over every line of every file cost
# a tenth of a second at full scale.
_LINE_START = r"(?:^|(?<=[\r\u2028\u2029]))"
_BREAK = re.compile(r"\r\n|[\n\r\u2028\u2029]")
_CONTENT = re.compile(_LINE_START + r"[^\S\n\r\u2028\u2029]*[^\s#]", re.M)
_TAB_INDENT = re.compile(_LINE_START + r"[ ]*\t", re.M)  # the first tab of an indentation


def is_blank(text: str) -> bool:
    """Nothing but blank lines and comments."""
    return _CONTENT.search(text) is None


def tab_indents(text: str) -> list[tuple[int, int]]:
    """(line, column) of the first tab in each line's indentation."""
    if "\t" not in text:  # nearly every file: the search itself tries every position
        return []
    return [(len(_BREAK.findall(text, 0, tab.start())) + 1, tab.end() - tab.start())
            for tab in _TAB_INDENT.finditer(text)]
CACHED_FROM = 2_000  # characters; smaller files parse as fast as a cache lookup
_READER = hashlib.sha256(Path(__file__).read_bytes() + yaml.__version__.encode()).digest()


def _cache_file(cache: Path, text: str) -> Path:
    key = hashlib.sha256(_READER + text.encode("utf-8")).hexdigest()
    return cache / key[:2] / f"{key}.pickle"


RECORD_DEPTH = 2  # ("projects", 3): a record's own place, kept with the values


def _unpickle(path: Path) -> object | None:
    try:
        with path.open("rb") as f:
            kept: object = pickle.load(f)  # noqa: S301 (our own cache folder, keyed by content)
            return kept
    except (OSError, EOFError, pickle.UnpicklingError):
        return None


def _from_cache(path: Path, rel: str, text: str) -> Located | None:
    kept = _unpickle(path)
    if not isinstance(kept, tuple) or len(kept) != 2:
        return None

    def more() -> Marks:  # from their own file; a lost one is read again from the text
        found = _unpickle(path.with_suffix(".marks"))
        if isinstance(found, dict):
            return found
        again = Located(rel, None)
        _events_to_values(yaml.parse(text, Loader=_Loader), again.marks, Problems(), rel)
        return again.marks
    return Located(rel, kept[0], kept[1], more)


def _to_cache(path: Path, located: Located) -> None:
    records = {k: v for k, v in located.marks.items() if len(k) <= RECORD_DEPTH}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # the marks first: a cache entry is only found once both files are there
        for target, content in ((path.with_suffix(".marks"), located.marks),
                                (path, (located.data, records))):
            pending = target.with_name(f"{target.name}.{os.getpid()}")
            pending.write_bytes(pickle.dumps(content, protocol=5))
            os.replace(pending, target)
    except OSError:  # a read-only or full disk only costs the next read its speed
        pass


# The files of one data folder this process read cleanly, by (file, name, cache): their
# bytes and what was read. `cabildo serve` loads the same folder at every save: an
# unchanged file is neither unpickled nor checked for stray characters again (0.1 s at
# full scale). What was read is never changed by its readers.
_PARSED: dict[tuple[str, str, str], tuple[bytes, Located]] = {}
_PARSED_FOLDER: list[str] = [""]


def keep_parsed_of(folder: Path) -> None:
    """The data folder about to be read: what was kept of another one is let go."""
    if _PARSED_FOLDER[0] != str(folder):
        _PARSED.clear()
        _PARSED_FOLDER[0] = str(folder)


def read_yaml(file: Path, rel: str, problems: Problems, cache: Path | None = None) -> Located | None:
    """Read `file`; on any problem record it and return None. `cache`: a folder where
    large files that read cleanly are kept parsed."""
    if file.is_symlink():
        problems.add(rel, 0, 0, "", "this is a symbolic link; data files are never read "
                     "through links", "copy the real file into data/ instead")
        return None
    if file.stat().st_size > MAX_BYTES:
        problems.add(rel, 1, 1, "", f"the file is too large (at most {MAX_BYTES // 1_000_000} "
                     "MB)", "split it into several files, or shorten its longest texts")
        return None
    raw = file.read_bytes()
    key = (str(file), rel, str(cache))
    known = _PARSED.get(key)
    if known is not None and known[0] == raw:
        cachefiles.note("yaml", known[1].cached)
        return known[1]
    clean = len(problems.items)
    located = _read_text(raw, rel, problems, cache)
    if located is not None and len(problems.items) == clean:
        _PARSED[key] = (raw, located)
    if located is not None:
        cachefiles.note("yaml", located.cached)
    return located


def _read_text(raw: bytes, rel: str, problems: Problems, cache: Path | None) -> Located | None:
    text = _text_problems(raw, rel, problems)
    if text is None:
        return None
    if is_blank(text):
        problems.add(
            rel, 1, 1, "", "the file is empty",
            "add its records, or delete the file",
        )
        return None
    tabs = tab_indents(text)
    for line, column in tabs:
        problems.add(rel, line, column, "", "a tab is used for indentation; YAML allows only "
                     "spaces", "replace the tab with spaces")
    if tabs:
        return None
    entry = _cache_file(cache, text) if cache is not None else None
    kept = entry if len(text) >= CACHED_FROM else None  # small files: parsed again
    if kept is not None and (hit := _from_cache(kept, rel, text)) is not None:
        hit.cached = kept
        return hit
    located = Located(rel, None)
    before = len(problems.items)
    try:
        located.data = _events_to_values(yaml.parse(text, Loader=_Loader), located.marks,
                                         problems, rel)
    except _Refused as exc:
        problems.add(rel, *exc.at, "", exc.message, exc.hint)
        return None
    except yaml.MarkedYAMLError as exc:
        # An unclosed quote or bracket is found at the end of the file; the place
        # where it opened (the context mark) is where the clerk must look.
        opened = exc.context and exc.context.startswith("while scanning") and exc.context_mark
        mark = (exc.context_mark if opened else exc.problem_mark) or exc.context_mark
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{exc.context}, {what}"
        if opened:
            what += f" (line {exc.problem_mark.line + 1})" if exc.problem_mark else ""
        problems.add(
            rel, *_at(mark), "", f"YAML syntax error: {what}",
            "check the quotes, brackets, indentation and colons from here on"
            if opened else "check the indentation and the colons on this line and the one "
            "before",
        )
        return None
    except yaml.YAMLError as exc:  # pragma: no cover
        problems.add(rel, 1, 1, "", f"YAML error: {exc}", "check the file's syntax")
        return None
    if kept is not None and len(problems.items) == before:
        _to_cache(kept, located)
    located.cached = entry
    return located


def verdict_file(cached: Path | None, name: str) -> Path | None:
    """Where a verdict on a parsed file's text is kept: an empty file beside its parsed
    copy (`cached`), named for what was found and by which checks (None: no cache)."""
    return None if cached is None else cached.with_name(f"{cached.stem}.{name}")


def note_verdict(verdict: Path | None) -> None:
    if verdict is not None:
        with contextlib.suppress(OSError):  # a read-only cache only costs speed
            verdict.touch()
