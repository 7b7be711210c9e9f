"""Tables of a case kept in CSV files beside it (``projects: {csv: projects.csv}``).

Each row is one item of the section. A column name with dots nests
(``demand.gb300``, ``start.earliest``, ``value.2026Q1``); each cell is read as
a YAML value, so ``12`` is a number, ``true`` a flag and ``[a, b]`` a list; an
empty cell leaves the key out. In ``projects`` a ``level`` column turns rows
that share a project id into that project's levels.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from allocator.case.errors import Problem
from allocator.case.projects import SINGLE_LEVEL_ID
from allocator.case.yamlio import parse_scalar

TABLE_SECTIONS = ("resources", "sites", "supply", "funding", "projects")
LEVEL_FIELDS = ("value", "cost", "revenue", "demand")


@dataclass
class TableOrigins:
    """Where items read from CSV came from: a location prefix -> (file, line)."""

    rows: dict[tuple[str | int, ...], tuple[str, int]] = field(default_factory=dict)

    def find(self, loc: tuple[str | int, ...]) -> tuple[str, int] | None:
        """The file and line of the longest recorded prefix of ``loc``."""
        for end in range(len(loc), 0, -1):
            hit = self.rows.get(tuple(loc[:end]))
            if hit is not None:
                return hit
        return None


def expand_tables(
    data: dict[str, Any], folder: Path, case_file: str, problems: list[Problem]
) -> TableOrigins:
    """Replace every ``{csv: path}`` section of ``data`` by the rows of that file, in place."""
    origins = TableOrigins()
    for section in TABLE_SECTIONS:
        ref = data.get(section)
        if not (isinstance(ref, dict) and "csv" in ref):
            continue
        if set(ref) != {"csv"} or not isinstance(ref["csv"], str):
            problems.append(
                Problem(
                    case_file,
                    section,
                    "a table reference is {csv: relative/path.csv} and nothing else",
                )
            )
            continue
        path = _inside(folder, ref["csv"], case_file, section, problems)
        if path is None:
            continue
        shown = str(Path(case_file).parent / ref["csv"])
        rows = _read_rows(path, shown, problems)
        if rows is None:
            continue
        if section == "projects" and any("level" in r for _, r in rows):
            data[section] = _group_levels(rows, shown, origins, problems)
        else:
            data[section] = [r for _, r in rows]
            for i, (line, _) in enumerate(rows):
                origins.rows[(section, i)] = (shown, line)
    return origins


def _inside(
    folder: Path, relative: str, case_file: str, section: str, problems: list[Problem]
) -> Path | None:
    """Resolve ``relative`` against the case's folder, refusing paths that leave it."""
    where = f"{section}.csv"
    if Path(relative).is_absolute():
        problems.append(
            Problem(
                case_file,
                where,
                f"'{relative}' is absolute; give a path relative to the case's folder",
            )
        )
        return None
    base = folder.resolve()
    try:
        target = (base / relative).resolve()
        inside, exists = target.is_relative_to(base), target.is_file()
    except (OSError, ValueError) as err:
        problems.append(Problem(case_file, where, f"{relative!r} is not a usable path: {err}"))
        return None
    if not inside:
        problems.append(Problem(case_file, where, f"'{relative}' leaves the case's folder"))
        return None
    if not exists:
        problems.append(Problem(case_file, where, f"no file '{relative}' beside the case"))
        return None
    return target


def _read_rows(
    path: Path, shown: str, problems: list[Problem]
) -> list[tuple[int, dict[str, Any]]] | None:
    """Read a CSV file into (line, nested row) pairs; None if it cannot be read."""
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
            bad = [
                i + 1
                for i, c in enumerate(columns)
                if not c or c.startswith(".") or c.endswith(".") or ".." in c
            ]
            if bad:
                problems.append(Problem(shown, "", f"column(s) {bad} have no usable name", 1))
                return None
            twice = sorted({c for c in columns if columns.count(c) > 1})
            if twice:
                problems.append(Problem(shown, "", f"column(s) {twice} appear twice", 1))
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
        if not _nest(row, column.split("."), value):
            message = "conflicts with another column: a key is both a value and a group"
            problems.append(Problem(shown, f"column {column}", message, line))
            ok = False
    return row if ok else None


def _nest(row: dict[str, Any], keys: list[str], value: Any) -> bool:
    """Put ``value`` at the dotted ``keys`` of ``row``; False if another column holds that place."""
    *parents, leaf = keys
    target = row
    for key in parents:
        nested = target.setdefault(key, {})
        if not isinstance(nested, dict):
            return False
        target = nested
    if leaf in target:
        return False
    target[leaf] = value
    return True


def _group_levels(
    rows: list[tuple[int, dict[str, Any]]],
    shown: str,
    origins: TableOrigins,
    problems: list[Problem],
) -> list[dict[str, Any]]:
    """Fold rows sharing a project id into one project with one level per row."""
    projects: dict[Any, dict[str, Any]] = {}
    index_of: dict[Any, int] = {}
    for line, row in rows:
        level = {k: row.pop(k) for k in LEVEL_FIELDS if k in row}
        level["id"] = row.pop("level", SINGLE_LEVEL_ID)
        key = row.get("id")
        project = projects.get(key)
        if project is None:
            index_of[key] = len(projects)
            project = projects[key] = {**row, "levels": []}
            origins.rows[("projects", index_of[key])] = (shown, line)
        else:
            for k, v in row.items():
                if k != "id" and project.get(k, v) != v:
                    problems.append(
                        Problem(
                            shown,
                            f"projects[{key}].{k}",
                            "differs between rows of the same project",
                            line,
                        )
                    )
                project.setdefault(k, v)
        origins.rows[("projects", index_of[key], "levels", len(project["levels"]))] = (shown, line)
        project["levels"].append(level)
    return list(projects.values())
