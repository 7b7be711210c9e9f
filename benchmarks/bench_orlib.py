"""Solve OR-Library capital-budgeting instances as allocator cases, on every backend.

    python benchmarks/bench_orlib.py [--orlib DIR] [--file mknap1.txt] [--first K]
                                     [--time-limit S] [--solvers ortools:scip pulp:cbc ...]

Each instance (n projects, m budget periods, value p_j, outlay v_ij, budget b_i)
becomes a case with ``carry_over: false``: project j costs v_ij in period i and is
worth p_j once; the known optimum (from the file, or from mkcbres.txt for the
mknapcb files) is compared with what each backend proves. The files live in the
shared benchmark folder; they are not needed by the project or its tests.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from allocator.backends import SolveOptions, get_backend
from allocator.case.loading import Source, build_case
from allocator.formulation import formulate

DEFAULT_ORLIB = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "orlib"


@dataclass(frozen=True)
class Instance:
    """One multidimensional knapsack: maximise p @ x subject to v @ x <= b, x binary."""

    name: str
    values: list[float]
    outlays: list[list[float]]
    budgets: list[float]
    optimum: float | None


def read_instances(path: Path, best: dict[str, float]) -> list[Instance]:
    """Parse an OR-Library mknap file (format in mknapinfo_file-format.txt)."""
    numbers = [float(x) for x in path.read_text().split()]
    count, pos = int(numbers[0]), 1
    instances = []
    for k in range(count):
        n, m, optimum = int(numbers[pos]), int(numbers[pos + 1]), numbers[pos + 2]
        pos += 3
        values = numbers[pos : pos + n]
        pos += n
        outlays = [numbers[pos + i * n : pos + (i + 1) * n] for i in range(m)]
        pos += m * n
        budgets = numbers[pos : pos + m]
        pos += m
        name = f"{path.stem}-{k:02d}"
        if path.stem.startswith("mknapcb"):
            name = f"{m}.{n}-{k:02d}"
        known = optimum if optimum > 0 else best.get(name)
        instances.append(Instance(name, values, outlays, budgets, known))
    return instances


def read_best(path: Path) -> dict[str, float]:
    """Best known values from mkcbres.txt, by problem name (e.g. '5.100-00')."""
    if not path.exists():
        return {}
    best = {}
    for name, value in re.findall(r"^(\d+\.\d+-\d+)\s+(\d+)\s*$", path.read_text(), re.M):
        best.setdefault(name, float(value))
    return best


def as_case(instance: Instance) -> dict:
    """The instance as case data: one project per item, one budget period per constraint."""
    periods = [f"B{i + 1}" for i in range(len(instance.budgets))]
    first = periods[0]
    return {
        "name": instance.name,
        "periods": periods,
        "periods_per_year": 1,
        "budget": {
            "carry_over": False,
            "amounts": dict(zip(periods, instance.budgets, strict=True)),
        },
        "projects": [
            {
                "id": f"x{j}",
                "value": {first: instance.values[j]},
                "cost": {p: row[j] for p, row in zip(periods, instance.outlays, strict=True)},
            }
            for j in range(len(instance.values))
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orlib", type=Path, default=DEFAULT_ORLIB)
    parser.add_argument("--file", default="mknap1.txt")
    parser.add_argument("--first", type=int, default=None, help="only the first K instances")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument(
        "--solvers",
        nargs="+",
        default=["ortools:scip", "ortools:highs", "pulp:cbc", "pulp:highs"],
    )
    args = parser.parse_args()
    best = read_best(args.orlib / "mkcbres.txt")
    instances = read_instances(args.orlib / args.file, best)[: args.first]
    print(
        "| instance | n x m | known | backend:solver | status | objective | build (s) | solve (s) |"
    )
    print("| --- | --- | ---: | --- | --- | ---: | ---: | ---: |")
    seconds: dict[str, list[float]] = {s: [] for s in args.solvers}
    for instance in instances:
        start = time.perf_counter()
        case = build_case(as_case(instance), Source(instance.name))
        model = formulate(case).model
        build = time.perf_counter() - start
        for pair in args.solvers:
            backend_name, solver = pair.split(":")
            result = get_backend(backend_name).solve(
                model, SolveOptions(solver=solver, time_limit=args.time_limit)
            )
            t = result.termination
            seconds[pair].append(t.seconds)
            mark = ""
            if instance.optimum is not None and t.objective is not None:
                mark = " ✓" if abs(t.objective - instance.optimum) < 1e-6 else " ✗"
            print(
                f"| {instance.name} | {len(instance.values)} x {len(instance.budgets)} "
                f"| {instance.optimum or '-'} | {pair} | {t.status.value} "
                f"| {t.objective}{mark} | {build:.3f} | {t.seconds:.2f} |",
                flush=True,
            )
    for pair, times in seconds.items():
        print(f"\nmedian solve time {pair}: {statistics.median(times):.2f} s")


if __name__ == "__main__":
    main()
