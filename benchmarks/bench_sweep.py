"""Time a sweep of Monte Carlo draws: a plain loop in one process against ``run_sweep`` on Dask.

    python benchmarks/bench_sweep.py [--case cases/frontier-lab-2026.yaml] [--draws 200]
        [--seed 2026] [--workers 1 2] [--factors FILE] [--backend ortools] [--solver NAME]
        [--gap 1e-4] [--time-limit S]

The draws are ``monte_carlo_draws(case, --draws, --seed)`` of the case's own uncertainty.
A case without one (the flagship, for now) gets the factors of ``--factors FILE`` (a
YAML list written as a case's ``uncertainty``), or else ``FALLBACK_FACTORS`` below: the
existing business's growth, a delay of the AMD deliveries and the price of GB300 racks.
They are added to the case's data before it is validated, as if written in the file.

Every mode solves the same draws with the same options:

- ``serial``: a plain loop of ``solve_draw`` in this process;
- ``dask N``: ``run_sweep`` on a local cluster of N worker processes, built by
  ``cluster.local_cluster`` (the cluster ``run_sweep`` starts itself) but started here,
  so that the peak memory of each worker can be read (``resource.getrusage`` in the
  worker, through ``client.run``) before it closes. Its start-up (the cluster, then
  each worker importing ``allocator``, paid once per sweep) is timed apart and not
  counted in the sweep's wall time.

Columns: "draws/s" is the throughput; "solve s" the median of the solver's own seconds
(``Termination.seconds``); "outside solver" the mean over draws of the record's
seconds minus the solver's (applying the draw, building the model, reading and checking
the plan), also as a share of the median solve (target: under 10%); "engine s/draw"
is the worker time per draw spent outside ``solve_draw`` (workers x wall / draws minus
the mean record seconds: scheduling, moving the case and the records, writing each
record while the workers go on); "peak MiB" the largest resident set of a worker (for
``serial``, of this process). Each sweep's records are checked against the loop's
(status, objective within 1e-6 relative, funded projects).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from distributed import Client

import allocator
from allocator.analysis.runner import Runner
from allocator.case import CaseError, build_case, read_case_data
from allocator.case.draws import Draw, monte_carlo_draws
from allocator.case.model import Case
from allocator.case.uncertainty_checks import uncertainty_problems
from allocator.cluster import local_cluster
from allocator.engine import Result
from allocator.sweeps.engine import run_sweep
from allocator.sweeps.record import solve_draw
from allocator.sweeps.store import write_record

FALLBACK_FACTORS: list[dict[str, Any]] = [
    {
        "id": "revenue-growth",
        "description": "the existing business grows 10%, 30% (as written) or 45% a year",
        "path": "revenue.growth",
        "set": {"choice": [0.10, 0.30, 0.45], "p": [0.25, 0.5, 0.25]},
    },
    {
        "id": "amd-delay",
        "description": "the first MI450 racks arrive on time, one or two quarters late",
        "path": "supply[amd-mi450].available_from",
        "set": {"choice": ["2026Q3", "2026Q4", "2027Q1"], "p": [0.5, 0.3, 0.2]},
    },
    {
        "id": "gb300-price",
        "description": "the price of a GB300 bought from NVIDIA, +-10% (one sigma)",
        "path": "supply[nvidia-gb300].unit_cost",
        "scale": {"normal": [1.0, 0.1]},
    },
]
"""The factors a case without uncertainty is swept over."""


@dataclass(frozen=True)
class TimedRunner(Runner):
    """A ``Runner`` that appends each solve's solver seconds to ``<log>/<pid>.txt``."""

    log: str = ""

    def solve(self, case: Case, scenario: str | None = None) -> Result:
        """Solve as ``Runner`` does, and note the solver's own seconds."""
        result = super().solve(case, scenario)
        with open(Path(self.log, f"{os.getpid()}.txt"), "a", encoding="utf-8") as notes:
            notes.write(f"{result.termination.seconds!r}\n")
        return result


@dataclass
class Row:
    """One mode's figures."""

    mode: str
    wall: float
    draws: int
    solver: list[float]
    record_seconds: list[float]
    workers: int
    peak_mib: float
    startup: float | None = None
    same: bool | None = None

    def cells(self) -> list[str]:
        median_solve = statistics.median(self.solver)
        outside = statistics.mean(self.record_seconds) - statistics.mean(self.solver)
        engine = self.workers * self.wall / self.draws - statistics.mean(self.record_seconds)
        return [
            self.mode,
            "-" if self.startup is None else f"{self.startup:.1f}",
            f"{self.wall:.1f}",
            f"{self.draws / self.wall:.3f}",
            f"{median_solve:.2f}",
            f"{outside:.3f} ({100 * outside / median_solve:.1f}%)",
            f"{engine:+.3f} ({100 * engine / median_solve:+.1f}%)",
            f"{self.peak_mib:,.0f}",
            {None: "-", True: "yes", False: "NO"}[self.same],
        ]


HEADER = [
    "mode",
    "start-up s",
    "wall s",
    "draws/s",
    "solve s (median)",
    "outside solver s/draw",
    "engine s/draw",
    "peak MiB",
    "same records",
]


def peak_mib() -> float:
    """The peak resident set of this process, in MiB (Linux counts ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def warm_up() -> None:
    """Import what a worker needs before its first draw (run in each worker)."""
    import allocator.sweeps.engine  # noqa: F401


def load(path: Path, factors: Path | None) -> tuple[Case, str]:
    """The case with its uncertainty (or the fallback factors) and where they came from."""
    data, source = read_case_data(path)
    origin = "the case's own"
    if not data.get("uncertainty"):
        if factors is not None:
            data["uncertainty"] = yaml.safe_load(factors.read_text(encoding="utf-8"))
            origin = str(factors)
        else:
            data["uncertainty"] = FALLBACK_FACTORS
            origin = "FALLBACK_FACTORS"
    case = build_case(data, source)
    problems = uncertainty_problems(case, source)
    if problems:
        raise CaseError(problems)
    return case, origin


def solver_seconds(log: Path) -> list[float]:
    return [float(line) for f in sorted(log.glob("*.txt")) for line in f.read_text().split()]


def serial(case: Case, draws: list[Draw], runner: TimedRunner) -> tuple[Row, list[dict[str, Any]]]:
    started = time.perf_counter()
    records = [solve_draw(case, d, runner) for d in draws]
    wall = time.perf_counter() - started
    row = Row("serial", wall, len(draws), solver_seconds(Path(runner.log)), [], 1, peak_mib())
    row.record_seconds = [r["seconds"] for r in records]
    return row, records


def on_dask(
    case: Case, draws: list[Draw], runner: TimedRunner, workers: int, reference: list[dict]
) -> Row:
    started = time.perf_counter()
    with local_cluster(workers) as cluster, Client(cluster) as client:
        client.run(warm_up)
        startup = time.perf_counter() - started
        with tempfile.TemporaryDirectory(prefix="bench-sweep-") as out:
            started = time.perf_counter()
            run = run_sweep(case, draws, runner, out=Path(out), scheduler=cluster.scheduler_address)
            wall = time.perf_counter() - started
        peaks = client.run(peak_mib)
    table = run.draws
    row = Row(
        f"dask {workers}",
        wall,
        len(draws),
        solver_seconds(Path(runner.log)),
        table["seconds"].tolist(),
        workers,
        max(peaks.values()),
        startup=startup,
    )
    row.same = all(
        r["status"] == s
        and r["funded"] == f
        and (r["objective"] is None or abs(o - r["objective"]) <= 1e-6 * max(1, abs(o)))
        for r, s, f, o in zip(
            reference, table["status"], table["funded"], table["objective"], strict=True
        )
    )
    return row


def write_seconds(records: list[dict[str, Any]]) -> float:
    """The median seconds of writing one record (with a key) as a run does."""
    times = []
    with tempfile.TemporaryDirectory(prefix="bench-sweep-write-") as out:
        for i, record in enumerate(records):
            started = time.perf_counter()
            write_record(Path(out), {**record, "key": f"{i:064x}"})
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", type=Path, default=Path("cases/frontier-lab-2026.yaml"))
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--factors", type=Path, default=None)
    parser.add_argument("--backend", default="ortools")
    parser.add_argument("--solver", default=None)
    parser.add_argument("--gap", type=float, default=1e-4)
    parser.add_argument("--time-limit", type=float, default=None)
    args = parser.parse_args()

    case, origin = load(args.case, args.factors)
    draws = monte_carlo_draws(case, args.draws, args.seed)
    print(f"{args.case}: {args.draws} draws (seed {args.seed}) of {origin} factors:")
    for factor in case.uncertainty:
        print(f"  {factor.id}: {factor.operation} {factor.path} ~ {factor.distribution}")
    options = {"backend": args.backend, "solver": args.solver, "gap": args.gap}
    options["time_limit"] = args.time_limit
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-sweep-log-") as log:
        base, records = serial(case, draws, TimedRunner(**options, log=log))
    rows.append(base)
    statuses = [r["status"] for r in records]
    for workers in args.workers:
        with tempfile.TemporaryDirectory(prefix="bench-sweep-log-") as log:
            rows.append(on_dask(case, draws, TimedRunner(**options, log=log), workers, records))
    print()
    print(f"allocator {getattr(allocator, '__version__', '?')}, Python {platform.python_version()}")
    print(f"statuses: {', '.join(f'{s} {statuses.count(s)}' for s in sorted(set(statuses)))}")
    print(f"writing one record: {1000 * write_seconds(records):.1f} ms (median)")
    print()
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "|".join([" --- "] + [" ---: "] * (len(HEADER) - 2) + [" --- "]) + "|")
    for row in rows:
        print("| " + " | ".join(row.cells()) + " |")


if __name__ == "__main__":
    main()
