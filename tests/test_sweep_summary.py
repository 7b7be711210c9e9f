"""What a sweep says: known answers for the statistics of its records, and its report.

A small grid is solved draw by draw and its summary checked against an answer derived
by hand; Monte Carlo draws of a case whose objective is linear in its factors must put
the mean within four standard errors of the exact expectation; weighted quantiles and
the other statistics are checked on records written by hand; the report fits 80
columns with every id whole and its histogram's bars follow the weights.
"""

from __future__ import annotations

import copy
import json
import math
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from allocator.analysis.runner import Runner
from allocator.case.draws import grid_draws, monte_carlo_draws
from allocator.case.loading import Source, build_case
from allocator.case.model import Case
from allocator.case.uncertainty_checks import uncertainty_problems
from allocator.errors import InputError
from allocator.report.sweep_view import BAR_WIDTH, BLOCKS, HISTOGRAM_TITLE, render_sweep
from allocator.sweeps.record import RECORD_FIELDS, solve_draw
from allocator.sweeps.summary import Bin, summarise, summary_document, weighted_quantile

EXACT = 1e-9

# -- a grid solved by hand ----------------------------------------------------------------

GRID: dict[str, Any] = {
    "name": "grid-by-hand",
    "periods": ["Y1"],
    "periods_per_year": 1,
    "objective": "value",
    "resources": [{"id": "gpu"}],
    "supply": [{"id": "cloud", "resource": "gpu", "capacity": 120, "unit_cost": 0.4}],
    "budget": {"amounts": 45},
    "projects": [
        {"id": "a", "value": 10, "demand": {"gpu": 70}},
        {"id": "b", "value": 6, "demand": {"gpu": 40}},
    ],
    "uncertainty": [
        {"id": "capacity", "path": "supply[cloud].capacity", "set": {"choice": [100, 120]}},
        {
            "id": "b-value",
            "path": "projects[b].value",
            "set": {"choice": [6, 12], "p": [0.75, 0.25]},
        },
        {
            "id": "commit",
            "path": "supply[cloud].min_commit",
            "set": {"choice": [0, 115], "p": [0.9, 0.1]},
        },
    ],
}
"""Two projects on one contract, in one period, maximising value; 2 x 2 x 2 draws.

a needs 70 gpu and is worth 10; b needs 40 and is worth 6 or 12 (p 0.75, 0.25). Each
gpu costs 0.4 and 45 arrives. Every value of every factor is valid on the case alone
(a minimum of 115 within the capacity of 120; a capacity of 100 without a minimum).

- capacity 100, no minimum (weight 0.5 * 0.9 = 0.45): a and b need 110 > 100, so one
  runs: a (10) when b is worth 6 (weight 0.3375), b (12) when it is worth 12 (0.1125).
- capacity 120, no minimum (0.45): both fit (110 gpu, 44 of money <= 45): 16 when b is
  worth 6 (0.3375), 22 when it is worth 12 (0.1125).
- capacity 100 with a minimum of 115 (0.05): the minimum exceeds the capacity: the
  draw breaks a rule of the case, ``invalid`` (two draws, one per b-value).
- capacity 120 with a minimum of 115 (0.05): 115 * 0.4 = 46 is due whatever is used,
  more than the 45 there is: ``infeasible`` (two draws).

So no plan with probability 0.1; over the draws with a plan (weight 0.9) the objective
is 10, 12, 16, 22 with probabilities 0.375, 0.125, 0.375, 0.125: mean 12.6 / 0.9 = 14,
variance 0.375 * 16 + 0.125 * 4 + 0.375 * 4 + 0.125 * 64 = 16 (std 4); cumulative
0.375, 0.5, 0.875, 1, so the 5% and 25% quantiles are 10, the median 12 (the
cumulative weight reaches 0.5 exactly there), the 75% 16 and the 95% 22. a is funded
with probability 0.3375 + 0.45 = 0.7875, b with 0.1125 + 0.45 = 0.5625.
"""


def build(data: dict[str, Any]) -> Case:
    """A case from plain data, with its uncertainty checked as loading checks it."""
    source = Source("x.yaml")
    case = build_case(copy.deepcopy(data), source)
    assert uncertainty_problems(case, source) == []
    return case


def assert_levels(actual: dict[str, dict[str, float]], expected: dict[str, dict[str, float]]):
    """Level probabilities equal, project by project."""
    assert list(actual) == list(expected)
    for project, levels in expected.items():
        assert actual[project] == pytest.approx(levels, abs=EXACT), project


@pytest.fixture(scope="module")
def grid_records() -> pd.DataFrame:
    case = build(GRID)
    runner = Runner(gap=0)
    return pd.DataFrame([solve_draw(case, d, runner) for d in grid_draws(case)])


def test_grid_summary_matches_the_hand_derived_answer(grid_records: pd.DataFrame) -> None:
    summary = summarise(grid_records, build(GRID), monte_carlo=False)
    assert summary.draws == 8
    assert summary.draws_with_plan == 4
    assert summary.statuses == {
        "optimal": 4,
        "feasible": 0,
        "infeasible": 2,
        "unbounded": 0,
        "no_solution": 0,
        "error": 0,
        "invalid": 2,
    }
    assert summary.no_plan_probability == pytest.approx(0.1, abs=EXACT)
    assert summary.status_probability["invalid"] == pytest.approx(0.05, abs=EXACT)
    assert summary.status_probability["infeasible"] == pytest.approx(0.05, abs=EXACT)
    assert summary.expected_objective == pytest.approx(14, abs=EXACT)
    assert summary.objective.std == pytest.approx(4, abs=EXACT)
    quantiles = [summary.objective.q05, summary.objective.q25, summary.objective.q50]
    quantiles += [summary.objective.q75, summary.objective.q95]
    assert quantiles == pytest.approx([10, 10, 12, 16, 22], abs=1e-6)
    assert summary.objective.stderr is None  # a grid is the distribution itself
    assert summary.funded_probability == pytest.approx({"a": 0.7875, "b": 0.5625}, abs=EXACT)
    assert_levels(summary.level_probability, {"a": {"full": 0.7875}, "b": {"full": 0.5625}})
    assert summary.signed_probability == {}  # no optional supply
    assert summary.credit_peak.mean == pytest.approx(0, abs=EXACT)  # no credit line
    assert summary.total_weight == pytest.approx(1, abs=EXACT)


def test_draws_without_a_plan_count_as_not_funded(grid_records: pd.DataFrame) -> None:
    without = grid_records[~grid_records["status"].isin(["optimal", "feasible"])]
    assert set(without["status"]) == {"infeasible", "invalid"}
    assert all(len(f) == 0 for f in without["funded"])
    invalid = without[without["status"] == "invalid"]
    assert invalid["message"].str.contains("take-or-pay minimum 115 exceeds the capacity").all()
    # the probabilities are relative to every draw: a is funded in every draw with a plan
    # except b's 12 at capacity 100, i.e. 0.7875 of all draws, not 0.875 of those with one
    summary = summarise(grid_records, build(GRID), monte_carlo=False)
    assert summary.funded_probability["a"] == pytest.approx(0.7875, abs=EXACT)


def test_the_summary_document_keeps_the_contract_keys(grid_records: pd.DataFrame) -> None:
    document = summary_document(summarise(grid_records, build(GRID), monte_carlo=False))
    json.dumps(document)  # plain data
    assert document["expected_objective"] == pytest.approx(14, abs=EXACT)
    assert document["funded_probability"] == pytest.approx({"a": 0.7875, "b": 0.5625})
    assert document["no_plan_probability"] == pytest.approx(0.1, abs=EXACT)
    for figure in ("objective", "cash_low", "credit_peak"):
        assert set(document[figure]) == {"mean", "std", "q05", "q25", "q50", "q75", "q95"} | {
            "stderr"
        }
    assert {"draws", "draws_with_plan", "monte_carlo", "statuses", "level_probability"} <= set(
        document
    )
    assert document["draws"] == 8
    assert document["draws_with_plan"] == 4
    assert document["monte_carlo"] is False
    assert document["statuses"]["invalid"] == 2
    assert document["signed_probability"] == {}


# -- Monte Carlo ---------------------------------------------------------------------------

LINEAR: dict[str, Any] = {
    "name": "linear-in-its-factors",
    "periods": ["Y1"],
    "periods_per_year": 1,
    "objective": "value",
    "projects": [
        {"id": "a", "value": 10, "must_fund": True},
        {"id": "b", "value": 5, "must_fund": True},
    ],
    "uncertainty": [
        {"id": "a-scale", "path": "projects[a].value", "scale": {"uniform": [0.5, 1.5]}},
        {"id": "b-shift", "path": "projects[b].value", "add": {"normal": [0, 1]}},
    ],
}
"""Two projects always funded, worth 10 * U and 5 + Z with U uniform on [0.5, 1.5] and
Z standard normal: the objective is their sum, 10 * E[U] + 5 + E[Z] = 15 on average,
with variance 100 / 12 + 1."""


def test_monte_carlo_mean_is_within_four_standard_errors_of_the_expectation() -> None:
    case = build(LINEAR)
    count = 160  # a standard error of about 0.23; each draw is a whole solve (~0.1 s)
    runner = Runner(gap=0)
    records = pd.DataFrame(
        [solve_draw(case, d, runner) for d in monte_carlo_draws(case, count, seed=7)]
    )
    summary = summarise(records, case, monte_carlo=True)
    assert summary.draws_with_plan == count
    stderr = summary.objective.stderr
    assert stderr == pytest.approx(summary.objective.std / math.sqrt(count))
    assert abs(summary.expected_objective - 15) < 4 * stderr
    exact_std = math.sqrt(100 / 12 + 1)
    assert summary.objective.std == pytest.approx(exact_std, rel=0.15)
    assert summary.funded_probability == pytest.approx({"a": 1.0, "b": 1.0})
    assert summary.no_plan_probability == 0


# -- statistics on records written by hand -----------------------------------------------


def record(draw: int, weight: float, status: str, objective: float | None = None, **more: Any):
    """A record as ``solve_draw`` writes it; what is not given is empty."""
    out: dict[str, Any] = dict.fromkeys(RECORD_FIELDS)
    out.update(
        draw=draw,
        weight=weight,
        values="{}",
        status=status,
        objective=objective,
        message="",
        funded=[],
        levels="{}",
        starts="{}",
        signed=[],
        seconds=0.0,
    )
    out.update(more)
    return out


HAND_CASE: dict[str, Any] = {
    "name": "hand",
    "periods": ["Q1", "Q2"],
    "resources": [{"id": "gpu"}],
    "supply": [
        {"id": "cloud", "resource": "gpu", "capacity": 10, "optional": True},
        {"id": "owned", "resource": "gpu", "capacity": 10},
    ],
    "funding": [
        {"id": "pe", "amounts": {"Q1": 5}, "optional": True, "guaranteed_return": 0.175},
        {"id": "bank", "kind": "credit", "limit": 10},
    ],
    "projects": [
        {
            "id": "video",
            "levels": [{"id": "pilot", "value": 1}, {"id": "full", "value": 2}],
        },
        {"id": "chat", "value": 1},
    ],
}


def test_weighted_quantiles_take_the_least_value_whose_cumulative_weight_reaches_q() -> None:
    values = np.array([3.0, 1.0, 2.0, 4.0])
    weights = np.array([0.1, 0.2, 0.3, 0.4])  # sorted: 1 (0.2), 2 (0.5), 3 (0.6), 4 (1.0)
    expected = {0.05: 1, 0.2: 1, 0.25: 2, 0.5: 2, 0.55: 3, 0.6: 3, 0.75: 4, 0.95: 4}
    for q, answer in expected.items():
        assert weighted_quantile(values, weights, q) == answer, q
    # equal weights: the lower middle value at 0.5
    four = np.array([4.0, 3.0, 2.0, 1.0])
    assert weighted_quantile(four, np.full(4, 0.25), 0.5) == 2
    assert weighted_quantile(four, np.full(4, 0.25), 0.75) == 3
    # weights that do not add up to 1 are renormalised; rounding never skips a value
    tenths = np.arange(1.0, 11.0)
    assert [weighted_quantile(tenths, np.full(10, 0.1), q / 10) for q in range(1, 11)] == list(
        tenths
    )
    assert weighted_quantile(values, weights * 7, 0.5) == 2


def test_summarise_records_written_by_hand() -> None:
    """Five draws of weight 0.1, 0.2, 0.3, 0.3, 0.1; the last two have no plan.

    With a plan (weight 0.6): objectives 10, 20, 40 (weights 0.1, 0.2, 0.3): mean
    (1 + 4 + 12) / 0.6 = 28.333..; cumulative 1/6, 1/2, 1: 5% -> 10, 25% and 50% -> 20,
    75% and 95% -> 40. video: pilot in draw 0, full in draw 2 -> 0.1 and 0.3 of all
    draws; chat in draws 0 and 1 -> 0.3; cloud signed in draw 2 -> 0.3; guaranteed
    returns paid only in draw 1 -> taken with probability 0.2, mean (0 + 6 * 0.2 + 0)
    / 0.6 = 2. Cash lowest in Q1 in draws 0 and 2 (0.4 / 0.6), Q2 in draw 1.
    """
    case = build(HAND_CASE)
    records = pd.DataFrame(
        [
            record(
                0, 0.1, "optimal", 10, funded=np.array(["video", "chat"]),
                levels=json.dumps({"video": "pilot", "chat": "full"}),
                cash_low=5.0, cash_low_period="Q1", credit_peak=0.0, guaranteed_returns=0.0,
            ),
            record(
                1, 0.2, "feasible", 20, funded=["chat"], levels=json.dumps({"chat": "full"}),
                cash_low=1.0, cash_low_period="Q2", credit_peak=4.0, guaranteed_returns=6.0,
            ),
            record(
                2, 0.3, "optimal", 40, funded=["video"], levels=json.dumps({"video": "full"}),
                signed=["cloud"], cash_low=2.0, cash_low_period="Q1", credit_peak=10.0,
                guaranteed_returns=0.0,
            ),
            record(3, 0.3, "no_solution", message="time limit"),
            record(4, 0.1, "invalid", message="broken"),
        ]
    )  # fmt: skip
    summary = summarise(records, case, monte_carlo=False)
    assert summary.no_plan_probability == pytest.approx(0.4, abs=EXACT)
    assert summary.statuses["no_solution"] == 1
    assert summary.statuses["feasible"] == 1
    assert summary.expected_objective == pytest.approx(17 / 0.6, abs=EXACT)
    o = summary.objective
    assert [o.q05, o.q25, o.q50, o.q75, o.q95] == [10, 20, 20, 40, 40]
    mean = 17 / 0.6
    variance = (0.1 * (10 - mean) ** 2 + 0.2 * (20 - mean) ** 2 + 0.3 * (40 - mean) ** 2) / 0.6
    assert o.std == pytest.approx(math.sqrt(variance), abs=EXACT)
    assert summary.credit_peak.mean == pytest.approx((0.8 + 3) / 0.6, abs=EXACT)
    assert summary.cash_low.q05 == 1
    assert summary.funded_probability == pytest.approx({"video": 0.4, "chat": 0.3}, abs=EXACT)
    assert_levels(
        summary.level_probability, {"video": {"pilot": 0.1, "full": 0.3}, "chat": {"full": 0.3}}
    )
    assert summary.signed_probability == pytest.approx({"cloud": 0.3}, abs=EXACT)
    assert summary.cash_low_period_probability == pytest.approx({"Q1": 2 / 3, "Q2": 1 / 3})
    assert summary.guaranteed_capital == ("pe",)
    assert summary.guaranteed_capital_taken_probability == pytest.approx(0.2, abs=EXACT)
    assert summary.guaranteed_returns_mean == pytest.approx(2, abs=EXACT)
    assert summary.histogram[0] == Bin(10, 13, pytest.approx(1 / 6))
    assert summary.histogram[-1].high == 40
    assert summary.histogram[-1].probability == pytest.approx(0.5)
    assert sum(b.probability for b in summary.histogram) == pytest.approx(1)


def test_monte_carlo_standard_error_uses_the_sample_standard_deviation() -> None:
    """Objectives 1, 2, 3, 6 of four draws of 1/4 and one without a plan: n = 4 with a
    plan, mean 3, sample variance (4 + 1 + 0 + 9) / 3 = 14 / 3, standard error
    sqrt(14 / 3 / 4)."""
    case = build(HAND_CASE)
    records = pd.DataFrame(
        [record(i, 0.2, "optimal", x) for i, x in enumerate([1, 2, 3, 6])]
        + [record(4, 0.2, "infeasible")]
    )
    summary = summarise(records, case, monte_carlo=True)
    assert summary.expected_objective == pytest.approx(3, abs=EXACT)
    assert summary.objective.std == pytest.approx(math.sqrt(14 / 3), abs=EXACT)
    assert summary.objective.stderr == pytest.approx(math.sqrt(14 / 3 / 4), abs=EXACT)
    assert summary.no_plan_probability == pytest.approx(0.2, abs=EXACT)


def test_what_the_records_do_not_keep_is_said_not_guessed() -> None:
    case = build(HAND_CASE)
    records = pd.DataFrame([record(0, 0.5, "optimal", 3.0)]).drop(
        columns=["signed", "guaranteed_returns"]
    )
    summary = summarise(records, case, monte_carlo=False)
    assert summary.signed_probability is None
    assert summary.guaranteed_capital_taken_probability is None
    assert summary.guaranteed_returns_mean is None
    # half the weight of a sweep: probabilities relative to what is there, the cover said
    assert summary.total_weight == 0.5
    assert summary.funded_probability == {"video": 0.0, "chat": 0.0}
    text = rendered(summary)
    assert "records do not say which options were signed" in text
    assert "the records do not keep it" in text
    assert "50.0% of the sweep's weight" in text


def test_bad_records_are_refused() -> None:
    case = build(HAND_CASE)
    with pytest.raises(InputError, match="no draws"):
        summarise(pd.DataFrame([record(0, 1.0, "optimal", 1.0)]).iloc[:0], case, monte_carlo=False)
    with pytest.raises(InputError, match="lack the column"):
        summarise(pd.DataFrame([{"draw": 0, "weight": 1.0}]), case, monte_carlo=False)
    twice = pd.DataFrame([record(0, 0.5, "optimal", 1.0), record(0, 0.5, "optimal", 1.0)])
    with pytest.raises(InputError, match="draw 0 appears more than once"):
        summarise(twice, case, monte_carlo=False)
    with pytest.raises(InputError, match="weight"):
        summarise(pd.DataFrame([record(0, -1.0, "optimal", 1.0)]), case, monte_carlo=False)


def test_no_draw_with_a_plan_leaves_the_figures_empty() -> None:
    case = build(HAND_CASE)
    records = pd.DataFrame([record(0, 0.5, "infeasible"), record(1, 0.5, "error")])
    summary = summarise(records, case, monte_carlo=True)
    assert summary.no_plan_probability == 1
    assert summary.expected_objective is None
    assert summary.histogram == ()
    assert summary_document(summary)["objective"]["mean"] is None
    assert "No draw has a plan" in rendered(summary)


# -- the report -----------------------------------------------------------------------------

LONG_IDS = {
    "project": "sovereign-ai-stack-for-governments-abroad",
    "level": "multi-country-with-local-build-out",
    "option": "reserved-cloud-contract-east-region-two",
    "source": "private-equity-guaranteed-minimum-return",
}


def long_case() -> Case:
    data = copy.deepcopy(HAND_CASE)
    data["supply"][0]["id"] = LONG_IDS["option"]
    data["funding"][0]["id"] = LONG_IDS["source"]
    video = data["projects"][0]
    video["id"] = LONG_IDS["project"]
    video["levels"][1]["id"] = LONG_IDS["level"]
    return build(data)


def long_summary(monte_carlo: bool) -> Any:
    project, level, option = LONG_IDS["project"], LONG_IDS["level"], LONG_IDS["option"]
    records = [
        record(
            i, 1 / 40, "optimal", 1_000_000 + 5_000 * (i % 7), funded=[project, "chat"],
            levels=json.dumps({project: level if i % 3 else "pilot", "chat": "full"}),
            signed=[option] if i % 2 else [], cash_low=-12_345.5, cash_low_period="Q2",
            credit_peak=123_456.0, guaranteed_returns=float(i % 5),
        )
        for i in range(36)
    ]  # fmt: skip
    records += [record(36 + i, 1 / 40, s) for i, s in enumerate(["infeasible", "invalid"] * 2)]
    return summarise(pd.DataFrame(records), long_case(), monte_carlo=monte_carlo)


def rendered(summary: Any, width: int = 80) -> str:
    console = Console(width=width, record=True)
    render_sweep(console, "cases/a-case-with-long-ids.yaml", summary, "USD_M")
    return console.export_text()


def count_whole(text: str, name: str) -> int:
    return len(re.findall(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text))


@pytest.mark.parametrize("monte_carlo", [False, True], ids=["grid", "monte-carlo"])
def test_the_report_fits_80_columns_with_ids_whole(monte_carlo: bool) -> None:
    summary = long_summary(monte_carlo)
    narrow, wide = rendered(summary, 80), rendered(summary, 200)
    too_wide = [line for line in narrow.splitlines() if len(line) > 80]
    assert not too_wide, too_wide
    for name in [*LONG_IDS.values(), "chat"]:
        assert count_whole(narrow, name) >= 1, name
        assert count_whole(narrow, name) == count_whole(wide, name), name
    assert "nan" not in narrow.split()
    assert ("standard error of the mean" in narrow) is monte_carlo
    assert "10.0% chance (4 of 40 draws)" in narrow
    assert "infeasible 2, invalid 2" in narrow
    assert re.search(rf"{LONG_IDS['option']}\s+45\.0%", narrow)  # 18 draws of 1/40


def bar_eighths(line: str) -> int:
    """The length of a histogram line's bar, in eighths of a cell."""
    bar = "".join(c for c in line if c in BLOCKS.strip())
    return sum(BLOCKS.index(c) for c in bar)


def test_the_histogram_bars_follow_the_weights() -> None:
    summary = long_summary(monte_carlo=False)
    text = rendered(summary)
    lines = text.split(HISTOGRAM_TITLE, 1)[1].splitlines()[1 : 1 + len(summary.histogram)]
    assert len(lines) == len(summary.histogram) == 10
    heaviest = max(b.probability for b in summary.histogram)
    for line, b in zip(lines, summary.histogram, strict=True):
        assert bar_eighths(line) == round(b.probability / heaviest * BAR_WIDTH * 8), line
        assert line.rstrip().endswith(f"{b.probability:.1%}")
    # 36 objectives 1,000,000 + 5,000 * k, k = i % 7: bins 3,000 wide, each value in a
    # bin of its own; k = 0 six times (i = 0, 7, .., 35), the others five times
    counts = [round(b.probability * 36) for b in summary.histogram]
    assert counts == [6, 5, 0, 5, 0, 5, 5, 0, 5, 5]
