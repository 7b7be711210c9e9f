"""Which decisions a replan holds fixed: those that took effect by the freeze period.

With ``freeze`` the index of the last frozen period (``--freeze-through``), the frozen
columns of a formulation are, by column family and case ids:

=============  ===========================  =========================================
family         keys                         frozen
=============  ===========================  =========================================
``sign``       supply                       options available by ``freeze`` (a
                                            contract that delivered stays signed and
                                            its take-or-pay runs on; one not signed
                                            cannot be signed for periods gone)
``take``       funding                      equity sources with money arriving by
                                            ``freeze``
``buy``        supply, period               periods up to ``freeze``
``draw``       funding, period              periods up to ``freeze``
``choose``     project, level, start        starts up to ``freeze`` (a project that
                                            had not started by then cannot start in
                                            those periods now)
=============  ===========================  =========================================

Every other decision is re-optimised. The values held are the earlier plan's, read as
a first stage (``allocator.hedging.decisions``) through the freeze period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.case.money import FundingKind
from allocator.case.series import calendar_values
from allocator.case.timing import availability
from allocator.formulation import Formulation
from allocator.hedging.decisions import Decisions
from allocator.hedging.stages import first_stage, fix_columns


def frozen_columns(case: Case, formulation: Formulation, freeze: int) -> pd.DataFrame:
    """The frozen columns of ``formulation``: family, key and column (see the module
    docstring); the first stage through ``freeze`` less the signatures and equity that
    had not taken effect by then."""
    table = first_stage(case, formulation, freeze)
    started = _started_by(case, freeze)
    keep = [
        family not in ("sign", "take") or key[0] in started
        for family, key in zip(table["family"], table["key"], strict=True)
    ]
    return table[keep].reset_index(drop=True)


def _started_by(case: Case, freeze: int) -> set[str]:
    """Supply options available by ``freeze`` and equity sources with money arriving by
    then."""
    options = {s.id for s in case.supply if availability(case, s)[0] <= freeze}
    sources = {
        f.id
        for f in case.funding
        if f.kind is FundingKind.EQUITY
        and any(abs(a) > 0 for a in calendar_values(f.amounts, case.periods)[: freeze + 1])
    }
    return options | sources


def frozen_bounds(
    case: Case, formulation: Formulation, values: Decisions, freeze: int
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The model's column bounds with every frozen column fixed at its value in
    ``values`` (0 when not named), and the frozen decisions the updated case cannot
    hold (a value outside the column's new bounds, or a decision the case no longer
    offers), in words. Signatures and equity that had not taken effect by then are
    not frozen, so ``values`` naming them asks nothing."""
    started = _started_by(case, freeze)
    held = {
        (family, key): value
        for (family, key), value in values.items()
        if family not in ("sign", "take") or key[0] in started
    }
    fixed = fix_columns(formulation.model, frozen_columns(case, formulation, freeze), held)
    conflicts = [
        f"{_named(family, key)} = {value:g} is no longer offered by the case"
        for family, key, value in fixed.missing
    ]
    conflicts += [
        f"{_named(family, key)} = {value:g} is outside what the case now allows "
        f"({low:g} to {high:g})"
        for family, key, value, low, high in fixed.out_of_reach
    ]
    return fixed.lower, fixed.upper, conflicts


def _named(family: str, key: tuple) -> str:
    """A frozen decision in the case's words: ``buy[nvidia-gb300, 2026Q1]``."""
    return f"{family}[{', '.join(map(str, key))}]"
