"""The solve report's funding and supply sections, against answers derived by hand.

Teaching cases (docs/teaching-cases.md): earmarked-funds pays cloud-a's 60 with all
of investor-a's 60 (§3); take-or-pay pays for 60 + 100 reserved GPU-quarters and 10
spot ones (§2). The small cases below are priced beside them. Every plan here has
passed the independent checker (``allocator.solve`` refuses one that does not).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

import allocator
from allocator.cli import app
from allocator.report.solve_view import render_result

CASES = Path(__file__).resolve().parent.parent / "cases"
YEARLY = {"periods_per_year": 1, "discount_rate": 0.0}

# p costs 80 in Y1; the budget and seed bring 60, so the optional pe tranche (100,
# 20% a year guaranteed) must be taken: its return, 0.2 * 100 = 20, is owed in Y2 on
# what arrived before it. npv = 110 - 80 - 20 = 10.
GUARANTEED: dict[str, Any] = {
    "name": "guaranteed",
    "periods": ["Y1", "Y2"],
    **YEARLY,
    "objective": "npv",
    "budget": {"amounts": {"Y1": 50}},
    "funding": [
        {"id": "pe", "amounts": {"Y1": 100}, "optional": True, "guaranteed_return": 0.2},
        {"id": "seed", "amounts": {"Y1": 10}},
    ],
    "projects": [{"id": "p", "value": {"Y1": 110}, "cost": {"Y1": 80}}],
    "scenarios": {
        # 80 of budget pays p alone: taking pe would only cost its return (npv 30)
        "rich": {"changes": [{"path": "budget.amounts", "set": {"Y1": 80}}]}
    },
}

# No money in Y1: p's 40 is drawn from the bank in Y1 and repaid in Y2 with 10%
# interest on the balance owed: 4. npv = 50 - 40 - 4 = 6.
CREDIT: dict[str, Any] = {
    "name": "credit",
    "periods": ["Y1", "Y2"],
    **YEARLY,
    "objective": "npv",
    "budget": {"amounts": {"Y2": 100}},
    "funding": [
        {"id": "bank", "kind": "credit", "limit": 50, "rate": 0.1, "available_until": "Y1"}
    ],
    "projects": [{"id": "p", "value": {"Y1": 50}, "cost": {"Y1": 40}}],
}

# p needs 10 GPUs in Y1 and Y2; bought in Y1 at 3 each they serve both years: 10
# units bought (30 paid), 20 unit-periods owned and used. npv = 100 - 30 = 70.
PURCHASE: dict[str, Any] = {
    "name": "purchase",
    "periods": ["Y1", "Y2"],
    **YEARLY,
    "objective": "npv",
    "resources": [{"id": "gpu"}],
    "supply": [
        {"id": "buy", "resource": "gpu", "kind": "purchase", "capacity": 100, "unit_cost": 3}
    ],
    "budget": {"amounts": {"Y1": 100}},
    "projects": [{"id": "p", "value": {"Y1": 100}, "demand": {"gpu": 10}}],
}


def solved(source: Path | dict[str, Any], write_case, scenario: str | None = None):
    path = source if isinstance(source, Path) else write_case(source)
    return allocator.solve(allocator.load_case(path), scenario=scenario, gap=0)


def report(result: allocator.Result, width: int = 80) -> str:
    console = Console(width=width, record=True)
    render_result(console, "case", result)
    return console.export_text()


def section(text: str, title: str) -> list[str]:
    """The lines of the section whose title starts with ``title``, up to the next title."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i] and not lines[i].startswith(" ")),
        len(lines),
    )
    caption = end
    while caption < len(lines) and lines[caption].strip() and lines[caption][0] != " ":
        caption += 1  # the caption right under the table belongs to it
    return lines[start:caption]


def words(line: str) -> str:
    """A line with its runs of spaces made one."""
    return " ".join(line.split())


def row(lines: list[str], first: str) -> list[str]:
    """The cells (split on runs of spaces) of the table row that starts with ``first``."""
    found = [line.split() for line in lines if line.split()[:1] == [first]]
    assert len(found) == 1, (first, lines)
    return found[0]


def test_earmarked_money_names_the_option_it_paid_and_how_much(write_case) -> None:
    """§3: cloud-a's bill of 60 is paid wholly by investor-a, nothing is left unspent."""
    result = solved(CASES / "earmarked-funds.yaml", write_case)
    assert result.termination.objective == pytest.approx(125)
    lines = section(report(result), "Funding: equity")
    assert row(lines, "investor-a") == ["investor-a", "yes", "60", "cloud-a", "60"]
    assert not any("unspent" in line for line in lines)
    assert not any("credit lines" in line for line in report(result).splitlines())


def test_money_without_an_earmark_says_so(write_case) -> None:
    """lift-earmark: investor-a's 60 is unrestricted; cloud-b serves all 90 GPUs."""
    result = solved(CASES / "earmarked-funds.yaml", write_case, "lift-earmark")
    assert result.termination.objective == pytest.approx(185)
    lines = section(report(result), "Funding: equity")
    assert row(lines, "investor-a") == ["investor-a", "yes", "60", "not", "earmarked"]


def test_an_optional_source_with_a_guaranteed_return_taken_and_its_return(write_case) -> None:
    result = solved(GUARANTEED, write_case)
    assert result.termination.objective == pytest.approx(10)
    lines = section(report(result), "Funding: equity")
    assert "return paid" in lines[2]
    assert row(lines, "pe") == ["pe", "yes", "100", "not", "earmarked", "20"]
    assert row(lines, "seed") == ["seed", "yes", "10", "not", "earmarked"]
    terms = " ".join(" ".join(lines).split())
    assert "pe: optional; 20.0% a year guaranteed return on what is taken" in terms


def test_an_optional_source_not_taken_says_no_and_pays_no_return(write_case) -> None:
    result = solved(GUARANTEED, write_case, "rich")
    assert result.termination.objective == pytest.approx(30)
    lines = section(report(result), "Funding: equity")
    assert row(lines, "pe") == ["pe", "no", "0", "not", "earmarked", "0"]


def test_the_guaranteed_returns_of_the_sources_add_up_to_the_money_table(write_case) -> None:
    funding = solved(GUARANTEED, write_case).plan
    assert funding.funding.set_index("funding")["guaranteed_returns"].to_dict() == pytest.approx(
        {"pe": 20.0, "seed": 0.0}
    )
    assert funding.money["guaranteed_returns"].tolist() == pytest.approx([0.0, 20.0])


def test_a_credit_line_shows_its_peak_draw_when_and_the_interest(write_case) -> None:
    result = solved(CREDIT, write_case)
    assert result.termination.objective == pytest.approx(6)
    lines = section(report(result), "Funding: credit lines")
    assert words(lines[2]) == "line limit drawn peak owed in interest owed at end"
    # limit 50, drawn 40, peak owed 40 in Y1, interest 4, nothing owed at the end
    assert row(lines, "bank") == ["bank", "50", "40", "40", "Y1", "4", "0"]


def test_contracts_show_unit_periods_paid_for_apart_from_purchases(write_case) -> None:
    """§2: reserved is paid for 60 (its minimum) + 100 GPU-quarters, 140 + 200 in money;
    spot for 10, 50 in money. Nothing is bought, so there is no purchases table."""
    text = report(solved(CASES / "take-or-pay.yaml", write_case))
    lines = section(text, "Supply: contracts and spot")
    assert "unit-periods" in lines[0]
    assert words(lines[2]) == "option kind signed paid for used idle money"
    assert row(lines, "reserved") == ["reserved", "contract", "yes", "160", "160", "0", "340"]
    assert row(lines, "spot") == ["spot", "spot", "yes", "10", "10", "0", "50"]
    assert "Supply: purchases" not in text
    assert "paid/bought" not in text


def test_purchases_count_units_bought_once_and_unit_periods_owned(write_case) -> None:
    result = solved(PURCHASE, write_case)
    assert result.termination.objective == pytest.approx(70)
    text = report(result)
    lines = section(text, "Supply: purchases")
    assert words(lines[2]) == "option signed units bought owned used idle money"
    assert row(lines, "buy") == ["buy", "yes", "10", "20", "20", "0", "30"]
    assert "Supply: contracts and spot" not in text


@pytest.mark.parametrize("name", ["earmarked-funds", "take-or-pay", "capital-rationing"])
def test_solve_reports_fit_80_columns(name, write_case) -> None:
    text = report(solved(CASES / f"{name}.yaml", write_case))
    assert max(len(line) for line in text.splitlines()) <= 80


def test_the_json_only_gains_the_funding_returns(write_case) -> None:
    path = write_case(GUARANTEED)
    shown = CliRunner().invoke(app, ["solve", str(path), "--json", "-"], env={"COLUMNS": "80"})
    assert shown.exit_code == 0, shown.output
    funding = {r["funding"]: r for r in json.loads(shown.stdout)["funding"]}
    assert set(funding["pe"]) == {"funding", "kind", "taken", "received", "guaranteed_returns"}
    assert funding["pe"]["guaranteed_returns"] == pytest.approx(20)
