"""Reading a plan back and checking it, at scale: seconds of ``extract_plan`` and
``verify`` on one solved generated case, medians of repeated runs.

    python benchmarks/bench_plan_check.py [--projects 100000] [--parts 16] [--repeat 3]

``allocator generate -n N`` (4 resources, 12 periods, seed 0: the cases of
``bench_scale.py``) is solved once by ``--parts`` parts at a gap of 1% (whole, at the
default gap, with ``--parts 1``); then the plan is read back from the column values and
checked ``--repeat`` times, each step timed on its own. The solve is not timed: see
``bench_scale.py`` for end to end.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import allocator
from allocator.case.loading import Source, build_case
from allocator.decompose import decompose_solve
from allocator.engine import solve
from allocator.generate import generate_case
from allocator.plan.extract import extract_plan
from allocator.verify import verify


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--parts", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    case = build_case(generate_case(args.projects, seed=0), Source("generated.json"))
    result = decompose_solve(case, args.parts, gap=0.01) if args.parts > 1 else solve(case)
    if result.formulation is None or result.values is None:
        raise SystemExit(f"no plan: {result.termination.status.value}")
    plans, checks = [], []
    for _ in range(args.repeat):
        clock = time.perf_counter()
        plan = extract_plan(result.case, result.formulation, result.values)
        plans.append(time.perf_counter() - clock)
        clock = time.perf_counter()
        verification = verify(result.case, plan, result.termination.objective)
        checks.append(time.perf_counter() - clock)
        assert verification.ok, verification.violations[:5]
    funded = int(plan.projects["funded"].sum())
    print(f"allocator {allocator.__version__}, Python {platform.python_version()}")
    print("| projects | funded | plan s (median) | check s (median) | runs |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {args.projects:,} | {funded:,} | {statistics.median(plans):.2f} "
        f"| {statistics.median(checks):.2f} | {args.repeat} |"
    )


if __name__ == "__main__":
    main()
