"""Reading a Parquet table of a case (``projects: {parquet: projects.parquet}``).

Column names nest with dots as in a CSV table (``demand.gb300``); cells keep their
Parquet types: numbers, flags, text, dates, lists, structs (nested mappings) and maps.
A null leaves the key out, and so does NaN in a column of floating-point numbers (how
pandas writes a missing number). Problems name the row: 1 is the first item.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from allocator.case.errors import Problem
from allocator.case.tablerows import column_problem, nest


def read_parquet_rows(
    path: Path, shown: str, problems: list[Problem]
) -> list[tuple[int, dict[str, Any]]] | None:
    """Read a Parquet file into (row, nested row) pairs; None (with a problem) if it
    cannot be read."""
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as err:
        problems.append(Problem(shown, "", f"cannot read the table as Parquet: {err}"))
        return None
    table = table.drop_columns(_pandas_index(table))
    trouble = column_problem(table.column_names)
    if trouble:
        problems.append(Problem(shown, "", trouble))
        return None
    rows: list[dict[str, Any]] = [{} for _ in range(table.num_rows)]
    broken: set[int] = set()
    names = table.column_names
    for name, column in zip(names, table.columns, strict=True):
        keys = name.split(".")
        plain = _plain_converter(column.type)
        values = column.to_pylist()
        present = np.flatnonzero(~_missing(column))
        if len(keys) == 1 and not any(other.startswith(name + ".") for other in names):
            for i in present.tolist():  # a key no other column nests under: no conflict
                rows[i][name] = plain(values[i])
            continue
        for i in present.tolist():
            if not nest(rows[i], keys, plain(values[i])):
                message = "conflicts with another column: a key is both a value and a group"
                problems.append(Problem(shown, f"column {name}", message, i + 1))
                broken.add(i)
    return [(i + 1, row) for i, row in enumerate(rows) if row and i not in broken]


def _pandas_index(table: pa.Table) -> list[str]:
    """The columns pandas stored its index in (not items' keys)."""
    metadata = table.schema.pandas_metadata or {}
    stored = [c for c in metadata.get("index_columns", []) if isinstance(c, str)]
    return [c for c in stored if c in table.column_names]


def _missing(column: pa.ChunkedArray) -> np.ndarray:
    """Whether each cell is missing: null, or NaN in a column of floating-point numbers."""
    missing = column.is_null()
    if pa.types.is_floating(column.type):
        missing = pc.or_(missing, pc.fill_null(pc.is_nan(column), False))
    return missing.to_numpy(zero_copy_only=False).astype(bool)


def _plain_converter(kind: pa.DataType) -> Any:
    """A cell as plain data: unchanged, or with a struct's nulls left out and maps as
    mappings, wherever such types sit inside the column's type."""
    if not _has_nesting(kind):
        return _same
    return _plain


def _same(value: Any) -> Any:
    return value


def _has_nesting(kind: pa.DataType) -> bool:
    if pa.types.is_struct(kind) or pa.types.is_map(kind):
        return True
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return _has_nesting(kind.value_type)
    return False


def _plain(value: Any) -> Any:
    """A struct (dict) without its null fields; a map (list of key-value pairs) as a dict."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        if value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
            return {k: _plain(v) for k, v in value}
        return [_plain(v) for v in value]
    return value
