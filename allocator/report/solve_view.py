"""The terminal report of a solve: headline, projects, capacity, contracts, cash, limits.

Every section fits an 80-column terminal; long lists are cut with a line saying
how many rows were left out (the CSV and JSON outputs have them all).
"""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from allocator.backends.termination import SolveStatus
from allocator.engine import Result
from allocator.plan import Plan
from allocator.report import tables
from allocator.report.numbers import amount, percent, plural, short

MAX_RESOURCES = 4
"""Resources shown side by side in the capacity table."""


def render_result(console: Console, title: str, result: Result) -> None:
    """Print the whole report of ``result``."""
    console.print(_headline(title, result))
    plan = result.plan
    if plan is None:
        return
    unit = result.case.money_unit
    sections: list[Table | Text] = [_projects(plan, unit)]
    if len(plan.supply):
        sections += [_capacity(plan), _contracts(plan, unit)]
    sections += [_cash(plan, unit, result.case.budget.carry_over), _limits(plan)]
    console.print()
    for section in sections:
        console.print(section)  # each table ends with a blank line


def status_line(result: Result) -> str:
    """The status in plain words, saying whether optimality is proven."""
    t = result.termination
    if t.status is SolveStatus.OPTIMAL:
        return "optimal (proven)" if t.proven_optimal else f"optimal within {percent(t.gap_limit)}"
    if t.status is SolveStatus.FEASIBLE:
        why = "time limit reached" if t.limit_reached else "stopped within the allowed gap"
        why = "interrupted" if t.interrupted else why
        return f"feasible, not proven optimal ({why})"
    if t.status is SolveStatus.NO_SOLUTION:
        return "no plan found within the time limit"
    if t.status is SolveStatus.INFEASIBLE:
        return "infeasible: no plan keeps every rule of the case"
    return t.status.value


def _headline(title: str, result: Result) -> Table:
    t = result.termination
    unit = result.case.money_unit
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    style = "bold green" if t.status is SolveStatus.OPTIMAL else "bold yellow"
    grid.add_row("case", Text(title, style="bold"))
    grid.add_row("status", Text(status_line(result), style=style))
    if t.objective is not None:
        objective = f"{t.objective:,.2f} {unit} ({result.case.objective.value})"
        grid.add_row("objective", objective)
    if t.bound is not None or t.gap is not None or t.status.has_solution:
        bound = f"{t.bound:,.2f}" if t.bound is not None else f"unknown ({t.solver} gives none)"
        gap = f"   gap {t.gap:.4%}" if t.gap is not None else ""
        grid.add_row("bound", f"{bound}{gap}")
    grid.add_row(
        "solver",
        f"{t.backend} / {t.solver} ({t.solver_version}), {t.seconds:.1f} s",
    )
    size = result.size
    grid.add_row(
        "model",
        f"{size['columns']:,} columns ({size['integers']:,} integer), {size['rows']:,} rows",
    )
    if t.message:
        grid.add_row("note", Text(t.message))
    for warning in result.warnings:
        grid.add_row("warning", Text(warning, style="yellow"))
    if result.verification is not None:
        grid.add_row("checked", "the plan keeps every rule of the case (independent checker)")
    return grid


def _projects(plan: Plan, unit: str) -> Table:
    projects = plan.projects
    funded = projects[projects["funded"]]
    table = tables.table(
        f"Projects: {len(funded)} of {len(projects)} funded (money in {unit}, compute in units)",
        "project",
        "level",
        "start",
        "value",
        "cost",
        "revenue",
        "compute",
    )
    for column in table.columns[1:3]:
        column.justify = "left"
        column.no_wrap = True
    shown = pd.concat([funded, projects[~projects["funded"]]]).head(tables.MAX_ROWS)
    for row in shown.itertuples(index=False):
        if row.funded:
            table.add_row(
                row.id, row.level, row.start, amount(row.value),
                amount(row.cost), amount(row.revenue), short(row.compute),
            )  # fmt: skip
        else:
            note = "must fund!" if row.must_fund else "not funded"
            table.add_row(Text(row.id, style="dim"), Text(note, style="dim"), *[""] * 5)
    return tables.cut(table, len(projects), "project", "see --csv or --json")


def _capacity(plan: Plan) -> Table:
    supply = plan.supply
    by = supply.groupby(["period", "resource"], sort=False)[["used", "available"]].sum()
    resources = list(dict.fromkeys(supply["resource"]))[:MAX_RESOURCES]
    periods = list(dict.fromkeys(supply["period"]))
    table = tables.table("Capacity used (units, share available)", "period", *resources)
    for period in periods:
        cells = []
        for resource in resources:
            if (period, resource) not in by.index:
                cells.append("")
                continue
            used, available = by.loc[(period, resource)]
            ratio = f" {used / available:4.0%}" if available > 0 else ""
            cells.append(f"{short(used)}{ratio}")
        table.add_row(period, *cells)
    more = len(dict.fromkeys(supply["resource"])) - len(resources)
    if more > 0:
        table.caption = f"... and {plural(more, 'resource')} more (see --csv or --json)"
    return table


def _contracts(plan: Plan, unit: str) -> Table:
    supply = plan.supply
    totals = supply.groupby("supply", sort=False).agg(
        kind=("kind", "first"),
        signed=("signed", "any"),
        paid=("paid", "sum"),
        used=("used", "sum"),
        idle=("idle", "sum"),
        money=("payment", "sum"),
    )
    table = tables.table(
        f"Supply: units paid for or bought, used, idle; money in {unit}",
        "option",
        "kind",
        "signed",
        "paid/bought",
        "used",
        "idle",
        "money",
    )
    for name, row in totals.head(tables.MAX_ROWS).iterrows():
        table.add_row(
            str(name), row["kind"], "yes" if row["signed"] else "no",
            short(row["paid"]), short(row["used"]), short(row["idle"]), amount(row["money"]),
        )  # fmt: skip
    return tables.cut(table, len(totals), "option", "see --csv or --json")


def _cash(plan: Plan, unit: str, carry_over: bool) -> Table:
    money = plan.money
    credit = plan.credit.groupby("period", sort=False)["balance"].sum()
    last = "cash" if carry_over else "surplus"
    columns = ("period", "in", "out", "net", last, "credit owed")
    table = tables.table(f"Money by period ({unit})", *columns)
    for row in money.itertuples(index=False):
        table.add_row(
            row.period, amount(row.money_in), amount(row.money_out), amount(row.net),
            amount(row.cash), amount(credit.get(row.period, 0.0)),
        )  # fmt: skip
    return table


def _limits(plan: Plan) -> Table | Text:
    binding = plan.binding
    if binding.empty:
        return Text("Binding limits: none; no limit holds the plan back.")
    table = tables.table("Binding limits", "limit", "where")
    table.columns[1].justify = "left"
    grouped = binding.groupby(["meaning", "subject"], sort=False)["period"]
    for (meaning, subject), periods in list(grouped)[: tables.MAX_ROWS]:
        when = ", ".join(p for p in periods if p is not None)
        where = " ".join(part for part in (subject, when and f"in {when}") if part)
        table.add_row(meaning, where)
    return tables.cut(table, grouped.ngroups, "limit", "see --csv or --json")
