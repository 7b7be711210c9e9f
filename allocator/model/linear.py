"""A mixed-integer linear program held as arrays, with every column and row traceable.

    maximise (or minimise)  c @ x + c0
    subject to              row_lower <= A @ x <= row_upper
                            lower <= x <= upper,  x[j] integer where integer[j]

Columns and rows come in named families (``choose``, ``take_or_pay``, ...); each
family keeps a table of the case ids its members came from, so a solution or a
binding row can be described in the case's own words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp


@dataclass(frozen=True)
class Family:
    """A named, contiguous block of columns or rows and the case ids of each member.

    Members ``start .. stop - 1`` of the model; ``keys`` has one row per member
    (for instance columns ``project``, ``level``, ``start``).
    """

    name: str
    start: int
    stop: int
    keys: pd.DataFrame

    @property
    def size(self) -> int:
        """How many columns or rows the family holds."""
        return self.stop - self.start

    def take(self, values: np.ndarray, column: str = "value") -> pd.DataFrame:
        """The family's keys with its slice of ``values`` beside them."""
        table = self.keys.reset_index(drop=True).copy()
        table[column] = values[self.start : self.stop]
        return table


@dataclass(frozen=True)
class LinearModel:
    """A MILP in array form; see the module docstring for the maths."""

    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    matrix: sp.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    objective: np.ndarray
    objective_offset: float
    maximize: bool
    variables: tuple[Family, ...]
    constraints: tuple[Family, ...]

    @property
    def num_variables(self) -> int:
        """Number of columns."""
        return int(self.lower.shape[0])

    @property
    def num_constraints(self) -> int:
        """Number of rows."""
        return int(self.row_lower.shape[0])

    def variable_family(self, name: str) -> Family:
        """The column family called ``name``."""
        return _named(self.variables, name, "variable")

    def constraint_family(self, name: str) -> Family:
        """The row family called ``name``."""
        return _named(self.constraints, name, "constraint")

    def objective_value(self, x: np.ndarray) -> float:
        """c @ x + c0 for a vector of column values."""
        return float(self.objective @ x + self.objective_offset)

    def malformations(self) -> list[str]:
        """What no solver can take: NaN anywhere, infinite coefficients or offset, and
        bounds no value can meet (a lower bound of +inf, an upper bound of -inf)."""
        found = []
        arrays = {
            "column lower bounds": self.lower,
            "column upper bounds": self.upper,
            "row lower bounds": self.row_lower,
            "row upper bounds": self.row_upper,
            "objective coefficients": self.objective,
            "matrix coefficients": self.matrix.data,
        }
        for what, values in arrays.items():
            if np.isnan(values).any():
                found.append(f"NaN in its {what}")
        for what in ("objective coefficients", "matrix coefficients"):
            if np.isinf(arrays[what]).any():
                found.append(f"an infinite coefficient in its {what}")
        if not np.isfinite(self.objective_offset):
            found.append(f"an objective offset of {self.objective_offset}")
        for what, low, high, families in (
            ("columns", self.lower, self.upper, self.variables),
            ("rows", self.row_lower, self.row_upper, self.constraints),
        ):
            bad = np.flatnonzero((low == np.inf) | (high == -np.inf))
            if bad.size:
                found.append(
                    f"{what} with an impossible infinite bound: {family_counts(bad, families)}"
                )
        return found

    def violations(self, x: np.ndarray, tolerance: float = 1e-6) -> list[str]:
        """Bounds, rows and integrality that ``x`` breaks, by family and position.

        A bound is kept when it is off by at most ``tolerance`` times max(1, |bound|);
        a row when it is off by at most ``tolerance`` times max(1, |bound|, sum_j
        |a_ij x_j|), the scale at which solvers judge a row feasible.
        """
        found = []
        activity = self.matrix @ x
        magnitude = abs(self.matrix) @ np.abs(x)
        ones = np.ones_like(x)
        checks = (
            ("below lower bound", x, self.lower, -1, self.variables, ones),
            ("above upper bound", x, self.upper, 1, self.variables, ones),
            ("row below lower bound", activity, self.row_lower, -1, self.constraints, magnitude),
            ("row above upper bound", activity, self.row_upper, 1, self.constraints, magnitude),
        )
        for label, value, bound, side, families, scale in checks:
            finite = np.isfinite(bound)
            allowed = tolerance * np.maximum.reduce(
                [np.ones_like(scale), np.abs(np.where(finite, bound, 0.0)), scale]
            )
            bad = finite & (side * (value - bound) > allowed)
            found.extend(_describe(label, np.flatnonzero(bad), families))
        fractional = self.integer & (np.abs(x - np.round(x)) > tolerance)
        found.extend(_describe("not integral", np.flatnonzero(fractional), self.variables))
        return found


def family_counts(positions: np.ndarray, families: tuple[Family, ...]) -> str:
    """The families ``positions`` fall in, as "family (count), ...", for messages."""
    counts = []
    for family in families:
        inside = int(((positions >= family.start) & (positions < family.stop)).sum())
        if inside:
            counts.append(f"{family.name} ({inside})")
    return ", ".join(counts) or f"{positions.size} unnamed"


def _named(families: tuple[Family, ...], name: str, kind: str) -> Family:
    for family in families:
        if family.name == name:
            return family
    known = ", ".join(f.name for f in families) or "none"
    raise KeyError(f"no {kind} family '{name}' (families: {known})")


def member(position: int, families: tuple[Family, ...]) -> tuple[Family, dict[str, object]]:
    """The family holding column or row ``position``, and that member's case ids."""
    starts = [f.start for f in families]
    family = families[int(np.searchsorted(starts, position, side="right")) - 1]
    return family, family.keys.iloc[position - family.start].to_dict()


def _describe(label: str, positions: np.ndarray, families: tuple[Family, ...]) -> list[str]:
    out = []
    for position in positions[:50]:
        family, keys = member(int(position), families)
        out.append(f"{family.name} {keys}: {label}")
    return out
