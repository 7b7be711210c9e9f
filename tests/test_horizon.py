"""The horizon cuts a run; it does not forbid it (docs/case-format.md §12, Start window).

Hand-derived case ``cut-runs`` (three yearly periods, no discounting, per-period
budgets 0, 0, 15 with no carry-over, one GPU contract of 10 units at no cost):

- z: value 17, cost 10, demand 10 GPUs, duration 2, may start T1..T3. Starting in
  T1 or T2 costs 10 in a period with no money, so only T3 is affordable; its run is
  cut at the end of the horizon: active in T3 alone (value 17, cost 10), one period
  past the end.
- w: value 8, cost [5, 50], duration 1, fixed in T3: the list is longer than the
  run; only its first entry counts (cost 5).
- m: must fund, value 1, duration 5, fixed in T3: active in T3 alone, four periods
  past the end.

T3 spends 10 + 5 + 0 = 15, the whole budget. Objective ``value``: 17 + 8 + 1 = 26;
``npv``: (17 - 10) + (8 - 5) + 1 = 11. With ``finish_by_end`` on z, its only
affordable start no longer fits: 8 + 1 = 9 (``value``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import allocator
from allocator.backends import BACKENDS, SolveStatus
from allocator.case.loading import Source, build_case
from allocator.cli import app


def cut_runs(objective: str = "value", finish_z: bool = False) -> dict[str, Any]:
    return {
        "name": "cut-runs",
        "periods": ["T1", "T2", "T3"],
        "periods_per_year": 1,
        "objective": objective,
        "resources": [{"id": "gpu"}],
        "supply": [{"id": "cloud", "resource": "gpu", "capacity": 10}],
        "budget": {"carry_over": False, "amounts": [0, 0, 15, 15]},  # longer than the horizon
        "projects": [
            {
                "id": "z",
                "value": 17,
                "cost": 10,
                "demand": {"gpu": 10},
                "duration": 2,
                "start": {"earliest": "T1", "latest": "T3"},
                **({"finish_by_end": True} if finish_z else {}),
            },
            {"id": "w", "value": 8, "cost": [5, 50], "duration": 1, "start": "T3"},
            {"id": "m", "value": 1, "duration": 5, "start": "T3", "must_fund": True},
        ],
    }


def solved(data: dict[str, Any], backend: str) -> allocator.Result:
    case = build_case(data, Source("cut-runs.yaml"))
    result = allocator.solve(case, backend=backend, gap=0)
    assert result.termination.status is SolveStatus.OPTIMAL
    assert result.verification is not None
    assert result.verification.ok  # the independent checker
    return result


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize(("objective", "expected"), [("value", 26.0), ("npv", 11.0)])
def test_runs_past_the_end_are_cut_and_counted_inside(backend, objective, expected) -> None:
    result = solved(cut_runs(objective), backend)
    assert result.termination.objective == pytest.approx(expected, abs=1e-6)
    projects = result.plan.projects.set_index("id")
    assert projects.loc[["z", "w", "m"], "funded"].all()
    assert list(projects.loc[["z", "w", "m"], "start"]) == ["T3", "T3", "T3"]
    assert list(projects.loc[["z", "w", "m"], "end"]) == ["T3", "T3", "T3"]
    assert list(projects.loc[["z", "w", "m"], "periods"]) == [1, 1, 1]
    assert list(projects.loc[["z", "w", "m"], "past_end"]) == [1, 0, 4]
    assert list(projects.loc[["z", "w", "m"], "cost"]) == [10.0, 5.0, 0.0]


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_finish_by_end_keeps_a_run_inside_the_horizon(backend) -> None:
    result = solved(cut_runs(finish_z=True), backend)
    assert result.termination.objective == pytest.approx(9.0, abs=1e-6)
    projects = result.plan.projects.set_index("id")
    assert not projects.loc["z", "funded"]


def test_the_issue_examples_are_valid_cases() -> None:
    """A list longer than a one-period run, and a 5-period run from the last-but-one period."""
    data = {
        "name": "examples",
        "periods": ["2027Q1", "2027Q2"],
        "budget": {"amounts": 100},
        "projects": [
            {"id": "short", "value": 60, "cost": [50, 25], "duration": 1},
            {"id": "long", "value": 10, "duration": 5, "start": {"earliest": "2027Q1"}},
        ],
    }
    case = build_case(data, Source("examples.yaml"))
    result = allocator.solve(case, gap=0)
    # short: 60 in 2027Q1 (cost 50 of 100); long: 10 in each of the two periods
    assert result.termination.objective == pytest.approx(80.0)
    assert result.verification.ok


def test_a_scenario_that_shortens_the_horizon_or_moves_a_start_stays_valid() -> None:
    """Lists written for four periods and a three-period run survive both changes.

    short: the horizon is cut to Q1, Q2 and p moved to Q2: p is active in Q2 alone
    (its first entry, 1). late: p starts in Q4 and runs one period (value 1).
    """
    data = {
        "name": "moves",
        "periods": ["Q1", "Q2", "Q3", "Q4"],
        "budget": {"amounts": [10, 10, 10, 10]},
        "projects": [{"id": "p", "value": [1, 2, 3], "duration": 3, "start": "Q1"}],
        "scenarios": {
            "short": {
                "changes": [
                    {"path": "periods", "set": ["Q1", "Q2"]},
                    {"path": "projects[p].start", "set": "Q2"},
                ]
            },
            "late": {"changes": [{"path": "projects[p].start", "set": "Q4"}]},
        },
    }
    case = build_case(data, Source("moves.yaml"))
    assert allocator.solve(case, gap=0).termination.objective == pytest.approx(6.0)
    for scenario in ("short", "late"):
        result = allocator.solve(case, scenario=scenario, gap=0)
        assert result.termination.objective == pytest.approx(1.0)
        assert result.verification.ok


def test_cli_reports_the_cut_run_in_the_json(tmp_path: Path) -> None:
    path = tmp_path / "cut-runs.yaml"
    path.write_text(yaml.safe_dump(cut_runs()), encoding="utf-8")
    done = CliRunner().invoke(app, ["solve", str(path), "--gap", "0", "--json", "-"])
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["status"] == "optimal"
    assert document["objective"] == pytest.approx(26.0)
    by_id = {p["id"]: p for p in document["projects"]}
    assert (by_id["z"]["start"], by_id["z"]["periods"], by_id["z"]["past_end"]) == ("T3", 1, 1)
    assert by_id["m"]["past_end"] == 4
