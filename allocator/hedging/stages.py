"""Which decisions belong to the first stage: those made before the futures part.

With ``commit`` the index of the last committed period (``--commit-through``), the
first stage of a formulation is, by column family and case ids:

=============  ===========================  =====================================
family         keys                         in the first stage
=============  ===========================  =====================================
``sign``       supply                       every option (signed now, even when it
                                            delivers later: lead times)
``buy``        supply, period               periods up to ``commit``
``take``       funding                      every optional source (and its fraction)
``draw``       funding, period              periods up to ``commit``
``choose``     project, level, start        starts up to ``commit`` (not starting
                                            by then is decided too)
=============  ===========================  =====================================

Everything else is the second stage: each future's own recourse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.formulation import Formulation
from allocator.hedging.decisions import TOLERANCE
from allocator.model.linear import LinearModel

PERIOD_KEY = {"buy": "period", "draw": "period", "choose": "start"}
"""The key that says when a decision takes effect, for families decided by period."""

ALWAYS = ("sign", "take")
"""Families decided in the first stage whatever the period."""

FAMILIES = (*ALWAYS, *PERIOD_KEY)


def first_stage(case: Case, formulation: Formulation, commit: int) -> pd.DataFrame:
    """The first-stage columns of ``formulation``: family, key (a tuple of case ids) and
    column (its position in the model), in family order."""
    parts = []
    columns = formulation.model.columns
    for name in FAMILIES:
        if name not in columns:
            continue
        family = columns[name]
        keys = family.keys
        keep = np.ones(family.size, dtype=bool)
        if name in PERIOD_KEY:
            when = keys[PERIOD_KEY[name]].map(case.period_index).to_numpy()
            keep = when <= commit
        chosen = keys[keep]
        parts.append(
            pd.DataFrame(
                {
                    "family": name,
                    "key": list(chosen.itertuples(index=False, name=None)),
                    "column": family.index[keep],
                }
            )
        )
    if not parts:
        return pd.DataFrame({"family": [], "key": [], "column": []})
    return pd.concat(parts, ignore_index=True)


def commit_index(case: Case, period: str | None) -> int:
    """The index of the last committed period (``None``: the first period)."""
    return 0 if period is None else period_position(case, period, "--commit-through")


def period_position(case: Case, period: str, option: str) -> int:
    """The index of ``period`` in the case's horizon; ``InputError`` naming ``option``
    when it is not one of its periods."""
    from allocator.errors import InputError

    if period not in case.period_index:
        raise InputError(
            f"{option} {period!r} is not a period of the horizon "
            f"({case.periods[0]}..{case.periods[-1]})"
        )
    return case.period_index[period]


@dataclass(frozen=True)
class Fixed:
    """Column bounds with decisions held at given values (``fix_columns``), and what
    could not be held: ``missing`` (family, key, value) named but not in the columns;
    ``out_of_reach`` (family, key, value, low, high) outside the column's bounds (the
    value is clipped into them)."""

    lower: np.ndarray
    upper: np.ndarray
    missing: list[tuple[str, tuple, float]]
    out_of_reach: list[tuple[str, tuple, float, float, float]]


def fix_columns(model: LinearModel, table: pd.DataFrame, values: dict[tuple, float]) -> Fixed:
    """``model``'s bounds with every column of ``table`` (family, key, column: a first
    stage, a replan's frozen past) fixed at its value in ``values`` (0 when not named;
    integer columns rounded)."""
    present = set(zip(table["family"], table["key"], strict=True))
    missing = [
        (family, key, value)
        for (family, key), value in values.items()
        if (family, key) not in present and abs(value) > TOLERANCE
    ]
    lower, upper = model.lower.copy(), model.upper.copy()
    out_of_reach = []
    for family, key, column in table.itertuples(index=False, name=None):
        value = values.get((family, key), 0.0)
        if model.integer[column]:
            value = float(np.round(value))
        low, high = model.lower[column], model.upper[column]
        if not low - TOLERANCE <= value <= high + TOLERANCE:
            out_of_reach.append((family, key, value, low, high))
        lower[column] = upper[column] = min(max(value, low), high)
    return Fixed(lower, upper, missing, out_of_reach)
