"""``highs_backend.Resolver``: variants of one model (other bounds) re-solved by one HiGHS.

Each variant's answer must be the one a fresh solve gives, whatever was solved before it
on the same HiGHS (a gap of 0 then a looser one, an infeasible variant, an LP that
starts from the last basis).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from problems import knapsack, linear, multidimensional_knapsack

from allocator.backends import BackendError, SolveOptions, get_backend
from allocator.backends.highs_backend import Resolver


def test_knapsack_variants_match_fresh_solves() -> None:
    """{b, d} = 21 (problems.knapsack). With b out: {a, d} = 18; with c forced in:
    {b, c} = 20; with a and b out: {c, d} = 15; with a and b forced in: weight 11 > 10,
    infeasible."""
    model = knapsack()
    resolver = Resolver(model)
    cases = [
        ([], [], 21.0),
        ([1], [], 18.0),
        ([], [2], 20.0),
        ([0, 1], [], 15.0),
        ([], [0, 1], None),
        ([], [], 21.0),
    ]
    for out, forced_in, expected in cases:
        lower, upper = model.lower.copy(), model.upper.copy()
        upper[out] = 0.0
        lower[forced_in] = 1.0
        variant = replace(model, lower=lower, upper=upper)
        again = resolver.solve(variant, SolveOptions(relative_gap=0.0))
        fresh = get_backend("highs").solve(variant, SolveOptions(relative_gap=0.0))
        assert again.termination.status == fresh.termination.status
        assert again.termination.objective == (
            None if expected is None else pytest.approx(expected)
        )
        assert fresh.termination.objective == again.termination.objective


def test_an_lp_variant_starts_from_the_last_basis_and_keeps_its_duals() -> None:
    """max 3x + 2y with x <= 3 is worth 11, with x <= 3.5 worth 11.5 (problems.linear)."""
    model = linear(3)
    resolver = Resolver(model)
    first = resolver.solve(model, SolveOptions())
    upper = model.upper.copy()
    upper[0] = 3.5
    second = resolver.solve(replace(model, upper=upper), SolveOptions())
    assert first.termination.objective == pytest.approx(11)
    assert second.termination.objective == pytest.approx(11.5)
    assert second.duals is not None
    fresh = get_backend("highs").solve(linear(3.5), SolveOptions())
    assert np.allclose(second.duals, fresh.duals)


def test_random_knapsack_variants_in_a_row() -> None:
    """Twelve variants of a 3-dimensional knapsack, each with one item out, at gaps 0 and
    1e-4 in turn: every objective is the fresh solve's (gap 0) or within 1e-4 of it."""
    model = multidimensional_knapsack(items=14, dimensions=3, seed=5)
    resolver = Resolver(model)
    for item in range(12):
        upper = model.upper.copy()
        upper[item] = 0.0
        variant = replace(model, upper=upper)
        gap = 0.0 if item % 2 == 0 else 1e-4
        again = resolver.solve(variant, SolveOptions(relative_gap=gap))
        exact = get_backend("highs").solve(variant, SolveOptions(relative_gap=0.0))
        assert again.termination.objective == pytest.approx(
            exact.termination.objective, rel=gap, abs=1e-9
        )


def test_a_variant_of_another_model_is_refused() -> None:
    resolver = Resolver(knapsack())
    with pytest.raises(BackendError, match="must share the model's rows"):
        resolver.solve(knapsack(), SolveOptions())  # equal, but another matrix
    model = resolver.model
    with pytest.raises(BackendError, match="must share the model's rows"):
        resolver.solve(replace(model, objective=model.objective * 2), SolveOptions())
