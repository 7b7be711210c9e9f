"""The terminal report of a replan: the new plan as a solve's report, then what was
frozen, what the freeze costs against the full re-optimum, and what changed."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from allocator.numbers import plural
from allocator.plan.nearness import minimal_note
from allocator.replanning.api import Replan
from allocator.report import tables
from allocator.report.solve_view import render_result


def render_replan(console: Console, title: str, found: Replan, plan_file: str) -> None:
    """Print the whole report of ``found``."""
    render_result(console, title, found.result)
    console.print()
    console.print(Text("Replan", style="bold"))
    money = found.result.case.money_unit
    lines = [
        f"kept as in {plan_file}: every decision that took effect through "
        f"{found.frozen_through}; re-optimised: everything after",
        _cost_line(found, money),
    ]
    lines += [f"cannot be kept: {c}" for c in found.conflicts]
    if found.explanation is not None and not found.explanation.feasible:
        lines += [
            f"to keep the frozen decisions the case would need: {text}"
            for text in found.explanation.changes["text"]
        ]
    console.print(tables.bullets(lines))
    console.print()
    if found.result.plan is None:
        return
    changes = found.changes
    console.print(
        Text(f"Changes against the earlier plan after {found.frozen_through}", style="italic")
    )
    if changes.empty:
        console.print(tables.bullets(["none: the earlier plan is still the best after it"]))
    else:
        shown = changes["text"].tolist()[: tables.MAX_ROWS]
        more = len(changes) - len(shown)
        if more:
            shown.append(f"... and {plural(more, 'more change')} (see --json)")
        console.print(tables.bullets(shown))
    note = minimal_note([found.result.nearness], "the earlier plan")
    if note:
        console.print(Text(note, style="dim"))


def _cost_line(found: Replan, money: str) -> str:
    """What the freeze costs, or why that is not known."""
    full = found.full.termination
    if found.full.plan is None:
        return f"the full re-optimum has no plan ({full.status.value})"
    cost = found.freeze_cost
    if cost is None:
        return f"the full re-optimum (nothing frozen) is worth {full.objective:,.2f} {money}"
    return (
        f"the full re-optimum (nothing frozen) is worth {full.objective:,.2f} {money}: "
        f"the freeze costs {cost:,.2f} {money}"
    )
