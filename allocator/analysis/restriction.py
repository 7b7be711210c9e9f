"""What-ifs the base plan already answers, with no solve.

Let M be the base model, x_b its plan worth z_b, B its proven bound (a maximisation; the
mirror image for a minimisation), and V the model of a what-if (a budget or a capacity
made smaller). When V has M's columns, rows, matrix, objective and integers, and each of
V's bounds, on a column or a row, lies within M's, then every plan of V is a plan of M,
so V's optimum is at most B. A coefficient may differ too where its column is fixed at
one value in both models: it moves the row's activity by a constant, which is moving
the row's limits (``narrows``). When x_b also keeps V's bounds, it is a plan of V worth
z_b. So V's optimum lies between z_b and B: x_b is a plan of V within the base's own
gap, and it changes none of the base plan's decisions, which no plan can beat. The
answer is the base's termination (status, objective, bound, gap) with x_b as V's plan,
read back and checked against the what-if's case, and a proven minimal change of zero.

A what-if that moves a row's limit outward, changes a coefficient, or that x_b breaks,
is solved as usual: ``solve_unanswered`` formulates each what-if in the worker that
would solve it, and solves only those the base plan does not answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from allocator.analysis.parallel import solve_many, worker_count
from allocator.analysis.runner import Runner
from allocator.backends.termination import SolveResult
from allocator.case.model import Case
from allocator.engine import Result, checked_result, formulated
from allocator.formulation import Formulation
from allocator.model.linear import LinearModel
from allocator.plan.nearness import Nearness

MESSAGE = "the base plan: the what-if only narrows limits that plan keeps"
"""The termination message of a what-if answered by the base plan."""


def solve_unanswered(
    runner: Runner,
    cases: Sequence[Case],
    labels: Sequence[str],
    base: Result,
    workers: int | None = None,
    done: Callable[[str], None] | None = None,
    scheduler: str | None = None,
) -> list[Result]:
    """Every what-if's result, in the order of ``cases``, each formulated where it is
    solved (``workers`` processes or the Dask cluster at ``scheduler``:
    ``parallel.solve_many``): the base plan's answer where it gives one, else
    ``runner.resolve``; ``done(label)`` after each. The base goes to every worker once."""
    count = worker_count(len(cases), workers)
    return solve_many(_answer, (runner, base), cases, labels, count, done, scheduler)


def _answer(shared: tuple[Runner, Result], case: Case) -> Result:
    """The base plan's answer for ``case``, or the runner's solve of it."""
    runner, base = shared
    case, formulation, seconds = formulated(case)
    answer = answered_by_base(case, formulation, base, runner.minimal)
    if answer is not None:
        return answer
    return runner.resolve(case, formulation, formulation.model, seconds=seconds)


def unsolved(results: Sequence[Result]) -> int:
    """How many of ``results`` the base plan answered with no solve."""
    return sum(r.termination.message == MESSAGE for r in results)


def answered_by_base(
    case: Case, formulation: Formulation, base: Result, minimal: bool = True
) -> Result | None:
    """The answer for ``case`` (formulated as ``formulation``) that the base plan gives
    (module docstring), or None when the base plan does not answer it; ``minimal``: with
    its ``nearness``."""
    if base.formulation is None or base.values is None:
        return None
    model, was = formulation.model, base.formulation.model
    if not narrows(model, was) or model.violations(base.values):
        return None
    termination = replace(base.termination, seconds=0.0, message=MESSAGE)
    answer = SolveResult(termination, base.values)
    result = checked_result(case, formulation, model, answer, seconds={"solve": 0.0})
    objective = termination.objective
    assert objective is not None  # the base has a plan
    return replace(result, nearness=Nearness(0, 0, True, 0, objective, 0.0) if minimal else None)


def narrows(model: LinearModel, base: LinearModel) -> bool:
    """Whether every plan of ``model`` is a plan of ``base`` worth the same, as the module
    docstring says: the same column and row families, objective and integers, every
    column bound within ``base``'s, and the same matrix but on columns fixed at one
    value in both (a contract that must be signed, say). A coefficient there moves by
    d_ij, so the row's activity at any plan moves by s_i = sum_j d_ij v_j, which is
    the same as moving the row's limits by -s_i: those moved limits must lie within
    ``base``'s."""
    same = (
        model.maximize == base.maximize
        and _shape(model) == _shape(base)
        and model.objective_offset == base.objective_offset
        and np.array_equal(model.objective, base.objective)
        and np.array_equal(model.integer, base.integer)
        and (model.lower >= base.lower).all()
        and (model.upper <= base.upper).all()
    )
    if not same:
        return False
    fixed = (model.lower == model.upper) & (base.lower == base.upper)
    moved = (model.matrix - base.matrix).tocsc()
    moved.eliminate_zeros()
    if moved[:, ~fixed].nnz:
        return False
    shift = moved[:, fixed] @ model.lower[fixed]
    return bool(
        (model.row_lower - shift >= base.row_lower).all()
        and (model.row_upper - shift <= base.row_upper).all()
    )


def _shape(model: LinearModel) -> tuple:
    """Each column and row family's name and size, in order."""
    return tuple((f.name, f.size) for f in (*model.variables, *model.constraints))
