"""Shared fixtures: a small valid case as plain data, and helpers that write and load it.

The valid case is deliberately tiny but touches every core part of the case-file
contract (docs/case-format.md): three yearly periods, one resource, one supply option, a
budget map, three projects (one with two levels, a start window, a duration and a
requirement; one with an exclusion) and one scenario.

Helpers are session-scoped fixtures returning plain functions, so hypothesis tests can
use them too (hypothesis refuses function-scoped fixtures); each call writes into its
own fresh folder.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

from allocator import Case, CaseError, Problem, load_case

settings.register_profile(
    "allocator",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("allocator")

VALID_CASE: dict[str, Any] = {
    "name": "tiny-lab",
    "periods": ["Y1", "Y2", "Y3"],
    "periods_per_year": 1,
    "discount_rate": 0.1,
    "resources": [{"id": "gb300"}],
    "supply": [
        {
            "id": "owned",
            "resource": "gb300",
            "kind": "contract",
            "capacity": 100,
            "unit_cost": 1.0,
            "min_commit": 10,
        }
    ],
    "budget": {"carry_over": True, "amounts": {"Y1": 50, "Y2": 20, "Y3": 20}},
    "projects": [
        {
            "id": "chat",
            "category": "product",
            "value": 14,
            "cost": {"Y1": 12, "Y2": 3},
            "demand": {"gb300": 40},
            "must_fund": True,
        },
        {
            "id": "video",
            "category": "research",
            "levels": [
                {"id": "pilot", "value": 5, "cost": 2, "demand": {"gb300": 10}},
                {"id": "full", "value": [4, 8], "cost": 6, "demand": {"gb300": [20, 60]}},
            ],
            "start": {"earliest": "Y1", "latest": "Y2"},
            "duration": 2,
            "requires": ["chat"],
        },
        {"id": "search", "category": "product", "value": 3, "excludes": ["video"]},
    ],
    "scenarios": {
        "budget-cut": {
            "description": "unrestricted money cut by a fifth",
            "changes": [
                {"path": "budget.amounts", "scale": 0.8},
                {"path": "projects[chat].value", "add": -2},
            ],
        }
    },
}


def to_text(data: Any, name: str) -> str:
    """Plain data as the text of a file called ``name`` (JSON for ``.json``, else YAML)."""
    if name.endswith(".json"):
        return json.dumps(data, indent=2)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@pytest.fixture
def case_dict() -> dict[str, Any]:
    """The valid case as plain data (a fresh copy per test)."""
    return copy.deepcopy(VALID_CASE)


@pytest.fixture(scope="session")
def fresh_case() -> Callable[[], dict[str, Any]]:
    """``fresh_case()`` -> a new copy of the valid case (for hypothesis tests)."""
    return lambda: copy.deepcopy(VALID_CASE)


@pytest.fixture(scope="session")
def write_case(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``write_case(data, name="case.yaml", files=None) -> Path``.

    ``data`` is plain data (dumped as YAML, or JSON for a ``.json`` name) or text
    written as is; ``files`` maps relative paths to the text of extra files (CSV
    tables) placed beside the case. Every call uses a new folder.
    """

    def write(data: Any, name: str = "case.yaml", files: dict[str, str] | None = None) -> Path:
        folder = tmp_path_factory.mktemp("case")
        path = folder / name
        text = data if isinstance(data, str) else to_text(data, name)
        path.write_text(text, encoding="utf-8")
        for relative, content in (files or {}).items():
            extra = folder / relative
            extra.parent.mkdir(parents=True, exist_ok=True)
            extra.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def load(write_case: Callable[..., Path]) -> Callable[..., Case]:
    """``load(data, name="case.yaml", files=None, scenario=None) -> Case``."""

    def load_data(
        data: Any,
        name: str = "case.yaml",
        files: dict[str, str] | None = None,
        scenario: str | None = None,
    ) -> Case:
        return load_case(write_case(data, name, files), scenario=scenario)

    return load_data


@pytest.fixture(scope="session")
def problems_of(write_case: Callable[..., Path]) -> Callable[..., list[Problem]]:
    """``problems_of(data, name="case.yaml", files=None, scenario=None) -> [Problem]``.

    Fails the test if the case loads ("DID NOT RAISE").
    """

    def problems(
        data: Any,
        name: str = "case.yaml",
        files: dict[str, str] | None = None,
        scenario: str | None = None,
    ) -> list[Problem]:
        path = write_case(data, name, files)
        with pytest.raises(CaseError) as caught:
            load_case(path, scenario=scenario)
        found = caught.value.problems
        assert found, "a CaseError must list at least one problem"
        return found

    return problems


@pytest.fixture(scope="session")
def dask_scheduler() -> Iterator[str]:
    """The address of one local Dask cluster (one single-threaded worker process) shared
    by the tests that solve many futures: each would otherwise start its own."""
    from allocator.cluster import local_cluster

    with local_cluster(1) as cluster:
        yield cluster.scheduler_address
