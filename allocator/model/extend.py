"""Rows and columns added to a built model, for the analyses that search around a plan
(a band on the objective, cuts against portfolios found, a distance to maximise).

Added rows and columns go after the model's own, in families of their own, so the
model's columns keep their positions: a solution of the extended model, cut to the
model's columns, is a solution of the model (when the added rows are kept).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from allocator.model.linear import Family, LinearModel


def with_rows(
    model: LinearModel,
    name: str,
    keys: pd.DataFrame,
    matrix: sp.spmatrix,
    lower: np.ndarray | float,
    upper: np.ndarray | float,
) -> LinearModel:
    """``model`` with the rows ``lower <= matrix @ x <= upper`` added as the family
    ``name`` (one row per row of ``keys``; ``matrix`` has a column per model column)."""
    size = len(keys)
    block = sp.csr_matrix(matrix)
    if block.shape != (size, model.num_variables):
        raise ValueError(f"{name}: a {block.shape} block for {size} rows x {model.num_variables}")
    start = model.num_constraints
    family = Family(name, start, start + size, keys.reset_index(drop=True))
    return replace(
        model,
        matrix=sp.vstack([model.matrix, block], format="csr"),
        row_lower=np.concatenate([model.row_lower, np.broadcast_to(lower, size)]),
        row_upper=np.concatenate([model.row_upper, np.broadcast_to(upper, size)]),
        constraints=(*model.constraints, family),
    )


def with_columns(
    model: LinearModel,
    name: str,
    keys: pd.DataFrame,
    lower: np.ndarray | float,
    upper: np.ndarray | float,
    integer: bool = False,
) -> LinearModel:
    """``model`` with a column per row of ``keys`` (the family ``name``), in no row and
    with no objective coefficient; they take positions ``num_variables`` onwards."""
    n, size = model.num_variables, len(keys)
    family = Family(name, n, n + size, keys.reset_index(drop=True))
    return replace(
        model,
        lower=np.concatenate([model.lower, np.broadcast_to(lower, size)]),
        upper=np.concatenate([model.upper, np.broadcast_to(upper, size)]),
        integer=np.concatenate([model.integer, np.full(size, integer)]),
        matrix=sp.hstack([model.matrix, sp.csr_matrix((model.num_constraints, size))], "csr"),
        objective=np.concatenate([model.objective, np.zeros(size)]),
        variables=(*model.variables, family),
    )


def with_column(
    model: LinearModel, name: str, lower: float, upper: float, integer: bool = False
) -> tuple[LinearModel, int]:
    """``model`` with one more column (the family ``name``), in no row and with no
    objective coefficient; and its position."""
    keys = pd.DataFrame({"column": [name]})
    return with_columns(model, name, keys, lower, upper, integer), model.num_variables
