"""The terminal report of a two-stage plan: what to decide now, and what it gives.

Reads a ``Hedge`` (allocator/hedging/api.py): the headline (the futures, what is decided
now, the method (extensive form or decomposition), its status, the bound no first
stage beats and the gap, the expected objective, the CVaR, VSS and EVPI each with what
it means in one line), the first stage in words, what the expected-value plan would do
instead, and each future's outcome (objective; with hindsight; under the
expected-value plan's first stage; lowest cash; credit peak; then the drawn values and
the projects its plan leaves out). 80 columns, every id whole.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from allocator.case.model import Case
from allocator.hedging.api import EVALUATED, Hedge
from allocator.numbers import amount, plural
from allocator.report import tables
from allocator.report.hedge_words import differences, stage_words
from allocator.report.solve_view import status_words
from allocator.report.sweep_view import chance

VSS_MEANS = "what choosing for every future at once adds over planning for the average future"
OUTCOME_NOTE = (
    "hindsight: the future's own best plan, had it been known; {ev}lowest cash: the "
    "least cash at a period end; credit peak: the most owed on credit."
)
EV_NOTE = "EV plan: the expected-value plan's first stage held in the future; "
EVPI_MEANS = "what knowing the future before deciding would add: the most worth paying to learn it"


def render_hedge(console: Console, title: str, hedge: Hedge, case: Case) -> None:
    """Print the whole report of ``hedge``."""
    console.print(_headline(title, hedge, case))
    console.print()
    if hedge.stage is None:
        console.print(Text("There is no first stage to describe.", style="bold"))
        return
    words = stage_words(case, hedge.first_stage, hedge.commit)
    heading = "Decide now (the plan evaluated)" if _evaluated(hedge) else "Decide now"
    console.print(Text(heading, style="bold"))
    console.print(tables.bullets(words or ["nothing is decided by then"]))
    console.print()
    _expected_value(console, hedge, case, words)
    console.print(_outcomes(hedge, case.money_unit))
    ev = EV_NOTE if "ev_objective" in hedge.futures else ""
    console.print(Text(OUTCOME_NOTE.format(ev=ev), style="dim"))
    console.print()
    console.print(_draws(hedge, [p.id for p in case.projects]))


def _evaluated(hedge: Hedge) -> bool:
    return hedge.status == EVALUATED


def _headline(title: str, hedge: Hedge, case: Case) -> Table:
    unit = case.money_unit
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    grid.add_row("case", Text(title, style="bold"))
    count = len(hedge.futures)
    kind = (
        f"{plural(count, 'future')}: every combination of the choices, by probability"
        if hedge.grid
        else f"{plural(count, 'future')}: Monte Carlo draws (seed {hedge.seed}), equal weights"
    )
    grid.add_row("futures", kind)
    grid.add_row(
        "decided now", f"signatures, equity, and purchases, credit and starts to {hedge.commit}"
    )
    grid.add_row("objective", _aim(hedge, case))
    method = _method(hedge)
    if method:
        grid.add_row("method", method)
    grid.add_row("status", _status(hedge))
    if hedge.bound is not None:
        grid.add_row("bound", _bound(hedge, unit))
    if hedge.expected_objective is not None:
        grid.add_row("expected", f"{hedge.expected_objective:,.2f} {unit}")
    no_plan = hedge.futures["objective"].isna()
    if no_plan.any():
        weight = float(hedge.futures.loc[no_plan, "weight"].sum() / hedge.futures["weight"].sum())
        grid.add_row(
            "no plan",
            Text(
                f"in {plural(int(no_plan.sum()), 'future')} ({chance(weight)})", style="bold yellow"
            ),
        )
    if hedge.cvar is not None and hedge.alpha is not None:
        tail = f"the mean of the worst {hedge.alpha:.0%} of the futures"
        grid.add_row(f"CVaR {hedge.alpha:g}", f"{hedge.cvar:,.2f} {unit}: {tail}")
    if not _evaluated(hedge):
        grid.add_row("VSS", _figure(hedge.vss, unit, VSS_MEANS, _no_vss(hedge)))
    grid.add_row("EVPI", _figure(hedge.evpi, unit, EVPI_MEANS, "unknown: a future has no plan"))
    return grid


def _method(hedge: Hedge) -> str:
    """How the first stage was found: the extensive form's size, or the decomposition's
    iterations and what it evaluated."""
    d = hedge.decomposition
    if d is not None:
        return (
            f"dual decomposition by future: {plural(d.iterations, 'iteration')}, "
            f"{plural(len(d.evaluated), 'first stage')} held in every future"
        )
    if hedge.size:
        return (
            f"one extensive form: {hedge.size['columns']:,} columns x {hedge.size['rows']:,} rows"
        )
    return ""


def _aim(hedge: Hedge, case: Case) -> str:
    name = case.objective.value
    if hedge.risk_aversion == 0:
        return f"maximise the expected {name}"
    lam = hedge.risk_aversion
    return f"maximise {1 - lam:g} x expected {name} + {lam:g} x CVaR {hedge.alpha:g}"


def _status(hedge: Hedge) -> Text:
    t = hedge.termination
    if _evaluated(hedge):
        return Text("the plan's first stage held fixed in every future", style="bold")
    if t is None:
        return Text(f"{hedge.status}: {hedge.message}", style="bold yellow")
    style = "bold green" if t.status.value == "optimal" else "bold yellow"
    if hedge.decomposition is not None and t.status.value == "feasible":
        return Text(f"feasible, not proven optimal ({t.message})", style=style)
    return Text(status_words(t), style=style)


def _bound(hedge: Hedge, unit: str) -> Text:
    """The bound and the gap, and what the bound means."""
    assert hedge.bound is not None
    gap = f" (gap {hedge.gap:.2%})" if hedge.gap is not None else ""
    return Text(f"{hedge.bound:,.2f} {unit}{gap}: no first stage does better")


def _figure(value: float | None, unit: str, means: str, missing: str) -> Text:
    if value is None:
        return Text(missing, style="yellow")
    return Text(f"{value:,.2f} {unit}: {means}")


def _no_vss(hedge: Hedge) -> str:
    ev = hedge.expected_value
    if ev is None:
        return "unknown"
    if ev.message:
        return f"unknown: {ev.message}"
    weights = hedge.futures.set_index("future")["weight"]
    share = float(weights.loc[ev.no_plan].sum() / weights.sum())
    return (
        f"none: the expected-value plan's first stage cannot be carried out in "
        f"{plural(len(ev.no_plan), 'future')} ({', '.join(map(str, ev.no_plan))}; "
        f"{chance(share)} of the weight)"
    )


def _expected_value(console: Console, hedge: Hedge, case: Case, words: list[str]) -> None:
    ev = hedge.expected_value
    if ev is None or ev.first_stage is None:
        return
    other = differences(words, stage_words(case, ev.first_stage, hedge.commit))
    console.print(Text("The expected-value plan would instead", style="bold"))
    console.print(tables.bullets(other or ["decide the same"]))
    if ev.expected_objective is not None:
        console.print(
            Text(f"and expect {ev.expected_objective:,.2f} {case.money_unit}.", style="dim")
        )
    console.print()


def _outcomes(hedge: Hedge, unit: str) -> Table:
    futures = hedge.futures
    ev = "ev_objective" in futures
    columns = ["future", "weight", "objective", "hindsight"]
    columns += ["EV plan"] if ev else []
    columns += ["lowest cash", "credit peak"]
    out = tables.table(f"Each future ({unit})", *columns)
    for row in futures.head(tables.MAX_ROWS).itertuples(index=False):
        cells = [str(row.future), f"{row.weight:.3f}", _money(row.objective, row.status)]
        cells.append(_money(row.hindsight_objective))
        if ev:
            cells.append(_money(row.ev_objective, "no plan"))
        cells += [_money(row.cash_low), _money(row.credit_peak)]
        out.add_row(*cells)
    return tables.cut(out, len(futures), "future")


def _draws(hedge: Hedge, projects: list[str]) -> Table:
    out = tables.table(
        "What each future draws, and the projects it leaves out",
        "future",
        "draws",
        "not funded",
        left=3,
    )
    for row in hedge.futures.head(tables.MAX_ROWS).itertuples(index=False):
        values = " ".join(f"{k}={v}" for k, v in row.values.items())
        if isinstance(row.funded, list):
            left_out = ", ".join(p for p in projects if p not in row.funded) or "none"
        else:
            left_out = "(no plan)"
        out.add_row(str(row.future), values, left_out)
    return tables.cut(out, len(hedge.futures), "future")


def _money(value: float | None, missing: str = "") -> str:
    """An amount, or ``missing`` when there is none (None or NaN)."""
    if value is None or value != value:
        return missing
    return amount(value)
