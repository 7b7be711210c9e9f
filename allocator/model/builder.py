"""Building a ``LinearModel`` family by family, from arrays (no Python loop per term)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from allocator.model.linear import Family, LinearModel

ArrayLike = float | Sequence[float] | np.ndarray


@dataclass(frozen=True)
class Terms:
    """A block of row terms: coefficient[i] * x[columns[i]] on the family-local row rows[i].

    A scalar coefficient holds for every term of the block.
    """

    rows: ArrayLike
    columns: ArrayLike
    coefficients: ArrayLike = 1.0

    @classmethod
    def each(cls, columns: ArrayLike, coefficients: ArrayLike = 1.0) -> Terms:
        """Row i holds columns[i] (with coefficients[i]): one term on every row, in order."""
        columns = np.asarray(columns, dtype=np.int64)
        return cls(np.arange(columns.shape[0], dtype=np.int64), columns, coefficients)


class ModelBuilder:
    """Collects column families, row families and objective terms, then builds the model.

    Each ``add_*`` call takes whole arrays: one call per family, never one per
    coefficient. Row terms come in blocks (``Terms``) of (local row, column,
    coefficient) triples; terms on the same row and column are added together.
    """

    def __init__(self, maximize: bool = True) -> None:
        self.maximize = maximize
        self._columns: list[tuple[Family, np.ndarray, np.ndarray, np.ndarray]] = []
        self._rows: list[
            tuple[Family, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
        ] = []
        self._objective: list[tuple[np.ndarray, np.ndarray]] = []
        self._offset = 0.0
        self._num_columns = 0
        self._num_rows = 0
        self._names: set[str] = set()

    def add_variables(
        self,
        name: str,
        keys: pd.DataFrame,
        lower: ArrayLike = 0.0,
        upper: ArrayLike = np.inf,
        integer: bool | np.ndarray = False,
    ) -> np.ndarray:
        """Add one column per row of ``keys``; return their column indices."""
        family = self._family(name, self._num_columns, keys)
        size = family.size
        low, high = _bounds(lower, upper, size, name)
        flags = np.broadcast_to(np.asarray(integer, dtype=bool), (size,)).copy()
        self._columns.append((family, low, high, flags))
        self._num_columns = family.stop
        return family.index

    def add_rows(
        self,
        name: str,
        keys: pd.DataFrame,
        rows: ArrayLike | None = None,
        columns: ArrayLike | None = None,
        coefficients: ArrayLike = 1.0,
        lower: ArrayLike = -np.inf,
        upper: ArrayLike = np.inf,
        *,
        terms: Sequence[Terms] = (),
        meaning: object = None,
    ) -> Family:
        """Add one row per row of ``keys``: lower <= sum of its terms <= upper.

        The terms come as blocks (``terms``); ``rows``, ``columns`` and
        ``coefficients`` are one more block, for a family that has only one.
        ``meaning`` is kept on the family for readers outside the model (the
        formulation's ``RowMeaning``); the model never reads it.
        """
        family = self._family(name, self._num_rows, keys, meaning)
        size = family.size
        blocks = list(terms)
        if rows is not None or columns is not None:
            blocks.append(Terms(_indices(rows), _indices(columns), coefficients))
        local = _joined([_indices(b.rows) for b in blocks], np.int64)
        columns = _joined([_indices(b.columns) for b in blocks], np.int64)
        lengths = [_indices(b.rows).shape[0] for b in blocks]
        if any(_indices(b.columns).shape[0] != n for b, n in zip(blocks, lengths, strict=True)):
            given = sum(_indices(b.columns).shape[0] for b in blocks)
            raise ValueError(f"{name}: {local.shape[0]} row indices but {given} columns")
        values = _joined(
            [
                _full(b.coefficients, n, f"{name}: coefficients")
                for b, n in zip(blocks, lengths, strict=True)
            ],
            float,
        )
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{name}: coefficients must be finite numbers")
        low, high = _bounds(lower, upper, size, name)
        if local.size and (local.min() < 0 or local.max() >= size):
            raise ValueError(f"{name}: a term names a row outside 0..{size - 1}")
        placed = _placed(local, family.start, family.stop)
        self._rows.append((family, placed, _compact(columns), values, low, high))
        self._num_rows = family.stop
        return family

    def add_objective(self, columns: np.ndarray, coefficients: ArrayLike) -> None:
        """Add coefficient * x[column] to the objective for each pair (repeats add up)."""
        columns = np.asarray(columns, dtype=np.int64)
        values = _full(coefficients, columns.shape[0], "objective")
        if not np.all(np.isfinite(values)):
            raise ValueError("objective coefficients must be finite numbers")
        self._objective.append((columns, values))

    def add_objective_offset(self, value: float) -> None:
        """Add a constant to the objective."""
        self._offset += float(value)

    def build(self) -> LinearModel:
        """The model: all families concatenated, the matrix in CSR form. The row terms
        are handed over as they are copied, so building leaves the builder without them
        (it builds once)."""
        n, m = self._num_columns, self._num_rows
        lower = _concat([c[1] for c in self._columns])
        upper = _concat([c[2] for c in self._columns])
        integer = (
            np.concatenate([c[3] for c in self._columns])
            if self._columns
            else np.zeros(0, dtype=bool)
        )
        matrix = self._matrix(m, n)
        objective = np.zeros(n)
        for columns, coefficients in self._objective:
            np.add.at(objective, columns, coefficients)
        return LinearModel(
            lower=lower,
            upper=upper,
            integer=integer,
            matrix=matrix,
            row_lower=_concat([r[4] for r in self._rows]),
            row_upper=_concat([r[5] for r in self._rows]),
            objective=objective,
            objective_offset=self._offset,
            maximize=self.maximize,
            variables=tuple(c[0] for c in self._columns),
            constraints=tuple(r[0] for r in self._rows),
        )

    def _matrix(self, m: int, n: int) -> sp.csr_matrix:
        """The m x n matrix of every row term (repeats added up), in CSR form.

        Memory: the terms are moved family by family into one (row, column, value)
        triplet of 16 bytes a term (32-bit indices), each family's own arrays dropped once
        copied; then CSC (12 bytes a term) and CSR. Concatenating 64-bit copies of every
        family's terms while keeping them took the formulation of 100,000 projects to
        its peak. Through CSC: its columns are short, so putting each in order is cheap,
        and the conversion to CSR leaves every row in order too (sorting the long rows of
        a CSR matrix directly, a budget row holding a term per choice, took 2.5 times as
        long at 100,000 projects).
        """
        total = sum(r[2].shape[0] for r in self._rows)
        rows = np.empty(total, dtype=_index_type(m))
        cols = np.empty(total, dtype=_index_type(n))
        data = np.empty(total)
        at = 0
        for k, (family, placed, columns, values, low, high) in enumerate(self._rows):
            size = columns.shape[0]
            if size and (columns.min() < 0 or columns.max() >= n):
                raise ValueError(f"{family.name}: a row term names a column outside 0..{n - 1}")
            rows[at : at + size], cols[at : at + size] = placed, columns
            data[at : at + size] = values
            self._rows[k] = (family, _EMPTY, _EMPTY, _EMPTY, low, high)
            at += size
        by_column = sp.csc_matrix((data, (rows, cols)), shape=(m, n))
        del rows, cols, data
        by_column.sum_duplicates()
        return by_column.tocsr()

    def _family(self, name: str, start: int, keys: pd.DataFrame, meaning: object = None) -> Family:
        if name in self._names:
            raise ValueError(f"a family named '{name}' already exists")
        self._names.add(name)
        return Family(name, start, start + len(keys), keys.reset_index(drop=True), meaning)


def _bounds(
    lower: ArrayLike, upper: ArrayLike, size: int, name: str
) -> tuple[np.ndarray, np.ndarray]:
    """Bounds as arrays: no NaN, lower < +inf, upper > -inf, lower <= upper."""
    low, high = _full(lower, size, f"{name}: lower"), _full(upper, size, f"{name}: upper")
    if np.isnan(low).any() or np.isnan(high).any():
        raise ValueError(f"{name}: a bound is not a number")
    if (low == np.inf).any() or (high == -np.inf).any():
        raise ValueError(f"{name}: a lower bound of +inf or an upper bound of -inf")
    if (low > high).any():
        raise ValueError(f"{name}: a lower bound above its upper bound")
    return low, high


def _full(value: ArrayLike, size: int, what: str) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return np.full(size, float(array))
    if array.shape != (size,):
        raise ValueError(f"{what}: expected {size} values, got {array.shape[0]}")
    return array.copy()


def _indices(value: ArrayLike | None) -> np.ndarray:
    return np.zeros(0, dtype=np.int64) if value is None else np.asarray(value, dtype=np.int64)


_EMPTY = np.zeros(0, dtype=np.int32)

INT32_LIMIT = np.iinfo(np.int32).max


def _index_type(size: int) -> type:
    """32-bit indices for up to ``INT32_LIMIT`` rows or columns, 64-bit beyond."""
    return np.int32 if size <= INT32_LIMIT else np.int64


def _compact(indices: np.ndarray) -> np.ndarray:
    """``indices`` as 32-bit integers when every one fits (half the memory of 64)."""
    if indices.size == 0 or (indices.min() >= 0 and indices.max() <= INT32_LIMIT):
        return indices.astype(np.int32)
    return indices


def _placed(local: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Family-local row indices moved to ``start``: one 32-bit copy when ``stop`` fits."""
    if stop > INT32_LIMIT:
        return local + start
    placed = local.astype(np.int32)
    placed += start
    return placed


def _joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    """``parts`` as one array of ``dtype``; a single part is not copied again."""
    if len(parts) == 1:
        return parts[0].astype(dtype, copy=False)
    return _concat(parts, dtype)


def _concat(parts: list[np.ndarray], dtype: type = float) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)
