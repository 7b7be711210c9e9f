"""The extensive form: one copy of the formulation per future, tied by one first stage.

Each future f (weight w_f, its own case) is formulated by the same formulation code as
a solve: columns x_f, rows A_f x_f in [l_f, u_f], objective c_f x_f + c0_f. The copies
are stacked block-diagonally. The first stage (``stages.first_stage``) is a column v_k
for every first-stage key k (a supply option's signing, a purchase or a credit draw up
to the committed period, an optional source taken, a project's start up to it), tied
to each future's copy of it:

    x_f[k] - v_k = 0                      for every future f that has k
    v_k = 0                               when some future has no column k (a start or
                                          a purchase one future does not offer)

The objective, with risk aversion lambda and tail alpha (Rockafellar-Uryasev):

    maximise (1 - lambda) sum_f w_f (c_f x_f + c0_f) + lambda (eta - (1/alpha) sum_f w_f s_f)
    s_f >= eta - (c_f x_f + c0_f),  s_f >= 0,  eta free

so that at the optimum eta - (1/alpha) sum_f w_f s_f is CVaR_alpha, the mean objective
of the worst alpha share of the futures' weight.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from allocator.case.model import Case
from allocator.formulation import Formulation
from allocator.hedging.stages import first_stage
from allocator.model.linear import Family, LinearModel


@dataclass(frozen=True)
class Future:
    """One future: the draw's number, weight and values, its case and its formulation."""

    index: int
    weight: float
    values: dict[str, Any]
    case: Case
    formulation: Formulation


@dataclass(frozen=True)
class Extensive:
    """The stacked model and where each part of it is.

    ``offsets[i]``: the first column of future i's copy; ``first``: the first-stage
    columns (family, key, column of v_k, and ``members``: {future position: column of
    x_f[k] in its own formulation}); ``eta`` and ``shortfall``: the CVaR columns (None
    without risk aversion).
    """

    model: LinearModel
    futures: list[Future]
    offsets: list[int]
    first: pd.DataFrame
    eta: int | None
    shortfall: np.ndarray | None


def extensive_form(
    futures: list[Future], commit: int, risk_aversion: float = 0.0, alpha: float = 0.1
) -> Extensive:
    """The extensive form of ``futures`` (see the module docstring)."""
    models = [f.formulation.model for f in futures]
    offsets = list(np.cumsum([0, *[m.num_variables for m in models[:-1]]]))
    first = first_stage_columns(futures, commit)
    n_futures = sum(m.num_variables for m in models)
    k = len(first)
    cvar = risk_aversion > 0
    lam = risk_aversion
    # columns: futures' copies, then v_k, then (with CVaR) eta and s_f
    weights = np.array([f.weight for f in futures])
    objective = np.concatenate(
        [(1 - lam) * w * m.objective for w, m in zip(weights, models, strict=True)]
        + [np.zeros(k)]
        + ([np.array([lam]), -lam / alpha * weights] if cvar else [])
    )
    lower, upper, integer = _first_bounds(first, futures, models)
    columns = {
        "lower": [m.lower for m in models] + [lower],
        "upper": [m.upper for m in models] + [upper],
        "integer": [m.integer for m in models] + [integer],
    }
    if cvar:
        columns["lower"] += [np.array([-np.inf]), np.zeros(len(futures))]
        columns["upper"] += [np.array([np.inf]), np.full(len(futures), np.inf)]
        columns["integer"] += [np.zeros(1 + len(futures), dtype=bool)]
    width = n_futures + k + (1 + len(futures) if cvar else 0)
    blocks, row_lower, row_upper = _rows(futures, models, offsets, first, n_futures, width, cvar)
    variables, constraints = _families(futures, models, offsets, first, n_futures, cvar)
    model = LinearModel(
        lower=np.concatenate(columns["lower"]),
        upper=np.concatenate(columns["upper"]),
        integer=np.concatenate(columns["integer"]),
        matrix=sp.vstack(blocks, format="csr"),
        row_lower=row_lower,
        row_upper=row_upper,
        objective=objective,
        objective_offset=float(
            (1 - lam) * sum(w * m.objective_offset for w, m in zip(weights, models, strict=True))
        ),
        maximize=True,
        variables=variables,
        constraints=constraints,
    )
    first = first.assign(column=n_futures + np.arange(k))
    eta = n_futures + k if cvar else None
    shortfall = n_futures + k + 1 + np.arange(len(futures)) if cvar else None
    return Extensive(model, futures, offsets, first, eta, shortfall)


def first_stage_columns(futures: list[Future], commit: int) -> pd.DataFrame:
    """Every first-stage key of any future, with each future's column of it."""
    members: dict[tuple[str, tuple], dict[int, int]] = {}
    for position, future in enumerate(futures):
        table = first_stage(future.case, future.formulation, commit)
        for family, key, column in table.itertuples(index=False, name=None):
            members.setdefault((family, key), {})[position] = int(column)
    return pd.DataFrame(
        {
            "family": [family for family, _ in members],
            "key": [key for _, key in members],
            "members": list(members.values()),
        }
    )


def _first_bounds(
    first: pd.DataFrame, futures: list[Future], models: list[LinearModel]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """v_k within every future's bounds of its copy; 0 when a future has no copy."""
    k = len(first)
    lower, upper = np.full(k, -np.inf), np.full(k, np.inf)
    integer = np.zeros(k, dtype=bool)
    for i, members in enumerate(first["members"]):
        if len(members) < len(futures):
            lower[i] = upper[i] = 0.0
            continue
        lower[i] = max(models[f].lower[c] for f, c in members.items())
        upper[i] = min(models[f].upper[c] for f, c in members.items())
        integer[i] = any(models[f].integer[c] for f, c in members.items())
    return lower, np.maximum(upper, lower), integer


def _rows(
    futures: list[Future],
    models: list[LinearModel],
    offsets: list[int],
    first: pd.DataFrame,
    n_futures: int,
    width: int,
    cvar: bool,
) -> tuple[list[sp.csr_matrix], np.ndarray, np.ndarray]:
    """The futures' rows (block-diagonal), the ties x_f[k] - v_k = 0, and the CVaR rows."""
    diagonal = sp.block_diag([m.matrix for m in models], format="csr")
    blocks = [sp.hstack([diagonal, sp.csr_matrix((diagonal.shape[0], width - n_futures))])]
    lowers = [np.concatenate([m.row_lower for m in models])]
    uppers = [np.concatenate([m.row_upper for m in models])]
    ties = [
        (offsets[f] + c, n_futures + i)
        for i, members in enumerate(first["members"])
        for f, c in members.items()
    ]
    if ties:
        rows = np.repeat(np.arange(len(ties)), 2)
        cols = np.array([c for pair in ties for c in pair])
        values = np.tile([1.0, -1.0], len(ties))
        blocks.append(sp.csr_matrix((values, (rows, cols)), shape=(len(ties), width)))
        lowers.append(np.zeros(len(ties)))
        uppers.append(np.zeros(len(ties)))
    if cvar:
        eta = n_futures + len(first)
        parts = []
        for f, model in enumerate(models):
            row = sp.lil_matrix((1, width))
            row[0, offsets[f] : offsets[f] + model.num_variables] = model.objective
            row[0, eta] = -1.0
            row[0, eta + 1 + f] = 1.0
            parts.append(row.tocsr())
        blocks.append(sp.vstack(parts, format="csr"))
        lowers.append(np.array([-m.objective_offset for m in models]))
        uppers.append(np.full(len(models), np.inf))
    return blocks, np.concatenate(lowers), np.concatenate(uppers)


def _families(
    futures: list[Future],
    models: list[LinearModel],
    offsets: list[int],
    first: pd.DataFrame,
    n_futures: int,
    cvar: bool,
) -> tuple[tuple[Family, ...], tuple[Family, ...]]:
    """Each future's families under ``name@future``, then the first stage's and CVaR's."""
    variables: list[Family] = []
    constraints: list[Family] = []
    row_offset = 0
    for future, model, offset in zip(futures, models, offsets, strict=True):
        tag = f"@{future.index}"
        variables += [_moved(f, tag, offset) for f in model.variables]
        constraints += [_moved(f, tag, row_offset) for f in model.constraints]
        row_offset += model.num_constraints
    keys = pd.DataFrame({"family": first["family"], "key": first["key"].map(str)})
    k = len(first)
    variables.append(Family("first_stage", n_futures, n_futures + k, keys))
    ties = sum(len(m) for m in first["members"])
    constraints.append(
        Family("non_anticipativity", row_offset, row_offset + ties, pd.DataFrame(index=range(ties)))
    )
    if cvar:
        variables.append(
            Family("cvar_threshold", n_futures + k, n_futures + k + 1, pd.DataFrame(index=[0]))
        )
        variables.append(
            Family(
                "cvar_shortfall",
                n_futures + k + 1,
                n_futures + k + 1 + len(futures),
                pd.DataFrame({"future": [f.index for f in futures]}),
            )
        )
        start = row_offset + ties
        constraints.append(
            Family(
                "cvar_shortfall",
                start,
                start + len(futures),
                pd.DataFrame({"future": [f.index for f in futures]}),
            )
        )
    return tuple(variables), tuple(constraints)


def _moved(family: Family, tag: str, offset: int) -> Family:
    return replace(
        family, name=family.name + tag, start=family.start + offset, stop=family.stop + offset
    )


def cvar_of(objectives: np.ndarray, weights: np.ndarray, alpha: float) -> float:
    """The mean objective of the worst ``alpha`` share of the weight (the lowest values),
    splitting the future at the boundary: what the Rockafellar-Uryasev form attains."""
    order = np.argsort(objectives, kind="stable")
    values, mass = objectives[order], weights[order] / weights.sum()
    taken = np.minimum(mass, np.maximum(0.0, alpha - (np.cumsum(mass) - mass)))
    return float(values @ taken / alpha)
