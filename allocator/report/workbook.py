"""A report as an Excel workbook (.xlsx), written with XlsxWriter.

The first sheet, ``cover``, has two columns, item and value: the cover's lines (status,
objective, bound and gap, case, scenario, solver, date, ...), then one line per sheet
saying which table it holds and how many rows it has. Every table of the report follows
on a sheet of its own, exactly as in the JSON: ``pandas.read_excel(path, sheet_name=name)``
gives it back (a spreadsheet has no empty text, so an empty text reads back as missing,
like null). Each sheet has a frozen header row, a filter on every column, widths that
fit, and number formats by the column's kind: money in the case's money unit, units and
shares.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from allocator.report.columns import Kind, is_number, kind_of
from allocator.report.document import Report
from allocator.report.files import write_atomic

COVER = "cover"
"""The name of the first sheet."""

SHEET_NAME_LIMIT = 31
"""Longest sheet name Excel accepts."""

SHORTER = {"expected_value_plan.": "ev_plan.", "decomposition.": "decomp."}
"""Prefixes shortened in sheet names that would be too long."""

WIDEST = 60
"""Widest column, in characters."""


def write_excel(path: Path, report: Report) -> None:
    """Write the workbook of ``report`` to ``path`` atomically."""
    write_atomic(path, lambda temporary: _write(temporary, report))


def sheet_names(report: Report) -> dict[str, str]:
    """Table name -> its sheet's name (at most 31 characters, unique, never ``cover``)."""
    names: dict[str, str] = {}
    taken = {COVER}
    for table in report.tables:
        name = table
        for long, short in SHORTER.items():
            if len(name) > SHEET_NAME_LIMIT and name.startswith(long):
                name = short + name[len(long) :]
        name = name[:SHEET_NAME_LIMIT]
        k = 2
        while name in taken:
            suffix = f"~{k}"
            name = name[: SHEET_NAME_LIMIT - len(suffix)] + suffix
            k += 1
        taken.add(name)
        names[table] = name
    return names


def _write(path: Path, report: Report) -> None:
    """The workbook itself (see the module docstring). XlsxWriter's constant-memory mode
    streams each sheet's rows to disk as they are written, in order."""
    names = sheet_names(report)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        formats = _formats(book, report.money_unit)
        _cover(book, report, names, formats)
        for table, sheet in names.items():
            _sheet(book.add_worksheet(sheet), report.tables[table], formats)
    finally:
        book.close()


def _formats(book: Any, money_unit: str) -> dict[Kind | str, Any]:
    """One cell format per kind of column (money carries the case's money unit), and
    ``header`` for header rows."""
    unit = money_unit.replace('"', "")
    money = f'#,##0.00" {unit}";-#,##0.00" {unit}"' if unit else "#,##0.00"
    return {
        Kind.MONEY: book.add_format({"num_format": money}),
        Kind.UNITS: book.add_format({"num_format": "#,##0.00"}),
        Kind.SHARE: book.add_format({"num_format": "0.00%"}),
        Kind.NUMBER: None,
        "header": book.add_format({"bold": True, "bottom": 1}),
    }


def _cover(book: Any, report: Report, names: dict[str, str], formats: Any) -> None:
    """The cover sheet: item and value, the cover's lines then one line per sheet
    (``sheet projects``: ``projects, 12 rows``)."""
    items = dict(report.cover)
    for table, sheet in names.items():
        items[f"sheet {sheet}"] = f"{table}, {len(report.tables[table]):,} rows"
    sheet = book.add_worksheet(COVER)
    sheet.set_column(0, 0, max(len(i) for i in items) + 2)
    sheet.set_column(1, 1, WIDEST)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, ["item", "value"], formats["header"])
    for row, (item, value) in enumerate(items.items(), start=1):
        sheet.write_string(row, 0, item)
        _write_cell(sheet, row, 1, value, formats[kind_of(item)])


def _write_cell(sheet: Any, row: int, column: int, value: Any, number_format: Any) -> None:
    """One value in its cell: a number (in ``number_format``), a truth value, a text, or
    nothing for None and NaN."""
    if value is None or (isinstance(value, float) and value != value):
        return
    if isinstance(value, bool | np.bool_):
        sheet.write_boolean(row, column, bool(value))
    elif isinstance(value, int | float | np.integer | np.floating):
        sheet.write_number(row, column, float(value), number_format)
    else:
        sheet.write_string(row, column, str(value))


def _sheet(sheet: Any, table: pd.DataFrame, formats: Any) -> None:
    """One table on its own sheet: frozen header, filters, widths, number formats."""
    rows, columns = table.shape
    chosen = []
    for i, column in enumerate(table.columns):
        number_format = formats[kind_of(str(column))]
        if table[column].dtype == bool or not pd.api.types.is_numeric_dtype(table[column]):
            number_format = None
        chosen.append(number_format)
        extra = 8 if number_format is formats[Kind.MONEY] else 0  # room for the unit
        sheet.set_column(i, i, _width(table[column], str(column)) + extra)
    sheet.freeze_panes(1, 0)
    if columns:
        sheet.autofilter(0, 0, rows, columns - 1)
    sheet.write_row(0, 0, [str(c) for c in table.columns], formats["header"])
    values = table.to_numpy(dtype=object)
    for r in range(rows):
        line = values[r]
        for c in range(columns):
            _write_cell(sheet, r + 1, c, line[c], chosen[c])


def _width(values: pd.Series, header: str) -> int:
    """Characters wide enough for the header and the first values written out."""
    sample = values.head(200).map(lambda v: len(f"{v:,.2f}" if is_number(v) else str(v)))
    widest = max([len(header), *sample.tolist()]) if len(sample) else len(header)
    return min(widest + 2, WIDEST)
