"""Scenarios: declarative set / scale / add / remove / append at id-addressed paths."""

from __future__ import annotations

from typing import Any

import pytest

from allocator import Case, CaseError, apply_scenario, dump_case, load_case
from allocator.case.checks import check_case
from allocator.case.scenario_model import Change
from allocator.case.scenarios import ChangeError, apply_change, parse_path
from allocator.case.whatif import case_data


@pytest.fixture
def scenario(load, case_dict):
    """``scenario(*changes)`` -> the valid case with a scenario 's' of those changes, applied."""

    def apply(*changes: dict[str, Any]):
        case_dict["scenarios"]["s"] = {"changes": list(changes)}
        return apply_scenario(load(case_dict), "s")

    return apply


@pytest.fixture
def scenario_problems(problems_of, case_dict):
    """``scenario_problems(*changes)`` -> [(path, message)] of a case with that scenario."""

    def problems(*changes: dict[str, Any]) -> list[tuple[str, str]]:
        case_dict["scenarios"]["s"] = {"changes": list(changes)}
        return [(p.path, p.message) for p in problems_of(case_dict)]

    return problems


# --- each operation, with a known result ---------------------------------------------------


def test_the_cases_own_scenario(load, case_dict) -> None:
    applied = apply_scenario(load(case_dict), "budget-cut")
    assert applied.budget.amounts == {"Y1": 40.0, "Y2": 16.0, "Y3": 16.0}
    assert applied.projects_by_id["chat"].value == 12.0


def test_scale_a_map(scenario) -> None:
    assert scenario({"path": "budget.amounts", "scale": 0.5}).budget.amounts == {
        "Y1": 25.0,
        "Y2": 10.0,
        "Y3": 10.0,
    }


def test_scale_one_entry_of_a_map(scenario) -> None:
    case = scenario({"path": "budget.amounts.Y2", "scale": 3})
    assert case.budget.amounts == {"Y1": 50.0, "Y2": 60.0, "Y3": 20.0}


def test_scale_a_list_inside_a_level(scenario) -> None:
    case = scenario({"path": "projects[video].levels[full].value", "scale": 2})
    full = case.projects_by_id["video"].levels[1]
    assert full.value == [8.0, 16.0]
    assert case.projects_by_id["video"].levels[0].value == 5.0  # pilot unchanged


def test_scale_every_resource_of_a_demand(scenario) -> None:
    case = scenario({"path": "projects[chat].demand", "scale": 1.5})
    assert case.projects_by_id["chat"].demand == {"gb300": 60.0}


def test_add_to_a_scalar(scenario) -> None:
    case = scenario({"path": "supply[owned].unit_cost", "add": 0.25})
    assert case.supply_by_id["owned"].unit_cost == 1.25


def test_add_to_every_entry_of_a_list(scenario) -> None:
    case = scenario({"path": "projects[video].levels[full].demand.gb300", "add": 5})
    assert case.projects_by_id["video"].levels[1].demand == {"gb300": [25.0, 65.0]}


def test_set_available_from(scenario) -> None:
    case = scenario({"path": "supply[owned].available_from", "set": "Y2"})
    assert case.supply_by_id["owned"].available_from == "Y2"


def test_set_a_new_map_entry(scenario) -> None:
    case = scenario({"path": "projects[chat].cost.Y3", "set": 1})
    assert case.projects_by_id["chat"].cost == {"Y1": 12.0, "Y2": 3.0, "Y3": 1.0}


def test_set_a_whole_section(scenario) -> None:
    case = scenario({"path": "budget", "set": {"carry_over": False, "amounts": 7}})
    assert case.budget.carry_over is False
    assert case.budget.amounts == 7.0


def test_remove_a_project(scenario) -> None:
    case = scenario({"path": "projects[search]", "remove": True})
    assert [p.id for p in case.projects] == ["chat", "video"]


def test_remove_a_level(scenario) -> None:
    case = scenario({"path": "projects[video].levels[pilot]", "remove": True})
    assert [lv.id for lv in case.projects_by_id["video"].levels] == ["full"]


def test_remove_a_key_restores_its_default(scenario) -> None:
    case = scenario({"path": "projects[video].duration", "remove": True})
    assert case.projects_by_id["video"].duration is None


def test_append_a_project(scenario) -> None:
    case = scenario(
        {"path": "projects", "append": {"id": "agents", "category": "bet", "value": [1, 2]}}
    )
    assert [p.id for p in case.projects] == ["chat", "video", "search", "agents"]
    agents = case.projects_by_id["agents"]
    assert (agents.category, agents.value, agents.must_fund) == ("bet", [1.0, 2.0], False)


def test_append_a_supply_option(scenario) -> None:
    case = scenario(
        {"path": "supply", "append": {"id": "cloud", "resource": "gb300", "capacity": 50}}
    )
    assert case.supply_by_id["cloud"].capacity == 50.0


def test_changes_apply_in_order(scenario) -> None:
    case = scenario(
        {"path": "projects[chat].value", "set": 3},
        {"path": "projects[chat].value", "scale": 2},
        {"path": "projects[chat].value", "add": 1},
    )
    assert case.projects_by_id["chat"].value == 7.0


def test_a_scenario_without_changes_changes_nothing(load, case_dict) -> None:
    case_dict["scenarios"]["same"] = {"description": "nothing"}
    case = load(case_dict)
    applied = apply_scenario(case, "same")
    assert applied.model_dump(exclude={"scenarios"}) == case.model_dump(exclude={"scenarios"})


def test_the_applied_case_has_no_scenarios(load, case_dict) -> None:
    """Scenarios are written against the base case (documented in apply_scenario)."""
    assert apply_scenario(load(case_dict), "budget-cut").scenarios == {}


def test_load_case_applies_the_named_scenario(write_case, case_dict) -> None:
    case = load_case(write_case(case_dict), scenario="budget-cut")
    assert case.budget.amounts == {"Y1": 40.0, "Y2": 16.0, "Y3": 16.0}


# --- the original never changes ------------------------------------------------------------

CHANGES = [
    {"path": "budget.amounts", "scale": 0.5},
    {"path": "budget.amounts.Y1", "add": 1},
    {"path": "projects[video].levels[full].demand.gb300", "scale": 2},
    {"path": "projects[chat].cost.Y3", "set": 4},
    {"path": "projects[search]", "remove": True},
    {"path": "projects[video].levels[pilot]", "remove": True},
    {"path": "projects", "append": {"id": "agents"}},
    {"path": "projects[video].start", "set": {"earliest": "Y2", "latest": "Y2"}},
    {"path": "supply[owned].available_from", "set": "Y2"},
    {"path": "periods", "set": ["Y1", "Y2", "Y3", "Y4"]},
    {"path": "scenarios.budget-cut.description", "set": "changed"},
]


@pytest.mark.parametrize("change", CHANGES, ids=[f"{c['path']}" for c in CHANGES])
def test_applying_never_changes_the_original(load, case_dict, change) -> None:
    case_dict["scenarios"]["s"] = {"changes": [change]}
    case = load(case_dict)
    before_yaml, before_json = dump_case(case, "yaml"), dump_case(case, "json")
    before = case.model_dump()

    applied = apply_scenario(case, "s")

    assert applied != case
    assert dump_case(case, "yaml") == before_yaml
    assert dump_case(case, "json") == before_json
    assert case.model_dump() == before
    assert case.budget.amounts == {"Y1": 50.0, "Y2": 20.0, "Y3": 20.0}
    assert [p.id for p in case.projects] == ["chat", "video", "search"]
    assert case.projects_by_id["video"].levels[1].demand == {"gb300": [20.0, 60.0]}
    assert case.scenarios["budget-cut"].description == "unrestricted money cut by a fifth"
    assert apply_scenario(case, "s") == applied  # and again: same result


def test_applied_cases_are_independent(load, case_dict) -> None:
    case_dict["scenarios"]["more"] = {"changes": [{"path": "budget.amounts", "scale": 2}]}
    case = load(case_dict)
    cut, more = apply_scenario(case, "budget-cut"), apply_scenario(case, "more")
    assert cut.budget.amounts["Y1"] == 40.0
    assert more.budget.amounts["Y1"] == 100.0
    assert case.budget.amounts["Y1"] == 50.0


# --- scenarios are checked when the case loads -----------------------------------------------


def test_bad_scenario_fails_the_load_even_unasked(write_case, case_dict) -> None:
    case_dict["scenarios"]["broken"] = {"changes": [{"path": "supply[cloud].unit_cost", "add": 1}]}
    path = write_case(case_dict)
    with pytest.raises(CaseError) as caught:
        load_case(path)  # no scenario asked for
    (problem,) = caught.value.problems
    assert problem.file == str(path)
    assert problem.path == "scenarios.broken.changes[0].path"
    assert problem.message == "'supply' has no item with id 'cloud' (ids: owned)"
    assert "supply[cloud].unit_cost" in path.read_text().splitlines()[problem.line - 1]


def test_every_bad_scenario_is_reported(scenario_problems, case_dict) -> None:
    case_dict["scenarios"]["other"] = {"changes": [{"path": "nope", "add": 1}]}
    found = scenario_problems({"path": "budget.amounts", "add": -100})
    assert sorted(found) == [
        ("scenarios.other.changes[0].path", "'nope' does not exist"),
        ("scenarios.s", "leaves budget.amounts.Y1 invalid: negative number -50; must be >= 0"),
        ("scenarios.s", "leaves budget.amounts.Y2 invalid: negative number -80; must be >= 0"),
        ("scenarios.s", "leaves budget.amounts.Y3 invalid: negative number -80; must be >= 0"),
    ]


def test_scenario_breaking_a_reference(scenario_problems) -> None:
    assert scenario_problems({"path": "projects[video]", "remove": True}) == [
        ("scenarios.s", "leaves projects[search].excludes[0] invalid: unknown project 'video'")
    ]


def test_unknown_scenario_lists_the_available_ones(load, write_case, case_dict) -> None:
    case_dict["scenarios"]["more-gpus"] = {"changes": []}
    path = write_case(case_dict)
    with pytest.raises(CaseError) as caught:
        load_case(path, scenario="nope")
    (problem,) = caught.value.problems
    assert (problem.file, problem.path) == (str(path), "scenarios")
    assert problem.message == "no scenario named 'nope' (scenarios: budget-cut, more-gpus)"

    with pytest.raises(CaseError, match=r"scenarios: budget-cut, more-gpus\)"):
        apply_scenario(load(case_dict), "nope")


def test_unknown_scenario_when_there_are_none(load, case_dict) -> None:
    del case_dict["scenarios"]
    with pytest.raises(CaseError, match=r"no scenario named 'x' \(scenarios: none\)"):
        apply_scenario(load(case_dict), "x")


# --- paths --------------------------------------------------------------------------------


def test_parse_path() -> None:
    assert parse_path("projects[sora].levels[full].demand.gb300") == [
        ("projects", "sora"),
        ("levels", "full"),
        ("demand", None),
        ("gb300", None),
    ]
    assert parse_path("budget.amounts.2026Q3") == [
        ("budget", None),
        ("amounts", None),
        ("2026Q3", None),
    ]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("a..b", "cannot read the path 'a..b' at character 3"),
        ("a.", "cannot read the path 'a.' at character 2"),
        (".a", "cannot read the path '.a' at character 1"),
        ("projects[]", "cannot read the path 'projects[]' at character 9"),
        ("projects[chat", "cannot read the path 'projects[chat' at character 9"),
        ("projects[chat]x", "cannot read the path 'projects[chat]x' at character 15"),
    ],
)
def test_unreadable_paths(scenario_problems, path, message) -> None:
    with pytest.raises(ChangeError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_path(path)
    assert scenario_problems({"path": path, "set": 1}) == [("scenarios.s.changes[0].path", message)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"path": "nope.x", "set": 1}, "'nope' does not exist"),
        ({"path": "name.x", "set": 1}, "'name' has no key 'x': it is not a mapping"),
        ({"path": "periods[Y1]", "set": 1}, "'periods' has no item with id 'Y1' (ids: none)"),
        ({"path": "name[x]", "set": 1}, "'name' is not a list of items with ids"),
        ({"path": "projects[chat].cost.Y3", "add": 1}, "'projects[chat].cost.Y3' does not exist"),
        (
            {"path": "projects[chat].value", "append": {"a": 1}},
            "'projects[chat].value' is not a list",
        ),
        ({"path": "name", "scale": 2}, "'name' holds the text 'tiny-lab', not numbers"),
    ],
    ids=[
        "missing-key",
        "into-text",
        "list-of-text",
        "text-by-id",
        "add-missing",
        "append-to-number",
        "scale-text",
    ],
)
def test_paths_that_do_not_fit_the_case(scenario_problems, change, message) -> None:
    assert scenario_problems(change) == [("scenarios.s.changes[0].path", message)]


def test_scaling_a_list_of_items_names_no_python_objects(scenario_problems) -> None:
    ((path, message),) = scenario_problems({"path": "projects", "add": 1})
    assert path == "scenarios.s.changes[0].path"
    assert "Project(" not in message
    assert len(message) < 120


def test_brackets_name_a_key_of_a_mapping(scenario) -> None:
    case = scenario({"path": "budget.amounts[Y2]", "set": 7})
    assert case.budget.amounts == {"Y1": 50.0, "Y2": 7.0, "Y3": 20.0}


def test_brackets_reach_keys_with_dots(load, case_dict) -> None:
    case_dict["resources"].append({"id": "gb.300"})
    case_dict["projects"][0]["demand"]["gb.300"] = 5
    case_dict["scenarios"]["s"] = {
        "changes": [{"path": "projects[chat].demand[gb.300]", "scale": 2}]
    }
    applied = apply_scenario(load(case_dict), "s")
    assert applied.projects_by_id["chat"].demand == {"gb300": 40.0, "gb.300": 10.0}


def test_append_an_id_to_a_plain_list(scenario) -> None:
    case = scenario({"path": "projects[search].excludes", "append": "chat"})
    assert case.projects_by_id["search"].excludes == ["video", "chat"]


def test_a_valid_scenario_does_not_read_the_file_for_lines(load, case_dict, monkeypatch) -> None:
    """Finding a line reads the whole file again (about 7 s for 10,000 projects): only a
    problem needs one, so loading a valid case with a valid scenario never asks."""
    from allocator.case.yamlio import LineFinder

    def refuse(*_: Any) -> None:
        raise AssertionError("a line was looked up with no problem to place")

    monkeypatch.setattr(LineFinder, "line", refuse)
    case = load(case_dict)
    assert "budget-cut" in case.scenarios


# --- checking a scenario's result against its base -----------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        [{"path": "budget.amounts", "scale": 0.8}],
        [{"path": "periods", "set": ["Y1", "Y2"]}],
        [{"path": "resources[gb300]", "remove": True}],
        [{"path": "projects[chat].start", "set": {"earliest": "Y1", "latest": "Y2"}}],
        [{"path": "projects[chat].requires", "set": ["video"]}],
        [{"path": "projects[video].levels[pilot].demand", "set": {"h100": 5}}],
        [{"path": "projects[search].requires", "set": ["video"]}],
        [
            {"path": "projects[video].must_fund", "set": True},
            {"path": "projects[search].must_fund", "set": True},
        ],
        [{"path": "max_share", "set": {"nothing": 0.5}}],
        [{"path": "supply[owned].min_commit", "set": 200}],
        [{"path": "projects", "append": {"id": "chat", "value": 1}}],
        [{"path": "projects[video].levels", "append": {"id": "pilot", "value": 1}}],
        [{"path": "projects[video].requires", "set": ["search"]},
         {"path": "projects[search].requires", "set": ["video"]}],
        [{"path": "projects[video].levels[pilot].value", "scale": 2},
         {"path": "projects[search].requires", "set": ["search", "nothing"]}],
    ],
)  # fmt: skip
def test_checking_against_the_base_finds_what_a_full_check_finds(load, case_dict, changes) -> None:
    """Only rules reading a changed field run again, and they find every problem a full
    check of the changed case finds (the first change breaks nothing; each other breaks a
    different rule)."""
    base = load(case_dict)
    data = case_data(base)
    for change in changes:
        apply_change(data, Change.model_validate(change))
    data["scenarios"] = {}
    changed = Case.model_validate(data)
    full = check_case(changed)
    assert check_case(changed, base=base) == full
    assert bool(full) is (changes[0]["path"] != "budget.amounts")
