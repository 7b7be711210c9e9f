"""A portfolio (the projects funded and their levels; starts aside) and its distance
from another, as linear expressions in the choose columns.

With y[p, l] = sum over starts of choose[p, l, start] (1 when p is funded at level l),
the distance of a plan from portfolio P counts the projects whose state differs:

    d(x, P) = sum over p funded in P of (1 - y[p, P(p)])
            + sum over p not in P of sum over l of y[p, l]

A project at another level, dropped or added counts 1. ``distance`` gives d as a
constant and a row of coefficients over the model's columns.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from allocator.formulation import Formulation

Portfolio = dict[str, str]
"""Project id -> the level it is funded at; projects not named are not funded."""


def portfolio_of(formulation: Formulation, x: np.ndarray) -> Portfolio:
    """The portfolio a solution ``x`` funds."""
    chosen = formulation.choices.table[x[formulation.choose] > 0.5]
    return dict(zip(chosen["project"], chosen["level"], strict=True))


def distance(formulation: Formulation, portfolio: Portfolio) -> tuple[float, sp.csr_matrix]:
    """(constant, row): d(x, portfolio) = constant + row @ x (see the module docstring)."""
    table = formulation.choices.table
    project, level = table["project"].to_numpy(), table["level"].to_numpy()
    held = np.array([portfolio.get(p) == lv for p, lv in zip(project, level, strict=True)])
    funded = np.array([p in portfolio for p in project])
    coefficient = np.where(held, -1.0, np.where(funded, 0.0, 1.0))
    keep = coefficient != 0
    n = formulation.model.num_variables
    row = sp.csr_matrix(
        (coefficient[keep], (np.zeros(keep.sum(), dtype=np.int64), formulation.choose[keep])),
        shape=(1, n),
    )
    return float(len(portfolio)), row


def fixing_rows(formulation: Formulation, portfolio: Portfolio) -> tuple[sp.csr_matrix, np.ndarray]:
    """Rows (with equal lower and upper bounds) that fund exactly ``portfolio``: per
    project, the sum of its choose columns at the portfolio's level is 1 (at any other
    level 0); an unfunded project's choose columns add up to 0."""
    table = formulation.choices.table
    projects = list(dict.fromkeys(table["project"]))
    index = {p: i for i, p in enumerate(projects)}
    rows, columns = [], []
    for k, (p, lv) in enumerate(zip(table["project"], table["level"], strict=True)):
        other_level = p in portfolio and portfolio[p] != lv
        rows.append(len(projects) + index[p] if other_level else index[p])
        columns.append(formulation.choose[k])
    n = formulation.model.num_variables
    matrix = sp.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(2 * len(projects), n))
    target = np.array([1.0 if p in portfolio else 0.0 for p in projects] + [0.0] * len(projects))
    return matrix, target
