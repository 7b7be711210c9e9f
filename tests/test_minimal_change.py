"""Minimal-change what-ifs (``allocator.analysis.closest``) and warm starts.

Hand case (one GPU resource, Q1..Q4, 10 GPUs a quarter, no money constraint binds,
objective: value): four projects ``p1``..``p4``, each worth 10 for the one quarter it
runs, needing all 10 GPUs, free to start in any quarter. Every optimum funds all four,
one a quarter (40): 24 optima, one per order. Forcing ``p1`` out leaves 30 and again
many optima (the other three in any three quarters); the one closest to the base plan
keeps ``p2``..``p4`` in their base quarters and changes one decision (``p1`` dropped).
A scenario with no GPUs in Q4 leaves 30 too: the project the base runs in Q4 is
dropped (Q1..Q3 are taken), the others stay where they were: one decision again.

Whatever optimum a solver returns first, the minimal-change answer is unique here, so
it is asserted exactly, on both backends.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from four_projects import HAND, QUARTERS
from typer.testing import CliRunner

from allocator.analysis.baseplan import BasePlan
from allocator.analysis.closest import distance
from allocator.analysis.compare import compare
from allocator.analysis.frontier import frontier
from allocator.analysis.marginals import marginals
from allocator.analysis.opportunity import opportunity
from allocator.analysis.runner import Change, Runner
from allocator.backends import BackendError
from allocator.case import Case, build_case, load_case, read_case_data
from allocator.cli import app

CASES = Path(__file__).parent.parent / "cases"


def hand_case(tmp_path: Path) -> Path:
    path = tmp_path / "hand.yaml"
    path.write_text(yaml.safe_dump(HAND), encoding="utf-8")
    return path


def starts(result: Any) -> dict[str, str]:
    table = result.plan.projects
    funded = table[table["funded"].astype(bool)]
    return dict(zip(funded["id"], funded["start"], strict=True))


BACKENDS = ["ortools", "pulp"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_forcing_one_out_changes_only_that_one(tmp_path: Path, backend: str) -> None:
    case = load_case(hand_case(tmp_path))
    found = opportunity(case, runner=Runner(backend=backend, gap=0), workers=1, projects=["p1"])
    base = starts(found.base)
    assert sorted(base.values()) == QUARTERS
    (variant,) = found.results
    assert variant.termination.objective == pytest.approx(30)
    assert starts(variant) == {p: q for p, q in base.items() if p != "p1"}
    n = variant.nearness
    assert n is not None
    assert n.proven
    assert n.changed == 1
    assert n.lower == 1
    assert n.first >= 1
    assert found.table.iloc[0]["minimal"]
    assert (found.changes["kind"] != "project").all()  # units may differ: see below


@pytest.mark.parametrize("backend", BACKENDS)
def test_with_units_held_too_nothing_else_changes(tmp_path: Path, backend: str) -> None:
    """The contract costs nothing per unit, so a plan may pay for GPUs it no longer uses
    or stop paying for them: the units rule keeps paying as the base plan did."""
    case = load_case(hand_case(tmp_path))
    runner = Runner(backend=backend, gap=0, change=Change.UNITS)
    found = opportunity(case, runner=runner, workers=1, projects=["p1"])
    assert found.results[0].nearness.proven
    assert found.table.iloc[0]["changes"] == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_scenario_drops_the_q4_project_and_moves_nothing_else(
    tmp_path: Path, backend: str
) -> None:
    case = load_case(hand_case(tmp_path))
    found = compare(case, scenarios=["no-q4"], runner=Runner(backend=backend, gap=0), workers=1)
    base = starts(found.results["base"])
    variant = found.results["no-q4"]
    assert variant.termination.objective == pytest.approx(30)
    assert starts(variant) == {p: q for p, q in base.items() if q != "Q4"}
    assert variant.nearness is not None
    assert variant.nearness.proven
    assert variant.nearness.changed == 1
    projects = found.changes[found.changes["kind"] == "project"]
    assert projects["variant"].tolist() == ["no-q4"]
    assert found.summary.set_index("variant").loc["no-q4", "minimal"]


def test_any_optimum_skips_the_search(tmp_path: Path) -> None:
    case = load_case(hand_case(tmp_path))
    runner = Runner(gap=0, change=Change.ANY)
    found = opportunity(case, runner=runner, workers=1, projects=["p1"])
    assert found.results[0].nearness is None
    assert found.table.iloc[0]["minimal"] is None


def test_the_distance_counts_each_decision_column_changed(tmp_path: Path) -> None:
    """D(x) for the base plan itself is 0; for the base with p1 moved to another quarter,
    2 (one start column off, one on); with p1 dropped, 1."""
    case = load_case(hand_case(tmp_path))
    base = Runner(gap=0).solve(case)
    model = base.formulation.model
    row, constant = distance(model, BasePlan.of(model, base.values))
    assert constant + row @ base.values == pytest.approx(0)
    choose = base.formulation.choices.table
    x = base.values.copy()
    mine = np.flatnonzero(choose["project"].to_numpy() == "p1")
    on = [j for j in mine if x[base.formulation.choose[j]] > 0.5]
    x[base.formulation.choose[on]] = 0
    assert constant + row @ x == pytest.approx(1)
    off = next(j for j in mine if j not in on)
    x[base.formulation.choose[off]] = 1
    assert constant + row @ x == pytest.approx(2)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_minimal_plan_of_each_marginal_step_is_as_good_as_its_optimum(backend: str) -> None:
    """On a real case, every step's minimal-change plan keeps the plain optimum's
    objective (gap 0: proven optima tie) and changes no more decisions than it."""
    case = load_case(CASES / "take-or-pay.yaml")
    plain = marginals(case, runner=Runner(backend=backend, gap=0, change=Change.ANY), workers=1)
    near = marginals(case, runner=Runner(backend=backend, gap=0), workers=1)
    assert near.steps["objective"].tolist() == pytest.approx(plain.steps["objective"].tolist())
    for result in near.results:
        n = result.nearness
        assert n is not None
        assert n.proven
        assert n.changed <= n.first


# --- warm starts ---------------------------------------------------------------------


def _warm_and_cold(case: Case, analysis: Any, **options: Any) -> tuple[Any, Any]:
    cold = analysis(case, runner=Runner(gap=0, change=Change.ANY), workers=1, **options)
    warm = analysis(case, runner=Runner(gap=0, change=Change.ANY, warm=True), workers=1, **options)
    return cold, warm


def test_warm_opportunity_equals_cold() -> None:
    case = load_case(CASES / "capital-rationing.yaml")
    cold, warm = _warm_and_cold(case, opportunity)
    assert warm.table["status"].tolist() == cold.table["status"].tolist()
    assert warm.table["objective"].tolist() == pytest.approx(cold.table["objective"].tolist())


def test_warm_marginals_equal_cold() -> None:
    case = load_case(CASES / "take-or-pay.yaml")
    cold, warm = _warm_and_cold(case, marginals)
    assert warm.steps["status"].tolist() == cold.steps["status"].tolist()
    assert warm.steps["objective"].tolist() == pytest.approx(cold.steps["objective"].tolist())


def test_warm_frontier_equals_cold() -> None:
    case = load_case(CASES / "capital-rationing.yaml")
    cold, warm = _warm_and_cold(case, frontier, steps=5)
    assert warm.points["status"].tolist() == cold.points["status"].tolist()
    expected = cold.points["objective"].tolist()
    assert warm.points["objective"].tolist() == pytest.approx(expected)


@pytest.mark.parametrize(
    ("analysis", "options"),
    [
        (opportunity, {}),
        (marginals, {}),
        (frontier, {"steps": 3}),
        (compare, {"scenarios": ["high-signing-fee"]}),
    ],
)
def test_a_warm_runner_hands_every_variant_a_start(
    analysis: Any, options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every solve after the base one is given a start (the duals' linear program of
    ``marginals`` is solved apart, by glop, and is not counted)."""
    from allocator.backends.ortools_backend import OrToolsBackend

    starts: list[bool] = []
    solve = OrToolsBackend.solve

    def counted(self: Any, model: Any, options: Any, start: Any = None) -> Any:
        if options.solver != "glop":
            starts.append(start is not None)
        return solve(self, model, options, start=start)

    monkeypatch.setattr(OrToolsBackend, "solve", counted)
    case = load_case(CASES / "take-or-pay.yaml")
    analysis(case, runner=Runner(change=Change.ANY, warm=True), workers=1, **options)
    assert starts[0] is False
    assert len(starts) > 1
    assert all(starts[1:])


def test_a_warm_start_needs_a_solver_that_takes_one() -> None:
    with pytest.raises(BackendError, match=r"cbc takes no starting plan.*ortools: scip, cp-sat"):
        Runner(backend="pulp", warm=True)
    with pytest.raises(BackendError, match=r"highs takes no starting plan.*ortools: scip, cp-sat"):
        Runner(backend="ortools", solver="highs", warm=True)


# --- the command line ---------------------------------------------------------------


def run(*args: str | Path) -> tuple[int, str, str]:
    done = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "80"})
    return done.exit_code, done.stdout, done.stderr


def test_the_report_and_the_json_say_the_diff_is_minimal(tmp_path: Path) -> None:
    path = hand_case(tmp_path)
    out = tmp_path / "o.json"
    code, text, err = run("opportunity", path, "-p", "p1", "--gap", "0", "--json", out)
    assert code == 0, err
    assert "Changes are minimal" in " ".join(text.split())
    (variant,) = json.loads(out.read_text())["variants"]
    assert variant["minimal"] is True
    code, text, err = run("opportunity", path, "-p", "p1", "--change", "any", "--json", out)
    assert code == 0, err
    assert "Changes are minimal" not in " ".join(text.split())
    assert json.loads(out.read_text())["variants"][0]["minimal"] is None


def test_warm_start_with_a_solver_that_takes_none_is_bad_input(tmp_path: Path) -> None:
    code, _, err = run("opportunity", hand_case(tmp_path), "-b", "pulp", "--warm-start")
    assert code == 2
    assert "cbc takes no starting plan" in " ".join(err.split())


def test_read_case_data_is_unchanged_by_a_scenario(tmp_path: Path) -> None:
    data, source = read_case_data(hand_case(tmp_path))
    before = copy.deepcopy(data)
    build_case(data, source)
    assert data == before


def test_forced_variants_reuse_the_base_formulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """The variants of ``opportunity`` are bounds on the base model: none formulates the
    case again."""
    import allocator.analysis.opportunity as opportunity_module
    import allocator.engine as engine_module

    case = load_case(CASES / "capital-rationing.yaml")
    base = Runner(gap=0).solve(case)
    calls: list[str] = []

    def counted(module: object) -> None:
        real = module.formulate  # type: ignore[attr-defined]
        monkeypatch.setattr(module, "formulate", lambda c: calls.append(c.name) or real(c))

    counted(opportunity_module)
    counted(engine_module)
    found = opportunity(case, runner=Runner(gap=0), base=base, workers=1)
    assert len(found.results) > 1
    assert calls == []


def test_a_runner_s_solve_times_the_formulation_too() -> None:
    result = Runner(gap=0).solve(load_case(CASES / "take-or-pay.yaml"))
    assert {"formulate", "solve", "plan", "verify"} <= set(result.seconds)


def test_a_rule_is_read_from_its_name_and_an_unknown_one_refused() -> None:
    assert Runner(change="any").change is Change.ANY
    with pytest.raises(ValueError, match="change must be one of minimal, units, any"):
        Runner(change="fewest")
