"""Time loading, validating and applying a scenario to large synthetic cases.

    python benchmarks/bench_load.py [--sizes 1000 10000 100000] [--repeat 3]

Prints a Markdown table of medians over ``--repeat`` runs. The "gc on" column
loads the same file with the collector left running, to show what pausing it
during validation saves (as a ratio within the same run: these machines are
shared and noisy).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import allocator
import allocator.case.loading as loading
import allocator.case.whatif as whatif
from allocator.case.yamlio import dump_yaml


def synthetic_case(projects: int, periods: int = 12, seed: int = 7) -> dict[str, Any]:
    """A valid case with ``projects`` two-level projects over four resources."""
    rng = random.Random(seed)
    labels = [f"P{k + 1:02d}" for k in range(periods)]
    resources = [f"r{j}" for j in range(4)]
    items = []
    for i in range(projects):
        small, large = rng.sample(resources, 2)
        item: dict[str, Any] = {
            "id": f"p{i}",
            "category": rng.choice(["chat", "search", "video", "agents"]),
            "levels": [
                {
                    "id": "pilot",
                    "value": rng.randint(1, 50),
                    "cost": [rng.randint(1, 9), 1],
                    "demand": {small: rng.randint(1, 9)},
                },
                {
                    "id": "full",
                    "value": rng.randint(50, 90),
                    "cost": rng.randint(1, 20),
                    "demand": {small: rng.randint(5, 20), large: rng.randint(1, 9)},
                },
            ],
            "start": {"earliest": labels[0], "latest": labels[3]},
            "duration": 6,
        }
        if i and rng.random() < 0.1:
            item["requires"] = [f"p{rng.randrange(i)}"]
        items.append(item)
    return {
        "name": f"synthetic-{projects}",
        "periods": labels,
        "resources": [{"id": r} for r in resources],
        "supply": [{"id": f"s-{r}", "resource": r, "capacity": projects} for r in resources],
        "budget": {"amounts": 10.0 * projects},
        "projects": items,
        "scenarios": {
            "cut": {"changes": [{"path": "budget.amounts", "scale": 0.8}]},
            "one-project": {"changes": [{"path": "projects[p0].levels[full].value", "add": 5}]},
        },
    }


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
    print("| projects | load JSON (s) | load YAML (s) | gc on / paused | scenario (s) |")
    print("| ---: | ---: | ---: | ---: | ---: |")
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
            case = allocator.load_case(as_json)
            scenario = median_seconds(
                lambda c=case: allocator.apply_scenario(c, "one-project"), args.repeat
            )
            print(
                f"| {size:,} | {paused:.2f} | {yaml_s:.2f} | {running / paused:.2f} "
                f"| {scenario:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
