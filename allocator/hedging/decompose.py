"""Scenario decomposition: the two-stage plan found future by future, on Dask.

With many futures the extensive form is too large to solve as one program. Dual
decomposition (Caroe and Schultz, 1999) relaxes its non-anticipativity rows with
multipliers W_f, one per future and first-stage key k (in units of the key's scale s_k,
``allocator.hedging.lagrange``), kept at sum_f p_f W_f = 0, and solves each future alone:

    L_f(W_f) = max_x z_f(x) - sum_k W_{f,k} x_k / s_k

For every such W, sum_f p_f L_f(W_f) bounds the expected objective of every first stage
from above: a first stage v the same in every future pays sum_f p_f W_f v / s = 0.
With W = 0 the bound is the mean of the futures' own optima (``hindsight``). Each
iteration

1. solves every future's subproblem on Dask; the solver's bound of each keeps the
   bound valid when a solve stops within a gap;
2. evaluates up to ``candidates`` first stages not evaluated before, each held fixed in
   every future (``recourse``, whose plans pass the checker): the consensus (each key
   at its probability-weighted mean x-bar, rounded where the column is an integer),
   then the distinct first stages the subproblems took, the most probable first. The
   best evaluated first stage is the plan; its expected objective is a lower bound;
3. moves the multipliers along the subgradient, W_f += t (x_f - x-bar) / s, with
   Polyak's step t = theta (bound - best) / sum_f p_f |(x_f - x-bar) / s|^2; theta starts
   at 1 and is halved after three iterations without a better bound.

It stops once the gap (bound - best) / |best| is within the runner's gap (status
optimal), when every subproblem takes the same first stage (nothing is left to price),
or after ``iterations`` (status feasible, with the gap it reached). It maximises the
expectation only: the CVaR ties the futures together.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from allocator.backends.registry import get_backend
from allocator.backends.termination import (
    CLOSED_GAP,
    SolveStatus,
    Termination,
    relative_gap,
)
from allocator.hedging.decisions import Decisions, FirstStage, from_decisions
from allocator.hedging.extensive import Future, first_stage_columns
from allocator.hedging.lagrange import Priced, Subproblem, scales, solve_subproblem
from allocator.hedging.plans import FutureOutcome, expected, recourse
from allocator.hedging.setting import Setting

Key = tuple[str, tuple]

STALL = 3
"""Iterations without a better bound before the step is halved."""


@dataclass
class Decomposition:
    """The best first stage found, its futures' plans, the bound, and each iteration's
    bound and best (``trace``)."""

    stage: FirstStage | None = None
    outcomes: list[FutureOutcome] = field(default_factory=list)
    best: float | None = None
    bound: float | None = None
    iterations: int = 0
    evaluated: dict[tuple, float | None] = field(default_factory=dict)
    trace: list[dict[str, float | int | None]] = field(default_factory=list)
    termination: Termination | None = None

    def offer(self, stage: FirstStage, outcomes: list[FutureOutcome]) -> None:
        """Keep ``stage`` if it is the best evaluated so far."""
        value = expected(outcomes)
        self.evaluated[identity(stage)] = value
        if value is not None and (self.best is None or value > self.best):
            self.stage, self.outcomes, self.best = stage, outcomes, value


def decompose(
    s: Setting, own: list[FutureOutcome], seeds: list[tuple[FirstStage, list[FutureOutcome]]]
) -> Decomposition:
    """Dual decomposition of the two-stage plan (see the module docstring). ``own``: each
    future alone (W = 0); ``seeds``: first stages already evaluated (the expected-value
    plan's)."""
    clock = time.perf_counter()
    table = first_stage_columns(s.futures, s.commit)
    keys: list[Key] = list(zip(table["family"], table["key"], strict=True))
    zero = frozenset(
        k for k, m in zip(keys, table["members"], strict=True) if len(m) < len(s.futures)
    )
    p = np.array([f.weight for f in s.futures])
    p = p / p.sum()
    scale = scales([o.decisions or {} for o in own], keys)
    integer = _integer_keys(s.futures, keys)
    found = Decomposition()
    for stage, outcomes in seeds:
        found.offer(stage, outcomes)
    taken, bounds = _matrix([o.decisions for o in own], keys), [o.bound for o in own]
    multipliers = np.zeros((len(s.futures), len(keys)))
    steps = _Steps()
    message = ""
    for iteration in range((s.iterations or 0) + 1):
        if iteration:
            priced = _subproblems(s, keys, zero, multipliers / scale, iteration)
            failed = next((a for a in priced if a.decisions is None), None)
            if failed is not None:
                message = f"future {failed.index}'s subproblem: {failed.status} {failed.message}"
                break
            taken, bounds = _matrix([a.decisions for a in priced], keys), [a.bound for a in priced]
        bound = None if None in bounds else float(p @ np.array(bounds, dtype=float))
        steps.record(bound)
        centre = p @ taken
        _evaluate(s, found, keys, taken, p, centre, integer)
        found.bound, found.iterations = steps.bound, iteration
        found.trace.append({"iteration": iteration, "bound": bound, "best": found.best})
        spread = (taken - centre) / scale
        norm = float(p @ (spread**2).sum(axis=1))
        if _within(found, s.runner.gap) or norm < 1e-12:
            break
        multipliers += steps.size(found.best, norm) * spread
    found.termination = _termination(s, found, message, time.perf_counter() - clock)
    return found


@dataclass
class _Steps:
    """Polyak's step and its factor theta, halved after ``STALL`` iterations without a
    better bound; ``bound``: the best bound so far (None while none is known)."""

    theta: float = 1.0
    stall: int = 0
    bound: float | None = None

    def record(self, bound: float | None) -> None:
        """Keep ``bound`` if it is better; count the iterations without one."""
        if bound is not None and (
            self.bound is None or bound < self.bound - 1e-9 * max(1.0, abs(self.bound))
        ):
            self.bound, self.stall = bound, 0
            return
        self.stall += 1
        if self.stall >= STALL:
            self.theta, self.stall = self.theta / 2, 0

    def size(self, best: float | None, norm: float) -> float:
        """theta (bound - best) / norm; without both, a hundredth of the one known."""
        if self.bound is not None and best is not None:
            room = max(self.bound - best, 0.0)
        else:
            known = self.bound if self.bound is not None else best
            room = 0.01 * max(1.0, abs(known)) if known is not None else 1.0
        return self.theta * room / norm


def _subproblems(
    s: Setting, keys: list[Key], zero: frozenset[Key], prices: np.ndarray, iteration: int
) -> list[Priced]:
    """Every future's subproblem at the given prices (one row per future), on Dask."""
    subs = [
        Subproblem(
            f.index,
            f.case,
            s.runner,
            s.commit,
            {k: float(v) for k, v in zip(keys, row, strict=True) if v != 0.0},
            zero,
        )
        for f, row in zip(s.futures, prices, strict=True)
    ]
    labels = [f"subproblem-{f.index}" for f in s.futures]
    done = s.phase(f"decomposition, iteration {iteration} of {s.iterations}", len(subs))
    return s.pool.map(solve_subproblem, subs, labels, done)


def _evaluate(
    s: Setting,
    found: Decomposition,
    keys: list[Key],
    taken: np.ndarray,
    p: np.ndarray,
    centre: np.ndarray,
    integer: np.ndarray,
) -> None:
    """Hold up to ``s.candidates`` first stages not evaluated yet in every future."""
    shown = 0
    for values in _candidates(integer, taken, p, centre):
        stage = from_decisions(s.case, dict(zip(keys, values, strict=True)))
        if identity(stage) in found.evaluated:
            continue
        done = s.phase(f"evaluating a candidate first stage ({shown + 1})", len(s.futures))
        found.offer(stage, recourse(s.futures, stage, s.commit, s.runner, s.pool, done))
        shown += 1
        if shown >= s.candidates:
            return


def _candidates(
    integer: np.ndarray, taken: np.ndarray, p: np.ndarray, centre: np.ndarray
) -> list[np.ndarray]:
    """The consensus (rounded where ``integer``), then the subproblems' distinct first
    stages by probability."""
    consensus = np.where(integer, np.round(centre), centre)
    mass: dict[bytes, float] = {}
    rows: dict[bytes, np.ndarray] = {}
    for row, weight in zip(taken, p, strict=True):
        tag = np.round(row, 6).tobytes()
        mass[tag] = mass.get(tag, 0.0) + float(weight)
        rows.setdefault(tag, row)
    ranked = sorted(mass, key=lambda tag: -mass[tag])
    return [consensus, *(rows[tag] for tag in ranked)]


def _integer_keys(futures: list[Future], keys: list[Key]) -> np.ndarray:
    """Whether each key's column is an integer in some future."""
    flags = dict.fromkeys(keys, False)
    for future in futures:
        model = future.formulation.model
        for name in ("sign", "take", "buy", "choose"):
            if name not in model.columns:
                continue
            family = model.columns[name]
            for key, column in zip(
                family.keys.itertuples(index=False, name=None), family.index, strict=True
            ):
                if (name, key) in flags and model.integer[column]:
                    flags[name, key] = True
    return np.array([flags[k] for k in keys])


def _matrix(rows: list[Decisions | None], keys: list[Key]) -> np.ndarray:
    """One row per future: the value of each key (0 where the future lacks it)."""
    return np.array([[(row or {}).get(k, 0.0) for k in keys] for row in rows], dtype=float)


def identity(stage: FirstStage) -> tuple:
    """What tells two first stages apart (values rounded to 6 decimals)."""
    return (
        tuple(sorted(stage.signed.items())),
        tuple(sorted((k, round(v, 6)) for k, v in stage.bought.items())),
        tuple(sorted((k, round(v, 6)) for k, v in stage.taken.items())),
        tuple(sorted((k, round(v, 6)) for k, v in stage.drawn.items())),
        tuple(sorted(stage.started.items())),
    )


def _within(found: Decomposition, gap: float) -> bool:
    """Whether the best first stage is within ``gap`` of the bound (rounding aside)."""
    reached = relative_gap(found.best, found.bound)
    return reached is not None and reached <= max(gap, CLOSED_GAP)


def _termination(s: Setting, found: Decomposition, message: str, seconds: float) -> Termination:
    """The decomposition's ending, in the words of a solve."""
    within = _within(found, s.runner.gap)
    if found.stage is None:
        status = SolveStatus.NO_SOLUTION
    else:
        status = SolveStatus.OPTIMAL if within else SolveStatus.FEASIBLE
    if not message and not within:
        message = f"{found.iterations} iterations of dual decomposition; the gap is still open"
    backend = get_backend(s.runner.backend)
    return Termination(
        status=status,
        objective=found.best,
        bound=found.bound,
        seconds=seconds,
        backend=s.runner.backend,
        solver=s.runner.solver or backend.default_solver,
        solver_version="",
        message=message,
        limit_reached=not within,
        gap_limit=s.runner.gap,
    )
