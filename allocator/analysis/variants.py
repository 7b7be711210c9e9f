"""Variants of one formulation's model: the same columns and rows with other bounds.

force_out(p):        choose[c] <= 0 for every choice c of project p
force_in(p, level):  sum over c of p of choose[c] >= 1 (its one_choice row), and
                     choose[c] <= 0 for the choices of p at other levels
fix_integers(x):     lower = upper = round(x[j]) for every integer column j, all
                     columns continuous: the LP of the plan's portfolio and contracts
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from allocator.formulation import Formulation
from allocator.model.linear import LinearModel


def _project_columns(formulation: Formulation, project: str) -> tuple[int, np.ndarray]:
    table = formulation.choices.table
    mine = np.flatnonzero(table["project"].to_numpy() == project)
    if not mine.size:
        raise KeyError(f"no project named '{project}'")
    return int(table["p"].iloc[mine[0]]), mine


def force_out(formulation: Formulation, model: LinearModel, project: str) -> LinearModel:
    """``model`` with ``project`` left out."""
    _, mine = _project_columns(formulation, project)
    upper = model.upper.copy()
    upper[formulation.choose[mine]] = 0.0
    return replace(model, upper=upper)


def force_in(formulation: Formulation, model: LinearModel, project: str, level: str) -> LinearModel:
    """``model`` with ``project`` funded at ``level`` (any start of its window)."""
    p, mine = _project_columns(formulation, project)
    levels = formulation.choices.table["level"].to_numpy()[mine]
    if level not in set(levels):
        raise KeyError(f"project '{project}' has no level '{level}'")
    upper = model.upper.copy()
    upper[formulation.choose[mine[levels != level]]] = 0.0
    row_lower = model.row_lower.copy()
    row_lower[model.constraint_family("one_choice").start + p] = 1.0
    return replace(model, upper=upper, row_lower=row_lower)


def fix_integers(model: LinearModel, values: np.ndarray) -> LinearModel:
    """``model`` with every integer column fixed at its rounded value in ``values``."""
    fixed = np.round(values[model.integer])
    lower, upper = model.lower.copy(), model.upper.copy()
    lower[model.integer] = fixed
    upper[model.integer] = fixed
    return replace(model, lower=lower, upper=upper, integer=np.zeros_like(model.integer))
