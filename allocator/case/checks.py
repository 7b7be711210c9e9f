"""Rules a case must satisfy beyond the shape of its fields.

Each check returns findings as (location, message); the location uses list
indices like pydantic does, and the loader turns it into an id-addressed
path with its file and line.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from allocator.case.model import Case
from allocator.case.projects import Project
from allocator.case.series import calendar_values
from allocator.case.supply import Supply, SupplyKind
from allocator.case.timing import availability, start_bounds
from allocator.case.types import MAX_AMOUNT

Loc = tuple[str | int, ...]
Finding = tuple[Loc, str]


def check_case(case: Case, base: Case | None = None) -> list[Finding]:
    """Every rule violation in ``case`` (scenarios are checked by the loader).

    ``base``: a case known to break no rule, of which ``case`` is a changed copy (a
    scenario). A rule is checked again only if a field it reads differs from ``base``'s
    (``RULES``); a scenario that changes the budget of a 100,000-project case does not
    check every project again.
    """
    findings = list(_unique_periods(case))
    if findings:
        return findings  # every other rule reads the horizon
    if base is None:
        for check, _ in RULES:
            findings.extend(check(case))
        return findings
    changed = _changed_projects(case, base)
    for check, reads in RULES:
        differ = [f for f in reads if getattr(case, f) != getattr(base, f)]
        if not differ:
            continue
        narrowed = NARROWED.get(check)
        if narrowed is not None and changed is not None and differ == ["projects"]:
            findings.extend(narrowed(case, base, changed))
        else:
            findings.extend(check(case))
    return findings


def _changed_projects(case: Case, base: Case) -> list[int] | None:
    """The positions of the projects that differ from ``base``'s, when only they can
    break a project rule (the same ids in the same order, resources and periods
    unchanged); None when every project must be checked."""
    same = case.resources == base.resources and case.periods == base.periods
    if not same or [p.id for p in case.projects] != [p.id for p in base.projects]:
        return None
    pairs = zip(case.projects, base.projects, strict=True)
    return [i for i, (a, b) in enumerate(pairs) if a is not b and a != b]


def _duplicates(ids: Iterable[str], section: Loc) -> Iterator[Finding]:
    counts = Counter(ids)
    seen: set[str] = set()
    for index, ident in enumerate(ids):
        if counts[ident] > 1 and ident in seen:
            yield (*section, index, "id"), f"duplicate id '{ident}' (used {counts[ident]} times)"
        seen.add(ident)


def _unique_periods(case: Case) -> Iterator[Finding]:
    first: dict[str, int] = {}
    for index, label in enumerate(case.periods):
        if label in first:
            yield ("periods", index), f"period '{label}' is listed twice"
        first.setdefault(label, index)


def _unique_ids(case: Case) -> Iterator[Finding]:
    for section in ("resources", "sites", "supply", "funding", "projects", "uncertainty"):
        yield from _duplicates([item.id for item in getattr(case, section)], (section,))
    for index, project in enumerate(case.projects):
        if project.levels is not None:
            yield from _duplicates([lv.id for lv in project.levels], ("projects", index, "levels"))


def _period(case: Case, label: str | None, loc: Loc) -> Iterator[Finding]:
    if label is not None and label not in case.period_index:
        yield loc, f"'{label}' is not a period of the horizon ({_horizon(case)})"


def _horizon(case: Case) -> str:
    return case.periods[0] if len(case.periods) == 1 else f"{case.periods[0]}..{case.periods[-1]}"


def _series(case: Case, series: Any, loc: Loc) -> Iterator[Finding]:
    """Map keys must be periods of the horizon.

    A list may be longer than the periods it ends up covering: the entries past
    them are not used (a scenario that shortens the horizon or moves a start
    keeps the case valid).
    """
    if isinstance(series, dict):
        for key in series:
            yield from _period(case, key, (*loc, key))


def _window(
    case: Case,
    first: str | None,
    last: str | None,
    loc: Loc,
    names: tuple[str, str] = ("available_from", "available_until"),
) -> Iterator[Finding]:
    yield from _period(case, first, (*loc, names[0]))
    yield from _period(case, last, (*loc, names[1]))
    index = case.period_index
    if first in index and last in index and index[last] < index[first]:
        yield (*loc, names[1]), f"'{last}' comes before {names[0]} '{first}'"


def _supply_rules(case: Case) -> Iterator[Finding]:
    resources = {r.id for r in case.resources}
    sites = {s.id for s in case.sites}
    for index, supply in enumerate(case.supply):
        loc: Loc = ("supply", index)
        if supply.resource not in resources:
            yield (*loc, "resource"), f"unknown resource '{supply.resource}'"
        if supply.site is not None and supply.site not in sites:
            yield (*loc, "site"), f"unknown site '{supply.site}'"
        window = list(_window(case, supply.available_from, supply.available_until, loc))
        yield from window
        if not window:
            yield from _capacity_rules(case, supply, loc)


def _capacity_rules(case: Case, supply: Supply, loc: Loc) -> Iterator[Finding]:
    """Capacity within the availability window, and commitments it can honour."""
    first, last = availability(case, supply)
    capacity = supply.capacity
    yield from _series(case, capacity, (*loc, "capacity"))
    if isinstance(capacity, dict):
        for key in capacity:
            k = case.period_index.get(key)
            if k is not None and not first <= k <= last:
                yield (
                    (*loc, "capacity", key),
                    (
                        f"capacity in '{key}', outside the option's availability "
                        f"{case.periods[first]}..{case.periods[last]}"
                    ),
                )
    offered = calendar_values(capacity, case.periods, first, last)[first : last + 1]
    commit = supply.min_commit
    if supply.kind is SupplyKind.PURCHASE:
        if commit > sum(offered):
            yield (
                (*loc, "min_commit"),
                (
                    f"purchase minimum {commit:g} exceeds the {sum(offered):g} units that can be "
                    "bought in all"
                ),
            )
        return
    for key, given in (("life", supply.life is not None), ("running_cost", supply.running_cost)):
        if given:
            yield (*loc, key), f"applies only to purchases, not to {supply.kind.value}"
    if supply.kind is SupplyKind.SPOT and commit:
        yield (*loc, "min_commit"), "spot capacity has no commitment; use kind: contract"
    elif commit > min(offered):
        yield (
            (*loc, "min_commit"),
            (
                f"take-or-pay minimum {commit:g} exceeds the capacity ({min(offered):g} in "
                f"{case.periods[first + offered.index(min(offered))]})"
            ),
        )


def _money_rules(case: Case) -> Iterator[Finding]:
    yield from _revenue_bounded(case)
    if not case.budget.carry_over and case.budget.min_cash:
        yield ("budget", "min_cash"), "a cash reserve applies only with carry_over: true"
    yield from _series(case, case.budget.amounts, ("budget", "amounts"))
    if case.revenue is not None:
        yield from _series(case, case.revenue.amounts, ("revenue", "amounts"))
    for index, site in enumerate(case.sites):
        yield from _series(case, site.power, ("sites", index, "power"))
    supply = {s.id for s in case.supply}
    for index, source in enumerate(case.funding):
        loc: Loc = ("funding", index)
        yield from _series(case, source.amounts, (*loc, "amounts"))
        yield from _window(case, source.available_from, source.available_until, loc)
        for position, target in enumerate(source.earmark):
            if target not in supply:
                yield (*loc, "earmark", position), f"unknown supply option '{target}'"


def _revenue_bounded(case: Case) -> Iterator[Finding]:
    """Growth compounds; it must not take revenue beyond the largest amount (``MAX_AMOUNT``)."""
    if case.revenue is None:
        return
    amounts = calendar_values(case.revenue.amounts, case.periods)
    growth, per_year = 1.0 + case.revenue.growth, case.periods_per_year
    try:
        largest = max((a * growth ** (k / per_year) for k, a in enumerate(amounts) if a), default=0)
    except OverflowError:
        largest = math.inf
    if largest > MAX_AMOUNT:
        yield (
            ("revenue", "growth"),
            f"compounds revenue beyond {MAX_AMOUNT:g}, the largest amount, within the horizon",
        )


def _start_range(case: Case, project: Project) -> tuple[int, int] | None:
    """(earliest, latest) start index, or None if a label is unknown (reported elsewhere)."""
    window = project.start
    labels = (window.earliest, window.latest) if window else ()
    if any(label is not None and label not in case.period_index for label in labels):
        return None
    return start_bounds(case, project)


def _project_rules(case: Case, only: list[int] | None = None) -> Iterator[Finding]:
    """Each project's own rules; ``only``: just the projects at these positions."""
    ids = {p.id for p in case.projects}
    resources = {r.id for r in case.resources}
    for index in range(len(case.projects)) if only is None else only:
        project = case.projects[index]
        loc: Loc = ("projects", index)
        if project.requires or project.excludes:
            yield from _references(project, ids, loc)
        yield from _resources_used(resources, project, loc)
        window = project.start
        if window is not None:
            yield from _window(
                case, window.earliest, window.latest, (*loc, "start"), ("earliest", "latest")
            )
        yield from _timing(case, project, loc)


def _references(project: Project, ids: set[str], loc: Loc) -> Iterator[Finding]:
    for key in ("requires", "excludes"):
        listed = getattr(project, key)
        for position, other in enumerate(listed):
            if other not in ids:
                yield (*loc, key, position), f"unknown project '{other}'"
            elif other == project.id:
                yield (*loc, key, position), f"a project cannot {key[:-1]} itself"
            elif other in listed[:position]:
                yield (*loc, key, position), f"'{other}' is listed twice"
    for position, other in enumerate(project.excludes):
        if other in project.requires:
            yield (
                (*loc, "excludes", position),
                (f"'{other}' is both required and excluded, so '{project.id}' could never run"),
            )


def _level_locs(project: Project, loc: Loc) -> Iterator[tuple[Loc, Any]]:
    for position, level in enumerate(project.all_levels):
        yield ((*loc, "levels", position) if project.uses_levels else loc), level


def _resources_used(resources: set[str], project: Project, loc: Loc) -> Iterator[Finding]:
    demanded: set[str] = set()
    for level_loc, level in _level_locs(project, loc):
        for resource in level.demand:
            demanded.add(resource)
            if resource not in resources:
                yield (*level_loc, "demand", resource), f"unknown resource '{resource}'"
    for resource, serving in project.uses.items():
        if resource not in demanded:
            yield (*loc, "uses", resource), f"the project demands no '{resource}'"
        if not serving:
            yield (*loc, "uses", resource), "lists no resource, so the demand could never be met"
        for other in serving:
            if other not in resources:
                yield (*loc, "uses", resource, other), f"unknown resource '{other}'"


def _timing(case: Case, project: Project, loc: Loc) -> Iterator[Finding]:
    """Calendar maps only for fixed starts; with ``finish_by_end``, some start must fit."""
    span = _start_range(case, project)
    if span is None:
        return
    earliest, latest = span
    if latest < earliest:
        return  # reported by the window check
    duration = project.duration
    if project.finish_by_end and duration is not None and earliest + duration > len(case.periods):
        yield (
            (*loc, "finish_by_end"),
            (
                f"no start in its window lets {duration} period(s) finish by the end of the "
                f"horizon {case.periods[-1]} (the earliest start is {case.periods[earliest]})"
            ),
        )
    fixed = earliest == latest
    for level_loc, level in _level_locs(project, loc):
        named = [("value", level.value), ("cost", level.cost), ("revenue", level.revenue)]
        named += [(("demand", r), s) for r, s in level.demand.items()]
        for key, series in named:
            if not isinstance(series, dict):
                continue  # only a map's keys can name a period outside the horizon
            where = (*level_loc, *key) if isinstance(key, tuple) else (*level_loc, key)
            yield from _series(case, series, where)
            if not fixed:
                yield (
                    where,
                    (
                        "a map by calendar period needs a fixed start; use a scalar or a "
                        "list by period since the start"
                    ),
                )


def _requires_cycles(case: Case) -> Iterator[Finding]:
    """Report each project that lies on a cycle of ``requires`` (iterative DFS)."""
    known = case.projects_by_id
    graph = {p.id: [q for q in p.requires if q in known and q != p.id] for p in case.projects}
    state: dict[str, int] = {}
    position = {p.id: i for i, p in enumerate(case.projects)}
    reported: set[str] = set()
    for root in graph:
        if root in state:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(graph[root]))]
        trail = [root]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                trail.pop()
            elif state.get(child) == 1:
                cycle = [*trail[trail.index(child) :], child]
                if child not in reported:
                    reported.update(cycle)
                    yield (
                        ("projects", position[child], "requires"),
                        "requirements form a cycle: " + " -> ".join(cycle),
                    )
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(graph[child])))
                trail.append(child)


def _must_fund_conflicts(case: Case) -> Iterator[Finding]:
    """Projects that must run (must-fund and all they require) may not exclude each other."""
    needed: dict[str, str] = {}
    for project in case.projects:
        if project.must_fund:
            stack = [project.id]
            while stack:
                current = stack.pop()
                if current in needed or current not in case.projects_by_id:
                    continue
                needed[current] = project.id
                stack.extend(case.projects_by_id[current].requires)
    position = {p.id: i for i, p in enumerate(case.projects)}
    for ident, because in needed.items():
        project = case.projects_by_id[ident]
        for slot, other in enumerate(project.excludes):
            if other in needed:
                why = lambda p, root: "must be funded" if p == root else f"is required by {root}"  # noqa: E731
                yield (
                    ("projects", position[ident], "excludes", slot),
                    f"'{ident}' {why(ident, because)} and '{other}' {why(other, needed[other])},"
                    " but they exclude each other",
                )


def _share_rules(case: Case) -> Iterator[Finding]:
    categories = {p.category for p in case.projects}
    for key in ("max_share", "min_share"):
        for category in getattr(case, key):
            if category not in categories:
                yield (key, category), f"no project has the category '{category}'"
    for category, low in case.min_share.items():
        high = case.max_share.get(category)
        if high is not None and low > high:
            yield ("min_share", category), f"{low:g} is above max_share {high:g}"
    total = sum(case.min_share.values())
    if total > 1 + 1e-12:
        yield ("min_share",), f"the minimum shares add up to {total:g}, more than 1"


def _changed_level_ids(case: Case, base: Case, changed: list[int]) -> Iterator[Finding]:
    """``_unique_ids`` when only some projects changed, keeping their ids: their levels'."""
    for index in changed:
        project = case.projects[index]
        if project.levels is not None:
            yield from _duplicates([lv.id for lv in project.levels], ("projects", index, "levels"))


def _changed_requires(case: Case, base: Case, changed: list[int]) -> Iterator[Finding]:
    """``_requires_cycles`` when only some projects changed, keeping their ids: a cycle
    needs a changed ``requires``."""
    if any(case.projects[i].requires != base.projects[i].requires for i in changed):
        yield from _requires_cycles(case)


NARROWED: dict[Callable[..., Iterable[Finding]], Callable[..., Iterable[Finding]]] = {
    _unique_ids: _changed_level_ids,
    _project_rules: lambda case, base, changed: _project_rules(case, changed),
    _requires_cycles: _changed_requires,
}
"""Rules with a cheaper form when ``projects`` is the only field they read that differs
from the base, and the projects keep their ids in order (``_changed_projects``): (case,
base, positions of the changed projects) -> findings."""

RULES: tuple[tuple[Callable[[Case], Iterable[Finding]], tuple[str, ...]], ...] = (
    (_unique_ids, ("resources", "sites", "supply", "funding", "projects", "uncertainty")),
    (_supply_rules, ("resources", "sites", "supply", "periods")),
    (
        _money_rules,
        ("revenue", "budget", "sites", "supply", "funding", "periods", "periods_per_year"),
    ),
    (_project_rules, ("projects", "resources", "periods")),
    (_requires_cycles, ("projects",)),
    (_must_fund_conflicts, ("projects",)),
    (_share_rules, ("projects", "max_share", "min_share")),
)
"""Each rule and the case fields it reads (``check_case``'s ``base``); the order is the
order findings are reported in."""
