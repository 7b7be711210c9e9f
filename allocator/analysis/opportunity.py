"""Opportunity costs: what each project costs the others, by forcing it in or out.

For every project (or the named ones): if the base plan funds it, it is forced out;
if not, it is forced in at each of its levels (any start of its window). Each
variant is the base formulation with other bounds (``variants``), re-solved with
the same backend and options. ``change`` = variant objective - base objective: the
cost (negative) of forcing the decision, which for a funded project is what it
adds to the plan, and for an unfunded one what keeping it would cost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import pandas as pd

from allocator.analysis.changes import COLUMNS, plan_changes
from allocator.analysis.kept import keep, kept, release
from allocator.analysis.parallel import solve_many, worker_count
from allocator.analysis.runner import Runner
from allocator.analysis.variants import force_in, force_out
from allocator.case.model import Case
from allocator.engine import Result
from allocator.errors import InputError
from allocator.formulation import formulate
from allocator.plan.nearness import minimal_flag

TABLE = ["project", "base", "forced", "status", "objective", "change", "changes", "minimal"]


@dataclass(frozen=True)
class Opportunity:
    """``table``: one row per forced variant: project, base (its state in the base plan),
    forced ("out" or "in at LEVEL"), status, objective, change, changes (how many other
    decisions change), minimal (``allocator.plan.nearness.minimal_flag``).
    ``changes``: project, forced, kind, id, before, after, text."""

    base: Result
    table: pd.DataFrame
    changes: pd.DataFrame
    results: list[Result] = field(repr=False)


def variants_of(case: Case, base: Result, projects: list[str] | None) -> list[tuple[str, str]]:
    """(project, forced) pairs: out for funded projects, in at each level for the others."""
    known = [p.id for p in case.projects]
    wanted = projects or known
    unknown = [p for p in wanted if p not in known]
    if unknown:
        raise InputError(f"no project named {', '.join(map(repr, unknown))}")
    funded = set(base.plan.funded) if base.plan is not None else set()
    pairs = []
    for project in case.projects:
        if project.id not in wanted:
            continue
        if project.id in funded:
            pairs.append((project.id, "out"))
        else:
            pairs += [(project.id, f"in at {level.id}") for level in project.all_levels]
    return pairs


def opportunity(
    case: Case,
    *,
    runner: Runner | None = None,
    projects: list[str] | None = None,
    base: Result | None = None,
    workers: int | None = None,
    done: Callable[[str], None] | None = None,
) -> Opportunity:
    """Solve the base case (unless ``base`` is given), then each forced variant (in
    ``workers`` processes; default one per CPU; ``runner`` None: ``Runner()``);
    ``done(label)`` after each variant."""
    runner = runner or Runner()
    base = base or runner.solve(case)
    if base.plan is None:
        raise InputError(f"the base case has no plan ({base.termination.status.value})")
    pairs = variants_of(case, base, projects)
    labels = [f"{project} {forced}" for project, forced in pairs]
    token = keep(base.formulation or formulate(case))
    task = partial(_solve_forced, runner.near(base), case, token)
    try:
        results = solve_many(task, pairs, labels, worker_count(len(pairs), workers), done)
    finally:
        release(token)
    rows, parts = [], []
    for (project, forced), result in zip(pairs, results, strict=True):
        changes = (
            plan_changes(base.plan, result.plan)
            if result.plan is not None
            else pd.DataFrame(columns=COLUMNS)
        )
        changes = changes[changes["id"] != project]
        changes.insert(0, "forced", forced)
        changes.insert(0, "project", project)
        parts.append(changes)
        rows.append(_row(base, result, project, forced, len(changes)))
    table = pd.DataFrame(rows, columns=TABLE)
    empty = pd.DataFrame(columns=["project", "forced", *COLUMNS])
    all_changes = pd.concat(parts, ignore_index=True) if parts else empty
    return Opportunity(base, table, all_changes, results)


def _solve_forced(runner: Runner, case: Case, token: str, pair: tuple[str, str]) -> Result:
    """The case's formulation (kept under ``token``) with one project forced out, or in
    at a level, solved."""
    project, forced = pair
    formulation = kept(token, case)
    model = (
        force_out(formulation, formulation.model, project)
        if forced == "out"
        else force_in(formulation, formulation.model, project, forced.removeprefix("in at "))
    )
    return runner.resolve(case, formulation, model)


def _row(base: Result, result: Result, project: str, forced: str, changed: int) -> list:
    state = base.plan.projects.set_index("id").loc[project]
    before = f"{state['level']} from {state['start']}" if state["funded"] else "off"
    objective = result.termination.objective
    change = None if objective is None else objective - base.termination.objective
    status = result.termination.status.value
    minimal = minimal_flag(result.nearness)
    return [project, before, forced, status, objective, change, changed, minimal]
