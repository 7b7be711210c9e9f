"""Reading a CSV table of a case (``projects: {csv: projects.csv}``).

Each row is one item of the section. A column name with dots nests
(``demand.gb300``, ``start.earliest``, ``value.2026Q1``); each cell is read as
a YAML value, so ``12`` is a number, ``true`` a flag and ``[a, b]`` a list; an
empty cell leaves the key out.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

from allocator.case.errors import Problem
from allocator.case.tablerows import column_problem, nest
from allocator.case.yamlio import parse_scalar


def read_csv_rows(
    path: Path, shown: str, problems: list[Problem]
) -> list[tuple[int, dict[str, Any]]] | None:
    """Read a CSV file into (line, nested row) pairs; None (with a problem) if it cannot be
    read."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                problems.append(
                    Problem(shown, "", "the file is empty; the first row names the columns")
                )
                return None
            columns = [h.strip() for h in header]
            trouble = column_problem(columns)
            if trouble:
                problems.append(Problem(shown, "", trouble, 1))
                return None
            rows = []
            for cells in reader:
                line = reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                row = _row(columns, cells, shown, line, problems)
                if row is not None:
                    rows.append((line, row))
            return rows
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        problems.append(Problem(shown, "", f"cannot read the table: {err}"))
        return None


def _row(
    columns: list[str], cells: list[str], shown: str, line: int, problems: list[Problem]
) -> dict[str, Any] | None:
    """One CSV row as a nested mapping; None (with a problem) if a cell cannot be read."""
    if len(cells) > len(columns):
        problems.append(Problem(shown, "", f"{len(cells)} cells but {len(columns)} columns", line))
        return None
    row: dict[str, Any] = {}
    ok = True
    for column, cell in zip(columns, cells, strict=False):
        text = cell.strip()
        if not text:
            continue
        try:
            value = parse_scalar(text)
        except yaml.YAMLError:
            problems.append(
                Problem(shown, f"column {column}", f"cannot read the cell '{text}'", line)
            )
            ok = False
            continue
        if not nest(row, column.split("."), value):
            message = "conflicts with another column: a key is both a value and a group"
            problems.append(Problem(shown, f"column {column}", message, line))
            ok = False
    return row if ok else None
