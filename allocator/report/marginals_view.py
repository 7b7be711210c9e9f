"""The terminal report of marginal values: LP duals of the portfolio, then discrete steps."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.text import Text

from allocator.analysis.marginals import Marginals
from allocator.report.tables import MAX_ROWS, bullets, cut, per_unit, signed, table


def render_marginals(console: Console, marginals: Marginals, unit: str) -> None:
    """Print both parts, each with what it means."""
    console.print(_duals(marginals, unit))
    console.print(_steps(marginals, unit))


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
    for row in order.head(MAX_ROWS).itertuples(index=False):
        period = "" if row.period is None or pd.isna(row.period) else str(row.period)
        out.add_row(row.limit, row.subject, period, per_unit(row.value), row.per)
    return cut(out, len(duals), "limit")


def _steps(marginals: Marginals, unit: str) -> object:
    steps = marginals.steps
    steps = steps.assign(where=steps["subject"].where(steps["subject"] != "", steps["period"]))
    if steps.empty:
        return Text("No budget, capacity or optional funding to move.\n")
    out = table(
        f"Moving each lever by a step and solving again (change in {unit})",
        "lever",
        "where",
        "up",
        "down",
        "portfolio changes",
        left=2,
    )
    out.columns[4].justify = "left"
    for (lever, where), group in steps.groupby(["lever", "where"], sort=False):
        up = group[group["step"] > 0].iloc[0]
        down = group[group["step"] < 0].iloc[0]
        changes = [
            f"{_pct(r['step'])}: {text}"
            for r in (up, down)
            for text in str(r["portfolio"] or "").splitlines()
        ]
        out.add_row(lever, where, _change(up), _change(down), bullets(changes) if changes else "")
    return out


def _pct(step: float) -> str:
    return f"{step:+.0%}"


def _change(row: pd.Series) -> str:
    return signed(row["change"]) if row["status"] in ("optimal", "feasible") else row["status"]
