"""Tables that read as labelled cards on a phone.

Each body cell gets its column's heading as `data-label`, so the stylesheet can
turn a row into a card ("Monto: Bs. 2.712.832,51") on a narrow screen instead of
clipping it in a box that scrolls sideways. Works without JavaScript. The header row is left out of the search index.
"""
from __future__ import annotations

import html
import re

from markupsafe import Markup

_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_HEAD = re.compile(r"<thead\b.*?</thead>", re.S)
_BODY = re.compile(r"<(tbody|tfoot)\b.*?</\1>", re.S)
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


def _label_table(table: str) -> str:
    head = _HEAD.search(table)
    if not head:
        return table
    rows = _ROW.findall(head.group(0))
    names = _columns(rows[-1]) if rows else []
    if not any(names):
        return table
    table = table.replace("<table", '<table data-cards=""', 1)
    # Search snippets read the cells, not the headings run together ("Proyecto Categoría…").
    table = table.replace("<thead", '<thead data-pagefind-ignore', 1)
    return _BODY.sub(lambda b: _ROW.sub(lambda r: _label_row(r.group(0), names), b.group(0)),
                     table)


def label_tables(markup) -> Markup:
    """Every table with a header row, its body cells labelled by column."""
    return Markup(_TABLE.sub(lambda m: _label_table(m.group(0)), str(markup)))
