"""The terminal report of an explanation: the cheapest changes, then a conflict set."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from allocator.explain import Explanation
from allocator.report.tables import bullets


def render_explanation(console: Console, title: str, found: Explanation) -> None:
    """Print what would make the case feasible and which limits cannot hold together."""
    if found.feasible:
        console.print(Text(f"{title} has a plan: nothing to explain.", style="bold green"))
        return
    console.print(Text(f"{title} is infeasible: no plan keeps every rule.", style="bold red"))
    console.print()
    console.print(
        Text(
            "The smallest set of changes that would make it feasible (weighing must-fund "
            "projects and contract commitments hardest, then the cash reserve, then money, "
            "capacity and shares):",
            style="bold",
        )
    )
    console.print(bullets(f"{r.text}  [{r.path}]" for r in found.changes.itertuples()))
    console.print()
    proven = "" if found.minimal else " (not proven minimal: a check ran out of time)"
    console.print(
        Text(f"These limits cannot all hold together{proven}; relax any one of them:", style="bold")
    )
    console.print(bullets(f"{r.text}  [{r.path}]" for r in found.conflict.itertuples()))
