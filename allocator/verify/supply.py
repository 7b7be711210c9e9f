"""Supply rules, from the plan's supply table and the case alone.

Option s with signed in {0, 1} (1 unless optional), in period t:
contract / spot: used[t] = paid[t] = 0 outside the availability window;
    used[t] <= capacity[t] * signed; paid[t] >= used[t];
    paid[t] >= min_commit * signed; paid[t] a whole number of blocks;
    payment[t] = unit_cost * paid[t].
purchase: bought[t] = 0 outside the window; bought[t] <= capacity[t] * signed,
    a whole number of blocks; owned[t] = sum of bought[k] for k <= t < k + life;
    used[t] <= owned[t]; sum_t bought[t] >= min_commit * signed;
    payment[t] = unit_cost * bought[t] + running_cost * owned[t].
Every option pays fixed_cost * signed in its first period of availability.
Site g in period t: sum over options at g of power[resource] * used[t] <= power_g[t].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocator.case.model import Case
from allocator.case.series import calendar_values
from allocator.case.supply import Supply, SupplyKind
from allocator.case.timing import availability
from allocator.verify.core import Decisions, Violation, exceeded, over, whole


@dataclass(frozen=True)
class OptionUse:
    """One option's decisions per period, and what it pays."""

    signed: bool
    used: np.ndarray
    payment: np.ndarray


def read_supply(case: Case, decisions: Decisions) -> tuple[dict[str, OptionUse], list[Violation]]:
    """Every option's use and payments, and the rules its decisions break."""
    table = decisions.plan.supply
    horizon = len(case.periods)
    found: list[Violation] = []
    unknown = sorted(set(table["supply"]) - set(case.supply_by_id))
    found += [Violation("supply", s, "is not a supply option of the case") for s in unknown]
    uses = {}
    for option in case.supply:
        rows = table[table["supply"] == option.id]
        periods = [case.period_index.get(str(p)) for p in rows["period"]]
        if None in periods:
            found.append(Violation("supply", option.id, "names a period not in the case"))
            continue
        t = np.asarray(periods, dtype=np.int64)
        arrays = {}
        for column in ("used", "paid", "bought"):
            arrays[column] = np.zeros(horizon)
            np.add.at(arrays[column], t, rows[column].to_numpy(float))
        signed = bool(rows["signed"].any())
        if not option.optional and not signed:
            found.append(Violation("supply", option.id, "is not optional but is not signed"))
            signed = True
        check = _purchase if option.kind is SupplyKind.PURCHASE else _contract
        payment, problems = check(case, option, signed, arrays)
        first, _ = availability(case, option)
        payment[first] += option.fixed_cost * signed
        found += problems
        negative = [c for c, a in arrays.items() if (a < -1e-9).any()]
        found += [Violation("supply", option.id, f"has negative {c} units") for c in negative]
        uses[option.id] = OptionUse(signed, arrays["used"], payment)
    return uses, found


def _contract(
    case: Case, option: Supply, signed: bool, a: dict[str, np.ndarray]
) -> tuple[np.ndarray, list[Violation]]:
    first, last = availability(case, option)
    capacity = np.asarray(calendar_values(option.capacity, case.periods, first, last)) * signed
    found = []
    for t, label in enumerate(case.periods):
        used, paid = a["used"][t], a["paid"][t]
        inside = first <= t <= last
        if over(used, capacity[t]):
            where = f"{used:,.6g} units used" if inside else f"{used:,.6g} units used outside"
            found.append(
                Violation(
                    "capacity", f"{option.id} {label}", f"{where}, capacity {capacity[t]:,.6g}"
                )
            )
        if not inside and over(paid, 0.0):
            found.append(
                Violation(
                    "capacity",
                    f"{option.id} {label}",
                    f"pays for {paid:,.6g} units outside its window",
                )
            )
        if over(used, paid):
            found.append(
                Violation("capacity", f"{option.id} {label}", f"uses {used:,.6g}, pays {paid:,.6g}")
            )
        if inside and signed and over(option.min_commit, paid):
            found.append(
                Violation(
                    "take-or-pay",
                    f"{option.id} {label}",
                    f"pays for {paid:,.6g} units, below the commitment of {option.min_commit:,.6g}",
                )
            )
        if option.block != 1 and not whole(paid, option.block):
            found.append(
                Violation(
                    "block",
                    f"{option.id} {label}",
                    f"{paid:,.6g} units is not whole blocks of {option.block:g}",
                )
            )
    return option.unit_cost * a["paid"], found


def _purchase(
    case: Case, option: Supply, signed: bool, a: dict[str, np.ndarray]
) -> tuple[np.ndarray, list[Violation]]:
    first, last = availability(case, option)
    horizon = len(case.periods)
    capacity = np.asarray(calendar_values(option.capacity, case.periods, first, last)) * signed
    life = option.life or horizon
    bought = a["bought"]
    owned = np.array([bought[max(0, t - life + 1) : t + 1].sum() for t in range(horizon)])
    found = []
    for t, label in enumerate(case.periods):
        subject = f"{option.id} {label}"
        if over(bought[t], capacity[t]):
            found.append(
                Violation(
                    "purchase", subject, f"buys {bought[t]:,.6g} units, may buy {capacity[t]:,.6g}"
                )
            )
        if option.block != 1 and not whole(bought[t], option.block):
            found.append(
                Violation(
                    "block",
                    subject,
                    f"{bought[t]:,.6g} units is not whole blocks of {option.block:g}",
                )
            )
        if over(a["used"][t], owned[t]):
            found.append(
                Violation(
                    "purchase", subject, f"uses {a['used'][t]:,.6g} units, owns {owned[t]:,.6g}"
                )
            )
    if signed and over(option.min_commit, bought.sum()):
        found.append(
            Violation(
                "purchase",
                option.id,
                f"buys {bought.sum():,.6g} units in all, "
                f"below the commitment of {option.min_commit:,.6g}",
            )
        )
    return option.unit_cost * bought + option.running_cost * owned, found


def check_sites(case: Case, uses: dict[str, OptionUse]) -> list[Violation]:
    """Power drawn at every site and period within the site's power."""
    power = {r.id: r.power for r in case.resources}
    found = []
    for site in case.sites:
        limit = np.asarray(calendar_values(site.power, case.periods))
        drawn = sum(
            (
                power[s.resource] * uses[s.id].used
                for s in case.supply
                if s.site == site.id and s.id in uses
            ),
            np.zeros(len(case.periods)),
        )
        text = "draws {amount:,.6g}, has {limit:,.6g}"
        found += exceeded(case.periods, "site power", site.id, drawn, limit, text)
    return found
