"""Sections of a case kept in table files beside it: ``projects: {csv: projects.csv}`` or
``projects: {parquet: projects.parquet}``.

Each row is one item of the section (``csvtables``, ``parquettables`` read them). In
``projects`` a ``level`` column turns rows that share a project id into that project's
levels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from allocator.case.errors import Problem
from allocator.case.projects import SINGLE_LEVEL_ID

TABLE_SECTIONS = ("resources", "sites", "supply", "funding", "projects")
LEVEL_FIELDS = ("value", "cost", "revenue", "demand")

Rows = list[tuple[int, dict[str, Any]]]
Reader = Callable[[Path, str, list[Problem]], Rows | None]


def _read_csv(path: Path, shown: str, problems: list[Problem]) -> Rows | None:
    from allocator.case.csvtables import read_csv_rows  # Arrow loads only for a table

    return read_csv_rows(path, shown, problems)


def _read_parquet(path: Path, shown: str, problems: list[Problem]) -> Rows | None:
    from allocator.case.parquettables import read_parquet_rows

    return read_parquet_rows(path, shown, problems)


READERS: dict[str, Reader] = {"csv": _read_csv, "parquet": _read_parquet}
"""Each kind of table reference and its reader: (file, name shown, problems) -> (line or
row number, nested row) pairs, or None (with a problem) if the file cannot be read. The
readers load pyarrow when a case has a table, not with every case."""


@dataclass
class TableOrigins:
    """Where items read from a table came from: a location prefix -> (file, line or row)."""

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
    """Replace every table section of ``data`` (``{csv: path}``, ``{parquet: path}``) by
    the rows of that file, in place."""
    origins = TableOrigins()
    for section in TABLE_SECTIONS:
        ref = data.get(section)
        if not (isinstance(ref, dict) and set(ref) & set(READERS)):
            continue
        kind = next(k for k in READERS if k in ref)
        if len(ref) != 1 or not isinstance(ref[kind], str):
            problems.append(
                Problem(
                    case_file,
                    section,
                    "a table reference is {csv: relative/path.csv} or "
                    "{parquet: relative/path.parquet} and nothing else",
                )
            )
            continue
        path = _inside(folder, ref[kind], case_file, f"{section}.{kind}", problems)
        if path is None:
            continue
        shown = str(Path(case_file).parent / ref[kind])
        rows = READERS[kind](path, shown, problems)
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
    folder: Path, relative: str, case_file: str, where: str, problems: list[Problem]
) -> Path | None:
    """Resolve ``relative`` against the case's folder, refusing paths that leave it."""
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


def _group_levels(
    rows: Rows,
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
