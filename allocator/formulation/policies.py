"""Rules between projects: requires and excludes.

excludes, for every listed pair (p, q):
    sum_{c of p} choose[c] + sum_{c of q} choose[c] <= 1
requires, for every listed pair (p needs q) and every start s of p:
    sum_{c of p starting at s} choose[c] - sum_{c of q starting at or before s} choose[c] <= 0
(p runs only if q runs, and starts no earlier than q).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.formulation.choices import Choices
from allocator.model.builder import ModelBuilder, Terms


def _pairs(case: Case, key: str) -> pd.DataFrame:
    position = {project.id: p for p, project in enumerate(case.projects)}
    pairs = [
        (project.id, other, position[project.id], position[other])
        for project in case.projects
        for other in getattr(project, key)
    ]
    return pd.DataFrame(pairs, columns=["project", "other", "p", "q"])


def add_excludes(builder: ModelBuilder, case: Case, choices: Choices, choose: np.ndarray) -> None:
    """One row per excluded pair: the two projects never both run."""
    pairs = _pairs(case, "excludes")
    if pairs.empty:
        return
    by_project = pd.DataFrame({"p": choices.table["p"], "column": choose})
    terms = pd.concat(
        [
            pairs.reset_index(names="row").merge(by_project, left_on=side, right_on="p")
            for side in ("p", "q")
        ]
    )
    builder.add_rows(
        "excludes",
        pairs[["project", "other"]],
        rows=terms["row"].to_numpy(),
        columns=terms["column"].to_numpy(),
        upper=1.0,
    )


def add_requires(builder: ModelBuilder, case: Case, choices: Choices, choose: np.ndarray) -> None:
    """One row per required pair and start of the requiring project."""
    pairs = _pairs(case, "requires")
    if pairs.empty:
        return
    table = pd.DataFrame({"p": choices.table["p"], "s": choices.table["s"], "column": choose})
    rows = pairs.merge(table[["p", "s"]].drop_duplicates(), on="p")
    rows = rows.sort_values(["p", "q", "s"]).reset_index(drop=True).reset_index(names="row")
    own = rows.merge(table, on=["p", "s"])
    needed = rows.merge(table.rename(columns={"p": "q", "s": "s_q"}), on="q")
    needed = needed[needed["s_q"] <= needed["s"]]
    builder.add_rows(
        "requires",
        pd.DataFrame(
            {
                "project": rows["project"],
                "requires": rows["other"],
                "start": np.asarray(case.periods, dtype=object)[rows["s"].to_numpy()],
            }
        ),
        terms=[
            Terms(own["row"].to_numpy(), own["column"].to_numpy()),
            Terms(needed["row"].to_numpy(), needed["column"].to_numpy(), -1.0),
        ],
        upper=0.0,
    )
