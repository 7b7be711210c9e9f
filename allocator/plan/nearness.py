"""How close a what-if's plan is to the base plan it is compared with (minimal change).

Filled in by ``allocator.analysis.closest`` for a variant solved with the base plan's
decisions at hand; carried on ``Result.nearness`` so the reports and the JSON can say
whether the diff shown is the smallest one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Nearness:
    """The minimal-change search of one variant.

    ``changed`` decisions of the base plan differ in the plan returned, ``first`` in the
    optimum the solver found first (a decision is one ``choose``, ``sign`` or ``take``
    column: a project moved to another start or level counts two, dropped or added one).
    ``proven``: no plan within the allowed gap of the variant's optimum changes fewer;
    otherwise ``lower`` is the best lower bound on that number the search proved and
    ``note`` says why it stopped. ``floor`` is the objective every plan searched keeps.
    """

    changed: int
    first: int
    proven: bool
    lower: int
    floor: float
    seconds: float
    note: str = ""

    @property
    def words(self) -> str:
        """One line for a report: the diff is minimal, or how far the search got."""
        if self.proven:
            return (
                f"minimal change: no plan as good changes fewer than {self.changed} decisions"
                f" (the first optimum found changed {self.first})"
            )
        return (
            f"closest found changes {self.changed} decisions (at least {self.lower} must;"
            f" the first optimum changed {self.first}); {self.note}"
        )


def minimal_flag(nearness: Nearness | None) -> bool | None:
    """For a table's ``minimal`` column: True when the diff is proven minimal, False when
    the search stopped short of a proof, None when none was made (``--change any``, or no
    plan)."""
    return None if nearness is None else nearness.proven


def minimal_note(nearnesses: list[Nearness | None], against: str = "the base plan") -> str:
    """One sentence for a report on the what-ifs' diffs: minimal (and how many proven), or
    empty when no minimal-change search was made."""
    searched = [n for n in nearnesses if n is not None]
    if not searched:
        return ""
    proven = sum(n.proven for n in searched)
    fewer = sum(n.changed < n.first for n in searched)
    text = (
        f"Changes are minimal: each plan shown is, among those within the gap of its "
        f"optimum, the one changing the fewest of {against}'s decisions "
        f"({proven} of {len(searched)} proven"
    )
    if proven < len(searched):
        text += "; the others are the closest found before the time limit"
    if fewer:
        text += f"; {fewer} changed fewer than the solver's first optimum"
    return text + ")."


def nearness_document(nearness: Nearness | None) -> dict[str, object] | None:
    """The JSON of a minimal-change search: decisions changed (by the plan shown and by
    the solver's first optimum), proven, lower (the fewest any plan as good can change, as
    far as proven), floor, seconds, note; None without the search."""
    if nearness is None:
        return None
    return {
        "decisions_changed": nearness.changed,
        "first_optimum_changed": nearness.first,
        "proven": nearness.proven,
        "lower": nearness.lower,
        "floor": nearness.floor,
        "seconds": nearness.seconds,
        "note": nearness.note,
    }
