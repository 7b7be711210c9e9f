"""The case's uncertainty: checked at load, drawn on a grid or by Monte Carlo, applied as data."""

# ruff: noqa: E501 (the table of broken factors reads best one case a line)

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest

import allocator
from allocator import CaseError, InputError
from allocator.case.draws import Draw, draw_case, grid_draws, monte_carlo_draws
from allocator.case.loading import Source, build_case
from allocator.case.uncertainty_checks import uncertainty_problems

BASE: dict[str, Any] = {
    "name": "uncertain",
    "periods": ["Y1", "Y2", "Y3"],
    "periods_per_year": 1,
    "resources": [{"id": "gpu"}],
    "supply": [{"id": "cloud", "resource": "gpu", "capacity": 100, "unit_cost": 0.1}],
    "budget": {"amounts": 100},
    "projects": [
        {"id": "a", "value": 10, "demand": {"gpu": 50}, "duration": 2},
        {"id": "b", "value": 8, "demand": {"gpu": 60}},
    ],
}


def case_with(*factors: dict[str, Any], scenarios: dict | None = None) -> allocator.Case:
    data = copy.deepcopy(BASE) | {"uncertainty": list(factors)}
    if scenarios:
        data["scenarios"] = scenarios
    return build_case(data, Source("uncertain.yaml"))


def problems_of(*factors: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, message) of every problem, whether the schema or the load checks find it."""
    try:
        case = case_with(*factors)
    except CaseError as error:
        return [(p.path, p.message) for p in error.problems]
    return [(p.path, p.message) for p in uncertainty_problems(case, Source("uncertain.yaml"))]


CAPACITY = {"id": "cap", "path": "supply[cloud].capacity"}
DELAY = {"id": "delay", "path": "supply[cloud].available_from"}


@pytest.mark.parametrize(
    ("factor", "path", "says"),
    [
        (CAPACITY | {"set": {"choice": [50, 150], "p": [0.5, 0.6]}}, "uncertainty[cap].set", "add up to 1.1, not 1"),
        (CAPACITY | {"set": {"choice": [50, 150], "p": [1.0]}}, "uncertainty[cap].set", "1 probabilities for 2 choices"),
        (CAPACITY | {"set": {"choice": [50, 150], "p": [1.5, 0.5]}}, "uncertainty[cap].set.p[0]", "must be <= 1"),
        (CAPACITY | {"set": {"choice": [50, 150], "p": [0.5, -0.5]}}, "uncertainty[cap].set.p[1]", "negative number -0.5"),
        (CAPACITY | {"set": {"choice": []}}, "uncertainty[cap].set.choice", "must not be empty"),
        (CAPACITY | {"set": {"uniform": [5, 1]}}, "uncertainty[cap].set", "lo 5 is above hi 1"),
        (CAPACITY | {"set": {"normal": [5, -1]}}, "uncertainty[cap].set.normal[1]", "negative number -1"),
        (CAPACITY | {"set": {"triangular": [1, 9, 5]}}, "uncertainty[cap].set", "lo <= mode <= hi"),
        (CAPACITY | {"set": {"poisson": [3]}}, "uncertainty[cap].set", "expected one distribution"),
        (CAPACITY | {"set": {"choice": [1]}, "add": {"choice": [1]}}, "uncertainty[cap]", "exactly one of set, scale, add"),
        (CAPACITY, "uncertainty[cap]", "exactly one of set, scale, add (found: none)"),
        (DELAY | {"set": {"choice": ["Y2", "Y9"]}}, "uncertainty[delay].set.choice[1]", "'Y9' is not a period of the horizon"),
        (CAPACITY | {"set": {"choice": [50, "lots"]}}, "uncertainty[cap].set.choice[1]", "expected a number"),
        (CAPACITY | {"scale": {"choice": [0.5, "half"]}}, "uncertainty[cap].scale.choice[1]", "scale takes a number, got 'half'"),
        ({"id": "x", "path": "supply[clod].capacity", "add": {"normal": [0, 1]}}, "uncertainty[x].path", "no item with id 'clod'"),
        ({"id": "d", "path": "projects[a].duration", "set": {"uniform": [1, 2]}}, "uncertainty[d]", "expected a whole number, got 1.5"),
        (CAPACITY | {"add": {"choice": [-500]}}, "uncertainty[cap].add.choice[0]", "negative number -400"),
    ],
)  # fmt: skip
def test_a_broken_factor_is_reported_at_its_path(factor, path, says) -> None:
    found = problems_of(factor)
    assert any(p == path and says in m for p, m in found), found


def test_every_problem_is_reported_at_once() -> None:
    found = problems_of(
        DELAY | {"set": {"choice": ["Y9"]}},
        CAPACITY | {"set": {"choice": ["lots"]}},
        {"id": "x", "path": "budget.nope.x", "add": {"choice": [1]}},
    )
    assert [p for p, _ in found] == [
        "uncertainty[delay].set.choice[0]",
        "uncertainty[cap].set.choice[0]",
        "uncertainty[x].path",
    ]


def test_duplicate_factor_ids_are_refused() -> None:
    found = problems_of(CAPACITY | {"set": {"choice": [50]}}, CAPACITY | {"scale": {"choice": [2]}})
    assert any("duplicate id 'cap'" in m for _, m in found), found


def test_a_valid_uncertainty_loads_and_the_validate_command_accepts_it(tmp_path) -> None:
    import yaml
    from typer.testing import CliRunner

    from allocator.cli import app

    good = copy.deepcopy(BASE) | {"uncertainty": [DELAY | {"set": {"choice": ["Y1", "Y2"]}}]}
    bad = copy.deepcopy(BASE) | {"uncertainty": [DELAY | {"set": {"choice": ["Y1", "Y7"]}}]}
    (tmp_path / "good.yaml").write_text(yaml.safe_dump(good))
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(bad))
    assert CliRunner().invoke(app, ["validate", str(tmp_path / "good.yaml")]).exit_code == 0
    shown = CliRunner().invoke(app, ["validate", str(tmp_path / "bad.yaml")])
    assert shown.exit_code == 2
    assert "uncertainty[delay].set.choice[1]: 'Y7' leaves" in shown.output
    assert "bad.yaml:" in shown.output  # the file and line


# --- draws -------------------------------------------------------------------------------


def test_a_grid_is_every_combination_weighted_by_the_product_of_probabilities() -> None:
    case = case_with(
        CAPACITY | {"set": {"choice": [50, 150], "p": [0.25, 0.75]}},
        DELAY | {"set": {"choice": ["Y1", "Y2", "Y3"]}},
    )
    draws = grid_draws(case)
    assert len(draws) == 6
    assert [d.index for d in draws] == list(range(6))
    assert math.fsum(d.weight for d in draws) == pytest.approx(1.0)
    by_values = {(d.values["cap"], d.values["delay"]): d.weight for d in draws}
    assert by_values[(50, "Y2")] == pytest.approx(0.25 / 3)
    assert by_values[(150, "Y3")] == pytest.approx(0.75 / 3)


def test_a_grid_refuses_continuous_factors() -> None:
    case = case_with(CAPACITY | {"add": {"normal": [0, 5]}})
    with pytest.raises(InputError, match="cap is continuous: use --draws N"):
        grid_draws(case)


def test_a_case_without_uncertainty_has_nothing_to_draw() -> None:
    with pytest.raises(InputError, match="no uncertainty"):
        monte_carlo_draws(build_case(copy.deepcopy(BASE), Source("x.yaml")), 10, 1)


def test_monte_carlo_draws_are_reproducible_and_draw_i_does_not_depend_on_n() -> None:
    case = case_with(
        CAPACITY | {"add": {"uniform": [-10, 10]}},
        DELAY | {"set": {"choice": ["Y1", "Y2"], "p": [0.9, 0.1]}},
    )
    ten, twenty = monte_carlo_draws(case, 10, seed=7), monte_carlo_draws(case, 20, seed=7)
    assert [d.values for d in ten] == [d.values for d in twenty[:10]]
    assert all(d.weight == pytest.approx(0.1) for d in ten)
    assert [d.values for d in ten] == [d.values for d in monte_carlo_draws(case, 10, seed=7)]
    assert [d.values for d in ten] != [d.values for d in monte_carlo_draws(case, 10, seed=8)]


@pytest.mark.parametrize(
    ("distribution", "mean", "variance"),
    [
        ({"uniform": [2, 6]}, 4.0, 16 / 12),
        ({"normal": [3, 2]}, 3.0, 4.0),
        ({"lognormal": [0, 0.5]}, math.exp(0.125), (math.exp(0.25) - 1) * math.exp(0.25)),
        ({"triangular": [0, 3, 6]}, 3.0, (0 + 9 + 36 - 0 - 0 - 18) / 18),
        ({"choice": [1, 10], "p": [0.8, 0.2]}, 2.8, 0.8 * 1.8**2 + 0.2 * 7.2**2),
    ],
)
def test_samples_follow_their_distribution(distribution, mean, variance) -> None:
    """The sample mean of 2,000 draws lies within 4 standard errors of the exact mean."""
    case = case_with({"id": "x", "path": "projects[a].value", "add": distribution})
    values = np.array([d.values["x"] for d in monte_carlo_draws(case, 2000, seed=3)])
    assert abs(values.mean() - mean) < 4 * math.sqrt(variance / 2000)


def test_a_draw_is_applied_as_the_changes_it_names() -> None:
    case = case_with(CAPACITY | {"scale": {"choice": [0.5]}}, DELAY | {"set": {"choice": ["Y2"]}})
    drawn = draw_case(case, Draw(0, 1.0, {"cap": 0.5, "delay": "Y2"}))
    assert drawn.supply[0].capacity == 50
    assert drawn.supply[0].available_from == "Y2"
    assert case.supply[0].capacity == 100  # the case never changes


def test_a_draw_that_breaks_a_rule_raises_with_the_reason() -> None:
    case = case_with(CAPACITY | {"add": {"normal": [0, 10]}})
    with pytest.raises(CaseError, match=r"supply\[cloud\].capacity invalid: negative number"):
        draw_case(case, Draw(0, 1.0, {"cap": -150.0}))


def test_a_scenario_keeps_the_uncertainty_to_draw_after_it() -> None:
    scenarios = {"double": {"changes": [{"path": "supply[cloud].capacity", "scale": 2}]}}
    case = case_with(CAPACITY | {"add": {"choice": [5]}}, scenarios=scenarios)
    doubled = allocator.apply_scenario(case, "double")
    assert [f.id for f in doubled.uncertainty] == ["cap"]
    assert draw_case(doubled, Draw(0, 1.0, {"cap": 5})).supply[0].capacity == 205


# --- apply_changes ----------------------------------------------------------------------------


def test_apply_changes_takes_changes_as_data_and_returns_a_new_case() -> None:
    case = case_with()
    changed = allocator.apply_changes(
        case,
        [
            {"path": "budget.amounts", "scale": 0.5},
            {"path": "projects[a].value", "add": -2},
            {"path": "supply[cloud].available_from", "set": "Y2"},
        ],
    )
    assert (changed.budget.amounts, changed.projects[0].value) == (50, 8)
    assert changed.supply[0].available_from == "Y2"
    assert (case.budget.amounts, case.projects[0].value) == (100, 10)


def test_apply_changes_reports_every_problem_at_once() -> None:
    with pytest.raises(CaseError) as caught:
        allocator.apply_changes(
            case_with(),
            [
                {"path": "supply[clod].capacity", "set": 1},
                {"path": "budget.amounts", "scale": "half"},
                {"path": "projects[zz].value", "add": 1},
            ],
        )
    paths = [p.path for p in caught.value.problems]
    assert paths == ["changes[1].scale", "changes[0].path", "changes[2].path"]


def test_apply_changes_says_which_rule_the_result_breaks() -> None:
    with pytest.raises(CaseError, match=r"leave supply\[cloud\].capacity invalid: negative"):
        allocator.apply_changes(case_with(), [{"path": "supply[cloud].capacity", "add": -500}])


def test_validate_summarises_the_uncertainty(tmp_path) -> None:
    import yaml
    from typer.testing import CliRunner

    from allocator.cli import app

    data = copy.deepcopy(BASE) | {
        "uncertainty": [
            CAPACITY | {"scale": {"choice": [0.5, 1, 2]}},
            DELAY | {"set": {"choice": ["Y1", "Y2"]}},
        ]
    }
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(data))
    shown = CliRunner().invoke(
        app, ["validate", str(tmp_path / "case.yaml")], env={"COLUMNS": "80"}
    )
    assert shown.exit_code == 0
    assert "Uncertainty (6 grid points)" in shown.output
    assert "supply[cloud].available_from" in shown.output
    assert "scale, 3 choices" in shown.output
    data["uncertainty"].append({"id": "noise", "path": "budget.amounts", "add": {"normal": [0, 1]}})
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(data))
    shown = CliRunner().invoke(
        app, ["validate", str(tmp_path / "case.yaml")], env={"COLUMNS": "80"}
    )
    assert "no grid: a continuous factor" in shown.output
    assert "add, normal [0, 1]" in shown.output
