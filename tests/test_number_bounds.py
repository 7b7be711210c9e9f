"""Numbers no solver can take are refused when the case is read, at their path.

Each kind of quantity has a range (docs/case-format.md, §3 Bounds): a value just past
it is a problem at its own path; a value at it loads. The case below holds every
numeric key once, so each row changes one number of an otherwise valid case.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from allocator import CaseError, Problem, load_case
from allocator.case.types import (
    EFFICIENCY_RANGE,
    MAX_AMOUNT,
    MAX_FACTOR,
    MAX_PERIODS,
    MAX_PERIODS_PER_YEAR,
    MAX_RATE,
    MAX_SCORE,
    MIN_BLOCK,
)
from allocator.cli import app

EVERY_NUMBER: dict[str, Any] = {
    "name": "every-number",
    "periods": ["Y1", "Y2", "Y3"],
    "periods_per_year": 1,
    "discount_rate": 0.1,
    "resources": [{"id": "gpu", "power": 0.001}, {"id": "tpu"}],
    "sites": [{"id": "campus", "power": 10}],
    "supply": [
        {
            "id": "cloud",
            "resource": "gpu",
            "capacity": 100,
            "unit_cost": 1,
            "min_commit": 10,
            "fixed_cost": 5,
            "site": "campus",
        },
        {
            "id": "owned",
            "resource": "tpu",
            "kind": "purchase",
            "capacity": 50,
            "unit_cost": 2,
            "running_cost": 0.1,
            "block": 8,
            "life": 2,
        },
    ],
    "budget": {"amounts": 100, "min_cash": 1},
    "revenue": {"amounts": 10, "growth": 0.1},
    "funding": [
        {"id": "seed", "amounts": {"Y1": 50}, "guaranteed_return": 0.1, "optional": True},
        {"id": "bank", "kind": "credit", "limit": 40, "rate": 0.08},
    ],
    "projects": [
        {
            "id": "chat",
            "value": 20,
            "cost": 3,
            "revenue": 1,
            "demand": {"gpu": 40},
            "duration": 2,
            "score": 2,
            "uses": {"gpu": {"gpu": 1, "tpu": 0.5}},
        }
    ],
    "weights": {"objective": 1, "score": 10},
    "max_share": {"other": 1},
}

Change = dict[str, Any]
"""Dotted path (list items by id, as in problems) -> value."""

UP = 1.00001
"""How far past an upper bound "just past" is (visible in the six digits a message shows)."""


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    node: Any = data
    steps = path.replace("]", "").replace("[", ".").split(".")
    for position, step in enumerate(steps):
        last = position == len(steps) - 1
        if isinstance(node, list):
            step = next(i for i, item in enumerate(node) if item["id"] == step)
        if last:
            node[step] = value
        else:
            node = node[step]


def changed(changes: Change) -> dict[str, Any]:
    data = copy.deepcopy(EVERY_NUMBER)
    for path, value in changes.items():
        _set(data, path, value)
    return data


# (path, value at the bound, value just past it, fragment of the message, also changed)
BOUNDS = [
    # money
    ("projects[chat].value", MAX_AMOUNT, MAX_AMOUNT * UP, "too large; must be <= 1e+12", {}),
    ("projects[chat].cost", MAX_AMOUNT, MAX_AMOUNT * UP, "too large", {}),
    ("projects[chat].revenue", MAX_AMOUNT, MAX_AMOUNT * UP, "too large", {}),
    ("supply[cloud].unit_cost", MAX_AMOUNT, MAX_AMOUNT * UP, "too large", {}),
    ("supply[cloud].fixed_cost", MAX_AMOUNT, MAX_AMOUNT * UP, "too large", {}),
    ("supply[owned].running_cost", MAX_AMOUNT, MAX_AMOUNT * UP, "too large", {}),
    ("budget.amounts", MAX_AMOUNT, MAX_AMOUNT * UP, "too large", {}),
    ("budget.min_cash", MAX_AMOUNT, MAX_AMOUNT * UP, "too large", {}),
    ("revenue.amounts", MAX_AMOUNT, MAX_AMOUNT * UP, "too large", {"revenue.growth": 0}),
    ("funding[seed].amounts", MAX_AMOUNT, MAX_AMOUNT * UP, "too large", {}),
    ("funding[bank].limit", MAX_AMOUNT, MAX_AMOUNT * UP, "too large", {}),
    # units
    ("supply[cloud].capacity", MAX_AMOUNT, MAX_AMOUNT * UP, "too large", {}),
    (
        "supply[cloud].min_commit",
        MAX_AMOUNT,
        MAX_AMOUNT * UP,
        "too large",
        {"supply[cloud].capacity": MAX_AMOUNT},
    ),
    ("supply[owned].block", MAX_AMOUNT, MAX_AMOUNT * UP, "too large", {}),
    ("supply[owned].block", MIN_BLOCK, MIN_BLOCK / 2, "must be >= 1e-06", {}),
    (
        "projects[chat].demand.gpu",
        MAX_AMOUNT,
        MAX_AMOUNT * UP,
        "too large",
        {"projects[chat].uses": {}},
    ),
    # power
    ("resources[gpu].power", MAX_AMOUNT, MAX_AMOUNT * UP, "too large", {}),
    ("sites[campus].power", MAX_AMOUNT, MAX_AMOUNT * UP, "too large", {}),
    # efficiencies
    ("projects[chat].uses.gpu.tpu", EFFICIENCY_RANGE[1], 1.00001e6, "must be <= 1e+06", {}),
    ("projects[chat].uses.gpu.tpu", EFFICIENCY_RANGE[0], 9.9999e-7, "must be >= 1e-06", {}),
    # rates
    ("discount_rate", MAX_RATE, MAX_RATE * UP, "must be <= 10", {}),
    ("revenue.growth", MAX_RATE, MAX_RATE * UP, "must be <= 10", {}),
    ("funding[seed].guaranteed_return", MAX_RATE, MAX_RATE * UP, "must be <= 10", {}),
    ("funding[bank].rate", MAX_RATE, MAX_RATE * UP, "must be <= 10", {}),
    # weights and scores
    ("weights.objective", MAX_FACTOR, MAX_FACTOR * UP, "must be <= 1e+06", {}),
    ("weights.score", MAX_AMOUNT, MAX_AMOUNT * UP, "must be <= 1e+12", {}),
    ("weights.score", -MAX_AMOUNT, -MAX_AMOUNT * UP, "must be >= -1e+12", {}),
    ("projects[chat].score", MAX_SCORE, MAX_SCORE * UP, "must be <= 1e+06", {}),
    ("projects[chat].score", -MAX_SCORE, -MAX_SCORE * UP, "must be >= -1e+06", {}),
    # periods
    ("periods_per_year", MAX_PERIODS_PER_YEAR, MAX_PERIODS_PER_YEAR + 1, "must be <= 8784", {}),
    ("supply[owned].life", MAX_PERIODS, MAX_PERIODS + 1, "must be <= 1000000", {}),
    # a duration at its bound would outrun any horizon a test can hold: the horizon's 3 here
    ("projects[chat].duration", 3, MAX_PERIODS + 1, "must be <= 1000000", {}),
]


LABELS = [f"{path}={bound:g}" for path, bound, *_ in BOUNDS]


@pytest.fixture
def problems_in(write_case: Callable[..., Path]) -> Callable[..., list[Problem]]:
    def problems(data: Any, name: str = "case.yaml", files: dict | None = None) -> list[Problem]:
        with pytest.raises(CaseError) as caught:
            load_case(write_case(data, name, files))
        return caught.value.problems

    return problems


def test_the_case_with_every_number_loads(load) -> None:
    case = load(EVERY_NUMBER)
    assert case.projects[0].uses["gpu"]["tpu"] == 0.5


@pytest.mark.parametrize(("path", "bound", "past", "fragment", "also"), BOUNDS, ids=LABELS)
def test_a_number_just_past_its_bound_is_refused_at_its_path(
    problems_in, path, bound, past, fragment, also
) -> None:
    problems = problems_in(changed({**also, path: past}))
    assert [p.path for p in problems] == [path], problems
    assert fragment in problems[0].message
    assert problems[0].line is not None


@pytest.mark.parametrize(("path", "bound", "past", "fragment", "also"), BOUNDS, ids=LABELS)
def test_a_number_at_its_bound_loads(load, path, bound, past, fragment, also) -> None:
    load(changed({**also, path: bound}))


@pytest.mark.parametrize("form", ["list", "map"])
def test_every_entry_of_a_series_is_bounded(problems_in, form) -> None:
    series = [1, MAX_AMOUNT * 10] if form == "list" else {"Y1": 1, "Y2": MAX_AMOUNT * 10}
    problems = problems_in(changed({"projects[chat].cost": series}))
    where = "projects[chat].cost[1]" if form == "list" else "projects[chat].cost.Y2"
    assert [(p.path, p.message) for p in problems] == [
        (where, "number 1e+13 is too large; must be <= 1e+12")
    ]


def test_a_growth_that_compounds_revenue_past_the_bound_is_refused(problems_in) -> None:
    # 1e11 growing tenfold a year: 1e13 in Y3
    problems = problems_in(changed({"revenue.amounts": 1e11, "revenue.growth": 9}))
    assert [p.path for p in problems] == ["revenue.growth"]
    assert "beyond 1e+12" in problems[0].message


def test_a_growth_that_stays_within_the_bound_loads(load) -> None:
    # a large amount early, none later: growth never takes it past the bound
    load(changed({"revenue.amounts": [MAX_AMOUNT, 0], "revenue.growth": 9}))


def test_a_number_past_its_bound_in_a_csv_table_is_refused_at_its_row(problems_in) -> None:
    data = changed({})
    data["supply"] = {"csv": "supply.csv"}
    table = "id,resource,capacity\ncloud,gpu,100\nowned,tpu,1e13\n"
    problems = problems_in(data, files={"supply.csv": table})
    assert [(Path(p.file).name, p.line, p.path) for p in problems] == [
        ("supply.csv", 3, "supply[owned].capacity")
    ]
    assert "too large; must be <= 1e+12" in problems[0].message


# --- scenarios: the factor itself, and what the changes make -----------------------------


def _with_scenario(*changes: dict[str, Any]) -> dict[str, Any]:
    data = changed({})
    data["scenarios"] = {"wild": {"changes": list(changes)}}
    return data


def test_a_huge_scale_is_refused_at_the_scenario(problems_in) -> None:
    problems = problems_in(_with_scenario({"path": "supply[cloud].capacity", "scale": 1e300}))
    assert [p.path for p in problems] == ["scenarios.wild.changes[0].scale"]
    assert "too large; must be <= 1e+06" in problems[0].message


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"path": "projects[chat].score", "scale": MAX_FACTOR}, "projects[chat].score"),
        ({"path": "projects[chat].value", "add": MAX_AMOUNT}, "projects[chat].value"),
        ({"path": "funding[bank].rate", "set": 11}, "funding[bank].rate"),
        ({"path": "projects[chat].uses.gpu.tpu", "scale": 1e-7}, "projects[chat].uses.gpu.tpu"),
        ({"path": "budget.amounts", "set": {"Y2": 1e13}}, "budget.amounts.Y2"),
    ],
    ids=["scale", "add", "set", "tiny-efficiency", "set-map"],
)
def test_a_scenario_that_makes_a_number_too_large_is_refused(problems_in, change, where) -> None:
    problems = problems_in(_with_scenario(change))
    assert [p.path for p in problems] == ["scenarios.wild"]
    assert problems[0].message.startswith(f"leaves {where} invalid: number ")


def test_two_changes_within_their_bounds_that_make_a_number_too_large_are_refused(
    problems_in,
) -> None:
    problems = problems_in(
        _with_scenario(
            {"path": "supply[cloud].capacity", "set": 1e7},
            {"path": "supply[cloud].capacity", "scale": MAX_FACTOR},
        )
    )
    assert [(p.path, p.message) for p in problems] == [
        (
            "scenarios.wild",
            "leaves supply[cloud].capacity invalid: number 1e+13 is too large; must be <= 1e+12",
        )
    ]


def test_a_scenario_at_the_bounds_loads(load) -> None:
    data = _with_scenario(
        {"path": "supply[cloud].capacity", "set": 1e6},
        {"path": "supply[cloud].capacity", "scale": MAX_FACTOR},
        {"path": "projects[chat].value", "add": MAX_AMOUNT - 20},
    )
    case = load(data, scenario="wild")
    assert case.supply[0].capacity == MAX_AMOUNT
    assert case.projects[0].value == MAX_AMOUNT


# --- the command line: exit 2, the problem's place, nothing written ----------------------


def test_solve_refuses_a_capacity_of_1e308_with_exit_2_and_writes_nothing(
    write_case, tmp_path
) -> None:
    data = changed({"supply[cloud].capacity": 1e308})
    path = write_case(data)
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(app, ["solve", str(path), "--json", str(out)])
    assert result.exit_code == 2, result.output
    lines = path.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "e+308" in text)
    expected = f"{path}:{line}: supply[cloud].capacity: number 1e+308 is too large"
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert result.stdout == ""
