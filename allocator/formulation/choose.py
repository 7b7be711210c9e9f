"""Choosing at most one level and start per project (exactly one when it must be funded).

Variables: choose[c] in {0, 1} for every choice c = (project, level, start).
Rows, for every project p:  sum over c of p of choose[c] <= 1   (= 1 if must_fund).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.formulation.choices import Choices
from allocator.formulation.meaning import Elastic, RowMeaning, Tier
from allocator.model.builder import ModelBuilder

ONE_CHOICE = RowMeaning(
    elastic=Elastic(Tier.MUST_FUND, "lower"),  # only must-fund rows have a lower bound
    change=lambda case, keys, n, users, fmt: (
        f"must-fund '{keys['project']}' cannot be funded with the rest: release it",
        f"projects[{keys['project']}].must_fund",
    ),
    limit=lambda case, keys, fmt: (
        f"{keys['project']} must be funded",
        f"projects[{keys['project']}].must_fund",
    ),
)


def add_choose(builder: ModelBuilder, case: Case, choices: Choices) -> np.ndarray:
    """Add the choose columns and the one-choice rows; return the choose column indices."""
    columns = builder.add_variables("choose", choices.keys(), upper=1, integer=True)
    must = np.array([project.must_fund for project in case.projects], dtype=bool)
    builder.add_rows(
        "one_choice",
        pd.DataFrame({"project": [project.id for project in case.projects]}),
        rows=choices.table["p"].to_numpy(),
        columns=columns,
        lower=np.where(must, 1.0, -np.inf),
        upper=1.0,
        meaning=ONE_CHOICE,
    )
    return columns
