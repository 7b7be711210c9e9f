"""What is one more unit worth: LP duals of the chosen portfolio, and discrete re-solves.

1. Duals. With every integer decision of the optimal plan fixed (projects, levels,
   starts, contracts signed, blocks bought), the model is a linear program. Its
   duals, read per limit (``allocator.analysis.duals``), are the value of one more
   unit of money, capacity, power or credit *for this portfolio*: they are local
   and say nothing about the portfolio changing.
2. Discrete steps. Each lever is moved by +/- ``step`` (5% by default) and the
   whole MIP is solved again: each period's budget (where it is not zero), each
   resource's capacity (every option of that resource), each optional equity
   source. ``change`` is the new optimum less the base; the portfolio changes it
   causes are listed. A step that only narrows limits the base plan keeps (a smaller
   budget it does not spend) is answered by the base plan, with no solve
   (``allocator.analysis.restriction``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from allocator.analysis.changes import plan_changes
from allocator.analysis.duals import marginal_values
from allocator.analysis.edits import scale_budget_in, scale_capacity, scale_funding
from allocator.analysis.restriction import solve_unanswered
from allocator.analysis.runner import Runner
from allocator.analysis.variants import fix_integers
from allocator.backends.capabilities import Feature
from allocator.backends.options import SolveOptions
from allocator.backends.registry import get_backend
from allocator.case.model import Case
from allocator.case.money import FundingKind
from allocator.case.series import calendar_values
from allocator.engine import Result
from allocator.errors import InputError
from allocator.plan.nearness import minimal_flag

STEPS = [
    "lever",
    "subject",
    "period",
    "step",
    "status",
    "objective",
    "change",
    "portfolio",
    "minimal",
]


@dataclass(frozen=True)
class Marginals:
    """``duals``: limit, subject, period, value, per (see ``duals``), from ``dual_solver``.
    ``steps``: lever, subject, period, step (+0.05 or -0.05), status, objective, change,
    portfolio (the project decisions that change, one per line), minimal
    (``allocator.plan.nearness.minimal_flag``)."""

    base: Result
    dual_solver: str
    duals: pd.DataFrame
    steps: pd.DataFrame
    results: list[Result] = field(repr=False)


Lever = tuple[str, str, str | None, Callable[[Case, float], Case]]


def levers(case: Case) -> list[Lever]:
    """(lever, subject, period, edit) for every budget period, resource and optional source."""
    found: list[Lever] = []
    budget = calendar_values(case.budget.amounts, case.periods)
    for period, amount in zip(case.periods, budget, strict=True):
        if amount:
            found.append(("budget", "", period, lambda c, f, t=period: scale_budget_in(c, t, f)))
    for resource in dict.fromkeys(option.resource for option in case.supply):
        found.append(("capacity", resource, None, lambda c, f, r=resource: scale_capacity(c, r, f)))
    for source in case.funding:
        if source.kind is FundingKind.EQUITY and source.optional:
            found.append(
                ("funding", source.id, None, lambda c, f, s=source.id: scale_funding(c, s, f))
            )
    return found


def dual_solver(runner: Runner) -> str:
    """The solver the duals come from: the analysis's own solver where it declares LP duals
    (``Feature.DUALS``), else the backend's first that does (ortools: glop; pulp: cbc)."""
    choices = get_backend(runner.backend).solvers_with(Feature.DUALS)
    return runner.solver if runner.solver in choices else choices[0]


def marginals(
    case: Case,
    *,
    runner: Runner | None = None,
    step: float = 0.05,
    base: Result | None = None,
    workers: int | None = None,
    done: Callable[[str], None] | None = None,
    scheduler: str | None = None,
) -> Marginals:
    """The duals of the base plan's portfolio and the +/- ``step`` re-solves of every lever
    (in ``workers`` processes, default one per CPU, or on the Dask cluster at
    ``scheduler``: ``allocator.analysis.parallel``; ``runner`` None: ``Runner()``).
    ``base``: the case's solve, if already done; ``done(label)`` after each re-solve."""
    runner = runner or Runner()
    if not 0 < step < 1:
        raise InputError(f"the step must be between 0 and 1, got {step}")
    base = base or runner.solve(case)
    if base.plan is None or base.values is None or base.formulation is None:
        raise InputError(f"the base case has no plan ({base.termination.status.value})")
    solver = dual_solver(runner)
    duals = _duals(case, base, runner.backend, solver)
    moves = [(lever, sign * step) for lever in levers(case) for sign in (1, -1)]
    cases = [edit(case, 1 + delta) for (_, _, _, edit), delta in moves]
    labels = [
        f"{lever} {subject or period} {delta:+.0%}" for (lever, subject, period, _), delta in moves
    ]
    near = runner.near(base)
    results = solve_unanswered(near, cases, labels, base, workers, done, scheduler)
    rows = [
        _step_row(base, result, lever, subject, period, delta)
        for ((lever, subject, period, _), delta), result in zip(moves, results, strict=True)
    ]
    return Marginals(base, solver, duals, pd.DataFrame(rows, columns=STEPS), results)


def _duals(case: Case, base: Result, backend: str, solver: str) -> pd.DataFrame:
    model = fix_integers(base.formulation.model, base.values)
    solved = get_backend(backend).solve(model, SolveOptions(solver=solver))
    if solved.duals is None or solved.reduced_costs is None:
        raise ValueError(
            f"{backend}/{solver} gave no duals for the plan's linear program "
            f"({solved.termination.status.value}: {solved.termination.message})"
        )
    return marginal_values(case, model, solved.values, solved.duals, solved.reduced_costs)


def _step_row(
    base: Result, result: Result, lever: str, subject: str, period: str | None, step: float
) -> list:
    objective = result.termination.objective
    change = None if objective is None else objective - base.termination.objective
    portfolio = ""
    if result.plan is not None:
        changes = plan_changes(base.plan, result.plan)
        portfolio = "\n".join(changes.loc[changes["kind"] == "project", "text"])
    return [
        lever,
        subject,
        period,
        step,
        result.termination.status.value,
        objective,
        change,
        portfolio,
        minimal_flag(result.nearness),
    ]
