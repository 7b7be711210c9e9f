"""The Lagrangian bound (``allocator.model.dual_bound``) on small random models whose
optimum is found by enumeration.

Each model: ``groups`` groups of 2 or 3 binary choices with a one-choice row each
(sum <= 1), two knapsack rows over every choice (weights 1..9, capacity from the draw),
an optional cover row (sum of some choices >= 1), and a continuous column ``s`` in
[0, inf) with s - x0 - x1 <= 0 and objective +1, so that only a row bounds it (the
implied bound s <= 2). The optimum is enumerated over every 0/1 assignment that keeps
the rows (with s = x0 + x1, its best value). Properties: at any multipliers the bound
is at least the optimum (maximisation; at most for the minimisation of the negated
objective); at the LP relaxation's duals it equals the LP optimum; ``tighten`` never
loosens it.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocator.backends import SolveOptions, get_backend
from allocator.model import LinearModel, ModelBuilder
from allocator.model.dual_bound import (
    disjoint_families,
    implied_bounds,
    lagrangian_bound,
    tighten,
)


def keys(n: int) -> pd.DataFrame:
    return pd.DataFrame({"i": range(n)})


@st.composite
def models(draw: st.DrawFn, maximize: bool = True) -> LinearModel:
    sizes = draw(st.lists(st.integers(2, 3), min_size=2, max_size=3))
    n = sum(sizes)
    values = draw(st.lists(st.integers(1, 20), min_size=n, max_size=n))
    builder = ModelBuilder(maximize=maximize)
    x = builder.add_variables("choose", keys(n), upper=1, integer=True)
    s = builder.add_variables("s", keys(1))
    group = np.repeat(np.arange(len(sizes)), sizes)
    builder.add_rows("one_choice", keys(len(sizes)), group, x, 1.0, upper=1)
    for name in ("weight", "room"):
        weights = draw(st.lists(st.integers(1, 9), min_size=n, max_size=n))
        room = draw(st.integers(3, 15))
        builder.add_rows(name, keys(1), np.zeros(n), x, weights, upper=room)
    if draw(st.booleans()):
        covered = draw(st.lists(st.sampled_from(range(n)), min_size=1, max_size=n, unique=True))
        builder.add_rows("cover", keys(1), np.zeros(len(covered)), x[covered], 1.0, lower=1)
    builder.add_rows("cap", keys(1), [0, 0, 0], [s[0], x[0], x[1]], [1.0, -1.0, -1.0], upper=0)
    sign = 1.0 if maximize else -1.0
    builder.add_objective(x, sign * np.asarray(values, dtype=float))
    builder.add_objective(s, [sign])
    return builder.build()


def optimum(model: LinearModel) -> float | None:
    """The best objective over every 0/1 choice keeping the rows (s at its best, x0 + x1);
    None if none does."""
    n = int(model.integer.sum())
    best = None
    for bits in itertools.product((0.0, 1.0), repeat=n):
        x = np.array([*bits, bits[0] + bits[1]])
        activity = model.matrix @ x
        keeps = (activity <= model.row_upper + 1e-9) & (activity >= model.row_lower - 1e-9)
        if keeps.all():
            value = model.objective_value(x)
            better = best is None or (value > best if model.maximize else value < best)
            best = value if better else best
    return best


def lp_answer(model: LinearModel):
    relaxed = replace(model, integer=np.zeros_like(model.integer))
    return get_backend("highs").solve(relaxed, SolveOptions(relative_gap=0.0))


@settings(max_examples=40, deadline=None)
@given(models(), st.data())
def test_any_multipliers_bound_the_optimum(model: LinearModel, data: st.DataObject) -> None:
    best = optimum(model)
    lower, upper = implied_bounds(model)
    assert upper[-1] == pytest.approx(2.0)  # s <= x0 + x1 <= 2, from the cap row alone
    y = np.array(
        data.draw(
            st.lists(
                st.floats(-5, 5, allow_nan=False),
                min_size=model.num_constraints,
                max_size=model.num_constraints,
            )
        )
    )
    bound = lagrangian_bound(model, y, lower, upper)
    if best is not None:
        assert bound >= best - 1e-9
    for family in disjoint_families(model):
        tightened = tighten(model, y, family, lower, upper)
        after = lagrangian_bound(model, tightened, lower, upper)
        assert after <= bound + 1e-9 * max(1.0, abs(bound))
        if best is not None:
            assert after >= best - 1e-9


@settings(max_examples=30, deadline=None)
@given(st.booleans().flatmap(lambda up: models(maximize=up)))
def test_at_the_lp_duals_the_bound_is_the_lp_optimum(model: LinearModel) -> None:
    answer = lp_answer(model)
    if answer.duals is None:  # an infeasible draw: nothing to compare
        return
    lower, upper = implied_bounds(model)
    bound = lagrangian_bound(model, answer.duals, lower, upper)
    assert bound == pytest.approx(answer.termination.objective, rel=1e-7, abs=1e-7)
    best = optimum(model)
    if best is not None:
        assert (bound >= best - 1e-7) if model.maximize else (bound <= best + 1e-7)


def test_one_choice_rows_are_the_disjoint_family_and_tightening_finds_their_price() -> None:
    """max 5a + 4b + 3c, a + b + c <= 1 (one choice), binary; no other row. With the
    choice row's multiplier at 0 the bound is 5 + 4 + 3 = 12; along it the bound is
    t + sum max(0, v - t), least for t in [4, 5]: 5, the optimum."""
    builder = ModelBuilder(maximize=True)
    x = builder.add_variables("choose", keys(3), upper=1, integer=True)
    builder.add_rows("one_choice", keys(1), np.zeros(3), x, 1.0, upper=1)
    builder.add_objective(x, [5.0, 4.0, 3.0])
    model = builder.build()
    lower, upper = implied_bounds(model)
    zero = np.zeros(1)
    assert lagrangian_bound(model, zero, lower, upper) == pytest.approx(12.0)
    [family] = disjoint_families(model)
    y = tighten(model, zero, family, lower, upper)
    assert 4.0 <= y[0] <= 5.0
    assert lagrangian_bound(model, y, lower, upper) == pytest.approx(5.0)


def test_a_reduced_cost_towards_an_infinite_bound_gives_no_bound() -> None:
    """max s, s - x <= 0 with x in [0, 1]: implied s <= 1, bound 1 at y = 1. Without the
    implied bound, y = 0 leaves s's reduced cost 1 pointing at +inf: no finite bound."""
    builder = ModelBuilder(maximize=True)
    x = builder.add_variables("x", keys(1), upper=1)
    s = builder.add_variables("s", keys(1))
    builder.add_rows("cap", keys(1), [0, 0], [s[0], x[0]], [1.0, -1.0], upper=0)
    builder.add_objective(s, [1.0])
    model = builder.build()
    assert lagrangian_bound(model, np.zeros(1), model.lower, model.upper) == np.inf
    lower, upper = implied_bounds(model)
    assert upper[s[0]] == pytest.approx(1.0)
    assert lagrangian_bound(model, np.array([1.0]), lower, upper) == pytest.approx(1.0)
