"""Project rules: a valid level and start, must-fund, requires, excludes, category shares.

For a funded project p at level l starting in s: l is one of p's levels and s is in
p's start window (any start: the horizon cuts a run, it does not forbid it; with
``finish_by_end`` and a duration, also s + duration <= number of periods).
must_fund p: p is funded. p requires q: q is funded and starts no later than p.
p excludes q: not both funded. Category g with max_share m (min_share likewise):
basis(funded projects of g) <= m * basis(all funded projects), basis being total
cost, value or demand over the active periods, undiscounted.
"""

from __future__ import annotations

from allocator.case.model import Case, ShareBasis
from allocator.verify.core import Decisions, Violation, over


def read_projects(case: Case, decisions: Decisions) -> list[Violation]:
    """Fill ``decisions.funded`` from the plan's project table; report invalid choices."""
    found: list[Violation] = []
    known = case.projects_by_id
    seen: set[str] = set()
    for row in decisions.plan.projects.itertuples(index=False):
        pid = str(row.id)
        if pid not in known:
            found.append(Violation("project", pid, "is not a project of the case"))
            continue
        if pid in seen:
            found.append(Violation("project", pid, "appears more than once in the plan"))
            continue
        seen.add(pid)
        if not bool(row.funded):
            continue
        found.extend(_choice(case, decisions, pid, row.level, row.start))
    found.extend(
        Violation("project", pid, "is missing from the plan") for pid in known if pid not in seen
    )
    return found


def _choice(case: Case, decisions: Decisions, pid: str, level: object, start: object) -> list:
    project = case.projects_by_id[pid]
    levels = [lv.id for lv in project.all_levels]
    if level not in levels:
        return [Violation("project", pid, f"is funded at level {level!r}, not one of {levels}")]
    if start not in case.period_index:
        return [Violation("project", pid, f"starts in {start!r}, not a period of the case")]
    s = case.period_index[str(start)]
    window = project.start
    earliest = case.period_index[window.earliest] if window and window.earliest else 0
    latest = case.period_index[window.latest] if window and window.latest else earliest
    if not earliest <= s <= latest:
        span = f"{case.periods[earliest]}..{case.periods[latest]}"
        return [Violation("project", pid, f"starts in {start}, outside its start window {span}")]
    if project.finish_by_end and project.duration and s + project.duration > len(case.periods):
        return [
            Violation(
                "project",
                pid,
                f"starts in {start} and runs {project.duration} period(s), past the end of the "
                f"horizon {case.periods[-1]}, but it must finish by then (finish_by_end)",
            )
        ]
    decisions.funded[pid] = (str(level), s)
    return []


def check_rules(case: Case, decisions: Decisions) -> list[Violation]:
    """must_fund, requires and excludes."""
    found = []
    funded = decisions.funded
    for project in case.projects:
        pid = project.id
        if project.must_fund and pid not in funded:
            found.append(Violation("must fund", pid, "must be funded but is not"))
        if pid not in funded:
            continue
        for other in project.requires:
            if other not in funded:
                found.append(Violation("requires", pid, f"requires {other}, which is not funded"))
            elif funded[other][1] > funded[pid][1]:
                found.append(
                    Violation(
                        "requires",
                        pid,
                        f"requires {other}, which starts later "
                        f"({case.periods[funded[other][1]]} after {case.periods[funded[pid][1]]})",
                    )
                )
        for other in project.excludes:
            if other in funded:
                found.append(Violation("excludes", pid, f"excludes {other}, but both are funded"))
    return found


def check_shares(case: Case, decisions: Decisions) -> list[Violation]:
    """Every category's share of the basis within max_share and above min_share."""
    if not (case.max_share or case.min_share):
        return []
    basis: dict[str, float] = {}
    for pid in decisions.funded:
        category = case.projects_by_id[pid].category
        basis[category] = basis.get(category, 0.0) + _basis(case, decisions, pid)
    total = sum(basis.values())
    found = []
    what = case.share_basis.value
    for category, m in case.max_share.items():
        mine = basis.get(category, 0.0)
        if over(mine, m * total, total):
            found.append(
                Violation(
                    "share", category, f"has {mine:,.6g} of {total:,.6g} {what}, over {m:.2%}"
                )
            )
    for category, m in case.min_share.items():
        mine = basis.get(category, 0.0)
        if over(m * total, mine, total):
            found.append(
                Violation(
                    "share", category, f"has {mine:,.6g} of {total:,.6g} {what}, under {m:.2%}"
                )
            )
    return found


def _basis(case: Case, decisions: Decisions, pid: str) -> float:
    if case.share_basis is ShareBasis.DEMAND:
        return float(sum(decisions.series(pid, "demand", r.id).sum() for r in case.resources))
    return float(decisions.series(pid, case.share_basis.value).sum())
