"""The elastic model: the same formulation with slack on the limits a plan may break.

Each softened row i gets a slack s_i >= 0 on the side the family names:
    upper side (a <= row):  a_i x - s_i <= u_i        lower side (a >= row):  a_i x + s_i >= l_i
and the elastic model minimises  sum_i w_i s_i  with w_i = tier(family) / scale_i,
scale_i = max(1, |bound_i|, max_j |a_ij|), so a slack is weighed relative to the
size of its row. Tiers (higher: harder to give up):

| tier  | families                                   | giving it up means                 |
|-------|--------------------------------------------|------------------------------------|
| 1000  | one_choice (must-fund rows only)           | releasing a must-fund project      |
| 100   | take_or_pay, purchase_minimum              | breaking a contract commitment     |
| 10    | cash                                       | less cash than the reserve, or     |
|       |                                            | money that is not there            |
| 1     | budget, earmark_funds, capacity,           | more money, earmarked money,       |
|       | buy_capacity, demand, site_power,          | capacity, supply or power; a share |
|       | max_share, min_share                       | beyond its bound                   |

Other rows (choices, requires, excludes, balances, blocks) stay hard: they say what
the decisions mean, not what the case asks of them. The slack columns form the
family ``slack`` with the keys of the softened row and its family.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from allocator.model.linear import Family, LinearModel

TIERS: dict[str, tuple[float, str]] = {
    "one_choice": (1000.0, "lower"),
    "take_or_pay": (100.0, "lower"),
    "purchase_minimum": (100.0, "lower"),
    "cash": (10.0, "upper"),
    "budget": (1.0, "upper"),
    "earmark_funds": (1.0, "upper"),
    "capacity": (1.0, "upper"),
    "buy_capacity": (1.0, "upper"),
    "demand": (1.0, "lower"),
    "site_power": (1.0, "upper"),
    "max_share": (1.0, "upper"),
    "min_share": (1.0, "lower"),
}
"""Family -> (tier, the side its rows are softened on)."""


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

    @property
    def first_slack(self) -> int:
        """Index of the first slack column."""
        return self.model.num_variables - len(self.rows)


def softened_rows(model: LinearModel) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(row indices, sides +1 upper / -1 lower, family names) of every softened row."""
    rows, sides, names = [], [], []
    for family in model.constraints:
        if family.name not in TIERS:
            continue
        _, side = TIERS[family.name]
        index = np.arange(family.start, family.stop)
        bound = model.row_upper[index] if side == "upper" else model.row_lower[index]
        index = index[np.isfinite(bound)]
        rows.append(index)
        sides.append(np.full(index.size, 1 if side == "upper" else -1))
        names += [family.name] * index.size
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), []
    return np.concatenate(rows), np.concatenate(sides), names


def elastic_model(model: LinearModel) -> Elastic:
    """``model`` with a weighted slack on every softened row, minimising total slack."""
    rows, sides, names = softened_rows(model)
    n, k = model.num_variables, rows.size
    magnitude = abs(model.matrix).max(axis=1).toarray().ravel()
    bound = np.where(sides > 0, model.row_upper[rows], model.row_lower[rows])
    scale = np.maximum.reduce([np.ones(k), np.abs(bound), magnitude[rows]])
    weights = np.array([TIERS[name][0] for name in names]) / scale
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
    return Elastic(elastic, rows, sides, names)
