"""Row families declare their meaning beside their rows; every reader finds what it needs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import allocator
from allocator.formulation import formulate
from allocator.formulation.meaning import RowMeaning, meaning_of
from allocator.formulation.numerics import numeric_warnings
from allocator.model import ModelBuilder
from allocator.model.builder import Terms
from allocator.numbers import amount
from allocator.plan.binding import binding_limits

CASES = Path(__file__).resolve().parent.parent / "cases"
EVERY_CASE = sorted(CASES.glob("*.yaml"))


def families(path: Path):
    return formulate(allocator.load_case(path)).model.constraints


@pytest.mark.parametrize("path", EVERY_CASE, ids=[p.stem for p in EVERY_CASE])
def test_every_relaxable_family_has_words_for_each_of_its_rows(path: Path) -> None:
    """explain may relax a family only if it can say, for any row, what to change."""
    case = allocator.load_case(path)
    for family in families(path):
        meaning = meaning_of(family)
        if meaning is None or meaning.elastic is None:
            continue
        assert meaning.change is not None, family.name
        assert meaning.limit is not None, family.name
        for _, row in family.keys.iterrows():
            keys = {k: str(v) for k, v in row.items()}
            text, path_text = meaning.change(case, keys, "12", ["chat"], amount)
            limit, limit_path = meaning.limit(case, keys, amount)
            subject = [v for k, v in keys.items() if k != "period"]
            assert all(s in text for s in subject), (family.name, text)
            assert path_text
            assert limit
            assert limit_path


def test_structural_families_are_never_reported() -> None:
    """A family without a declaration binds nothing a planner can change."""
    model = formulate(allocator.load_case(CASES / "frontier-lab-2026.yaml")).model
    structural = {f.name for f in model.constraints if meaning_of(f) is None}
    assert {"requires", "paid_for_use", "owned", "credit_balance"} <= structural
    result = allocator.solve(allocator.load_case(CASES / "frontier-lab-2026.yaml"), gap=0)
    assert not set(result.plan.binding["limit"]) & structural


def test_a_new_family_is_one_declaration() -> None:
    """A family declared with a meaning is read by binding limits and the numerics check
    without any table elsewhere knowing its name."""
    builder = ModelBuilder(maximize=True)
    x = builder.add_variables("x", pd.DataFrame({"item": ["a", "b"]}), upper=9)
    builder.add_rows(
        "hangar_space",
        pd.DataFrame({"hangar": ["north"], "period": ["Y1"]}),
        terms=[Terms([0, 0], x, [1.0, 2e7])],
        upper=4.0,
        meaning=RowMeaning(quantity="square metres", binding="hangar full"),
    )
    builder.add_objective(x, [1.0, 1.0])
    model = builder.build()
    limits = binding_limits(model, np.array([4.0, 0.0]))
    assert limits.to_dict("records") == [
        {"limit": "hangar_space", "meaning": "hangar full", "subject": "north", "period": "Y1"}
    ]
    (warning,) = numeric_warnings(model)
    assert warning.startswith("hangar_space rows mix coefficients")
    assert "square metres" in warning
