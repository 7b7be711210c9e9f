"""Every command's report read at 80 columns: lines fit, ids stay whole, numbers read.

A small case with long ids (``LONG``) goes through every command at COLUMNS=80
and at COLUMNS=200: no line is wider than 80, and each id is found whole as often
in the narrow report as in the wide one (an id folded into fragments is not).
Comparison and the lists of changes are checked against answers derived by hand
on the capital-rationing case (docs/teaching-cases.md §1).
"""

from __future__ import annotations

import copy
import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

import allocator
from allocator.analysis.changes import plan_changes
from allocator.analysis.compare import compare
from allocator.analysis.runner import Runner
from allocator.cli import app
from allocator.report.compare_view import render_comparison

CASES = Path(__file__).resolve().parent.parent / "cases"

# take-or-pay (docs/teaching-cases.md §2) at a thousand times the size, with long ids,
# a purchase, an earmarked tranche, an optional tranche with a guaranteed return and a
# credit line, and five scenarios, one of them infeasible.
RESERVED, SPOT, OWNED = "reserved-cloud-contract-east", "spot-market-capacity", "owned-cluster"
LONG: dict[str, Any] = {
    "name": "long-ids",
    "periods": ["Q1", "Q2"],
    "periods_per_year": 4,
    "discount_rate": 0.0,
    "objective": "npv",
    "resources": [{"id": "accelerator-gb300"}],
    "supply": [
        {
            "id": RESERVED,
            "resource": "accelerator-gb300",
            "capacity": 100_000,
            "unit_cost": 2,
            "min_commit": 60_000,
            "fixed_cost": 20_000,
            "optional": True,
        },
        {"id": SPOT, "resource": "accelerator-gb300", "kind": "spot", "capacity": 100_000}
        | {"unit_cost": 5},
        {"id": OWNED, "resource": "accelerator-gb300", "kind": "purchase", "capacity": 5_000}
        | {"unit_cost": 9, "optional": True},
    ],
    "budget": {"amounts": 300_000},
    "funding": [
        {"id": "strategic-investor-tranche", "amounts": {"Q1": 100_000}, "earmark": [RESERVED]},
        {"id": "private-equity-guaranteed", "amounts": {"Q1": 50_000}, "optional": True}
        | {"divisible": True, "guaranteed_return": 0.175},
        {"id": "revolving-bank-credit-line", "kind": "credit", "limit": 100_000, "rate": 0.07},
    ],
    "projects": [
        {"id": "chat-assistant-serving", "value": 230_000, "demand": {"accelerator-gb300": 40_000}},
        {
            "id": "batch-inference-backfill",
            "value": 40_000,
            "demand": {"accelerator-gb300": 20_000},
        },
        {"id": "product-launch-campaign", "value": 200_000, "start": "Q2", "duration": 1}
        | {"demand": {"accelerator-gb300": 50_000}},
    ],
    "uncertainty": [
        {
            "id": "launch-campaign-value-swing",
            "path": "projects[product-launch-campaign].value",
            "scale": {"choice": [0.5, 1.5]},
        }
    ],
    "scenarios": {
        "signing-fee-rises-twentyfold": {
            "changes": [{"path": f"supply[{RESERVED}].fixed_cost", "set": 400_000}]
        },
        "spot-market-dries-up-entirely": {
            "changes": [{"path": f"supply[{SPOT}].capacity", "set": 0}]
        },
        "budget-cut-by-a-quarter": {"changes": [{"path": "budget.amounts", "scale": 0.75}]},
        "nothing-changes-at-all": {"changes": [{"path": "name", "set": "renamed"}]},
        "board-wants-everything-now": {
            "description": "every project must run while spot and purchases are gone",
            "changes": [
                {"path": f"supply[{SPOT}].capacity", "set": 0},
                {"path": f"supply[{OWNED}].capacity", "set": 0},
                {"path": "projects[chat-assistant-serving].must_fund", "set": True},
                {"path": "projects[batch-inference-backfill].must_fund", "set": True},
                {"path": "projects[product-launch-campaign].must_fund", "set": True},
            ],
        },
    },
}
INFEASIBLE = "board-wants-everything-now"


def ids_of(data: dict[str, Any]) -> list[str]:
    """Every id and scenario name of a case's data."""
    found = [r["id"] for key in ("resources", "supply", "funding", "projects") for r in data[key]]
    return found + list(data["scenarios"])


def count_whole(text: str, name: str) -> int:
    return len(re.findall(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text))


def assert_fits_and_whole(narrow: str, wide: str, names: list[str]) -> None:
    """Lines of ``narrow`` fit 80 columns; each name is as often whole there as in ``wide``."""
    too_wide = [line for line in narrow.splitlines() if len(line) > 80]
    assert not too_wide, too_wide
    for name in names:
        assert count_whole(narrow, name) == count_whole(wide, name), name


def run(args: list[str], columns: int) -> str:
    shown = CliRunner().invoke(app, args, env={"COLUMNS": str(columns)})
    assert shown.exit_code in (0, 3), shown.output
    return shown.stdout


@pytest.fixture(scope="module")
def long_case(tmp_path_factory: pytest.TempPathFactory) -> str:
    import yaml

    path = tmp_path_factory.mktemp("long") / "long.yaml"
    path.write_text(yaml.safe_dump(LONG, sort_keys=False), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "command",
    [
        ["solve"],
        ["solve", "--scenario", "spot-market-dries-up-entirely"],
        ["solve", "--scenario", INFEASIBLE],
        ["compare", "--all"],
        ["opportunity", "--workers", "1"],
        ["marginals"],
        ["frontier", "--steps", "3", "--workers", "1"],
        ["explain", "-s", INFEASIBLE],
        ["validate"],
        ["hedge", "--workers", "1"],
        ["alternatives", "--within", "0.5", "--all"],
    ],
    ids=lambda c: " ".join(c),
)
def test_every_report_fits_80_columns_with_ids_whole(command, long_case) -> None:
    args = [command[0], long_case, *command[1:]]
    narrow, wide = run(args, 80), run(args, 200)
    assert narrow.strip()
    assert_fits_and_whole(narrow, wide, ids_of(LONG))
    numbers = narrow.replace(long_case, "")
    assert not re.findall(r"(?<![\w.,])\d{4,}(?![\w])", numbers), "a number lacks separators"
    assert "nan" not in numbers.split()


def test_a_replan_report_fits_80_columns_with_ids_whole(long_case, tmp_path) -> None:
    plan = tmp_path / "plan.json"
    run(["solve", long_case, "--json", str(plan)], 80)
    args = ["replan", long_case, "--plan", str(plan), "--freeze-through", "Q1"]
    narrow, wide = run(args, 80), run(args, 200)
    assert all(len(line) <= 80 for line in narrow.splitlines())
    # the replan's own section (the plan above it is the solve report's)
    mine = [text.split("\nReplan\n", 1)[1].replace(str(plan), "") for text in (narrow, wide)]
    assert_fits_and_whole(*mine, ids_of(LONG))


# -- compare ----------------------------------------------------------------------------------

# capital rationing: the base funds alpha, charlie, delta (28); carry-over alpha, bravo,
# delta (29); budget-cut alpha, charlie (21); forcing alpha, bravo and charlie in needs 21
# in Y1 against a budget of 20: infeasible.
RATIONING_SCENARIOS = ["carry-over", "budget-cut", "all-three-at-once"]


@pytest.fixture(scope="module")
def rationing() -> allocator.Case:
    data = allocator.case.case_to_data(allocator.load_case(CASES / "capital-rationing.yaml"))
    data = copy.deepcopy(data)
    data["scenarios"]["all-three-at-once"] = {
        "changes": [
            {"path": f"projects[{p}].must_fund", "set": True} for p in ("alpha", "bravo", "charlie")
        ]
    }
    source = allocator.case.loading.Source("rationing.yaml")
    return allocator.case.loading.build_case(data, source)


@pytest.fixture(scope="module")
def comparison(rationing):
    return compare(rationing, scenarios=RATIONING_SCENARIOS, runner=Runner(gap=0.0))


def rendered(comparison, width: int = 80) -> str:
    console = Console(width=width, record=True)
    render_comparison(console, "title", comparison, "USD_M", "rationing.yaml")
    return console.export_text()


def test_compare_counts_are_whole_numbers_and_say_which_have_a_plan(comparison) -> None:
    summary = comparison.summary.set_index("variant")
    assert summary["objective"].tolist()[:3] == pytest.approx([28, 29, 21])
    assert summary["funded"].tolist() == [3, 3, 2, None]
    assert all(type(n) is int for n in summary["funded"].tolist()[:3])
    assert summary["has_plan"].tolist() == [True, True, True, False]
    text = rendered(comparison)
    assert not re.search(r"\b\d+\.0\b", text)  # no count written as 10.0
    assert "nan" not in text.split()


def test_compare_says_an_infeasible_scenario_is_infeasible_and_points_at_explain(
    comparison,
) -> None:
    text = " ".join(rendered(comparison).split())
    name = "all-three-at-once"
    hint = f"{name}: infeasible — see `allocator explain rationing.yaml -s {name}`"
    assert text.count(hint) == 2  # under the summary and in place of its changes
    assert "all-three-at-once infeasible" in text  # its row in the summary


def test_compare_lists_only_projects_whose_decision_differs(comparison) -> None:
    lines = rendered(comparison).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Projects whose level"))
    end = next(i for i in range(start, len(lines)) if "against the base" in lines[i])
    table = [line.split() for line in lines[start + 3 : end] if line.strip()]
    rows = [cells for cells in table if not set(cells[0]) <= {"─"}]
    # bravo enters and charlie leaves with carry-over; delta leaves with the budget cut
    assert rows == [
        ["bravo", "off", "carry-over", "full,", "Y1"],
        ["charlie", "full,", "Y1", "carry-over", "off"],
        ["delta", "full,", "Y1", "budget-cut", "off"],
    ]


def test_compare_of_long_scenario_names_keeps_them_whole(long_case) -> None:
    case = allocator.load_case(long_case)
    found = compare(case, scenarios=list(case.scenarios), runner=Runner(gap=0.0))
    assert_fits_and_whole(rendered(found), rendered(found, 200), ids_of(LONG))
    assert "nothing-changes-at-all against the base: no decision changes" in rendered(found)


# -- the lists of changes ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def take_or_pay() -> allocator.Plan:
    return allocator.solve(allocator.load_case(CASES / "take-or-pay.yaml"), gap=0).plan


def with_paid(plan: allocator.Plan, q1: float, q2: float) -> allocator.Plan:
    """``plan`` with reserved's units paid for in Q1 and Q2 moved by ``q1`` and ``q2``."""
    supply = plan.supply.copy()
    mine = supply["supply"] == "reserved"
    supply.loc[mine, "paid"] += [q1, q2]
    return dataclasses.replace(plan, supply=supply)


def test_an_amount_that_differs_below_what_is_shown_is_no_change(take_or_pay) -> None:
    assert plan_changes(take_or_pay, with_paid(take_or_pay, 1e-7, -0.004)).empty


def test_units_moved_between_periods_say_the_total_is_the_same(take_or_pay) -> None:
    changes = plan_changes(take_or_pay, with_paid(take_or_pay, 5, -5))
    assert changes["text"].tolist() == [
        "reserved: units paid for 60 -> 65 in Q1 (and 1 more period); the same 160 "
        "unit-periods in all"
    ]


def test_opportunity_shows_no_change_that_is_not_one(long_case) -> None:
    text = run(["opportunity", long_case, "--workers", "1"], 80)
    same = re.findall(r"([\d,.]+[kMG]?) -> \1(?!\d)", " ".join(text.split()))
    assert not same, same
