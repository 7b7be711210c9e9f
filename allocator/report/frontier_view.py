"""The terminal report of a money frontier: value against money, the knee, what moves.

Every section fits an 80-column terminal.
"""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from allocator.analysis.frontier import Frontier
from allocator.analysis.restriction import unsolved
from allocator.case.money import FundingKind
from allocator.numbers import amount, plural
from allocator.plan.nearness import minimal_note
from allocator.report.tables import first_few, table

STATUS = {"optimal": "optimal", "feasible": "not proven", "no_solution": "no plan"}
"""Status words in the points table (others as they are)."""


def render_frontier(
    console: Console,
    title: str,
    frontier: Frontier,
    seconds: float | None = None,
    workers: int | None = None,
) -> None:
    """Print the headline, the points, the funded set at the first point and the moves."""
    first = frontier.results[0]
    unit = first.case.money_unit
    console.print(_headline(title, frontier, seconds, workers))
    console.print()
    console.print(_points(frontier, unit))
    console.print()
    _falls(console, frontier)
    _moves(console, frontier)


def factor_label(factor: float, decimals: int | None = None) -> str:
    """A factor as the report writes it: ``x0.5``, ``x1.25``; with ``decimals``, that many."""
    if decimals is None:
        return f"x{factor:g}"
    return f"x{factor:.{decimals}f}"


def _decimals(factors: pd.Series) -> int:
    """Decimals enough to tell the factors apart as written (1 to 4)."""
    for decimals in range(1, 4):
        if all(abs(round(f, decimals) - f) < 1e-9 for f in factors):
            return decimals
    return 4


def _headline(title: str, frontier: Frontier, seconds: float | None, workers: int | None) -> Table:
    case = frontier.results[0].case
    points = frontier.points
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    grid.add_row("case", Text(title, style="bold"))
    span = f"{factor_label(points['factor'].iloc[0])} to {factor_label(points['factor'].iloc[-1])}"
    grid.add_row("scaled", Text(f"{', '.join(frontier.scaled)}: {span}, {len(points)} points"))
    kept = _not_scaled(frontier)
    if kept:
        grid.add_row("not scaled", Text(kept))
    t = frontier.results[0].termination
    solved = f"{t.backend} / {t.solver} ({t.solver_version})"
    if seconds is not None:
        kept = unsolved(frontier.results)
        solved += f", {plural(len(points) - kept, 'solve')} in {seconds:.1f} s"
        if workers is not None:
            solved += f" on {workers} process" + ("es" if workers != 1 else "")
        if kept:
            solved += f"; {plural(kept, 'point')} the unscaled plan answers with no solve"
    grid.add_row("solver", Text(solved))
    grid.add_row("objective", f"{case.objective.value}, in {case.money_unit}")
    grid.add_row("knee", _knee(frontier, case.money_unit))
    if not frontier.monotone_expected:
        grid.add_row("note", Text(frontier.monotone_caveat, style="yellow"))
    return grid


LISTED = 40
"""The most ids or changes a line of the report names; the JSON has every one."""


def _not_scaled(frontier: Frontier) -> str:
    case = frontier.results[0].case
    parts = []
    for f in case.funding:
        if f"funding[{f.id}]" in frontier.scaled:
            continue
        if f.kind is FundingKind.CREDIT:
            parts.append(f"{f.id} (credit)")
        elif f.earmark:
            parts.append(f"{f.id} (earmarked)")
        else:
            parts.append(f.id)
    if "budget.amounts" not in frontier.scaled:
        parts.insert(0, "budget.amounts")
    if case.revenue is not None:
        parts.append("revenue")
    return ", ".join(parts)


def _knee(frontier: Frontier, unit: str) -> Text:
    knee = frontier.knee
    if knee is None:
        if frontier.points["objective"].notna().sum() < 3:
            return Text("none (fewer than three points have a plan)")
        return Text("none: no point lies above the line from the first point to the last")
    return Text.assemble(
        (f"{factor_label(knee.factor)}", "bold"),
        f" ({amount(knee.money)} {unit} of money, objective {amount(knee.objective)}): "
        f"each unit of money added {ratio(knee.before)} of objective up to it, "
        f"{ratio(knee.after)} past it",
    )


def ratio(value: float) -> str:
    """Objective per unit of money: three significant digits, thousands separated above 100."""
    if abs(value) >= 100:
        return amount(value)
    text = f"{value:.3g}"
    return "0" if float(text) == 0 else text


def _number(value: object) -> str:
    return "" if value is None or pd.isna(value) else amount(float(value))  # type: ignore[arg-type]


def _points(frontier: Frontier, unit: str) -> Table:
    out = table(
        f"Value against money ({unit})",
        "factor",
        "money",
        "status",
        "objective",
        "marginal",
        "funded",
        "",
    )
    out.caption = "marginal: objective gained per unit of money added"
    out.caption_justify = "left"
    out.columns[0].justify = "right"
    out.columns[-1].justify = "left"
    decimals = _decimals(frontier.points["factor"])
    for row in frontier.points.itertuples(index=False):
        funded = "" if pd.isna(row.funded) else str(row.funded)
        out.add_row(
            factor_label(row.factor, decimals),
            amount(row.money),
            STATUS.get(row.status, row.status),
            _number(row.objective),
            "" if pd.isna(row.marginal) else ratio(row.marginal),
            funded,
            Text("<- knee", style="bold") if row.knee else "",
        )
    return out


def _falls(console: Console, frontier: Frontier) -> None:
    falls = frontier.falls
    if falls.empty:
        return
    heading = "Where more money gave a lower optimum"
    why = (
        frontier.monotone_caveat
        if not frontier.monotone_expected
        else "unexpected: the model implies more money never lowers the optimum"
        + ("" if falls["proven"].all() else " (some points are not proven optimal)")
    )
    console.print(Text(heading, style="bold yellow"))
    note = Table.grid(padding=(0, 1))
    note.add_column(no_wrap=True)
    note.add_column()
    note.add_row("", Text(why, style="yellow"))
    console.print(note)
    lines = Table.grid(padding=(0, 1))
    lines.add_column(no_wrap=True)
    lines.add_column()
    decimals = _decimals(frontier.points["factor"])
    for row in falls.itertuples(index=False):
        after = "no plan" if pd.isna(row.to_objective) else amount(row.to_objective)
        a, b = (factor_label(f, decimals) for f in (row.from_factor, row.to_factor))
        lines.add_row(f" {a} -> {b}", f"{amount(row.from_objective)} -> {after}")
    console.print(lines)
    console.print()


def _moves(console: Console, frontier: Frontier) -> None:
    points = frontier.points
    have = points[points["objective"].notna()]
    if have.empty:
        console.print(Text("No point has a plan.", style="bold"))
        return
    first = have.iloc[0]
    funded = list(first["funded_ids"])
    heading = f"Funded at {factor_label(first['factor'])}: {plural(len(funded), 'project')}"
    console.print(Text(heading, style="bold"))
    console.print(Text("  " + (", ".join(first_few(funded, "project", LISTED)) or "none")))
    console.print()
    moves = frontier.moves
    if moves.empty:
        console.print(Text("The funded set is the same at every point with a plan.", style="bold"))
        return
    console.print(Text("As money rises (+ enters, - leaves, ~ another level)", style="bold"))
    lines = Table.grid(padding=(0, 1))
    lines.add_column(no_wrap=True)
    lines.add_column()
    case = frontier.results[0].case
    decimals = _decimals(frontier.points["factor"])
    order = {"entered": 0, "left": 1, "resized": 2, "moved": 3}
    for (a, b), group in moves.groupby(["from_factor", "to_factor"], sort=False):
        parts = []
        for move in sorted(group.itertuples(index=False), key=lambda m: order[m.move]):
            levels = case.projects_by_id[move.project].levels
            level = f" ({move.level})" if levels is not None and len(levels) > 1 else ""
            if move.move == "entered":
                parts.append(f"+ {move.project}{level}")
            elif move.move == "left":
                parts.append(f"- {move.project}")
            elif move.move == "resized":
                parts.append(f"~ {move.text}")
        shifted = int((group["move"] == "moved").sum())
        if shifted:
            parts.append(f"{plural(shifted, 'start')} shift" + ("s" if shifted == 1 else ""))
        step = f" {factor_label(a, decimals)} -> {factor_label(b, decimals)}"
        lines.add_row(step, Text("; ".join(first_few(parts, "change", LISTED))))
    console.print(lines)
    note = minimal_note([r.nearness for r in frontier.results], "the unscaled case's plan")
    if note:
        console.print(Text(note, style="dim"))
    console.print()
