"""Writing a case out and reading it back gives an equal case (YAML and JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from allocator import Case, apply_scenario, dump_case, load_case, save_case

CASES = sorted((Path(__file__).resolve().parent.parent / "cases").glob("*.yaml"))


def reload(case: Case, folder: Path, fmt: str) -> Case:
    """``case`` written with dump_case in ``fmt`` and loaded again."""
    path = folder / f"again.{fmt}"
    path.write_text(dump_case(case, fmt), encoding="utf-8")
    return load_case(path)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_minimal_case_round_trip(load, case_dict, tmp_path, fmt) -> None:
    case = load(case_dict)
    again = reload(case, tmp_path, fmt)
    assert again == case
    assert dump_case(again, fmt) == dump_case(case, fmt)


def test_dump_keeps_the_authors_keys(load, case_dict) -> None:
    """Defaults the author left out stay out; what they wrote stays in."""
    data = yaml.safe_load(dump_case(load(case_dict)))
    assert "money_unit" not in data
    assert "sites" not in data
    assert data["projects"][2] == {
        "id": "search",
        "category": "product",
        "value": 3.0,
        "excludes": ["video"],
    }
    assert data["scenarios"]["budget-cut"]["changes"] == [
        {"path": "budget.amounts", "scale": 0.8},
        {"path": "projects[chat].value", "add": -2.0},
    ]


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json", ".JSON"])
def test_save_case_picks_the_format_from_the_suffix(load, case_dict, tmp_path, suffix) -> None:
    case = load(case_dict)
    path = tmp_path / f"saved{suffix}"
    save_case(case, path)
    text = path.read_text()
    assert text.lstrip().startswith("{") == (suffix.lower() == ".json")
    assert load_case(path) == case


def test_unknown_dump_format(load, case_dict) -> None:
    with pytest.raises(ValueError, match="unknown case format 'toml'"):
        dump_case(load(case_dict), "toml")


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_scenario_applied_case_round_trip(load, case_dict, tmp_path, fmt) -> None:
    applied = apply_scenario(load(case_dict), "budget-cut")
    again = reload(applied, tmp_path, fmt)
    assert again == applied
    assert again.budget.amounts == {"Y1": 40.0, "Y2": 16.0, "Y3": 16.0}


def test_csv_case_round_trips_to_one_file(load, case_dict, tmp_path) -> None:
    case_dict["projects"] = {"csv": "projects.csv"}
    table = "id,value,demand.gb300\nchat,14,40\nsearch,3,\n"
    case = load(case_dict, files={"projects.csv": table})
    again = reload(case, tmp_path, "yaml")
    assert again == case
    assert [p.id for p in again.projects] == ["chat", "search"]


@pytest.mark.skipif(not CASES, reason="no case files in cases/ yet")
@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_case_files_round_trip(path, tmp_path, fmt) -> None:
    case = load_case(path)
    assert reload(case, tmp_path, fmt) == case
    for name in case.scenarios:
        applied = apply_scenario(case, name)
        assert reload(applied, tmp_path, fmt) == applied


@pytest.mark.parametrize("text", ["1e3", "1E3", "+1e5", "1.0e3", "0e0", "0o7", "0x1F", "1_000"])
def test_number_like_text_round_trips(text, tmp_path) -> None:
    """Text the loader would read as a number is quoted when written (found by this suite)."""
    case = Case.model_validate(
        {"name": text, "money_unit": text, "periods": [text], "projects": [{"id": text}]}
    )
    assert reload(case, tmp_path, "yaml") == case


# --- known round-trip failures -------------------------------------------------------------


def test_next_line_character_round_trips(case_dict, tmp_path) -> None:
    case_dict["description"] = "before\x85after"
    case = Case.model_validate(case_dict)
    assert reload(case, tmp_path, "json").description == "before\x85after"  # JSON escapes it
    assert reload(case, tmp_path, "yaml").description == "before\x85after"


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_scenario_set_with_number_keys_round_trips(write_case, tmp_path, fmt) -> None:
    text = (
        "name: years\nperiods: [2025, 2026]\nbudget: {amounts: 1}\nprojects: [{id: a}]\n"
        "scenarios:\n  s:\n    changes:\n      - {path: budget.amounts, set: {2025: 10, 2026: 5}}\n"
    )
    case = load_case(write_case(text))
    again = reload(case, tmp_path, fmt)
    assert apply_scenario(again, "s") == apply_scenario(case, "s")
    assert again == case


# --- generated valid cases ----------------------------------------------------------------

IDS = st.from_regex(r"[a-z][a-z0-9-]{0,5}", fullmatch=True)
AMOUNT = st.integers(0, 1000) | st.floats(0, 1e6, allow_nan=False, allow_infinity=False)


def series(
    periods: list[str], calendar: bool, longest: int | None = None
) -> st.SearchStrategy[Any]:
    """A scalar, a list no longer than ``longest`` (or the horizon), or a map by period."""
    forms = [AMOUNT, st.lists(AMOUNT, min_size=1, max_size=longest or len(periods))]
    if calendar:
        forms.append(st.dictionaries(st.sampled_from(periods), AMOUNT, max_size=len(periods)))
    return st.one_of(forms)


@st.composite
def valid_cases(draw: st.DrawFn) -> dict[str, Any]:
    horizon = draw(st.integers(1, 4))
    prefix = draw(st.sampled_from(["P", "2026Q", "y"]))
    periods = [f"{prefix}{k + 1}" for k in range(horizon)]
    resources = draw(st.lists(IDS, max_size=2, unique=True))
    case: dict[str, Any] = {
        "name": draw(IDS),
        "periods": periods,
        "periods_per_year": draw(st.integers(1, 12)),
        "discount_rate": draw(st.floats(0, 0.5)),
        "objective": draw(st.sampled_from(["value", "npv"])),
        "resources": [{"id": r} for r in resources],
        "budget": {
            "carry_over": draw(st.booleans()),
            "amounts": draw(series(periods, calendar=True)),
        },
    }
    supply = []
    for ident in draw(st.lists(IDS, max_size=2, unique=True)) if resources else []:
        start = draw(st.integers(0, horizon - 1))
        open_periods = st.sampled_from(periods[start:])
        supply.append(
            {
                "id": ident,
                "resource": draw(st.sampled_from(resources)),
                "kind": draw(st.sampled_from(["contract", "spot"])),
                "capacity": draw(AMOUNT | st.dictionaries(open_periods, AMOUNT)),
                "unit_cost": draw(AMOUNT),
                "available_from": periods[start],
                "optional": draw(st.booleans()),
            }
        )
    case["supply"] = supply
    ids = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    must_fund = [draw(st.booleans()) for _ in ids]
    projects = []
    for position, ident in enumerate(ids):
        first = draw(st.integers(0, horizon - 1))
        last = draw(st.integers(first, horizon - 1))
        fixed = first == last
        project: dict[str, Any] = {
            "id": ident,
            "category": draw(st.sampled_from(["core", "bet"])),
            "start": {"earliest": periods[first], "latest": periods[last]},
            "must_fund": must_fund[position],
            "requires": draw(st.lists(st.sampled_from(ids[:position]), unique=True))
            if position
            else [],
        }
        if draw(st.booleans()):
            project["duration"] = draw(st.integers(1, horizon - first))

        span = project.get("duration", horizon - first)

        def scale(fixed: bool = fixed, span: int = span) -> dict[str, Any]:
            return {
                "value": draw(series(periods, fixed, span)),
                "cost": draw(series(periods, fixed, span)),
                "demand": {r: draw(series(periods, fixed, span)) for r in resources},
            }

        if draw(st.booleans()):
            levels = draw(st.lists(IDS, min_size=1, max_size=2, unique=True))
            project["levels"] = [{"id": level, **scale()} for level in levels]
        else:
            project.update(scale())
        others = [i for i in ids if i != ident and i not in project["requires"]]
        if others and not any(must_fund):  # exclusions never clash with a must-fund project
            project["excludes"] = draw(st.lists(st.sampled_from(others), unique=True))
        projects.append(project)
    case["projects"] = projects
    case["scenarios"] = {
        name: {
            "description": "generated",
            "changes": [
                {"path": "budget.amounts", "scale": draw(st.floats(0, 2))},
                {"path": "discount_rate", "set": draw(st.floats(0, 0.5))},
            ],
        }
        for name in draw(st.lists(IDS, max_size=2, unique=True))
    }
    return case


@settings(max_examples=150)
@given(data=valid_cases())
def test_generated_cases_round_trip(write_case, tmp_path_factory, data) -> None:
    if isinstance(data["budget"]["amounts"], dict) and not data["budget"]["amounts"]:
        data["budget"]["amounts"] = 0  # an empty map is valid but dull
    case = load_case(write_case(data))
    folder = tmp_path_factory.mktemp("again")
    for fmt in ("yaml", "json"):
        assert reload(case, folder, fmt) == case
        for name in case.scenarios:
            applied = apply_scenario(case, name)
            assert reload(applied, folder, fmt) == applied
