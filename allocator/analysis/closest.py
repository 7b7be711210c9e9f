"""Minimal-change re-optimisation: among the plans of a variant as good as its optimum
(within the gap its solve was allowed), the one closest to the base plan.

A what-if's optimum is often one of several; another, as good, may change fewer of the
base plan's decisions. Columns are matched between the base model and the variant's by
family and case ids, so a variant of an edited case (a scenario, a scaled budget)
matches too.

Decisions: the columns of ``choose`` (which project at which level from which start),
``sign`` (supply options) and ``take`` (equity). Each lies in [0, 1]; with b the base
plan's value of a matched column, rounded to 0 or 1, |x - b| is linear:

    D(x) = sum_{matched j, b_j = 1} (1 - x_j) + sum_{matched j, b_j = 0} x_j
         + sum_{choose columns the base has no match for} x_j

(a project moved to another start or level counts two, one dropped or added one; a
divisible equity source the base takes in part counts as taken from half upwards, so
its distance is then an approximation).

Units: the columns of ``buy`` (units bought), ``paid`` (units paid for) and ``draw``
(credit drawn), each change weighed against the base value, so options of different
sizes count alike:

    U(x) = sum_{j} |x_j - b_j| / max(1, |b_j|)     (b_j = 0 where the base has none)

with |x_j - b_j| written as t_j >= x_j - b_j, t_j >= b_j - x_j.

The search, lexicographic: every plan kept has the variant's objective z(x) at or above

    floor = min(z*, f(B))   where f(B) solves B - f = gap * |f|

(z*: the variant's objective; B: its bound, z* without one; the mirror image for a
minimisation), so it is within the first solve's allowed gap of the bound, as optimal
as the first. Tier 1 minimises D (an integer; gap 0) in two steps:

1. Nearby: only the decisions the variant's optimum changes are free, every other one
   held where the optimum (and so the base plan) has it. This search is small, and it
   drops the optimum's incidental changes: on a 2,000-project case it took a budget
   step's 18 changed decisions to 10 in 0.1 s, where the whole search below found none
   fewer in 30 s.
2. Whole: every decision free, from the nearby plan. Only it can prove the count
   minimal (a plan may change decisions the optimum left alone).

Tier 2, when asked for, minimises U with tier 1's decisions held. Each search starts
from the plan before it where the solver takes a start. The nearby search runs within
the given time limit (``SEARCH_SECONDS`` without one); the whole search and tier 2
within the given limit too, or without one within ``SEARCH_SHARE`` of the variant's
own solve time (at least ``SEARCH_MIN_SECONDS``, at most ``SEARCH_SECONDS``), so the
search never costs much more than the what-if itself. A search stopped early keeps the
best plan found and ``Nearness`` says the change is not proven minimal.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from allocator.analysis.baseplan import BasePlan
from allocator.backends.base import Backend
from allocator.backends.options import SolveOptions
from allocator.backends.registry import get_backend
from allocator.backends.termination import SolveResult, SolveStatus
from allocator.case.model import Case
from allocator.engine import Result, checked_result, stop_if_interrupted
from allocator.formulation import Formulation
from allocator.model.extend import with_columns, with_rows
from allocator.model.linear import LinearModel
from allocator.plan.nearness import Nearness

DECISIONS = ("choose", "sign", "take")
"""The decision families a change is counted on (tier 1)."""

UNITS = ("buy", "paid", "draw")
"""The unit families whose change is kept small once decisions are (tier 2)."""

TOLERANCE = 1e-9
"""Relative room below the floor, for the solvers' rounding of the band row."""

SEARCH_SECONDS = 30.0
"""The time limit of each search when none is given, and the most the whole search and
tier 2 take then."""

SEARCH_SHARE = 0.1
"""Without a time limit, the whole search and tier 2 each take at most this share of the
variant's solve time..."""

SEARCH_MIN_SECONDS = 1.0
"""...and at least this."""


def distance(model: LinearModel, base: BasePlan) -> tuple[np.ndarray, float]:
    """(coefficients, constant) with D(x) = constant + coefficients @ x (module docstring)."""
    coefficients = np.zeros(model.num_variables)
    was, matched = base.values_for(model, DECISIONS)
    for name in DECISIONS:
        if name not in model.columns:
            continue
        columns = model.columns[name].index
        known = matched[columns]
        if name == "choose":
            coefficients[columns[~known]] = 1.0
        on = columns[known]
        coefficients[on] = np.where(was[on] >= 0.5, -1.0, 1.0)
    constant = float(np.count_nonzero(matched & (np.nan_to_num(was) >= 0.5)))
    return coefficients, constant


def floor_of(variant: Result, model: LinearModel) -> float:
    """The objective every closer plan keeps (module docstring), less ``TOLERANCE``."""
    t = variant.termination
    assert t.objective is not None
    z, gap, sense = t.objective, t.gap_limit, 1.0 if model.maximize else -1.0
    floor = z
    if t.bound is not None:
        bound = sense * t.bound  # as a maximisation
        reach = bound / (1 + gap) if bound >= 0 else bound / (1 - gap)
        floor = sense * min(sense * z, reach)
    return floor - sense * TOLERANCE * max(1.0, abs(z))


@dataclass(frozen=True)
class _Search:
    """How each tier is solved: the backend, the options, and whether it takes a start."""

    backend: Backend
    options: SolveOptions
    hints: bool

    def solve(self, search: LinearModel, start: np.ndarray) -> SolveResult:
        """``search`` solved, from ``start`` where the solver takes one."""
        solved = self.backend.solve(search, self.options, start=start if self.hints else None)
        stop_if_interrupted(solved.termination)
        return solved


@dataclass(frozen=True)
class _Tier:
    """One tier's answer: the plan kept (the model's columns only) and how it ended."""

    values: np.ndarray
    proven: bool
    bound: float | None
    note: str


def closest(
    case: Case,
    formulation: Formulation,
    model: LinearModel,
    variant: Result,
    base: BasePlan,
    backend: str,
    options: SolveOptions,
    units: bool = False,
    hints: bool = False,
) -> Result:
    """``variant`` (a solve of ``model``, a variant of ``formulation``) with the plan
    closest to ``base`` among those keeping its floor, and its ``nearness``; ``variant``
    unchanged when it has no plan. ``options``: the solver and the time limit of each
    search (None: the module docstring's rule); ``units``: run tier 2 too; ``hints``: the
    solver takes a start (``Feature.HINTS``), so each search starts from the plan before
    it."""
    if variant.plan is None or variant.values is None or variant.termination.objective is None:
        return variant
    clock = time.perf_counter()
    exact = replace(options, relative_gap=0.0)
    chosen = get_backend(backend)
    nearby_limit = options.time_limit or SEARCH_SECONDS
    whole_limit = _whole_seconds(options, variant.termination.seconds)
    nearby = _Search(chosen, replace(exact, time_limit=nearby_limit), hints)
    whole = _Search(chosen, replace(exact, time_limit=whole_limit), hints)
    row, constant = distance(model, base)
    first = _count(constant + row @ variant.values)
    floor = floor_of(variant, model)
    banded = _band(model, floor)
    fewest = _fewest(banded, row, constant, variant.values, first, nearby, whole)
    changed = _count(constant + row @ fewest.values)
    least = (
        _least_units(banded, base, fewest.values, whole)
        if units
        else _Tier(fewest.values, True, None, "")
    )
    seconds = time.perf_counter() - clock
    lower = changed if fewest.proven else max(0, math.ceil((fewest.bound or 0.0) - 1e-6))
    note = "; ".join(n for n in (fewest.note, least.note) if n)
    nearness = Nearness(changed, first, fewest.proven and least.proven, lower, floor, seconds, note)
    values = least.values
    if np.array_equal(values, variant.values):
        return replace(variant, nearness=nearness)
    objective = model.objective_value(values)
    answer = SolveResult(replace(variant.termination, objective=objective), values)
    result = checked_result(
        case, formulation, model, answer, scenario=variant.scenario, seconds=variant.seconds
    )
    return replace(result, nearness=nearness, seconds={**result.seconds, "closest": seconds})


def _band(model: LinearModel, floor: float) -> LinearModel:
    """``model`` with the row z(x) >= floor (<= for a minimisation)."""
    keys = pd.DataFrame({"limit": ["as good as the variant's optimum"]})
    edge = floor - model.objective_offset
    lower, upper = (edge, np.inf) if model.maximize else (-np.inf, edge)
    return with_rows(model, "band", keys, sp.csr_matrix(model.objective), lower, upper)


def _whole_seconds(options: SolveOptions, solved_in: float) -> float:
    """The time limit of the whole search and of tier 2 for a variant solved in
    ``solved_in`` seconds (module docstring)."""
    if options.time_limit is not None:
        return options.time_limit
    return min(SEARCH_SECONDS, max(SEARCH_MIN_SECONDS, SEARCH_SHARE * solved_in))


def _fewest(
    banded: LinearModel,
    row: np.ndarray,
    constant: float,
    start: np.ndarray,
    first: int,
    nearby: _Search,
    whole: _Search,
) -> _Tier:
    """Tier 1: the fewest decisions changed, from ``start`` (which changes ``first``):
    the nearby search, then the whole one from its plan."""
    if first == 0:
        return _Tier(start, True, 0.0, "")
    search = replace(banded, objective=row, objective_offset=constant, maximize=False)
    start = _fewer(search, nearby.solve(_nearby(search, row, start), start), start)
    if _count(constant + row @ start) == 0:
        return _Tier(start, True, 0.0, "")
    solved = whole.solve(search, start)
    return _Tier(
        _fewer(search, solved, start),
        solved.termination.status is SolveStatus.OPTIMAL,
        solved.termination.bound,
        _note("fewest decisions", solved),
    )


def _nearby(search: LinearModel, row: np.ndarray, start: np.ndarray) -> LinearModel:
    """``search`` with every decision that ``start`` keeps as the base plan has it held
    there: a decision adds |x_j - b_j| = (1 - x_j) where its coefficient is -1 (b_j = 1)
    and x_j where it is +1 (b_j = 0), so it is kept where that is below one half."""
    decided = np.flatnonzero(row)
    apart = np.where(row[decided] < 0, 1.0 - start[decided], start[decided])
    held = decided[apart < 0.5]
    lower, upper = search.lower.copy(), search.upper.copy()
    lower[held] = upper[held] = start[held]
    return replace(search, lower=lower, upper=upper)


def _fewer(search: LinearModel, solved: SolveResult, start: np.ndarray) -> np.ndarray:
    """The plan of ``solved`` (a solve of ``search``, or of it with some decisions held)
    when it changes fewer decisions than ``start``, else ``start``."""
    found = _found(solved, search.num_variables)
    if found is None or search.objective_value(found) >= search.objective_value(start) - 0.5:
        return start
    return found


def _least_units(
    banded: LinearModel,
    base: BasePlan,
    start: np.ndarray,
    solver: _Search,
) -> _Tier:
    """Tier 2: the smallest weighed change in units, with tier 1's decisions held."""
    columns = np.concatenate([model_columns(banded, name) for name in UNITS])
    if not columns.size:
        return _Tier(start, True, None, "")
    was = np.nan_to_num(base.values_for(banded, UNITS)[0][columns])
    weight = 1.0 / np.maximum(1.0, np.abs(was))
    search = _units_model(banded, columns, was, weight, start)
    solved = solver.solve(search, np.concatenate([start, np.abs(start[columns] - was)]))
    found = _found(solved, banded.num_variables)
    if found is None:
        return _Tier(start, False, None, _note("least units", solved))
    old = float(weight @ np.abs(start[columns] - was))
    new = float(weight @ np.abs(found[columns] - was))
    proven = solved.termination.status is SolveStatus.OPTIMAL
    return _Tier(found if new < old else start, proven, None, _note("least units", solved))


def _units_model(
    banded: LinearModel,
    columns: np.ndarray,
    was: np.ndarray,
    weight: np.ndarray,
    start: np.ndarray,
) -> LinearModel:
    """min sum_j weight_j t_j with t_j >= |x_j - was_j| over the unit ``columns`` (added
    after the model's own, as x_j - t_j <= was_j and x_j + t_j >= was_j) and every
    decision column held at its value in ``start``."""
    n, size = banded.num_variables, columns.size
    keys = pd.DataFrame({"column": columns})
    search = with_columns(banded, "unit_change", keys, 0.0, np.inf)
    pick = sp.csr_matrix((np.ones(size), (np.arange(size), columns)), shape=(size, n))
    below = sp.hstack([pick, -sp.identity(size)], "csr")
    above = sp.hstack([pick, sp.identity(size)], "csr")
    search = with_rows(search, "unit_below", keys, below, -np.inf, was)
    search = with_rows(search, "unit_above", keys, above, was, np.inf)
    held = np.concatenate([model_columns(banded, name) for name in DECISIONS])
    lower, upper = search.lower.copy(), search.upper.copy()
    lower[held] = upper[held] = start[held]
    objective = np.concatenate([np.zeros(n), weight])
    return replace(
        search, lower=lower, upper=upper, objective=objective, objective_offset=0.0, maximize=False
    )


def _found(solved: SolveResult, n: int) -> np.ndarray | None:
    """The plan of a tier's solve cut to the model's ``n`` columns, or None."""
    if solved.values is None or not solved.termination.status.has_solution:
        return None
    return solved.values[:n]


def _note(tier: str, solved: SolveResult) -> str:
    t = solved.termination
    if t.status is SolveStatus.OPTIMAL:
        return ""
    return f"the {tier} search stopped ({t.status.value}) after {t.seconds:.1f} s"


def _count(value: float) -> int:
    return round(float(value))


def model_columns(model: LinearModel, name: str) -> np.ndarray:
    """The positions of the family ``name``'s columns in ``model`` (none if absent)."""
    return model.columns[name].index if name in model.columns else np.zeros(0, dtype=np.int64)
