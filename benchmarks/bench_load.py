"""Time loading, validating and applying a scenario to large synthetic cases.

    python benchmarks/bench_load.py [--sizes 1000 10000 100000] [--repeat 3]

Prints a Markdown table of medians over ``--repeat`` runs. The cases come from
``allocator generate`` (seed 7, four resources, twelve periods). "load CSV" reads the
same case with its projects in ``projects.csv`` beside it (``projects: {csv:
projects.csv}``: one row per level, dotted columns, series as ``[a, b]`` lists); "load
Parquet" the same rows in ``projects.parquet`` (list columns). The "gc on" column
loads the same file with the collector left running, to show what pausing it
during validation saves (as a ratio within the same run: these machines are
shared and noisy).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import allocator
import allocator.case.loading as loading
import allocator.case.whatif as whatif
from allocator.case.yamlio import dump_yaml
from allocator.generate import generate_case


def synthetic_case(projects: int) -> dict[str, Any]:
    """``allocator generate``'s case, with one more scenario that changes a single project."""
    data = generate_case(projects, resources=4, periods=12, seed=7)
    data["scenarios"]["one-project"] = {
        "changes": [{"path": "projects[p1].levels[full].value", "add": 5}]
    }
    return data


def project_rows(projects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The projects as table rows: one per level, nested keys as dotted columns."""
    rows = []
    for project in projects:
        shared = {k: v for k, v in project.items() if k != "levels"}
        for level in project["levels"]:
            rows.append({"level": level["id"], **_flat(shared), **_flat(_without_id(level))})
    return rows


def _without_id(level: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in level.items() if k != "id"}


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_with_csv(data: dict[str, Any], folder: Path) -> Path:
    """The case as JSON in ``folder`` with its projects in ``projects.csv`` beside it."""
    rows = [{k: _cell(v) for k, v in row.items()} for row in project_rows(data["projects"])]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with Path(folder, "projects.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    path = Path(folder, "case-with-table.json")
    path.write_text(json.dumps({**data, "projects": {"csv": "projects.csv"}}))
    return path


def write_with_parquet(data: dict[str, Any], folder: Path) -> Path:
    """The case as JSON in ``folder`` with its projects in ``projects.parquet`` beside it; a
    series column that mixes numbers and lists holds every number as a one-entry list."""
    rows = project_rows(data["projects"])
    columns = list(dict.fromkeys(key for row in rows for key in row))
    table = {}
    for column in columns:
        cells = [row.get(column) for row in rows]
        if any(isinstance(c, list) for c in cells) and column.split(".")[0] in SERIES:
            cells = [c if c is None or isinstance(c, list) else [c] for c in cells]
        table[column] = cells
    pq.write_table(pa.table(table), Path(folder, "projects.parquet"))
    path = Path(folder, "case-with-parquet.json")
    path.write_text(json.dumps({**data, "projects": {"parquet": "projects.parquet"}}))
    return path


SERIES = ("value", "cost", "revenue", "demand")


@contextlib.contextmanager
def collector_running() -> Iterator[None]:
    """Load with the cyclic collector left on, as a plain loader would."""
    saved = loading.gc_paused, whatif.gc_paused
    loading.gc_paused = whatif.gc_paused = contextlib.nullcontext  # type: ignore[assignment]
    try:
        yield
    finally:
        loading.gc_paused, whatif.gc_paused = saved


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``repeat`` runs of ``work``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        "| projects | load JSON (s) | load YAML (s) | load CSV (s) | load Parquet (s) "
        "| gc on / paused | scenario (s) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            data = synthetic_case(size)
            as_json, as_yaml = Path(folder, "case.json"), Path(folder, "case.yaml")
            as_json.write_text(json.dumps(data))
            as_yaml.write_text(dump_yaml(data))
            paused = median_seconds(lambda p=as_json: allocator.load_case(p), args.repeat)
            with collector_running():
                running = median_seconds(lambda p=as_json: allocator.load_case(p), args.repeat)
            yaml_s = median_seconds(lambda p=as_yaml: allocator.load_case(p), args.repeat)
            as_csv = write_with_csv(data, Path(folder))
            csv_s = median_seconds(lambda p=as_csv: allocator.load_case(p), args.repeat)
            as_parquet = write_with_parquet(data, Path(folder))
            parquet_s = median_seconds(lambda p=as_parquet: allocator.load_case(p), args.repeat)
            case = allocator.load_case(as_json)
            scenario = median_seconds(
                lambda c=case: allocator.apply_scenario(c, "one-project"), args.repeat
            )
            print(
                f"| {size:,} | {paused:.2f} | {yaml_s:.2f} | {csv_s:.2f} | {parquet_s:.2f} "
                f"| {running / paused:.2f} "
                f"| {scenario:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
