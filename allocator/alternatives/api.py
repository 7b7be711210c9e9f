"""``allocator.alternatives``: other good portfolios, within a band of the optimum.

With z* the optimum and REL the band (``within``), a portfolio is in the band when its
best plan is worth at least z* - REL * |z*|. The band is a row on the model's own
objective; the portfolios found are kept apart by cuts, d(x, P) >= 1 for each found
portfolio P (``allocator.alternatives.portfolio``). Two searches:

- different (the default: modelling to generate alternatives): each new portfolio
  maximises its least distance to every portfolio found so far, the best first:
  maximise delta subject to delta <= d(x, P_j) for every j, the band and the cuts;
- every (``--all``): each new portfolio is the best of those not found yet, so the
  portfolios come best first and, when the band is exhausted, all of them are listed.

Every portfolio is reported with its own best plan (the model with that portfolio
fixed, maximising the objective; checked like every plan), and with the money it
leaves on the table: z* less its objective.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from allocator.alternatives.portfolio import Portfolio, distance, fixing_rows, portfolio_of
from allocator.analysis.runner import Runner
from allocator.backends.registry import get_backend
from allocator.backends.termination import SolveStatus, Termination
from allocator.case.model import Case
from allocator.engine import Result
from allocator.errors import InputError
from allocator.formulation import Formulation
from allocator.model.extend import with_column, with_rows
from allocator.model.linear import LinearModel


class NoPlanError(Exception):
    """The case has no plan: there is no optimum to search around."""


@dataclass(frozen=True)
class Alternative:
    """A portfolio and its best plan (checked)."""

    portfolio: Portfolio
    result: Result


@dataclass(frozen=True)
class Alternatives:
    """``found``: the optimum's portfolio first, then the alternatives in the order
    found; ``floor``: the least objective in the band; ``exhausted``: the band holds
    no portfolio beyond those found (proven: the search for one is infeasible);
    ``stopped``: why the search ended before ``count`` without proving that (a solve
    ran out of time with no plan), empty otherwise."""

    within: float
    every: bool
    floor: float
    found: list[Alternative]
    exhausted: bool
    stopped: str = ""

    @property
    def optimum(self) -> float:
        """The best objective (the first portfolio's)."""
        return float(self.found[0].result.termination.objective)


def alternatives(
    case: Case,
    within: float,
    *,
    count: int = 5,
    every: bool = False,
    runner: Runner | None = None,
    done: Callable[[str], None] | None = None,
) -> Alternatives:
    """Up to ``count`` portfolios besides the optimum's in the band ``within`` (see the
    module docstring). Raises ``InputError`` for a band outside 0..1 or a count below 1,
    ``NoPlanError`` when the case has no plan."""
    if not 0 <= within < 1:
        raise InputError(f"--within {within:g}: a relative band from 0 up to (not) 1")
    if count < 1:
        raise InputError(f"--count {count}: at least 1")
    runner = runner or Runner()
    say = done or (lambda _: None)
    best = runner.solve(case)
    if best.plan is None or best.formulation is None or best.values is None:
        raise NoPlanError(f"the case has no plan ({best.termination.status.value})")
    say("optimum")
    formulation = best.formulation
    z = float(best.termination.objective)
    floor = z - within * abs(z)
    banded = _band(formulation.model, floor)
    found = [Alternative(portfolio_of(formulation, best.values), best)]
    while len(found) <= count:
        portfolio = _next(case, formulation, banded, found, every, runner)
        if isinstance(portfolio, Termination):
            if portfolio.status is SolveStatus.INFEASIBLE:
                return Alternatives(within, every, floor, found, exhausted=True)
            why = f"a search ended without a portfolio ({portfolio.status.value})"
            return Alternatives(within, every, floor, found, exhausted=False, stopped=why)
        found.append(portfolio)
        say(f"alternative {len(found) - 1}")
    return Alternatives(within, every, floor, found, exhausted=False)


def _band(model: LinearModel, floor: float) -> LinearModel:
    """The model with its objective held at ``floor`` or above."""
    row = sp.csr_matrix(model.objective.reshape(1, -1))
    keys = pd.DataFrame({"limit": ["band"]})
    return with_rows(model, "band", keys, row, floor - model.objective_offset, np.inf)


def _cut(formulation: Formulation, model: LinearModel, found: list[Alternative]) -> LinearModel:
    """``model`` with d(x, P) >= 1 for every portfolio found."""
    parts = [distance(formulation, a.portfolio) for a in found]
    rows = sp.vstack([row for _, row in parts], format="lil")
    rows.resize((len(parts), model.num_variables))
    lower = np.array([1.0 - constant for constant, _ in parts])
    keys = pd.DataFrame({"portfolio": range(len(parts))})
    return with_rows(model, "cut", keys, rows.tocsr(), lower, np.inf)


def _next(
    case: Case,
    formulation: Formulation,
    banded: LinearModel,
    found: list[Alternative],
    every: bool,
    runner: Runner,
) -> Alternative | Termination:
    """The next portfolio of the band with its best plan; or, when there is none, the
    termination of the solve that found none (infeasible: the band holds no more)."""
    cut = _cut(formulation, banded, found)
    if every:
        result = runner.resolve(case, formulation, cut)
        if result.plan is None or result.values is None:
            return result.termination
        return Alternative(portfolio_of(formulation, result.values), result)
    portfolio = _most_different(formulation, cut, found, runner)
    if isinstance(portfolio, Termination):
        return portfolio
    matrix, target = fixing_rows(formulation, portfolio)
    keys = pd.DataFrame({"row": range(matrix.shape[0])})
    fixed = with_rows(banded, "portfolio", keys, matrix, target, target)
    result = runner.resolve(case, formulation, fixed)
    if result.plan is None:
        return result.termination
    return Alternative(portfolio, result)


def _most_different(
    formulation: Formulation, cut: LinearModel, found: list[Alternative], runner: Runner
) -> Portfolio | Termination:
    """The portfolio of the band whose least distance to those found is largest:
    maximise delta with delta - d(x, P_j) <= 0 for every j."""
    n = formulation.model.num_variables
    projects = float(formulation.choices.table["project"].nunique())
    model, delta = with_column(cut, "delta", 0.0, projects, True)
    parts = [distance(formulation, a.portfolio) for a in found]
    rows = sp.vstack([-row for _, row in parts], format="lil")
    rows.resize((len(parts), model.num_variables))
    rows[:, delta] = 1.0
    upper = np.array([constant for constant, _ in parts])
    keys = pd.DataFrame({"portfolio": range(len(parts))})
    model = with_rows(model, "spread", keys, rows.tocsr(), -np.inf, upper)
    objective = np.zeros(model.num_variables)
    objective[delta] = 1.0
    model = replace(model, objective=objective, objective_offset=0.0, maximize=True)
    solved = get_backend(runner.backend).solve(model, runner.options())
    if solved.values is None or not solved.termination.status.has_solution:
        return solved.termination
    return portfolio_of(formulation, solved.values[:n])
