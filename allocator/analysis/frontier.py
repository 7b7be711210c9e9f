"""The money frontier: what more or less money buys.

The case's money is scaled by each factor of a range and every point is solved
(the one formulation of the scaled case, same backend and options for all):
the optimum against the money, the funded set at each point, the projects that
enter and leave between points, and the knee where more money stops paying.

What is scaled. By default, *all unrestricted money*: ``budget.amounts`` and the
``amounts`` of every equity funding source without an ``earmark`` (optional ones
included: their tranches grow, taking them stays a decision), all by the same
factor. Earmarked equity, base revenue, project revenue and credit lines are
never scaled; ``budget.min_cash`` stays as it is. With ``source=ID`` only that
funding source's ``amounts`` are scaled (an earmarked equity source may be named);
naming a credit line, or an id that is no funding source, is an ``InputError``.
``source="budget"`` scales ``budget.amounts`` alone, unless a funding source has
the id ``budget``: funding ids are looked up first, so that source is scaled then
(``Frontier.scaled`` always says what was). Scaling a series scales every number
in whichever form it is written (scalar, list, map); money that is zero in the
case stays zero, and scaling nothing but zeros is an ``InputError``.

The points. Factors run from ``start`` to ``stop`` in ``steps`` equal steps
(``start`` > 0, ``stop`` > ``start``, ``steps`` >= 2), rounded to 12 decimals.
``money`` at a point is the total of the scaled money over the horizon
(undiscounted; for an optional source, the money offered, taken or not).
``marginal`` is (objective - objective before) / (money - money before) against
the previous point, when both have a plan. A point with no plan (a must-fund
project that no longer fits) keeps its status and has no objective.

Monotone. More money never lowers the optimum when every scaled source either
carries no ``guaranteed_return`` or is ``optional`` and ``divisible``: the plan
of a point stays a plan with more money (a divisible source is taken at a
smaller fraction for the same money and the same return). A scaled source with
a guaranteed return that must be taken whole costs more as it grows, so the
optimum may fall; ``Frontier.monotone_expected`` is False then and
``monotone_caveat`` says why. ``falls`` lists every step where the objective
falls by more than 1e-6 (relative) or a plan is lost as money rises; with
``monotone_expected`` and every point proven optimal it should be empty.

The knee (Kneedle, Satopää et al. 2011). Over the points with a plan, money and
objective are each scaled to 0..1 between the first and the last such point;
the knee is the interior point farthest above the straight line from the first
to the last (the largest normalised objective minus normalised money, the
earliest on a tie). Up to it money buys more than its average; past it, less.
There is no knee with fewer than three points with a plan, when the last
objective is not above the first, or when no point lies above the line (the
curve is straight or bends upward: more money keeps paying as much or more).

Minimal change. Unless the runner's ``change`` is "any" (and it does not start warm),
the case as it is is solved first; a warm runner starts every point from its plan, and
every point returns, among its plans as good as its optimum (within the
gap), the one closest to that plan (``allocator.analysis.closest``): the projects
entering and leaving between points are then the ones the money moves, not another
optimum's incidental ones. A point whose money that plan still keeps within (x1, or a
smaller factor when the money does not bind) takes that plan with no solve
(``allocator.analysis.restriction``).

Solving. Points are solved in parallel across local processes
(``allocator.analysis.parallel``: forked on Linux, the platform's default start
method elsewhere, where a script needs an ``if __name__ == "__main__"``
guard). ``workers`` defaults to min(steps, os.cpu_count());
``workers=1`` solves in this process. The tables are the same either way and
ordered by factor. Each ``Result`` keeps its scaled case, plan and checker
verdict, not the formulation or the column values. An interrupt or a failed
point ends the workers at once.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from allocator.analysis.changes import plan_changes
from allocator.analysis.edits import scale_series
from allocator.analysis.parallel import solve_many, worker_count
from allocator.analysis.restriction import solve_unanswered
from allocator.analysis.runner import Runner
from allocator.case.model import Case
from allocator.case.money import Funding, FundingKind
from allocator.case.series import calendar_values
from allocator.engine import Result
from allocator.errors import InputError
from allocator.plan.nearness import minimal_flag

BUDGET = "budget"
"""The ``source`` that names ``budget.amounts`` (when no funding source has this id)."""

POINT_COLUMNS = [
    "factor",
    "money",
    "status",
    "objective",
    "funded",
    "funded_ids",
    "marginal",
    "knee",
    "minimal",
]
MOVE_COLUMNS = ["from_factor", "to_factor", "project", "move", "level", "text"]
FALL_COLUMNS = ["from_factor", "to_factor", "from_objective", "to_objective", "proven"]


@dataclass(frozen=True)
class Knee:
    """The knee of the frontier and the average marginal value on either side of it."""

    factor: float
    money: float
    objective: float
    before: float
    """(objective - first objective) / (money - first money): value per unit up to the knee."""
    after: float
    """(last objective - objective) / (last money - money): value per unit past the knee."""


@dataclass(frozen=True)
class Frontier:
    """The frontier's tables (see the module docstring for every definition).

    ``points``: one row per factor, in order: factor, money, status, objective
    (NaN without a plan; null in JSON), funded (count; None without a plan),
    funded_ids (list, in case order), marginal (NaN at the first point or next
    to a point without a plan), knee (True at the knee).

    ``moves``: every project decision that differs between a point with a plan
    and the one before it with a plan: from_factor, to_factor, project, move
    (``entered``, ``left``, ``resized``: another level, ``moved``: the same
    level from another start), level (the level funded; for ``left``, the
    level it had), text (as ``allocator.analysis.changes`` writes it).

    ``falls``: steps where more money gave a lower objective or lost the plan:
    from_factor, to_factor, from_objective, to_objective (NaN: no plan),
    proven (the first point proven optimal, the second optimal or infeasible).
    """

    points: pd.DataFrame
    moves: pd.DataFrame
    falls: pd.DataFrame
    knee: Knee | None
    scaled: tuple[str, ...]
    """What was scaled, in the case's words: ``budget.amounts``, ``funding[retail]``."""
    monotone_expected: bool
    monotone_caveat: str
    """Why the optimum may fall as money rises; empty when ``monotone_expected``."""
    results: tuple[Result, ...] = field(repr=False)
    """One result per point, in the order of ``points``."""


def factors(start: float, stop: float, steps: int) -> list[float]:
    """``steps`` equally spaced factors from ``start`` to ``stop``, rounded to 12 decimals.

    Raises ``InputError`` unless 0 < start < stop (finite) and steps >= 2.
    """
    if not (math.isfinite(start) and math.isfinite(stop)):
        raise InputError("the range must be finite numbers")
    if start <= 0:
        raise InputError(f"the range must start above 0 (--from), got {start:g}")
    if stop <= start:
        raise InputError(f"the range must end above its start (--to > --from), got {stop:g}")
    if steps < 2:
        raise InputError(f"a frontier needs at least 2 points (--steps), got {steps}")
    width = (stop - start) / (steps - 1)
    return [round(start + i * width, 12) for i in range(steps - 1)] + [round(stop, 12)]


def scale_money(case: Case, factor: float, source: str | None = None) -> Case:
    """A copy of ``case`` with the money ``source`` names scaled by ``factor`` (see above)."""
    targets = _targets(case, source)
    update: dict[str, Any] = {}
    if BUDGET in targets:
        amounts = scale_series(case.budget.amounts, factor)
        update["budget"] = case.budget.model_copy(update={"amounts": amounts})
    ids = {t.id for t in targets if isinstance(t, Funding)}
    if ids:
        update["funding"] = [
            f.model_copy(update={"amounts": scale_series(f.amounts or 0.0, factor)})
            if f.id in ids
            else f
            for f in case.funding
        ]
    return case.model_copy(update=update)


def scaled_money(case: Case, source: str | None = None) -> float:
    """The total over the horizon of the money ``source`` names in ``case`` (undiscounted)."""
    return sum(_total(case, item) for item in _targets(case, source, allow_zero=True))


def frontier(
    case: Case,
    *,
    runner: Runner | None = None,
    start: float = 0.5,
    stop: float = 1.5,
    steps: int = 11,
    source: str | None = None,
    workers: int | None = None,
    done: Callable[[str], None] | None = None,
    scheduler: str | None = None,
) -> Frontier:
    """Solve ``case`` with its money scaled by each factor (``runner`` None: ``Runner()``)
    in ``workers`` processes or on the Dask cluster at ``scheduler``
    (``allocator.analysis.parallel``); ``done(label)`` after each solve.

    Raises ``InputError`` for a bad range, ``workers`` < 1 or a bad ``source``;
    ``PlanCheckError`` if a point's plan breaks a rule of its case.
    """
    runner = runner or Runner()
    points = factors(start, stop, steps)
    targets = _targets(case, source)
    cases = [scale_money(case, k, source) for k in points]
    labels = [f"x{k:g}" for k in points]
    if runner.wants_base:
        base = runner.solve(case)
        runner = runner.near(base)
        results = solve_unanswered(runner, cases, labels, base, workers, done, scheduler)
    else:
        count = worker_count(steps, workers)
        results = solve_many(Runner.solve, runner, cases, labels, count, done, scheduler)
    money = [scaled_money(c, source) for c in cases]
    caveat = _caveat(targets)
    table = _points(points, money, results)
    knee = _knee(table)
    if knee is not None:
        table.loc[table["factor"] == knee.factor, "knee"] = True
    return Frontier(
        points=table,
        moves=_moves(points, results),
        falls=_falls(table),
        knee=knee,
        scaled=tuple(_label(t) for t in targets),
        monotone_expected=not caveat,
        monotone_caveat=caveat,
        results=tuple(results),
    )


# --- what is scaled ---------------------------------------------------------------------


def _targets(case: Case, source: str | None, allow_zero: bool = False) -> list[str | Funding]:
    """``BUDGET`` and/or the funding sources to scale."""
    if source is None:
        targets: list[str | Funding] = [BUDGET]
        targets += [f for f in case.funding if f.kind is FundingKind.EQUITY and not f.earmark]
        what = "the budget and the unearmarked equity sources"
    else:
        found = [f for f in case.funding if f.id == source]
        if found:
            if found[0].kind is FundingKind.CREDIT:
                raise InputError(
                    f"funding source {source!r} is a credit line: its limit is not money that "
                    "arrives, so it cannot be scaled (name an equity source, or 'budget')"
                )
            targets = [found[0]]
        elif source == BUDGET:
            targets = [BUDGET]
        else:
            equity = [f.id for f in case.funding if f.kind is FundingKind.EQUITY]
            known = ", ".join([*equity, BUDGET])
            raise InputError(f"no funding source named {source!r} (sources to scale: {known})")
        what = _label(targets[0])
    if not allow_zero and sum(_total(case, t) for t in targets) <= 0:
        raise InputError(f"nothing to scale: {what} bring no money in this case")
    return targets


def _label(target: str | Funding) -> str:
    return "budget.amounts" if isinstance(target, str) else f"funding[{target.id}]"


def _total(case: Case, target: str | Funding) -> float:
    series = case.budget.amounts if isinstance(target, str) else target.amounts
    return math.fsum(calendar_values(series or 0.0, case.periods))


def _caveat(targets: Sequence[str | Funding]) -> str:
    """Why more of the scaled money may lower the optimum; empty when it cannot."""
    costly = [
        t.id
        for t in targets
        if isinstance(t, Funding) and t.guaranteed_return > 0 and not (t.optional and t.divisible)
    ]
    if not costly:
        return ""
    names = ", ".join(costly)
    return (
        f"{names}: a guaranteed return on money that must be taken whole, so a larger "
        "tranche costs more and the optimum may fall as money rises"
    )


# --- the tables -------------------------------------------------------------------------


def _points(points: list[float], money: list[float], results: list[Result]) -> pd.DataFrame:
    rows = []
    previous: tuple[float, float | None] | None = None
    for factor, total, result in zip(points, money, results, strict=True):
        t = result.termination
        objective = t.objective if result.plan is not None else None
        funded: list[str] = []
        if result.plan is not None:
            table = result.plan.projects
            funded = [str(p) for p in table.loc[table["funded"].astype(bool), "id"]]
        marginal = None
        if previous is not None and previous[1] is not None and objective is not None:
            marginal = (objective - previous[1]) / (total - previous[0])
        rows.append(
            {
                "factor": factor,
                "money": total,
                "status": t.status.value,
                "objective": objective,
                "funded": len(funded) if result.plan is not None else None,
                "funded_ids": funded,
                "marginal": marginal,
                "knee": False,
                "minimal": minimal_flag(result.nearness),
            }
        )
        previous = (total, objective)
    table = pd.DataFrame(rows, columns=POINT_COLUMNS)
    table["funded"] = pd.Series([row["funded"] for row in rows], dtype=object)
    return table


def _moves(points: list[float], results: list[Result]) -> pd.DataFrame:
    rows = []
    last: tuple[float, Result] | None = None
    for factor, result in zip(points, results, strict=True):
        if result.plan is None:
            continue
        if last is not None:
            before, after = last[1].plan, result.plan
            assert before is not None
            levels_before = before.projects.set_index("id")["level"]
            levels_after = after.projects.set_index("id")["level"]
            changes = plan_changes(before, after)
            for change in changes[changes["kind"] == "project"].itertuples(index=False):
                if change.before == "off":
                    move, level = "entered", levels_after[change.id]
                elif change.after == "off":
                    move, level = "left", levels_before[change.id]
                elif levels_before[change.id] != levels_after[change.id]:
                    move, level = "resized", levels_after[change.id]
                else:
                    move, level = "moved", levels_after[change.id]
                rows.append((last[0], factor, change.id, move, str(level), change.text))
        last = (factor, result)
    return pd.DataFrame(rows, columns=MOVE_COLUMNS)


def _falls(points: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for a, b in itertools.pairwise(points.to_dict(orient="records")):
        if pd.isna(a["objective"]):
            continue
        before = float(a["objective"])
        after = None if pd.isna(b["objective"]) else float(b["objective"])
        if after is None or before - after > 1e-6 * max(1.0, abs(before), abs(after)):
            proven = a["status"] == "optimal" and b["status"] in ("optimal", "infeasible")
            rows.append((a["factor"], b["factor"], before, after, proven))
    return pd.DataFrame(rows, columns=FALL_COLUMNS)


def _knee(points: pd.DataFrame) -> Knee | None:
    """The Kneedle knee of the points with a plan (see the module docstring)."""
    have = points[points["objective"].notna()]
    if len(have) < 3:
        return None
    x = have["money"].astype(float).to_numpy()
    y = have["objective"].astype(float).to_numpy()
    if not y[-1] > y[0]:
        return None
    above = (y - y[0]) / (y[-1] - y[0]) - (x - x[0]) / (x[-1] - x[0])
    best = int(above[1:-1].argmax()) + 1
    if above[best] <= 1e-9:
        return None
    return Knee(
        factor=float(have["factor"].iloc[best]),
        money=float(x[best]),
        objective=float(y[best]),
        before=float((y[best] - y[0]) / (x[best] - x[0])),
        after=float((y[-1] - y[best]) / (x[-1] - x[best])),
    )
