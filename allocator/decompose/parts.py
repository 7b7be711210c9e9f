"""Splitting a case's projects into K parts that each look like the whole.

Projects linked by ``requires`` or ``excludes`` form one group (the connected components
of those links, found with a union-find) and always go to the same part, so no rule
spans two parts. Each group has a stratum: the category of its first project and the
resource its projects need most (summed over their largest level's demand). Strata are
taken in turn (sorted by name), the groups of a stratum in an order shuffled by
``seed``, and each group goes to the part holding the fewest projects so far (the
lowest-numbered on ties): every part gets about 1/K of every stratum, and the parts'
sizes differ by at most the largest group.
"""

from __future__ import annotations

import numpy as np

from allocator.case.model import Case
from allocator.errors import InputError


def split(case: Case, parts: int, seed: int = 0) -> list[list[str]]:
    """The project ids of each part (in case order within a part); empty parts dropped."""
    if parts < 2:
        raise InputError(f"a decomposition needs at least 2 parts, got {parts}")
    groups = linked_groups(case)
    strata: dict[tuple[str, str], list[list[int]]] = {}
    for group in groups:
        strata.setdefault(_stratum(case, group), []).append(group)
    rng = np.random.default_rng(seed)
    load = np.zeros(parts, dtype=np.int64)
    members: list[list[int]] = [[] for _ in range(parts)]
    for key in sorted(strata):
        stratum = strata[key]
        for g in rng.permutation(len(stratum)):
            k = int(np.argmin(load))
            members[k].extend(stratum[g])
            load[k] += len(stratum[g])
    ids = [p.id for p in case.projects]
    return [[ids[i] for i in sorted(m)] for m in members if m]


def linked_groups(case: Case) -> list[list[int]]:
    """Project positions grouped by ``requires``/``excludes`` links, in case order."""
    parent = list(range(len(case.projects)))
    position = {p.id: i for i, p in enumerate(case.projects)}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, project in enumerate(case.projects):
        for other in [*project.requires, *project.excludes]:
            a, b = root(i), root(position[other])
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(len(case.projects)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def _stratum(case: Case, group: list[int]) -> tuple[str, str]:
    """(category of the group's first project, the resource the group needs most)."""
    need: dict[str, float] = {}
    for i in group:
        for level in case.projects[i].all_levels:
            for resource, series in level.demand.items():
                peak = max(series.values()) if isinstance(series, dict) else series
                peak = max(peak) if isinstance(peak, list) else peak
                need[resource] = need.get(resource, 0.0) + float(peak)
    resource = max(sorted(need), key=need.__getitem__) if need else ""
    return case.projects[group[0]].category, resource
