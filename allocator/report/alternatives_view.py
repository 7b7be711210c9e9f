"""The terminal report of an alternatives search: each portfolio with its objective, the
money it leaves on the table and what it funds differently from the optimum; then the
robust core, the contested projects and those never funded."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.text import Text

from allocator.numbers import percent, plural
from allocator.report import tables


def render_alternatives(
    console: Console,
    title: str,
    summary: pd.DataFrame,
    presence: pd.DataFrame,
    headline: dict[str, object],
    money_unit: str,
) -> None:
    """Print the whole report."""
    within = float(headline["within"])  # type: ignore[arg-type]
    optimum = float(headline["optimum"])  # type: ignore[arg-type]
    floor = float(headline["floor"])  # type: ignore[arg-type]
    console.print(Text(title, style="bold"))
    console.print(
        f"optimum {optimum:,.2f} {money_unit}; band: at least {floor:,.2f} "
        f"(within {percent(within)}); search: {headline['search']}",
        markup=False,
    )
    others = len(summary) - 1
    if headline["exhausted"]:
        what = "no other portfolio" if others == 0 else f"{plural(others, 'other portfolio')}"
        console.print(f"the band holds {what}: every one is listed", markup=False)
    if headline.get("stopped"):
        console.print(
            f"the search stopped: {headline['stopped']}; the band may hold more", markup=False
        )
    console.print()
    console.print(_portfolios(summary, money_unit))
    console.print()
    console.print(_groups(presence))


def _portfolios(summary: pd.DataFrame, money_unit: str) -> object:
    out = tables.table(
        f"Portfolios (money in {money_unit})", "#", "objective", "left", "funded", "differs",
        left=1,
    )  # fmt: skip
    out.columns[-1].justify = "left"
    for row in summary.head(tables.MAX_ROWS).itertuples(index=False):
        differs = "the optimum" if row.rank == 0 else ", ".join(row.differs)
        out.add_row(
            str(row.rank),
            f"{row.objective:,.2f}",
            f"{row.left_on_table:,.2f} ({row.left_share:.1%})" if row.rank else "",
            str(row.funded),
            Text(differs),
        )
    return tables.cut(out, len(summary), "portfolio")


def _groups(presence: pd.DataFrame) -> object:
    """The robust core, the contested projects (with the share of portfolios funding
    them) and those never funded."""
    lines = []
    for group, words in (
        ("core", "funded in every portfolio (the robust core)"),
        ("contested", "funded in some (share of the portfolios)"),
        ("never", "funded in none"),
    ):
        ids = presence[presence["group"] == group]
        named = ids["project"].tolist()
        if group == "contested":
            named = [f"{p} {s:.0%}" for p, s in zip(ids["project"], ids["share"], strict=True)]
        lines.append(f"{words}: {', '.join(named) if named else 'none'}")
    return tables.bullets(lines)
