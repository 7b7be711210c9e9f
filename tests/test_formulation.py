"""The formulation against hand-derived answers and against brute-force enumeration.

The enumeration below reads the case alone (the meanings of docs/case-format.md), never the model:
every combination of (level, start) or nothing per project is checked against the
rules and valued directly. Start windows and run lengths are read here from the
contract, not from ``allocator.case.timing``: every start of the window is allowed
(the horizon cuts a run, it does not forbid it), unless ``finish_by_end`` asks the
whole run to fit.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import allocator
from allocator.backends import BACKENDS, SolveStatus
from allocator.case.model import Case, Objective
from allocator.case.projects import Project
from allocator.case.series import active_values, calendar_values
from allocator.case.timing import availability
from allocator.formulation import formulate

CASES = Path(__file__).resolve().parent.parent / "cases"


def solve(case: Case, backend: str = "ortools") -> tuple[float, dict[str, tuple[str, str]]]:
    """The optimum and the funded projects -> (level, start), through ``allocator.solve``.

    Every plan has passed the independent checker (``solve`` raises otherwise).
    """
    result = allocator.solve(case, backend=backend, gap=0)
    assert result.termination.status is SolveStatus.OPTIMAL, result.termination.message
    assert result.plan is not None
    assert result.verification is not None
    assert result.verification.ok
    funded = result.plan.projects[result.plan.projects["funded"]]
    plan = {r.id: (r.level, r.start) for r in funded.itertuples()}
    return result.termination.objective, plan


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize(
    ("scenario", "objective", "funded"),
    [
        (None, 28, {"alpha", "charlie", "delta"}),
        ("carry-over", 29, {"alpha", "bravo", "delta"}),
        ("budget-cut", 21, {"alpha", "charlie"}),
    ],
)
def test_capital_rationing_known_answers(backend, scenario, objective, funded) -> None:
    """docs/teaching-cases.md §1 derives these by listing all 32 portfolios."""
    case = allocator.load_case(CASES / "capital-rationing.yaml", scenario=scenario)
    value, plan = solve(case, backend)
    assert value == pytest.approx(objective, abs=1e-6)
    assert set(plan) == funded


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize(
    ("scenario", "objective", "funded", "signed"),
    [
        (None, 350, {"chat", "batch", "launch"}, 1),
        ("high-signing-fee", 60, {"chat"}, 0),
    ],
)
def test_take_or_pay_known_answers(backend, scenario, objective, funded, signed) -> None:
    """docs/teaching-cases.md §2 prices all 16 plans by hand."""
    case = allocator.load_case(CASES / "take-or-pay.yaml", scenario=scenario)
    value, plan = solve(case, backend)
    assert value == pytest.approx(objective, abs=1e-6)
    assert set(plan) == funded
    supply = allocator.solve(case, backend=backend, gap=0).plan.supply
    assert supply.loc[supply["supply"] == "reserved", "signed"].all() == bool(signed)


def test_every_case_formulates() -> None:
    """Every part of every shipped case (and scenario) is modelled: nothing is refused."""
    for path in sorted(CASES.glob("*.yaml")):
        case = allocator.load_case(path)
        for name in [None, *case.scenarios]:
            variant = case if name is None else allocator.apply_scenario(case, name)
            assert formulate(variant).model.num_variables > 0


# --- brute force -------------------------------------------------------------------------


def discount(case: Case, t: int) -> float:
    """Period t's discount factor as the case format defines it (docs/case-format.md §4)."""
    return (1.0 + case.discount_rate) ** (-t / case.periods_per_year)


def window(case: Case, project: Project) -> range:
    """Every start the contract allows: the window, less only starts that cannot finish
    by the end when the project asks for that (``finish_by_end``)."""
    labels = list(case.periods)
    written = project.start
    earliest = labels.index(written.earliest) if written and written.earliest else 0
    latest = labels.index(written.latest) if written and written.latest else earliest
    if project.finish_by_end and project.duration is not None:
        latest = min(latest, len(labels) - project.duration)
    return range(earliest, latest + 1)


def run_length(case: Case, project: Project, start: int) -> int:
    """Periods of the run inside the horizon: the horizon cuts it."""
    inside = len(case.periods) - start
    return inside if project.duration is None else min(project.duration, inside)


def plan_options(case: Case) -> list[list[tuple[int, int] | None]]:
    """Per project: None (not funded) or (level index, start index)."""
    options = []
    for project in case.projects:
        choices: list[tuple[int, int] | None] = [None] if not project.must_fund else []
        choices += [(j, s) for j in range(len(project.all_levels)) for s in window(case, project)]
        options.append(choices)
    return options


def supply_cost(case: Case, signed: set[str], demand: dict[str, np.ndarray]) -> np.ndarray | None:
    """The least payment per period that covers ``demand``, or None if capacity falls short.

    Each signed option costs nothing more up to its take-or-pay minimum (paid anyway)
    and unit_cost per unit above it: filling the cheapest units first is optimal.
    """
    horizon = len(case.periods)
    paid = np.zeros(horizon)
    for option in case.supply:
        if option.id in signed:
            first, _ = availability(case, option)
            paid[first] += option.fixed_cost
    for resource in {r.id for r in case.resources}:
        for t in range(horizon):
            need = demand.get(resource, np.zeros(horizon))[t]
            pieces = []  # (marginal cost, units)
            for option in case.supply:
                first, last = availability(case, option)
                if option.id not in signed or option.resource != resource or not first <= t <= last:
                    continue
                cap = calendar_values(option.capacity, case.periods, first, last)[t]
                paid[t] += option.unit_cost * option.min_commit
                pieces += [(0.0, option.min_commit), (option.unit_cost, cap - option.min_commit)]
            for price, units in sorted(pieces):
                take = min(units, need)
                paid[t] += price * take
                need -= take
            if need > 1e-9:
                return None
    return paid


def evaluate(
    case: Case, plan: tuple[tuple[int, int] | None, ...], signed: set[str]
) -> float | None:
    """The plan's objective from the case's meanings, or None if it breaks a rule."""
    horizon = len(case.periods)
    index = {p.id: i for i, p in enumerate(case.projects)}
    spend = np.zeros(horizon)
    demand: dict[str, np.ndarray] = {r.id: np.zeros(horizon) for r in case.resources}
    basis: dict[str, float] = {}  # category -> share basis of its funded projects
    total = 0.0
    for project, pick in zip(case.projects, plan, strict=True):
        for other in project.excludes:
            if pick is not None and plan[index[other]] is not None:
                return None
        if pick is None:
            continue
        for other in project.requires:
            needed = plan[index[other]]
            if needed is None or needed[1] > pick[1]:
                return None
        level = project.all_levels[pick[0]]
        start, length = pick[1], run_length(case, project, pick[1])
        cost = active_values(level.cost, case.periods, start, length)
        value = active_values(level.value, case.periods, start, length)
        revenue = active_values(level.revenue, case.periods, start, length)
        units = sum(
            sum(active_values(series, case.periods, start, length))
            for series in level.demand.values()
        )
        by_basis = {"cost": sum(cost), "value": sum(value), "demand": units}
        basis[project.category] = basis.get(project.category, 0.0) + by_basis[case.share_basis]
        for resource, series in level.demand.items():
            demand[resource][start : start + length] += active_values(
                series, case.periods, start, length
            )
        for i in range(length):
            t = start + i
            spend[t] += cost[i] - revenue[i]
            cash = revenue[i] - cost[i]
            worth = value[i] + (cash if case.objective is Objective.NPV else 0.0)
            total += worth * discount(case, t)
    everything = sum(basis.values())
    for category, high in case.max_share.items():
        if basis.get(category, 0.0) > high * everything + 1e-9:
            return None
    for category, low in case.min_share.items():
        if basis.get(category, 0.0) < low * everything - 1e-9:
            return None
    paid = supply_cost(case, signed, demand)
    if paid is None:
        return None
    spend += paid
    if case.objective is Objective.NPV:
        total -= sum(paid[t] * discount(case, t) for t in range(horizon))
    amounts = np.asarray(calendar_values(case.budget.amounts, case.periods))
    if case.revenue is not None:
        grown = [
            a * (1 + case.revenue.growth) ** (t / case.periods_per_year)
            for t, a in enumerate(calendar_values(case.revenue.amounts, case.periods))
        ]
        amounts = amounts + np.asarray(grown)
        if case.objective is Objective.NPV:
            total += sum(g * discount(case, t) for t, g in enumerate(grown))
    if case.budget.carry_over:
        if np.any(np.cumsum(amounts) - np.cumsum(spend) < case.budget.min_cash - 1e-9):
            return None
    elif np.any(spend > amounts + 1e-9):
        return None
    return total


def brute_force(case: Case) -> float | None:
    fixed = {o.id for o in case.supply if not o.optional}
    optional = [o.id for o in case.supply if o.optional]
    best = None
    for chosen in itertools.product([False, True], repeat=len(optional)):
        signed = fixed | {o for o, take in zip(optional, chosen, strict=True) if take}
        for plan in itertools.product(*plan_options(case)):
            value = evaluate(case, plan, signed)
            if value is not None and (best is None or value > best):
                best = value
    return best


AMOUNT = st.integers(0, 9)


@st.composite
def small_cases(draw: st.DrawFn) -> dict[str, Any]:
    horizon = draw(st.integers(1, 3))
    periods = [f"T{k}" for k in range(horizon)]
    with_supply = draw(st.booleans())
    count = draw(st.integers(1, 4 if with_supply else 5))
    ids = [f"p{i}" for i in range(count)]
    projects = []
    for i, ident in enumerate(ids):
        first = draw(st.integers(0, horizon - 1))
        last = draw(st.integers(first, horizon - 1))
        # lists may run past the periods they cover, runs past the end of the horizon
        series = AMOUNT | st.lists(AMOUNT, min_size=1, max_size=horizon + 2)
        project: dict[str, Any] = {
            "id": ident,
            "category": draw(st.sampled_from(["a", "b"])),
            "start": {"earliest": periods[first], "latest": periods[last]},
            "levels": [
                {
                    "id": f"l{j}",
                    "value": draw(series),
                    "cost": draw(series),
                    "revenue": draw(series) if draw(st.integers(0, 2)) == 0 else 0,
                    "demand": {"gpu": draw(series)} if with_supply else {},
                }
                for j in range(draw(st.integers(1, 2)))
            ],
        }
        if draw(st.booleans()):
            project["duration"] = draw(st.integers(1, horizon + 2))
            if first + project["duration"] <= horizon and draw(st.integers(0, 3)) == 0:
                project["finish_by_end"] = True
        if i and draw(st.integers(0, 3)) == 0:
            project["requires"] = [ids[draw(st.integers(0, i - 1))]]
        if i and draw(st.integers(0, 3)) == 0:
            project["excludes"] = [ids[draw(st.integers(0, i - 1))]]
        projects.append(project)
    if draw(st.integers(0, 4)) == 0:
        projects[draw(st.integers(0, count - 1))]["must_fund"] = True
    return {
        "name": "random",
        "periods": periods,
        "periods_per_year": draw(st.sampled_from([1, 4])),
        "discount_rate": draw(st.sampled_from([0.0, 0.1])),
        "objective": draw(st.sampled_from(["value", "npv"])),
        "budget": {
            "carry_over": draw(st.booleans()),
            "amounts": draw(st.lists(AMOUNT, min_size=horizon, max_size=horizon + 1)),
        },
        "projects": projects,
        **(_supply(draw, periods) if with_supply else {}),
        **(_shares(draw) if draw(st.integers(0, 2)) == 0 else {}),
        **(
            {"revenue": {"amounts": draw(AMOUNT), "growth": draw(st.sampled_from([0.0, 0.5]))}}
            if draw(st.integers(0, 2)) == 0
            else {}
        ),
    }


def _shares(draw: st.DrawFn) -> dict[str, Any]:
    """A share bound on category a or b, in one of the three bases."""
    bound = {draw(st.sampled_from(["a", "b"])): draw(st.sampled_from([0.0, 0.3, 0.5, 1.0]))}
    key = draw(st.sampled_from(["max_share", "min_share"]))
    return {key: bound, "share_basis": draw(st.sampled_from(["cost", "value", "demand"]))}


def _supply(draw: st.DrawFn, periods: list[str]) -> dict[str, Any]:
    """One resource with one or two contract/spot options."""
    options = []
    for k in range(draw(st.integers(1, 2))):
        capacity = draw(st.integers(0, 12))
        option: dict[str, Any] = {
            "id": f"s{k}",
            "resource": "gpu",
            "kind": draw(st.sampled_from(["contract", "spot"])),
            "capacity": capacity,
            "unit_cost": draw(st.integers(0, 3)),
            "fixed_cost": draw(st.integers(0, 4)),
            "optional": draw(st.booleans()),
            "available_from": draw(st.sampled_from(periods)),
        }
        if option["kind"] == "contract":
            option["min_commit"] = draw(st.integers(0, capacity))
        options.append(option)
    return {"resources": [{"id": "gpu"}], "supply": options}


@settings(max_examples=80)
@given(small_cases(), st.sampled_from(list(BACKENDS)))
def test_optimum_matches_brute_force(data: dict[str, Any], backend: str) -> None:
    from allocator.case import CaseError
    from allocator.case.loading import Source, build_case

    try:
        case = build_case(data, Source("random.yaml"))
    except CaseError:
        return  # the generator may draw a case the rules refuse (a must-fund conflict)
    expected = brute_force(case)
    result = allocator.solve(case, backend=backend, gap=0)  # the checker passes every plan
    if expected is None:
        assert result.termination.status is SolveStatus.INFEASIBLE
        return
    assert result.termination.status is SolveStatus.OPTIMAL
    assert result.verification is not None
    assert result.verification.ok
    assert result.termination.objective == pytest.approx(expected, abs=1e-6)
    assert result.verification.objective == pytest.approx(expected, abs=1e-6)


def test_profiles_follow_the_three_series_forms() -> None:
    from allocator.case.loading import Source, build_case
    from allocator.formulation.choices import build_choices, profile

    case = build_case(
        {
            "name": "forms",
            "periods": ["A", "B", "C"],
            "projects": [
                {"id": "scalar", "value": 2, "start": {"earliest": "A", "latest": "B"}},
                {"id": "list", "value": [1, 5], "start": {"earliest": "B", "latest": "C"}},
                {"id": "map", "value": {"A": 7, "C": 3}},
            ],
        },
        Source("forms.yaml"),
    )
    choices = build_choices(case)
    assert choices.table[["project", "start", "length"]].values.tolist() == [
        ["scalar", "A", 3],
        ["scalar", "B", 2],
        ["list", "B", 2],
        ["list", "C", 1],
        ["map", "A", 3],
    ]
    choice, period, amount = profile(case, choices, "value")
    assert list(zip(choice.tolist(), period.tolist(), amount.tolist(), strict=True)) == [
        (0, 0, 2.0),
        (0, 1, 2.0),
        (0, 2, 2.0),
        (1, 1, 2.0),
        (1, 2, 2.0),
        (2, 1, 1.0),
        (2, 2, 5.0),
        (3, 2, 1.0),
        (4, 0, 7.0),
        (4, 2, 3.0),
    ]


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize(
    ("scenario", "objective", "funded"),
    [
        (None, 125, {"alpha", "gamma"}),
        ("lift-earmark", 185, {"alpha", "beta", "gamma"}),
        ("more-cash", 160, {"alpha", "beta"}),
    ],
)
def test_earmarked_funds_known_answers(backend, scenario, objective, funded) -> None:
    """docs/teaching-cases.md §3 derives these by hand."""
    case = allocator.load_case(CASES / "earmarked-funds.yaml", scenario=scenario)
    value, plan = solve(case, backend)
    assert value == pytest.approx(objective, abs=1e-6)
    assert set(plan) == funded


def _money_case(funding: list[dict[str, Any]], budget: dict[str, float], value: float) -> Case:
    """Two yearly periods; one project worth ``value`` once, costing 40 or 80 in Y1."""
    from allocator.case.loading import Source, build_case

    return build_case(
        {
            "name": "money",
            "periods": ["Y1", "Y2"],
            "periods_per_year": 1,
            "objective": "npv",
            "budget": {"carry_over": True, "amounts": budget},
            "funding": funding,
            "projects": [
                {"id": "p", "value": {"Y1": value}, "cost": {"Y1": 80 if value > 60 else 40}}
            ],
        },
        Source("money.yaml"),
    )


@pytest.mark.parametrize(
    ("limit", "rate", "objective"),
    [
        (50, 0.1, 6),  # draw 40 in Y1, pay 4 interest and repay 40 in Y2: 50 - 40 - 4
        (50, 0.3, 0),  # interest 12 would make it 50 - 40 - 12 < 0: not funded
        (30, 0.1, 0),  # the line cannot cover 40: not funded
    ],
)
def test_credit_line_bridges_a_period_at_its_interest(limit, rate, objective) -> None:
    case = _money_case(
        [{"id": "bank", "kind": "credit", "limit": limit, "rate": rate}], {"Y2": 100}, 50
    )
    value, plan = solve(case)
    assert value == pytest.approx(objective, abs=1e-6)
    assert set(plan) == ({"p"} if objective else set())


@pytest.mark.parametrize(
    ("divisible", "objective"),
    [
        (False, 10),  # take all 100: 110 - 80 - 0.2 * 100
        (True, 14),  # take exactly 80: 110 - 80 - 0.2 * 80
    ],
)
def test_optional_capital_costs_its_guaranteed_return(divisible, objective) -> None:
    source = {
        "id": "pe",
        "amounts": {"Y1": 100},
        "optional": True,
        "divisible": divisible,
        "guaranteed_return": 0.2,
    }
    case = _money_case([source], {"Y2": 50}, 110)
    value, plan = solve(case)
    assert value == pytest.approx(objective, abs=1e-6)
    assert set(plan) == {"p"}


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize(
    ("life", "block", "objective"),
    [
        # rent all three periods: 3 x 5 x 8 = 120; buy 5 in Y1 for 50, run them two periods
        # for 10 and rent Y3 for 40: 100 (or rent Y1 and buy in Y2: also 100): 200 - 100
        (2, 1, 100),
        # bought units serve all three periods: 50 + 3 x 5 x 1 = 65: 200 - 65
        (3, 1, 135),
        # ten at a time: 100 + 2 x 10 x 1 = 120 for two periods, worse than renting: 200 - 120
        (2, 10, 80),
    ],
)
def test_purchases_are_owned_for_their_life(backend, life, block, objective) -> None:
    from allocator.case.loading import Source, build_case

    case = build_case(
        {
            "name": "buy-or-rent",
            "periods": ["Y1", "Y2", "Y3"],
            "periods_per_year": 1,
            "objective": "npv",
            "resources": [{"id": "gpu"}],
            "supply": [
                {
                    "id": "buy",
                    "resource": "gpu",
                    "kind": "purchase",
                    "capacity": 100,
                    "unit_cost": 10,
                    "running_cost": 1,
                    "life": life,
                    "block": block,
                    "optional": True,
                },
                {
                    "id": "rent",
                    "resource": "gpu",
                    "kind": "contract",
                    "capacity": 100,
                    "unit_cost": 8,
                },
            ],
            "budget": {"amounts": 1000},
            "projects": [
                {"id": "p", "value": {"Y1": 200}, "demand": {"gpu": 5}, "must_fund": True}
            ],
        },
        Source("buy-or-rent.yaml"),
    )
    value, _ = solve(case, backend)
    assert value == pytest.approx(objective, abs=1e-6)


def _site_case(uses: bool) -> Case:
    from allocator.case.loading import Source, build_case

    return build_case(
        {
            "name": "site-and-uses",
            "periods": ["Y1"],
            "periods_per_year": 1,
            "objective": "npv",
            "resources": [{"id": "gpu", "power": 1.0}, {"id": "asic", "power": 0.5}],
            "sites": [{"id": "campus", "power": 10}],
            "supply": [
                {
                    "id": "home",
                    "resource": "gpu",
                    "capacity": 100,
                    "unit_cost": 1,
                    "site": "campus",
                },
                {"id": "cloud", "resource": "gpu", "capacity": 100, "unit_cost": 5},
                {
                    "id": "chips",
                    "resource": "asic",
                    "capacity": 100,
                    "unit_cost": 1,
                    "site": "campus",
                },
            ],
            "budget": {"amounts": 1000},
            "projects": [
                {
                    "id": "p",
                    "value": 100,
                    "demand": {"gpu": 15},
                    "must_fund": True,
                    **({"uses": {"gpu": {"gpu": 1.0, "asic": 0.5}}} if uses else {}),
                }
            ],
        },
        Source("site.yaml"),
    )


@pytest.mark.parametrize(
    ("uses", "objective"),
    [
        # the campus powers 10 GPUs at 1 each; 5 more come from the cloud at 5: 100 - 10 - 25
        (False, 65),
        # an asic serves half a unit of demand and draws 0.5 power: still 1 power per unit of
        # demand, at 2 a unit against 1 for a home GPU, so the plan is the same: 100 - 10 - 25
        (True, 65),
    ],
)
def test_site_power_limits_what_is_used_there(uses, objective) -> None:
    value, _ = solve(_site_case(uses))
    assert value == pytest.approx(objective, abs=1e-6)


def test_uses_lets_other_resources_serve_demand() -> None:
    from allocator.case.loading import Source, build_case

    case = build_case(
        {
            "name": "uses",
            "periods": ["Y1"],
            "periods_per_year": 1,
            "objective": "npv",
            "resources": [{"id": "gpu"}, {"id": "asic"}],
            "supply": [
                {"id": "gpus", "resource": "gpu", "capacity": 6, "unit_cost": 4},
                {"id": "asics", "resource": "asic", "capacity": 100, "unit_cost": 1},
            ],
            "budget": {"amounts": 1000},
            "projects": [
                # 10 GPU-equivalents: an asic serves 0.8 of one at cost 1 (1.25 per unit of
                # demand), cheaper than a GPU at 4: 10 / 0.8 = 12.5 asics: 100 - 12.5
                {
                    "id": "p",
                    "value": 100,
                    "demand": {"gpu": 10},
                    "must_fund": True,
                    "uses": {"gpu": {"gpu": 1.0, "asic": 0.8}},
                },
                # needs GPUs directly: 4 of them at 4
                {"id": "q", "value": 20, "demand": {"gpu": 4}},
            ],
        },
        Source("uses.yaml"),
    )
    value, plan = solve(case)
    assert value == pytest.approx(100 - 12.5 + 20 - 16, abs=1e-6)
    assert set(plan) == {"p", "q"}
