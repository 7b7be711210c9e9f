"""``allocator frontier``: money scaled over a range, each point solved, checked and compared."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from allocator import Case, load_case, verify
from allocator.analysis.frontier import (
    factors,
    frontier,
    scale_money,
    scaled_money,
)
from allocator.analysis.runner import Runner
from allocator.backends import BACKENDS
from allocator.case.series import calendar_values
from allocator.cli import app
from allocator.generate import generate_case

CASES = Path(__file__).resolve().parent.parent / "cases"
WIDTH = {"COLUMNS": "80"}
CBC = Runner(backend="pulp", gap=0)


def one_period(projects: list[dict[str, Any]], budget: float, **extra: Any) -> Case:
    """A one-period case with no supply: projects compete for the budget alone."""
    data = {"name": "hand-made", "periods": ["Y1"], "periods_per_year": 1}
    data |= {"budget": {"amounts": budget}, "projects": projects} | extra
    return Case.model_validate(data)


TWO = one_period(
    [{"id": "a", "value": 40, "cost": 30}, {"id": "b", "value": 45, "cost": 50}], budget=60
)
"""Costs 30 and 50, values 40 and 45, budget 60: at x0.5 (30) only a fits (40); at x1
(60) one of them, b is worth more (45); at x1.5 (90) both (85)."""


def plain(points: pd.DataFrame) -> list[dict[str, Any]]:
    return points.drop(columns=["funded_ids"]).to_dict(orient="records")


# --- the points, by hand ---------------------------------------------------------------


def test_two_projects_by_hand() -> None:
    result = frontier(TWO, runner=CBC, start=0.5, stop=1.5, steps=3, workers=1)
    points = result.points
    assert list(points["factor"]) == [0.5, 1.0, 1.5]
    assert list(points["money"]) == pytest.approx([30, 60, 90])
    assert list(points["status"]) == ["optimal"] * 3
    assert list(points["objective"]) == pytest.approx([40, 45, 85])
    assert list(points["funded"]) == [1, 1, 2]
    assert [list(ids) for ids in points["funded_ids"]] == [["a"], ["b"], ["a", "b"]]
    assert pd.isna(points["marginal"].iloc[0])
    assert list(points["marginal"].iloc[1:]) == pytest.approx([5 / 30, 40 / 30])
    moves = result.moves[["from_factor", "to_factor", "project", "move"]]
    assert moves.to_records(index=False).tolist() == [
        (0.5, 1.0, "a", "left"),
        (0.5, 1.0, "b", "entered"),
        (1.0, 1.5, "a", "entered"),
    ]
    assert set(result.moves["level"]) == {"full"}
    # the curve bends upward (40, 45, 85): no point lies above the line, so no knee
    assert result.knee is None
    assert not points["knee"].any()
    assert result.falls.empty
    assert result.monotone_expected
    assert result.scaled == ("budget.amounts",)


def test_point_at_one_equals_the_plain_solve() -> None:
    case = load_case(CASES / "capital-rationing.yaml")
    result = frontier(case, runner=CBC, start=0.5, stop=1.5, steps=5, workers=1)
    at_one = result.points.set_index("factor").loc[1.0]
    plain_solve = CBC.solve(case)
    assert at_one["objective"] == pytest.approx(plain_solve.termination.objective)
    assert at_one["objective"] == pytest.approx(28)  # docs/teaching-cases.md
    assert at_one["money"] == pytest.approx(30)  # 20 + 10, no carry-over


def test_the_knee_by_construction() -> None:
    """Six projects costing 10: four worth 50, two worth 1. Each step of 10 of money
    funds one more: 50, 100, 150, 200, then 201, 202; the knee is the fourth (money 40)."""
    values = [50, 50, 50, 50, 1, 1]
    projects = [{"id": f"p{i}", "value": v, "cost": 10} for i, v in enumerate(values)]
    case = one_period(projects, budget=40)
    result = frontier(case, runner=CBC, start=0.25, stop=1.5, steps=6, workers=1)
    assert list(result.points["money"]) == pytest.approx([10, 20, 30, 40, 50, 60])
    assert list(result.points["objective"]) == pytest.approx([50, 100, 150, 200, 201, 202])
    knee = result.knee
    assert knee is not None
    assert (knee.factor, knee.money, knee.objective) == pytest.approx((1.0, 40, 200))
    assert knee.before == pytest.approx(150 / 30)  # 5 of value per unit of money up to it
    assert knee.after == pytest.approx(2 / 20)  # 0.1 past it
    assert result.points.loc[result.points["knee"], "factor"].tolist() == [1.0]
    assert list(result.points["marginal"].iloc[1:]) == pytest.approx([5, 5, 5, 0.1, 0.1])


def test_infeasible_points_keep_their_status() -> None:
    """A must-fund project costing 50 does not fit 30 (x0.5)."""
    case = one_period(
        [
            {"id": "core", "value": 10, "cost": 50, "must_fund": True},
            {"id": "extra", "value": 30, "cost": 20},
        ],
        budget=60,
    )
    result = frontier(case, runner=CBC, start=0.5, stop=1.5, steps=3, workers=1)
    points = result.points
    assert list(points["status"]) == ["infeasible", "optimal", "optimal"]
    assert pd.isna(points["objective"].iloc[0])
    assert points["funded"].iloc[0] is None
    assert list(points["objective"].iloc[1:]) == pytest.approx([10, 40])
    assert pd.isna(points["marginal"].iloc[1])  # nothing to compare with
    assert result.results[0].plan is None
    assert result.moves[["from_factor", "to_factor", "project", "move"]].values.tolist() == [
        [1.0, 1.5, "extra", "entered"]
    ]
    assert result.falls.empty  # gaining a plan as money rises is no fall
    assert result.knee is None  # two points with a plan


def test_every_plan_passed_the_checker_and_pool_matches_in_process() -> None:
    case = load_case(CASES / "take-or-pay.yaml")
    alone = frontier(case, runner=CBC, start=0.2, stop=1.0, steps=4, workers=1)
    pooled = frontier(case, runner=CBC, start=0.2, stop=1.0, steps=4, workers=2)
    pd.testing.assert_frame_equal(alone.points, pooled.points)
    pd.testing.assert_frame_equal(alone.moves, pooled.moves)
    assert alone.knee == pooled.knee
    for result in (*alone.results, *pooled.results):
        assert result.plan is not None
        assert result.verification is not None
        assert result.verification.ok
        assert verify(result.case, result.plan).ok  # checked again, against its own case
        assert result.formulation is None  # the results travel light


def test_done_is_called_once_per_point_with_the_factor() -> None:
    seen: list[str] = []
    frontier(TWO, runner=CBC, start=0.5, stop=1.5, steps=3, workers=1, done=seen.append)
    assert sorted(seen) == ["x0.5", "x1", "x1.5"]  # as each finishes: x1 needs no solve


# --- monotone -------------------------------------------------------------------------


@st.composite
def small_cases(draw: st.DrawFn) -> Case:
    periods = ["Y1", "Y2"][: draw(st.integers(1, 2))]
    money = st.integers(0, 40)
    projects = [
        {
            "id": f"p{i}",
            "value": draw(st.integers(0, 30)),
            "cost": [draw(money) for _ in periods],
            "must_fund": i == 0 and draw(st.booleans()),
        }
        for i in range(draw(st.integers(2, 4)))
    ]
    funding = []
    if draw(st.booleans()):
        funding.append({"id": "round", "amounts": {periods[-1]: draw(st.integers(1, 30))}})
    if draw(st.booleans()):
        funding.append(
            {"id": "pe", "amounts": draw(st.integers(1, 20)), "optional": True,
             "divisible": True, "guaranteed_return": 0.2}
        )  # fmt: skip
    data = {
        "name": "random",
        "periods": periods,
        "periods_per_year": 1,
        "objective": draw(st.sampled_from(["value", "npv"])),
        "budget": {
            "carry_over": draw(st.booleans()),
            "amounts": [draw(money) + 1 for _ in periods],
        },
        "funding": funding,
        "projects": projects,
    }
    return Case.model_validate(data)


@settings(max_examples=6)
@given(case=small_cases())
def test_more_money_never_lowers_the_optimum(case: Case) -> None:
    result = frontier(case, runner=CBC, start=0.5, stop=2.0, steps=4, workers=1)
    assert result.monotone_expected
    assert result.falls.empty, result.points
    objectives = result.points["objective"].tolist()
    have = [o for o in objectives if not pd.isna(o)]
    assert all(b >= a - 1e-6 * max(1, abs(a)) for a, b in itertools.pairwise(have))
    # once a point has a plan, every richer point has one
    first = next((i for i, o in enumerate(objectives) if not pd.isna(o)), len(objectives))
    assert all(not pd.isna(o) for o in objectives[first:])


COSTLY = Case.model_validate(
    {
        "name": "costly-money",
        "periods": ["Y1", "Y2"],
        "periods_per_year": 1,
        "objective": "npv",
        "budget": {"amounts": {"Y1": 10}},
        "funding": [{"id": "pe", "amounts": {"Y1": 20}, "guaranteed_return": 0.5}],
        "projects": [{"id": "p", "value": {"Y1": 100}, "cost": {"Y1": 5}}],
    }
)


def test_a_guaranteed_return_taken_whole_can_make_more_money_worth_less() -> None:
    """npv: the tranche must be taken and costs half of itself a year later; the
    project needs none of it, so doubling the tranche doubles a pure cost."""
    case = COSTLY
    result = frontier(case, runner=CBC, start=1.0, stop=2.0, steps=2, workers=1, source="pe")
    assert not result.monotone_expected
    assert "pe" in result.monotone_caveat
    assert list(result.points["objective"]) == pytest.approx([100 - 5 - 10, 100 - 5 - 20])
    assert result.falls[["from_factor", "to_factor"]].values.tolist() == [[1.0, 2.0]]
    assert bool(result.falls["proven"].iloc[0])


# --- what is scaled -------------------------------------------------------------------

MONEY = Case.model_validate(
    {
        "name": "money",
        "periods": ["Q1", "Q2", "Q3"],
        "resources": [{"id": "gpu"}],
        "supply": [{"id": "cloud", "resource": "gpu", "capacity": 10, "unit_cost": 1}],
        "budget": {"amounts": [10, 4], "min_cash": 1},
        "revenue": {"amounts": 7},
        "funding": [
            {"id": "seed", "amounts": 2},
            {"id": "round", "amounts": {"Q2": 30}, "optional": True},
            {"id": "vendor", "amounts": {"Q1": 50}, "earmark": "cloud"},
            {"id": "bank", "kind": "credit", "limit": 100},
        ],
        "projects": [{"id": "p", "value": 1}],
    }
)


def scaled_by_frontier(case: Case, source: str | None = None) -> tuple[str, ...]:
    """What a frontier of ``case`` says it scaled (two points, solved in this process)."""
    return frontier(case, runner=CBC, start=1.0, stop=2.0, steps=2, source=source, workers=1).scaled


def test_all_unrestricted_money_is_the_budget_and_unearmarked_equity() -> None:
    scaled = scale_money(MONEY, 1.5)
    assert scaled.budget.amounts == [15, 6]  # a list stays a list
    by_id = {f.id: f for f in scaled.funding}
    assert by_id["seed"].amounts == 3  # a scalar stays a scalar
    assert by_id["round"].amounts == {"Q2": 45}  # a map stays a map
    assert by_id["vendor"] == MONEY.funding[2]  # earmarked: unchanged
    assert by_id["bank"] == MONEY.funding[3]  # credit: unchanged
    assert scaled.revenue == MONEY.revenue
    assert scaled.budget.min_cash == 1
    assert MONEY.budget.amounts == [10, 4]  # the case itself is unchanged
    assert scaled_by_frontier(MONEY) == (
        "budget.amounts",
        "funding[seed]",
        "funding[round]",
    )
    # budget 10 + 4 + 4, seed 2 in each of three periods, round 30
    assert scaled_money(MONEY) == pytest.approx(18 + 6 + 30)
    assert scaled_money(scaled) == pytest.approx(1.5 * 54)
    total = sum(calendar_values(scaled.budget.amounts, scaled.periods))
    assert total == pytest.approx(27)


def test_one_named_source() -> None:
    only = scale_money(MONEY, 2.0, source="vendor")
    assert only.budget == MONEY.budget
    assert {f.id: f.amounts for f in only.funding}["vendor"] == {"Q1": 100}
    assert {f.id: f.amounts for f in only.funding}["seed"] == 2
    assert scaled_by_frontier(MONEY, "vendor") == ("funding[vendor]",)
    budget = scale_money(MONEY, 2.0, source="budget")
    assert budget.budget.amounts == [20, 8]
    assert budget.funding == MONEY.funding
    named = Case.model_validate(
        MONEY.model_dump(mode="json", exclude_none=True)
        | {"funding": [{"id": "budget", "amounts": 5}]}
    )
    assert scaled_by_frontier(named, "budget") == ("funding[budget]",)  # a funding id comes first


@pytest.mark.parametrize(
    ("source", "message"),
    [("nope", "no funding source named 'nope'"), ("bank", "credit line")],
)
def test_bad_sources_are_refused(source: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        frontier(MONEY, runner=CBC, source=source, workers=1)


def test_nothing_to_scale_is_refused() -> None:
    case = one_period([{"id": "p", "value": 1}], budget=0)
    with pytest.raises(ValueError, match="nothing to scale"):
        frontier(case, runner=CBC, workers=1)


@pytest.mark.parametrize(
    ("start", "stop", "steps", "message"),
    [
        (0.0, 1.0, 3, "start above 0"),
        (-1.0, 1.0, 3, "start above 0"),
        (1.0, 1.0, 3, "end above its start"),
        (1.0, 0.5, 3, "end above its start"),
        (0.5, 1.5, 1, "at least 2 points"),
    ],
)
def test_bad_ranges_are_refused(start: float, stop: float, steps: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        factors(start, stop, steps)


def test_factors_are_evenly_spaced_and_rounded() -> None:
    assert factors(0.5, 1.5, 11) == [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5]
    assert factors(1.0, 2.0, 2) == [1.0, 2.0]


# --- the command line -----------------------------------------------------------------


def run(*args: str | Path):
    return CliRunner().invoke(app, ["frontier", *map(str, args)], env=WIDTH)


def test_cli_report_fits_80_columns() -> None:
    result = run(CASES / "capital-rationing.yaml", "--backend", "pulp", "--steps", "5")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    for part in ("Value against money (USD_M)", "budget.amounts", "knee", "x1.0", "28"):
        assert part in result.output
    assert "As money rises" in result.output


def test_cli_report_names_at_most_forty_ids_a_line(tmp_path: Path) -> None:
    """A generated case of 150 projects funds more than 40 at x0.5: the report names 40
    and counts the rest; the JSON names every one."""
    case = tmp_path / "many.json"
    case.write_text(json.dumps(generate_case(150, seed=1)))
    out = tmp_path / "frontier.json"
    result = run(case, "--steps", "2", "--change", "any", "--gap", "0.01", "--json", out)
    assert result.exit_code == 0, result.output
    funded = json.loads(out.read_text())["points"][0]["funded_ids"]
    assert len(funded) > 40
    words = " ".join(result.output.split())
    assert f"... and {len(funded) - 40} projects more (see --json)" in words
    assert all(len(line) <= 80 for line in result.output.splitlines())


def test_cli_json_to_stdout_has_the_points(tmp_path: Path) -> None:
    case = tmp_path / "two.yaml"
    case.write_text(json.dumps(TWO.model_dump(mode="json", exclude_none=True)))
    result = run(case, "--backend", "pulp", "--steps", "3", "--workers", "2", "--json", "-")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [p["objective"] for p in document["points"]] == pytest.approx([40, 45, 85])
    assert [p["funded_ids"] for p in document["points"]] == [["a"], ["b"], ["a", "b"]]
    assert document["scaled"] == ["budget.amounts"]
    assert document["knee"] is None
    assert document["monotone_expected"] is True
    assert document["checked"] is True
    assert {m["project"] for m in document["moves"]} == {"a", "b"}
    assert len(document["case"]["sha256"]) == 64


def test_cli_budget_source_and_credit_line() -> None:
    result = run(
        CASES / "take-or-pay.yaml", "--backend", "pulp", "--source", "budget", "--steps", "2"
    )
    assert result.exit_code == 0, result.output
    result = run(CASES / "frontier-lab-2026.yaml", "--source", "bank-credit")
    assert result.exit_code == 2
    assert "credit line" in result.output


def test_cli_flags_a_fall(tmp_path: Path) -> None:
    """The report says when more money lowered the optimum, and why it may."""
    case = tmp_path / "costly.yaml"
    case.write_text(json.dumps(COSTLY.model_dump(mode="json", exclude_none=True)))
    result = run(case, "--backend", "pulp", "--from", "1", "--to", "2", "--steps", "2")
    assert result.exit_code == 0, result.output
    assert "Where more money gave a lower optimum" in result.output
    assert "guaranteed return" in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80


@pytest.mark.parametrize(
    "args",
    [
        ["--source", "nope"],
        ["--from", "0"],
        ["--from", "1.2", "--to", "1.0"],
        ["--steps", "1"],
        ["--workers", "0"],
        ["--backend", "nope"],
    ],
)
def test_cli_bad_input_exits_2(args: list[str]) -> None:
    result = run(CASES / "take-or-pay.yaml", "--backend", "pulp", *args)
    assert result.exit_code == 2, result.output


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_capital_rationing_frontier_on_both_backends(backend: str) -> None:
    """docs/teaching-cases.md §1: budgets 15 / 7.5 give A+C (21), 20 / 10 give A+C+D (28),
    and 25 / 12.5 give A+C+D+E (33: outlays 24 and 9; A+B+C+D needs 13 in Y2)."""
    case = load_case(CASES / "capital-rationing.yaml")
    found = frontier(
        case, runner=Runner(backend=backend, gap=0), start=0.75, stop=1.25, steps=3, workers=1
    )
    assert found.points["objective"].tolist() == pytest.approx([21, 28, 33])
    assert found.points["money"].tolist() == pytest.approx([22.5, 30, 37.5])
