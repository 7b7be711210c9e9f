"""Bracketing a variant's optimum without solving it: a proven bound and a plan found cheaply.

A variant of a base model has the same rows and columns with other bounds (a project
forced out or in: ``allocator.analysis.variants``), so every plan of the variant is a
plan of the base. For a maximisation, with y the base LP relaxation's row prices
(tightened along each family of rows that share no column, as
``allocator.decompose.bound`` does):

    bound_v = min(L_v(y_v), B)

where L_v is the variant's Lagrangian bound (``allocator.model.dual_bound``) at y with
the multipliers of those row families set again where the variant's bound is least,
and B is the base's proven bound (the variant only restricts the base). A row that no
values within the variant's column bounds can keep makes the variant infeasible:
bound_v = -inf. For a minimisation the same holds with max and +inf. A variant for
which no plan is found (below) and whose LP relaxation has none is infeasible too.

    plan_v = the objective of one plan of the variant, found without a search: each
             project keeps its base choice where the variant still allows it, or takes
             its best choice at prices y where the variant forces it in. The variant's
             LP relaxation with those choices held, every other project free to enter
             (no project switches its base choice) and the other integer decisions
             (contracts signed, blocks bought) as in the base plan, says which projects
             to add: the choices it takes whole. Where a project is forced in, or
             holding every base choice leaves no plan, the base choices are free to drop
             too, and only those the LP keeps whole stay. Then the variant with exactly
             those choices is solved for the rest (contracts, blocks) by ``SOLVER``; if
             that has no plan after additions, the same without them.

So the variant's optimum lies between plan_v and bound_v. Each step solves an LP or a
small MIP of the base's size, not a search of the variant's choices.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from allocator.backends.highs_backend import HighsBackend, Resolver
from allocator.backends.options import SolveOptions
from allocator.backends.termination import SolveResult, SolveStatus
from allocator.decompose.bound import TIGHTEN_ROUNDS
from allocator.decompose.part_solve import relaxation
from allocator.formulation import Formulation
from allocator.model.dual_bound import (
    disjoint_families,
    implied_bounds,
    lagrangian_bound,
    reduced_costs,
    tighten_all,
)
from allocator.model.linear import Family, LinearModel

SOLVER = HighsBackend.name
"""The backend of every screening solve: the base's LP relaxation (``relaxation``, on
``PRICE_BACKEND``, the same) and the variants' LPs and fixed-choice MIPs (``Resolver``)."""

KEPT = 1.0 - 1e-6
"""A choice the keep-or-drop LP holds at this or more is kept."""

ROW_TOLERANCE = 1e-7
"""A row is out of reach when its reachable activity misses a limit by more than this
(relative to the limit, at least absolute)."""


@dataclass(frozen=True)
class Bracket:
    """Where a variant's optimum lies: ``bound`` is proven (None when no finite bound was
    found), ``plan`` is the objective of a plan of the variant (None if none was found);
    ``infeasible``: the bound proves the variant has no plan."""

    plan: float | None
    bound: float | None
    infeasible: bool = False


@dataclass(frozen=True)
class Screen:
    """What brackets every variant of one base: the base model and plan, and its prices."""

    model: LinearModel
    choose: np.ndarray
    """The model's column of each project choice."""
    project_of: np.ndarray
    """The project (its position) of each choice."""
    taken: np.ndarray
    """Whether the base plan takes each choice."""
    others: np.ndarray
    """The integer columns that are not project choices (contracts signed, blocks)."""
    others_at: np.ndarray
    """Their values in the base plan."""
    prices: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    families: tuple[Family, ...]
    base_bound: float | None
    gap: float
    _held: dict[int, tuple[Resolver, Resolver]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    """This screen's HiGHS pair, by process: made on first use, never pickled (a copy
    sent to a worker makes its own)."""

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without its HiGHS pair."""
        return {**self.__dict__, "_held": {}}

    @classmethod
    def of(
        cls, formulation: Formulation, values: np.ndarray, bound: float | None, gap: float
    ) -> Screen:
        """The screen of the base plan ``values`` of ``formulation`` (its proven ``bound``),
        with the base's LP relaxation solved for its prices; fixed-choice MIPs stop at
        ``gap``."""
        model = formulation.model
        solved = relaxation(model, SolveOptions())
        if solved.duals is None:
            raise ValueError(
                "the base case's LP relaxation gave no row prices "
                f"({solved.termination.status.value}: {solved.termination.message})"
            )
        lower, upper = implied_bounds(model)
        families = tuple(disjoint_families(model))
        y = tighten_all(model, solved.duals, families, lower, upper, TIGHTEN_ROUNDS)
        choose = formulation.choose
        others = np.flatnonzero(model.integer)
        others = others[~np.isin(others, choose)]
        return cls(
            model=model,
            choose=choose,
            project_of=formulation.choices.table["p"].to_numpy(),
            taken=values[choose] > 0.5,
            others=others,
            others_at=np.round(values[others]),
            prices=y,
            lower=lower,
            upper=upper,
            families=families,
            base_bound=bound,
            gap=gap,
        )

    def bracket(self, variant: LinearModel) -> Bracket:
        """The bound and a plan's objective of ``variant`` (module docstring)."""
        bound = self.bound(variant)
        if bound == (-np.inf if variant.maximize else np.inf):
            return Bracket(None, None, infeasible=True)
        found = self.found(variant)
        if found is None and self._relaxation_infeasible(variant):
            return Bracket(None, None, infeasible=True)
        plan = None if found is None else found.termination.objective
        return Bracket(plan, bound if np.isfinite(bound) else None)

    def _relaxation_infeasible(self, variant: LinearModel) -> bool:
        """Whether the variant's LP relaxation proves it has no plan (asked only when no
        plan was found: a project forced in whose start no project it requires can
        precede, say)."""
        relaxed = replace(variant, integer=np.zeros_like(variant.integer))
        solved = self._resolvers()[0].solve(relaxed, SolveOptions())
        return solved.termination.status is SolveStatus.INFEASIBLE

    def bound(self, variant: LinearModel) -> float:
        """bound_v of the module docstring."""
        lower = np.maximum(self.lower, variant.lower)
        upper = np.minimum(self.upper, variant.upper)
        worst = -np.inf if variant.maximize else np.inf
        if (lower > upper).any() or _out_of_reach(variant, lower, upper):
            return worst
        y = tighten_all(variant, self.prices, self.families, lower, upper)
        found = lagrangian_bound(variant, y, lower, upper)
        if self.base_bound is None or not np.isfinite(found):
            return found
        return min(found, self.base_bound) if variant.maximize else max(found, self.base_bound)

    def found(self, variant: LinearModel) -> SolveResult | None:
        """The plan of plan_v (module docstring) as its solver gave it; None if none was
        found."""
        allowed = variant.upper[self.choose] > 0.5
        kept = self.taken & allowed
        picked = self._forced_picks(variant, kept, allowed)
        settled = np.bincount(self.project_of, kept | picked, minlength=self.project_of.max() + 1)
        refill = allowed & (settled[self.project_of] == 0)
        held = kept | picked
        # every base choice kept, unless a project forced in must make room
        taken = None if picked.any() else self._taken_whole(variant, held, refill)
        if taken is not None:
            for choices in (taken, held):  # the LP's whole refills may not fit in the MIP
                solved = self._fixed(variant, choices)
                if solved is not None:
                    return solved
        taken = self._taken_whole(variant, picked, kept | refill)  # base choices may drop
        return None if taken is None else self._fixed(variant, taken)

    def _taken_whole(
        self, variant: LinearModel, held: np.ndarray, free: np.ndarray
    ) -> np.ndarray | None:
        """The choices taken: the ``held`` ones and the ``free`` ones the variant's LP
        relaxation (held taken, free between 0 and 1, every other choice left out) takes
        whole; None when that LP has no plan."""
        lower, upper = variant.lower.copy(), variant.upper.copy()
        lower[self.choose] = np.where(held, 1.0, 0.0)
        upper[self.choose] = np.where(held | free, 1.0, 0.0)
        others = self.others
        lower[others] = upper[others] = np.clip(
            self.others_at, variant.lower[others], upper[others]
        )
        relaxed = replace(variant, lower=lower, upper=upper, integer=np.zeros_like(variant.integer))
        solved = self._resolvers()[0].solve(relaxed, SolveOptions())
        if solved.values is None:
            return None
        return held | free & (solved.values[self.choose] >= KEPT)

    def _fixed(self, variant: LinearModel, taken: np.ndarray) -> SolveResult | None:
        """The variant with exactly the ``taken`` choices, the rest (contracts, blocks)
        solved; None when that has no plan."""
        lower, upper = variant.lower.copy(), variant.upper.copy()
        lower[self.choose] = upper[self.choose] = np.where(taken, 1.0, 0.0)
        fixed = replace(variant, lower=lower, upper=upper)
        solved = self._resolvers()[1].solve(fixed, SolveOptions(relative_gap=self.gap))
        return solved if solved.values is not None else None

    def close(self) -> None:
        """Drop this process's HiGHS pair of this screen (a worker's copy drops its own
        when the worker lets the copy go)."""
        self._held.pop(os.getpid(), None)

    def _resolvers(self) -> tuple[Resolver, Resolver]:
        """This process's HiGHS for the keep-or-drop LPs and for the fixed-choice MIPs,
        made on first use (a forked process makes its own)."""
        key = os.getpid()
        if key not in self._held:
            relaxed = replace(self.model, integer=np.zeros_like(self.model.integer))
            self._held[key] = (Resolver(relaxed), Resolver(self.model))
        return self._held[key]

    def _forced_picks(
        self, variant: LinearModel, kept: np.ndarray, allowed: np.ndarray
    ) -> np.ndarray:
        """The choice each project that must run but keeps no base choice takes: its
        allowed choice of the largest reduced cost at the base prices."""
        rows = variant.constraint_family("one_choice")
        must = variant.row_lower[rows.slice] >= 0.5
        keeps = np.bincount(self.project_of, kept, minlength=rows.size) > 0
        open_projects = must & ~keeps
        candidates = allowed & open_projects[self.project_of]
        picked = np.zeros_like(kept)
        if not candidates.any():
            return picked
        gain = np.where(candidates, reduced_costs(variant, self.prices)[self.choose], -np.inf)
        order = np.lexsort((-gain, self.project_of))
        first = np.ones(order.size, dtype=bool)
        first[1:] = self.project_of[order][1:] != self.project_of[order][:-1]
        best = order[first]
        picked[best[candidates[best]]] = True
        return picked


def _out_of_reach(model: LinearModel, lower: np.ndarray, upper: np.ndarray) -> bool:
    """Whether some row's activity, over every x within the column bounds, cannot reach
    its lower limit or stay under its upper one."""
    entries = model.matrix.tocoo()
    rows, cols, a = entries.row, entries.col, entries.data
    high, low = a * upper[cols], a * lower[cols]  # +-inf at an infinite bound, never NaN
    size = model.num_constraints
    most = np.bincount(rows, np.where(a > 0, high, low), size)
    least = np.bincount(rows, np.where(a > 0, low, high), size)
    slack_low = ROW_TOLERANCE * np.maximum(1.0, np.abs(model.row_lower))
    slack_up = ROW_TOLERANCE * np.maximum(1.0, np.abs(model.row_upper))
    return bool(
        (most < model.row_lower - slack_low).any() or (least > model.row_upper + slack_up).any()
    )
