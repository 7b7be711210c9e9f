"""The terminal report of a solve: headline, projects, capacity, supply, funding, cash, limits.

Every section fits an 80-column terminal and keeps ids whole; long lists are cut
with a line saying how many rows were left out (the CSV and JSON outputs have
them all). Sections read the plan's tables, and the case for its terms (rates,
limits, earmarks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from allocator.backends.termination import SolveStatus, Termination
from allocator.case.model import Case
from allocator.case.money import Funding
from allocator.decompose.auto import AUTO_ABOVE
from allocator.engine import Result
from allocator.numbers import amount, percent, plural, short
from allocator.plan import Plan
from allocator.report import tables

if TYPE_CHECKING:
    from allocator.decompose.api import Decomposition

MAX_RESOURCES = 4
"""Resources shown side by side in the capacity table."""


def render_result(console: Console, title: str, result: Result) -> None:
    """Print the whole report of ``result``."""
    console.print(_headline(title, result))
    plan = result.plan
    if plan is None:
        return
    case = result.case
    unit = case.money_unit
    sections: list[Table | Text] = [_projects(plan, unit)]
    if len(plan.supply):
        sections += [_capacity(plan), *_supply(plan, unit)]
    sections += _funding(plan, case, unit)
    sections += [_cash(plan, unit, case.budget.carry_over), _limits(plan)]
    console.print()
    for section in sections:
        console.print(section)  # each table ends with a blank line, before its caption
        if isinstance(section, Table) and section.caption:
            console.print()


def status_line(result: Result) -> str:
    """The status in plain words, saying whether optimality is proven."""
    return status_words(result.termination)


def status_words(t: Termination) -> str:
    """A termination's status in plain words, saying whether optimality is proven."""
    if t.status is SolveStatus.OPTIMAL:
        return "optimal (proven)" if t.proven_optimal else f"optimal within {percent(t.gap_limit)}"
    if t.status is SolveStatus.FEASIBLE:
        why = "time limit reached" if t.limit_reached else "stopped within the allowed gap"
        if not t.limit_reached and t.gap is not None and t.gap > t.gap_limit:
            why = f"gap {t.gap:.3%} above the {percent(t.gap_limit)} asked"
        why = "interrupted" if t.interrupted else why
        return f"feasible, not proven optimal ({why})"
    if t.status is SolveStatus.NO_SOLUTION:
        return "no plan found" + (" within the time limit" if t.limit_reached else "")
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
    version = f" ({t.solver_version})" if t.solver_version else ""
    grid.add_row("solver", f"{t.backend} / {t.solver}{version}, {t.seconds:.1f} s")
    if result.solver_why:
        grid.add_row("", Text(result.solver_why, style="dim"))
    size = result.size
    grid.add_row(
        "model",
        f"{size['columns']:,} columns ({size['integers']:,} integer), {size['rows']:,} rows",
    )
    if result.decomposition is not None:
        grid.add_row("parts", Text(parts_line(result.decomposition)))
    if t.message:
        grid.add_row("note", Text(t.message))
    for warning in result.warnings:
        grid.add_row("warning", Text(warning, style="yellow"))
    if result.verification is not None:
        grid.add_row("checked", "the plan keeps every rule of the case (independent checker)")
    return grid


def parts_line(found: Decomposition) -> str:
    """The parts of a decomposed solve in one line: whether the split was automatic,
    sizes, seconds, what their plans add up to, the parts without a plan, and whether
    the whole case was repaired."""
    failed = [p.part + 1 for p in found.parts if p.objective is None]
    line = f"{part_sizes(found)}, solved in {found.seconds['parts']:.1f} s"
    if found.automatic:
        line = f"by parts, as for every case above {AUTO_ABOVE:,} projects: {line}"
    if found.combined is not None:
        line += f"; their plans add up to {found.combined:,.2f}"
    if failed:
        which = "part" if len(failed) == 1 else "parts"
        line += f"; {which} {', '.join(map(str, failed))} found no plan"
        line += f" ({plural(found.left_open, 'project')} decided on the whole case)"
    line += "; repaired on the whole case" if found.repaired else "; taken as they add up"
    return line


def part_sizes(found: Decomposition) -> str:
    """How many parts and how large: "16 parts of 6,250 projects each", or "2 parts of
    1 to 3 projects" when they differ."""
    sizes = [p.projects for p in found.parts]
    least, most = min(sizes), max(sizes)
    if least == most:
        return f"{plural(len(sizes), 'part')} of {plural(most, 'project')} each"
    return f"{plural(len(sizes), 'part')} of {least:,} to {most:,} projects"


def _projects(plan: Plan, unit: str) -> Table:
    projects = plan.projects
    funded = projects[projects["funded"]]
    table = tables.table(
        f"Projects: {len(funded):,} of {len(projects):,} funded (money in {unit}, compute in "
        "unit-periods)",
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
    return _cut(table, len(projects), "project")


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


def _supply(plan: Plan, unit: str) -> list[Table]:
    """Contracts and spot (unit-periods paid for), then purchases (units bought once)."""
    totals = plan.supply.groupby("supply", sort=False).agg(
        kind=("kind", "first"),
        signed=("signed", "any"),
        bought=("bought", "sum"),
        owned=("available", "sum"),
        paid=("paid", "sum"),
        used=("used", "sum"),
        idle=("idle", "sum"),
        money=("payment", "sum"),
    )
    purchase = totals["kind"] == "purchase"
    out = []
    if (~purchase).any():
        rented = tables.table(
            f"Supply: contracts and spot (use in unit-periods, money in {unit})",
            "option", "kind", "signed", "paid for", "used", "idle", "money", left=3,
        )  # fmt: skip
        _caption(
            rented,
            "a unit-period is one unit for one period; paid for: the units used, or the "
            "take-or-pay minimum where larger; idle: paid for, not used",
        )
        shown = totals[~purchase]
        for name, row in shown.head(tables.MAX_ROWS).iterrows():
            rented.add_row(
                str(name), row["kind"], _yes(row["signed"]), short(row["paid"]),
                short(row["used"]), short(row["idle"]), amount(row["money"]),
            )  # fmt: skip
        out.append(_cut(rented, len(shown), "option"))
    if purchase.any():
        bought = tables.table(
            f"Supply: purchases (units bought; use in unit-periods; money in {unit})",
            "option", "signed", "units bought", "owned", "used", "idle", "money", left=2,
        )  # fmt: skip
        _caption(
            bought,
            "units bought: each unit counted once; owned: the units within their life, "
            "summed over periods; idle: owned, not used",
        )
        shown = totals[purchase]
        for name, row in shown.head(tables.MAX_ROWS).iterrows():
            bought.add_row(
                str(name), _yes(row["signed"]), short(row["bought"]), short(row["owned"]),
                short(row["used"]), short(row["idle"]), amount(row["money"]),
            )  # fmt: skip
        out.append(_cut(bought, len(shown), "option"))
    return out


def _funding(plan: Plan, case: Case, unit: str) -> list[Table]:
    """Equity sources (taken or not, received, what earmarked money paid, returns) and
    credit lines (drawn, peak owed and when, interest)."""
    out = []
    funding = plan.funding
    equity = funding[funding["kind"] != "credit"]
    if len(equity):
        out.append(_equity(plan, equity, case, unit))
    if (funding["kind"] == "credit").any():
        out.append(_credit(plan, case, unit))
    return out


def _equity(plan: Plan, equity: pd.DataFrame, case: Case, unit: str) -> Table:
    sources = {f.id: f for f in case.funding}
    paid = plan.earmarks.groupby(["funding", "supply"], sort=False)["amount"].sum()
    returns = any(f.guaranteed_return for f in case.funding)
    columns = ["source", "taken", "received", "earmarked: paid to"]
    table = tables.table(f"Funding: equity ({unit})", *columns, *["return paid"] * returns, left=2)
    table.columns[3].justify = "left"
    terms = []
    for row in equity.head(tables.MAX_ROWS).itertuples(index=False):
        source = sources.get(row.funding)
        earmark = source is not None and bool(source.earmark)
        spent = paid[row.funding] if row.funding in paid.index.get_level_values(0) else None
        lines = [] if spent is None else [f"{s} {amount(v)}" for s, v in spent.items()]
        if earmark:
            left = row.received - (0.0 if spent is None else float(spent.sum()))
            if left > 1e-6 * max(1.0, row.received):
                lines.append(f"{amount(left)} unspent")
            lines = lines or ["nothing"]  # not taken, or nothing arrived
        to = Text("\n".join(lines)) if earmark else Text("not earmarked", style="dim")
        cells = [row.funding, _taken(row.taken), amount(row.received), to]
        if returns:
            rate = source.guaranteed_return if source is not None else 0.0
            cells.append(amount(row.guaranteed_returns) if rate else "")
        table.add_row(*cells)
        if source is not None and (source.optional or source.guaranteed_return):
            terms.append(f"{row.funding}: {_terms(source)}")
    if terms:
        _caption(table, "\n".join(terms))
    return _cut(table, len(equity), "source")


def _terms(source: Funding) -> str:
    """An equity source's choice and cost: optional, divisible, its guaranteed return."""
    parts = []
    if source.optional:
        parts.append("optional" + (" (any part may be taken)" if source.divisible else ""))
    if source.guaranteed_return:
        parts.append(f"{source.guaranteed_return:.1%} a year guaranteed return on what is taken")
    return "; ".join(parts)


def _taken(share: float) -> str:
    if share >= 1 - 1e-9:
        return "yes"
    return "no" if share <= 1e-9 else f"{share:.0%}"


def _credit(plan: Plan, case: Case, unit: str) -> Table:
    credit = plan.credit
    limits = {f.id: f.limit for f in case.funding}
    table = tables.table(
        f"Funding: credit lines ({unit})",
        "line", "limit", "drawn", "peak owed", "in", "interest", "owed at end",
    )  # fmt: skip
    table.columns[4].justify = "left"
    lines = plan.funding[plan.funding["kind"] == "credit"]
    for row in lines.itertuples(index=False):
        mine = credit[credit["funding"] == row.funding]
        peak = float(mine["balance"].max()) if len(mine) else 0.0
        when = mine["period"].iloc[int(mine["balance"].to_numpy().argmax())] if peak > 0 else ""
        end = float(mine["balance"].iloc[-1]) if len(mine) else 0.0
        limit = limits.get(row.funding)
        table.add_row(
            row.funding, "" if limit is None else amount(limit), amount(row.received),
            amount(peak), when, amount(float(mine["interest"].sum())), amount(end),
        )  # fmt: skip
    return _cut(table, len(lines), "credit line")


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _caption(table: Table, text: str) -> None:
    table.caption = text
    table.caption_justify = "left"


def _cut(table: Table, total: int, what: str) -> Table:
    """The table, with a caption line if rows were left out."""
    if total > tables.MAX_ROWS:
        more = f"... and {plural(total - tables.MAX_ROWS, what)} more (see --csv or --json)"
        table.caption = f"{table.caption}\n{more}" if table.caption else more
        table.caption_justify = "left"
    return table


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
