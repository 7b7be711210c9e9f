"""A CSV column read at once gives what reading each cell on its own gives, type and all."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from same_model import same_model

from allocator import load_case
from allocator.case.csvcells import MISSING, Unreadable, read_cells
from allocator.case.csvtables import read_csv_rows
from allocator.case.errors import Problem
from allocator.case.tablewrite import write_projects_table
from allocator.case.yamlio import parse_scalar
from allocator.formulation import formulate


def one_by_one(cell: str) -> Any:
    """A cell as the loader read it before columns: stripped, then ``parse_scalar``."""
    text = cell.strip()
    if not text:
        return MISSING
    try:
        return parse_scalar(text)
    except yaml.YAMLError:
        return Unreadable(text)


def typed(value: Any) -> Any:
    """The value with every scalar's type beside it (so 1, 1.0 and True differ)."""
    if isinstance(value, list):
        return ["list", [typed(v) for v in value]]
    if isinstance(value, dict):
        return ["dict", [(typed(k), typed(v)) for k, v in value.items()]]
    if isinstance(value, float) and math.isnan(value):
        return ["float", "nan"]
    return [type(value).__name__, value]


def same_as_one_by_one(cells: list[str]) -> None:
    assert [typed(v) for v in read_cells(cells)] == [typed(one_by_one(c)) for c in cells]


SIGNS = st.sampled_from(["", "-", "+"])
DIGITS = st.text("0123456789", min_size=1, max_size=6)
SPACE = st.text(" ", max_size=2)


@st.composite
def numbers(draw: st.DrawFn) -> str:
    """Decimal integers and floats in every notation the fast reader takes, and near misses."""
    whole = draw(SIGNS) + draw(DIGITS)
    shape = draw(st.sampled_from(["int", "point", "exp", "point-exp", "odd"]))
    exponent = draw(st.sampled_from(["e", "E"])) + draw(SIGNS) + draw(DIGITS)
    fraction = "." + draw(st.text("0123456789", max_size=4))
    if shape == "int":
        return whole
    if shape == "point":
        return whole + fraction
    if shape == "exp":
        return whole + exponent
    if shape == "point-exp":
        return whole + fraction + exponent
    return draw(st.sampled_from(["1_000", "0x1F", "0o17", ".5", "-.5", ".inf", "1e", "1.2.3"]))


WORDS = st.sampled_from(
    ["chat", "p5", "Y1", "gb300", "chat-v2", "a.b", "_x", "null", "Null", "NULL", "true",
     "False", "TRUE", "yes", "no", "on", "~", "a b", "a:b", "a#b", "-a", "é", "naïve",
     "a'b", '"q"', "'q'", "*x", "&x", "!!int x", "!!str 1", "T01", "2026-01-01", "1:30"]
)  # fmt: skip


@st.composite
def lists(draw: st.DrawFn) -> str:
    """Flow lists of numbers, words or both, with any spacing and near misses."""
    odd = st.text("ab1 :#{}'\"!&*-~", max_size=4)
    entries = draw(st.lists(st.one_of(numbers(), WORDS, odd, st.just("")), max_size=4))
    inside = ",".join(draw(SPACE) + entry + draw(SPACE) for entry in entries)
    shapes = ["[{}]"] * 4 + ["[{}", "{}]", "[[{}]]", "{{{}}}"]
    return draw(st.sampled_from(shapes)).format(inside)


CELLS = st.one_of(
    numbers(),
    WORDS,
    lists(),
    st.text(" \t\x0b\x0c\x1c\xa0-+.eE01x_[],:#'\"{}ab", max_size=8),
    st.text(max_size=6),
)


@st.composite
def padded(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(["", " ", "  ", "\t", "\xa0"])) + draw(CELLS) + draw(SPACE)


@given(st.lists(padded(), max_size=30))
@settings(max_examples=400, deadline=None)
def test_a_column_reads_as_its_cells_one_by_one(cells: list[str]) -> None:
    same_as_one_by_one(cells)


@given(st.lists(lists(), max_size=30))
@settings(max_examples=300, deadline=None)
def test_a_column_of_lists_reads_as_its_cells_one_by_one(cells: list[str]) -> None:
    same_as_one_by_one(cells)


def test_the_common_kinds_and_their_types() -> None:
    cells = ["12", " -3 ", "007", "2.", "1e3", "-0.5E-2", "true", "FALSE", "chat", "Y1",
             "[1, 2.5]", "[ ]", "[]", "[p5, chat-v2]", "", "   "]  # fmt: skip
    assert [typed(v) for v in read_cells(cells)] == [
        ["int", 12], ["int", -3], ["int", 7], ["float", 2.0], ["float", 1000.0],
        ["float", -0.005], ["bool", True], ["bool", False], ["str", "chat"], ["str", "Y1"],
        ["list", [["int", 1], ["float", 2.5]]], ["list", []], ["list", []],
        ["list", [["str", "p5"], ["str", "chat-v2"]]], typed(MISSING), typed(MISSING),
    ]  # fmt: skip
    same_as_one_by_one(cells)


def test_cells_the_fast_kinds_leave_to_the_parser() -> None:
    cells = ["null", "~", "1_000", "0x1F", ".5", "[a, 1]", "[null]", "[1, ]", "{a: 1}",
             "'q'", "naïve", "a\tb", "!!int x", "[[1], 2]", "[a: b]", "[a #b]", "[a {b}]",
             "[a *b]", "[a - b]"]  # fmt: skip
    read = read_cells(cells)
    assert read[:5] == [None, None, 1000, 31, 0.5]
    assert read[5:8] == [["a", 1], [None], [1]]
    assert read[12] == Unreadable("!!int x")
    same_as_one_by_one(cells)


def test_problems_come_in_the_file_order(tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,a,a.b,c\nx,!!int x,1,2\ny,1,2,!!int y\nz,1,2,3,4\nw,5,,\n")
    problems: list[Problem] = []
    rows = read_csv_rows(path, "t.csv", problems)
    assert [(p.path, p.line) for p in problems] == [
        ("column a", 2),
        ("column a.b", 3),
        ("column c", 3),
        ("", 4),
    ]
    assert rows == [(5, {"id": "w", "a": 5})]


def test_text_that_would_read_as_something_else_is_written_quoted(tmp_path) -> None:
    tricky = ["true", "12", "a: b", "null", "[x]", "", "1e3", "plain", "it's"]
    projects = [
        {"id": f"p{i}", "category": text, "levels": [{"id": "full", "value": 1.5}]}
        for i, text in enumerate(tricky)
    ]
    write_projects_table(projects, tmp_path / "p.csv", "csv")
    problems: list[Problem] = []
    rows = read_csv_rows(tmp_path / "p.csv", "p.csv", problems)
    assert not problems
    assert [row["category"] for _, row in rows] == tricky
    assert [row["value"] for _, row in rows] == [1.5] * len(tricky)


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_projects_with_levels_and_in_shorthand_read_back_the_same(tmp_path, kind) -> None:
    projects = [
        {"id": "chat", "category": "chat", "value": 40, "cost": 5, "demand": {"gpu": 30}},
        {
            "id": "video",
            "requires": ["chat"],
            "start": {"earliest": "Q1", "latest": "Q2"},
            "levels": [
                {"id": "pilot", "value": 6, "cost": [2, 1], "demand": {"gpu": 5}},
                {"id": "full", "value": 25, "cost": 8, "demand": {"gpu": [10, 20]}},
            ],
        },
    ]
    case = {
        "name": "tables",
        "periods": ["Q1", "Q2", "Q3"],
        "resources": [{"id": "gpu"}],
        "supply": [{"id": "cloud", "resource": "gpu", "capacity": 100, "unit_cost": 0.1}],
        "budget": {"amounts": 100},
    }
    (tmp_path / "plain.json").write_text(json.dumps({**case, "projects": projects}))
    write_projects_table(projects, tmp_path / f"p.{kind}", kind)
    (tmp_path / "t.json").write_text(json.dumps({**case, "projects": {kind: f"p.{kind}"}}))
    plain, tabled = load_case(tmp_path / "plain.json"), load_case(tmp_path / "t.json")
    assert [p.id for p in tabled.projects] == ["chat", "video"]
    if kind == "csv":
        assert [p.all_levels for p in tabled.projects] == [p.all_levels for p in plain.projects]
    # in Parquet a number in a column of lists is a one-entry list: the same series
    same_model(formulate(tabled).model, formulate(plain).model)
    assert tabled.projects[1].requires == ["chat"]
    assert tabled.projects[1].start == plain.projects[1].start
