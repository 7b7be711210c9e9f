"""Time series read period by period, start windows, active lengths and discounting."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocator import Case
from allocator.case.series import active_values, calendar_values
from allocator.case.timing import (
    active_length,
    availability,
    periods_past_end,
    start_bounds,
    start_options,
)
from allocator.formulation.objective import discount_factors

P = ["A", "B", "C", "D"]


# --- calendar_values: one amount per period of the horizon ----------------------------------


@pytest.mark.parametrize(
    ("series", "first", "last", "expected"),
    [
        (5, 0, None, [5.0, 5.0, 5.0, 5.0]),
        (5, 1, 2, [0.0, 5.0, 5.0, 0.0]),
        ([1, 2], 0, None, [1.0, 2.0, 2.0, 2.0]),  # the last entry holds
        ([1, 2], 2, None, [0.0, 0.0, 1.0, 2.0]),  # a list counts from ``first``
        ([1, 2, 3, 4], 0, 1, [1.0, 2.0, 0.0, 0.0]),
        ({"B": 3, "D": 1}, 0, None, [0.0, 3.0, 0.0, 1.0]),  # missing periods are zero
        ({"B": 3, "D": 1}, 2, None, [0.0, 0.0, 0.0, 1.0]),  # a map keeps its calendar
        ({}, 0, None, [0.0, 0.0, 0.0, 0.0]),
    ],
    ids=[
        "scalar",
        "scalar-window",
        "list-last-holds",
        "list-from-first",
        "list-cut-at-last",
        "map",
        "map-window",
        "empty-map",
    ],
)
def test_calendar_values(series, first, last, expected) -> None:
    assert calendar_values(series, P, first, last) == expected


# --- active_values: the amounts of a project's active periods ---------------------------------


@pytest.mark.parametrize(
    ("series", "start", "length", "expected"),
    [
        (5, 1, 2, [5.0, 5.0]),
        ([1, 2, 3], 1, 3, [1.0, 2.0, 3.0]),  # by period since the start
        ([1], 0, 4, [1.0, 1.0, 1.0, 1.0]),
        ([7, 8, 9, 10, 11], 2, 2, [7.0, 8.0]),  # extra entries are unused
        ([4, 8], 1, 3, [4.0, 8.0, 8.0]),  # the last entry holds
        ({"B": 3, "D": 1}, 1, 3, [3.0, 0.0, 1.0]),  # by calendar label
        ({"A": 9}, 1, 3, [0.0, 0.0, 0.0]),  # before the start: never counted
    ],
    ids=["scalar", "list", "single-entry", "long-list", "list-holds", "map", "map-before-start"],
)
def test_active_values(series, start, length, expected) -> None:
    assert active_values(series, P, start, length) == expected


@given(
    st.lists(st.floats(0, 1e6), min_size=1, max_size=6),
    st.integers(0, 3),
)
def test_list_series_agree_in_both_readings(entries, start) -> None:
    """A list read from ``start`` gives the same amounts either way."""
    length = len(P) - start
    assert active_values(entries, P, start, length) == calendar_values(entries, P, start)[start:]


# --- start windows and durations of the valid case --------------------------------------------


def test_start_of_the_valid_case(load, case_dict) -> None:
    case = load(case_dict)
    chat, video, search = (case.projects_by_id[i] for i in ("chat", "video", "search"))
    assert start_bounds(case, chat) == (0, 0)  # no start: fixed at the first period
    assert start_options(case, chat) == range(0, 1)
    assert start_bounds(case, video) == (0, 1)
    assert start_options(case, video) == range(0, 2)  # Y1 or Y2, two periods each fit
    assert [active_length(case, video, s) for s in (0, 1)] == [2, 2]
    assert [active_length(case, search, s) for s in (0, 1, 2)] == [3, 2, 1]  # to the end


@pytest.mark.parametrize(
    ("start", "duration", "finish", "bounds", "options"),
    [
        ({"earliest": "Y2"}, None, False, (1, 1), range(1, 2)),  # no latest: fixed start
        ({"latest": "Y3"}, None, False, (0, 2), range(0, 3)),  # no earliest: the first period
        ("Y3", None, False, (2, 2), range(2, 3)),  # shorthand for a fixed start
        ({"earliest": "Y1", "latest": "Y3"}, 2, False, (0, 2), range(0, 3)),  # Y3 + 2 is cut
        ({"earliest": "Y1", "latest": "Y3"}, 5, False, (0, 2), range(0, 3)),  # longer than all
        ({"earliest": "Y1", "latest": "Y3"}, 2, True, (0, 2), range(0, 2)),  # must finish: trim
        ({"earliest": "Y1", "latest": "Y3"}, 3, True, (0, 2), range(0, 1)),
        ({"earliest": "Y1", "latest": "Y3"}, 1, True, (0, 2), range(0, 3)),
        ({"earliest": "Y1", "latest": "Y3"}, None, True, (0, 2), range(0, 3)),  # to the end
    ],
    ids=[
        "earliest-only",
        "latest-only",
        "shorthand",
        "cut-one",
        "cut-all",
        "finish-trim-one",
        "finish-trim-two",
        "finish-no-trim",
        "finish-no-duration",
    ],
)
def test_start_options(load, case_dict, start, duration, finish, bounds, options) -> None:
    search = case_dict["projects"][2]
    search["start"] = start
    search["finish_by_end"] = finish
    if duration is not None:
        search["duration"] = duration
    case = load(case_dict)
    project = case.projects_by_id["search"]
    assert start_bounds(case, project) == bounds
    assert start_options(case, project) == options


def test_active_length_is_cut_at_the_horizon(load, case_dict) -> None:
    case_dict["projects"][2].update(start={"earliest": "Y1", "latest": "Y3"}, duration=2)
    case = load(case_dict)
    search = case.projects_by_id["search"]
    assert [active_length(case, search, s) for s in range(3)] == [2, 2, 1]
    assert [periods_past_end(case, search, s) for s in range(3)] == [0, 0, 1]


def test_a_run_longer_than_the_horizon_is_cut_not_refused(load, case_dict) -> None:
    """duration 5 from the last period: one period counts, four fall past the end."""
    case_dict["projects"][2].update(start="Y3", duration=5, value=[1, 2, 3, 4, 5, 6])
    case = load(case_dict)
    search = case.projects_by_id["search"]
    assert start_options(case, search) == range(2, 3)
    assert active_length(case, search, 2) == 1
    assert periods_past_end(case, search, 2) == 4


def test_supply_availability(load, case_dict) -> None:
    case_dict["supply"][0].update(available_from="Y2")
    case_dict["supply"].append(
        {"id": "late", "resource": "gb300", "capacity": 5, "available_until": "Y2"}
    )
    case = load(case_dict)
    assert availability(case, case.supply_by_id["owned"]) == (1, 2)
    assert availability(case, case.supply_by_id["late"]) == (0, 1)


# --- discounting: period k is worth (1 + r) ** (-k / periods_per_year) -----------------------


def horizon(data: dict, periods: int) -> dict:
    """``data`` with a horizon of at least ``periods`` periods (its own labels first)."""
    labels = list(data["periods"])
    labels += [f"Y{k + 1}" for k in range(len(labels), periods)]
    return data | {"periods": labels}


@pytest.mark.parametrize(
    ("rate", "per_year", "k", "expected"),
    [
        (0.1, 1, 0, 1.0),
        (0.1, 1, 1, 1 / 1.1),
        (0.1, 1, 2, 1 / 1.21),
        (0.21, 2, 1, 1 / 1.1),  # half a year at 21% a year
        (0.21, 2, 2, 1 / 1.21),
        (0.0, 4, 7, 1.0),
    ],
)
def test_discount(load, case_dict, rate, per_year, k, expected) -> None:
    case_dict.update(discount_rate=rate, periods_per_year=per_year)
    factors = discount_factors(load(horizon(case_dict, k + 1)))
    assert math.isclose(factors[k], expected, rel_tol=1e-12)


def test_discount_defaults(load, case_dict) -> None:
    """Defaults: no discounting, four periods a year."""
    del case_dict["discount_rate"], case_dict["periods_per_year"]
    case = load(horizon(case_dict, 4))
    assert (case.discount_rate, case.periods_per_year) == (0.0, 4)
    assert discount_factors(case)[3] == 1.0


@given(
    rate=st.floats(0, 1),
    per_year=st.integers(1, 12),
    k=st.integers(0, 40),
)
def test_discount_formula(fresh_case, rate, per_year, k) -> None:
    data = fresh_case()
    data.update(discount_rate=rate, periods_per_year=per_year)
    case = Case.model_validate(horizon(data, k + 1))
    factors = discount_factors(case)
    assert len(factors) == len(case.periods)
    assert math.isclose(factors[k], (1 + rate) ** (-k / per_year), rel_tol=1e-12)
