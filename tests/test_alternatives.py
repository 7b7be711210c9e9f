"""``allocator alternatives``: other good portfolios within a band of the optimum.

The capital-rationing teaching case (docs/teaching-cases.md §1: values A 12, B 10, C 9,
D 7, E 5; outlays Y1 8, 6, 7, 4, 5 within 20; Y2 4, 5, 1, 3, 1 within 10). Its band
within 20% of the optimum 28 (at least 22.4), enumerated by hand over every feasible
portfolio worth 23 or more:

    A+C+D 28 (19, 8)   A+B+E 27 (19, 10)   B+C+D 26 (17, 9)   A+C+E 26 (20, 6)
    A+D+E 24 (17, 8)   B+C+E 24 (18, 7)

(A+B+C and A+B+D break a budget; C+D+E 21, B+D+E 22 and every pair, at most A+B 22,
fall below the band; four or more projects break Y1.) Distances from A+C+D (projects
whose state differs): A+B+E 4, B+C+E 4, B+C+D 2, A+C+E 2, A+D+E 2.

Within 5% (at least 26.6) the band holds A+C+D and A+B+E: alpha is the robust core,
bravo, charlie, delta and echo are contested. Within 0 only the optimum: the core is
A, C, D and bravo and echo are never funded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from allocator.alternatives.api import NoPlanError, alternatives
from allocator.alternatives.tables import presence, summary
from allocator.analysis.runner import Runner
from allocator.case import load_case
from allocator.cli import app
from allocator.engine import solve as allocator_solve

CASES = Path(__file__).parent.parent / "cases"
RATIONING = CASES / "capital-rationing.yaml"
BAND = {
    frozenset("ACD"): 28,
    frozenset("ABE"): 27,
    frozenset("BCD"): 26,
    frozenset("ACE"): 26,
    frozenset("ADE"): 24,
    frozenset("BCE"): 24,
}
NAMES = {"alpha": "A", "bravo": "B", "charlie": "C", "delta": "D", "echo": "E"}


def letters(portfolio: dict[str, str]) -> frozenset[str]:
    return frozenset(NAMES[p] for p in portfolio)


def found_band(found) -> dict[frozenset[str], float]:
    """Every portfolio of the search with its best plan's objective."""
    return {letters(a.portfolio): a.result.termination.objective for a in found.found}


def checked(found) -> bool:
    return all(a.result.verification is not None and a.result.verification.ok for a in found.found)


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
def test_every_portfolio_of_the_band_best_first(backend) -> None:
    case = load_case(RATIONING)
    found = alternatives(case, 0.2, count=10, every=True, runner=Runner(backend=backend, gap=0))
    assert found.exhausted
    assert found_band(found) == pytest.approx(BAND)
    objectives = [a.result.termination.objective for a in found.found]
    assert objectives == sorted(objectives, reverse=True)
    assert checked(found)


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
def test_the_most_different_portfolio_comes_first(backend) -> None:
    case = load_case(RATIONING)
    found = alternatives(case, 0.2, count=10, runner=Runner(backend=backend, gap=0))
    first = letters(found.found[1].portfolio)
    assert first in (frozenset("ABE"), frozenset("BCE"))  # 4 of 5 projects differ
    assert found.exhausted  # the band's six portfolios, each once
    assert found_band(found) == pytest.approx(BAND)
    assert checked(found)


def test_count_limits_the_portfolios_besides_the_optimum() -> None:
    found = alternatives(load_case(RATIONING), 0.2, count=2, every=True, runner=Runner(gap=0))
    assert [letters(a.portfolio) for a in found.found[:2]] == [frozenset("ACD"), frozenset("ABE")]
    assert letters(found.found[2].portfolio) in (frozenset("BCD"), frozenset("ACE"))
    assert not found.exhausted
    table = summary(found)
    assert table["left_on_table"].tolist() == pytest.approx([0.0, 1.0, 2.0])
    assert table["differs"][1] == ["-charlie", "-delta", "+bravo (full)", "+echo (full)"]


def test_the_robust_core_the_contested_and_the_never() -> None:
    case = load_case(RATIONING)
    narrow = presence(case, alternatives(case, 0.05, every=True, runner=Runner(gap=0)))
    groups = dict(zip(narrow["project"], narrow["group"], strict=True))
    assert groups == {
        "alpha": "core",
        "bravo": "contested",
        "charlie": "contested",
        "delta": "contested",
        "echo": "contested",
    }
    alone = alternatives(case, 0.0, runner=Runner(gap=0))
    assert alone.exhausted
    assert len(alone.found) == 1
    table = presence(case, alone)
    groups = dict(zip(table["project"], table["group"], strict=True))
    assert groups == {
        "alpha": "core",
        "bravo": "never",
        "charlie": "core",
        "delta": "core",
        "echo": "never",
    }


def test_a_case_without_a_plan_has_no_alternatives(tmp_path) -> None:
    data = yaml.safe_load(RATIONING.read_text())
    data["projects"][0]["must_fund"] = True
    data["projects"][1]["must_fund"] = True
    data["projects"][2]["must_fund"] = True
    path = tmp_path / "short.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(NoPlanError):
        alternatives(load_case(path), 0.1)
    done = CliRunner().invoke(app, ["alternatives", str(path), "--within", "0.1"])
    assert done.exit_code == 3
    assert "the case has no plan" in done.stderr


def run(*args: str | Path) -> tuple[int, str, str]:
    done = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "80"})
    return done.exit_code, done.stdout, done.stderr


def test_the_json_contract(tmp_path) -> None:
    out = tmp_path / "alt.json"
    code, report, err = run(
        "alternatives", RATIONING, "--within", "0.2", "--all", "--count", "10", "--gap", "0",
        "--json", out,
    )  # fmt: skip
    assert code == 0, err
    document = json.loads(out.read_text())
    assert {"case", "scenario", "backend", "solver", "solver_version", "money_unit"} <= set(
        document
    )
    listed = document["alternatives"]
    band = {frozenset(NAMES[p] for p in a["funded"]): a["objective"] for a in listed}
    assert band == pytest.approx(BAND)
    assert all(set(a["levels"]) == set(a["funded"]) for a in listed)
    assert all(level == "full" for a in listed for level in a["levels"].values())
    assert document["optimum"] == pytest.approx(28)
    assert document["floor"] == pytest.approx(22.4)
    assert document["exhausted"] is True
    assert document["core"] == []
    assert document["checked"] is True
    assert "the band holds 5 other portfolios" in report


@pytest.mark.parametrize(
    ("options", "message"),
    [(["--within", "1.5"], "--within"), (["--within", "0.1", "--count", "0"], "--count")],
)
def test_bad_requests_exit_2(options, message) -> None:
    code, _, err = run("alternatives", RATIONING, *options)
    assert code == 2
    assert message in err


def test_a_search_that_runs_out_of_time_is_not_an_exhausted_band(monkeypatch) -> None:
    """A search solve that ends without a plan for want of time proves nothing about the
    band: the result says it stopped, and does not say the band is exhausted."""
    import dataclasses

    import allocator.alternatives.api as api
    from allocator.backends.termination import SolveStatus

    case = load_case(RATIONING)
    timed_out = dataclasses.replace(
        allocator_solve(case).termination, status=SolveStatus.NO_SOLUTION
    )
    monkeypatch.setattr(api, "_most_different", lambda *args: timed_out)
    found = alternatives(case, 0.2, runner=Runner(gap=0))
    assert len(found.found) == 1
    assert not found.exhausted
    assert found.stopped == "a search ended without a portfolio (no_solution)"
