"""``allocator alternatives``: other good portfolios within a band of the optimum."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
import typer

from allocator.alternatives.api import Alternatives, NoPlanError, alternatives
from allocator.alternatives.tables import presence, summary
from allocator.backends.options import DEFAULT_GAP
from allocator.backends.registry import DEFAULT_BACKEND
from allocator.case import Case
from allocator.commands.common import (
    EXIT_INFEASIBLE,
    BackendName,
    CaseFile,
    ExcelOut,
    Gap,
    HtmlOut,
    JsonOut,
    ScenarioName,
    SolverName,
    TimeLimit,
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
from allocator.report.alternatives_view import render_alternatives
from allocator.report.plan_json import CaseOrigin, header, records
from allocator.report.redirect import solver_output

Within = Annotated[
    float,
    typer.Option(
        "--within", metavar="REL", min=0.0, max=0.999, help="Band: at least (1 - REL) x optimum."
    ),
]


def alternatives_command(
    case_file: CaseFile,
    within: Within,
    count: Annotated[
        int, typer.Option("--count", "-k", min=1, help="Portfolios besides the optimum's.")
    ] = 5,
    every: Annotated[
        bool, typer.Option("--all", help="Every portfolio of the band, best first.")
    ] = False,
    scenario: ScenarioName = None,
    backend: BackendName = DEFAULT_BACKEND,
    solver: SolverName = None,
    time_limit: TimeLimit = None,
    gap: Gap = DEFAULT_GAP,
    json_out: JsonOut = None,
    html: HtmlOut = None,
    excel: ExcelOut = None,
) -> None:
    """Other good portfolios: as different as possible from the optimum and from each
    other (default), or every one in the band, best first (--all); each with the money
    it leaves on the table, then the projects funded in all, some and none.

    Exit status: 0 done, 2 bad input, 3 the case has no plan.
    """
    err, out = consoles(json_out)
    check_outputs(err, html, excel)
    case = read_case(err, case_file, scenario)
    runner = make_runner(err, backend, solver, time_limit, gap)
    with (
        refusals(err, case_file),
        solver_output(),
        spinner(err, "Searching the band", time_limit) as say,
    ):
        try:
            found = alternatives(case, within, count=count, every=every, runner=runner, done=say)
        except NoPlanError as error:
            fail(err, str(error), EXIT_INFEASIBLE)
    table, groups = summary(found), presence(case, found)
    document = alternatives_document(case, found, table, groups, case_origin(case_file, scenario))
    title = str(case_file) + (f" [{scenario}]" if scenario else "")
    render_alternatives(out, title, table, groups, document, case.money_unit)
    if json_out is not None:
        emit_json(err, json_out, document)
    emit_report(err, html, excel, "alternatives", title, document)


def alternatives_document(
    case: Case,
    found: Alternatives,
    table: pd.DataFrame,
    groups: pd.DataFrame,
    origin: CaseOrigin,
) -> dict[str, Any]:
    """The JSON: the common header (the optimum's solver), then optimum, within, floor,
    search, exhausted, stopped (why the search ended early, or null), alternatives (the
    optimum's portfolio first: rank, objective, left_on_table, funded, levels, starts,
    differs), presence (per project), core, contested, never and checked. ``table``
    and ``groups`` are ``summary(found)`` and ``presence(case, found)``."""
    first = found.found[0].result
    listed = []
    for alternative, row in zip(found.found, table.itertuples(index=False), strict=True):
        projects = alternative.result.plan.projects
        funded = projects[projects["funded"]]
        listed.append(
            {
                "rank": row.rank,
                "objective": row.objective,
                "left_on_table": row.left_on_table,
                "funded": funded["id"].tolist(),
                "levels": dict(zip(funded["id"], funded["level"], strict=True)),
                "starts": dict(zip(funded["id"], funded["start"], strict=True)),
                "differs": row.differs,
            }
        )
    return header(case, first.termination, origin) | {
        "optimum": found.optimum,
        "within": found.within,
        "floor": found.floor,
        "search": "every" if found.every else "different",
        "exhausted": found.exhausted,
        "stopped": found.stopped or None,
        "alternatives": listed,
        "presence": records(groups),
        "core": groups.loc[groups["group"] == "core", "project"].tolist(),
        "contested": groups.loc[groups["group"] == "contested", "project"].tolist(),
        "never": groups.loc[groups["group"] == "never", "project"].tolist(),
        "checked": all(
            a.result.verification is not None and a.result.verification.ok for a in found.found
        ),
    }
