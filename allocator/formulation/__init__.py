"""The formulation: the case as one solver-neutral model, family by family (DESIGN §4).

Written once; every backend translates the same ``LinearModel``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocator.case.model import Case
from allocator.formulation.budget import add_budget
from allocator.formulation.choices import Choices, build_choices
from allocator.formulation.choose import add_choose
from allocator.formulation.objective import add_objective
from allocator.formulation.policies import add_excludes, add_requires
from allocator.model.builder import ModelBuilder
from allocator.model.linear import LinearModel


class FormulationError(ValueError):
    """The case uses something the model cannot express yet; nothing is solved."""


@dataclass(frozen=True)
class Formulation:
    """The model and the index that maps its choose columns back to the case."""

    model: LinearModel
    choices: Choices
    choose: np.ndarray


def formulate(case: Case) -> Formulation:
    """Build the model of ``case``; refuse (never ignore) parts not yet modelled."""
    unsupported = unmodelled_parts(case)
    if unsupported:
        raise FormulationError(
            "the model does not yet cover: " + "; ".join(unsupported) + ". Nothing was solved."
        )
    builder = ModelBuilder(maximize=True)
    choices = build_choices(case)
    choose = add_choose(builder, case, choices)
    add_requires(builder, case, choices, choose)
    add_excludes(builder, case, choices, choose)
    add_budget(builder, case, choices, choose)
    add_objective(builder, case, choices, choose)
    return Formulation(builder.build(), choices, choose)


def unmodelled_parts(case: Case) -> list[str]:
    """The parts of ``case`` the formulation cannot express yet, in the case's words."""
    parts = {
        "capacity (resources, supply, sites and project demand)": bool(
            case.supply
            or case.sites
            or any(level.demand for p in case.projects for level in p.all_levels)
        ),
        "funding sources": bool(case.funding),
        "base revenue": case.revenue is not None,
        "project revenue as cash": any(
            level.revenue for p in case.projects for level in p.all_levels
        ),
        "category shares": bool(case.max_share or case.min_share),
    }
    return [name for name, present in parts.items() if present]
