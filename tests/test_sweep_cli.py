"""``allocator sweep`` and ``allocator.sweep``: the command, its JSON contract, resuming.

The case ``small`` (two yearly periods, no discounting, budget 100 a year, objective
``value``: costs only constrain): a needs 50 GPUs for a value of 10 scaled by ``grow``,
b needs 60 for 8; the contract offers ``cap`` GPUs (60 or 120, equally likely) and an
optional spot option 50 more at 0.3 a unit, far below what a GPU earns.
- cap 60: 60 + 50 spot >= 110: both run every year, spot signed.
- cap 120: both run from the contract alone (signing spot is then neither needed nor
  costly: a solver may sign it or not).
Both projects always run: the value is 2 * (10 g + 8) with g in {0.5, 1, 2} equally
likely, so the expected objective is 2 * (10 * 3.5 / 3 + 8) = 118 / 3.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import allocator
from allocator.analysis.runner import Runner
from allocator.case.loading import Source, build_case
from allocator.cli import app

SMALL = {
    "name": "small",
    "periods": ["Y1", "Y2"],
    "periods_per_year": 1,
    "resources": [{"id": "gpu"}],
    "supply": [
        {"id": "cloud", "resource": "gpu", "capacity": 100, "unit_cost": 0.1},
        {
            "id": "spot",
            "resource": "gpu",
            "kind": "spot",
            "capacity": 50,
            "unit_cost": 0.3,
            "optional": True,
        },
    ],
    "budget": {"amounts": 100},
    "projects": [
        {"id": "a", "value": 10, "demand": {"gpu": 50}},
        {"id": "b", "value": 8, "demand": {"gpu": 60}},
    ],
    "uncertainty": [
        {"id": "cap", "path": "supply[cloud].capacity", "set": {"choice": [60, 120]}},
        {"id": "grow", "path": "projects[a].value", "scale": {"choice": [0.5, 1.0, 2.0]}},
    ],
}


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(SMALL), encoding="utf-8")
    return path


def sweep(*args: str | Path) -> tuple[int, str, str]:
    done = CliRunner().invoke(app, ["sweep", *map(str, args)], env={"COLUMNS": "80"})
    return done.exit_code, done.stdout, done.stderr


def test_the_grid_through_the_command_gives_the_hand_derived_answer(small, tmp_path) -> None:
    code, out, _ = sweep(small, "--grid", "--gap", "0", "--workers", "2", "--json", "-")
    assert code == 0
    document = json.loads(out)
    header = {"case", "scenario", "backend", "solver", "solver_version", "money_unit"}
    assert header | {"allocator_version", "draws", "summary"} <= set(document)
    assert document["kind"] == "grid"
    draws = document["draws"]
    assert [d["draw"] for d in draws] == list(range(6))
    assert sum(d["weight"] for d in draws) == pytest.approx(1.0)
    for d in draws:
        assert set(d) >= {"draw", "weight", "values", "status", "objective", "funded"}
        assert d["status"] == "optimal"
        assert d["objective"] == pytest.approx(2 * (10 * d["values"]["grow"] + 8))
        assert sorted(d["funded"]) == ["a", "b"]
        if d["values"]["cap"] == 60:  # the contract alone falls short: spot is signed
            assert "spot" in d["signed"]
    summary = document["summary"]
    assert summary["expected_objective"] == pytest.approx(118 / 3)
    assert summary["funded_probability"] == pytest.approx({"a": 1.0, "b": 1.0})
    assert summary["no_plan_probability"] == 0.0
    assert summary["signed_probability"]["spot"] >= 0.5


def test_a_second_run_with_the_same_folder_solves_nothing(small, tmp_path) -> None:
    folder = tmp_path / "draws"
    first = sweep(small, "--workers", "1", "--out", folder, "--json", tmp_path / "one.json")
    assert first[0] == 0
    code, out, _ = sweep(small, "--workers", "1", "--out", folder)
    assert code == 0
    assert "0 draws solved now, 6 found finished; every draw is kept in" in out
    assert out.splitlines()[-1] == str(folder)
    assert max(len(line) for line in out.splitlines()[:-1]) <= 80


def test_the_draws_sit_beside_the_json_by_default(small, tmp_path) -> None:
    code, _, _ = sweep(small, "--workers", "1", "--json", tmp_path / "sweep.json")
    assert code == 0
    document = json.loads((tmp_path / "sweep.json").read_text())
    assert Path(document["out"]) == tmp_path / "sweep.draws"
    assert len(list((tmp_path / "sweep.draws").glob("draw-*.parquet"))) == 6


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--grid", "--draws", "4"], "give --grid or --draws N, not both"),
        (["--draws", "0"], "greater than or equal to 1"),
    ],
)
def test_bad_requests_exit_2(small, args, says) -> None:
    code, _, err = sweep(small, *args)
    assert code == 2
    assert says in err


def test_a_grid_of_a_continuous_factor_and_a_case_without_uncertainty_exit_2(tmp_path) -> None:
    data = SMALL | {
        "uncertainty": [{"id": "cap", "path": "supply[cloud].capacity", "add": {"normal": [0, 5]}}]
    }
    path = tmp_path / "normal.yaml"
    path.write_text(yaml.safe_dump(data))
    code, _, err = sweep(path, "--grid")
    assert code == 2
    assert "cap is continuous: use --draws N" in err
    code, _, err = sweep(path)
    assert code == 2
    assert "give the number of Monte Carlo draws (--draws N)" in err
    plain = tmp_path / "plain.yaml"
    plain.write_text(yaml.safe_dump({k: v for k, v in SMALL.items() if k != "uncertainty"}))
    code, _, err = sweep(plain, "--draws", "3")
    assert code == 2
    assert "no uncertainty" in err


def test_invalid_and_infeasible_draws_are_reported_not_dropped(tmp_path) -> None:
    """cap 30 leaves b (60 GPUs) and a (50) short without spot; a must run: with spot
    (50 more) a alone fits: feasible. cap -10 is invalid. must_fund b with cap 0 and no
    spot is infeasible."""
    data = SMALL | {
        "supply": [SMALL["supply"][0]],
        "projects": [SMALL["projects"][0], SMALL["projects"][1] | {"must_fund": True}],
        "uncertainty": [
            {"id": "cap", "path": "supply[cloud].capacity", "add": {"choice": [0, -150, -100]}}
        ],
    }
    case = build_case(data, Source("x.yaml"))
    found = allocator.sweep(case, grid=True, runner=Runner(gap=0), workers=1, out=tmp_path)
    statuses = dict(zip(found.draws["draw"], found.draws["status"], strict=True))
    assert statuses == {0: "optimal", 1: "invalid", 2: "infeasible"}
    invalid = found.draws.set_index("draw").loc[1, "message"]
    assert "capacity invalid: negative number" in invalid
    assert found.summary.no_plan_probability == pytest.approx(2 / 3)
    assert found.summary.funded_probability["b"] == pytest.approx(1 / 3)


def test_the_python_api_returns_the_draws_and_the_summary(tmp_path) -> None:
    case = build_case(SMALL, Source("small.yaml"))
    found = allocator.sweep(case, draws=12, seed=5, runner=Runner(gap=0), workers=1, out=tmp_path)
    assert isinstance(found, allocator.Sweep)
    assert len(found.draws) == 12
    assert not found.grid
    assert found.seed == 5
    assert found.summary.expected_objective == pytest.approx(found.draws["objective"].mean())


def test_a_resumed_sweep_counts_only_the_draws_still_to_solve(tmp_path) -> None:
    """What the progress bar counts: the draws without a record in the folder."""
    from allocator.case.draws import grid_draws
    from allocator.sweeps.api import still_to_solve

    case = build_case(SMALL, Source("small.yaml"))
    runner = Runner(gap=0)
    draws = grid_draws(case)
    assert still_to_solve(case, draws, runner, tmp_path / "none") == 6
    allocator.sweep(case, grid=True, runner=runner, workers=1, out=tmp_path / "out")
    assert still_to_solve(case, draws, runner, tmp_path / "out") == 0
    next(iter(sorted((tmp_path / "out").glob("draw-*.parquet")))).unlink()
    assert still_to_solve(case, draws, runner, tmp_path / "out") == 1
    assert still_to_solve(case, draws, Runner(gap=0.01), tmp_path / "out") == 6
