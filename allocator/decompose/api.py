"""``decompose_solve``: a plan for a large case from K smaller ones, with an honest gap.

1. Split (``parts.split``): K parts of linked groups of projects, stratified.
2. Solve each part's case (``shares.part_case``: its projects, its share w_k of every
   shared limit) on the Dask engine (``allocator.cluster``): its LP relaxation by
   HiGHS, for its row prices, then its MIP over the choices that relaxation takes, by the
   run's backend, solver and gap (``part_solve``).
3. Combine: add the parts' plans up column by column in the whole case's model (the
   columns matched by family and case ids, ``BasePlan``), each binary column capped at
   1; that is the parts' plan of the whole case, POP's sum of allocations. It keeps every
   shared row, since the parts' limits add up to the whole's.
4. Bound: the Lagrangian bound of the whole case's model at the parts' LP prices
   (``decompose.bound``), which holds for every plan of the whole case.
5. If the combined plan keeps the whole model and is within the gap asked of that bound,
   it is the answer. Otherwise repair on the whole case: its model with every project
   of a solved part held to the choice its part made, or to a choice its part's LP
   relaxation takes, or to its best choice at the bound's prices (if its reduced cost
   is at least ``-PRICE_SLACK`` times its objective coefficient), or to nothing (any
   project may still be dropped, any shared decision changes: the neighbourhood of
   RINS, relaxation-induced), solved with the combined plan as the starting plan where
   the solver takes one. Projects of a part
   that found no plan (a must-fund project larger than its share, say) keep every
   choice here. When that repair ends outside the gap and the case is no larger than
   the whole model is solved for (``auto.AUTO_ABOVE`` projects), it is repaired once
   more with every choice free, from the plan so far; its bound then holds too.
6. Report: the gap is the plan's against the bound of step 4, never a part's own. The
   status is "optimal" only when that gap is within the gap asked for, "feasible"
   otherwise. When the repair finds no plan, the whole case's LP relaxation is solved:
   if it is infeasible, so is the case.

With a time limit T, the parts get 0.6 T (each part 0.6 T over the rounds the cluster
needs for K parts) and the repair what is left; without one, the repair may take as
long as the parts took (at least ``MIN_REPAIR_SECONDS``). A repair that ends with no
plan better than the combined plan (a solver given no starting plan, say) leaves the
combined plan as the answer, when it keeps the whole case.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from allocator.backends.base import Backend
from allocator.backends.capabilities import Feature
from allocator.backends.options import DEFAULT_GAP, SolveOptions
from allocator.backends.registry import DEFAULT_BACKEND, get_backend, solver_why
from allocator.backends.termination import SolveResult, SolveStatus, Termination, relative_gap
from allocator.case.model import Case
from allocator.decompose.auto import AUTO_ABOVE
from allocator.decompose.bound import BOUND_FROM, parts_bound
from allocator.decompose.part_solve import (
    LP_TAKEN,
    PRICE_BACKEND,
    PartOutcome,
    relaxation,
    solve_part,
)
from allocator.decompose.parts import split
from allocator.decompose.shares import part_case
from allocator.engine import Progress, Result, checked_result, formulated
from allocator.formulation import Formulation
from allocator.model.dual_bound import reduced_costs
from allocator.model.linear import LinearModel

PARTS_SHARE_OF_LIMIT = 0.6
"""The share of a time limit the parts may use; the bound and the repair get the rest."""

PRICE_SLACK = 1e-6
"""A project's best choice at the bound's prices stays open in the repair when its
reduced cost is at least -PRICE_SLACK times max(1, |its objective coefficient|)."""

MIN_REPAIR_SECONDS = 10.0
"""Without a time limit the repair may take as long as the parts took, at least this:
asked for a gap the parts' bound may not allow, it would otherwise search on (at 100,000
projects and a gap of 1e-4 it ran for more than 7 minutes)."""

FEASIBLE_TOLERANCE = 1e-6
"""The combined plan keeps the whole model when ``LinearModel.violations`` finds nothing
at this tolerance (the checker's)."""


@dataclass(frozen=True)
class Decomposition:
    """How a decomposed plan was made (see the module docstring).

    ``combined``: the objective of the parts' plans added up in the whole case (None
    when a part has no plan, or their sum breaks a rule of the whole case);
    ``bound``: the Lagrangian bound of step 4; ``repaired``: whether the repair ran (it
    does not when the combined plan is already within the gap); ``left_open``: projects
    of parts without a plan, decided in the repair; ``seconds``: split, parts, bound,
    repair."""

    parts: tuple[PartOutcome, ...]
    seed: int
    combined: float | None
    bound: float | None
    repaired: bool
    left_open: int
    seconds: dict[str, float]
    automatic: bool = False
    """Chosen by the command (``allocator.decompose.auto``), not asked for."""

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
                    "relaxation": p.relaxation,
                    "solved_over": p.over,
                    "seconds": p.seconds,
                }
                for p in self.parts
            ],
            "automatic": self.automatic,
            "seed": self.seed,
            "combined_objective": self.combined,
            "bound": self.bound,
            "bound_from": BOUND_FROM,
            "bound_solver": PRICE_BACKEND,
            "repaired": self.repaired,
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
    ``Result.decomposition`` says how, ``Result.termination`` gives the plan's objective,
    the whole case's bound and the gap between them."""
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
    say("bounding the whole case from the parts' prices")
    tick = time.perf_counter()
    priced = parts_bound(formulation.model, outcomes)
    bound = priced.value
    seconds["bound"] = time.perf_counter() - tick
    tick = time.perf_counter()
    model, start, left_open = restricted(formulation, outcomes, priced.prices)
    combined = _combined(formulation.model, start, outcomes)
    taken = _taken(engine, options, combined, bound, outcomes, start)
    accepted = taken is not None and _within(combined, bound, gap) and left_open == 0
    budget = _left(time_limit, clock) or max(MIN_REPAIR_SECONDS, seconds["parts"])
    if accepted:
        solved = taken
    else:
        say("repairing the combined plan on the whole case")
        solved = _repair(engine, model, start, replace(options, time_limit=budget))
        solved = solved if taken is None or _improves(model, solved, taken) else taken
        if _free_again(case, formulation.model, model, solved, bound, gap):
            say("repairing again with every choice free")
            again = replace(options, time_limit=_left(time_limit, clock) or budget)
            freed = _repair(engine, formulation.model, _values(solved, start), again)
            if _better(formulation.model, freed, solved):
                solved, model = freed, formulation.model
    seconds["solve"] = time.perf_counter() - tick
    held = bool((model.upper < formulation.model.upper).any())
    if not held and not accepted:  # the repair solved the whole model: its bound holds too
        bound = _tighter(formulation.model, bound, solved.termination.bound)
    infeasible = _proven_infeasible(solved.termination, formulation.model, options, clock)
    termination = whole_termination(solved.termination, bound, infeasible, gap, len(groups), held)
    if time_limit is None and termination.limit_reached:  # the repair's budget, not the user's
        note = f"; the repair was given as long as the parts took ({budget:.0f} s)"
        termination = replace(termination, limit_reached=False, message=termination.message + note)
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
    found = Decomposition(tuple(outcomes), seed, combined, bound, not accepted, left_open, seconds)
    return replace(result, decomposition=found, solver_why=solver_why(backend, options.solver))


def _combined(model: LinearModel, start: np.ndarray, outcomes: list[PartOutcome]) -> float | None:
    """The combined plan's objective in the whole model, None unless every part has a
    plan and their sum keeps every row and bound of the whole model."""
    if any(o.plan is None for o in outcomes):
        return None
    if model.violations(start, FEASIBLE_TOLERANCE):
        return None
    return model.objective_value(start)


def _taken(
    engine: Backend,
    options: SolveOptions,
    combined: float | None,
    bound: float | None,
    outcomes: list[PartOutcome],
    start: np.ndarray,
) -> SolveResult | None:
    """The combined plan ``start`` as an answer (None when it is not a plan of the whole
    case: ``combined`` None), in the name of the solver that solved the parts."""
    if combined is None:
        return None
    ended = Termination(
        status=SolveStatus.OPTIMAL,
        objective=combined,
        bound=bound,
        seconds=0.0,
        backend=engine.name,
        solver=options.solver or engine.default_solver,
        solver_version=next((o.version for o in outcomes if o.version), ""),
        gap_limit=options.relative_gap,
    )
    return SolveResult(ended, start)


def _improves(model: LinearModel, solved: SolveResult, taken: SolveResult) -> bool:
    """Whether the repair ``solved`` found a plan better than the combined plan ``taken``."""
    found, combined = solved.termination.objective, taken.termination.objective
    if not solved.termination.status.has_solution or found is None or combined is None:
        return False
    return found > combined if model.maximize else found < combined


def _free_again(
    case: Case,
    whole: LinearModel,
    held: LinearModel,
    solved: SolveResult,
    bound: float | None,
    gap: float,
) -> bool:
    """Whether to repair once more on the whole model, every choice free: the repair on
    ``held`` held some choices and did not come within ``gap`` of ``bound``, and the case
    is one the whole model is solved for (no more than ``AUTO_ABOVE`` projects)."""
    if len(case.projects) > AUTO_ABOVE or not (held.upper < whole.upper).any():
        return False
    found = solved.termination.objective
    if not solved.termination.status.has_solution or found is None:
        return True
    return not _within(found, bound, gap)


def _values(solved: SolveResult, start: np.ndarray) -> np.ndarray:
    """The plan of ``solved``, or ``start`` when it has none: the next repair's start."""
    has_plan = solved.termination.status.has_solution and solved.values is not None
    return solved.values if has_plan else start


def _better(model: LinearModel, freed: SolveResult, solved: SolveResult) -> bool:
    """Whether ``freed`` has a plan and ``solved`` none, or one at least as good (started
    from ``solved``'s plan, it often returns that plan, now with the whole model's bound)."""
    if not freed.termination.status.has_solution or freed.termination.objective is None:
        return False
    return not solved.termination.status.has_solution or not _improves(model, solved, freed)


def _within(objective: float, bound: float | None, gap: float) -> bool:
    """Whether ``objective`` is within ``gap`` of ``bound`` (``relative_gap``)."""
    achieved = relative_gap(objective, bound)
    return achieved is not None and achieved <= gap


def _proven_infeasible(
    ended: Termination, model: LinearModel, options: SolveOptions, since: float
) -> bool:
    """Whether the case is proven to have no plan: ``ended`` (the plan's termination) has
    none, was not stopped by a limit, and the whole model's LP relaxation is infeasible
    (a repair over held choices being infeasible proves nothing about the case)."""
    if ended.status.has_solution or ended.limit_reached:
        return False
    left = replace(options, time_limit=_left(options.time_limit, since))
    return relaxation(model, left).termination.status is SolveStatus.INFEASIBLE


def _tighter(model: LinearModel, one: float | None, other: float | None) -> float | None:
    """The tighter of two bounds on ``model``'s optimum (either may be None)."""
    if one is None or other is None:
        return other if one is None else one
    return min(one, other) if model.maximize else max(one, other)


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
    from allocator.cluster import future_pool  # Dask is loaded only when used

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


def restricted(
    formulation: Formulation, outcomes: list[PartOutcome], prices: np.ndarray | None = None
) -> tuple[LinearModel, np.ndarray, int]:
    """(the whole model with each solved part's projects held to their part's choice,
    a choice their part's LP relaxation takes any of, its best choice at ``prices``
    (row multipliers of the whole model), or nothing; the combined plan clipped to its
    bounds; the projects left open)."""
    model = formulation.model
    combined = np.zeros(model.num_variables)
    taken = np.zeros(model.num_variables, dtype=bool)
    solved: set[str] = set()
    for outcome in outcomes:
        if outcome.plan is None:
            continue
        values, matched = outcome.plan.values_for(model)
        combined[matched] += values[matched]
        solved.update(outcome.plan.families["choose"][0]["project"].tolist())
        if outcome.relaxed is not None:
            relaxed, seen = outcome.relaxed.values_for(model, ["choose"])
            taken[seen] |= relaxed[seen] > LP_TAKEN
    integer = model.integer
    combined[integer] = np.minimum(np.round(combined[integer]), model.upper[integer])
    combined = np.clip(combined, model.lower, model.upper)
    table = formulation.choices.table
    choose = formulation.choose
    kept = (combined[choose] > 0.5) | taken[choose]
    if prices is not None:
        kept |= _best_priced(model, choose, table["project"].to_numpy(), prices)
    held = table["project"].isin(solved).to_numpy() & ~kept
    upper = model.upper.copy()
    upper[choose[held]] = 0.0
    left_open = len(set(table["project"]) - solved)
    return replace(model, upper=upper), combined, left_open


def _best_priced(
    model: LinearModel, choose: np.ndarray, projects: np.ndarray, prices: np.ndarray
) -> np.ndarray:
    """Over the choose columns: each project's choice with the largest reduced cost at
    ``prices``, where that cost is at least -PRICE_SLACK times max(1, |its objective
    coefficient|): the choice an LP at these prices takes for the project, if any."""
    worth = reduced_costs(model, prices)[choose]
    codes, _ = pd.factorize(projects)
    best = np.full(codes.max() + 1 if codes.size else 0, -np.inf)
    np.maximum.at(best, codes, worth)
    slack = PRICE_SLACK * np.maximum(1.0, np.abs(model.objective[choose]))
    return (worth >= best[codes]) & (worth >= -slack)


def whole_termination(
    repaired: Termination,
    bound: float | None,
    infeasible: bool,
    gap: float,
    parts: int,
    held: bool,
) -> Termination:
    """The plan's termination with the whole case's ``bound``: "optimal" only when the
    plan is within ``gap`` of it. Without a plan: infeasible when the whole case's LP
    relaxation is (``infeasible``); the repair's own answer when it ``held`` nothing (it
    solved the whole case's model); else "no plan", saying the parts could not be
    repaired."""
    if not repaired.status.has_solution:
        if infeasible:
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
    said = "unknown (no bound was found)" if achieved is None else f"{achieved:.2e}"
    message = (
        f"decomposed into {parts} parts; gap against the whole case's bound "
        f"(Lagrangian, at the parts' LP prices) {said} (asked {gap:g})"
    )
    return replace(repaired, status=status, bound=bound, message=message, gap_limit=gap)
