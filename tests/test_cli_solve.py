"""``allocator solve``: the report, the JSON contract, CSV tables and the exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from allocator.backends.registry import DEFAULT_WHY
from allocator.cli import app

CASES = Path(__file__).resolve().parent.parent / "cases"
WIDTH = {"COLUMNS": "80"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def solve(runner: CliRunner, *args: str | Path):
    return runner.invoke(app, ["solve", *map(str, args)], env=WIDTH)


def test_report_names_the_status_and_fits_80_columns(runner) -> None:
    result = solve(runner, CASES / "take-or-pay.yaml")
    assert result.exit_code == 0, result.output
    assert "optimal (proven)" in result.output
    assert "350.00 USD_M" in result.output
    for section in ("Projects: 3 of 3 funded", "Supply:", "Money by period", "Binding limits"):
        assert section in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_json_to_stdout_has_the_contract_keys(runner) -> None:
    result = solve(runner, CASES / "take-or-pay.yaml", "--backend", "pulp", "--json", "-")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    required = {"status", "objective", "bound", "gap", "seconds", "backend", "solver", "case"}
    required |= {"scenario", "projects", "allocations", "supply", "cash"}
    assert required <= set(document)
    assert document["status"] == "optimal"
    assert document["objective"] == pytest.approx(350)
    assert document["backend"] == "pulp"
    assert document["solver"] == "cbc"
    assert document["case"]["name"] == "take-or-pay"
    assert len(document["case"]["sha256"]) == 64
    assert {p["id"] for p in document["projects"] if p["funded"]} == {"chat", "batch", "launch"}
    assert set(document["projects"][0]) >= {"id", "funded", "level", "start"}
    assert document["checked"] is True


@pytest.mark.parametrize(
    ("options", "why"),
    [
        ((), DEFAULT_WHY),
        (("--solver", "highs"), "asked for (ortools / highs)"),
        (("--backend", "pulp"), "the default of the pulp backend, which was asked for"),
    ],
)
def test_the_report_and_the_json_say_why_that_solver(runner, options, why) -> None:
    case = CASES / "capital-rationing.yaml"
    document = json.loads(solve(runner, case, *options, "--json", "-").stdout)
    assert document["solver_why"] == why
    shown = solve(runner, case, *options)
    assert why in " ".join(shown.output.split())
    assert max(len(line) for line in shown.output.splitlines()) <= 80


def test_json_stdout_stays_clean_with_a_chatty_solver(tmp_path) -> None:
    """HiGHS prints a banner from C++; the JSON on stdout must still parse."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "allocator.cli",
            "solve",
            str(CASES / "take-or-pay.yaml"),
            "--backend",
            "pulp",
            "--solver",
            "highs",
            "--json",
            "-",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["solver"] == "highs"


def test_scenario_json_and_csv_files(runner, tmp_path) -> None:
    out = tmp_path / "plan.json"
    tables = tmp_path / "tables"
    result = solve(
        runner,
        CASES / "take-or-pay.yaml",
        "--scenario",
        "high-signing-fee",
        "--json",
        out,
        "--csv",
        tables,
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert document["scenario"] == "high-signing-fee"
    assert document["objective"] == pytest.approx(60)
    projects = pd.read_csv(tables / "projects.csv")
    assert projects.loc[projects["funded"], "id"].tolist() == ["chat"]
    assert {p.name for p in tables.iterdir()} >= {"supply.csv", "money.csv", "allocations.csv"}
    assert not list(tmp_path.glob(".*.tmp"))


INFEASIBLE = """\
name: too-dear
periods: [Q1, Q2]
budget: {amounts: 10, carry_over: false}
projects:
  - {id: a, value: 5, cost: 20, must_fund: true}
"""


def test_infeasible_case_exits_3_and_says_so(runner, tmp_path) -> None:
    case = tmp_path / "too-dear.yaml"
    case.write_text(INFEASIBLE)
    out = tmp_path / "out.json"
    result = solve(runner, case, "--json", out)
    assert result.exit_code == 3
    assert "infeasible" in result.output
    document = json.loads(out.read_text())
    assert document["status"] == "infeasible"
    assert document["objective"] is None
    assert document["projects"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--backend", "nope"], "no backend named 'nope' (backends: ortools, pulp, highs)"),
        (["--solver", "gurobi"], "available: scip, highs, cp-sat"),
        (["--scenario", "nope"], "no scenario named 'nope'"),
        (["--gap", "2"], "Invalid value"),
    ],
)
def test_bad_options_exit_2_with_a_reason(runner, args, message) -> None:
    result = solve(runner, CASES / "take-or-pay.yaml", *args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_bad_case_exits_2_and_writes_nothing(runner, tmp_path) -> None:
    case = tmp_path / "bad.yaml"
    case.write_text("name: bad\nperiods: [Q1]\nprojects: [{id: a, vaule: 1}]\n")
    out = tmp_path / "out.json"
    result = solve(runner, case, "--json", out)
    assert result.exit_code == 2
    assert "vaule" in result.output
    assert not out.exists()


def test_unwritable_output_exits_2_and_names_the_file(runner, tmp_path) -> None:
    out = tmp_path / "missing-folder" / "out.json"
    result = solve(runner, CASES / "take-or-pay.yaml", "--json", out)
    assert result.exit_code == 2
    assert f"cannot write {out}" in " ".join(result.output.split())
