"""``allocator explain``: why a case has no plan, and what would change that."""

from __future__ import annotations

from typing import Any

from allocator.backends.options import DEFAULT_GAP
from allocator.backends.registry import DEFAULT_BACKEND
from allocator.case import Case
from allocator.commands.common import (
    BackendName,
    CaseFile,
    Gap,
    JsonOut,
    ScenarioName,
    SolverName,
    TimeLimit,
    case_origin,
    consoles,
    emit_json,
    make_runner,
    read_case,
    refusals,
    spinner,
)
from allocator.explain import Explanation, explain
from allocator.report.explain_view import render_explanation
from allocator.report.plan_json import CaseOrigin, header, records
from allocator.report.redirect import solver_output


def explain_command(
    case_file: CaseFile,
    scenario: ScenarioName = None,
    backend: BackendName = DEFAULT_BACKEND,
    solver: SolverName = None,
    time_limit: TimeLimit = None,
    gap: Gap = DEFAULT_GAP,
    json_out: JsonOut = None,
) -> None:
    """Explain an infeasible case: the smallest changes that make it feasible, in the
    case's words and units, and a set of limits that cannot all hold together.

    Exit status: 0 explained (or the case has a plan), 2 bad input.
    """
    err, out = consoles(json_out)
    case = read_case(err, case_file, scenario)
    runner = make_runner(err, backend, solver, time_limit, gap)
    with (
        refusals(err, case_file),
        solver_output(),
        spinner(err, "Explaining", time_limit) as say,
    ):
        found = explain(case, runner=runner, progress=say)
    title = str(case_file) + (f" [{scenario}]" if scenario else "")
    render_explanation(out, title, found)
    if json_out is not None:
        document = explanation_document(found, case, case_origin(case_file, scenario))
        emit_json(err, json_out, document)


def explanation_document(found: Explanation, case: Case, origin: CaseOrigin) -> dict[str, Any]:
    """The JSON of an explanation of ``case``: the header (the solver is the elastic
    solve's), then feasible, changes, conflict, conflict_minimal, feasibility_checks."""
    return header(case, found.termination, origin) | {
        "feasible": found.feasible,
        "changes": records(found.changes),
        "conflict": records(found.conflict),
        "conflict_minimal": found.minimal,
        "feasibility_checks": found.checks,
    }
