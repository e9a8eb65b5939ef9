"""Read one YAML file into plain Python values, remembering where each value was.

PyYAML's safe loader is used only to compose the node tree; we build the
values ourselves so that:
- every value's line and column is known (for file:line:col messages);
- a key repeated inside one mapping is an error (PyYAML keeps the last one);
- decimals become `Decimal` from their source text, never float;
- dates stay ISO strings so the schema can report impossible ones (2024-02-30).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from .problems import Problems

try:  # the C composer is several times faster on the full-scale data
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader


@dataclass
class Located:
    """A file's values and the (line, column) of every path inside it."""

    path: str
    data: object
    marks: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: tuple) -> tuple[int, int]:
        """The position of `path`, or of its closest ancestor that has one."""
        path = tuple(path)
        while path and path not in self.marks:
            path = path[:-1]
        return self.marks.get(path, (1, 1))


def dotted(path: tuple) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_BOOL = {"true": True, "false": False, "yes": True, "no": False, "on": True, "off": False}


def _scalar(node: yaml.ScalarNode):
    tag, value = node.tag, node.value
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
            return Decimal(value.replace("_", ""))
        except InvalidOperation:
            return value
    return value  # str, and timestamps kept as text for the schema's date check


def _build(node, path, marks, problems, rel):
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(child, path + (i,), marks, problems, rel)
            for i, child in enumerate(node.value)
        ]
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.add(
                    rel, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                    dotted(path), "a key must be a plain word", "write the key as text",
                )
                continue
            key = key_node.value
            if key == "<<":
                continue
            if key in out:
                first = marks.get(path + (key,), (0, 0))[0]
                problems.add(
                    rel, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                    dotted(path + (key,)),
                    f"key '{key}' appears twice in this mapping (first on line {first})",
                    "keep one of them; YAML would silently drop the first",
                )
                continue
            marks[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = _build(value_node, path + (key,), marks, problems, rel)
            marks[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return out
    return None  # pragma: no cover


def read_yaml(file: Path, rel: str, problems: Problems) -> Located | None:
    """Read `file`; on any problem record it and return None."""
    raw = file.read_bytes()
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
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        problems.add(
            rel, 1, 1, "", "the file is empty",
            "add its records, or delete the file",
        )
        return None
    tabs = False
    for number, line in enumerate(text.splitlines(), 1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            problems.add(
                rel, number, indent.index("\t") + 1, "",
                "a tab is used for indentation; YAML allows only spaces",
                "replace the tab with spaces",
            )
            tabs = True
    if tabs:
        return None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{exc.context}, {what}"
        problems.add(
            rel, line, col, "", f"YAML syntax error: {what}",
            "check the indentation and the colons on this line and the one before",
        )
        return None
    except yaml.YAMLError as exc:  # pragma: no cover
        problems.add(rel, 1, 1, "", f"YAML error: {exc}", "")
        return None
    located = Located(rel, None)
    located.data = _build(node, (), located.marks, problems, rel)
    return located
