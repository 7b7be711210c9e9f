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


@dataclass(frozen=True)
class MoneyFlows:
    """Every flow of money in the model, by name, for the money rows, npv and the plan.

    ``costs``: terms that count in the money rows and in npv (project costs,
    project revenue as negative terms, supply payments, interest, guaranteed
    returns). ``financing``: terms in the money rows only (equity, earmarked
    payments, credit draws as negative terms; repayments). ``fixed``: money in by
    period that no decision changes (the budget, base revenue).
    """

    costs: dict[str, Spending]
    financing: dict[str, Spending]
    fixed: dict[str, np.ndarray]

    @property
    def all_costs(self) -> Spending:
        """Every cost term."""
        return Spending.join(list(self.costs.values()))

    @property
    def all_terms(self) -> Spending:
        """Every cost and financing term."""
        return Spending.join([*self.costs.values(), *self.financing.values()])
