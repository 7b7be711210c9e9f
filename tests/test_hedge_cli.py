"""``allocator hedge``: the command, its JSON contract, ``--evaluate`` and its refusals.

The case is ``lead_time`` of tests/test_hedge.py, whose figures are derived there: the
two-stage plan does not sign ``reserved`` and expects 150 (futures 0 and 300); the
expected-value plan signs it and expects 125 (futures -150 and 400): VSS 25; the
futures' own optima are 0 and 400: EVPI 50. As written (V = 325) a solve signs the
contract, so evaluating that solve's plan gives the expected-value plan's figures.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from hedge_cases import LEAD_TIME
from typer.testing import CliRunner

from allocator.cli import app

HEADER = {"case", "scenario", "backend", "solver", "solver_version", "money_unit"}
CONTRACT = {"expected_objective", "vss", "evpi", "cvar", "first_stage", "futures"}


SCHEDULER: list[str] = []


@pytest.fixture(autouse=True)
def _shared_cluster(dask_scheduler: str) -> None:
    SCHEDULER[:] = [dask_scheduler]


def hedge(*args: str | Path) -> tuple[int, str, str]:
    """``allocator hedge`` on the shared cluster (unless asked for workers of its own)."""
    where = [] if "--workers" in args else ["--scheduler", SCHEDULER[0]]
    done = CliRunner().invoke(app, ["hedge", *map(str, args), *where], env={"COLUMNS": "80"})
    return done.exit_code, done.stdout, done.stderr


def write(tmp_path: Path, data: dict, name: str = "lead.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture
def lead(tmp_path: Path) -> Path:
    return write(tmp_path, LEAD_TIME)


def test_the_json_contract_holds_the_hand_derived_figures(lead) -> None:
    code, out, _ = hedge(lead, "--gap", "0", "--json", "-")
    assert code == 0
    document = json.loads(out)
    assert HEADER | CONTRACT | {"allocator_version"} <= set(document)
    assert document["expected_objective"] == pytest.approx(150)
    assert document["vss"] == pytest.approx(25)
    assert document["evpi"] == pytest.approx(50)
    assert document["cvar"] is None
    supply = {row["id"]: row["signed"] for row in document["first_stage"]["supply"]}
    assert supply == {"reserved": False, "spot": True}
    assert document["first_stage"]["projects"] == []  # the launch starts in Q2, later
    futures = document["futures"]
    assert [f["future"] for f in futures] == [0, 1]
    for f, objective in zip(futures, [0, 300], strict=True):
        assert set(f) >= {"future", "weight", "values", "objective", "status"}
        assert f["weight"] == pytest.approx(0.5)
        assert f["status"] == "optimal"
        assert f["objective"] == pytest.approx(objective)
    assert [f["values"]["launch-value"] for f in futures] == [50, 600]
    ev = document["expected_value_plan"]
    assert ev["expected_objective"] == pytest.approx(125)
    assert {row["id"]: row["signed"] for row in ev["first_stage"]["supply"]}["reserved"]


def test_the_report_says_the_first_stage_in_words(lead) -> None:
    code, out, _ = hedge(lead, "--gap", "0")
    assert code == 0
    assert "- do not sign reserved" in out
    assert "The expected-value plan would instead" in out
    assert "- sign reserved now" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_cvar_is_given_when_asked_or_with_risk_aversion(lead) -> None:
    code, out, _ = hedge(lead, "--gap", "0", "--cvar-alpha", "0.5", "--json", "-")
    assert code == 0
    assert json.loads(out)["cvar"] == pytest.approx(0)  # the worst half: future 0, 0
    data = copy.deepcopy(LEAD_TIME)
    data["supply"][0]["fixed_cost"] = 150
    risky = write(lead.parent, data, "risky.yaml")
    code, out, _ = hedge(risky, "--gap", "0", "--risk-aversion", "1", "--json", "-")
    document = json.loads(out)
    assert document["cvar_alpha"] == pytest.approx(0.1)
    assert document["cvar"] == pytest.approx(0)
    assert not {r["id"]: r["signed"] for r in document["first_stage"]["supply"]}["reserved"]


def test_evaluating_a_solve_json_holds_its_first_stage(lead, tmp_path) -> None:
    solved = CliRunner().invoke(
        app, ["solve", str(lead), "--gap", "0", "--json", str(tmp_path / "s.json")]
    )
    assert solved.exit_code == 0
    code, out, _ = hedge(lead, "--gap", "0", "--evaluate", tmp_path / "s.json", "--json", "-")
    assert code == 0
    document = json.loads(out)
    assert document["status"] == "evaluated"
    assert document["evaluated"] == str(tmp_path / "s.json")
    assert [f["objective"] for f in document["futures"]] == pytest.approx([-150, 400])
    assert document["expected_objective"] == pytest.approx(125)
    assert document["evpi"] == pytest.approx(75)
    assert document["vss"] is None


def test_evaluating_a_hedge_json_gives_back_its_expected_objective(lead, tmp_path) -> None:
    first = tmp_path / "h.json"
    assert hedge(lead, "--gap", "0", "--json", first)[0] == 0
    code, out, _ = hedge(lead, "--gap", "0", "--evaluate", first, "--json", "-")
    assert code == 0
    assert json.loads(out)["expected_objective"] == pytest.approx(150)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("not json", "not a JSON document"),
        ("[1, 2]", "not the JSON of a solve or a hedge"),
        ('{"first_stage": {"supply": []}}', "no first_stage.projects"),
        (
            '{"first_stage": {"supply": [{"id": "nope", "signed": true}], "projects": [], '
            '"purchases": [], "funding": [], "credit": []}}',
            "the plan names what the case 'lead-time' does not have: supply option 'nope'",
        ),
        ('{"status": "infeasible", "projects": []}', "the plan file has no plan"),
        (
            '{"status": "no_solution", "first_stage": {"supply": [], "projects": [], '
            '"purchases": [], "funding": [], "credit": []}}',
            "the plan file has no plan (status no_solution)",
        ),
    ],
)
def test_a_bad_plan_file_exits_2_naming_it(lead, tmp_path, text, says) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(text, encoding="utf-8")
    code, _out, err = hedge(lead, "--evaluate", plan, "--json", tmp_path / "out.json")
    assert code == 2
    assert str(plan) in err
    assert says in err
    assert not (tmp_path / "out.json").exists()


def test_a_missing_plan_file_exits_2(lead, tmp_path) -> None:
    code, _, err = hedge(lead, "--evaluate", tmp_path / "nowhere.json")
    assert code == 2
    assert "cannot read the plan file" in err


def test_futures_that_break_a_rule_exit_2(tmp_path) -> None:
    data = copy.deepcopy(LEAD_TIME)
    data["uncertainty"] = [
        {"id": "price", "path": "supply[spot].unit_cost", "add": {"normal": [0, 10]}}
    ]
    code, _, err = hedge(write(tmp_path, data), "--draws", "20")
    assert code == 2
    assert "futures break a rule of the case" in err
    assert "supply[spot].unit_cost" in err


def test_no_first_stage_for_every_future_exits_3(tmp_path) -> None:
    data = copy.deepcopy(LEAD_TIME)
    data["projects"][0]["must_fund"] = True
    data["uncertainty"] = [
        {"id": "cap", "path": "supply[spot].capacity", "set": {"choice": [100, 0]}}
    ]
    data["supply"][0]["capacity"] = 0
    code, out, _err = hedge(write(tmp_path, data))
    assert code == 3
    assert "future(s) 1 have no plan even with hindsight" in out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--commit-through", "Q7"], "--commit-through 'Q7' is not a period of the horizon"),
        (["--cvar-alpha", "0"], "alpha must be in (0, 1]"),
        (["--grid", "--draws", "3"], "give --grid or --draws N, not both"),
        (["--evaluate", "x.json", "--decompose", "3"], "give --evaluate or --decompose"),
    ],
)
def test_bad_requests_exit_2(lead, args, says) -> None:
    code, _, err = hedge(lead, *args)
    assert code == 2
    assert says in err


def test_the_decomposition_through_the_command(lead) -> None:
    code, out, _ = hedge(lead, "--gap", "0", "--decompose", "5", "--json", "-")
    assert code == 0
    document = json.loads(out)
    assert document["method"] == "decomposition"
    assert document["status"] == "optimal"
    assert document["expected_objective"] == pytest.approx(150)
    assert document["bound"] == pytest.approx(150)
    trace = document["decomposition"]["trace"]
    assert trace[0]["bound"] == pytest.approx(200)  # the futures' own optima: 0 and 400
    assert trace[-1]["bound"] == pytest.approx(150)
    assert document["solver_version"]
    code, _, err = hedge(lead, "--decompose", "5", "--risk-aversion", "0.5")
    assert code == 2
    assert "expected objective only" in err


def test_a_scenario_applies_before_the_futures_are_drawn(tmp_path) -> None:
    """With the fee at 100 signing pays: 50 - 100 and 600 - 100, E = 225 (not signing
    stays at 150)."""
    data = copy.deepcopy(LEAD_TIME)
    data["scenarios"] = {
        "cheap": {"changes": [{"path": "supply[reserved].fixed_cost", "set": 100}]}
    }
    code, out, _ = hedge(write(tmp_path, data), "--gap", "0", "-s", "cheap", "--json", "-")
    assert code == 0
    document = json.loads(out)
    assert document["scenario"] == "cheap"
    assert document["expected_objective"] == pytest.approx(225)
    assert {r["id"]: r["signed"] for r in document["first_stage"]["supply"]}["reserved"]
