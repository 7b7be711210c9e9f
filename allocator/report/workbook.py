"""A report as an Excel workbook (.xlsx), written with XlsxWriter through pandas.

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

import pandas as pd

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
    """The workbook itself (see the module docstring)."""
    names = sheet_names(report)
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        formats = _formats(writer.book, report.money_unit)
        _cover(writer, report, names, formats)
        for table, sheet in names.items():
            _sheet(writer, sheet, report.tables[table], formats, report.money_unit)


def _formats(book: Any, money_unit: str) -> dict[Kind, Any]:
    """One cell format per kind of column; money carries the case's money unit."""
    unit = money_unit.replace('"', "")
    money = f'#,##0.00" {unit}";-#,##0.00" {unit}"' if unit else "#,##0.00"
    return {
        Kind.MONEY: book.add_format({"num_format": money}),
        Kind.UNITS: book.add_format({"num_format": "#,##0.00"}),
        Kind.SHARE: book.add_format({"num_format": "0.00%"}),
        Kind.NUMBER: None,
    }


def _cover(writer: pd.ExcelWriter, report: Report, names: dict[str, str], formats: Any) -> None:
    """The cover sheet: item and value, the cover's lines then one line per sheet
    (``sheet projects``: ``projects, 12 rows``)."""
    items = dict(report.cover)
    for table, sheet in names.items():
        items[f"sheet {sheet}"] = f"{table}, {len(report.tables[table]):,} rows"
    lines = pd.DataFrame({"item": list(items), "value": [_cell(v) for v in items.values()]})
    lines.to_excel(writer, sheet_name=COVER, index=False, freeze_panes=(1, 0))
    sheet = writer.sheets[COVER]
    for row, (item, value) in enumerate(items.items(), start=1):
        number_format = formats[kind_of(item)]
        if number_format is not None and is_number(value):
            sheet.write_number(row, 1, value, number_format)
    sheet.set_column(0, 0, max(len(i) for i in items) + 2)
    sheet.set_column(1, 1, WIDEST)


def _cell(value: Any) -> Any:
    """A cover value as a cell holds it: None as an empty cell."""
    return "" if value is None else value


def _sheet(writer: pd.ExcelWriter, name: str, table: pd.DataFrame, formats: Any, unit: str) -> None:
    """One table on its own sheet: frozen header, filters, widths, number formats."""
    table.to_excel(writer, sheet_name=name, index=False, freeze_panes=(1, 0))
    sheet = writer.sheets[name]
    rows, columns = table.shape
    if columns:
        sheet.autofilter(0, 0, rows, columns - 1)
    for i, column in enumerate(table.columns):
        number_format = formats[kind_of(str(column))]
        if not pd.api.types.is_numeric_dtype(table[column].dtype) or table[column].dtype == bool:
            number_format = None
        extra = len(unit) + 1 if number_format is formats[Kind.MONEY] else 0
        sheet.set_column(i, i, _width(table[column], str(column)) + extra, number_format)


def _width(values: pd.Series, header: str) -> int:
    """Characters wide enough for the header and the first values written out."""
    sample = values.head(200).map(lambda v: len(f"{v:,.2f}" if is_number(v) else str(v)))
    widest = max([len(header), *sample.tolist()]) if len(sample) else len(header)
    return min(widest + 2, WIDEST)
