"""Tables that read as labelled cards on a phone.

Each body cell gets its column's heading as `data-label`, so the stylesheet can
turn a row into a card ("Monto: Bs. 2.712.832,51") on a narrow screen instead of
clipping it in a box that scrolls sideways. Works without JavaScript. The header row is left out of the search index.
"""
from __future__ import annotations

import html
import re

from markupsafe import Markup

_ROW = re.compile(r"<tr\b.*?</tr>", re.S)
_CELL = re.compile(r"<(td|th)\b([^>]*)>(.*?)</\1>", re.S)
_TAG = re.compile(r"<[^>]+>")
_SPAN = re.compile(r'colspan="(\d+)"')


def _text(cell_html: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", cell_html)).split())


def _columns(row: str) -> list[str]:
    names = []
    for _, attrs, inner in _CELL.findall(row):
        span = _SPAN.search(attrs)
        names += [_text(inner)] * (int(span.group(1)) if span else 1)
    return names


def _label_row(row: str, names: list[str]) -> str:
    position = 0

    def label(match):
        nonlocal position
        tag, attrs, inner = match.groups()
        span = _SPAN.search(attrs)
        name = names[position] if position < len(names) and not span else ""
        position += int(span.group(1)) if span else 1
        if not name or "data-label" in attrs:
            return match.group(0)
        return f'<{tag}{attrs} data-label="{html.escape(name)}">{inner}</{tag}>'
    return _CELL.sub(label, row)


_CELL_START = re.compile(r"<(?=t[dh]\b)")


def _label_plain_row(row: str, labels: list[str]) -> str | None:
    """_label_row for the common row, without a callback per cell: one split at its
    cells' tags (None when a cell spans columns or is labelled already: _label_row)."""
    if "colspan" in row or "data-label" in row:
        return None
    parts = _CELL_START.split(row)
    if len(parts) - 1 > len(labels):
        return None
    out = [parts[0]]
    for label, cell in zip(labels, parts[1:]):
        end = cell.find(">")
        if not label or end < 0:
            out.append("<" + cell)
        else:
            out.append(f"<{cell[:end]}{label}{cell[end:]}")
    return "".join(out)


def _elements(text: str, names: tuple[str, ...], change) -> str:
    """`text` with each element named in `names` (its opening tag to the first closing
    tag of its name) replaced by change(element). str.find, not a lazy regular
    expression: scanning 200 KB listings character by character cost more than the
    labelling itself."""
    out, done, search = [], 0, 0
    while True:
        found = [(at, name) for name in names
                 if (at := _opening(text, "<" + name, search)) >= 0]
        if not found:
            break
        start, name = min(found)
        close = "</" + name + ">"
        end = text.find(close, start)
        if end < 0:  # never closed: the next opening may be
            search = start + 1
            continue
        end += len(close)
        out += [text[done:start], change(text[start:end])]
        done = search = end
    out.append(text[done:])
    return "".join(out)


def _opening(text: str, tag: str, start: int) -> int:
    """Where `tag` opens from `start` on, as the whole name (<table, not <tablex)."""
    while (at := text.find(tag, start)) >= 0:
        after = text[at + len(tag):at + len(tag) + 1]
        if not (after.isalnum() or after == "_"):
            return at
        start = at + 1
    return -1


def _label_table(table: str) -> str:
    head_at = _opening(table, "<thead", 0)
    head_end = table.find("</thead>", head_at) if head_at >= 0 else -1
    if head_end < 0:
        return table
    rows = _ROW.findall(table[head_at:head_end + len("</thead>")])
    names = _columns(rows[-1]) if rows else []
    if not any(names):
        return table
    table = table.replace("<table", '<table data-cards=""', 1)
    # Search snippets read the cells, not the headings run together ("Proyecto Categoría…").
    table = table.replace("<thead", '<thead data-pagefind-ignore', 1)
    labels = [f' data-label="{html.escape(name)}"' if name else "" for name in names]

    def row(match: re.Match[str]) -> str:
        text = match.group(0)
        plain = _label_plain_row(text, labels)
        return plain if plain is not None else _label_row(text, names)
    return _elements(table, ("tbody", "tfoot"), lambda body: _ROW.sub(row, body))


def label_tables(markup) -> Markup:
    """Every table with a header row, its body cells labelled by column."""
    text = str(markup)
    if "<table" not in text:
        return Markup(text)
    return Markup(_elements(text, ("table",), _label_table))
