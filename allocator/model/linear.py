"""A mixed-integer linear program held as arrays, with every column and row traceable.

    maximise (or minimise)  c @ x + c0
    subject to              row_lower <= A @ x <= row_upper
                            lower <= x <= upper,  x[j] integer where integer[j]

Columns and rows come in named families (``choose``, ``take_or_pay``, ...); each
family keeps a table of the case ids its members came from, so a solution or a
binding row can be described in the case's own words.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

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
    meaning: object = field(default=None, compare=False, repr=False)
    """What the family means outside the model (the formulation's ``RowMeaning`` for
    rows); the model itself never reads it."""

    @property
    def size(self) -> int:
        """How many columns or rows the family holds."""
        return self.stop - self.start

    @property
    def index(self) -> np.ndarray:
        """The positions of the family's members in the model: start .. stop - 1."""
        return np.arange(self.start, self.stop, dtype=np.int64)

    @property
    def slice(self) -> slice:
        """The family's members as a slice of the model's columns or rows."""
        return slice(self.start, self.stop)

    def take(self, values: np.ndarray, column: str = "value") -> pd.DataFrame:
        """The family's keys with its slice of ``values`` beside them."""
        table = self.keys.reset_index(drop=True).copy()
        table[column] = values[self.start : self.stop]
        return table


class Handles(Mapping[str, Family]):
    """The families of a model's columns (or rows) by name: where each one's members are
    and the case ids of each member. A family the case has no members of is absent."""

    def __init__(self, families: tuple[Family, ...]) -> None:
        self._by_name = {family.name: family for family in families}

    def __getitem__(self, name: str) -> Family:
        if name not in self._by_name:
            known = ", ".join(self._by_name) or "none"
            raise KeyError(f"no family '{name}' (families: {known})")
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def take(self, name: str, values: np.ndarray, column: str = "value") -> pd.DataFrame | None:
        """The family's keys with its slice of ``values`` beside them; None if absent."""
        family = self._by_name.get(name)
        return None if family is None else family.take(values, column)


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

    @property
    def columns(self) -> Handles:
        """The column families by name."""
        return Handles(self.variables)

    @property
    def rows(self) -> Handles:
        """The row families by name."""
        return Handles(self.constraints)

    def variable_family(self, name: str) -> Family:
        """The column family called ``name``."""
        return _named(self.variables, name, "variable")

    def constraint_family(self, name: str) -> Family:
        """The row family called ``name``."""
        return _named(self.constraints, name, "constraint")

    def row_activity(self, x: np.ndarray) -> np.ndarray:
        """A @ x: what every row adds up to for column values ``x``."""
        return self.matrix @ x

    def row_magnitude(self, x: np.ndarray) -> np.ndarray:
        """|A| @ |x|: the size of the numbers every row adds up, the scale at which a
        row is judged to hold or to bind."""
        return abs(self.matrix) @ np.abs(x)

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
        activity = self.row_activity(x)
        magnitude = self.row_magnitude(x)
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
