"""Spending terms: money a column costs in a period, gathered from every family.

A term (t, j, a) says column j costs a per unit in period t. The money rows and
the ``npv`` objective both read the same terms, so each cost is written once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Spending:
    """Arrays of (period, column, amount) spending terms."""

    period: np.ndarray
    column: np.ndarray
    amount: np.ndarray

    @staticmethod
    def join(parts: list[Spending]) -> Spending:
        """All terms of ``parts`` together."""
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return Spending(empty, empty, np.zeros(0))
        return Spending(
            np.concatenate([p.period for p in parts]).astype(np.int64),
            np.concatenate([p.column for p in parts]).astype(np.int64),
            np.concatenate([p.amount for p in parts]).astype(float),
        )
