"""Supply used is what the projects need: a surplus a solver was free to report (use that
costs nothing) is taken back, so idle capacity shows as idle.

Hand case: one GPU resource, two quarters. ``reserved`` (signed, not optional) offers
20 GPUs a quarter and pays for all 20 whether used or not (take-or-pay 20); ``owned``
sells GPUs in blocks of 50, in Q1 only, kept for 4 quarters. One project must run and
needs 30 GPUs in each quarter: the contract's 20 are not enough, so one block is
bought. Any use up to 20 of the contract and up to 50 of the owned GPUs is then free,
so a solver may report up to 70 used. The plan must show 30 used in each quarter in
all, and the rest idle: 70 - 30 = 40 unit-periods a quarter.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from allocator import solve
from allocator.plan.extract import clean_values, extract_plan
from allocator.plan.tighten import tighten_use
from allocator.verify import verify

CASE = {
    "name": "free-use",
    "periods": ["Q1", "Q2"],
    "periods_per_year": 4,
    "discount_rate": 0.0,
    "objective": "npv",
    "resources": [{"id": "gpu"}],
    "supply": [
        {
            "id": "reserved",
            "resource": "gpu",
            "kind": "contract",
            "capacity": 20,
            "unit_cost": 2,
            "min_commit": 20,
        },
        {
            "id": "owned",
            "resource": "gpu",
            "kind": "purchase",
            "capacity": 50,
            "block": 50,
            "life": 4,
            "unit_cost": 1,
            "available_until": "Q1",
        },
    ],
    "budget": {"carry_over": True, "amounts": 1000},
    "projects": [{"id": "chat", "value": 500, "demand": {"gpu": 30}, "must_fund": True}],
}


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
def test_used_is_the_need_and_the_rest_is_idle(load, backend) -> None:
    case = load(CASE)
    result = solve(case, backend=backend, gap=0)
    assert result.verification is not None
    assert result.verification.ok
    supply = result.plan.supply
    used = supply.groupby("period")["used"].sum()
    assert used.tolist() == pytest.approx([30.0, 30.0])
    assert supply.groupby("period")["idle"].sum().tolist() == pytest.approx([40.0, 40.0])
    assert supply["bought"].sum() == pytest.approx(50.0)


def test_a_padded_solution_is_tightened_without_moving_money(load) -> None:
    """The solver's solution with every free use column raised to what its rows allow
    (the contract to its 20 paid, the purchase to its 50 owned): the tightening takes
    the use back to the need of 30 a quarter, and the objective and every money flow
    stay as they were."""
    result = solve(load(CASE), gap=0)
    formulation = result.formulation
    model = formulation.model
    x = result.values.copy()
    used = formulation.supply.table
    for row in used.itertuples():
        x[row.used] = 20.0 if row.supply == "reserved" else 50.0
    assert not model.violations(x)  # padded, and still a solution
    tightened = tighten_use(formulation, x)
    per_period = used.assign(value=tightened[used["used"].to_numpy()]).groupby("period")
    assert per_period["value"].sum().tolist() == pytest.approx([30.0, 30.0])
    assert model.objective_value(tightened) == pytest.approx(model.objective_value(x))
    money = formulation.money.all_terms.column
    assert tightened[money] == pytest.approx(x[money])


def test_values_a_hair_past_their_bounds_are_read_on_them(load) -> None:
    """A solver's values may cross a bound by its feasibility tolerance (CBC returns
    -1e-7 for a use bounded below by zero). Read as they are, the plan would show negative
    units used and fail the checker; read back on their bounds, it is the same plan."""
    result = solve(load(CASE), gap=0)
    formulation, model = result.formulation, result.formulation.model
    exact = clean_values(model, result.values)
    x = exact.copy()
    for bound, side in ((model.lower, -1.0), (model.upper, 1.0)):
        on = np.isfinite(bound) & (exact == bound)
        x[on] += side * 5e-7 * np.maximum(1.0, np.abs(bound[on]))
    used = formulation.supply.table["used"].to_numpy()
    assert (x[used] < -1e-9).any()  # a use the plan would show as negative
    assert np.array_equal(clean_values(model, x), exact)
    plan = extract_plan(result.case, formulation, x)
    assert (plan.supply["used"] >= 0).all()
    assert verify(result.case, plan, model.objective_value(exact)).ok
    pd.testing.assert_frame_equal(plan.supply, result.plan.supply)
    pd.testing.assert_frame_equal(plan.projects, result.plan.projects)
