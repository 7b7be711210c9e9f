"""The choice index: every (project, level, start) a plan may pick, and its profile.

A choice c = (p, l, s) is active in periods s .. s + length(p, s) - 1. Its
profile of a series (value, cost, revenue, demand) is a set of triples
(choice, period, amount) built from the three series forms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.case.series import active_values
from allocator.case.timing import active_length, start_options


@dataclass(frozen=True)
class Choices:
    """The choice table (one row per choice) with integer positions beside the ids.

    Columns: ``project``, ``level``, ``start`` (period label), ``p`` (project
    position), ``level_index`` (within the project), ``level_row`` (among all
    levels of the case), ``s`` (start index), ``length`` (active periods).
    """

    table: pd.DataFrame

    @property
    def size(self) -> int:
        """Number of choices."""
        return len(self.table)

    def keys(self) -> pd.DataFrame:
        """The case ids of each choice: project, level, start."""
        return self.table[["project", "level", "start"]]


def build_choices(case: Case) -> Choices:
    """Every level of every project at every start that fits the horizon."""
    rows: list[tuple[int, int, int, int, int]] = []  # p, level_index, level_row, s, length
    level_row = 0
    for p, project in enumerate(case.projects):
        options = start_options(case, project)
        lengths = [active_length(case, project, s) for s in options]
        for j, _ in enumerate(project.all_levels):
            rows.extend((p, j, level_row, s, n) for s, n in zip(options, lengths, strict=True))
            level_row += 1
    array = np.asarray(rows, dtype=np.int64).reshape(-1, 5)
    p, j = array[:, 0], array[:, 1]
    project_ids = np.array([project.id for project in case.projects], dtype=object)
    level_ids = np.array(
        [level.id for project in case.projects for level in project.all_levels], dtype=object
    )
    table = pd.DataFrame(
        {
            "project": project_ids[p] if len(p) else [],
            "level": level_ids[array[:, 2]] if len(p) else [],
            "start": np.asarray(case.periods, dtype=object)[array[:, 3]] if len(p) else [],
            "p": p,
            "level_index": j,
            "level_row": array[:, 2],
            "s": array[:, 3],
            "length": array[:, 4],
        }
    )
    return Choices(table)


def level_series(case: Case, field: str) -> tuple[np.ndarray, np.ndarray]:
    """Every level's series ``field`` as two (levels x periods) matrices and a form flag.

    Row l of ``by_offset`` holds the amount in the i-th active period (scalar:
    constant; list: its entries, the last one holding); for a map, row l of
    ``by_offset`` is NaN and the amounts come by calendar period instead, in
    the second matrix.
    """
    horizon = len(case.periods)
    levels = [level for project in case.projects for level in project.all_levels]
    by_offset = np.full((len(levels), horizon), np.nan)
    by_period = np.zeros((len(levels), horizon))
    for row, level in enumerate(levels):
        series = getattr(level, field)
        if isinstance(series, dict):
            by_period[row] = [series.get(label, 0.0) for label in case.periods]
        else:
            by_offset[row] = active_values(series, case.periods, 0, horizon)
    return by_offset, by_period


def profile(case: Case, choices: Choices, field: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(choice, period, amount) triples of the level series ``field``, zeros left out.

    Vectorised: each choice c repeats over its active periods s_c .. s_c + n_c - 1,
    and its amount in the i-th of them is by_offset[level, i] (scalar, list) or
    by_period[level, s_c + i] (map).
    """
    by_offset, by_period = level_series(case, field)
    table = choices.table
    lengths = table["length"].to_numpy()
    choice_ix = np.repeat(np.arange(len(table), dtype=np.int64), lengths)
    first = np.repeat(np.cumsum(lengths) - lengths, lengths)
    offset = np.arange(lengths.sum(), dtype=np.int64) - first
    level = table["level_row"].to_numpy()[choice_ix]
    period = table["s"].to_numpy()[choice_ix] + offset
    amount = by_offset[level, offset]
    calendar = np.isnan(amount)
    amount[calendar] = by_period[level[calendar], period[calendar]]
    keep = amount != 0
    return choice_ix[keep], period[keep], amount[keep]
