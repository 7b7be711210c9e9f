"""Writing a case's projects as a CSV or Parquet table beside it (the reverse of
``tables``): one row per level, nested keys as dotted columns (``demand.r1``,
``start.earliest``), the project's own keys repeated on each of its levels' rows.

In Parquet a column has one type, so in a series column (``value``, ``cost``,
``revenue``, ``demand.*``) that holds lists on some rows, a plain number is written as a
one-entry list, which reads as the same series. In CSV a list is written ``[a, b]``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from allocator.case.tables import LEVEL_FIELDS
from allocator.case.yamlio import parse_scalar

TABLE_KINDS = ("csv", "parquet")


def project_rows(projects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The projects (as case data) as table rows: one per level of a project with
    ``levels``, one for a project in the shorthand form (no ``level`` column entry: it
    reads back as the level ``full``)."""
    rows = []
    for project in projects:
        if "levels" not in project:
            rows.append(_flat(project))
            continue
        shared = _flat({k: v for k, v in project.items() if k != "levels"})
        for level in project["levels"]:
            own = _flat({k: v for k, v in level.items() if k != "id"})
            rows.append({"level": level["id"], **shared, **own})
    return rows


def write_projects_table(projects: list[dict[str, Any]], path: Path, kind: str) -> None:
    """Write the projects to ``path`` as a ``kind`` ("csv" or "parquet") table."""
    rows = project_rows(projects)
    columns = list(dict.fromkeys(key for row in rows for key in row))
    if kind == "csv":
        _write_csv(rows, columns, path)
    elif kind == "parquet":
        pq.write_table(pa.table({column: _parquet_cells(rows, column) for column in columns}), path)
    else:
        raise ValueError(f"unknown table kind {kind!r}; use one of {TABLE_KINDS}")


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _write_csv(rows: list[dict[str, Any]], columns: list[str], target: Path) -> None:
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)


def _cell(value: Any) -> str:
    """A value as a CSV cell that reads back as the same value: text that would read as
    something else (``true``, ``12``, ``a: b``) is written in double quotes."""
    if isinstance(value, list):
        return "[" + ", ".join(_cell(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and not _reads_as_itself(value):
        return json.dumps(value)
    return str(value)


def _reads_as_itself(text: str) -> bool:
    try:
        return parse_scalar(text.strip()) == text and text.strip() == text
    except yaml.YAMLError:
        return False


def _parquet_cells(rows: list[dict[str, Any]], column: str) -> list[Any]:
    cells = [row.get(column) for row in rows]
    if column.split(".")[0] in LEVEL_FIELDS and any(isinstance(c, list) for c in cells):
        cells = [c if c is None or isinstance(c, list) else [c] for c in cells]
    return cells
