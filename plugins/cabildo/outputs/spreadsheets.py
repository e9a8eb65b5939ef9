"""Open data for spreadsheets: each CSV also as an XLSX that opens with a double click.

A CSV in UTF-8 opens with garbled accents in a Spanish Excel (it reads the local code
page) and its commas split nothing where the list separator is ";". An XLSX has neither
problem, keeps numbers as numbers and dates as dates, and carries headers in the site's
language with a readable label beside each code (category, status, parish, council).
The CSV stays as it is, for programs. XlsxWriter writes every text with write_string, so
a title that starts with "=" stays text (no formula injection), and writes fixed zip
dates, so with a fixed creation date the file is byte-identical build after build.
"""
from __future__ import annotations

import datetime
import hashlib
import os
import shutil
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from .. import cachefiles
from ..model.records import Dataset
from ..views.i18n import N_, STATUS_LABELS, gettext_for
from .files import link_or_copy

# Fixed, so that the same data gives the same bytes (Excel shows it as the file's date).
CREATED = datetime.datetime(2000, 1, 1)
MAX_WIDTH = 60  # characters; longer texts wrap in their cell
# What else a workbook depends on: this writer and XlsxWriter's version.
_CODE = hashlib.sha256(Path(__file__).read_bytes() + xlsxwriter.__version__.encode()).hexdigest()

Labeller = Callable[[Any], str]


def _labellers(data: Dataset, lang: str) -> dict[str, tuple[str, Labeller]]:
    """Code column -> (header of the label column beside it, code -> label)."""
    def _(text: str) -> str:
        return gettext_for(lang, text)

    def name_of(records: dict[str, Any]) -> Labeller:
        return lambda v: str(records[v].name) if v in records else ""
    return {
        "category": (_(N_("Category")), lambda v: data.categories[v].label_in(lang)
                     if v in data.categories else ""),
        "status": (_(N_("Status")), lambda v: _(STATUS_LABELS[v]) if v in STATUS_LABELS else ""),
        "parish_id": (_(N_("Parish")), name_of(data.parishes)),
        "council_id": (_(N_("Communal council")), name_of(data.councils)),
    }


def header(column: Any, lang: str) -> str:
    """The column's plain description in the site's language, without its final period."""
    text: str = column.description(lang)
    return text.rstrip(".")


def write(target: Path, table: Any, rows: Iterable[list[Any]], data: Dataset, lang: str,
          cache: Path | None = None) -> None:
    """Write one table as XLSX. With `cache`, a workbook already made from the same cells
    (by their hash) is copied instead of written again: an edit changes few tables."""
    labellers = _labellers(data, lang)
    columns: list[tuple[Any, Labeller | None]] = []  # (column, None) or (code column, labeller)
    titles: list[str] = []
    for c in table.columns:
        columns.append((c, None))
        if c.name in labellers:  # "Categoría (código)", then "Categoría" with the names
            label, label_of = labellers[c.name]
            titles.append(gettext_for(lang, N_("%(name)s (code)")) % {"name": label})
            columns.append((c, label_of))
            titles.append(label)
        else:
            titles.append(header(c, lang))
    cells = []
    for row in rows:
        values = dict(zip((c.name for c in table.columns), row))
        cells.append([(c.type, values[c.name]) if labeller is None else
                      ("string", labeller(values[c.name]) if values[c.name] not in (None, "")
                       else "") for c, labeller in columns])
    kept = None
    if cache is not None:
        fields = [(c.name, c.type, header(c, lang)) for c in table.columns]
        key = hashlib.sha256(repr((_CODE, table.name, table.title(lang), lang, titles, fields,
                                   cells)).encode()).hexdigest()
        kept = cache / key[:2] / f"{key}.xlsx"
        cachefiles.note("xlsx", kept)
        if kept.is_file():  # never changed once there (written whole, then renamed)
            link_or_copy(kept, target)
            return
    _workbook(target, table, lang, titles, cells)
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        pending = kept.with_name(f"{kept.name}.{os.getpid()}")
        shutil.copyfile(target, pending)
        os.replace(pending, kept)


def _workbook(target: Path, table: Any, lang: str, titles: list[str],
              cells: list[list[tuple[str, Any]]]) -> None:
    book = xlsxwriter.Workbook(str(target), {"in_memory": True, "strings_to_numbers": False,
                                             "strings_to_formulas": False,
                                             "strings_to_urls": False})
    book.set_properties({"title": table.title(lang), "created": CREATED})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    money = book.add_format({"num_format": "#,##0.00"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(table.name[:31])
    widths = [min(max(len(w) for w in t.split()) + 2, MAX_WIDTH) for t in titles]
    for col, title in enumerate(titles):
        sheet.write_string(0, col, title, bold)
    for number, row in enumerate(cells, start=1):
        for col, (kind, value) in enumerate(row):
            text = _cell(sheet, number, col, kind, value, money, day, wrap)
            widths[col] = max(widths[col], min(len(text) + 2, MAX_WIDTH))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(cells), 1), len(titles) - 1)
    _fields_sheet(book, table, lang, bold, wrap)
    book.close()


def _cell(sheet: Any, row: int, col: int, kind: str, value: Any, money: Any, day: Any,
          wrap: Any) -> str:
    """Write one typed cell; the text it shows (for the column's width)."""
    if value is None or value == "":
        sheet.write_blank(row, col, None)
        return ""
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
        return "FALSE"
    if kind == "integer" and isinstance(value, int):
        sheet.write_number(row, col, value)
        return str(value)
    if kind == "number" and isinstance(value, (int, float, Decimal)):
        sheet.write_number(row, col, float(value), money)
        return f"{value:,.2f}"
    if kind == "date" and isinstance(value, datetime.date):
        sheet.write_datetime(row, col, datetime.datetime(value.year, value.month, value.day),
                             day)
        return "yyyy-mm-dd"
    text = str(value)
    sheet.write_string(row, col, text, wrap if len(text) > MAX_WIDTH else None)
    return text


def _fields_sheet(book: Any, table: Any, lang: str, bold: Any, wrap: Any) -> None:
    """A second sheet saying what each column means, as the open-data page does."""
    def _(text: str) -> str:
        return gettext_for(lang, text)
    sheet = book.add_worksheet(_(N_("Fields"))[:31])
    for col, title in enumerate((_(N_("Field")), _(N_("Type")), _(N_("What it means")))):
        sheet.write_string(0, col, title, bold)
    for row, c in enumerate(table.columns, start=1):
        sheet.write_string(row, 0, c.name)
        sheet.write_string(row, 1, c.type)
        sheet.write_string(row, 2, header(c, lang) + ".", wrap)
    sheet.set_column(0, 0, max(len(c.name) for c in table.columns) + 2)
    sheet.set_column(1, 1, 10)
    sheet.set_column(2, 2, MAX_WIDTH, wrap)
    sheet.freeze_panes(1, 0)
