"""SCIP with and without the limit on its aggregation cuts, on the models allocator builds.

    python benchmarks/bench_scip_cuts.py [--sizes 1000 2000 3000 5000 10000] [--repeat 2]
        [--rounds 3] [--no-steps]

``allocator.backends.ortools_solvers`` runs SCIP with
``separating/aggregation/maxroundsroot = 3``. This script solves the same models with
the shipped parameters ("limited") and with that line left out ("unlimited", SCIP's
default), one after the other, the first of the two alternating between repeats, and
prints each one's seconds in SCIP (medians over ``--repeat``) and objective. The
models: the flagship case proved optimal (gap 0), then for each size N the generated
case ``allocator generate -n N`` (4 resources, 12 quarters, seed 0) at the default gap,
and, unless ``--no-steps``, two what-ifs of the 2,000-project case that ``marginals``
solves (the sixth quarter's budget -5%, the first resource's capacity +5%).
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import allocator
from allocator.analysis.edits import scale_budget_in, scale_capacity
from allocator.backends.options import DEFAULT_GAP, SolveOptions
from allocator.backends.ortools_backend import _run, _translate
from allocator.backends.ortools_solvers import SOLVERS, SolverSpec, solver_parameters
from allocator.case.loading import Source, build_case
from allocator.formulation import formulate
from allocator.generate import generate_case
from allocator.model.linear import LinearModel

FLAGSHIP = Path(__file__).resolve().parent.parent / "cases" / "frontier-lab-2026.yaml"
LIMIT = "separating/aggregation/maxroundsroot"


def specs(rounds: int) -> dict[str, SolverSpec]:
    """The shipped SCIP spec with the limit at ``rounds``, and the same without it."""
    shipped = SOLVERS["scip"]
    others = tuple(p for p in shipped.fixed_parameters if not p.startswith(LIMIT))
    return {
        "limited": replace(shipped, fixed_parameters=(*others, f"{LIMIT} = {rounds}")),
        "unlimited": replace(shipped, fixed_parameters=others),
    }


def models(sizes: list[int], steps: bool) -> Iterator[tuple[str, LinearModel, float]]:
    """(name, model, gap) of every model the script solves."""
    yield "flagship", formulate(allocator.load_case(FLAGSHIP)).model, 0.0
    for size in sizes:
        case = build_case(generate_case(size, seed=0), Source(f"generated-{size}"))
        yield f"generated {size:,}", formulate(case).model, DEFAULT_GAP
    if steps:
        case = build_case(generate_case(2000, seed=0), Source("generated-2000"))
        budget = scale_budget_in(case, case.periods[5], 0.95)
        yield f"2,000: budget {case.periods[5]} -5%", formulate(budget).model, DEFAULT_GAP
        resource = case.supply[0].resource
        capacity = scale_capacity(case, resource, 1.05)
        yield f"2,000: capacity {resource} +5%", formulate(capacity).model, DEFAULT_GAP


def timed(spec: SolverSpec, model: LinearModel, gap: float) -> tuple[float, float | None]:
    """SCIP's seconds and objective for ``model`` solved with ``spec``'s parameters."""
    options = SolveOptions(relative_gap=gap)
    answer = _run(spec, _translate(model), solver_parameters(spec, options), options, None)
    return answer.seconds, answer.objective


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 3000, 5000, 10000])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-steps", action="store_true")
    args = parser.parse_args()
    contenders = specs(args.rounds)
    names = list(contenders)
    print("| model | gap | limited s | unlimited s | unlimited/limited | objectives |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for name, model, gap in models(args.sizes, not args.no_steps):
        seconds: dict[str, list[float]] = {n: [] for n in names}
        objective: dict[str, float | None] = {}
        for k in range(args.repeat):
            for contender in names if k % 2 == 0 else reversed(names):
                took, objective[contender] = timed(contenders[contender], model, gap)
                seconds[contender].append(took)
        limited, unlimited = (statistics.median(seconds[n]) for n in names)
        found = " / ".join(f"{objective[n]:,.2f}" for n in names if objective[n] is not None)
        print(
            f"| {name} | {gap:g} | {limited:.2f} | {unlimited:.2f} | "
            f"{unlimited / limited:.2f} | {found} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
