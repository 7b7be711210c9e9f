"""The limits a plan runs into: rows of the decision-relevant families held at their bound.

A row i is binding when it has a finite bound b and its activity a_i = A_i x is
within 1e-6 * max(1, |b|, sum_j |A_ij x_j|) of it, and at least one of its terms is
non-zero (an unsigned contract's cap of 0 on 0 units binds nothing). Only families
whose declared meaning says what they mean when binding (``RowMeaning.binding``) are
read; structural rows (one choice per project, balance equations, block rounding)
are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.formulation.meaning import meaning_of
from allocator.model.linear import LinearModel

COLUMNS = ["limit", "meaning", "subject", "period"]


def binding_limits(model: LinearModel, x: np.ndarray, tolerance: float = 1e-6) -> pd.DataFrame:
    """One row per binding limit: family, meaning, subject (case ids) and period."""
    activity = model.row_activity(x)
    magnitude = model.row_magnitude(x)
    parts = []
    for family in model.constraints:
        meaning = meaning_of(family)
        if meaning is None or meaning.binding is None:
            continue
        rows = slice(family.start, family.stop)
        tight = np.zeros(family.size, dtype=bool)
        for bound in (model.row_lower[rows], model.row_upper[rows]):
            finite = np.isfinite(bound)
            scale = np.maximum.reduce([np.ones(family.size), np.abs(bound), magnitude[rows]])
            near = np.abs(activity[rows] - np.where(finite, bound, 0.0)) <= tolerance * scale
            tight |= finite & near
        tight &= magnitude[rows] > 0
        if not tight.any():
            continue
        keys = family.keys.iloc[np.flatnonzero(tight)].reset_index(drop=True)
        period = keys.pop("period") if "period" in keys else pd.Series([None] * len(keys))
        subject = keys.astype(str).agg(" ".join, axis=1) if len(keys.columns) else ""
        parts.append(
            pd.DataFrame(
                {
                    "limit": family.name,
                    "meaning": meaning.binding,
                    "subject": subject,
                    "period": period.to_numpy(),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(parts, ignore_index=True)[COLUMNS]
