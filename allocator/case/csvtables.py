"""Reading a CSV table of a case (``projects: {csv: projects.csv}``).

Each row is one item of the section. A column name with dots nests
(``demand.gb300``, ``start.earliest``, ``value.2026Q1``); each cell is read as
a YAML value, so ``12`` is a number, ``true`` a flag and ``[a, b]`` a list; an
empty cell leaves the key out. The file is read row by row; the cells are then read a
column at a time (``csvcells``), and placed in their rows.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from allocator.case.csvcells import MISSING, Unreadable, read_cells
from allocator.case.errors import Problem
from allocator.case.tablerows import column_problem, nest


def read_csv_rows(
    path: Path, shown: str, problems: list[Problem]
) -> list[tuple[int, dict[str, Any]]] | None:
    """Read a CSV file into (line, nested row) pairs; None (with a problem) if it cannot be
    read. Problems come in the order of the file: by line, then by column."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            read = _read_lines(handle, shown, problems)
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        problems.append(Problem(shown, "", f"cannot read the table: {err}"))
        return None
    if read is None:
        return None
    columns, lines, grid, found = read
    rows: list[dict[str, Any]] = [{} for _ in lines]
    broken: set[int] = set()
    by_column = zip(*grid, strict=True) if grid else iter(())
    placed = zip(columns, _alone(columns), by_column, strict=False)
    for position, (column, alone, cells) in enumerate(placed):
        for row, trouble in _place(rows, column, read_cells(cells), alone):
            broken.add(row)
            found.append(
                (lines[row], position, Problem(shown, f"column {column}", trouble, lines[row]))
            )
    found.sort(key=lambda entry: (entry[0], entry[1]))
    problems.extend(problem for _, _, problem in found)
    return [
        (line, row)
        for i, (line, row) in enumerate(zip(lines, rows, strict=True))
        if i not in broken
    ]


Found = list[tuple[int, int, Problem]]
"""Problems with the line and column they belong to, to be put in the file's order."""


def _read_lines(
    handle: Iterable[str], shown: str, problems: list[Problem]
) -> tuple[list[str], list[int], list[list[str]], Found] | None:
    """The column names, and every row that is not blank with its line, padded to the
    columns' width; rows with more cells than columns are left out, with a problem."""
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        problems.append(Problem(shown, "", "the file is empty; the first row names the columns"))
        return None
    columns = [h.strip() for h in header]
    trouble = column_problem(columns)
    if trouble:
        problems.append(Problem(shown, "", trouble, 1))
        return None
    width = len(columns)
    lines: list[int] = []
    grid: list[list[str]] = []
    found: Found = []
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > width:
            message = f"{len(cells)} cells but {width} columns"
            found.append((line, -1, Problem(shown, "", message, line)))
            continue
        if len(cells) < width:
            cells.extend([""] * (width - len(cells)))
        lines.append(line)
        grid.append(cells)
    return columns, lines, grid, found


def _place(
    rows: list[dict[str, Any]], column: str, values: list[Any], alone: bool
) -> Iterator[tuple[int, str]]:
    """Put each read cell of ``column`` at its dotted place in its row; yield (row, what is
    wrong) for a cell that cannot be read or whose place another column holds. A column
    ``alone`` (no other column's place is inside or above its own) is placed directly."""
    keys = column.split(".")
    *parents, leaf = keys
    for row, value in enumerate(values):
        if value is MISSING:
            continue
        if value.__class__ is Unreadable:
            yield row, f"cannot read the cell '{value.text}'"
        elif alone:
            target = rows[row]
            for key in parents:
                target = target.setdefault(key, {})
            target[leaf] = value
        elif not nest(rows[row], keys, value):
            yield row, "conflicts with another column: a key is both a value and a group"


def _alone(columns: list[str]) -> list[bool]:
    """For each column, whether no other column's place is inside or above its own: then
    its cells can never conflict with another column's."""
    places = [tuple(column.split(".")) for column in columns]
    above = {place[:end] for place in places for end in range(1, len(place))}
    whole = set(places)
    return [
        place not in above and not any(place[:end] in whole for end in range(1, len(place)))
        for place in places
    ]
