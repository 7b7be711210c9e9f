"""Screened opportunity costs: a proven bound and a plan found without a search.

Every screened bracket must hold the variant's optimum (solved with ``gap=0``), and every
plan behind a bracket must pass the independent checker and keep the decision forced.
The teaching cases' optima are derived by hand in docs/teaching-cases.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner

import allocator
from allocator.analysis.opportunity import _forced_model, opportunity, variants_of
from allocator.analysis.runner import Runner
from allocator.analysis.screen import Screen
from allocator.case.loading import Source, build_case
from allocator.cli import app
from allocator.engine import checked_result
from allocator.generate import generate_case
from allocator.report.opportunity_view import _change

CASES = Path(__file__).resolve().parent.parent / "cases"
TOLERANCE = 1e-6


def teaching(name: str) -> allocator.Case:
    return allocator.load_case(CASES / f"{name}.yaml")


def generated(projects: int, seed: int) -> allocator.Case:
    return build_case(generate_case(projects, resources=2, periods=4, seed=seed), Source("gen"))


CASES_TO_SCREEN = [
    pytest.param(lambda: teaching("capital-rationing"), id="capital-rationing"),
    pytest.param(lambda: teaching("take-or-pay"), id="take-or-pay"),
    pytest.param(lambda: teaching("earmarked-funds"), id="earmarked-funds"),
    pytest.param(lambda: generated(12, 1), id="generated-12-seed-1"),
    pytest.param(lambda: generated(20, 2), id="generated-20-seed-2"),
]


@pytest.mark.parametrize("make", CASES_TO_SCREEN)
def test_every_bracket_holds_the_variants_optimum(make) -> None:
    case = make()
    runner = Runner(gap=0, change="any")
    base = runner.solve(case)
    exact = opportunity(case, runner=runner, base=base, workers=1)
    screened = opportunity(case, runner=runner, base=base, workers=1, screen=True)
    assert screened.screened
    assert screened.table["screened"].all()
    assert not exact.table["screened"].any()
    assert list(screened.table["forced"]) == list(exact.table["forced"])
    for solved, bracket in zip(exact.table.itertuples(), screened.table.itertuples(), strict=True):
        if solved.status == "infeasible":
            # a bound proves it, or no plan is claimed
            assert bracket.status == "infeasible" or bracket.objective != bracket.objective
            continue
        optimum = solved.objective
        scale = TOLERANCE * max(1.0, abs(optimum))
        assert bracket.status == "screened"
        assert bracket.bound >= optimum - scale, (solved.project, solved.forced)
        if bracket.objective == bracket.objective:  # a plan was found (not NaN)
            assert bracket.objective <= optimum + scale, (solved.project, solved.forced)
            assert bracket.change == pytest.approx(bracket.objective - base.termination.objective)
        assert bracket.change_bound == pytest.approx(bracket.bound - base.termination.objective)


@pytest.mark.parametrize("make", CASES_TO_SCREEN)
def test_the_plans_behind_the_brackets_pass_the_checker(make) -> None:
    case = make()
    base = Runner(gap=0, change="any").solve(case)
    screen = Screen.of(base.formulation, base.values, base.termination.bound, 0.0)
    checked = 0
    for project, forced in variants_of(case, base, None):
        model = _forced_model(base.formulation, (project, forced))
        found = screen.found(model)
        if found is None:
            continue
        result = checked_result(case, base.formulation, model, found)  # raises if rejected
        state = result.plan.projects.set_index("id").loc[project]
        if forced == "out":
            assert not state["funded"]
        else:
            assert state["funded"]
            assert state["level"] == forced.removeprefix("in at ")
        checked += 1
    assert checked > 0


def test_capital_rationing_brackets_by_hand() -> None:
    """Optimum A+C+D = 28 (docs/teaching-cases.md §1). Forcing bravo in keeps a plan of
    A+B+E = 27, the best with bravo, so its bracket's plan is that optimum; forcing
    alpha out, the plan found can be no better than B+C+D = 26."""
    case = teaching("capital-rationing")
    found = opportunity(case, runner=Runner(gap=0), workers=1, screen=True)
    rows = {(r.project, r.forced): r for r in found.table.itertuples()}
    assert found.base.termination.objective == pytest.approx(28)
    assert rows[("alpha", "out")].objective <= 26 + TOLERANCE
    assert rows[("alpha", "out")].bound <= 28 + TOLERANCE
    for key in rows:
        assert rows[key].bound <= 28 + TOLERANCE  # no variant beats the base's proof


def test_a_must_fund_project_forced_out_is_proven_infeasible_without_a_solve() -> None:
    found = opportunity(
        teaching("frontier-lab-2026"),
        runner=Runner(backend="pulp", gap=0),
        projects=["chat"],
        workers=1,
        screen=True,
    )
    row = found.table.iloc[0]
    assert (row["status"], row["screened"]) == ("infeasible", True)
    assert row["bound"] is None or row["bound"] != row["bound"]
    assert found.results == []


def test_screening_in_worker_processes_gives_the_same_brackets() -> None:
    case = generated(20, 2)
    runner = Runner(gap=0)
    base = runner.solve(case)
    here = opportunity(case, runner=runner, base=base, workers=1, screen=True)
    there = opportunity(case, runner=runner, base=base, workers=2, screen=True)
    for column in ("objective", "bound"):
        a, b = here.table[column].to_numpy(float), there.table[column].to_numpy(float)
        assert np.allclose(a, b, equal_nan=True)


def test_the_command_labels_screened_figures(tmp_path) -> None:
    args = ["opportunity", str(CASES / "capital-rationing.yaml"), "--screen", "--workers", "1"]
    shown = CliRunner().invoke(app, args, env={"COLUMNS": "80"})
    assert shown.exit_code == 0, shown.output
    assert max(len(line) for line in shown.output.splitlines()) <= 80
    text = " ".join(shown.output.split())
    assert "screened: no variant was solved" in text
    assert "Screening projects" not in shown.stdout  # progress goes to stderr
    data = CliRunner().invoke(app, [*args, "--json", "-"], env={"COLUMNS": "80"})
    document = json.loads(data.stdout)
    assert document["screened"] is True
    assert set(document["screen"]) == {"automatic", "bound_from", "plan_from", "solver"}
    assert document["screen"]["automatic"] is False
    variant = document["variants"][0]
    assert {"bound", "change_bound", "screened"} <= set(variant)
    assert all(v["screened"] for v in document["variants"])
    unscreened = CliRunner().invoke(
        app, [*args[:2], "--workers", "1", "--json", "-"], env={"COLUMNS": "80"}
    )
    plain = json.loads(unscreened.stdout)
    assert plain["screened"] is False
    assert "screen" not in plain
    assert not any(v["screened"] for v in plain["variants"])


def test_the_command_screens_on_its_own_above_the_size(monkeypatch) -> None:
    """capital-rationing has 5 projects: with the limit at 4 the command screens, says so
    on standard error and in the JSON; --no-screen or naming projects solves each."""
    monkeypatch.setattr("allocator.analysis.opportunity.SCREEN_ABOVE", 4)
    case = str(CASES / "capital-rationing.yaml")
    args = ["opportunity", case, "--workers", "1", "--json", "-"]
    auto = CliRunner().invoke(app, args, env={"COLUMNS": "80"})
    assert auto.exit_code == 0, auto.output
    document = json.loads(auto.stdout)
    assert document["screened"] is True
    assert document["screen"]["automatic"] is True
    assert "instead of solving each" in " ".join(auto.stderr.split())
    report = CliRunner().invoke(app, args[:4], env={"COLUMNS": "80"})
    assert "--no-screen solves every variant" in " ".join(report.output.split())
    for more in (["--no-screen"], ["--project", "alpha", "--project", "bravo"]):
        solved = CliRunner().invoke(app, [*args, *more], env={"COLUMNS": "80"})
        assert solved.exit_code == 0, solved.output
        assert json.loads(solved.stdout)["screened"] is False
    refused = CliRunner().invoke(app, [*args, "--warm-start"], env={"COLUMNS": "80"})
    assert refused.exit_code == 2
    assert "add --no-screen" in " ".join(refused.stderr.split())
    assert refused.stdout == ""


def test_an_unknown_project_is_refused_before_the_base_solve(monkeypatch) -> None:
    def no_solve(*_: object) -> None:
        raise AssertionError("the base was solved")

    monkeypatch.setattr("allocator.commands.opportunity.solve_base", no_solve)
    args = ["opportunity", str(CASES / "capital-rationing.yaml"), "--project", "nope"]
    shown = CliRunner().invoke(app, args, env={"COLUMNS": "80"})
    assert shown.exit_code == 2
    assert "no project named 'nope'" in shown.stderr


def test_screen_with_warm_start_is_refused() -> None:
    args = ["opportunity", str(CASES / "capital-rationing.yaml"), "--screen", "--warm-start"]
    shown = CliRunner().invoke(app, args, env={"COLUMNS": "80"})
    assert shown.exit_code == 2
    assert "--screen solves no variant" in " ".join(shown.output.split())


@pytest.mark.parametrize(
    ("status", "change", "bound", "shown"),
    [
        ("optimal", -2.0, -2.0, "-2.00"),
        ("screened", -4.0, 0.0, "-4.00 to 0"),
        ("screened", -1.0, -1.0, "-1.00"),
        ("screened", None, -3.0, "at most -3.00"),
        ("screened", -5.0, None, "at least -5.00"),
        ("screened", None, None, "no plan, no bound"),
        ("infeasible", None, None, "infeasible"),
    ],
)
def test_how_the_report_writes_a_change(status, change, bound, shown) -> None:
    row = SimpleNamespace(status=status, change=change, change_bound=bound)
    assert _change(row) == shown


REQUIRES_LATER = {
    "name": "requires-later",
    "periods": ["Y1", "Y2", "Y3"],
    "periods_per_year": 1,
    "resources": [{"id": "gpu"}],
    "supply": [{"id": "cloud", "resource": "gpu", "capacity": 10}],
    "budget": {"amounts": 100},
    "projects": [
        {
            "id": "late",
            "value": 3,
            "demand": {"gpu": 2},
            "start": {"earliest": "Y3", "latest": "Y3"},
        },
        {"id": "early", "value": 1, "cost": 5, "demand": {"gpu": 2}, "requires": ["late"]},
        {"id": "other", "value": 2, "demand": {"gpu": 4}},
    ],
}


def test_a_forced_project_that_cannot_start_after_what_it_requires(load) -> None:
    """By hand: the optimum is 9 (late runs in Y3 only: 3; other in all three years: 6).
    Without late, 6; without other, 3. early starts in Y1 and requires late, which starts
    in Y3, so forcing early in leaves no plan: the screen proves it (its LP relaxation
    has none), and brackets the other two exactly."""
    found = opportunity(load(REQUIRES_LATER), runner=Runner(gap=0), workers=1, screen=True)
    rows = {(r.project, r.forced): r for r in found.table.itertuples()}
    assert found.base.termination.objective == pytest.approx(9)
    assert rows[("early", "in at full")].status == "infeasible"
    assert rows[("late", "out")].change == pytest.approx(-3)
    assert rows[("other", "out")].change == pytest.approx(-6)
    assert rows[("late", "out")].change_bound == pytest.approx(-3)
