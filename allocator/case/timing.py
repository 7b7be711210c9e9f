"""When projects can start and how long they run, in 0-based period indices."""

from __future__ import annotations

from allocator.case.model import Case
from allocator.case.money import Funding
from allocator.case.projects import Project
from allocator.case.supply import Supply


def start_bounds(case: Case, project: Project) -> tuple[int, int]:
    """The (earliest, latest) start index of the window as written.

    No ``start``: fixed at the first period. No ``earliest``: the first period.
    No ``latest``: the earliest start (a fixed start).
    """
    window = project.start
    earliest = window.earliest if window and window.earliest else case.periods[0]
    latest = window.latest if window and window.latest else earliest
    return case.period_index[earliest], case.period_index[latest]


def start_options(case: Case, project: Project) -> range:
    """The start indices the project may take: every start of its window.

    The horizon cuts a run, it does not forbid it: a start whose run would end
    after the last period is offered, and only the periods inside the horizon
    count. With ``finish_by_end`` (and a duration) a start s is offered only when
    s + duration <= number of periods.
    """
    earliest, latest = start_bounds(case, project)
    if project.finish_by_end and project.duration is not None:
        latest = min(latest, len(case.periods) - project.duration)
    return range(earliest, latest + 1)


def active_length(case: Case, project: Project, start: int) -> int:
    """How many periods inside the horizon the project is active when it starts in ``start``.

    min(duration, periods - start); without a duration, periods - start.
    """
    remaining = len(case.periods) - start
    return remaining if project.duration is None else min(project.duration, remaining)


def periods_past_end(case: Case, project: Project, start: int) -> int:
    """How many periods of the run started in ``start`` fall after the horizon (cut off)."""
    if project.duration is None:
        return 0
    return max(0, start + project.duration - len(case.periods))


def availability(case: Case, item: Supply | Funding) -> tuple[int, int]:
    """The first and last period index (inclusive) of an item's availability window.

    A supply option serves (a purchase is bought) in it; a credit line is drawn in it.
    """
    first = case.period_index[item.available_from] if item.available_from else 0
    last = (
        case.period_index[item.available_until] if item.available_until else len(case.periods) - 1
    )
    return first, last
