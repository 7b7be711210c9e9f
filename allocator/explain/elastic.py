"""The elastic model: the same formulation with slack on the limits a plan may break.

Each softened row i gets a slack s_i >= 0 on the side the family names:
    upper side (a <= row):  a_i x - s_i <= u_i        lower side (a >= row):  a_i x + s_i >= l_i
and the elastic model minimises  sum_i w_i s_i  with w_i = tier(family) / scale_i,
scale_i = max(1, |bound_i|, max_j |a_ij|), so a slack is weighed relative to the
size of its row. Each family's tier and side are declared beside its rows
(``RowMeaning.elastic``; tiers in ``formulation.meaning.Tier``, higher: harder to give
up):

| tier  | ``Tier``     | giving it up means (families declaring it today)              |
|-------|--------------|---------------------------------------------------------------|
| 1000  | MUST_FUND    | releasing a must-fund project (one_choice)                    |
| 100   | COMMITMENT   | breaking a contract commitment (take_or_pay,                  |
|       |              | purchase_minimum)                                             |
| 10    | CASH         | less cash than the reserve, or money that is not there (cash) |
| 1     | LIMIT        | more money, earmarked money, capacity, supply or power; a     |
|       |              | share beyond its bound (budget, earmark_funds, capacity, ...) |

Other rows (choices, requires, excludes, balances, blocks) declare no tier and stay
hard: they say what the decisions mean, not what the case asks of them. The slack
columns form the family ``slack`` with the keys of the softened row and its family.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from allocator.formulation.meaning import meaning_of
from allocator.model.linear import Family, LinearModel


@dataclass(frozen=True)
class Elastic:
    """The elastic model and, for each slack column, the row it softens."""

    model: LinearModel
    rows: np.ndarray
    """Row index (in the original model) of each slack column, in column order."""
    sides: np.ndarray
    """+1 where the row's upper bound is softened, -1 where its lower bound is."""
    families: list[str]
    """Family name of each slack column."""
    tiers: np.ndarray
    """Tier of each slack column (``RowMeaning.elastic.tier``)."""

    @property
    def first_slack(self) -> int:
        """Index of the first slack column."""
        return self.model.num_variables - len(self.rows)


def softened_rows(model: LinearModel) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """(row indices, sides +1 upper / -1 lower, family names, tiers) of every softened row:
    the rows of families that declare an elastic side, with a finite bound there."""
    rows, sides, names, tiers = [], [], [], []
    for family in model.constraints:
        meaning = meaning_of(family)
        if meaning is None or meaning.elastic is None:
            continue
        side = meaning.elastic.side
        index = family.index
        bound = model.row_upper[index] if side == "upper" else model.row_lower[index]
        index = index[np.isfinite(bound)]
        rows.append(index)
        sides.append(np.full(index.size, 1 if side == "upper" else -1))
        names += [family.name] * index.size
        tiers.append(np.full(index.size, meaning.elastic.tier))
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, [], np.zeros(0)
    return np.concatenate(rows), np.concatenate(sides), names, np.concatenate(tiers)


def elastic_model(model: LinearModel) -> Elastic:
    """``model`` with a weighted slack on every softened row, minimising total slack."""
    rows, sides, names, tiers = softened_rows(model)
    n, k = model.num_variables, rows.size
    magnitude = abs(model.matrix).max(axis=1).toarray().ravel()
    bound = np.where(sides > 0, model.row_upper[rows], model.row_lower[rows])
    scale = np.maximum.reduce([np.ones(k), np.abs(bound), magnitude[rows]])
    weights = tiers / scale
    slack = sp.csr_matrix(
        (-sides.astype(float), (rows, np.arange(k))), shape=(model.num_constraints, k)
    )
    keys = pd.DataFrame({"family": names, "row": rows})
    family = Family("slack", n, n + k, keys)
    elastic = LinearModel(
        lower=np.concatenate([model.lower, np.zeros(k)]),
        upper=np.concatenate([model.upper, np.full(k, np.inf)]),
        integer=np.concatenate([model.integer, np.zeros(k, dtype=bool)]),
        matrix=sp.hstack([model.matrix, slack], format="csr"),
        row_lower=model.row_lower,
        row_upper=model.row_upper,
        objective=np.concatenate([np.zeros(n), weights]),
        objective_offset=0.0,
        maximize=False,
        variables=(*model.variables, family),
        constraints=model.constraints,
    )
    return Elastic(elastic, rows, sides, names, tiers)
