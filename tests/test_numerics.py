"""Warnings about numbers solvers handle badly, naming what to rescale."""

from __future__ import annotations

from pathlib import Path

import allocator
from allocator.case.model import Case
from allocator.formulation import formulate
from allocator.formulation.numerics import numeric_warnings

CASES = Path(__file__).resolve().parent.parent / "cases"


def test_gpus_counted_one_by_one_in_millions_are_flagged() -> None:
    """A contract of 5,000,000 GPUs (signed or not) and a project demanding 4,000,000: a
    yes/no decision with such a coefficient can be off by 5 GPUs within an integrality
    tolerance of 1e-6."""
    case = Case.model_validate(
        {
            "name": "huge",
            "periods": ["Q1"],
            "resources": [{"id": "gpu"}],
            "supply": [{"id": "cloud", "resource": "gpu", "capacity": 5e6, "unit_cost": 1e-6}],
            "budget": {"amounts": 100},
            "projects": [{"id": "a", "value": 10, "demand": {"gpu": 4e6}}],
        }
    )
    warnings = numeric_warnings(formulate(case).model)
    assert len(warnings) == 1
    assert warnings[0].startswith("resource units reach 5,000,000")
    assert "(capacity, demand rows)" in warnings[0]
    assert "off by 5" in warnings[0]
    assert "count them in thousands" in warnings[0]
    result = allocator.solve(case, backend="pulp", gap=0)
    assert result.warnings == tuple(warnings)


def test_the_shipped_cases_need_no_warning() -> None:
    for path in sorted(CASES.glob("*.yaml")):
        assert numeric_warnings(formulate(allocator.load_case(path)).model) == [], path.name
