"""How ``allocator hedge`` grows with the number of futures: the extensive form against
dual decomposition.

For each count N of Monte Carlo futures of a case (the flagship by default): build the
N futures (draw, validate, formulate); solve each on its own (the wait-and-see bound);
stack the extensive form and solve it with the given time limit and gap; then run the
whole two-stage plan by dual decomposition (``--iterations``). Printed per N: the
extensive form's size, seconds, status, objective and bound; the decomposition's
seconds, iterations, best expected objective and bound; and the honest gap of each
against the better of all bounds. The per-future solves run on a local Dask cluster of
``--workers`` processes; the extensive form is solved in this process. The peak memory
of this process is read from the operating system (the workers' is not included).

    python benchmarks/bench_hedge.py --futures 8 27 64 --time-limit 600 --workers 2

Results and the machine are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np

import allocator
from allocator.analysis.runner import Runner
from allocator.case.draws import monte_carlo_draws
from allocator.cluster import FuturePool, future_pool
from allocator.hedging.extensive import extensive_form
from allocator.hedging.futures import make_futures
from allocator.hedging.plans import hindsight, solve_extensive
from allocator.quiet import quiet_solvers

FLAGSHIP = Path(__file__).resolve().parent.parent / "cases" / "frontier-lab-2026.yaml"


def measure(
    case: allocator.Case, count: int, seed: int, runner: Runner, pool: FuturePool, iterations: int
) -> dict[str, object]:
    """One row: the sizes, times, statuses and gaps of N futures."""
    clock = time.perf_counter()
    futures = make_futures(case, monte_carlo_draws(case, count, seed))
    built = time.perf_counter() - clock
    clock = time.perf_counter()
    own = hindsight(futures, Runner(backend=runner.backend, gap=runner.gap), pool, 0)
    alone = time.perf_counter() - clock
    weights = np.array([f.weight for f in futures])
    bounds = [o.bound for o in own]
    ws_bound = None if None in bounds else float(np.array(bounds, dtype=float) @ weights)
    clock = time.perf_counter()
    ext = extensive_form(futures, 0)
    stacked = time.perf_counter() - clock
    clock = time.perf_counter()
    termination, _ = solve_extensive(ext, runner)
    solved = time.perf_counter() - clock
    clock = time.perf_counter()
    split = allocator.hedge(
        case,
        draws=count,
        seed=seed,
        runner=Runner(backend=runner.backend, gap=runner.gap),
        scheduler=pool.client.scheduler.address,
        decompose=iterations,
    )
    decomposed = time.perf_counter() - clock
    best = min(b for b in (termination.bound, ws_bound, split.bound) if b is not None)
    objective = termination.objective
    honest = None if objective is None else (best - objective) / abs(best)
    found = split.expected_objective
    split_gap = None if found is None else (best - found) / abs(best)
    return {
        "futures": count,
        "columns": ext.model.num_variables,
        "rows": ext.model.num_constraints,
        "integers": int(ext.model.integer.sum()),
        "build_s": round(built, 1),
        "alone_s": round(alone, 1),
        "stack_s": round(stacked, 2),
        "extensive_s": round(solved, 1),
        "status": termination.status.value,
        "objective": objective,
        "solver_bound": termination.bound,
        "ws_bound": ws_bound,
        "honest_gap": honest,
        "decomposition_s": round(decomposed, 1),
        "iterations": split.decomposition.iterations if split.decomposition else None,
        "decomposition_best": found,
        "decomposition_bound": split.bound,
        "decomposition_gap": split_gap,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", type=Path, default=FLAGSHIP)
    parser.add_argument("--futures", type=int, nargs="+", default=[8, 27, 64])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--gap", type=float, default=1e-4)
    parser.add_argument("--backend", default="ortools")
    parser.add_argument("--solver", default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=10)
    args = parser.parse_args()
    case = allocator.load_case(args.case)
    runner = Runner(
        backend=args.backend, solver=args.solver, time_limit=args.time_limit, gap=args.gap
    )
    with future_pool(None, args.workers, args.workers) as pool:
        for count in args.futures:
            with quiet_solvers():  # it hides standard output too: print after it
                row = measure(case, count, args.seed, runner, pool, args.iterations)
            print(row, flush=True)


if __name__ == "__main__":
    main()
