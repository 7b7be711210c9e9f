"""Opportunity costs, marginal values and scenario comparison against hand-derived numbers.

The teaching cases are priced by hand in docs/teaching-cases.md: capital rationing
(§1, every portfolio's value and outlays) and take-or-pay (§2, all 16 plans). Each
number below is read from those tables; both backends must give it to 1e-6, and
every plan made inside an analysis has passed the independent checker.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

import allocator
from allocator.analysis.compare import compare
from allocator.analysis.marginals import marginals
from allocator.analysis.opportunity import opportunity
from allocator.analysis.runner import Runner
from allocator.backends import BACKENDS
from allocator.cli import app

CASES = Path(__file__).resolve().parent.parent / "cases"
WIDTH = {"COLUMNS": "80"}


def case(name: str) -> allocator.Case:
    return allocator.load_case(CASES / f"{name}.yaml")


def all_checked(results: list[allocator.Result]) -> bool:
    return all(
        r.plan is None or (r.verification is not None and r.verification.ok) for r in results
    )


# -- opportunity ------------------------------------------------------------------------------

# capital rationing (optimum A+C+D = 28): without alpha the best is B+C+D (26); without
# charlie or delta, A+B+E (27); forcing bravo or echo in, A+B+E (27).
RATIONING = {
    ("alpha", "out"): -2,
    ("charlie", "out"): -1,
    ("delta", "out"): -1,
    ("bravo", "in at full"): -1,
    ("echo", "in at full"): -1,
}
# take-or-pay (optimum 350): without batch 340, without launch 280, without chat 0.
TAKE_OR_PAY = {("chat", "out"): -350, ("batch", "out"): -10, ("launch", "out"): -70}


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize(
    ("name", "expected"), [("capital-rationing", RATIONING), ("take-or-pay", TAKE_OR_PAY)]
)
def test_opportunity_costs_match_the_hand_derived_tables(backend, name, expected) -> None:
    found = opportunity(case(name), runner=Runner(backend=backend, gap=0), workers=1)
    changes = {(r.project, r.forced): r.change for r in found.table.itertuples()}
    assert changes == pytest.approx(expected, abs=1e-6)
    assert all_checked(found.results)


def test_opportunity_names_what_else_changes_and_runs_in_worker_processes() -> None:
    found = opportunity(
        case("take-or-pay"), runner=Runner(backend="pulp", gap=0), projects=["batch"], workers=2
    )
    texts = found.changes["text"].tolist()
    # without batch, Q2 needs 90 GPUs: all from the contract, none from spot
    assert "spot: units paid for 10 -> 0 in Q2; 10 -> 0 unit-periods in all" in texts
    assert found.table["project"].tolist() == ["batch"]


def test_a_must_fund_project_forced_out_is_infeasible() -> None:
    found = opportunity(
        case("frontier-lab-2026"),
        runner=Runner(backend="pulp", gap=0),
        projects=["chat"],
        workers=1,
    )
    assert found.table["status"].tolist() == ["infeasible"]


def test_unknown_project_is_refused() -> None:
    with pytest.raises(ValueError, match="no project named 'nope'"):
        opportunity(
            case("take-or-pay"),
            runner=Runner(backend="pulp", gap=0),
            projects=["nope"],
            workers=1,
        )


# -- marginals --------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_marginal_values_of_take_or_pay(backend) -> None:
    """The plan signs the contract and funds all three. In Q2 the contract is full (100)
    and spot serves 10 at 5: a free GPU in Q2 saves 5, a contract GPU saves 5 - 2 = 3.
    Capacity +5% (105 each): 5 spot GPUs move to the contract, +15. Capacity -5% (95):
    keeping batch would cost 15 more, dropping it costs 10 (340 against 350). Money
    never binds, so the budget steps change nothing."""
    found = marginals(case("take-or-pay"), runner=Runner(backend=backend, gap=0), workers=1)
    duals = {(r.limit, r.subject, r.period): r.value for r in found.duals.itertuples()}
    assert duals[("free unit of resource", "gpu", "Q2")] == pytest.approx(5)
    assert duals[("contract capacity", "reserved", "Q2")] == pytest.approx(3)
    steps = {(r.lever, r.subject or r.period, r.step): r.change for r in found.steps.itertuples()}
    assert steps == pytest.approx(
        {
            ("budget", "Q1", 0.05): 0,
            ("budget", "Q1", -0.05): 0,
            ("budget", "Q2", 0.05): 0,
            ("budget", "Q2", -0.05): 0,
            ("capacity", "gpu", 0.05): 15,
            ("capacity", "gpu", -0.05): -10,
        },
        abs=1e-6,
    )
    down = found.steps[(found.steps["lever"] == "capacity") & (found.steps["step"] < 0)]
    assert down["portfolio"].tolist() == ["batch: full from Q1 -> off"]
    assert all_checked(found.results)


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_budget_steps_of_capital_rationing(backend) -> None:
    """Y1 budget 21 lets A+B+C (31) in: +3; 19, 10.5 and 9.5 keep A+C+D (28). With every
    project fixed, no continuous decision is left, so no limit has a marginal value."""
    found = marginals(case("capital-rationing"), runner=Runner(backend=backend, gap=0), workers=1)
    steps = {(r.period, r.step): r.change for r in found.steps.itertuples()}
    assert steps == pytest.approx(
        {("Y1", 0.05): 3, ("Y1", -0.05): 0, ("Y2", 0.05): 0, ("Y2", -0.05): 0}, abs=1e-6
    )
    assert found.duals.empty


def test_marginal_steps_must_be_fractions() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        marginals(case("take-or-pay"), runner=Runner(backend="pulp", gap=0), step=1.5, workers=1)


# -- compare ----------------------------------------------------------------------------------


def test_a_scenario_that_changes_nothing_has_an_empty_diff() -> None:
    base = case("take-or-pay")
    data = allocator.case.case_to_data(base)
    data["scenarios"] = {"renamed": {"changes": [{"path": "projects[chat].name", "set": "Chat"}]}}
    variant = allocator.case.loading.build_case(data, allocator.case.loading.Source("x.yaml"))
    found = compare(variant, scenarios=["renamed"], runner=Runner(backend="pulp", gap=0))
    assert found.changes.empty
    assert found.summary["change"].tolist() == pytest.approx([0, 0])


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_compare_lists_each_decision_that_changes(backend) -> None:
    """High signing fee: the contract is not signed, only chat runs, on spot (60)."""
    found = compare(
        case("take-or-pay"),
        scenarios=["high-signing-fee"],
        runner=Runner(backend=backend, gap=0),
    )
    assert found.summary["objective"].tolist() == pytest.approx([350, 60])
    assert set(found.changes["text"]) >= {
        "batch: full from Q1 -> off",
        "launch: full from Q2 -> off",
        "reserved: signed -> not signed",
    }
    assert all_checked(list(found.results.values()))


def test_compare_gives_the_same_tables_in_worker_processes() -> None:
    """The variants solved one after the other here, or in two worker processes: the
    same tables, in the same order (base first, then the scenarios as named)."""
    rationing = case("capital-rationing")
    names = list(reversed(rationing.scenarios))
    cbc = Runner(backend="pulp", gap=0)
    alone = compare(rationing, scenarios=names, runner=cbc, workers=1)
    pooled = compare(rationing, scenarios=names, runner=cbc, workers=2)
    assert list(pooled.results) == ["base", *names]
    assert pooled.summary["variant"].tolist() == ["base", *names]
    for table in ("summary", "projects", "changes"):
        pd.testing.assert_frame_equal(getattr(pooled, table), getattr(alone, table))
    assert [r.scenario for r in pooled.results.values()] == [None, *names]
    assert all_checked(list(pooled.results.values()))


def test_unknown_scenario_is_refused() -> None:
    with pytest.raises(ValueError, match="no scenario named 'nope'"):
        compare(case("take-or-pay"), scenarios=["nope"], runner=Runner(backend="pulp", gap=0))


# -- the commands -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "key"),
    [
        (["compare", "--all"], "changes"),
        (["opportunity", "--workers", "1"], "variants"),
        (["marginals"], "duals"),
    ],
)
def test_commands_fit_80_columns_and_write_json(command, key) -> None:
    runner = CliRunner()
    args = [command[0], str(CASES / "take-or-pay.yaml"), *command[1:], "--backend", "pulp"]
    shown = runner.invoke(app, args, env=WIDTH)
    assert shown.exit_code == 0, shown.output
    assert max(len(line) for line in shown.output.splitlines()) <= 80
    data = runner.invoke(app, [*args, "--json", "-"], env=WIDTH)
    assert data.exit_code == 0
    assert key in json.loads(data.stdout)


def test_solve_with_marginals_adds_them_to_the_report_and_json() -> None:
    runner = CliRunner()
    args = ["solve", str(CASES / "take-or-pay.yaml"), "--backend", "pulp", "--marginals"]
    shown = runner.invoke(app, [*args, "--json", "-"], env=WIDTH)
    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.stdout)
    assert document["objective"] == pytest.approx(350)
    assert {d["limit"] for d in document["marginals"]["duals"]} >= {"contract capacity"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare"], "name scenarios with --scenario, or --all"),
        (["compare", "--scenario", "nope"], "no scenario named 'nope'"),
        (["opportunity", "--project", "nope"], "no project named 'nope'"),
        (["marginals", "--step", "2"], "Invalid value"),
    ],
)
def test_bad_analysis_input_exits_2(args, message) -> None:
    command = [args[0], str(CASES / "take-or-pay.yaml"), *args[1:], "--backend", "pulp"]
    shown = CliRunner().invoke(app, command, env=WIDTH)
    assert shown.exit_code == 2
    assert message in " ".join(shown.output.split())


def test_the_moves_of_a_step_are_listed_up_to_a_limit_then_counted(monkeypatch) -> None:
    """capital-rationing's first step moves two projects; with the list cut at one, the
    report names one and counts the other, and the JSON keeps both."""
    from allocator.report import marginals_view

    case = allocator.load_case(CASES / "capital-rationing.yaml")
    found = marginals(case, runner=Runner(gap=0), workers=1)
    moves = [line for line in found.steps["portfolio"].iloc[0].splitlines() if line]
    assert len(moves) == 2
    monkeypatch.setattr(marginals_view, "MOVES_LISTED", 1)
    console = Console(width=80, record=True)
    marginals_view.render_marginals(console, found, case.money_unit)
    text = console.export_text()
    assert moves[0] in text
    assert moves[1] not in text
    assert "... and 1 project more (see --json)" in text
