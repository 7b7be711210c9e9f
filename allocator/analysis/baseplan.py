"""A base plan carried to the variants of an analysis: each column family's case ids with
the plan's values, matched to another model's columns by family and ids.

The variants of a what-if are other models (a scaled budget, a scenario, a forced
project): their columns are the base's where the case ids agree, in whatever order. A
``BasePlan`` is what the minimal-change search (``allocator.analysis.closest``) compares
with and what a warm start hands the solver.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocator.model.linear import Family, LinearModel

_POSITION = "__position__"
_VALUE = "__value__"


@dataclass(frozen=True)
class BasePlan:
    """``families``: family name -> its case ids (one row per column) and the plan's values."""

    families: dict[str, tuple[pd.DataFrame, np.ndarray]]

    @classmethod
    def of(cls, model: LinearModel, values: np.ndarray) -> BasePlan:
        """The plan ``values`` of ``model``, by family and case ids."""
        return cls.of_families(model.variables, values)

    @classmethod
    def of_families(cls, families: Iterable[Family], values: np.ndarray) -> BasePlan:
        """``values`` over the members of ``families`` (a model's columns, or its rows:
        row duals), by family and case ids."""
        return cls(
            {
                family.name: (family.keys.reset_index(drop=True), values[family.slice].copy())
                for family in families
            }
        )

    @classmethod
    def from_values(
        cls,
        model: LinearModel,
        values: Mapping[tuple[str, tuple], float],
        families: Iterable[str],
    ) -> BasePlan:
        """The plan ``values`` gives by (family, case ids) for ``families`` of ``model``; a
        column of those families it does not name is 0 (not chosen, none bought)."""
        found = {}
        for name in families:
            if name not in model.columns:
                continue
            keys = model.columns[name].keys.reset_index(drop=True)
            rows = keys.itertuples(index=False, name=None)
            found[name] = (keys, np.array([values.get((name, key), 0.0) for key in rows]))
        return cls(found)

    def values_for(
        self, model: LinearModel, families: Iterable[str] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(values, matched) over ``model``'s columns: the base value of each column of
        ``families`` (default: all) whose family and case ids the base has; ``matched``
        False (and the value NaN) elsewhere."""
        return self.values_over(model.variables, model.num_variables, families)

    def values_over(
        self, members: Iterable[Family], size: int, families: Iterable[str] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``values_for`` over any families of ``size`` members (a model's rows, say)."""
        values = np.full(size, np.nan)
        wanted = set(families) if families is not None else None
        for family in members:
            if (
                wanted is not None and family.name not in wanted
            ) or family.name not in self.families:
                continue
            keys, base = self.families[family.name]
            if list(keys.columns) != list(family.keys.columns):
                continue
            mine = family.keys.reset_index(drop=True).assign(**{_POSITION: family.index})
            theirs = keys.assign(**{_VALUE: base})
            on = list(keys.columns)
            both = mine.merge(theirs, on=on, how="inner") if on else mine.join(theirs)
            values[both[_POSITION].to_numpy()] = both[_VALUE].to_numpy()
        return values, ~np.isnan(values)

    def start_for(self, model: LinearModel) -> np.ndarray:
        """A starting plan for ``model``: the base's values where the columns match, within
        ``model``'s bounds; the bound nearest 0 elsewhere."""
        values, matched = self.values_for(model)
        values[~matched] = 0.0
        return np.clip(values, model.lower, model.upper)
