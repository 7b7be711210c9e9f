"""Time loading, validating and applying a scenario to large synthetic cases.

    python benchmarks/bench_load.py [--sizes 1000 10000 100000] [--repeat 3]

Prints a Markdown table of medians over ``--repeat`` runs. The cases come from
``allocator generate`` (seed 7, four resources, twelve periods). "load CSV" reads the
same case with its projects in ``projects.csv`` beside it (``projects: {csv:
projects.csv}``: one row per level, dotted columns, series as ``[a, b]`` lists); "load
Parquet" the same rows in ``projects.parquet`` (list columns). Both tables are written
by ``allocator.case.tablewrite``, as ``allocator generate --table`` writes them. The "gc on" column
loads the same file with the collector left running, to show what pausing it
during validation saves (as a ratio within the same run: these machines are
shared and noisy).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import allocator
import allocator.case.loading as loading
import allocator.case.whatif as whatif
from allocator.case.tablewrite import write_projects_table
from allocator.case.yamlio import dump_yaml
from allocator.generate import generate_case


def synthetic_case(projects: int) -> dict[str, Any]:
    """``allocator generate``'s case, with one more scenario that changes a single project."""
    data = generate_case(projects, resources=4, periods=12, seed=7)
    data["scenarios"]["one-project"] = {
        "changes": [{"path": "projects[p1].levels[full].value", "add": 5}]
    }
    return data


def write_with_table(data: dict[str, Any], folder: Path, kind: str) -> Path:
    """The case as JSON in ``folder`` with its projects in ``projects.<kind>`` beside it."""
    write_projects_table(data["projects"], Path(folder, f"projects.{kind}"), kind)
    path = Path(folder, f"case-with-{kind}.json")
    path.write_text(json.dumps({**data, "projects": {kind: f"projects.{kind}"}}))
    return path


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
            as_csv = write_with_table(data, Path(folder), "csv")
            csv_s = median_seconds(lambda p=as_csv: allocator.load_case(p), args.repeat)
            as_parquet = write_with_table(data, Path(folder), "parquet")
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
