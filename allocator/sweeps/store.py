"""Where a sweep keeps its finished draws: one small Parquet file per draw, named by its key.

A folder (``out``) holds the dataset: ``draw-<draw, 6 digits>-<key, 16 hex>.parquet``,
each file one record (``RECORD_FIELDS`` plus ``key``, with the types of ``SCHEMA``).
A file is written under a name starting with a dot, flushed to disk and renamed into
place, so a crash never leaves half a file under a name the readers look at (readers
take ``draw-*.parquet`` only, as ``pyarrow.dataset`` skips names starting with a dot).

The key of a draw is the sha256 of what decides its answer: the case (its canonical
JSON, ``case_to_data`` with sorted keys), the solve options that change answers
(backend, solver, relative gap, time limit) and the draw (its number, weight and
values). Records of another case or other options in the same folder have other keys
and are never read back for this one; a key found twice is read once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from allocator.analysis.runner import Runner
from allocator.backends.registry import get_backend
from allocator.case.draws import Draw
from allocator.case.model import Case
from allocator.case.writing import case_to_data
from allocator.sweeps.record import RECORD_FIELDS

KEY = "key"
"""The column with each record's key."""

COLUMNS = (*RECORD_FIELDS, KEY)
"""The columns of a stored record, in order."""

SCHEMA = pa.schema(
    [
        ("draw", pa.int64()),
        ("weight", pa.float64()),
        ("values", pa.string()),
        ("status", pa.string()),
        ("objective", pa.float64()),
        ("bound", pa.float64()),
        ("gap", pa.float64()),
        ("message", pa.string()),
        ("solver_version", pa.string()),
        ("funded", pa.list_(pa.string())),
        ("levels", pa.string()),
        ("starts", pa.string()),
        ("signed", pa.list_(pa.string())),
        ("cash_low", pa.float64()),
        ("cash_low_period", pa.string()),
        ("credit_peak", pa.float64()),
        ("guaranteed_returns", pa.float64()),
        ("minimal", pa.bool_()),
        ("seconds", pa.float64()),
        (KEY, pa.string()),
    ]
)
"""The type of every column: the same in every file, whatever values a record holds
(a draw without a plan has null figures)."""

LISTS = ("funded", "signed")
PATTERN = "draw-*.parquet"


def solve_identity(case: Case, runner: Runner) -> str:
    """The sha256 of the case's canonical JSON and the options that change answers."""
    options = {
        "backend": runner.backend,
        "solver": runner.solver or get_backend(runner.backend).default_solver,
        "gap": runner.gap,
        "time_limit": runner.time_limit,
        "change": runner.change.value,
    }
    digest = hashlib.sha256()
    digest.update(_canonical(case_to_data(case)).encode())
    digest.update(b"\n")
    digest.update(_canonical(options).encode())
    return digest.hexdigest()


def draw_key(identity: str, draw: Draw) -> str:
    """The key of ``draw`` solved as ``identity`` (``solve_identity``) says."""
    described = {"draw": draw.index, "weight": draw.weight, "values": draw.values}
    return hashlib.sha256(f"{identity}\n{_canonical(described)}".encode()).hexdigest()


def file_name(record: dict[str, Any]) -> str:
    """The name of a record's file: ``draw-000012-<16 hex of the key>.parquet``."""
    return f"draw-{record['draw']:06d}-{record[KEY][:16]}.parquet"


def write_record(out: Path, record: dict[str, Any]) -> Path:
    """Write one record (with its ``key``) to ``out`` atomically; the path written.

    A record already there under the same key is replaced by this one, which is equal.
    """
    table = pa.Table.from_pylist([{c: record[c] for c in COLUMNS}], schema=SCHEMA)
    path = out / file_name(record)
    temporary = out / f".{path.name}.{os.getpid()}.tmp"
    try:
        with temporary.open("wb") as sink:
            pq.write_table(table, sink)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return path


def finished_keys(out: Path, keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` have a record in ``out``."""
    wanted = set(keys)
    if not wanted:
        return set()
    table = _read(out, wanted, columns=[KEY])
    return set(table.column(KEY).to_pylist())


def read_records(out: Path, keys: Collection[str]) -> pd.DataFrame:
    """The records of ``keys`` found in ``out``, each once, in the order of ``COLUMNS``;
    ``funded`` and ``signed`` as lists, missing figures as NaN (numbers) or None (text)."""
    frame = _read(out, set(keys)).to_pandas()
    frame = frame.drop_duplicates(KEY, ignore_index=True)
    for column in LISTS:
        frame[column] = [list(v) if v is not None else [] for v in frame[column]]
    return frame[list(COLUMNS)]


def _read(out: Path, keys: set[str], columns: list[str] | None = None) -> pa.Table:
    """The rows of ``keys`` in the record files of ``out``; a file that cannot be read as a
    record is passed over (its draw is solved again and the file replaced)."""
    schema = SCHEMA if columns is None else pa.schema([SCHEMA.field(c) for c in columns])
    files = sorted(str(p) for p in out.glob(PATTERN))
    if not keys or not files:
        return schema.empty_table()
    condition = ds.field(KEY).isin(pa.array(sorted(keys), pa.string()))
    try:
        dataset = ds.dataset(files, schema=SCHEMA, format="parquet")
        return dataset.to_table(columns=columns, filter=condition)
    except (pa.ArrowException, OSError):  # a damaged or foreign file: read one at a time
        tables = []
        for file in files:
            try:
                tables.append(pq.read_table(file, schema=SCHEMA, columns=columns))
            except (pa.ArrowException, OSError):
                continue
        whole = pa.concat_tables(tables) if tables else schema.empty_table()
        return whole.filter(condition)


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
