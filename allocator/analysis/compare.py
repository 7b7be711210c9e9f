"""Scenario comparison: the base case and each scenario solved, side by side, and what changed.

The base case is solved first; every scenario is the one formulation of the case with
the scenario applied, solved with the same backend and options in worker processes
(``allocator.analysis.parallel``) and, unless the runner's ``change`` is "any", brought
closest to the base plan among its plans as good (``allocator.analysis.closest``). The
changes are each scenario's plan against the base plan (``allocator.analysis.changes``).
The tables are the same whatever the number of workers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pandas as pd

from allocator.analysis.changes import COLUMNS, plan_changes
from allocator.analysis.parallel import solve_many, worker_count
from allocator.analysis.runner import Runner
from allocator.analysis.summary import COUNTS, plan_summary
from allocator.case.model import Case
from allocator.case.whatif import apply_scenario
from allocator.engine import Result
from allocator.errors import InputError
from allocator.plan.nearness import minimal_flag

BASE = "base"
"""The name of the case without a scenario in the tables."""


@dataclass(frozen=True)
class Comparison:
    """The comparison's tables.

    ``summary``: one row per variant (``base`` first): variant, status, objective,
    change (against the base), funded, signed, bought, cash_low, cash_low_period,
    credit_drawn, binding, has_plan (False: the other columns are None; funded and
    binding are whole numbers otherwise), minimal (``allocator.plan.nearness.minimal_flag``).
    ``projects``: one row per project, one column per
    variant ("level from start" or "off"). ``changes``: variant, kind, id, before,
    after, text: each scenario's decisions that differ from the base plan.
    """

    summary: pd.DataFrame
    projects: pd.DataFrame
    changes: pd.DataFrame
    results: dict[str, Result] = field(repr=False)


def compare(
    case: Case,
    *,
    scenarios: list[str],
    runner: Runner | None = None,
    workers: int | None = None,
    done: Callable[[str], None] | None = None,
    scheduler: str | None = None,
) -> Comparison:
    """Solve the base case and each of ``scenarios`` (in ``workers`` processes, default one
    per CPU, or on the Dask cluster at ``scheduler``: ``allocator.analysis.parallel``;
    ``runner`` None: ``Runner()``); ``done(name)`` after each solve.

    Raises ``InputError`` for an unknown scenario and ``CaseError`` for one that breaks a
    rule of the case, before anything is solved.
    """
    runner = runner or Runner()
    unknown = [s for s in scenarios if s not in case.scenarios]
    if unknown:
        known = ", ".join(case.scenarios) or "none"
        raise InputError(f"no scenario named {', '.join(map(repr, unknown))} (scenarios: {known})")
    variants = [(name, apply_scenario(case, name)) for name in scenarios]
    base = runner.solve(case)
    if done:
        done(BASE)
    names = [name for name, _ in variants]
    count = worker_count(len(variants), workers)
    near = runner.near(base)
    solved = solve_many(_solve_variant, near, variants, names, count, done, scheduler)
    results = {BASE: base, **dict(zip(names, solved, strict=True))}
    return Comparison(_summary(results), _projects(case, results), _changes(results), results)


def _solve_variant(runner: Runner, variant: tuple[str, Case]) -> Result:
    """A scenario already applied (in the parent process, where a ``CaseError`` keeps its
    problems), solved; the result names its scenario."""
    name, case = variant
    return replace(runner.solve(case), scenario=name)


def _summary(results: dict[str, Result]) -> pd.DataFrame:
    rows = [{"variant": name} | plan_summary(result) for name, result in results.items()]
    table = pd.DataFrame(rows)
    for column in COUNTS:  # ints, not floats made by a variant without a plan
        table[column] = pd.Series([row[column] for row in rows], dtype=object)
    base = results[BASE].termination.objective
    table.insert(
        3, "change", [None if base is None or o is None else o - base for o in table["objective"]]
    )
    table["minimal"] = [minimal_flag(result.nearness) for result in results.values()]
    return table


def _projects(case: Case, results: dict[str, Result]) -> pd.DataFrame:
    table = pd.DataFrame({"project": [p.id for p in case.projects]})
    for name, result in results.items():
        if result.plan is None:
            table[name] = None
            continue
        projects = result.plan.projects
        table[name] = [
            f"{row.level} from {row.start}" if row.funded else "off"
            for row in projects.itertuples(index=False)
        ]
    return table


def _changes(results: dict[str, Result]) -> pd.DataFrame:
    base = results[BASE].plan
    parts = []
    for name, result in results.items():
        if name == BASE or base is None or result.plan is None:
            continue
        changes = plan_changes(base, result.plan)
        changes.insert(0, "variant", name)
        parts.append(changes)
    if not parts:
        return pd.DataFrame(columns=["variant", *COLUMNS])
    return pd.concat(parts, ignore_index=True)
