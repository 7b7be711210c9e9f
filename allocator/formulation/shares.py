"""Category shares, over the whole horizon and undiscounted.

For a category g with max_share m (min_share likewise with >=):
    sum_c b_c * (1[category of c is g] - m) * choose[c] <= 0
where b_c is the choice's basis: its total cost, total value, or total demand
(units of every resource in every active period), by ``share_basis``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.case.model import Case, ShareBasis
from allocator.formulation.choices import Choices, demand_profile, profile
from allocator.formulation.meaning import Elastic, RowMeaning, Side, Tier
from allocator.model.builder import ModelBuilder


def _share(name: str, side: Side, binding: str) -> RowMeaning:
    """A category share bound (``max_share`` or ``min_share``)."""
    return RowMeaning(
        binding=binding,
        elastic=Elastic(Tier.LIMIT, side),
        relative=True,  # the row weighs choices against each other: its error is relative
        change=lambda case, keys, n, users, fmt: (
            f"category {keys['category']} misses its {name} by {n} (in {case.share_basis.value})",
            f"{name}.{keys['category']}",
        ),
        limit=lambda case, keys, fmt: (
            f"category {keys['category']} keeps its {name}",
            f"{name}.{keys['category']}",
        ),
    )


SHARES = {
    "max_share": _share("max_share", "upper", "category at its maximum share"),
    "min_share": _share("min_share", "lower", "category at its minimum share"),
}


def share_basis(case: Case, choices: Choices) -> np.ndarray:
    """b_c for every choice."""
    if case.share_basis is ShareBasis.DEMAND:
        position = {r.id: i for i, r in enumerate(case.resources)}
        choice, _, _, amount = demand_profile(case, choices, position)
    else:
        choice, _, amount = profile(case, choices, case.share_basis.value)
    return np.bincount(choice, weights=amount, minlength=choices.size)


def add_shares(builder: ModelBuilder, case: Case, choices: Choices, choose: np.ndarray) -> None:
    """One row per category bound in ``max_share`` and ``min_share``."""
    if not (case.max_share or case.min_share):
        return
    basis = share_basis(case, choices)
    category = np.array([p.category for p in case.projects], dtype=object)[
        choices.table["p"].to_numpy()
    ]
    n = choices.size
    for name, bounds, sense in (
        ("max_share", case.max_share, "upper"),
        ("min_share", case.min_share, "lower"),
    ):
        if not bounds:
            continue
        groups = list(bounds)
        fractions = np.array([bounds[g] for g in groups])
        member = category[None, :] == np.array(groups, dtype=object)[:, None]
        coefficients = basis[None, :] * (member - fractions[:, None])
        builder.add_rows(
            name,
            pd.DataFrame({"category": groups}),
            rows=np.repeat(np.arange(len(groups)), n),
            columns=np.tile(choose, len(groups)),
            coefficients=coefficients.ravel(),
            **{sense: 0.0},
            meaning=SHARES[name],
        )
