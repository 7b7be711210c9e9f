"""``decompose_solve``: a plan for a large case from K smaller ones, with an honest gap.

1. Split (``parts.split``): K parts of linked groups of projects, stratified.
2. Solve each part's case (``shares.part_case``: its projects, its share w_k of every
   shared limit) on the Dask engine (``allocator.hedging.pool``), each with the solve's
   backend, solver and gap.
3. Combine: add the parts' plans up column by column in the whole case's model (the
   columns matched by family and case ids, ``BasePlan``), each binary column capped at
   1; that is the parts' plan of the whole case, POP's sum of allocations.
4. Bound: the LP relaxation of the whole case's model, solved to optimality by HiGHS
   (``BOUND_SOLVER``, whichever backend solves the parts and the repair), bounds every
   plan of the whole case.
5. Repair on the whole case: its model with every project of a solved part held to the
   level and start its part chose, or to a choice the LP relaxation takes any of, or to
   nothing (any project may still be dropped, any shared decision changes: the
   neighbourhood of RINS, relaxation-induced), solved with the combined plan as the
   starting plan where the solver takes one. Projects of a part that found no plan (a
   must-fund project larger than its share, say) keep every choice here.
6. Report: the gap is the repaired plan's against the bound of step 4, never a part's
   own. The status is "optimal" only when that gap is within the gap asked for,
   "feasible" otherwise.

With a time limit T, the parts get 0.6 T (each part 0.6 T over the rounds the cluster
needs for K parts) and the repair what is left after the bound.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from allocator.analysis.baseplan import BasePlan
from allocator.backends.base import Backend
from allocator.backends.capabilities import Feature
from allocator.backends.options import DEFAULT_GAP, SolveOptions
from allocator.backends.registry import DEFAULT_BACKEND, get_backend
from allocator.backends.termination import SolveResult, SolveStatus, Termination, relative_gap
from allocator.case.model import Case
from allocator.decompose.parts import split
from allocator.decompose.shares import part_case
from allocator.engine import Progress, Result, checked_result, formulated
from allocator.engine import solve as solve_whole
from allocator.formulation import Formulation
from allocator.model.linear import LinearModel

LP_TAKEN = 1e-6
"""A choice the LP relaxation takes more of than this stays open in the repair."""

BOUND_SOLVER = "highs"
"""The LP solver of the bound, in either backend: on the LP relaxation of 10,000
generated projects OR-Tools' HiGHS took 3.5 s, PuLP's 7.3 s, GLOP 10.1 s and SCIP 9.6 s
(docs/performance.md, "Large cases"); at 100,000 SCIP's LP ran for minutes."""

PARTS_SHARE_OF_LIMIT = 0.6
"""The share of a time limit the parts may use; the bound and the repair get the rest."""


@dataclass(frozen=True)
class PartOutcome:
    """One part's solve: its size, share, status, objective and seconds, and its plan by
    column family and case ids (None without a plan)."""

    part: int
    projects: int
    share: float
    status: str
    objective: float | None
    seconds: float
    plan: BasePlan | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Decomposition:
    """How a decomposed plan was made (see the module docstring).

    ``combined``: the objective of the parts' plans added up (the sum of the parts'
    objectives; the repaired plan is at least as good where that sum keeps the whole
    case's rules); ``bound``: the LP relaxation of the whole case (None if it could not
    be solved to optimality); ``left_open``: projects of parts without a plan, decided in
    the repair; ``seconds``: split, parts, bound, repair."""

    parts: tuple[PartOutcome, ...]
    seed: int
    combined: float
    bound: float | None
    left_open: int
    seconds: dict[str, float]

    def document(self) -> dict[str, Any]:
        """The JSON form (``decomposition`` in a solve document)."""
        return {
            "parts": [
                {
                    "part": p.part + 1,
                    "projects": p.projects,
                    "share": p.share,
                    "status": p.status,
                    "objective": p.objective,
                    "seconds": p.seconds,
                }
                for p in self.parts
            ],
            "seed": self.seed,
            "combined_objective": self.combined,
            "bound": self.bound,
            "bound_from": "LP relaxation of the whole case",
            "bound_solver": BOUND_SOLVER,
            "left_open": self.left_open,
            "seconds": self.seconds,
        }


def decompose_solve(
    case: Case,
    parts: int,
    *,
    seed: int = 0,
    scenario: str | None = None,
    backend: str = DEFAULT_BACKEND,
    solver: str | None = None,
    time_limit: float | None = None,
    gap: float = DEFAULT_GAP,
    threads: int | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Result:
    """A checked plan of ``case`` made from ``parts`` parts (see the module docstring);
    ``Result.decomposition`` says how, ``Result.termination`` gives the repaired plan's
    objective, the whole case's LP bound and the gap between them."""
    say = progress or (lambda _: None)
    clock = time.perf_counter()
    options = SolveOptions(time_limit=time_limit, relative_gap=gap, threads=threads, solver=solver)
    engine = get_backend(backend)
    case, formulation, seconds = formulated(case, scenario)
    tick = time.perf_counter()
    groups = split(case, parts, seed)
    seconds["split"] = time.perf_counter() - tick
    say(f"solving {len(groups)} parts on Dask")
    tick = time.perf_counter()
    outcomes = _solve_parts(case, groups, backend, options, scheduler, workers, say)
    seconds["parts"] = time.perf_counter() - tick
    say("bounding: the LP relaxation of the whole case")
    tick = time.perf_counter()
    bound = lp_bound(engine, formulation.model, options, _left(time_limit, clock))
    seconds["bound"] = time.perf_counter() - tick
    say("repairing the combined plan on the whole case")
    tick = time.perf_counter()
    model, start, left_open = restricted(formulation, outcomes, bound.values)
    solved = _repair(engine, model, start, replace(options, time_limit=_left(time_limit, clock)))
    seconds["solve"] = time.perf_counter() - tick
    held = bool((model.upper < formulation.model.upper).any())
    termination = whole_termination(solved.termination, bound, gap, len(groups), held)
    termination = replace(termination, seconds=time.perf_counter() - clock)
    result = checked_result(
        case,
        formulation,
        model,
        SolveResult(termination, solved.values),
        scenario=scenario,
        progress=progress,
        seconds=seconds,
    )
    combined = sum(o.objective or 0.0 for o in outcomes)
    found = Decomposition(tuple(outcomes), seed, combined, bound.value, left_open, seconds)
    return replace(result, decomposition=found)


def _repair(
    engine: Backend, model: LinearModel, start: np.ndarray, options: SolveOptions
) -> SolveResult:
    """``model`` solved, from ``start`` where the solver takes a starting plan."""
    takes_start = engine.capabilities(options.solver or engine.default_solver).supports(
        Feature.HINTS
    )
    return engine.solve(model, options, start=start if takes_start else None)


def _left(time_limit: float | None, since: float) -> float | None:
    """What is left of ``time_limit`` (at least a second) after ``since``."""
    if time_limit is None:
        return None
    return max(1.0, time_limit - (time.perf_counter() - since))


def _solve_parts(
    case: Case,
    groups: list[list[str]],
    backend: str,
    options: SolveOptions,
    scheduler: str | None,
    workers: int | None,
    say: Progress,
) -> list[PartOutcome]:
    """Every part solved on the Dask engine (a local cluster, or ``scheduler``'s). With a
    time limit T, each part may take 0.6 T over the rounds the cluster needs (parts over
    worker threads, rounded up)."""
    from allocator.hedging.pool import future_pool  # Dask is loaded only when used

    total = len(case.projects)
    labels = [f"part {k + 1}" for k in range(len(groups))]
    finished: list[str] = []

    def done(label: str) -> None:
        finished.append(label)
        say(f"{label} solved ({len(finished)} of {len(groups)})")

    with future_pool(scheduler, workers, len(groups)) as pool:
        slots = max(1, sum(pool.client.nthreads().values()))
        rounds = -(-len(groups) // slots)
        part_limit = (
            None
            if options.time_limit is None
            else PARTS_SHARE_OF_LIMIT * options.time_limit / rounds
        )
        part_options = replace(options, time_limit=part_limit)
        jobs = [
            (k, part_case(case, ids, len(ids) / total, k), len(ids) / total, backend, part_options)
            for k, ids in enumerate(groups)
        ]
        return pool.map(solve_part, jobs, labels, done)


def solve_part(job: tuple[int, Case, float, str, SolveOptions]) -> PartOutcome:
    """One part's case solved and checked, its plan kept by family and case ids."""
    k, case, share, backend, options = job
    result = solve_whole(
        case,
        backend=backend,
        solver=options.solver,
        time_limit=options.time_limit,
        gap=options.relative_gap,
        threads=options.threads,
    )
    t = result.termination
    plan = None
    if result.values is not None and result.formulation is not None:
        plan = BasePlan.of(result.formulation.model, result.values)
    return PartOutcome(k, len(case.projects), share, t.status.value, t.objective, t.seconds, plan)


@dataclass(frozen=True)
class LpBound:
    """The LP relaxation's answer: its optimum (a bound on every plan) and values, both
    None unless it was solved to optimality; ``infeasible`` when it has no solution,
    which proves the case has none."""

    value: float | None
    values: np.ndarray | None
    infeasible: bool


def lp_bound(
    engine: Backend, model: LinearModel, options: SolveOptions, time_limit: float | None = None
) -> LpBound:
    """``model`` with every column continuous, solved within ``time_limit``."""
    relaxed = replace(model, integer=np.zeros_like(model.integer))
    lp_options = replace(options, relative_gap=0.0, time_limit=time_limit, solver=BOUND_SOLVER)
    answer = engine.solve(relaxed, lp_options)
    status = answer.termination.status
    if status is not SolveStatus.OPTIMAL:
        return LpBound(None, None, status is SolveStatus.INFEASIBLE)
    return LpBound(answer.termination.objective, answer.values, False)


def restricted(
    formulation: Formulation, outcomes: list[PartOutcome], relaxed: np.ndarray | None
) -> tuple[LinearModel, np.ndarray, int]:
    """(the whole model with each solved part's projects held to their part's choice,
    a choice the LP relaxation ``relaxed`` takes any of, or nothing; the combined plan
    clipped to its bounds; the projects left open)."""
    model = formulation.model
    combined = np.zeros(model.num_variables)
    solved: set[str] = set()
    for outcome in outcomes:
        if outcome.plan is None:
            continue
        values, matched = outcome.plan.values_for(model)
        combined[matched] += values[matched]
        solved.update(outcome.plan.families["choose"][0]["project"].tolist())
    integer = model.integer
    combined[integer] = np.minimum(np.round(combined[integer]), model.upper[integer])
    combined = np.clip(combined, model.lower, model.upper)
    table = formulation.choices.table
    choose = formulation.choose
    kept = combined[choose] > 0.5
    if relaxed is not None:
        kept |= relaxed[choose] > LP_TAKEN
    held = table["project"].isin(solved).to_numpy() & ~kept
    upper = model.upper.copy()
    upper[choose[held]] = 0.0
    left_open = len(set(table["project"]) - solved)
    return replace(model, upper=upper), combined, left_open


def whole_termination(
    repaired: Termination, lp: LpBound, gap: float, parts: int, held: bool
) -> Termination:
    """The repaired plan's termination with the whole case's bound: "optimal" only when
    the plan is within ``gap`` of that bound. Without a plan: infeasible when the LP
    relaxation is; the repair's own answer when it ``held`` nothing (it solved the whole
    case's model); else "no plan", saying the parts could not be repaired."""
    bound = lp.value
    if not repaired.status.has_solution:
        if lp.infeasible:
            message = "the LP relaxation of the whole case is infeasible: so is the case"
            return replace(repaired, status=SolveStatus.INFEASIBLE, message=message)
        if not held:  # the repair was the whole case's own model: its answer is the case's
            return replace(repaired, bound=bound)
        said = f": {repaired.message}" if repaired.message else ""
        message = (
            f"the {parts} parts' plans could not be repaired into a plan of the whole case "
            f"({repaired.status.value}{said}); solve it without --decompose"
        )
        return replace(repaired, status=SolveStatus.NO_SOLUTION, bound=bound, message=message)
    achieved = relative_gap(repaired.objective, bound)
    within = achieved is not None and achieved <= gap
    status = SolveStatus.OPTIMAL if within else SolveStatus.FEASIBLE
    said = "unknown (the LP bound was not found)" if achieved is None else f"{achieved:.2e}"
    message = (
        f"decomposed into {parts} parts and repaired on the whole case; gap against the "
        f"LP relaxation of the whole case {said} (asked {gap:g})"
    )
    return replace(repaired, status=status, bound=bound, message=message, gap_limit=gap)
