"""Sections kept in Parquet files beside the case: ``projects: {parquet: projects.parquet}``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from allocator import CaseError, load_case
from allocator.case.projects import StartWindow
from allocator.cli import app
from allocator.engine import solve


@pytest.fixture
def beside(write_case, case_dict) -> Any:
    """``beside(projects, **sections)`` -> the valid case (no scenarios) with ``projects``
    and each other section read from ``<section>.parquet``, written from the table (pyarrow)
    or frame (pandas) given."""

    def write(projects: pa.Table, **sections: pa.Table | pd.DataFrame) -> Path:
        tables = {"projects": projects, **sections}
        for section in tables:
            case_dict[section] = {"parquet": f"{section}.parquet"}
        case_dict.pop("scenarios", None)
        path = write_case(case_dict)
        for section, table in tables.items():
            target = path.parent / f"{section}.parquet"
            if isinstance(table, pd.DataFrame):
                table.to_parquet(target)
            else:
                pq.write_table(table, target)
        return path

    return write


def _problems(path: Path) -> list[str]:
    with pytest.raises(CaseError) as caught:
        load_case(path)
    return [str(p) for p in caught.value.problems]


def test_typed_columns(beside) -> None:
    """Parquet's own types: lists, a struct, a map, flags, with nulls leaving keys out."""
    table = pa.table(
        {
            "id": ["chat", "video", "search"],
            "category": ["product", "research", "product"],
            "must_fund": [True, None, False],
            "value": [[14.0], [4.0, 8.0], [3.0]],
            "cost": pa.array(
                [[("Y1", 12.0), ("Y2", 3.0)], None, None],
                type=pa.map_(pa.string(), pa.float64()),
            ),
            "demand": [{"gb300": [40.0]}, {"gb300": [20.0, 60.0]}, None],
            "start.earliest": [None, "Y1", None],
            "start.latest": [None, "Y2", None],
            "duration": [None, 2, None],
            "requires": [None, ["chat"], None],
        }
    )
    chat, video, search = load_case(beside(table)).projects
    assert (chat.id, video.id, search.id) == ("chat", "video", "search")
    assert chat.cost == {"Y1": 12.0, "Y2": 3.0}  # a map column
    assert chat.must_fund is True
    assert chat.start is None  # nulls leave the key out
    assert video.value == [4.0, 8.0]
    assert video.demand == {"gb300": [20.0, 60.0]}  # a struct column
    assert video.start == StartWindow(earliest="Y1", latest="Y2")  # dotted columns
    assert (video.duration, video.requires, video.cost) == (2, ["chat"], None)
    assert (search.must_fund, search.value, search.demand) == (False, [3.0], None)


def test_levels_and_a_pandas_supply_table(beside) -> None:
    """A ``level`` column groups rows into levels; NaN, as pandas writes a missing
    number, leaves the key out so that rows of one table can mix series forms."""
    projects = pa.table(
        {
            "id": ["chat", "video", "video"],
            "category": ["product", "research", "research"],
            "level": ["full", "pilot", "full"],
            "value": [[14.0], [5.0], [4.0, 8.0]],
            "cost": [2.0, 2.0, 6.0],
            "demand.gb300": [[40.0], [10.0], [20.0, 60.0]],
            "start.earliest": ["Y1", "Y1", "Y1"],
            "start.latest": [None, "Y2", "Y2"],
            "requires": [None, ["chat"], ["chat"]],
        }
    )
    supply = pd.DataFrame(
        {
            "id": ["owned", "cloud"],
            "resource": ["gb300", "gb300"],
            "kind": ["contract", "spot"],
            "capacity": [100.0, math.nan],
            "capacity.Y2": [math.nan, 50.0],
            "capacity.Y3": [math.nan, 80.0],
            "unit_cost": [1.0, 2.5],
            "available_from": [None, "Y2"],
            "optional": [None, True],
        }
    )
    case = load_case(beside(projects, supply=supply))
    owned, cloud = case.supply
    assert (owned.capacity, owned.available_from, owned.optional) == (100.0, None, False)
    assert (cloud.capacity, cloud.available_from, cloud.optional) == (
        {"Y2": 50.0, "Y3": 80.0},
        "Y2",
        True,
    )
    chat, video = case.projects
    assert [lv.id for lv in video.levels] == ["pilot", "full"]
    assert video.levels[1].demand == {"gb300": [20.0, 60.0]}
    assert video.requires == ["chat"]
    assert [lv.value for lv in chat.all_levels] == [[14.0]]


def test_a_pandas_index_is_not_a_key(beside) -> None:
    frame = pd.DataFrame(
        {"id": ["chat", "search"], "value": [14.0, 3.0], "must_fund": [True, False]},
        index=pd.Index([10, 20], name="row"),
    )
    case = load_case(beside(pa.Table.from_pandas(frame)))
    assert [(p.id, p.value) for p in case.projects] == [("chat", 14.0), ("search", 3.0)]


def test_a_bad_value_names_the_file_row_and_item(beside) -> None:
    table = pa.table({"id": ["chat", "video"], "value": [14.0, -2.0]})
    path = beside(table)
    assert _problems(path) == [
        f"{path.parent / 'projects.parquet'}:2: projects[video].value: negative number -2; "
        "must be >= 0"
    ]


def test_a_file_that_is_not_parquet(beside, write_case, case_dict) -> None:
    case_dict["projects"] = {"parquet": "projects.parquet"}
    del case_dict["scenarios"]
    path = write_case(case_dict, files={"projects.parquet": "id,value\nchat,1\n"})
    (problem,) = _problems(path)
    assert problem.startswith(
        f"{path.parent / 'projects.parquet'}: cannot read the table as Parquet"
    )
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code != 0
    assert "cannot read the table as Parquet" in result.output


def test_column_names_that_cannot_nest(beside) -> None:
    table = pa.table({"id": ["chat"], "demand..gb300": [1.0]})
    path = beside(table)
    assert _problems(path) == [
        f"{path.parent / 'projects.parquet'}: column(s) [2] have no usable name"
    ]


def test_a_column_that_conflicts_with_a_struct(beside) -> None:
    table = pa.table({"id": ["chat"], "demand": [{"gb300": 40.0}], "demand.gb300": [1.0]})
    path = beside(table)
    (problem,) = _problems(path)
    assert ":1: column demand.gb300: conflicts with another column" in problem


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ({"parquet": "p.parquet", "csv": "p.csv"}, "a table reference is {csv: "),
        ({"parquet": "../p.parquet"}, "'../p.parquet' leaves the case's folder"),
        ({"parquet": "none.parquet"}, "no file 'none.parquet' beside the case"),
    ],
)
def test_bad_references(write_case, case_dict, reference, message) -> None:
    case_dict["projects"] = reference
    del case_dict["scenarios"]
    (problem,) = _problems(write_case(case_dict))
    assert message in problem


def test_a_parquet_case_solves_as_its_yaml_twin(load, beside, case_dict) -> None:
    """The valid case (with money for chat and video) and its projects in Parquet: the same
    plan as the case written whole."""
    case_dict["budget"]["amounts"] = {"Y1": 100, "Y2": 100, "Y3": 100}
    whole = dict(case_dict)
    del whole["scenarios"]
    expected = solve(load(whole), gap=0)
    table = pa.table(
        {
            "id": ["chat", "video", "video", "search"],
            "category": ["product", "research", "research", "product"],
            "level": ["full", "pilot", "full", "full"],
            "must_fund": [True, None, None, None],
            "value": [[14.0], [5.0], [4.0, 8.0], [3.0]],
            "cost": [None, 2.0, 6.0, None],
            "cost.Y1": [12.0, None, None, None],
            "cost.Y2": [3.0, None, None, None],
            "demand.gb300": [[40.0], [10.0], [20.0, 60.0], None],
            "start.earliest": [None, "Y1", "Y1", None],
            "start.latest": [None, "Y2", "Y2", None],
            "duration": [None, 2, 2, None],
            "requires": [None, ["chat"], ["chat"], None],
            "excludes": [None, None, None, ["video"]],
        }
    )
    result = solve(load_case(beside(table)), gap=0)
    assert result.termination.objective == pytest.approx(expected.termination.objective)
    assert result.termination.objective == pytest.approx(49.570247933884296)  # chat and video
    columns = ["id", "funded", "level", "start"]
    assert result.plan.projects[columns].equals(expected.plan.projects[columns])
