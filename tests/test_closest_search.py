"""The two steps of the minimal-change search (``allocator.analysis.closest``).

Hand model: five binary decisions x0..x4, max x0 + x1 + x2 + x3 + x4 with
x0 + x1 + x2 + x3 <= 2. The base plan takes x0, x1 and x4. The variant forces x0 out.
Its optimum as a solver might return it takes x2, x3 and x4 (worth 3): against the
base it changes x0, x1, x2 and x3, four decisions. The plan as good that changes the
fewest keeps x1 and x4 and adds one of x2, x3: two decisions (x0 dropped, one added).

The nearby step frees only x0..x3, the decisions that optimum changes, and holds x4.
It finds the two-decision plan on its own; the whole search then proves it minimal.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from allocator.analysis.closest import (
    SEARCH_MIN_SECONDS,
    SEARCH_SECONDS,
    _band,
    _fewest,
    _nearby,
    _Search,
    _whole_seconds,
)
from allocator.backends import SolveOptions, get_backend
from allocator.backends.termination import SolveResult, SolveStatus, Termination
from allocator.model import LinearModel, ModelBuilder

BASE = np.array([1.0, 1.0, 0.0, 0.0, 1.0])
FIRST = np.array([0.0, 0.0, 1.0, 1.0, 1.0])
ROW = np.where(BASE > 0.5, -1.0, 1.0)
"""The distance D(x) = CONSTANT + ROW @ x: |x_j - b_j| for binary b."""
CONSTANT = float(BASE.sum())


def variant() -> LinearModel:
    builder = ModelBuilder(maximize=True)
    keys = pd.DataFrame({"i": range(5)})
    x = builder.add_variables("choose", keys, upper=1, integer=True)
    builder.add_rows("cap", pd.DataFrame({"i": [0]}), np.zeros(4), x[:4], 1.0, upper=2)
    builder.add_objective(x, 1.0)
    model = builder.build()
    upper = model.upper.copy()
    upper[0] = 0.0  # the variant: x0 forced out
    return replace(model, upper=upper)


def search_model() -> LinearModel:
    """min D(x) over the variant's plans worth at least 3 (as ``_fewest`` makes it)."""
    banded = _band(variant(), 3.0)
    return replace(banded, objective=ROW, objective_offset=CONSTANT, maximize=False)


def changed(x: np.ndarray) -> int:
    return round(CONSTANT + ROW @ x[:5])


class _Stopped:
    """A backend whose every search stops before finding a plan."""

    def solve(self, model: LinearModel, options: SolveOptions, start=None) -> SolveResult:
        termination = Termination(SolveStatus.NO_SOLUTION, None, None, 0.0, "stub", "stub", "")
        return SolveResult(termination)


def test_the_nearby_step_holds_only_the_decisions_the_optimum_keeps() -> None:
    nearby = _nearby(search_model(), ROW, FIRST)
    assert changed(FIRST) == 4
    assert nearby.lower[4] == nearby.upper[4] == 1.0  # x4: kept, so held
    assert list(nearby.upper[:4]) == [0.0, 1.0, 1.0, 1.0]  # x0 out by the variant
    assert list(nearby.lower[:4]) == [0.0, 0.0, 0.0, 0.0]


def test_the_nearby_step_alone_drops_the_incidental_changes() -> None:
    """With a whole search that finds nothing, the nearby step's plan is kept: two
    decisions changed, not proven minimal."""
    nearby = _Search(get_backend("highs"), SolveOptions(relative_gap=0.0), False)
    stopped = _Search(_Stopped(), SolveOptions(relative_gap=0.0), False)  # type: ignore[arg-type]
    tier = _fewest(search_model(), ROW, CONSTANT, FIRST, 4, nearby, stopped)
    assert changed(tier.values) == 2
    assert list(tier.values[[0, 1, 4]]) == [0.0, 1.0, 1.0]
    assert not tier.proven


@pytest.mark.parametrize("backend", ["highs", "ortools", "pulp"])
def test_the_whole_search_proves_the_nearby_plan_minimal(backend: str) -> None:
    search = _Search(get_backend(backend), SolveOptions(relative_gap=0.0), False)
    tier = _fewest(search_model(), ROW, CONSTANT, FIRST, 4, search, search)
    assert changed(tier.values) == 2
    assert tier.proven
    assert variant().objective_value(tier.values[:5]) == pytest.approx(3.0)


@pytest.mark.parametrize(
    ("solve_seconds", "limit", "expected"),
    [
        (20.0, None, 2.0),  # a tenth of the solve
        (0.05, None, SEARCH_MIN_SECONDS),
        (400.0, None, SEARCH_SECONDS),
        (400.0, 7.0, 7.0),  # a limit given is the limit
    ],
)
def test_the_whole_search_takes_a_share_of_the_solve(
    solve_seconds: float, limit: float | None, expected: float
) -> None:
    options = SolveOptions(time_limit=limit)
    assert _whole_seconds(options, solve_seconds) == pytest.approx(expected)
