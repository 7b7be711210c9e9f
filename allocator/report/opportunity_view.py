"""The terminal report of opportunity costs: each forced decision, its cost, what it moves."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.text import Text

from allocator.analysis.opportunity import SCREEN_ABOVE, Opportunity
from allocator.plan.nearness import minimal_note
from allocator.report.tables import MAX_ROWS, bullets, cut, signed, table


def render_opportunity(console: Console, found: Opportunity, unit: str) -> None:
    """The summary table (cheapest to force first), then each variant's changes."""
    rows = found.table.sort_values("change", ascending=False, na_position="last")
    out = table(
        f"Forcing each project in or out against the optimum of "
        f"{found.base.termination.objective:,.2f} {unit} (change in {unit})",
        "project",
        "in the plan",
        "forced",
        "change",
        "moves",
        left=3,
    )
    for row in rows.head(MAX_ROWS).itertuples(index=False):
        planned = row.status in ("optimal", "feasible")
        moves = str(row.changes) if planned else ""
        out.add_row(row.project, row.base, row.forced, _change(row), moves)
    console.print(cut(out, len(rows), "variant"))
    console.print(
        Text(
            "change: the optimum with the decision forced, less the optimum; for a funded "
            "project it is what the project adds, for one left out what keeping it would "
            "cost. moves: how many other decisions change.",
            style="dim",
        )
    )
    if found.screened:
        why = f" {AUTOMATIC_NOTE.format(above=SCREEN_ABOVE)}" if found.automatic else ""
        console.print(Text(SCREENED_NOTE + why + "\n", style="dim"))
        return
    note = minimal_note([r.nearness for r in found.results])
    console.print(Text(note + "\n", style="dim") if note else "")
    for row in rows.itertuples(index=False):
        mine = found.changes[
            (found.changes["project"] == row.project) & (found.changes["forced"] == row.forced)
        ]
        _variant(console, found, row, mine, unit)


SCREENED_NOTE = (
    "screened: no variant was solved. Each change lies between the change of a plan "
    "found without a search (first) and a proven bound (second); where both are one "
    "figure it is exact. A bound can be above 0 only by the base plan's own gap."
)


AUTOMATIC_NOTE = (
    "Screened because more than {above:,} projects were forced; --no-screen solves every variant."
)


def _change(row: object) -> str:
    """The change as the table shows it: the figure, a screened range, or the status."""
    if row.status in ("optimal", "feasible"):
        return signed(row.change)
    if row.status != "screened":
        return row.status
    unknown = row.change_bound is None or row.change_bound != row.change_bound
    if row.change is None or row.change != row.change:
        return "no plan, no bound" if unknown else f"at most {signed(row.change_bound)}"
    if unknown:
        return f"at least {signed(row.change)}"
    low, high = signed(row.change), signed(row.change_bound)
    return low if low == high else f"{low} to {high}"


def _variant(
    console: Console, found: Opportunity, row: object, changes: pd.DataFrame, unit: str
) -> None:
    status = row.status
    head = f"{row.project} {row.forced}: "
    if status not in ("optimal", "feasible"):
        project = found.base.case.projects_by_id.get(row.project)
        why = "no plan keeps every rule"
        if status == "infeasible" and row.forced == "out" and project and project.must_fund:
            why = f"{row.project} must be funded"
        console.print(Text(head + f"{status}: {why}", style="bold"))
        console.print()
        return
    console.print(Text(head + f"{signed(row.change)} {unit}", style="bold"))
    if changes.empty:
        console.print(Text("   nothing else changes"))
    else:
        console.print(bullets(changes["text"]))
    console.print()
