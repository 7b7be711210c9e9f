"""Opportunity costs: what each project costs the others, by forcing it in or out.

For every project (or the named ones): if the base plan funds it, it is forced out;
if not, it is forced in at each of its levels (any start of its window). Each
variant is the base formulation with other bounds (``variants``), re-solved with
the same backend and options. ``change`` = variant objective - base objective: the
cost (negative) of forcing the decision, which for a funded project is what it
adds to the plan, and for an unfunded one what keeping it would cost.

With ``screen``, no variant is re-solved: each gets a bracket (``allocator.analysis.
screen``), a proven bound and the objective of a plan found without a search, so
``change`` is that plan's and ``change_bound`` the best the change can be. A bracket no
wider than the gap of the base objective says as much as a solve at that gap would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from allocator.analysis.changes import COLUMNS, plan_changes
from allocator.analysis.parallel import run_many, solve_many, worker_count
from allocator.analysis.runner import Runner
from allocator.analysis.screen import Bracket, Screen
from allocator.analysis.variants import force_in, force_out
from allocator.case.model import Case
from allocator.engine import Result
from allocator.errors import InputError
from allocator.formulation import Formulation, formulate
from allocator.model.linear import LinearModel
from allocator.plan.nearness import minimal_flag

TABLE = [
    "project",
    "base",
    "forced",
    "status",
    "objective",
    "change",
    "changes",
    "minimal",
    "bound",
    "change_bound",
    "screened",
]

BATCHES_PER_WORKER = 16
"""Screened variants go to the worker processes in this many batches per worker."""

SCREEN_ABOVE = 200
"""Without ``--screen`` or ``--no-screen``, the command screens when it forces more than
this many projects. Each variant solved exactly costs a solve of the whole model (two
with the minimal-change search), so the analysis grows with the square of the size: 292 s
for 200 projects on 2 cores, against 7 s screened (docs/performance.md)."""


def automatic_screen(projects: int) -> bool:
    """Whether the command screens on its own when forcing ``projects`` projects."""
    return projects > SCREEN_ABOVE


@dataclass(frozen=True)
class Opportunity:
    """``table``: one row per forced variant: project, base (its state in the base plan),
    forced ("out" or "in at LEVEL"), status ("screened" for a bracket not solved),
    objective, change, changes (how many other decisions change; None when screened),
    minimal (``allocator.plan.nearness.minimal_flag``), bound (the variant's proven
    bound), change_bound (bound - base objective: the best the change can be),
    screened. ``changes``: project, forced, kind, id, before, after, text.
    ``results``: the re-solved variants' results (none when screened). ``automatic``:
    the command chose to screen by the size (``automatic_screen``)."""

    base: Result
    table: pd.DataFrame
    changes: pd.DataFrame
    results: list[Result] = field(repr=False)
    screened: bool = False
    automatic: bool = False


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
    screen: bool = False,
    scheduler: str | None = None,
) -> Opportunity:
    """Solve the base case (unless ``base`` is given), then each forced variant (in
    ``workers`` processes, default one per CPU, or on the Dask cluster at ``scheduler``:
    ``allocator.analysis.parallel``; ``runner`` None: ``Runner()``), or with ``screen``
    bracket each instead (module docstring); ``done(label)`` after each."""
    runner = runner or Runner()
    base = base or runner.solve(case)
    if base.plan is None:
        raise InputError(f"the base case has no plan ({base.termination.status.value})")
    pairs = variants_of(case, base, projects)
    formulation = base.formulation or formulate(case)
    if screen:
        return _screened(base, formulation, runner, pairs, workers, done, scheduler)
    labels = [f"{project} {forced}" for project, forced in pairs]
    shared = (runner.near(base), case, formulation)
    count = worker_count(len(pairs), workers)
    results = solve_many(_solve_forced, shared, pairs, labels, count, done, scheduler)
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


def _screened(
    base: Result,
    formulation: Formulation,
    runner: Runner,
    pairs: list[tuple[str, str]],
    workers: int | None,
    done: Callable[[str], None] | None,
    scheduler: str | None,
) -> Opportunity:
    """Every variant bracketed (``Screen``), in batches over the workers."""
    if base.values is None:
        raise InputError("screening needs the base plan's values (solve the base here)")
    screener = Screen.of(formulation, base.values, base.termination.bound, runner.gap)
    count = worker_count(len(pairs), workers)
    size = max(1, -(-len(pairs) // (count * BATCHES_PER_WORKER)))
    batches = [pairs[i : i + size] for i in range(0, len(pairs), size)]
    names = [str(i) for i in range(len(batches))]

    def finished(name: str) -> None:
        for project, forced in batches[int(name)]:
            if done:
                done(f"{project} {forced}")

    pool = count if len(batches) > 1 else 1
    try:
        shared = (formulation, screener)
        found = run_many(_bracket_batch, shared, batches, names, pool, finished, scheduler)
    finally:
        screener.close()
    brackets = [bracket for batch in found for bracket in batch]
    rows = [
        _screened_row(base, project, forced, bracket)
        for (project, forced), bracket in zip(pairs, brackets, strict=True)
    ]
    empty = pd.DataFrame(columns=["project", "forced", *COLUMNS])
    return Opportunity(base, pd.DataFrame(rows, columns=TABLE), empty, [], screened=True)


def _bracket_batch(
    shared: tuple[Formulation, Screen], batch: list[tuple[str, str]]
) -> list[Bracket]:
    """The brackets of a batch of forced variants of the formulation."""
    formulation, screener = shared
    return [screener.bracket(_forced_model(formulation, pair)) for pair in batch]


def _solve_forced(shared: tuple[Runner, Case, Formulation], pair: tuple[str, str]) -> Result:
    """The case's formulation with one project forced out, or in at a level, solved."""
    runner, case, formulation = shared
    return runner.resolve(case, formulation, _forced_model(formulation, pair))


def _forced_model(formulation: Formulation, pair: tuple[str, str]) -> LinearModel:
    """The formulation's model with the project forced out, or in at the level."""
    project, forced = pair
    if forced == "out":
        return force_out(formulation, formulation.model, project)
    return force_in(formulation, formulation.model, project, forced.removeprefix("in at "))


def _row(base: Result, result: Result, project: str, forced: str, changed: int) -> list:
    t = result.termination
    objective = t.objective
    change = None if objective is None else objective - base.termination.objective
    bound = t.bound
    change_bound = None if bound is None else bound - base.termination.objective
    minimal = minimal_flag(result.nearness)
    return [
        project,
        _before(base, project),
        forced,
        t.status.value,
        objective,
        change,
        changed,
        minimal,
        bound,
        change_bound,
        False,
    ]


def _screened_row(base: Result, project: str, forced: str, bracket: Bracket) -> list:
    reference = base.termination.objective
    status = "infeasible" if bracket.infeasible else "screened"
    plan, bound = bracket.plan, bracket.bound
    return [
        project,
        _before(base, project),
        forced,
        status,
        plan,
        None if plan is None else plan - reference,
        None,
        None,
        bound,
        None if bound is None else bound - reference,
        True,
    ]


def _before(base: Result, project: str) -> str:
    """The project's state in the base plan: "LEVEL from START", or "off"."""
    state = base.plan.projects.set_index("id").loc[project]
    return f"{state['level']} from {state['start']}" if state["funded"] else "off"
