"""``allocator replan``: an earlier plan held through a period, the rest re-optimised."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from allocator.analysis.runner import Change
from allocator.backends.options import DEFAULT_GAP
from allocator.backends.registry import DEFAULT_BACKEND
from allocator.backends.termination import SolveStatus
from allocator.case import Case
from allocator.commands.common import (
    EXIT_INFEASIBLE,
    EXIT_NO_PLAN,
    EXIT_OK,
    BackendName,
    CaseFile,
    ChangeRule,
    ExcelOut,
    Gap,
    HtmlOut,
    JsonOut,
    ScenarioName,
    SolverName,
    TimeLimit,
    WarmStart,
    case_origin,
    check_outputs,
    consoles,
    emit_json,
    emit_report,
    fail,
    make_runner,
    read_case,
    refusals,
    spinner,
)
from allocator.commands.explain import explanation_document
from allocator.errors import InputError
from allocator.hedging.decisions import FirstStage
from allocator.hedging.plan_file import check_ids, read_plan
from allocator.plan.nearness import nearness_document
from allocator.replanning.api import Replan, freeze_index, replan
from allocator.report.plan_json import CaseOrigin, records, result_document
from allocator.report.redirect import solver_output
from allocator.report.replan_view import render_replan

PlanFile = Annotated[
    Path,
    typer.Option(
        "--plan", metavar="PLAN.json", help="The earlier plan: a solve, hedge or replan JSON."
    ),
]
FreezeThrough = Annotated[
    str,
    typer.Option(
        "--freeze-through", metavar="PERIOD", help="Last period whose decisions are kept."
    ),
]


def replan_command(
    case_file: CaseFile,
    plan: PlanFile,
    freeze_through: FreezeThrough,
    scenario: ScenarioName = None,
    backend: BackendName = DEFAULT_BACKEND,
    solver: SolverName = None,
    time_limit: TimeLimit = None,
    gap: Gap = DEFAULT_GAP,
    change: ChangeRule = Change.MINIMAL,
    warm_start: WarmStart = False,
    json_out: JsonOut = None,
    html: HtmlOut = None,
    excel: ExcelOut = None,
) -> None:
    """Keep what an earlier plan decided through a period, re-optimise the rest of the
    (updated) case, and say what the freeze costs and what changes.

    Exit status: 0 a plan, 2 bad input, 3 the frozen decisions cannot be kept under the
    updated case (or it has no plan at all), 4 no plan within the time limit.
    """
    err, out = consoles(json_out)
    check_outputs(err, html, excel)
    case = read_case(err, case_file, scenario)
    runner = make_runner(err, backend, solver, time_limit, gap, change, warm_start)
    with refusals(err, case_file):
        earlier = _earlier(case, plan, freeze_through)
        with (
            spinner(err, "Solving the replan and the full re-optimum", time_limit),
            solver_output(),
        ):
            found = replan(case, earlier, freeze_through, runner)
    title = str(case_file) + (f" [{scenario}]" if scenario else "")
    render_replan(out, title, found, str(plan))
    document = replan_document(found, case_origin(case_file, scenario), plan)
    if json_out is not None:
        emit_json(err, json_out, document)
    emit_report(err, html, excel, "replan", title, document, found.result.case)
    _exit(err, found, case_file, freeze_through)


def _earlier(case: Case, plan: Path, freeze_through: str) -> FirstStage:
    """The earlier plan as a first stage through the horizon's end; a plan for another
    case, or a hedge that decided less than the freeze asks, is bad input."""
    freeze = freeze_index(case, freeze_through)
    read = read_plan(plan, case, len(case.periods) - 1)
    name, commit = read.case_name, read.commit_through
    if name is not None and name != case.name:
        raise InputError(f"{plan}: a plan for the case {name!r}, not {case.name!r}")
    if commit is not None and case.period_index.get(commit, -1) < freeze:
        raise InputError(
            f"{plan}: a hedge decides only through {commit}; freeze through it or earlier"
        )
    check_ids(plan, case, read.stage)
    return read.stage


def replan_document(found: Replan, origin: CaseOrigin, plan: Path) -> dict[str, Any]:
    """The JSON of a replan: the solve document of the new plan, then frozen_through,
    plan_file, conflicts, changes, full_objective, freeze_cost and minimal_change."""
    full = found.full.termination
    return result_document(found.result, origin) | {
        "frozen_through": found.frozen_through,
        "plan_file": str(plan),
        "conflicts": list(found.conflicts),
        "changes": records(found.changes),
        "full_objective": full.objective if found.full.plan is not None else None,
        "full_status": full.status.value,
        "freeze_cost": found.freeze_cost,
        "minimal_change": nearness_document(found.result.nearness),
        "explanation": None
        if found.explanation is None
        else explanation_document(found.explanation, found.result.case, origin),
    }


def _exit(err: Console, found: Replan, case_file: Path, freeze_through: str) -> None:
    """Exit 3 when the frozen decisions cannot be kept, 4 without a plan in time."""
    status = found.result.termination.status
    if found.result.plan is not None:
        raise typer.Exit(EXIT_OK)
    if status is SolveStatus.INFEASIBLE:
        reasons = list(found.conflicts)
        if found.explanation is not None:
            reasons += list(found.explanation.changes["text"])  # each says what would need what
        fail(
            err,
            f"the decisions frozen through {freeze_through} cannot all be kept under "
            f"{case_file}" + (": " + "; ".join(reasons) if reasons else ""),
            EXIT_INFEASIBLE,
        )
    fail(err, f"no plan: {found.result.termination.message}", EXIT_NO_PLAN)
