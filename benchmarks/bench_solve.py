"""Time every step of a solve on large synthetic cases: load, build, hand-off, solve, plan, verify.

    python benchmarks/bench_solve.py [--sizes 100 1000 10000] [--backends ortools pulp]
        [--repeat 3] [--time-limit 60] [--gap 0.01]

Prints a Markdown table of medians over ``--repeat`` runs for every step but the
solve, which runs once per backend with ``--time-limit`` and ``--gap``. The cases
come from ``allocator generate`` (``--resources 4 --periods 12 --seed 0``).

"Load" is ``allocator.load_case`` of the case written as JSON; "build" is
``formulate``; "hand-off" is the backend's translation of the model into its own
objects before the solver starts (OR-Tools: the model builder filled from the
sparse arrays; PuLP: ``build_problem``), timed on its own. "Solve" is one call to
the backend's ``solve``, which translates the model again, so it includes one
hand-off. "Plan" is ``extract_plan`` and "verify" the independent checker on that
plan. A second table gives each solve's status, objective, bound and gap, then any
rule the checker finds broken is printed, and whether the target is met: 10,000
projects x 4 resources x 12 periods built and handed to OR-Tools in under 10 s.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import allocator
from allocator.backends.options import SolveOptions
from allocator.backends.registry import get_backend
from allocator.backends.termination import Termination
from allocator.formulation import formulate
from allocator.generate import generate_case
from allocator.model.linear import LinearModel
from allocator.plan import extract_plan
from allocator.verify import Violation

T = TypeVar("T")

TARGET_PROJECTS = 10_000
TARGET_SECONDS = 10.0
TARGET_BACKEND = "ortools"
SHOWN_VIOLATIONS = 20
"""At most this many violations are printed per plan (with the count of the rest)."""


def ortools_hand_off(model: LinearModel) -> object:
    """The OR-Tools model builder, filled the way the backend fills it before solving."""
    from allocator.backends.ortools_backend import _translate

    return _translate(model)


def pulp_hand_off(model: LinearModel) -> object:
    """The ``pulp.LpProblem`` the backend builds before writing it for the solver."""
    from allocator.backends.pulp_backend import build_problem

    return build_problem(model)


HAND_OFFS: dict[str, Callable[[LinearModel], object]] = {
    "ortools": ortools_hand_off,
    "pulp": pulp_hand_off,
}


@dataclass
class Row:
    """One size and backend: the model's size, the step times and the solve's outcome."""

    projects: int
    backend: str
    columns: int
    rows: int
    nonzeros: int
    load: float
    build: float
    hand_off: float
    solve: float
    termination: Termination
    plan: float | None = None
    verify: float | None = None
    violations: tuple[Violation, ...] | None = None
    model_violations: int | None = None


def timed(work: Callable[[], T], repeat: int) -> tuple[float, T]:
    """The median wall time of ``repeat`` runs of ``work``, and the last run's result."""
    times = []
    result: T
    for _ in range(max(1, repeat)):
        result = None  # type: ignore[assignment]  # let the previous result go first
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def run_size(projects: int, args: argparse.Namespace, folder: str) -> list[Row]:
    """Every step for one case size and each backend in turn."""
    data: dict[str, Any] | None = generate_case(projects, args.resources, args.periods, args.seed)
    path = Path(folder, "case.json")
    path.write_text(json.dumps(data))
    data = None
    load_s, case = timed(lambda: allocator.load_case(path), args.repeat)
    build_s, formulation = timed(lambda: formulate(case), args.repeat)
    model = formulation.model
    options = SolveOptions(time_limit=args.time_limit, relative_gap=args.gap)
    found = []
    for name in args.backends:
        backend = get_backend(name)
        hand_off = HAND_OFFS[name]
        hand_off_s, _ = timed(lambda h=hand_off: h(model), args.repeat)
        gc.collect()
        start = time.perf_counter()
        solved = backend.solve(model, options)
        solve_s = time.perf_counter() - start
        row = Row(
            projects=projects,
            backend=f"{name}:{solved.termination.solver}",
            columns=model.num_variables,
            rows=model.num_constraints,
            nonzeros=int(model.matrix.nnz),
            load=load_s,
            build=build_s,
            hand_off=hand_off_s,
            solve=solve_s,
            termination=solved.termination,
        )
        values = solved.values
        if values is not None and solved.termination.status.has_solution:
            row.plan, plan = timed(lambda v=values: extract_plan(case, formulation, v), args.repeat)
            objective = solved.termination.objective
            row.verify, verification = timed(
                lambda p=plan, o=objective: allocator.verify(case, p, o), args.repeat
            )
            row.violations = verification.violations
            if not verification.ok:
                row.model_violations = len(model.violations(values))
        print(table_row(row), flush=True)
        found.append(row)
        solved = values = None
        gc.collect()
    return found


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def table_row(row: Row) -> str:
    term = row.termination
    status = term.status.value + (" (limit)" if term.limit_reached else "")
    gap = "-" if term.gap is None else f"{term.gap:.2%}"
    ok = "-" if row.violations is None else ("yes" if not row.violations else "NO")
    cells = [
        f"{row.projects:,}",
        row.backend,
        f"{row.columns:,}",
        f"{row.rows:,}",
        f"{row.nonzeros:,}",
        seconds(row.load),
        seconds(row.build),
        seconds(row.hand_off),
        seconds(row.build + row.hand_off),
        seconds(row.solve),
        status,
        gap,
        seconds(row.plan),
        seconds(row.verify),
        ok,
    ]
    return "| " + " | ".join(cells) + " |"


def number(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def print_outcomes(rows: list[Row]) -> None:
    """Each solve's status, objective, bound, gap and message."""
    print()
    print("| projects | backend | status | objective | bound | gap | solver s | message |")
    print("| ---: | --- | --- | ---: | ---: | ---: | ---: | --- |")
    for row in rows:
        term = row.termination
        gap = "-" if term.gap is None else f"{term.gap:.4%}"
        message = term.message.replace("|", "/").replace("\n", " ") or "-"
        print(
            f"| {row.projects:,} | {row.backend} | {term.status.value} | {number(term.objective)} "
            f"| {number(term.bound)} | {gap} | {term.seconds:.2f} | {message} |"
        )


def print_violations(rows: list[Row]) -> None:
    """Every plan the checker rejects, with the rules it breaks."""
    print()
    failed = [row for row in rows if row.violations]
    if not failed:
        checked = sum(row.violations is not None for row in rows)
        print(f"Checker: all {checked} plans pass.")
        return
    for row in failed:
        assert row.violations is not None
        rules = ", ".join(sorted({v.rule for v in row.violations}))
        print(
            f"CHECKER FAILED: {row.projects:,} projects, {row.backend}: "
            f"{len(row.violations)} violation(s) ({rules}); the solver's values break "
            f"{row.model_violations} bound/row/integrality check(s) of the model itself"
        )
        for violation in row.violations[:SHOWN_VIOLATIONS]:
            print(f"  - {violation}")
        if len(row.violations) > SHOWN_VIOLATIONS:
            print(f"  - ... and {len(row.violations) - SHOWN_VIOLATIONS} more")


def print_target(rows: list[Row]) -> None:
    """Whether the target size is built and handed to OR-Tools within the target time."""
    print()
    match = [r for r in rows if r.projects == TARGET_PROJECTS and r.backend.startswith("ortools")]
    if not match:
        print(
            f"Target not checked: needs --sizes with {TARGET_PROJECTS} "
            f"and --backends with {TARGET_BACKEND}."
        )
        return
    row = match[0]
    total = row.build + row.hand_off
    verdict = "MET" if total < TARGET_SECONDS else "NOT MET"
    print(
        f"Target ({TARGET_PROJECTS:,} projects, {row.columns:,} columns x {row.rows:,} rows, "
        f"built and handed to OR-Tools in under {TARGET_SECONDS:g} s): {verdict}: "
        f"build {row.build:.2f} s + "
        f"hand-off {row.hand_off:.2f} s = {total:.2f} s "
        f"({row.load + total:.2f} s with loading the JSON file)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000])
    parser.add_argument("--resources", type=int, default=4)
    parser.add_argument("--periods", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--backends", nargs="+", choices=sorted(HAND_OFFS), default=["ortools", "pulp"]
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--gap", type=float, default=0.01)
    args = parser.parse_args()
    print(
        "| projects | backend | columns | rows | nonzeros | load s | build s | hand-off s "
        "| build+hand-off s | solve s | status | gap | plan s | verify s | checker ok |"
    )
    print(
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: "
        "| ---: | ---: | --- |"
    )
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            rows += run_size(size, args, folder)
            gc.collect()
    print_outcomes(rows)
    print_violations(rows)
    print_target(rows)


if __name__ == "__main__":
    main()
