"""Solving the extensive form, and evaluating a given first stage across the futures.

A first stage is a mapping ``(family, key) -> value`` of the first-stage columns
(``stages``). ``solve_extensive`` returns the one the extensive form chose.
``recourse`` holds a first stage fixed and solves each future with it: what that first
stage is worth in each future, and in which it has no plan; every plan is checked
against that future's case by the independent checker. Given the first stage, the
futures no longer share anything, so each future's best recourse is also the best for
the whole (the expectation and the CVaR both grow with each future's objective): the
plans of a two-stage plan are those ``recourse`` returns for the extensive form's first
stage. ``hindsight`` solves each future on its own. Those per-future
solves run on Dask (``allocator.cluster``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from allocator.analysis.runner import Runner
from allocator.backends.registry import get_backend
from allocator.backends.termination import SolveStatus, Termination
from allocator.case.model import Case
from allocator.engine import Result
from allocator.formulation import formulate
from allocator.hedging.decisions import Decisions, FirstStage, decisions
from allocator.hedging.extensive import Extensive, Future
from allocator.hedging.stages import first_stage, fix_columns
from allocator.plan import Plan
from allocator.quiet import quiet_solvers

if TYPE_CHECKING:
    from allocator.cluster import FuturePool  # Dask loads only when a pool is made


@dataclass(frozen=True)
class FutureOutcome:
    """What a future's plan gives: its status, objective and plan (None without one)."""

    future: Future
    status: str
    objective: float | None
    plan: Plan | None
    message: str = ""
    solver_version: str = ""
    bound: float | None = None
    """No plan of the future does better than this (the solver's bound; the objective
    itself when optimality is proven; None when unknown)."""
    decisions: Decisions | None = None
    """The first stage the future's own plan takes (``hindsight`` only)."""


def solve_extensive(extensive: Extensive, runner: Runner) -> tuple[Termination, Decisions]:
    """Solve the extensive form: its termination and the first stage it chose (empty
    without a solution)."""
    solved = get_backend(runner.backend).solve(extensive.model, runner.options())
    termination = solved.termination
    if solved.values is None or not termination.status.has_solution:
        return termination, {}
    x = solved.values
    table = extensive.first[["family", "key", "column"]]
    values = {
        (family, key): float(x[column])
        for family, key, column in table.itertuples(index=False, name=None)
    }
    return termination, values


@dataclass(frozen=True)
class _Item:
    """One future to solve in a worker: its number, its case and, with a first stage held
    fixed, the bounds of every column (None: the future's own optimum, with hindsight)."""

    index: int
    case: Case
    runner: Runner
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None
    commit: int | None = None
    """With a commit period: read back the first stage the plan takes."""


def _solve_item(item: _Item) -> tuple[Result, Decisions | None]:
    """Formulate the item's future (the same columns as in the caller) and solve it; the
    plan is checked there, and comes back without the formulation and column values,
    with the first stage it takes when the item has a commit period."""
    with quiet_solvers():
        formulation = formulate(item.case)
        model = formulation.model
        if item.lower is not None:
            model = replace(model, lower=item.lower, upper=item.upper)
        result = item.runner.resolve(item.case, formulation, model)
    taken = None
    if item.commit is not None and result.values is not None:
        table = first_stage(item.case, formulation, item.commit)
        taken = {
            (family, key): float(result.values[column])
            for family, key, column in table.itertuples(index=False, name=None)
        }
    return replace(result, formulation=None, values=None), taken


def recourse(
    futures: list[Future],
    stage: FirstStage,
    commit: int,
    runner: Runner,
    pool: FuturePool,
    done: Callable[[str], None] | None = None,
) -> list[FutureOutcome]:
    """Each future solved with the first stage ``stage`` held fixed: the best recourse
    to that first stage, or no plan (a first stage the future cannot carry out)."""
    fixed = [
        fixed_bounds(future, decisions(future.case, stage, commit), commit) for future in futures
    ]
    items = [
        _Item(f.index, f.case, runner, *bounds)
        for f, bounds in zip(futures, fixed, strict=True)
        if not isinstance(bounds, str)
    ]
    solved = iter(_solve_all(items, pool, done))
    return [
        _without(future, bounds) if isinstance(bounds, str) else _outcome(future, *next(solved))
        for future, bounds in zip(futures, fixed, strict=True)
    ]


def hindsight(
    futures: list[Future],
    runner: Runner,
    pool: FuturePool,
    commit: int,
    done: Callable[[str], None] | None = None,
) -> list[FutureOutcome]:
    """Each future solved on its own, knowing it will come: its own optimum, and the first
    stage it would take."""
    items = [_Item(f.index, f.case, runner, commit=commit) for f in futures]
    return [
        _outcome(future, *answer)
        for future, answer in zip(futures, _solve_all(items, pool, done), strict=True)
    ]


def _solve_all(
    items: list[_Item], pool: FuturePool, done: Callable[[str], None] | None
) -> list[tuple[Result, Decisions | None]]:
    labels = [f"future-{item.index}" for item in items]
    return pool.map(_solve_item, items, labels, done)


def fixed_bounds(
    future: Future, values: Decisions, commit: int
) -> tuple[np.ndarray, np.ndarray] | str:
    """The future's column bounds with every first-stage column fixed at its value in
    ``values`` (0 when not named), or why the future cannot take that first stage."""
    table = first_stage(future.case, future.formulation, commit)
    fixed = fix_columns(future.formulation.model, table, values)
    if fixed.missing:
        family, key, _ = fixed.missing[0]
        return f"{_named(family, key)} is not possible in this future"
    if fixed.out_of_reach:
        family, key, value, _, _ = fixed.out_of_reach[0]
        return f"{_named(family, key)} = {value:g} is out of reach in this future"
    return fixed.lower, fixed.upper


def _named(family: str, key: tuple) -> str:
    return f"the first stage's {family}[{', '.join(map(str, key))}]"


def _outcome(future: Future, result: Result, taken: Decisions | None = None) -> FutureOutcome:
    t = result.termination
    objective = t.objective if result.plan is not None else None
    return FutureOutcome(
        future,
        t.status.value,
        objective,
        result.plan,
        t.message,
        t.solver_version,
        known_bound(t),
        taken,
    )


def known_bound(t: Termination) -> float | None:
    """What no plan beats: the solver's bound, or the objective when proven optimal."""
    return t.bound if t.bound is not None else (t.objective if t.proven_optimal else None)


def _without(future: Future, message: str) -> FutureOutcome:
    return FutureOutcome(future, SolveStatus.INFEASIBLE.value, None, None, message)


def expected(outcomes: list[FutureOutcome]) -> float | None:
    """sum_f w_f objective_f over the futures (None if one has no plan)."""
    if not outcomes or any(o.objective is None for o in outcomes):
        return None
    total = sum(o.future.weight for o in outcomes)
    return sum(o.future.weight * o.objective for o in outcomes) / total  # type: ignore[operator]
