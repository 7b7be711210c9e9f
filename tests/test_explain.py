"""``allocator explain``: infeasible cases whose minimal fix is known, on both backends.

Each case below is infeasible for one reason, and the cheapest change is derived by
hand in its docstring; the explanation must name it, with the right amount, and the
conflict set must hold exactly the limits that clash.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from allocator.analysis.runner import Runner
from allocator.backends import BACKENDS
from allocator.case.model import Case
from allocator.cli import app
from allocator.explain import explain

WIDTH = {"COLUMNS": "80"}


def build(**data: Any) -> Case:
    base = {"name": "infeasible", "periods": ["Q1", "Q2"]}
    return Case.model_validate(base | data)


GPU_SHORT = build(
    resources=[{"id": "gpu"}],
    supply=[{"id": "cloud", "resource": "gpu", "capacity": 100, "unit_cost": 1}],
    budget={"amounts": 1000},
    projects=[
        {"id": "training-next", "value": 10, "demand": {"gpu": 120}, "must_fund": True,
         "start": "Q2", "duration": 1},
        {"id": "chat", "value": 5, "demand": {"gpu": 30}},
    ],
)  # fmt: skip
"""training-next must run in Q2 on 120 GPUs; the only supply offers 100: 20 short."""

BUDGET_SHORT = build(
    budget={"amounts": 10, "carry_over": False},
    projects=[{"id": "a", "value": 5, "cost": 20, "must_fund": True}],
)
"""a costs 20 a quarter, each quarter brings 10 and nothing carries over: 10 short in each."""

RESERVE_SHORT = build(
    budget={"amounts": {"Q1": 100}, "min_cash": 50},
    projects=[{"id": "a", "value": 5, "cost": {"Q1": 80}, "must_fund": True}],
)
"""100 arrives, a spends 80, the reserve is 50: cash ends Q1 at 20, 30 short (and Q2 too)."""

COMMITMENT_SHORT = build(
    resources=[{"id": "gpu"}],
    supply=[{"id": "reserved", "resource": "gpu", "capacity": 100, "unit_cost": 1,
             "min_commit": 60}],
    budget={"amounts": {"Q1": 100}},
    projects=[{"id": "a", "value": 5, "demand": {"gpu": 10}}],
)  # fmt: skip
"""The signed contract costs at least 60 a quarter (120 in all); 100 arrives: cash is 20
short by Q2. Breaking the commitment is weighed harder than a cash shortfall."""


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize(
    ("case", "fixes", "conflict"),
    [
        (
            GPU_SHORT,
            {("demand", "gpu", "Q2"): 20},
            {("one_choice", "training-next"), ("capacity", "cloud"), ("demand", "gpu")},
        ),
        (
            BUDGET_SHORT,
            {("budget", "", "Q1"): 10, ("budget", "", "Q2"): 10},
            {("one_choice", "a"), ("budget", "")},
        ),
        (
            RESERVE_SHORT,
            {("cash", "", "Q1"): 30, ("cash", "", "Q2"): 30},
            {("one_choice", "a"), ("cash", "")},
        ),
        (COMMITMENT_SHORT, {("cash", "", "Q2"): 20}, {("take_or_pay", "reserved"), ("cash", "")}),
    ],
    ids=["gpu", "budget", "reserve", "commitment"],
)
def test_the_minimal_fix_is_named_with_its_amount(backend, case, fixes, conflict) -> None:
    found = explain(case, runner=Runner(backend=backend, gap=0))
    assert not found.feasible
    named = {(r.family, r.subject, r.period): r.amount for r in found.changes.itertuples()}
    assert named == pytest.approx(fixes)
    limits = {(r.family, r.subject) for r in found.conflict.itertuples()}
    assert limits == conflict
    assert found.minimal


def test_the_words_name_the_case_ids_and_paths() -> None:
    found = explain(GPU_SHORT, runner=Runner(backend="pulp", gap=0))
    assert found.changes["text"].tolist() == [
        "gpu in Q2: projects need 20 more units than all supply can deliver "
        "(needed by training-next)"
    ]
    assert set(found.conflict["path"]) == {
        "projects[training-next].must_fund",
        "supply[cloud].capacity",
        "projects[].demand.gpu",
    }


def test_a_feasible_case_has_nothing_to_explain() -> None:
    feasible = build(budget={"amounts": 100}, projects=[{"id": "a", "value": 5, "cost": 20}])
    found = explain(feasible, runner=Runner(backend="pulp", gap=0))
    assert found.feasible
    assert found.changes.empty


def test_cli_explains_and_solve_points_to_it(tmp_path) -> None:
    path = tmp_path / "short.json"
    path.write_text(json.dumps(GPU_SHORT.model_dump(mode="json", exclude_defaults=True)))
    runner = CliRunner()
    shown = runner.invoke(app, ["explain", str(path), "--backend", "pulp"], env=WIDTH)
    assert shown.exit_code == 0, shown.output
    assert "20 more units" in shown.output
    assert "[supply[cloud].capacity]" in shown.output
    assert max(len(line) for line in shown.output.splitlines()) <= 80
    solved = runner.invoke(app, ["solve", str(path), "--json", "-"], env=WIDTH)
    assert solved.exit_code == 3
    assert f"run `allocator explain {path}` to see why" in " ".join(solved.output.split())
    document = json.loads(solved.stdout)
    assert document["status"] == "infeasible"
    assert document["explanation"]["changes"][0]["amount"] == pytest.approx(20)


HUGE_NEIGHBOUR = build(
    resources=[{"id": "gpu"}],
    supply=[{"id": "cloud", "resource": "gpu", "capacity": 100, "unit_cost": 1}],
    budget={"amounts": {"Q1": 50, "Q2": 20}},
    projects=[
        {"id": "chat", "value": 14, "cost": {"Q1": 12}, "demand": {"gpu": 40}, "must_fund": True},
        {"id": "moonshot", "value": 5, "cost": 22_500_000, "demand": {"gpu": 10}},
    ],
)
"""chat spends 12 + 40 in Q1 against 50: cash is 2 short. moonshot, never funded, puts
22,500,000 in the same cash rows; a shortfall is judged against what the row adds up
at the solution, not against that coefficient, so the 2 is still reported."""


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_a_huge_coefficient_elsewhere_in_a_row_does_not_hide_a_shortfall(backend) -> None:
    found = explain(HUGE_NEIGHBOUR, runner=Runner(backend=backend, gap=0))
    assert not found.feasible
    assert ("one_choice", "chat") in {(r.family, r.subject) for r in found.conflict.itertuples()}
