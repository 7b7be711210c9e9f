"""One future's Lagrangian subproblem: its own plan, priced for departing from the others.

With multipliers ``W_f`` on the first-stage keys (each in units of the key's scale
``s_k``), future f's subproblem is

    L_f(W_f) = max_x  z_f(x) - sum_k W_{f,k} x_k / s_k

over the future's own rules, with the keys some other future lacks held at 0 (no
first stage can take them). ``solve_subproblem`` runs in a Dask worker: it formulates
the future (the solve's own code), adds the prices to the objective, solves with the
runner's backend and returns the first stage the solution takes, its objective z_f,
and the bound of L_f the solver proves. No plan is returned: a subproblem's solution
is a candidate first stage, not an answer; candidates are evaluated by ``recourse``,
whose plans pass the checker.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from allocator.analysis.runner import Runner
from allocator.backends.registry import get_backend
from allocator.case.model import Case
from allocator.formulation import formulate
from allocator.hedging.decisions import Decisions
from allocator.hedging.stages import first_stage
from allocator.quiet import quiet_solvers


@dataclass(frozen=True)
class Subproblem:
    """Future ``index``'s subproblem: the price of each first-stage key (W_{f,k} / s_k)
    and the keys held at 0."""

    index: int
    case: Case
    runner: Runner
    commit: int
    prices: dict[tuple[str, tuple], float]
    zero: frozenset[tuple[str, tuple]]


@dataclass(frozen=True)
class Priced:
    """A subproblem solved: its status, the first stage taken, the future's own objective
    z_f there, and the bound of L_f (None when unknown)."""

    index: int
    status: str
    decisions: Decisions | None
    objective: float | None
    bound: float | None
    message: str = ""


def solve_subproblem(sub: Subproblem) -> Priced:
    """Solve ``sub`` (see the module docstring)."""
    with quiet_solvers():
        formulation = formulate(sub.case)
        model = formulation.model
        table = first_stage(sub.case, formulation, sub.commit)
        objective, upper = model.objective.copy(), model.upper.copy()
        for family, key, column in table.itertuples(index=False, name=None):
            objective[column] -= sub.prices.get((family, key), 0.0)
            if (family, key) in sub.zero:
                upper[column] = max(model.lower[column], 0.0)
        priced = replace(model, objective=objective, upper=upper)
        solved = get_backend(sub.runner.backend).solve(priced, sub.runner.options())
    t = solved.termination
    if solved.values is None or not t.status.has_solution:
        return Priced(sub.index, t.status.value, None, None, None, t.message)
    x = solved.values
    bound = t.bound if t.bound is not None else (t.objective if t.proven_optimal else None)
    taken = {
        (family, key): float(x[column])
        for family, key, column in table.itertuples(index=False, name=None)
    }
    return Priced(sub.index, t.status.value, taken, model.objective_value(x), bound, t.message)


def scales(own: list[Decisions], keys: list[tuple[str, tuple]]) -> np.ndarray:
    """Each key's scale s_k: the largest value any future's own plan gives it, at least 1
    (a signature or a start is 1; a purchase or a draw its size)."""
    return np.array([max([1.0, *(abs(d.get(k, 0.0)) for d in own)]) for k in keys])
