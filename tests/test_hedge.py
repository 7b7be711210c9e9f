"""``allocator.hedge``: two-stage plans derived by hand, on both backends.

The case ``lead_time`` (two quarters, no discounting, ample budget, objective npv):
the contract ``reserved`` delivers 100 GPUs in Q2 only, for a signing fee F paid in Q2
and nothing per GPU; it must be signed now (Q1), before the launch's value V is known.
``spot`` rents 100 GPUs at 3 each a quarter, 300 for the launch. The launch (Q2 only,
100 GPUs) is worth V, 50 or 600 with probability 1/2 each. With the contract signed
the launch runs whenever V > 0 (its GPUs are paid for); without it, only if V > 300.

F = 200:
- signed: V=50: 50 - 200 = -150; V=600: 600 - 200 = 400; E = 125.
- not signed: V=50: skip, 0; V=600: 600 - 300 = 300; E = 150.   <- the two-stage plan
- hindsight: max(-150, 0) = 0 and max(400, 300) = 400: E = 200, so EVPI = 200 - 150 = 50.
- expected-value plan: V at its mean 325; signed 325 - 200 = 125 beats spot 25: it
  signs, and expects 125 across the futures: VSS = 150 - 125 = 25.

F = 150 (``risky``):
- signed: -100 and 450, E = 175 (risk neutral: sign); not signed: 0 and 300, E = 150.
- lambda = 1 with alpha = 0.1 (below either future's 1/2) maximises the worst future:
  signed -100, not signed 0: do not sign, CVaR = 0.

Committing through Q2 (everything decided now, F = 200): sign and launch 600 + 50 -
2 * 200 = 250 / 2 = 125; launch on spot (50 - 300 + 600 - 300) / 2 = 25; nothing 0:
sign and start the launch in Q2, E = 125, the expected-value plan's own, VSS = 0,
EVPI = 200 - 125 = 75.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from hedge_cases import LEAD_TIME
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import allocator
from allocator.analysis.runner import Runner
from allocator.case.draws import grid_draws, mean_draw
from allocator.case.loading import Source, build_case
from allocator.errors import InputError
from allocator.hedging.decisions import FirstStage
from allocator.hedging.extensive import cvar_of, extensive_form
from allocator.hedging.futures import make_futures
from allocator.verify import verify

BACKENDS = ["ortools", "pulp"]
SCHEDULER: list[str] = []
"""The shared cluster's address, set by the autouse fixture below."""


@pytest.fixture(autouse=True)
def _shared_cluster(dask_scheduler: str) -> None:
    SCHEDULER[:] = [dask_scheduler]


def case_of(data: dict[str, Any], **supply: Any) -> allocator.Case:
    data = copy.deepcopy(data)
    data["supply"][0].update(supply)
    return build_case(data, Source("lead-time.yaml"))


def hedged(case: allocator.Case, **options: Any) -> allocator.Hedge:
    """``allocator.hedge`` on the shared cluster."""
    return allocator.hedge(case, scheduler=SCHEDULER[0], **options)


def runner(backend: str) -> Runner:
    return Runner(backend=backend, gap=0.0)


def checked(found: allocator.Hedge) -> None:
    """Every future's plan passes the independent checker against the future's case."""
    for outcome in found.outcomes:
        assert outcome.plan is not None
        assert verify(outcome.future.case, outcome.plan, outcome.objective).ok


def signed(found: allocator.Hedge, option: str = "reserved") -> bool:
    table = found.first_stage["supply"]
    return bool(table.loc[table["id"] == option, "signed"].item())


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_two_stage_plan_does_not_sign_what_the_expected_value_plan_signs(
    backend: str,
) -> None:
    found = hedged(case_of(LEAD_TIME), runner=runner(backend))
    assert found.status == "optimal"
    assert not signed(found)
    assert found.expected_objective == pytest.approx(150)
    assert found.futures["objective"].tolist() == pytest.approx([0, 300])
    assert found.futures["hindsight_objective"].tolist() == pytest.approx([0, 400])
    assert found.wait_and_see == pytest.approx(200)
    assert found.evpi == pytest.approx(50)
    ev = found.expected_value
    assert ev is not None
    assert ev.stage is not None
    assert ev.stage.signed["reserved"] is True
    assert found.futures["ev_objective"].tolist() == pytest.approx([-150, 400])
    assert ev.expected_objective == pytest.approx(125)
    assert found.vss == pytest.approx(25)
    assert found.cvar is None
    assert found.bound == pytest.approx(150)  # proven: the extensive form's bound
    assert found.gap == pytest.approx(0)
    checked(found)


@pytest.mark.parametrize("backend", BACKENDS)
def test_risk_aversion_with_a_small_alpha_gives_the_best_worst_case(backend: str) -> None:
    case = case_of(LEAD_TIME, fixed_cost=150)
    neutral = hedged(case, runner=runner(backend))
    assert signed(neutral)
    assert neutral.expected_objective == pytest.approx(175)
    averse = hedged(case, risk_aversion=1.0, alpha=0.1, runner=runner(backend))
    assert not signed(averse)
    assert averse.cvar == pytest.approx(0)
    assert averse.expected_objective == pytest.approx(150)
    assert averse.objective == pytest.approx(averse.cvar)  # lambda = 1: the CVaR alone
    # no first stage beats the futures' own optima, mixed the same way (0 and 450 here)
    assert averse.bound is not None
    assert averse.bound <= 0 + 1e-6
    # the best worst case, found by solving every future under each first stage apart
    worst = {}
    for sign in (True, False):
        forced = {"optional": False} if sign else {"capacity": 0, "fixed_cost": 0}
        objectives = [
            allocator.solve(future.case, backend=backend, gap=0).termination.objective
            for future in make_futures(
                case_of(LEAD_TIME, **({"fixed_cost": 150} | forced)), grid_draws(case)
            )
        ]
        worst[sign] = min(objectives)
    assert averse.cvar == pytest.approx(max(worst.values()))
    checked(averse)


@pytest.mark.parametrize("backend", BACKENDS)
def test_evaluating_a_first_stage_is_solving_each_future_with_it_fixed(backend: str) -> None:
    case = case_of(LEAD_TIME)
    held = hedged(case, evaluate=FirstStage(signed={"reserved": True}), runner=runner(backend))
    assert held.status == "evaluated"
    forced = case_of(LEAD_TIME, optional=False)
    by_hand = [
        allocator.solve(f.case, backend=backend, gap=0).termination.objective
        for f in make_futures(forced, grid_draws(forced))
    ]
    assert held.futures["objective"].tolist() == pytest.approx(by_hand)
    assert held.expected_objective == pytest.approx(125)
    assert held.evpi == pytest.approx(75)
    assert held.vss is None
    checked(held)


def test_committing_through_the_last_period_decides_the_start_too() -> None:
    found = hedged(case_of(LEAD_TIME), commit_through="Q2", runner=runner("ortools"))
    assert signed(found)
    projects = found.first_stage["projects"]
    assert projects.to_dict("records") == [
        {"id": "launch", "funded": True, "level": "full", "start": "Q2"}
    ]
    assert found.expected_objective == pytest.approx(125)
    assert found.vss == pytest.approx(0)
    assert found.evpi == pytest.approx(75)
    checked(found)


def test_one_certain_future_is_the_plain_solve() -> None:
    data = copy.deepcopy(LEAD_TIME)
    data["uncertainty"][0]["set"] = {"choice": [600], "p": [1.0]}
    case = build_case(data, Source("x.yaml"))
    found = hedged(case, runner=runner("ortools"))
    (future,) = make_futures(case, grid_draws(case))
    alone = allocator.solve(future.case, gap=0).termination.objective
    assert found.expected_objective == pytest.approx(alone) == pytest.approx(400)
    assert found.vss == pytest.approx(0)
    assert found.evpi == pytest.approx(0)


def test_the_extensive_form_stacks_each_futures_own_model() -> None:
    case = case_of(LEAD_TIME)
    futures = make_futures(case, grid_draws(case))
    ext = extensive_form(futures, 0)
    row = 0
    for future, offset in zip(futures, ext.offsets, strict=True):
        model = future.formulation.model
        block = ext.model.matrix[
            row : row + model.num_constraints, offset : offset + model.num_variables
        ]
        assert (block != model.matrix).nnz == 0
        row += model.num_constraints
    # one master column per first-stage key (both signatures), tied in each future
    assert sorted(ext.first["family"]) == ["sign", "sign"]
    ties = ext.model.rows["non_anticipativity"]
    assert ties.size == 2 * len(futures)


def test_cvar_is_the_mean_of_the_worst_share_of_the_weight() -> None:
    objectives = np.array([30.0, 10.0, 20.0])
    weights = np.array([0.5, 0.2, 0.3])
    # the worst 0.4: all of 10 (0.2) and 0.2 of 20
    assert cvar_of(objectives, weights, 0.4) == pytest.approx((0.2 * 10 + 0.2 * 20) / 0.4)
    assert cvar_of(objectives, weights, 0.1) == pytest.approx(10)
    assert cvar_of(objectives, weights, 1.0) == pytest.approx(0.5 * 30 + 0.2 * 10 + 0.3 * 20)


def test_the_mean_of_each_kind_of_factor() -> None:
    data = copy.deepcopy(LEAD_TIME)
    data["periods"] = ["Q1", "Q2", "Q3", "Q4"]
    data["uncertainty"] = [
        {
            "id": "v",
            "path": "projects[launch].value",
            "set": {"choice": [50, 600], "p": [0.2, 0.8]},
        },
        {
            "id": "when",
            "path": "supply[reserved].available_from",
            "set": {"choice": ["Q2", "Q4"], "p": [0.7, 0.3]},
        },
        {"id": "cost", "path": "supply[spot].unit_cost", "scale": {"lognormal": [0.0, 0.5]}},
        {"id": "cap", "path": "supply[spot].capacity", "scale": {"triangular": [0.5, 1.0, 3.0]}},
    ]
    mean = mean_draw(build_case(data, Source("x.yaml"))).values
    assert mean["v"] == pytest.approx(0.2 * 50 + 0.8 * 600)
    assert mean["when"] == "Q3"  # positions 1 and 3, mean 1.6: the nearest is Q3 (2)
    assert mean["cost"] == pytest.approx(np.exp(0.125))
    assert mean["cap"] == pytest.approx(1.5)


def test_bad_requests_are_refused() -> None:
    case = case_of(LEAD_TIME)
    with pytest.raises(InputError, match="risk aversion"):
        allocator.hedge(case, risk_aversion=1.5)
    with pytest.raises(InputError, match="alpha"):
        allocator.hedge(case, alpha=0.0)
    with pytest.raises(InputError, match="not a period"):
        allocator.hedge(case, commit_through="Q9")


def test_a_future_without_any_plan_leaves_no_first_stage() -> None:
    data = copy.deepcopy(LEAD_TIME)
    data["projects"][0]["must_fund"] = True
    data["supply"][0]["optional"] = False
    data["uncertainty"] = [
        {"id": "cap", "path": "supply[spot].capacity", "set": {"choice": [0, 50]}},
        {"id": "res", "path": "supply[reserved].capacity", "set": {"choice": [100, 40]}},
    ]
    found = hedged(build_case(data, Source("x.yaml")), runner=runner("ortools"))
    assert found.status == "infeasible"
    assert found.stage is None
    # futures (cap, res): 0 (0, 100), 1 (0, 40), 2 (50, 100), 3 (50, 40): 1 and 3 have
    # 40 and 90 GPUs for a launch that must run on 100
    assert "future(s) 1, 3 have no plan" in found.message


def test_an_expected_value_plan_that_fails_a_future_has_no_vss() -> None:
    """The launch must run (value 500, 100 GPUs in Q2); spot offers 150 GPUs or, one time
    in five, none; signing costs 400. At the mean (120 spot GPUs, 300 for the launch)
    the expected-value plan does not sign, and has no plan when spot offers none. The
    two-stage plan signs: 500 - 400 = 100 in both futures. With hindsight the futures
    earn 500 - 300 = 200 and 100: 0.8 * 200 + 0.2 * 100 = 180, EVPI 80."""
    data = copy.deepcopy(LEAD_TIME)
    data["supply"][0]["fixed_cost"] = 400
    data["projects"][0] |= {"must_fund": True, "value": 500}
    data["uncertainty"] = [
        {
            "id": "spot",
            "path": "supply[spot].capacity",
            "set": {"choice": [150, 0], "p": [0.8, 0.2]},
        }
    ]
    found = hedged(build_case(data, Source("x.yaml")), runner=runner("ortools"))
    assert signed(found)
    assert found.expected_objective == pytest.approx(100)
    assert found.evpi == pytest.approx(80)
    ev = found.expected_value
    assert ev is not None
    assert ev.stage is not None
    assert ev.stage.signed["reserved"] is False
    assert ev.no_plan == [1]
    assert found.futures["ev_status"].tolist() == ["optimal", "infeasible"]
    assert ev.expected_objective is None
    assert found.vss is None
    checked(found)


RICHER: dict[str, Any] = copy.deepcopy(LEAD_TIME) | {
    "periods": ["Q1", "Q2", "Q3"],
    "projects": [
        {"id": "launch", "value": 325, "demand": {"gpu": 100}, "start": "Q2", "duration": 1},
        {"id": "chat", "value": 120, "demand": {"gpu": 40}},
        {"id": "batch", "value": 30, "demand": {"gpu": 30}, "duration": 1},
    ],
    "uncertainty": [
        {"id": "v", "path": "projects[launch].value", "set": {"choice": [50, 600]}},
        {"id": "chat", "path": "projects[chat].value", "scale": {"choice": [0.2, 1.0, 1.5]}},
        {"id": "spot", "path": "supply[spot].unit_cost", "set": {"choice": [2, 4]}},
    ],
}
"""Twelve futures, chat and batch starting in Q1 (decided now) or later."""


@pytest.mark.parametrize(
    ("data", "changes"),
    [
        (LEAD_TIME, {}),
        (LEAD_TIME, {"fixed_cost": 150}),
        (RICHER, {}),
        (RICHER, {"fixed_cost": 120, "capacity": 60}),
    ],
    ids=["lead-time", "cheaper-signing", "richer", "richer-small-contract"],
)
def test_the_decomposition_finds_what_the_extensive_form_finds(data, changes) -> None:
    case = build_case(copy.deepcopy(data), Source("x.yaml"))
    case = case_of(data, **changes) if changes else case
    whole = hedged(case, runner=runner("ortools"))
    split = hedged(case, runner=runner("ortools"), decompose=20)
    assert whole.expected_objective is not None
    assert split.expected_objective is not None
    # a first stage held in every future can do no better than the best one ...
    assert split.expected_objective <= whole.expected_objective + 1e-6
    # ... and every bound the decomposition reports caps the best one
    assert split.decomposition is not None
    for step in split.decomposition.trace:
        assert step["bound"] is not None
        assert step["bound"] >= whole.expected_objective - 1e-6
    assert split.status == "optimal"
    assert split.expected_objective == pytest.approx(whole.expected_objective)
    checked(split)


def test_the_decomposition_refuses_risk_aversion() -> None:
    with pytest.raises(InputError, match="expected objective only"):
        allocator.hedge(case_of(LEAD_TIME), decompose=5, risk_aversion=0.5)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fee=st.integers(0, 500),
    low=st.integers(0, 400),
    high=st.integers(300, 900),
    p_low=st.sampled_from([0.1, 0.3, 0.5, 0.8]),
    spot=st.integers(1, 6),
)
def test_both_methods_find_the_best_signature_found_by_enumeration(
    fee: int, low: int, high: int, p_low: float, spot: int
) -> None:
    """Every first stage of a lead-time case is "sign" or "do not sign": solve every
    future under each (forcing the signature, or offering nothing to sign) and keep the
    better expectation. Both methods must find it."""
    data = copy.deepcopy(LEAD_TIME)
    data["supply"][0]["fixed_cost"] = fee
    data["supply"][1]["unit_cost"] = spot
    data["uncertainty"][0]["set"] = {"choice": [low, high], "p": [p_low, 1 - p_low]}
    case = build_case(data, Source("x.yaml"))
    futures = grid_draws(case)
    best = -np.inf
    for forced in ({"optional": False}, {"capacity": 0}):
        variant = copy.deepcopy(data)
        variant["supply"][0] |= forced
        drawn = make_futures(build_case(variant, Source("x.yaml")), futures)
        value = sum(f.weight * allocator.solve(f.case, gap=0).termination.objective for f in drawn)
        best = max(best, value)
    whole = hedged(case, runner=runner("ortools"))
    split = hedged(case, runner=runner("ortools"), decompose=20)
    assert whole.expected_objective == pytest.approx(best, abs=1e-6)
    assert split.expected_objective == pytest.approx(best, abs=1e-6)
    assert whole.wait_and_see is not None
    assert whole.wait_and_see >= best - 1e-6
