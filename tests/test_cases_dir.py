"""Every case file in ``cases/`` loads, and every scenario in it applies."""

from __future__ import annotations

from pathlib import Path

import pytest

from allocator import Case, apply_scenario, load_case

CASES = sorted((Path(__file__).resolve().parent.parent / "cases").glob("*.yaml"))
pytestmark = pytest.mark.skipif(not CASES, reason="no case files in cases/ yet")


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_case_file_loads(path: Path) -> None:
    case = load_case(path)
    assert isinstance(case, Case)
    assert case.name
    assert case.periods
    assert case.projects


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_every_scenario_applies(path: Path) -> None:
    case = load_case(path)
    for name in case.scenarios:
        applied = apply_scenario(case, name)
        assert isinstance(applied, Case)
        assert applied.periods  # a scenario may change anything, but leaves a case
        assert load_case(path, scenario=name) == applied
