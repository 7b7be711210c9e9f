"""Bad case files are refused with the file, the id-addressed path and what is wrong.

Each case below is one small mutation of the valid case in ``conftest.py``. Mutations
are written with the same id-addressed paths the problems use
(``projects[video].levels[pilot].demand``), so each row reads as "put this there,
expect that problem there".
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from allocator import CaseError, Problem, load_case

Mutation = Callable[[dict[str, Any]], None]
Expected = list[tuple[str, str]]  # (exact problem path, fragment of its message)

_SEGMENT = re.compile(r"([^.\[\]]+)(?:\[([^\[\]]+)\])?")


def _walk(data: dict[str, Any], path: str) -> tuple[Any, Any]:
    """The container holding ``path`` and the key (or list index) of its last step."""
    steps: list[Any] = []
    for name, ident in _SEGMENT.findall(path):
        steps.append(name)
        if ident:
            steps.append(("id", ident))
    node: Any = data
    for step in steps[:-1]:
        node = node[_key(node, step)]
    return node, _key(node, steps[-1])


def _key(node: Any, step: Any) -> Any:
    if isinstance(step, tuple):
        return next(i for i, item in enumerate(node) if item.get("id") == step[1])
    return step


def put(path: str, value: Any) -> Mutation:
    """Set (or add) the value at ``path``."""

    def mutate(data: dict[str, Any]) -> None:
        container, key = _walk(data, path)
        container[key] = value

    return mutate


def drop(path: str) -> Mutation:
    """Delete the key or list item at ``path``."""

    def mutate(data: dict[str, Any]) -> None:
        container, key = _walk(data, path)
        del container[key]

    return mutate


def push(path: str, item: Any) -> Mutation:
    """Append ``item`` to the list at ``path``."""

    def mutate(data: dict[str, Any]) -> None:
        container, key = _walk(data, path)
        container[key].append(item)

    return mutate


def both(*mutations: Mutation) -> Mutation:
    """Apply several mutations in order."""

    def mutate(data: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(data)

    return mutate


def change(item: dict[str, Any]) -> Mutation:
    """Add a change to the valid case's scenario."""
    return push("scenarios.budget-cut.changes", item)


def assert_problems(problems: list[Problem], expected: Expected) -> None:
    """Exactly the expected problems, in any order: same paths, fragments in the messages."""
    found = [(p.path, p.message) for p in problems]
    assert len(found) == len(expected), found
    remaining = list(found)
    for path, fragment in expected:
        match = next((f for f in remaining if f[0] == path and fragment in f[1]), None)
        assert match is not None, f"no problem at {path!r} mentioning {fragment!r} in {found}"
        remaining.remove(match)


def test_the_valid_case_loads(load, case_dict) -> None:
    case = load(case_dict)
    assert case.name == "tiny-lab"
    assert case.periods == ["Y1", "Y2", "Y3"]
    assert [p.id for p in case.projects] == ["chat", "video", "search"]
    assert [lv.id for lv in case.projects_by_id["video"].all_levels] == ["pilot", "full"]
    assert list(case.scenarios) == ["budget-cut"]


HORIZON = "is not a period of the horizon (Y1..Y3)"
SERIES = "expected a number, a list of numbers or a map from period to number"
BAD_ID = "is not a usable id: ids are not empty, have no brackets"

BAD_INPUTS = [
    # unknown keys, with a suggestion when one is close
    pytest.param(
        put("projetcs", []),
        [("projetcs", "unknown key (did you mean 'projects'?)")],
        id="unknown-top-level-key",
    ),
    pytest.param(
        put("projects[chat].vaule", 1),
        [("projects[chat].vaule", "unknown key (did you mean 'value'?)")],
        id="unknown-project-key",
    ),
    pytest.param(
        put("projects[video].levels[pilot].demnd", {}),
        [("projects[video].levels[pilot].demnd", "unknown key (did you mean 'demand'?)")],
        id="unknown-level-key",
    ),
    pytest.param(
        put("supply[owned].unit_cots", 1),
        [("supply[owned].unit_cots", "did you mean 'unit_cost'?")],
        id="unknown-supply-key",
    ),
    pytest.param(put("zzqqxx", 1), [("zzqqxx", "unknown key")], id="unknown-key-no-suggestion"),
    # missing required keys
    pytest.param(drop("name"), [("", "missing required key 'name'")], id="missing-name"),
    pytest.param(drop("periods"), [("", "missing required key 'periods'")], id="missing-periods"),
    pytest.param(
        drop("supply[owned].capacity"),
        [("supply[owned]", "missing required key 'capacity'")],
        id="missing-supply-capacity",
    ),
    pytest.param(
        drop("projects[search].id"),
        [("projects[2]", "missing required key 'id'")],
        id="missing-project-id",
    ),
    pytest.param(
        drop("projects[video].levels[pilot].id"),
        [("projects[video].levels[0]", "missing required key 'id'")],
        id="missing-level-id",
    ),
    # wrong types
    pytest.param(
        put("projects[chat].value", "lots"), [("projects[chat].value", SERIES)], id="text-value"
    ),
    pytest.param(
        put("periods", "Y1"), [("periods", "expected a list, got 'Y1'")], id="periods-text"
    ),
    pytest.param(
        put("projects", {"chat": 1}), [("projects", "expected a list")], id="projects-mapping"
    ),
    pytest.param(
        push("projects[video].levels", 3),
        [("projects[video].levels[2]", "expected a mapping of keys to values, got 3")],
        id="level-not-mapping",
    ),
    pytest.param(
        put("projects[search].id", 1.5),
        [("projects[2].id", "expected text, got the number 1.5")],
        id="float-id",
    ),
    pytest.param(
        put("objective", "profit"),
        [("objective", "expected one of 'value' or 'npv', got 'profit'")],
        id="unknown-objective",
    ),
    pytest.param(
        put("supply[owned].kind", "lease"),
        [("supply[owned].kind", "expected one of 'contract', 'purchase' or 'spot', got 'lease'")],
        id="unknown-supply-kind",
    ),
    pytest.param(
        put("projects[video].value", 3),
        [("projects[video]", "give either 'levels' or 'value' on the project, not both")],
        id="levels-and-shorthand",
    ),
    pytest.param(
        put("projects[video].levels", []),
        [("projects[video].levels", "must not be empty")],
        id="no-levels",
    ),
    # negative and non-finite numbers
    pytest.param(
        put("supply[owned].capacity", -5),
        [("supply[owned].capacity", "negative number -5; must be >= 0")],
        id="negative-capacity",
    ),
    pytest.param(
        put("projects[chat].cost.Y1", -1),
        [("projects[chat].cost.Y1", "negative number -1; must be >= 0")],
        id="negative-map-entry",
    ),
    pytest.param(
        put("projects[video].levels[full].demand.gb300", [20, math.nan]),
        [("projects[video].levels[full].demand.gb300[1]", "must be a finite number")],
        id="nan-in-list",
    ),
    pytest.param(
        put("projects[chat].value", math.inf),
        [("projects[chat].value", "must be a finite number")],
        id="inf-value",
    ),
    pytest.param(
        put("supply[owned].unit_cost", -math.inf),
        [("supply[owned].unit_cost", "must be a finite number")],
        id="minus-inf-unit-cost",
    ),
    pytest.param(
        put("supply[owned].block", 0),
        [("supply[owned].block", "number 0; must be >= 1e-06")],
        id="zero-block",
    ),
    pytest.param(
        put("projects[video].duration", 0),
        [("projects[video].duration", "number 0; must be >= 1")],
        id="zero-duration",
    ),
    pytest.param(
        put("periods_per_year", 2.5),
        [("periods_per_year", "expected a whole number, got 2.5")],
        id="fractional-periods-per-year",
    ),
    # booleans where numbers are expected, text where booleans are
    pytest.param(
        put("supply[owned].unit_cost", True),
        [("supply[owned].unit_cost", "expected a number, got true")],
        id="bool-unit-cost",
    ),
    pytest.param(
        put("projects[chat].value", False), [("projects[chat].value", SERIES)], id="bool-value"
    ),
    pytest.param(
        put("periods_per_year", True),
        [("periods_per_year", "expected a whole number")],
        id="bool-periods-per-year",
    ),
    pytest.param(
        put("projects[chat].must_fund", "yes"),
        [("projects[chat].must_fund", "expected true or false, got 'yes'")],
        id="text-must-fund",
    ),
    # duplicate ids
    pytest.param(
        put("projects[search].id", "chat"),
        [("projects[chat].id", "duplicate id 'chat' (used 2 times)")],
        id="duplicate-project-id",
    ),
    pytest.param(
        push("supply", {"id": "owned", "resource": "gb300", "capacity": 5}),
        [("supply[owned].id", "duplicate id 'owned' (used 2 times)")],
        id="duplicate-supply-id",
    ),
    pytest.param(
        put("projects[video].levels[full].id", "pilot"),
        [("projects[video].levels[pilot].id", "duplicate id 'pilot' (used 2 times)")],
        id="duplicate-level-id",
    ),
    # bad ids
    pytest.param(
        both(put("projects[search].excludes", []), put("projects[search].id", "se[a]rch")),
        [("projects[se[a]rch].id", BAD_ID)],
        id="id-with-brackets",
    ),
    pytest.param(
        both(put("projects[search].excludes", []), put("projects[search].id", "search ")),
        [("projects[search ].id", BAD_ID)],
        id="id-with-trailing-blank",
    ),
    # periods outside the horizon
    pytest.param(
        put("budget.amounts.Y9", 1),
        [("budget.amounts.Y9", f"'Y9' {HORIZON}")],
        id="budget-map-period",
    ),
    pytest.param(
        put("projects[chat].cost.Y7", 1),
        [("projects[chat].cost.Y7", f"'Y7' {HORIZON}")],
        id="project-map-period",
    ),
    pytest.param(
        put("supply[owned].available_from", "Y4"),
        [("supply[owned].available_from", f"'Y4' {HORIZON}")],
        id="available-from-outside",
    ),
    pytest.param(
        put("projects[video].start.latest", "Y9"),
        [("projects[video].start.latest", f"'Y9' {HORIZON}")],
        id="start-window-outside",
    ),
    pytest.param(
        both(put("supply[owned].available_from", "Y2"), put("supply[owned].available_until", "Y1")),
        [("supply[owned].available_until", "'Y1' comes before available_from 'Y2'")],
        id="available-until-before-from",
    ),
    # unknown references
    pytest.param(
        put("projects[video].levels[full].demand.h100", 1),
        [("projects[video].levels[full].demand.h100", "unknown resource 'h100'")],
        id="demand-unknown-resource",
    ),
    pytest.param(
        put("supply[owned].resource", "h100"),
        [("supply[owned].resource", "unknown resource 'h100'")],
        id="supply-unknown-resource",
    ),
    pytest.param(
        put("projects[chat].uses", {"gb300": {"h100": 0.5}}),
        [("projects[chat].uses.gb300.h100", "unknown resource 'h100'")],
        id="uses-unknown-resource",
    ),
    pytest.param(
        put("projects[chat].uses", {"h100": {"gb300": 0.5}}),
        [("projects[chat].uses.h100", "the project demands no 'h100'")],
        id="uses-resource-not-demanded",
    ),
    pytest.param(
        put("supply[owned].site", "texas"),
        [("supply[owned].site", "unknown site 'texas'")],
        id="supply-unknown-site",
    ),
    pytest.param(
        put("projects[chat].requires", ["nope"]),
        [("projects[chat].requires[0]", "unknown project 'nope'")],
        id="requires-unknown-project",
    ),
    pytest.param(
        put("projects[search].excludes", ["video", "nope"]),
        [("projects[search].excludes[1]", "unknown project 'nope'")],
        id="excludes-unknown-project",
    ),
    pytest.param(
        put("projects[search].excludes", ["search"]),
        [("projects[search].excludes[0]", "a project cannot exclude itself")],
        id="excludes-itself",
    ),
    # requirement cycles and must-fund conflicts
    pytest.param(
        put("projects[chat].requires", ["video"]),
        [("projects[chat].requires", "requirements form a cycle: chat -> video -> chat")],
        id="requires-cycle-of-two",
    ),
    pytest.param(
        both(
            put("projects[chat].requires", ["search"]),
            put("projects[search].requires", ["video"]),
            put("projects[search].excludes", []),
        ),
        [("projects[chat].requires", "requirements form a cycle: chat -> search -> video -> chat")],
        id="requires-cycle-of-three",
    ),
    pytest.param(
        both(put("projects[search].must_fund", True), put("projects[search].excludes", ["chat"])),
        [
            (
                "projects[search].excludes[0]",
                "'search' must be funded and 'chat' must be funded, but they exclude each other",
            )
        ],
        id="must-fund-exclude-each-other",
    ),
    pytest.param(
        both(
            put("projects[chat].must_fund", False),
            put("projects[video].must_fund", True),
            put("projects[search].must_fund", True),
            put("projects[search].excludes", ["chat"]),
        ),
        [
            (
                "projects[search].excludes[0]",
                "'search' must be funded and 'chat' is required by video, but they exclude",
            )
        ],
        id="must-fund-excludes-a-requirement",
    ),
    # timing
    pytest.param(
        both(
            put("projects[video].start", {"earliest": "Y3", "latest": "Y2"}),
            put("projects[video].duration", 1),
        ),
        [("projects[video].start.latest", "'Y2' comes before earliest 'Y3'")],
        id="start-earliest-after-latest",
    ),
    pytest.param(
        both(
            put("projects[video].start", {"earliest": "Y3"}),
            put("projects[video].finish_by_end", True),
        ),
        [
            (
                "projects[video].finish_by_end",
                "no start in its window lets 2 period(s) finish by the end of the horizon Y3",
            )
        ],
        id="finish-by-end-cannot-fit",
    ),
    pytest.param(
        put("projects[video].levels[pilot].cost", {"Y1": 1}),
        [("projects[video].levels[pilot].cost", "a map by calendar period needs a fixed start")],
        id="calendar-map-with-start-window",
    ),
    # money
    pytest.param(
        put("funding", [{"id": "aws", "amounts": 10, "earmark": ["nope"]}]),
        [("funding[aws].earmark[0]", "unknown supply option 'nope'")],
        id="earmark-unknown-supply",
    ),
    pytest.param(
        put("funding", [{"id": "bank", "kind": "credit", "rate": 0.05}]),
        [("funding[bank]", "credit funding needs 'limit'")],
        id="credit-without-limit",
    ),
    pytest.param(
        put("funding", [{"id": "round", "kind": "equity"}]),
        [("funding[round]", "equity funding needs 'amounts'")],
        id="equity-without-amounts",
    ),
    pytest.param(
        put(
            "funding",
            [{"id": "bank", "kind": "credit", "limit": 5, "amounts": 3, "optional": True}],
        ),
        [("funding[bank]", "'amounts', 'optional' does not apply to credit funding")],
        id="equity-keys-on-credit",
    ),
    pytest.param(
        put("funding", [{"id": "round", "amounts": 3, "rate": 0.1}]),
        [("funding[round]", "'rate' does not apply to equity funding")],
        id="credit-keys-on-equity",
    ),
    pytest.param(
        put("funding", [{"id": "round", "amounts": 3, "divisible": True}]),
        [("funding[round]", "'divisible' applies only to optional funding")],
        id="divisible-not-optional",
    ),
    pytest.param(
        put("budget.min_cash", -1),
        [("budget.min_cash", "negative number -1; must be >= 0")],
        id="negative-min-cash",
    ),
    # supply rules
    pytest.param(
        put("supply[owned].life", 3),
        [("supply[owned].life", "applies only to purchases, not to contract")],
        id="life-on-contract",
    ),
    pytest.param(
        both(
            put("supply[owned].kind", "spot"),
            put("supply[owned].min_commit", 0),
            put("supply[owned].running_cost", 2),
        ),
        [("supply[owned].running_cost", "applies only to purchases, not to spot")],
        id="running-cost-on-spot",
    ),
    pytest.param(
        put("supply[owned].kind", "spot"),
        [("supply[owned].min_commit", "spot capacity has no commitment")],
        id="min-commit-on-spot",
    ),
    pytest.param(
        put("supply[owned].min_commit", 150),
        [
            (
                "supply[owned].min_commit",
                "take-or-pay minimum 150 exceeds the capacity",
            )
        ],
        id="min-commit-above-capacity",
    ),
    # category shares
    pytest.param(
        put("max_share", {"video": 0.3}),
        [("max_share.video", "no project has the category 'video'")],
        id="max-share-unknown-category",
    ),
    pytest.param(
        both(put("max_share", {"product": 0.3}), put("min_share", {"product": 0.5})),
        [("min_share.product", "0.5 is above max_share 0.3")],
        id="min-share-above-max-share",
    ),
    pytest.param(
        put("min_share", {"product": 0.6, "research": 0.6}),
        [("min_share", "the minimum shares add up to 1.2, more than 1")],
        id="min-shares-above-one",
    ),
    pytest.param(
        put("max_share", {"product": 1.5}),
        [("max_share.product", "number 1.5 is too large; must be <= 1")],
        id="share-above-one",
    ),
    # scenarios (validated at load time even when not asked for)
    pytest.param(
        change({"path": "projects[nope].value", "set": 1}),
        [
            (
                "scenarios.budget-cut.changes[2].path",
                "'projects' has no item with id 'nope' (ids: chat, video, search)",
            )
        ],
        id="scenario-unknown-id",
    ),
    pytest.param(
        change({"path": "projects[chat].value", "set": 1, "scale": 2}),
        [
            (
                "scenarios.budget-cut.changes[2]",
                "give exactly one of set, scale, add, remove, append (found: set, scale)",
            )
        ],
        id="scenario-two-operations",
    ),
    pytest.param(
        change({"path": "projects[chat].value"}),
        [("scenarios.budget-cut.changes[2]", "(found: none)")],
        id="scenario-no-operation",
    ),
    pytest.param(
        change({"path": "name", "scale": 2}),
        [("scenarios.budget-cut.changes[2].path", "'name' holds the text 'tiny-lab', not numbers")],
        id="scenario-scales-text",
    ),
    pytest.param(
        change({"path": "projects[chat].value", "scale": True}),
        [("scenarios.budget-cut.changes[2].scale", "expected a number, got true")],
        id="scenario-scale-by-bool",
    ),
    pytest.param(
        change({"path": "projects[chat]", "remove": False}),
        [("scenarios.budget-cut.changes[2]", "'remove' takes the value true")],
        id="scenario-remove-false",
    ),
    pytest.param(
        change({"path": "projects[chat].value", "add": -20}),
        [
            (
                "scenarios.budget-cut",
                "leaves projects[chat].value invalid: negative number -8; must be >= 0",
            )
        ],
        id="scenario-leaves-case-invalid",
    ),
    pytest.param(
        change({"path": "projects[chat", "set": 1}),
        [
            (
                "scenarios.budget-cut.changes[2].path",
                "cannot read the path 'projects[chat' at character 9",
            )
        ],
        id="scenario-unreadable-path",
    ),
    pytest.param(
        put("projects[video].excludes", ["chat"]),
        [("projects[video].excludes[0]", "'chat' is both required and excluded")],
        id="requires-and-excludes-the-same",
    ),
    pytest.param(
        put("projects[video].requires", ["chat", "chat"]),
        [("projects[video].requires[1]", "'chat' is listed twice")],
        id="requires-listed-twice",
    ),
    pytest.param(
        put("projects[chat].uses", {"gb300": {}}),
        [("projects[chat].uses.gb300", "lists no resource")],
        id="uses-lists-nothing",
    ),
    pytest.param(
        both(put("budget.carry_over", False), put("budget.min_cash", 5)),
        [("budget.min_cash", "a cash reserve applies only with carry_over: true")],
        id="reserve-without-carry-over",
    ),
    pytest.param(
        both(put("supply[owned].kind", "purchase"), put("supply[owned].min_commit", 301)),
        [("supply[owned].min_commit", "exceeds the 300 units that can be bought in all")],
        id="purchase-minimum-unbuyable",
    ),
    pytest.param(
        both(put("supply[owned].available_from", "Y2"), put("supply[owned].capacity", {"Y1": 5})),
        [
            ("supply[owned].capacity.Y1", "outside the option's availability Y2..Y3"),
            ("supply[owned].min_commit", "exceeds the capacity (0 in Y2)"),
        ],
        id="capacity-outside-availability",
    ),
    pytest.param(
        put("revenue", {"amounts": 1e12, "growth": 0.5}),
        [("revenue.growth", "compounds revenue beyond 1e+12, the largest amount")],
        id="revenue-growth-outgrows-the-largest-amount",
    ),
    pytest.param(
        put("periods", ["Y1", "Y2", "Y2"]),
        [("periods[2]", "period 'Y2' is listed twice")],
        id="period-listed-twice-alone",
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), BAD_INPUTS)
def test_bad_input_is_reported_at_its_path(case_dict, problems_of, mutate, expected) -> None:
    mutate(case_dict)
    problems = problems_of(case_dict)
    assert_problems(problems, expected)
    assert all(Path(p.file).name == "case.yaml" for p in problems)


def test_enough_distinct_bad_inputs() -> None:
    ids = [param.id for param in BAD_INPUTS]
    assert len(set(ids)) == len(ids)
    assert len(ids) >= 30


def test_must_fund_alone_is_fine(load, case_dict) -> None:
    """Control: a must-fund project may exclude a project that nothing forces to run."""
    put("projects[search].must_fund", True)(case_dict)
    assert load(case_dict).projects_by_id["search"].must_fund is True


def test_self_requirement_is_named_once(case_dict, problems_of) -> None:
    put("projects[chat].requires", ["chat"])(case_dict)
    assert_problems(
        problems_of(case_dict), [("projects[chat].requires[0]", "a project cannot require itself")]
    )


def test_schema_errors_and_rule_errors_come_together(case_dict, problems_of) -> None:
    both(
        put("projects[chat].cost", -1),
        put("projects[video].levels[full].demand.h100", 3),
        put("budget.amounts.Y9", 1),
    )(case_dict)
    assert_problems(
        problems_of(case_dict),
        [
            ("projects[chat].cost", "negative number -1"),
            ("projects[video].levels[full].demand.h100", "unknown resource 'h100'"),
            ("budget.amounts.Y9", "'Y9' is not a period of the horizon"),
        ],
    )


def test_rules_are_not_checked_on_guesses(case_dict, problems_of) -> None:
    """A missing required key stops the rule checks: no problem is reported on a guess."""
    both(drop("supply[owned].resource"), put("projects[chat].demand.h100", 3))(case_dict)
    assert_problems(problems_of(case_dict), [("supply[owned]", "missing required key 'resource'")])


def test_all_problems_are_reported_at_once(case_dict, problems_of) -> None:
    both(drop("name"), put("supply[owned].unit_cost", -1), put("projects[chat].vaule", 1))(
        case_dict
    )
    assert_problems(
        problems_of(case_dict),
        [
            ("", "missing required key 'name'"),
            ("supply[owned].unit_cost", "negative number -1; must be >= 0"),
            ("projects[chat].vaule", "did you mean 'value'?"),
        ],
    )


def test_all_rule_problems_are_reported_at_once(case_dict, problems_of) -> None:
    both(
        put("projects[chat].requires", ["nope"]),
        put("supply[owned].resource", "h100"),
        put("budget.amounts.Y7", 1),
    )(case_dict)
    assert_problems(
        problems_of(case_dict),
        [
            ("projects[chat].requires[0]", "unknown project 'nope'"),
            ("supply[owned].resource", "unknown resource 'h100'"),
            ("budget.amounts.Y7", f"'Y7' {HORIZON}"),
        ],
    )


def test_schema_and_rule_problems_are_reported_together(case_dict, problems_of) -> None:
    both(put("projects[chat].cost", -1), put("supply[owned].resource", "h100"))(case_dict)
    assert_problems(
        problems_of(case_dict),
        [
            ("projects[chat].cost", "negative number -1"),
            ("supply[owned].resource", "unknown resource 'h100'"),
        ],
    )


# --- the line a problem points at ------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "path", "text_on_line"),
    [
        (put("projects[chat].vaule", 1), "projects[chat].vaule", "vaule:"),
        (put("supply[owned].unit_cost", -1), "supply[owned].unit_cost", "unit_cost: -1"),
        (
            put("projects[search].excludes", ["video", "nope"]),
            "projects[search].excludes[1]",
            "- nope",
        ),
        (put("budget.amounts.Y9", 1), "budget.amounts.Y9", "Y9: 1"),
    ],
    ids=["unknown-key", "negative-number", "list-item", "map-key"],
)
def test_problem_line_points_at_the_offending_text(
    case_dict, write_case, mutate, path, text_on_line
) -> None:
    mutate(case_dict)
    file = write_case(case_dict)
    with pytest.raises(CaseError) as caught:
        load_case(file)
    (problem,) = caught.value.problems
    assert problem.path == path
    assert problem.file == str(file)
    assert problem.line is not None
    assert text_on_line in file.read_text().splitlines()[problem.line - 1]


# --- files that are not a case ----------------------------------------------------------

VALID_TEXT = "name: x\nperiods: [Y1, Y2]\nprojects: [{id: a}]\n"


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        pytest.param("", "the file is empty", None, id="empty-file"),
        pytest.param("# nothing here\n", "a case is a mapping of keys", None, id="comment-only"),
        pytest.param(
            "name: x\nperiods: [Y1, Y2\nprojects: []\n",
            "',' or ']'",
            3,
            id="yaml-syntax-error",
        ),
        pytest.param("name: x\n\tperiods: [Y1]\n", "not valid YAML", 2, id="tab-indent"),
        pytest.param(
            "- name: x\n- periods: [Y1]\n", "a case is a mapping of keys", None, id="top-level-list"
        ),
        pytest.param("just text\n", "a case is a mapping of keys", None, id="top-level-scalar"),
        pytest.param(VALID_TEXT + "---\nname: y\n", "not valid YAML", 4, id="two-documents"),
        pytest.param(
            "name: x\nperiods: [Y1]\nname: y\nprojects: [{id: a}]\n",
            "key 'name' appears twice in one mapping",
            3,
            id="duplicate-top-level-key",
        ),
        pytest.param(
            "name: x\nperiods: [Y1]\nprojects:\n  - id: a\n    value: 1\n    value: 2\n",
            "key 'value' appears twice in one mapping",
            6,
            id="duplicate-nested-key",
        ),
        pytest.param(
            "name: x\n7: 1\nperiods: [Y1]\nprojects: [{id: a}]\n",
            "top-level keys must be text, found 7",
            None,
            id="number-as-top-level-key",
        ),
        pytest.param(
            "name: !!python/object/apply:os.system [ls]\nperiods: [Y1]\nprojects: [{id: a}]\n",
            "could not determine a constructor",
            1,
            id="python-tag-refused",
        ),
    ],
)
def test_unusable_text_is_one_problem(problems_of, text, message, line) -> None:
    (problem,) = problems_of(text)
    assert problem.path == ""
    assert message in problem.message
    assert problem.line == line


def test_not_utf8(write_case) -> None:
    path = write_case(VALID_TEXT)
    path.write_bytes(b"name: \xff\xfe\n")
    with pytest.raises(CaseError) as caught:
        load_case(path)
    assert [(p.file, p.message) for p in caught.value.problems] == [
        (str(path), "is not UTF-8 text")
    ]


def test_file_not_found(tmp_path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(CaseError) as caught:
        load_case(missing)
    assert [(p.file, p.path, p.message) for p in caught.value.problems] == [
        (str(missing), "", "no such file")
    ]


def test_folder_instead_of_file(tmp_path) -> None:
    with pytest.raises(CaseError) as caught:
        load_case(tmp_path)
    assert [p.message for p in caught.value.problems] == ["is a folder, not a case file"]


def test_date_like_labels_are_text(load) -> None:
    """YAML 1.2 core schema: dates are not a type, so impossible dates are just labels."""
    case = load(
        "name: x\nperiods: [2026-01-01, 2026-13-01]\nprojects: [{id: a, start: 2026-13-01}]\n"
    )
    assert case.periods == ["2026-01-01", "2026-13-01"]


# --- JSON ----------------------------------------------------------------------------


def test_json_error_has_path_and_line(case_dict, write_case) -> None:
    put("projects[chat].cost", -1)(case_dict)
    file = write_case(case_dict, "case.json")
    with pytest.raises(CaseError) as caught:
        load_case(file)
    (problem,) = caught.value.problems
    assert (problem.file, problem.path) == (str(file), "projects[chat].cost")
    assert "negative number -1" in problem.message
    assert '"cost": -1' in file.read_text().splitlines()[problem.line - 1]


def test_json_syntax_error_has_line(problems_of) -> None:
    (problem,) = problems_of('{"name": "x",\n "periods": [}', "case.json")
    assert problem.message.startswith("not valid JSON")
    assert problem.line == 2


def test_json_non_finite_number(case_dict, problems_of) -> None:
    put("projects[chat].value", math.nan)(case_dict)  # json.dumps writes NaN
    assert_problems(
        problems_of(case_dict, "case.json"), [("projects[chat].value", "must be a finite number")]
    )


def test_json_duplicate_key_line(problems_of) -> None:
    problem, *rest = problems_of('{"name": "x",\n "name": "y"}', "case.json")
    assert {p.message for p in rest} == {
        "missing required key 'periods'",
        "missing required key 'projects'",
    }
    assert problem.message == "key 'name' appears twice in one mapping"
    assert problem.line in (None, 2)


# --- CSV references ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "path", "message"),
    [
        pytest.param(
            {"csv": "../x.csv"}, "projects.csv", "'../x.csv' leaves the case's folder", id="parent"
        ),
        pytest.param(
            {"csv": "sub/../../x.csv"},
            "projects.csv",
            "leaves the case's folder",
            id="parent-hidden",
        ),
        pytest.param(
            {"csv": "/etc/passwd"}, "projects.csv", "'/etc/passwd' is absolute", id="absolute"
        ),
        pytest.param(
            {"csv": "nope.csv"}, "projects.csv", "no file 'nope.csv' beside the case", id="missing"
        ),
        pytest.param(
            {"csv": "p.csv", "sep": ";"},
            "projects",
            "a table reference is {csv: relative/path.csv} or {parquet: relative/path.parquet} "
            "and nothing else",
            id="extra-key",
        ),
        pytest.param({"csv": 5}, "projects", "a table reference is {csv:", id="not-text"),
    ],
)
def test_bad_csv_reference(case_dict, problems_of, reference, path, message) -> None:
    case_dict["projects"] = reference
    (problem,) = problems_of(case_dict)
    assert Path(problem.file).name == "case.yaml"
    assert problem.path == path
    assert message in problem.message


def test_bad_csv_cell(case_dict, problems_of) -> None:
    case_dict["projects"] = {"csv": "projects.csv"}
    table = 'id,value\nchat,1\nvideo,"[4, 8"\n'
    (problem,) = problems_of(case_dict, files={"projects.csv": table})
    assert problem.file == str(Path(problem.file).parent / "projects.csv")
    assert (Path(problem.file).name, problem.path, problem.line) == (
        "projects.csv",
        "column value",
        3,
    )
    assert problem.message == "cannot read the cell '[4, 8'"


# --- known crashes: an uncaught exception instead of a problem ---------------------------


@pytest.mark.parametrize(
    "text",
    [
        "name: !!int x\nperiods: [Y1]\nprojects: [{id: a}]\n",
        "name: !!float x\nperiods: [Y1]\nprojects: [{id: a}]\n",
        "name: !!bool x\nperiods: [Y1]\nprojects: [{id: a}]\n",
        "name: !!timestamp x\nperiods: [Y1]\nprojects: [{id: a}]\n",
        "name: x\nperiods: [Y1]\nprojects: [{id: a, value: !!int 0x}]\n",
    ],
    ids=["int-tag", "float-tag", "bool-tag", "timestamp-tag", "empty-hex"],
)
def test_unconstructible_yaml_scalar_is_a_problem(problems_of, text) -> None:
    problems = problems_of(text)
    assert problems[0].line in (1, 3)


@pytest.mark.parametrize("scalar", ["0x_", "0o_", "._", "._e+5"])
def test_digitless_number_is_a_problem(case_dict, problems_of, scalar) -> None:
    text = yaml.safe_dump(case_dict, sort_keys=False).replace("value: 14", f"value: {scalar}")
    problems = problems_of(text)
    assert problems[0].path == "projects[chat].value"


@pytest.mark.parametrize("name", ["case.yaml", "case.json"])
def test_huge_integer_literal_is_a_problem(case_dict, write_case, name) -> None:
    text = to_text_with_value(case_dict, name, "9" * 5000)
    file = write_case(text, name)
    with pytest.raises(CaseError) as caught:
        load_case(file)
    assert caught.value.problems


def to_text_with_value(data: dict[str, Any], name: str, literal: str) -> str:
    """The case as YAML or JSON text with chat's value written as ``literal``."""
    if name.endswith(".json"):
        return json.dumps(data).replace('"value": 14', f'"value": {literal}')
    return yaml.safe_dump(data, sort_keys=False).replace("value: 14", f"value: {literal}")


def test_recursive_alias_in_scenario_set_is_a_problem(problems_of) -> None:
    text = (
        "name: x\nperiods: [Y1]\nprojects: [{id: a}]\n"
        "scenarios:\n  s:\n    changes:\n"
        "      - {path: name, set: &loop [*loop]}\n"
        "      - {path: scenarios.s.description, set: hi}\n"
    )
    problems = problems_of(text)
    assert "alias refers to a value that contains it" in problems[0].message


@pytest.mark.parametrize(
    "reference", ["a\x00b.csv", "x" * 300 + ".csv"], ids=["nul-byte", "too-long"]
)
def test_unusable_csv_file_name_is_a_problem(case_dict, problems_of, reference) -> None:
    case_dict["projects"] = {"csv": reference}
    (problem,) = problems_of(case_dict)
    assert problem.path == "projects.csv"


# --- questionable reports ------------------------------------------------------------------


def test_start_shorthand_outside_horizon_is_one_problem(case_dict, problems_of) -> None:
    put("projects[search].start", "Y5")(case_dict)
    assert_problems(problems_of(case_dict), [("projects[search].start", f"'Y5' {HORIZON}")])


def test_numeric_period_key_outside_horizon_keeps_the_key_in_its_path(problems_of) -> None:
    text = (
        "name: x\nperiods: [2025, 2026]\n"
        "budget: {amounts: {2025: 1, 2027: 3}}\nprojects: [{id: a}]\n"
    )
    (problem,) = problems_of(text)
    assert problem.message == "'2027' is not a period of the horizon (2025..2026)"
    assert problem.path == "budget.amounts.2027"


def test_an_oversized_case_file_is_refused_before_reading(tmp_path, monkeypatch) -> None:
    import allocator.case.loading as loading
    from allocator.case import CaseError as Refused

    monkeypatch.setattr(loading, "MAX_CASE_BYTES", 1024)
    big = tmp_path / "big.yaml"
    big.write_text("name: big\n" + "# padding\n" * 200)
    with pytest.raises(Refused) as error:
        loading.read_case_data(big)
    assert "a case file may be at most" in str(error.value.problems[0])
