"""allocator against a naive PuLP + HiGHS script, side by side, on generated cases.

    python benchmarks/bench_scale.py [--sizes 2000 10000] [--repeat 1]
        [--naive-limit 900] [--extra "--backend pulp --solver cbc" ...]
        [--skip naive] [--skip allocator] [--out FILE.md]

For each size N, ``allocator generate -n N`` (4 resources, 12 periods, seed 0) is
written as JSON to a temporary folder, then each contender runs as its own process,
one after the other (the first of them alternating between repeats), timed end to
end with ``time.perf_counter`` and its peak memory read from ``os.wait4``:

- ``naive``: ``benchmarks/naive_pulp.py`` (its docstring gives the model): read the
  JSON, build the PuLP problem, solve with PuLP's HiGHS at its defaults. Killed after
  ``--naive-limit`` seconds ("did not finish").
- ``allocator``: ``allocator solve CASE --json OUT`` with its defaults (load, build,
  solve, extract the plan, check it, write the report and the JSON), and one more row
  per ``--extra`` (options added to the command line, e.g. a solver or a gap).

``--skip naive`` / ``--skip allocator`` leave out the naive script or allocator's row
with its defaults (at 100,000 projects neither finishes in reasonable time; the
``--extra "--decompose 8 --gap 0.01"`` row does).

Columns: wall seconds (median over ``--repeat``), allocator's own step times (from its
JSON ``timings``) or the naive script's (read, build, solve), the objective, the bound,
the gap (|bound - objective| / |objective|), who produced the plan, and the peak
resident memory. "naive/allocator" is the ratio of the medians (> 1: allocator faster).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from allocator.generate import generate_case

HERE = Path(__file__).resolve().parent


@dataclass
class Run:
    """One contender's runs at one size: ``extra`` None for the naive script."""

    label: str
    extra: list[str] | None = None
    walls: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    figures: dict = field(default_factory=dict)
    finished: bool = True


def timed(command: list[str], limit: float | None) -> tuple[float, float, str, bool]:
    """Wall seconds, peak RSS in MB, stdout, and whether it finished within ``limit``."""
    clock = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        out, _ = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return time.perf_counter() - clock, float("nan"), "", False
    wall = time.perf_counter() - clock
    return wall, _peak_of_last_child(), out.decode(), process.returncode in (0, 1)


def _peak_of_last_child() -> float:
    """Peak RSS (MB) of this process's children: run from a fresh helper with one child
    (``run_once``), the child's own peak."""
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_once(command: list[str], limit: float | None) -> tuple[float, float, str, bool]:
    """``command`` run inside a fresh Python helper, so its peak memory is its own."""
    helper = [sys.executable, str(Path(__file__)), "--measure", json.dumps(command)]
    if limit is not None:
        helper += ["--limit", str(limit)]
    out = subprocess.run(helper, capture_output=True, text=True, check=True).stdout
    record = json.loads(out.strip().splitlines()[-1])
    return record["wall"], record["peak_mb"], record["out"], record["finished"]


def naive(case: Path, limit: float, run: Run) -> None:
    wall, peak, out, finished = run_once(
        [sys.executable, str(HERE / "naive_pulp.py"), str(case)], limit
    )
    run.walls.append(wall)
    run.peak_mb.append(peak)
    if not finished:
        run.finished = False
        return
    figures = json.loads(out.strip().splitlines()[-1])
    run.figures = {
        "steps": f"read {figures['read']:.1f}, build {figures['build']:.1f}, "
        f"solve {figures['solve']:.1f}",
        "objective": figures["objective"],
        "bound": figures["bound"],
        "status": figures["status"].lower(),
        "solver": "pulp / highs",
    }


def allocator_solve(case: Path, extra: list[str], folder: Path, run: Run) -> None:
    target = folder / "plan.json"
    command = [sys.executable, "-m", "allocator", "solve", str(case), "--json", str(target)]
    wall, peak, _, finished = run_once(command + extra, None)
    run.walls.append(wall)
    run.peak_mb.append(peak)
    document = json.loads(target.read_text())
    steps = ", ".join(f"{k} {v:.1f}" for k, v in document["timings"].items())
    run.figures = {
        "steps": steps,
        "objective": document["objective"],
        "bound": document["bound"],
        "status": document["status"],
        "solver": f"{document['backend']} / {document['solver']}",
    }
    run.finished = finished


def gap(figures: dict) -> str:
    objective, bound = figures.get("objective"), figures.get("bound")
    if objective is None or bound is None:
        return ""
    return f"{abs(bound - objective) / max(abs(objective), 1e-9):.2e}"


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def table(size: int, runs: list[Run]) -> list[str]:
    lines = []
    naive_run = next((run for run in runs if run.extra is None), None)
    naive_wall = (
        statistics.median(naive_run.walls) if naive_run is not None and naive_run.finished else None
    )
    for run in runs:
        wall = statistics.median(run.walls)
        ratio = "" if naive_wall is None or run is naive_run else f"{naive_wall / wall:.2f}"
        if not run.finished:
            lines.append(f"| {size:,} | {run.label} | did not finish in {wall:.0f} s | | | | |")
            continue
        f = run.figures
        lines.append(
            f"| {size:,} | {run.label} | {wall:.1f} | {ratio} | {f['steps']} | "
            f"{_money(f['objective'])} | {_money(f['bound'])} | {gap(f)} | {f['solver']} | "
            f"{statistics.median(run.peak_mb):,.0f} |"
        )
    return lines


def contenders(skip: list[str], extras: list[str]) -> list[Run]:
    """The rows to run: the naive script, allocator with its defaults, then each extra."""
    runs = [] if "naive" in skip else [Run("naive PuLP + HiGHS")]
    if "allocator" not in skip:
        runs.append(Run("allocator", []))
    return runs + [Run(f"allocator {extra}", shlex.split(extra)) for extra in extras]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--naive-limit", type=float, default=900.0)
    parser.add_argument("--extra", action="append", default=[])
    parser.add_argument("--skip", action="append", default=[], choices=["naive", "allocator"])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        wall, peak, out, finished = timed(json.loads(args.measure), args.limit)
        print(json.dumps({"wall": wall, "peak_mb": peak, "out": out, "finished": finished}))
        return
    header = [
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M')}; "
        f"load {os.getloadavg()[0]:.2f}",
        "",
        "| projects | contender | wall s | naive/allocator | steps s | objective | bound "
        "| gap | plan from | peak MB |",
        "| ---: | --- | ---: | ---: | --- | ---: | ---: | ---: | --- | ---: |",
    ]
    print("\n".join(header), flush=True)
    lines = list(header)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for size in args.sizes:
            case = folder / f"generated-{size}.json"
            case.write_text(json.dumps(generate_case(size)))
            runs = contenders(args.skip, args.extra)
            for repeat in range(args.repeat):
                order = list(range(len(runs)))
                order = order[repeat % len(order) :] + order[: repeat % len(order)]
                for k in order:
                    run = runs[k]
                    if run.extra is None:
                        naive(case, args.naive_limit, run)
                    else:
                        allocator_solve(case, run.extra, folder, run)
            rows = table(size, runs)
            print("\n".join(rows), flush=True)
            lines += rows
    if args.out:
        args.out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
