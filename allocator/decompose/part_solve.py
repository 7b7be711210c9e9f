"""One part's solve, run on a Dask worker: its LP relaxation, then its MIP over the
choices that relaxation takes.

1. The part's LP relaxation, solved by HiGHS (the ``highs`` backend, ``PRICE_BACKEND``:
   the one that reports HiGHS's row duals) to optimality. Its duals are the part's row
   prices, which the whole case's bound is made from (``decompose.bound``); its values
   are the part's fractional plan.
2. The part's MIP with each project held to the choices its LP relaxation takes (value
   above ``LP_TAKEN``) or to nothing, solved by the run's backend and solver at
   ``part_gap``: a tenth of the run's gap g, or min(g, ``PART_GAP``) when that is
   looser. At g a part would stop at its first plan within g of its bound, and the
   parts' plans would carry that loss, on top of the bound's own distance from the
   optimum (about 0.1% on generated cases), into the whole case's gap; a tenth of g
   leaves room for the rest, and up to g = 1e-3 parts are solved to 1e-4 as before. At
   g = 2% on 6,250-project parts of a 300,000-project case (six parts on two Dask
   workers), 2e-3 took the parts 44 s in all where 1e-4 took 59 s (5e-3: 35 s). An
   optimal vertex of the relaxation is fractional on few projects (at most about one
   per shared row), so this MIP is small once presolved: on a 12,500-project part of a
   generated case it took SCIP 2.8 s to come within 0.05% of the relaxation, where the
   part's whole MIP took 24.9 s to come within 0.79% at a gap of 1%.
3. If that MIP has no plan (rounding can break a ``>=`` row), the part's whole MIP is
   solved instead; ``PartOutcome.over`` says which was solved.

The plan is kept by column family and case ids (``BasePlan``), never read back into a
case's terms here: the whole case's plan is read and checked once, after the repair.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from allocator.analysis.baseplan import BasePlan
from allocator.backends.options import SolveOptions
from allocator.backends.registry import get_backend
from allocator.backends.termination import SolveResult, SolveStatus
from allocator.case.model import Case
from allocator.formulation import Formulation, formulate
from allocator.model.linear import LinearModel

PRICE_BACKEND = "highs"
"""The backend of the parts' LP relaxations: HiGHS through highspy reports row duals and
took 3.8 s on a 12,500-project part, against 11.8 s through PuLP and 16.7 s for Glop."""

PART_GAP = 1e-4
"""A part's MIP is solved to this gap (or the run's own, if tighter) when a tenth of the
run's gap would be tighter still."""

PART_SHARE_OF_GAP = 0.1
"""The share of the run's gap a part's MIP is solved to."""

LP_TAKEN = 1e-6
"""A choice an LP relaxation takes more of than this stays open."""

OVER_LP = "choices its LP relaxation takes"
OVER_ALL = "all choices"


@dataclass(frozen=True)
class PartOutcome:
    """One part's solve: its size, share, status, objective, its LP relaxation's value,
    what its MIP was solved over and the seconds it took; its plan, its LP relaxation's
    values and its row prices (duals) by family and case ids (None where there are none)."""

    part: int
    projects: int
    share: float
    status: str
    objective: float | None
    relaxation: float | None
    over: str
    seconds: float
    version: str = ""
    """The MIP solver's version, as its termination names it."""
    plan: BasePlan | None = field(default=None, repr=False)
    relaxed: BasePlan | None = field(default=None, repr=False)
    prices: BasePlan | None = field(default=None, repr=False)


def solve_part(job: tuple[int, Case, float, str, SolveOptions]) -> PartOutcome:
    """Part ``k`` of the run (``case``: its projects and share), solved as the module
    docstring says, within ``options.time_limit`` for both steps together."""
    k, case, share, backend, options = job
    clock = time.perf_counter()
    formulation = formulate(case)
    model = formulation.model
    relaxed = relaxation(model, options)
    lp_plan = relaxed.values if relaxed.termination.status is SolveStatus.OPTIMAL else None
    over = OVER_ALL if lp_plan is None else OVER_LP
    held = model if lp_plan is None else _held(formulation, lp_plan)
    solved = _mip(held, backend, options, clock)
    if solved.values is None and held is not model:
        over, solved = OVER_ALL, _mip(model, backend, options, clock)
    t = solved.termination
    return PartOutcome(
        part=k,
        projects=len(case.projects),
        share=share,
        status=t.status.value,
        objective=t.objective if solved.values is not None else None,
        relaxation=relaxed.termination.objective if lp_plan is not None else None,
        over=over,
        seconds=time.perf_counter() - clock,
        version=t.solver_version,
        plan=None if solved.values is None else BasePlan.of(model, solved.values),
        relaxed=None if lp_plan is None else BasePlan.of(model, lp_plan),
        prices=None
        if relaxed.duals is None
        else BasePlan.of_families(model.constraints, relaxed.duals),
    )


def relaxation(model: LinearModel, options: SolveOptions) -> SolveResult:
    """``model`` with every column continuous, solved to optimality by ``PRICE_BACKEND``
    within ``options.time_limit``."""
    relaxed = replace(model, integer=np.zeros_like(model.integer))
    lp_options = SolveOptions(
        time_limit=options.time_limit, relative_gap=0.0, threads=options.threads
    )
    return get_backend(PRICE_BACKEND).solve(relaxed, lp_options)


def _held(formulation: Formulation, lp_plan: np.ndarray) -> LinearModel:
    """The part's model with every choice its LP relaxation does not take held at 0."""
    model = formulation.model
    choose = formulation.choose
    upper = model.upper.copy()
    upper[choose[lp_plan[choose] <= LP_TAKEN]] = 0.0
    return replace(model, upper=upper)


def part_gap(gap: float) -> float:
    """The gap a part's MIP is solved to when the run asks for ``gap``:
    max(min(gap, ``PART_GAP``), ``PART_SHARE_OF_GAP`` * gap)."""
    return max(min(gap, PART_GAP), PART_SHARE_OF_GAP * gap)


def _mip(model: LinearModel, backend: str, options: SolveOptions, since: float) -> SolveResult:
    """``model`` solved by the run's backend and solver at ``part_gap`` of the run's gap,
    within what is left of the part's time limit."""
    left = options.time_limit
    if left is not None:
        left = max(1.0, left - (time.perf_counter() - since))
    gap = part_gap(options.relative_gap)
    return get_backend(backend).solve(model, replace(options, time_limit=left, relative_gap=gap))
