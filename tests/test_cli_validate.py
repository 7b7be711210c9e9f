"""``allocator validate``: a summary and exit 0 for good cases, problems and exit 2 for bad ones."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.cli import app

WIDTH = {"COLUMNS": "80"}
PROBLEM_LINE = re.compile(r"^  (?P<file>\S+):(?P<line>\d+): (?P<path>\S+): (?P<message>.+)$")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def good_file(write_case, case_dict) -> Path:
    return write_case(case_dict)


@pytest.fixture
def bad_file(write_case, case_dict) -> Path:
    case_dict["supply"][0]["unit_cost"] = -1
    case_dict["projects"][0]["vaule"] = 1
    return write_case(case_dict)


def validate(runner: CliRunner, *args: str | Path):
    return runner.invoke(app, ["validate", *map(str, args)], env=WIDTH)


def test_valid_case_is_summarised(runner, good_file) -> None:
    result = validate(runner, good_file)
    assert result.exit_code == 0, result.stderr
    assert result.exception is None
    assert result.stderr == ""
    out = result.stdout
    assert f"{good_file} is a valid case: tiny-lab" in out
    assert "Y1 .. Y3 (3 periods, 1 a year)" in out
    assert "value, discounted at 10.0% a year" in out
    assert "1 resource, 1 supply option, 3 projects, 4 levels, 1 must-fund" in out
    assert "product (2), research (1)" in out
    assert "budget-cut" in out
    assert "unrestricted money cut by a fifth" in out


def test_summary_shows_resource_balance_and_money(runner, good_file) -> None:
    out = validate(runner, good_file).stdout
    # chat needs 40; video at its largest level needs 20 then 60, from Y1: peak 100.
    assert re.search(r"gb300\s+units\s+100\s+100\s+-", out)
    # budget: 50 + 20 + 20, carried over
    assert re.search(r"budget\s+90\s+unrestricted; carried over", out)


def test_summary_fits_80_columns(runner, good_file) -> None:
    lines = validate(runner, good_file).stdout.splitlines()
    assert len(lines) > 10
    assert max(len(line) for line in lines) <= 80


def test_summary_of_long_names_fits_80_columns(runner, write_case, case_dict) -> None:
    case_dict["name"] = "a-rather-long-case-name-" * 5
    case_dict["money_unit"] = "USD_" + "M" * 90
    case_dict["projects"][0]["category"] = "c" * 100
    case_dict["scenarios"] = {"s" * 100: {"description": "word " * 40}}
    case_dict["funding"] = [
        {"id": "f" * 90, "amounts": 1e12, "optional": True, "guaranteed_return": 0.175}
    ]
    result = validate(runner, write_case(case_dict))
    assert result.exit_code == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_bad_case_lists_every_problem_on_stderr(runner, bad_file) -> None:
    result = validate(runner, bad_file)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == f"✗ {bad_file}: 2 problems"
    found = [PROBLEM_LINE.match(line) for line in lines[1:]]
    assert all(found), lines
    assert {(m["file"], m["path"]) for m in found} == {
        (str(bad_file), "supply[owned].unit_cost"),
        (str(bad_file), "projects[chat].vaule"),
    }
    messages = {m["path"]: m["message"] for m in found}
    assert messages["supply[owned].unit_cost"] == "negative number -1; must be >= 0"
    assert messages["projects[chat].vaule"] == "unknown key (did you mean 'value'?)"


def test_problem_lines_name_the_line_in_the_file(runner, bad_file) -> None:
    result = validate(runner, bad_file)
    text = bad_file.read_text().splitlines()
    for line in result.stderr.splitlines()[1:]:
        match = PROBLEM_LINE.match(line)
        key = match["path"].rsplit(".", 1)[-1]
        assert key in text[int(match["line"]) - 1]


def test_several_files_at_once(runner, good_file, bad_file) -> None:
    result = validate(runner, good_file, bad_file, good_file)
    assert result.exit_code == 2
    assert result.stdout.count("is a valid case: tiny-lab") == 2
    assert result.stderr.count(f"✗ {bad_file}: 2 problems") == 1
    assert str(good_file) not in result.stderr


def test_several_valid_files_exit_0(runner, good_file, write_case, case_dict) -> None:
    case_dict["name"] = "other-lab"
    result = validate(runner, good_file, write_case(case_dict))
    assert result.exit_code == 0
    assert "valid case: tiny-lab" in result.stdout
    assert "valid case: other-lab" in result.stdout


def test_scenario_is_applied_before_the_summary(runner, good_file) -> None:
    result = validate(runner, good_file, "--scenario", "budget-cut")
    assert result.exit_code == 0, result.stderr
    assert f"{good_file} [budget-cut] is a valid case" in result.stdout
    # the budget of 90 is cut by a fifth
    assert re.search(r"budget\s+72\s+unrestricted; carried over", result.stdout)


def test_scenario_short_option(runner, good_file) -> None:
    result = validate(runner, good_file, "-s", "budget-cut")
    assert result.exit_code == 0
    assert "[budget-cut]" in result.stdout


def test_unknown_scenario_exit_2(runner, good_file) -> None:
    result = validate(runner, good_file, "--scenario", "boom")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{good_file}: scenarios: no scenario named 'boom' (scenarios: budget-cut)" in (
        result.stderr
    )


def test_missing_file_exit_2(runner, tmp_path) -> None:
    missing = tmp_path / "nope.yaml"
    result = validate(runner, missing)
    assert result.exit_code == 2
    assert f"  {missing}: no such file" in result.stderr.splitlines()


def test_no_case_is_a_usage_error(runner) -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr


def test_version(runner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("allocator ")


def test_summary_survives_a_huge_growth_rate(runner, write_case, case_dict) -> None:
    case_dict["revenue"] = {"amounts": 1, "growth": 1e200}
    result = validate(runner, write_case(case_dict))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code in (0, 2)


# --- the installed console script, in a real process -------------------------------------

SCRIPT = Path(sys.executable).parent / "allocator"


@pytest.mark.skipif(not SCRIPT.exists(), reason="console script not installed")
def test_console_script(good_file, bad_file) -> None:
    env = {**os.environ, **WIDTH}
    good = subprocess.run(
        [str(SCRIPT), "validate", str(good_file)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert good.returncode == 0, good.stderr
    assert "is a valid case: tiny-lab" in good.stdout
    assert max(len(line) for line in good.stdout.splitlines()) <= 80

    bad = subprocess.run(
        [str(SCRIPT), "validate", str(bad_file)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    line = bad_file.read_text().splitlines().index("  unit_cost: -1") + 1
    assert f"  {bad_file}:{line}: supply[owned].unit_cost: negative number -1" in bad.stderr
