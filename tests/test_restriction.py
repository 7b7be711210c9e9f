"""What-ifs the base plan answers with no solve (``allocator.analysis.restriction``).

Hand case (``four_projects.HAND``: one GPU resource, Q1..Q4, 10 GPUs a quarter at no
cost, a budget of 1,000 a quarter, carried over, that nothing spends): four projects,
each worth 10 for the one quarter it runs and needing all 10 GPUs. The optimum runs all
four, one a quarter: 40.

- 5% less budget in any quarter leaves the base plan within every limit and narrows
  nothing else: the base plan answers it, worth 40, changing nothing.
- 5% more budget widens a limit: solved, and worth 40 too.
- 5% less capacity (9.5 GPUs) fits no project: solved, worth 0 (change -40).
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from four_projects import HAND
from typer.testing import CliRunner

from allocator.analysis.marginals import marginals
from allocator.analysis.restriction import MESSAGE, answered_by_base, narrows
from allocator.analysis.runner import Change, Runner
from allocator.case.loading import Source, build_case
from allocator.cli import app
from allocator.engine import formulated
from allocator.verify import verify

SOURCE = Source("hand.yaml")


@pytest.mark.parametrize(
    ("change", "workers"), [(Change.MINIMAL, 1), (Change.ANY, 1), (Change.MINIMAL, 2)]
)
def test_a_smaller_budget_nobody_spends_is_answered_without_a_solve(
    change: Change, workers: int
) -> None:
    """In this process, and in forked workers, which inherit the base plan."""
    case = build_case(copy.deepcopy(HAND), SOURCE)
    found = marginals(case, runner=Runner(gap=0, change=change), workers=workers)
    steps = found.steps
    assert steps["objective"].tolist() == pytest.approx([40.0] * 8 + [40.0, 0.0])
    answered = [r.termination.message == MESSAGE for r in found.results]
    assert answered == [False, True] * 4 + [False, False]  # budget +5%, -5% ...; capacity
    for result in found.results:
        assert result.plan is not None
        assert verify(result.case, result.plan, result.termination.objective).ok
    budget_down = steps[(steps["lever"] == "budget") & (steps["step"] < 0)]
    expected_flag = True if change is Change.MINIMAL else None
    assert budget_down["minimal"].tolist() == [expected_flag] * 4
    assert (budget_down["portfolio"] == "").all()


def test_a_narrowed_limit_the_base_plan_breaks_is_not_answered() -> None:
    """GPUs at 1 each: 10 a quarter spent, more than a Q1 budget of 5."""
    data = copy.deepcopy(HAND)
    data["supply"][0]["unit_cost"] = 1
    base_case = build_case(data, SOURCE)
    base = Runner(gap=0, change=Change.ANY).solve(base_case)
    assert base.termination.objective == pytest.approx(40.0)
    tight = copy.deepcopy(data)
    tight["budget"]["amounts"] = [5, 1000, 1000, 1000]
    case, formulation, _ = formulated(build_case(tight, SOURCE))
    assert narrows(formulation.model, base.formulation.model)
    assert answered_by_base(case, formulation, base) is None


def test_narrows_refuses_a_wider_bound_and_another_matrix() -> None:
    model = formulated(build_case(copy.deepcopy(HAND), SOURCE))[1].model
    assert narrows(model, model)
    lower = model.row_lower.copy()
    upper = model.row_upper.copy()
    finite = np.flatnonzero(np.isfinite(upper))[0]
    upper[finite] -= 1.0
    assert narrows(replace(model, row_upper=upper), model)
    upper[finite] += 2.0
    assert not narrows(replace(model, row_upper=upper), model)
    lower[np.flatnonzero(np.isfinite(lower))[0]] -= 1.0
    assert not narrows(replace(model, row_lower=lower), model)
    matrix = model.matrix.copy()
    matrix.data[0] *= 2.0
    assert not narrows(replace(model, matrix=matrix), model)
    objective = model.objective.copy()
    objective[0] += 1.0
    assert not narrows(replace(model, objective=objective), model)


def test_a_smaller_contract_narrows_through_its_fixed_signature() -> None:
    """The contract must be signed, so its column is fixed at 1 and its capacity is a
    coefficient on it: 9.5 GPUs instead of 10 moves that row's limit inward (narrows),
    10.5 outward (does not). The base plan needs 10 a quarter, so 9.5 is not answered."""
    base = Runner(gap=0, change=Change.ANY).solve(build_case(copy.deepcopy(HAND), SOURCE))
    for capacity, narrower in ((9.5, True), (10.5, False)):
        data = copy.deepcopy(HAND)
        data["supply"][0]["capacity"] = capacity
        case, formulation, _ = formulated(build_case(data, SOURCE))
        model = formulation.model
        assert (model.matrix != base.formulation.model.matrix).nnz  # a coefficient moved
        assert narrows(model, base.formulation.model) is narrower
        assert answered_by_base(case, formulation, base) is None


def test_the_reports_say_which_what_ifs_took_the_base_plan(tmp_path: Path) -> None:
    path = tmp_path / "hand.yaml"
    path.write_text(yaml.safe_dump(HAND), encoding="utf-8")
    runner = CliRunner()
    found = runner.invoke(app, ["marginals", str(path), "--gap", "0", "--workers", "1"])
    assert found.exit_code == 0, found.output
    words = " ".join(found.output.split())
    assert "4 steps only narrow limits the base plan keeps" in words
    found = runner.invoke(
        app, ["frontier", str(path), "--gap", "0", "--workers", "1", "--steps", "3"]
    )
    assert found.exit_code == 0, found.output
    words = " ".join(found.output.split())
    assert "1 solve in" in words  # x1.5: more money widens the budget rows
    assert "2 points the unscaled plan answers with no solve" in words  # x0.5: unspent
