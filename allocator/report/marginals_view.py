"""The terminal report of marginal values: LP duals of the portfolio, then discrete steps."""

from __future__ import annotations

import pandas as pd
from rich.console import Console, Group
from rich.text import Text

from allocator.analysis.marginals import Marginals
from allocator.analysis.restriction import unsolved
from allocator.numbers import plural
from allocator.plan.nearness import minimal_note
from allocator.report.tables import MAX_ROWS, bullets, cut, first_few, per_unit, signed, table

MOVES_LISTED = 12
"""The most projects a step's list of moves names; the JSON's ``portfolio`` has every one."""


def render_marginals(console: Console, marginals: Marginals, unit: str) -> None:
    """Print both parts, each with what it means."""
    console.print(_duals(marginals, unit))
    console.print(_steps(marginals, unit))
    note = minimal_note([r.nearness for r in marginals.results])
    if note:
        console.print(Text(note + "\n", style="dim"))
    kept = unsolved(marginals.results)
    if kept:
        console.print(Text(f"{_kept(kept)}\n", style="dim"))


def _kept(count: int) -> str:
    """The note on steps the base plan answered."""
    steps = plural(count, "step")
    return (
        f"{steps} only narrow{'s' if count == 1 else ''} limits the base plan keeps: its "
        "optimum is at most the base's bound, so the base plan answers it within the "
        "base's gap, with no solve."
    )


def _duals(marginals: Marginals, unit: str) -> Text | object:
    duals = marginals.duals
    note = (
        f"Marginal values ({unit} per unit), from the LP of the chosen portfolio "
        f"({marginals.dual_solver}): every project, level, start, contract and block "
        "fixed as in the plan. They hold for small changes only and never see the "
        "portfolio change; the steps below do."
    )
    if duals.empty:
        return Text(note + "\nNo limit has a marginal value for this portfolio.\n")
    order = duals.reindex(duals["value"].abs().sort_values(ascending=False).index)
    out = table(note, "limit", "subject", "period", "value", "per", left=3)
    out.columns[0].no_wrap = False  # the limit is in words: it wraps, the subject's id does not
    out.columns[1].no_wrap = True
    for row in order.head(MAX_ROWS).itertuples(index=False):
        period = "" if row.period is None or pd.isna(row.period) else str(row.period)
        out.add_row(row.limit, row.subject, period, per_unit(row.value), row.per)
    return cut(out, len(duals), "limit")


def _steps(marginals: Marginals, unit: str) -> object:
    steps = marginals.steps
    steps = steps.assign(where=steps["subject"].where(steps["subject"] != "", steps["period"]))
    if steps.empty:
        return Text("No budget, capacity or optional funding to move.\n")
    up_step = steps.loc[steps["step"] > 0, "step"].iloc[0]
    down_step = steps.loc[steps["step"] < 0, "step"].iloc[0]
    out = table(
        f"Moving each lever by a step and solving again (change in the optimum, {unit})",
        "lever",
        "where",
        _pct(up_step),
        _pct(down_step),
        "projects that move",
        left=2,
    )
    out.columns[1].no_wrap = True
    moved = []
    for (lever, where), group in steps.groupby(["lever", "where"], sort=False):
        up = group[group["step"] > 0].iloc[0]
        down = group[group["step"] < 0].iloc[0]
        counts = []
        for r in (up, down):
            lines = [text for text in str(r["portfolio"] or "").splitlines() if text]
            counts.append(str(len(lines)))
            if lines:
                moved.append((f"{lever} {where} {_pct(r['step'])}: {_change(r)} {unit}", lines))
        out.add_row(lever, str(where), _change(up), _change(down), " / ".join(counts))
    out.caption = (
        f"projects that move: how many projects are funded, sized or started otherwise "
        f"at {_pct(up_step)} / {_pct(down_step)}"
    )
    out.caption_justify = "left"
    if not moved:
        return Group(out, Text("\nNo step changes the portfolio.\n"))
    parts: list[object] = [out, Text("")]
    for heading, lines in moved:
        shown = first_few(lines, "project", MOVES_LISTED)
        parts += [Text(heading, style="bold"), bullets(shown), Text("")]
    return Group(*parts)


def _pct(step: float) -> str:
    return f"{step:+.0%}"


def _change(row: pd.Series) -> str:
    return signed(row["change"]) if row["status"] in ("optimal", "feasible") else row["status"]
