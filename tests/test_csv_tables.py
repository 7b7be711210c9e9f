"""Sections kept in CSV files beside the case: ``projects: {csv: projects.csv}``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from allocator import CaseError, load_case
from allocator.case.projects import StartWindow

PROJECTS = """\
id,category,must_fund,value,cost,demand.gb300,start.earliest,start.latest,duration,requires
chat,product,true,14,"{Y1: 12, Y2: 3}",40,,,,
video,research,,"[4, 8]",6,"[20, 60]",Y1,Y2,2,[chat]
search,product,false,3,,,,,,
"""

LEVELS = """\
id,category,level,value,cost,demand.gb300,start.earliest,start.latest,requires
chat,product,full,14,2,40,Y1,,
video,research,pilot,5,2,10,Y1,Y2,[chat]
video,research,full,"[4, 8]",6,"[20, 60]",Y1,Y2,[chat]
"""

SUPPLY = """\
id,resource,kind,capacity,unit_cost,available_from,optional
owned,gb300,contract,100,1.0,,
cloud,gb300,spot,"{Y2: 50, Y3: 80}",2.5,Y2,true
"""


@pytest.fixture
def with_tables(case_dict) -> dict[str, Any]:
    """The valid case with projects and supply in CSV files and no scenarios."""
    case_dict["projects"] = {"csv": "projects.csv"}
    case_dict["supply"] = {"csv": "supply.csv"}
    del case_dict["scenarios"]
    return case_dict


def test_projects_with_dotted_columns(load, with_tables) -> None:
    case = load(with_tables, files={"projects.csv": PROJECTS, "supply.csv": SUPPLY})
    assert [p.id for p in case.projects] == ["chat", "video", "search"]
    chat, video, search = case.projects
    assert chat.must_fund is True
    assert chat.cost == {"Y1": 12.0, "Y2": 3.0}  # a YAML mapping in a cell
    assert chat.demand == {"gb300": 40.0}
    assert chat.start is None  # empty cells leave the key out
    assert video.value == [4.0, 8.0]  # a YAML list in a cell
    assert video.demand == {"gb300": [20.0, 60.0]}
    assert video.start == StartWindow(earliest="Y1", latest="Y2")
    assert video.duration == 2
    assert video.requires == ["chat"]
    assert (search.must_fund, search.value, search.cost) == (False, 3.0, None)


def test_supply_from_csv(load, with_tables) -> None:
    case = load(with_tables, files={"projects.csv": PROJECTS, "supply.csv": SUPPLY})
    owned, cloud = case.supply
    assert (owned.id, owned.kind.value, owned.capacity, owned.optional) == (
        "owned",
        "contract",
        100.0,
        False,
    )
    assert owned.available_from is None
    assert (cloud.kind.value, cloud.unit_cost, cloud.available_from) == ("spot", 2.5, "Y2")
    assert cloud.capacity == {"Y2": 50.0, "Y3": 80.0}
    assert cloud.optional is True


def test_level_column_groups_rows_into_levels(load, with_tables) -> None:
    case = load(with_tables, files={"projects.csv": LEVELS, "supply.csv": SUPPLY})
    assert [p.id for p in case.projects] == ["chat", "video"]
    video = case.projects_by_id["video"]
    assert [lv.id for lv in video.levels] == ["pilot", "full"]
    pilot, full = video.levels
    assert (pilot.value, pilot.cost, pilot.demand) == (5.0, 2.0, {"gb300": 10.0})
    assert (full.value, full.cost, full.demand) == ([4.0, 8.0], 6.0, {"gb300": [20.0, 60.0]})
    assert video.requires == ["chat"]
    assert video.start == StartWindow(earliest="Y1", latest="Y2")
    assert [lv.id for lv in case.projects_by_id["chat"].levels] == ["full"]


def test_rows_without_a_level_are_single_level_projects(load, with_tables) -> None:
    table = "id,level,value,demand.gb300\nchat,,14,40\nvideo,pilot,5,10\nvideo,full,8,60\n"
    case = load(with_tables, files={"projects.csv": table, "supply.csv": SUPPLY})
    chat, video = case.projects
    assert [(lv.id, lv.value, lv.demand) for lv in chat.all_levels] == [
        ("full", 14.0, {"gb300": 40.0})
    ]
    assert [lv.id for lv in video.all_levels] == ["pilot", "full"]


def test_csv_in_a_subfolder(load, with_tables) -> None:
    with_tables["projects"] = {"csv": "tables/projects.csv"}
    case = load(with_tables, files={"tables/projects.csv": PROJECTS, "supply.csv": SUPPLY})
    assert len(case.projects) == 3


def test_blank_rows_and_byte_order_mark(load, with_tables) -> None:
    table = "\ufeff" + PROJECTS.replace("\nvideo", "\n,,,\n\nvideo")
    case = load(with_tables, files={"projects.csv": table, "supply.csv": SUPPLY})
    assert [p.id for p in case.projects] == ["chat", "video", "search"]


# --- problems point at the CSV file and the row's line ----------------------------------------


def problems_in(problems_of, data, **tables: str) -> list[tuple[str, str, str, int | None]]:
    files = {"projects.csv": PROJECTS, "supply.csv": SUPPLY}
    files.update({f"{name}.csv": text for name, text in tables.items()})
    return [(Path(p.file).name, p.path, p.message, p.line) for p in problems_of(data, files=files)]


def test_problem_names_the_csv_file_beside_the_case(write_case, with_tables) -> None:
    supply = SUPPLY.replace("2.5", "-1")
    case_file = write_case(with_tables, files={"projects.csv": PROJECTS, "supply.csv": supply})
    with pytest.raises(CaseError) as caught:
        load_case(case_file)
    (problem,) = caught.value.problems
    assert problem.file == str(case_file.parent / "supply.csv")
    assert problem.line == 3


def test_bad_value_in_a_row(problems_of, with_tables) -> None:
    supply = SUPPLY.replace("2.5", "-1")
    assert problems_in(problems_of, with_tables, supply=supply) == [
        ("supply.csv", "supply[cloud].unit_cost", "negative number -1; must be >= 0", 3)
    ]


def test_rule_problem_in_a_row(problems_of, with_tables) -> None:
    projects = PROJECTS.replace("[chat]", "[chatt]")
    assert problems_in(problems_of, with_tables, projects=projects) == [
        ("projects.csv", "projects[video].requires[0]", "unknown project 'chatt'", 3)
    ]


def test_problem_in_a_level_row(problems_of, with_tables) -> None:
    projects = LEVELS.replace('"[20, 60]"', "-5")
    assert problems_in(problems_of, with_tables, projects=projects) == [
        (
            "projects.csv",
            "projects[video].levels[full].demand.gb300",
            "negative number -5; must be >= 0",
            4,
        )
    ]


def test_unknown_column(problems_of, with_tables) -> None:
    projects = PROJECTS.replace("category,", "categroy,", 1)
    found = problems_in(problems_of, with_tables, projects=projects)
    assert [(f, p, line) for f, p, _, line in found] == [
        ("projects.csv", "projects[chat].categroy", 2),
        ("projects.csv", "projects[video].categroy", 3),
        ("projects.csv", "projects[search].categroy", 4),
    ]
    assert all("did you mean 'category'?" in message for _, _, message, _ in found)


def test_rows_of_one_project_disagree(problems_of, with_tables) -> None:
    projects = LEVELS.replace(
        'full,"[4, 8]",6,"[20, 60]",Y1,Y2', 'full,"[4, 8]",6,"[20, 60]",Y1,Y3'
    )
    assert problems_in(problems_of, with_tables, projects=projects) == [
        ("projects.csv", "projects[video].start", "differs between rows of the same project", 4)
    ]


def test_unreadable_cell(problems_of, with_tables) -> None:
    projects = PROJECTS.replace("[chat]", '"[chat"')
    assert problems_in(problems_of, with_tables, projects=projects) == [
        ("projects.csv", "column requires", "cannot read the cell '[chat'", 3)
    ]


def test_row_with_too_many_cells(problems_of, with_tables) -> None:
    projects = PROJECTS.replace("search,product,false,3,,,,,,", "search,product,false,3,,,,,,,x")
    assert problems_in(problems_of, with_tables, projects=projects) == [
        ("projects.csv", "", "11 cells but 10 columns", 4)
    ]


@pytest.mark.parametrize(
    ("table", "message", "line"),
    [
        ("", "the file is empty; the first row names the columns", None),
        ("id,,demand.\nchat,1,2\n", "column(s) [2, 3] have no usable name", 1),
        ("id,a..b\nchat,1\n", "column(s) [2] have no usable name", 1),
    ],
    ids=["empty", "unnamed-columns", "double-dot"],
)
def test_unusable_header(problems_of, with_tables, table, message, line) -> None:
    assert problems_in(problems_of, with_tables, projects=table) == [
        ("projects.csv", "", message, line)
    ]


def test_value_and_group_of_columns(problems_of, with_tables) -> None:
    table = "id,demand,demand.gb300\nchat,1,2\n"
    ((file, path, message, line),) = problems_in(problems_of, with_tables, projects=table)
    assert (file, path, line) == ("projects.csv", "column demand.gb300", 2)
    assert "both a value and a group" in message


def test_duplicate_project_rows_without_levels(problems_of, with_tables) -> None:
    table = "id,value\nchat,1\nchat,2\n"
    assert problems_in(problems_of, with_tables, projects=table) == [
        ("projects.csv", "projects[chat].id", "duplicate id 'chat' (used 2 times)", 3)
    ]


@pytest.mark.parametrize("cell", ["!!int x", "0x_", "._"])
def test_unconstructible_cell_is_a_problem(problems_of, with_tables, cell) -> None:
    projects = PROJECTS.replace("search,product,false,3", f"search,product,false,{cell}")
    found = problems_in(problems_of, with_tables, projects=projects)
    assert [(f, line) for f, _, _, line in found] == [("projects.csv", 4)]


def test_group_then_value_of_the_same_key(problems_of, with_tables) -> None:
    table = "id,demand.gb300,demand\nchat,2,1\n"
    ((file, path, message, line),) = problems_in(problems_of, with_tables, projects=table)
    assert (file, path, line) == ("projects.csv", "column demand", 2)
    assert "conflicts with another column" in message


def test_column_named_twice(problems_of, with_tables) -> None:
    table = "id,value,value\nchat,1,2\n"
    assert problems_in(problems_of, with_tables, projects=table) == [
        ("projects.csv", "", "column(s) ['value'] appear twice", 1)
    ]
