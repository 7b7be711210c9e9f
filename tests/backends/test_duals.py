"""Row duals and reduced costs of a linear program: one sign convention for every solver.

max 3x + 2y  s.t.  x + y <= 4,  x + 3y >= -6 (slack),  0 <= x, y <= 10
has one optimum, x = 4, y = 0 (objective 12): one more unit of the first row's
bound is worth 3; the second row is slack (0); y sits at its lower bound and
raising that bound by one costs 3 - 2 = 1 (reduced cost -1); x is between bounds (0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from allocator.backends import BackendError, SolveOptions, SolveStatus, get_backend
from allocator.model.builder import ModelBuilder
from allocator.model.linear import LinearModel


def lp(integer: bool = False) -> LinearModel:
    builder = ModelBuilder(maximize=True)
    x = builder.add_variables("x", pd.DataFrame({"name": ["x", "y"]}), upper=10, integer=integer)
    builder.add_rows(
        "rows",
        pd.DataFrame({"row": ["sum", "slack"]}),
        rows=[0, 0, 1, 1],
        columns=[x[0], x[1], x[0], x[1]],
        coefficients=[1, 1, 1, 3],
        lower=[-np.inf, -6],
        upper=[4, np.inf],
    )
    builder.add_objective(x, [3, 2])
    return builder.build()


@pytest.mark.parametrize(
    ("backend", "solver"), [("ortools", "glop"), ("pulp", "cbc"), ("pulp", "highs")]
)
def test_duals_are_d_objective_d_bound(backend: str, solver: str) -> None:
    result = get_backend(backend).solve(lp(), SolveOptions(solver=solver))
    assert result.termination.status is SolveStatus.OPTIMAL
    assert result.termination.objective == pytest.approx(12)
    assert result.duals == pytest.approx([3, 0], abs=1e-9)
    assert result.reduced_costs == pytest.approx([0, -1], abs=1e-9)


def test_mip_solvers_give_no_duals() -> None:
    result = get_backend("ortools").solve(lp(), SolveOptions(solver="scip"))
    assert result.duals is None
    assert result.reduced_costs is None


def test_glop_refuses_integer_columns() -> None:
    with pytest.raises(BackendError, match="glop solves linear programs only"):
        get_backend("ortools").solve(lp(integer=True), SolveOptions(solver="glop"))
