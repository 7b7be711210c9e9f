"""``allocator replan``: an earlier plan held through a period, the rest re-optimised.

Hand case (one GPU resource, Q1..Q3, no money constraint binds, objective: value):
``a`` is worth 10 a quarter, needs 10 GPUs, starts in Q1 and runs to the end; ``b``
needs 10 GPUs from Q2 for two quarters; ``c`` needs 10 GPUs for one quarter, starting in
Q1 or Q2. The earlier case has 10 GPUs a quarter, ``b`` worth 5 and ``c`` worth 1 a
quarter: its plan funds ``a`` alone (30 against b + c = 11).

The updated case has 20 GPUs in Q2 and Q3, ``b`` worth 25 and ``c`` worth 40:
- the full re-optimum (nothing decided yet) runs ``c`` in Q1 and ``b`` from Q2: 40 + 50
  = 90 (``a`` cannot run beside ``c`` in Q1, and after Q1 it can no longer start);
- the replan frozen through Q1 keeps ``a`` (started in Q1) and forbids ``c`` in Q1; in Q2
  and Q3 ``a`` and ``b`` fill the 20 GPUs (``c`` in Q2 would displace ``b``, 40 < 50):
  a + b = 30 + 50 = 80. The freeze costs 90 - 80 = 10, and the one change after Q1 is
  ``b``: off -> full from Q2.
- the stale plan (a alone) is worth 30 in the updated case.
The replan's answer differs from both.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from allocator.analysis.runner import Runner
from allocator.case import Case, load_case
from allocator.cli import app
from allocator.engine import solve
from allocator.hedging.decisions import from_plan
from allocator.replanning.api import replan

EARLIER: dict[str, Any] = {
    "name": "replan-hand",
    "periods": ["Q1", "Q2", "Q3"],
    "periods_per_year": 4,
    "discount_rate": 0.0,
    "objective": "value",
    "resources": [{"id": "gpu"}],
    "supply": [
        {
            "id": "cloud",
            "resource": "gpu",
            "kind": "contract",
            "capacity": [10, 10, 10],
            "unit_cost": 0,
        }
    ],
    "budget": {"carry_over": True, "amounts": 1000},
    "projects": [
        {"id": "a", "value": 10, "demand": {"gpu": 10}, "start": "Q1", "duration": 3},
        {"id": "b", "value": 5, "demand": {"gpu": 10}, "start": "Q2", "duration": 2},
        {
            "id": "c",
            "value": 1,
            "demand": {"gpu": 10},
            "start": {"earliest": "Q1", "latest": "Q2"},
            "duration": 1,
        },
    ],
}


def updated(**capacity: list[int]) -> dict[str, Any]:
    data = copy.deepcopy(EARLIER)
    data["supply"][0]["capacity"] = capacity.get("cloud", [10, 20, 20])
    data["projects"][1]["value"] = 25
    data["projects"][2]["value"] = 40
    return data


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def run(*args: str | Path) -> tuple[int, str, str]:
    done = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "80"})
    return done.exit_code, done.stdout, done.stderr


def funded(case: Case, result: Any) -> dict[str, tuple[str, str]]:
    return from_plan(case, result.plan, len(case.periods) - 1).started


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
def test_the_replan_differs_from_the_stale_plan_and_the_full_re_optimum(tmp_path, backend) -> None:
    earlier_case = load_case(write(tmp_path / "old.yaml", EARLIER))
    earlier = solve(earlier_case, backend=backend, gap=0)
    assert funded(earlier_case, earlier) == {"a": ("full", "Q1")}
    case = load_case(write(tmp_path / "new.yaml", updated()))
    stage = from_plan(earlier_case, earlier.plan, 2)
    found = replan(case, stage, "Q1", Runner(backend=backend, gap=0))
    assert found.result.verification is not None
    assert found.result.verification.ok
    assert found.result.termination.objective == pytest.approx(80)
    assert funded(case, found.result) == {"a": ("full", "Q1"), "b": ("full", "Q2")}
    assert found.full.termination.objective == pytest.approx(90)
    assert funded(case, found.full) == {"c": ("full", "Q1"), "b": ("full", "Q2")}
    assert found.freeze_cost == pytest.approx(10)
    assert found.changes["text"].tolist() == ["b: off -> full from Q2"]


def test_freezing_through_the_last_period_keeps_the_whole_plan(tmp_path) -> None:
    """Everything decided: the replan is the earlier plan in the updated case (30)."""
    earlier_case = load_case(write(tmp_path / "old.yaml", EARLIER))
    earlier = solve(earlier_case, gap=0)
    case = load_case(write(tmp_path / "new.yaml", updated()))
    found = replan(case, from_plan(earlier_case, earlier.plan, 2), "Q3", Runner(gap=0))
    assert found.result.termination.objective == pytest.approx(30)
    assert found.changes.empty


@pytest.fixture
def files(tmp_path) -> tuple[Path, Path]:
    old = write(tmp_path / "old.yaml", EARLIER)
    plan = tmp_path / "plan.json"
    code, _, err = run("solve", old, "--gap", "0", "--json", plan)
    assert code == 0, err
    return write(tmp_path / "new.yaml", updated()), plan


def test_the_json_is_a_solve_document_with_the_replan_s_keys(files, tmp_path) -> None:
    case, plan = files
    out = tmp_path / "replan.json"
    html, excel = tmp_path / "replan.html", tmp_path / "replan.xlsx"
    code, report, err = run(
        "replan", case, "--plan", plan, "--freeze-through", "Q1", "--gap", "0", "--json", out,
        "--html", html, "--excel", excel,
    )  # fmt: skip
    assert code == 0, err
    document = json.loads(out.read_text())
    assert document["status"] == "optimal"
    assert document["objective"] == pytest.approx(80)
    assert document["frozen_through"] == "Q1"
    assert document["full_objective"] == pytest.approx(90)
    assert document["freeze_cost"] == pytest.approx(10)
    assert [c["text"] for c in document["changes"]] == ["b: off -> full from Q2"]
    # one decision of the earlier plan changes (b added), and no plan as good changes fewer
    nearness = document["minimal_change"]
    assert (nearness["decisions_changed"], nearness["proven"]) == (1, True)
    assert "Changes are minimal" in " ".join(report.split())
    projects = {p["id"]: (p["funded"], p["level"], p["start"]) for p in document["projects"]}
    assert projects["a"] == (True, "full", "Q1")
    assert projects["b"] == (True, "full", "Q2")
    assert projects["c"][0] is False
    assert document["checked"] is True
    assert {"case", "scenario", "backend", "solver", "solver_version"} <= set(document)
    assert "allocator replan: " in html.read_text()
    assert 'id="plot-timeline"' in html.read_text()
    sheets = pd.read_excel(excel, sheet_name=None)
    assert sheets["changes"]["text"].tolist() == ["b: off -> full from Q2"]
    words = " ".join(report.replace(" - ", " ").split())
    assert "the freeze costs 10.00 USD_M" in words
    assert "b: off -> full from Q2" in report


def test_a_replan_of_a_replan_holds_what_the_first_one_decided(files, tmp_path) -> None:
    case, plan = files
    first = tmp_path / "first.json"
    code, _, _ = run("replan", case, "--plan", plan, "--freeze-through", "Q1", "--json", first)
    assert code == 0
    second = tmp_path / "second.json"
    code, _, err = run(
        "replan", case, "--plan", first, "--freeze-through", "Q2", "--gap", "0", "--json", second
    )
    assert code == 0, err
    document = json.loads(second.read_text())
    assert document["objective"] == pytest.approx(80)
    assert document["changes"] == []


def test_a_frozen_past_the_updated_case_cannot_carry_exits_3(files, tmp_path) -> None:
    """Q1's capacity cut to 5: ``a``, started in Q1 and needing 10, cannot be kept; the
    explanation (the frozen start held, the case's limits softened) asks for the 5 GPUs
    in Q1 that ``a`` needs."""
    _, plan = files
    cut = write(tmp_path / "cut.yaml", updated(cloud=[5, 20, 20]))
    out = tmp_path / "cut.json"
    code, _, err = run("replan", cut, "--plan", plan, "--freeze-through", "Q1", "--json", out)
    assert code == 3
    assert "the decisions frozen through Q1 cannot all be kept" in err
    assert "gpu in Q1: projects need 5 more units than all supply can deliver (needed by a)" in err
    assert "it would need" not in err  # each explanation line already says what needs what
    document = json.loads(out.read_text())
    assert document["status"] == "infeasible"
    changes = document["explanation"]["changes"]
    assert [(c["subject"], c["period"], c["amount"]) for c in changes] == [("gpu", "Q1", 5.0)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("period", "'Q9' is not a period of the horizon"),
        ("case", "a plan for the case 'another'"),
        ("ids", "the plan names what the case 'replan-hand' does not have: project 'zz'"),
    ],
)
def test_bad_requests_exit_2(files, tmp_path, change, message) -> None:
    case, plan = files
    period = "Q1"
    document = json.loads(plan.read_text())
    if change == "period":
        period = "Q9"
    elif change == "case":
        document["case"]["name"] = "another"
    else:
        document["projects"].append({"id": "zz", "funded": True, "level": "full", "start": "Q1"})
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    code, _, err = run("replan", case, "--plan", bad, "--freeze-through", period)
    assert code == 2
    assert message in err
