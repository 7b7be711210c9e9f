"""``--html`` and ``--excel`` on every command that takes them: the files are written with
the same tables as the JSON of the same run, refused outputs end the command before any
work (exit 2, nothing written), and an infeasible solve still gets its report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hedge_cases import LEAD_TIME
from typer.testing import CliRunner

from allocator.cli import app

CASES = Path(__file__).parent.parent / "cases"


def run(*args: str | Path) -> tuple[int, str, str]:
    done = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "80"})
    return done.exit_code, done.stdout, done.stderr


def read_back(path: Path) -> dict[str, pd.DataFrame]:
    return pd.read_excel(path, sheet_name=None, dtype=object)  # text stays text


def rows_equal(sheet: pd.DataFrame, rows: list[dict]) -> None:
    """A sheet read back equals a JSON list of records (nested values as JSON text;
    an empty text and null both read back as missing)."""
    expected = pd.DataFrame(rows).map(
        lambda v: json.dumps(v, separators=(",", ":")) if isinstance(v, list | dict) else v
    )
    expected = expected.replace({"": None})
    pd.testing.assert_frame_equal(
        missing_as_nan(sheet), missing_as_nan(expected), check_dtype=False
    )


def missing_as_nan(table: pd.DataFrame) -> pd.DataFrame:
    """One spelling of a missing value, whatever the column's type."""
    table = table.astype(object)
    return table.where(table.notna(), float("nan"))


@pytest.mark.parametrize(
    ("command", "case", "tables"),
    [
        (["solve"], "earmarked-funds.yaml", ["projects", "supply", "cash", "funding"]),
        (["compare", "--all"], "take-or-pay.yaml", ["summary", "changes"]),
        (["frontier", "--steps", "3"], "capital-rationing.yaml", ["points", "moves"]),
        (["opportunity"], "take-or-pay.yaml", ["variants", "changes"]),
        (["marginals"], "take-or-pay.yaml", ["duals", "steps"]),
    ],
)
def test_each_command_writes_a_page_and_a_workbook_of_its_json(
    command, case, tables, tmp_path
) -> None:
    html, excel, out = tmp_path / "r.html", tmp_path / "r.xlsx", tmp_path / "r.json"
    code, _, err = run(*command, CASES / case, "--html", html, "--excel", excel, "--json", out)
    assert code == 0, err
    document = json.loads(out.read_text())
    sheets = read_back(excel)
    for name in tables:
        rows_equal(sheets[name], document[name])
    text = html.read_text()
    assert text.startswith("<!DOCTYPE html>")
    assert f"allocator {command[0]}: " in text
    assert 'class="plotly-graph-div"' in text


def test_a_sweep_s_summary_mappings_are_tables(tmp_path) -> None:
    case = tmp_path / "lead.yaml"
    case.write_text(yaml.safe_dump(LEAD_TIME))
    excel, out = tmp_path / "s.xlsx", tmp_path / "s.json"
    code, _, err = run("sweep", case, "--grid", "--workers", "1", "--excel", excel, "--json", out)
    assert code == 0, err
    document = json.loads(out.read_text())
    sheets = read_back(excel)
    funded = sheets["summary.funded_probability"]
    assert dict(zip(funded["project"], funded["probability"], strict=True)) == pytest.approx(
        document["summary"]["funded_probability"]
    )
    assert len(sheets["draws"]) == len(document["draws"])
    assert list(sheets["draws"]["objective"]) == pytest.approx(
        [d["objective"] for d in document["draws"]]
    )


def test_a_hedge_s_first_stage_and_futures_are_sheets(tmp_path, dask_scheduler) -> None:
    case = tmp_path / "lead.yaml"
    case.write_text(yaml.safe_dump(LEAD_TIME))
    html, excel, out = tmp_path / "h.html", tmp_path / "h.xlsx", tmp_path / "h.json"
    code, _, err = run(
        "hedge", case, "--gap", "0", "--scheduler", dask_scheduler,
        "--html", html, "--excel", excel, "--json", out,
    )  # fmt: skip
    assert code == 0, err
    document = json.loads(out.read_text())
    sheets = read_back(excel)
    rows_equal(sheets["first_stage.supply"], document["first_stage"]["supply"])
    assert list(sheets["futures"]["objective"]) == pytest.approx([0.0, 300.0])
    cover = dict(zip(sheets["cover"]["item"], sheets["cover"]["value"], strict=True))
    assert cover["expected_objective"] == pytest.approx(150)
    assert cover["vss"] == pytest.approx(25)
    assert 'id="plot-futures"' in html.read_text()


def test_an_infeasible_solve_reports_why_in_its_page_and_workbook(tmp_path) -> None:
    data = yaml.safe_load((CASES / "take-or-pay.yaml").read_text())
    for project in data["projects"]:
        project["must_fund"] = True
    data["budget"]["amounts"] = 1
    case = tmp_path / "short.yaml"
    case.write_text(yaml.safe_dump(data))
    html, excel = tmp_path / "r.html", tmp_path / "r.xlsx"
    code, _, _ = run("solve", case, "--html", html, "--excel", excel)
    assert code == 3
    sheets = read_back(excel)
    cover = dict(zip(sheets["cover"]["item"], sheets["cover"]["value"], strict=True))
    assert cover["status"] == "infeasible"
    assert any(name.startswith("explanation.") for name in sheets)
    assert 'class="plotly-graph-div"' not in html.read_text()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--html", "{tmp}/missing/r.html"], "no folder"),
        (["--excel", "{tmp}/r.csv"], "a workbook's name ends in .xlsx"),
        (["--excel", "{tmp}"], "it is a folder"),
        (["--html", "{tmp}/same.xlsx", "--excel", "{tmp}/same.xlsx"], "the same file"),
    ],
)
def test_an_output_that_cannot_be_written_is_refused_before_any_work(
    options, message, tmp_path
) -> None:
    out = tmp_path / "r.json"
    filled = [o.replace("{tmp}", str(tmp_path)) for o in options]
    code, _, err = run("solve", CASES / "take-or-pay.yaml", "--json", out, *filled)
    assert code == 2
    assert message in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_written_files_are_readable_by_others_as_the_umask_allows(tmp_path) -> None:
    excel = tmp_path / "r.xlsx"
    code, _, _ = run("solve", CASES / "take-or-pay.yaml", "--excel", excel)
    assert code == 0
    assert excel.stat().st_mode & 0o044  # not 0600 like a bare temporary file
