"""``allocator generate``: valid, deterministic synthetic cases written with the core keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from same_model import same_model
from typer.testing import CliRunner

from allocator import load_case
from allocator.case.loading import Source, build_case
from allocator.cli import app
from allocator.formulation import formulate
from allocator.generate import generate_case

CORE_PROJECT_KEYS = {"id", "category", "levels", "start", "duration", "requires", "excludes"}
CORE_SUPPLY_KEYS = {"id", "resource", "kind", "capacity", "unit_cost", "min_commit", "optional"}


@pytest.mark.parametrize(
    ("projects", "resources", "periods", "seed"),
    [(1, 1, 1, 0), (7, 2, 3, 1), (200, 4, 12, 2), (50, 6, 2, 3)],
)
def test_generated_cases_are_valid(projects, resources, periods, seed) -> None:
    data = generate_case(projects, resources, periods, seed)
    case = build_case(data, Source("generated"))
    assert len(case.projects) == projects
    assert len(case.resources) == resources
    assert len(case.periods) == periods
    assert len(case.supply) == 2 * resources
    assert set(case.scenarios) == {"budget-cut"}


def test_generated_cases_use_core_keys_only() -> None:
    data = generate_case(300, 4, 12, 5)
    assert all(set(p) <= CORE_PROJECT_KEYS for p in data["projects"])
    assert all(set(s) <= CORE_SUPPLY_KEYS for s in data["supply"])
    assert any("requires" in p for p in data["projects"])
    assert any(len(p["levels"][1]["demand"]) > 1 for p in data["projects"])


def test_requirements_point_to_earlier_projects() -> None:
    data = generate_case(500, 3, 8, 11)
    for i, project in enumerate(data["projects"], start=1):
        for other in project.get("requires", []) + project.get("excludes", []):
            assert int(other[1:]) < i


def test_same_arguments_same_case_and_seeds_differ() -> None:
    assert generate_case(40, 3, 6, 9) == generate_case(40, 3, 6, 9)
    assert generate_case(40, 3, 6, 9) != generate_case(40, 3, 6, 10)


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        generate_case(0)


def test_cli_writes_yaml_or_json(tmp_path: Path) -> None:
    runner = CliRunner()
    yaml_file, json_file = tmp_path / "g.yaml", tmp_path / "g.json"
    for target in (yaml_file, json_file):
        result = runner.invoke(
            app, ["generate", "-n", "25", "-r", "3", "-t", "5", "-s", "4", "-o", str(target)]
        )
        assert result.exit_code == 0, result.output
    assert load_case(yaml_file) == load_case(json_file)
    assert json.loads(json_file.read_text())["name"] == "synthetic-25x3x5-seed4"


def test_cli_prints_to_stdout_and_refuses_bad_sizes() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["generate", "--projects", "2", "--seed", "1"])
    assert result.exit_code == 0
    assert result.stdout.startswith("name: synthetic-2x4x12-seed1\n")
    assert runner.invoke(app, ["generate", "--projects", "0"]).exit_code == 2


@pytest.mark.parametrize("table", ["csv", "parquet"])
@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_cli_writes_the_projects_as_a_table_beside_the_case(tmp_path: Path, table, suffix) -> None:
    runner = CliRunner()
    plain, tabled = tmp_path / "plain.json", tmp_path / f"big{suffix}"
    common = ["generate", "-n", "40", "-r", "3", "-t", "6", "-s", "2", "-o"]
    assert runner.invoke(app, [*common, str(plain)]).exit_code == 0
    result = runner.invoke(app, [*common, str(tabled), "--table", table])
    assert result.exit_code == 0, result.output
    beside = tmp_path / f"big.projects.{table}"
    assert beside.is_file()
    assert f"projects in big.projects.{table}" in result.output
    if table == "csv":
        assert load_case(tabled) == load_case(plain)
    # Parquet holds a number in a column of lists as a one-entry list: the same series,
    # so the same model, though not the same Case
    same_model(formulate(load_case(tabled)).model, formulate(load_case(plain)).model)


def test_cli_table_needs_an_output_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["generate", "-n", "3", "--table", "csv"])
    assert result.exit_code == 2
    assert "--output" in result.output
    assert not list(tmp_path.iterdir())
