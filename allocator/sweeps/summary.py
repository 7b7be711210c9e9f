"""What a sweep says: weighted statistics of its records (one row per solved draw).

``summarise`` reads the records of a sweep (the columns of ``RECORD_FIELDS``, one row
per draw, in any order) and the case they were drawn from, and returns a ``Summary``;
``summary_document`` is its JSON form (the ``summary`` of a sweep's JSON document).

Weights. Every draw carries a ``weight``: its probability on a grid (the product of
its choices' probabilities), 1/N for N Monte Carlo draws. Probabilities are taken
relative to the total weight W of the records given, so a sweep that has not finished
is summarised over the draws it has (``total_weight`` says how much of the whole they
cover: 1 for a complete sweep).

A draw *has a plan* when its status is ``optimal`` or ``feasible``; ``infeasible``,
``unbounded``, ``no_solution``, ``error`` and ``invalid`` draws have none. With w_i
the weight of draw i, P the draws with a plan and W_P their total weight:

- ``no_plan_probability`` = (W - W_P) / W;
- ``funded_probability[p]`` = sum of w_i over i in P funding p, / W (a draw without
  a plan funds nothing); ``level_probability[p][l]`` likewise for p at level l;
  ``signed_probability[s]`` likewise for an optional supply option s signed;
- the figures (objective, cash low point, credit peak) are described over P alone,
  renormalised by W_P: mean m = sum w_i x_i / W_P; standard deviation
  sqrt(sum w_i (x_i - m)^2 / W_P) on a grid (the grid is the distribution itself);
  for Monte Carlo, whose draws are samples, the sample standard deviation
  s = sqrt(n / (n - 1)) times that (n draws with a plan, all of weight 1/N) and
  the standard error of the mean s / sqrt(n);
- the weighted quantile q is the smallest value x whose cumulative weight reaches q:
  the values sorted, x_(k) is the first with sum_{j <= k} w_(j) / W_P >= q (up to
  1e-9 of rounding). On a grid it is the exact quantile of the distribution; for
  equal weights it is the lower of the two middle values at q = 0.5 with n even;
- the objective's histogram: ``HISTOGRAM_BINS`` bins of equal width from the least
  to the largest objective (the last bin closed), each with its weight / W_P;
- guaranteed-return capital: the record keeps the returns a plan pays
  (``guaranteed_returns``), not whether the capital was taken, so a draw is counted
  as taking it when it pays a positive amount. Capital taken in the last period
  pays nothing inside the horizon and is not seen.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from allocator.backends.termination import SolveStatus
from allocator.case.model import Case
from allocator.errors import InputError
from allocator.sweeps.record import INVALID

PLAN_STATUSES = (SolveStatus.OPTIMAL.value, SolveStatus.FEASIBLE.value)
"""The statuses of a draw with a plan."""

STATUSES = (*(s.value for s in SolveStatus), INVALID)
"""Every status a record may have, in the order the summary lists them."""

QUANTILES = {"q05": 0.05, "q25": 0.25, "q50": 0.50, "q75": 0.75, "q95": 0.95}
"""The quantiles of each figure, by their names in the JSON."""

HISTOGRAM_BINS = 10
"""Bins of the objective's histogram."""

QUANTILE_SLACK = 1e-9
"""A cumulative weight within this much of q reaches q (weights are rounded sums)."""

REQUIRED = ("draw", "weight", "status", "objective", "funded", "levels")
"""Columns ``summarise`` cannot do without; the others are described when present."""


@dataclass(frozen=True)
class Spread:
    """Weighted statistics of one figure over the draws with a plan (None: no such draw)."""

    mean: float | None
    std: float | None
    q05: float | None
    q25: float | None
    q50: float | None
    q75: float | None
    q95: float | None
    stderr: float | None
    """Monte Carlo only: the standard error of the mean (s / sqrt(n)); None on a grid."""


@dataclass(frozen=True)
class Bin:
    """One bin of a histogram: values in [low, high) (the last bin closed) and their weight."""

    low: float
    high: float
    probability: float


@dataclass(frozen=True)
class Summary:
    """What a sweep's draws say, in probabilities and weighted statistics."""

    draws: int
    """Records summarised."""
    draws_with_plan: int
    monte_carlo: bool
    total_weight: float
    """The total weight of the records: 1 when every draw of the sweep is there."""
    statuses: dict[str, int]
    """Draws of each status (every status in ``STATUSES``, zeros included)."""
    status_probability: dict[str, float]
    no_plan_probability: float
    objective: Spread
    cash_low: Spread
    credit_peak: Spread
    histogram: tuple[Bin, ...]
    """The objective's distribution over the draws with a plan."""
    funded_probability: dict[str, float]
    level_probability: dict[str, dict[str, float]]
    """Per project, the probability of each of its levels (levels never funded at 0)."""
    signed_probability: dict[str, float] | None
    """Per optional supply option; None when the records do not keep what was signed."""
    cash_low_period_probability: dict[str, float]
    """How often cash is lowest in each period (draws with a plan, renormalised)."""
    guaranteed_capital: tuple[str, ...]
    """The case's optional funding sources with a guaranteed return."""
    guaranteed_returns_mean: float | None
    """Mean guaranteed returns paid over the draws with a plan; None if not recorded."""
    guaranteed_capital_taken_probability: float | None
    """Probability a plan pays guaranteed returns (the capital is taken); None if not
    recorded."""

    @property
    def expected_objective(self) -> float | None:
        """The weighted mean objective over the draws with a plan."""
        return self.objective.mean


def summarise(draws: pd.DataFrame, case: Case, *, monte_carlo: bool) -> Summary:
    """The ``Summary`` of a sweep's records ``draws`` of ``case`` (see the module docstring).

    Raises ``InputError`` when a needed column is missing, when there is no record, when
    a draw appears twice or when a weight is negative or not a number.
    """
    _check(draws)
    weight = draws["weight"].to_numpy(dtype=float)
    total = float(weight.sum())
    status = draws["status"].astype(str).to_numpy()
    has_plan = np.isin(status, PLAN_STATUSES)
    plan = _Plans(draws[has_plan], weight[has_plan], total)
    counts = {s: 0 for s in STATUSES} | {
        str(s): int(n) for s, n in pd.Series(status).value_counts(sort=False).items()
    }
    funded = plan.probability_of_ids("funded", [p.id for p in case.projects])
    signed = None
    if "signed" in draws.columns:
        signed = plan.probability_of_ids("signed", [s.id for s in case.supply if s.optional])
    returns_mean = taken = None
    if "guaranteed_returns" in draws.columns:
        returns = _numbers(plan.records["guaranteed_returns"])
        returns_mean = _spread(returns, plan.weight, monte_carlo=False).mean
        taken = plan.probability(np.nan_to_num(returns) > 0)
    objective = _column(plan.records, "objective")
    return Summary(
        draws=len(draws),
        draws_with_plan=int(has_plan.sum()),
        monte_carlo=monte_carlo,
        total_weight=total,
        statuses=counts,
        status_probability={s: float(weight[status == s].sum()) / total for s in counts},
        no_plan_probability=float(weight[~has_plan].sum()) / total,
        objective=_spread(objective, plan.weight, monte_carlo=monte_carlo),
        cash_low=_spread(_column(plan.records, "cash_low"), plan.weight, monte_carlo=monte_carlo),
        credit_peak=_spread(
            _column(plan.records, "credit_peak"), plan.weight, monte_carlo=monte_carlo
        ),
        histogram=histogram(objective, plan.weight),
        funded_probability=funded,
        level_probability=plan.level_probability(case, list(funded)),
        signed_probability=signed,
        cash_low_period_probability=plan.cash_low_periods(list(case.periods)),
        guaranteed_capital=tuple(
            f.id for f in case.funding if f.optional and f.guaranteed_return > 0
        ),
        guaranteed_returns_mean=returns_mean,
        guaranteed_capital_taken_probability=taken,
    )


@dataclass(frozen=True)
class _Plans:
    """The records of the draws with a plan, their weights, and the total weight W of
    every draw (what probabilities are relative to)."""

    records: pd.DataFrame
    weight: np.ndarray
    total: float

    def probability(self, where: Iterable[bool]) -> float:
        """The weight of the draws with a plan ``where`` holds, / W."""
        mask = np.fromiter(where, dtype=bool, count=len(self.weight))
        return float(self.weight[mask].sum()) / self.total

    def probability_of_ids(self, column: str, known: list[str]) -> dict[str, float]:
        """For each id (``known`` first, then any other the lists hold), the probability
        that the list in ``column`` holds it."""
        lists = [_ids(v) for v in self.records[column]]
        ids = _ordered(known, (i for held in lists for i in held))
        return {i: self.probability(i in held for held in lists) for i in ids}

    def level_probability(self, case: Case, projects: list[str]) -> dict[str, dict[str, float]]:
        """For each project, the probability of each of its levels (the case's first)."""
        levels = [_mapping(v) for v in self.records["levels"]]
        out = {}
        for p in projects:
            project = case.projects_by_id.get(p)
            known = [lv.id for lv in project.all_levels] if project is not None else []
            names = _ordered(known, (str(lv[p]) for lv in levels if p in lv))
            out[p] = {n: self.probability(str(lv.get(p)) == n for lv in levels) for n in names}
        return out

    def cash_low_periods(self, periods: list[str]) -> dict[str, float]:
        """How often cash is lowest in each period, renormalised over the draws that say."""
        if "cash_low_period" not in self.records.columns:
            return {}
        column = self.records["cash_low_period"]
        known = column.notna().to_numpy()
        weight, values = self.weight[known], column[known].astype(str).to_numpy()
        if weight.sum() <= 0:
            return {}
        shares = {
            p: float(weight[values == p].sum() / weight.sum()) for p in _ordered(periods, values)
        }
        return {p: share for p, share in shares.items() if share > 0}


def summary_document(summary: Summary) -> dict[str, Any]:
    """The JSON ``summary`` of a sweep: plain numbers, text, lists and mappings.

    ``expected_objective``, ``funded_probability`` and ``no_plan_probability`` are a
    contract (other tools read them); the other keys name the ``Summary`` fields.
    """
    return {
        "draws": summary.draws,
        "draws_with_plan": summary.draws_with_plan,
        "monte_carlo": summary.monte_carlo,
        "total_weight": summary.total_weight,
        "expected_objective": summary.expected_objective,
        "no_plan_probability": summary.no_plan_probability,
        "statuses": dict(summary.statuses),
        "status_probability": dict(summary.status_probability),
        "objective": asdict(summary.objective),
        "cash_low": asdict(summary.cash_low),
        "credit_peak": asdict(summary.credit_peak),
        "objective_histogram": [asdict(b) for b in summary.histogram],
        "funded_probability": dict(summary.funded_probability),
        "level_probability": {p: dict(v) for p, v in summary.level_probability.items()},
        "signed_probability": (
            None if summary.signed_probability is None else dict(summary.signed_probability)
        ),
        "cash_low_period_probability": dict(summary.cash_low_period_probability),
        "guaranteed_returns": {
            "sources": list(summary.guaranteed_capital),
            "mean": summary.guaranteed_returns_mean,
            "taken_probability": summary.guaranteed_capital_taken_probability,
        },
    }


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest of ``values`` whose cumulative weight (sorted, renormalised) reaches ``q``.

    ``values`` must not be empty and ``weights`` must add up to more than 0.
    """
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order]) / weights.sum()
    k = int(np.searchsorted(cumulative, q - QUANTILE_SLACK, side="left"))
    return float(values[order][min(k, len(values) - 1)])


def histogram(
    values: np.ndarray, weights: np.ndarray, bins: int = HISTOGRAM_BINS
) -> tuple[Bin, ...]:
    """Equal-width bins from the least to the largest of ``values`` (NaN left out), each
    with its share of the weight; one bin when every value is the same; none when empty."""
    known = ~np.isnan(values)
    values, weights = values[known], weights[known]
    total = weights.sum()
    if not len(values) or total <= 0:
        return ()
    low, high = float(values.min()), float(values.max())
    if high == low:
        return (Bin(low, high, 1.0),)
    width = (high - low) / bins
    index = np.clip(np.floor((values - low) / width).astype(int), 0, bins - 1)
    shares = np.bincount(index, weights=weights, minlength=bins) / total
    return tuple(
        Bin(low + i * width, high if i == bins - 1 else low + (i + 1) * width, float(shares[i]))
        for i in range(bins)
    )


def _spread(values: np.ndarray, weights: np.ndarray, *, monte_carlo: bool) -> Spread:
    """Mean, standard deviation, quantiles and (Monte Carlo) standard error of ``values``."""
    known = ~np.isnan(values)
    values, weights = values[known], weights[known]
    total = weights.sum()
    if not len(values) or total <= 0:
        return Spread(*([None] * 8))
    mean = float(np.dot(weights, values) / total)
    variance = float(np.dot(weights, (values - mean) ** 2) / total)
    n = len(values)
    stderr = None
    if monte_carlo:
        variance = variance * n / (n - 1) if n > 1 else math.nan
        stderr = math.sqrt(variance / n) if n > 1 else None
    std = None if math.isnan(variance) else math.sqrt(variance)
    quantiles = {name: weighted_quantile(values, weights, q) for name, q in QUANTILES.items()}
    return Spread(mean=mean, std=std, **quantiles, stderr=stderr)


def _check(draws: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED if c not in draws.columns]
    if missing:
        raise InputError(f"the sweep's records lack the column(s) {', '.join(missing)}")
    if draws.empty:
        raise InputError("there are no draws to summarise")
    repeated = draws["draw"][draws["draw"].duplicated()].unique()
    if len(repeated):
        raise InputError(
            f"draw {', '.join(str(d) for d in repeated[:5])} appears more than once in the records"
        )
    weight = pd.to_numeric(draws["weight"], errors="coerce").to_numpy(dtype=float)
    if not np.all(np.isfinite(weight)) or (weight < 0).any():
        raise InputError("every draw's weight must be a number, 0 or more")
    if weight.sum() <= 0:
        raise InputError("the draws' weights add up to 0")


def _numbers(column: pd.Series) -> np.ndarray:
    """A column as floats, None as NaN."""
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    return _numbers(frame[name]) if name in frame.columns else np.full(len(frame), np.nan)


def _ids(value: Any) -> list[str]:
    """A list of ids as a record holds it: a list, an array (read back from Parquet) or
    nothing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        return json.loads(value) if value.startswith("[") else [value]
    return [str(v) for v in value]


def _mapping(value: Any) -> dict[str, Any]:
    """A mapping as a record holds it: JSON text, a dict or nothing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return {}
    if isinstance(value, Mapping):
        return dict(value)
    return dict(json.loads(value))


def _ordered(known: list[str], seen: Iterable[Any]) -> list[str]:
    """``known`` in its order, then anything else ``seen``, in the order first seen."""
    out = list(known)
    present = set(out)
    for item in seen:
        item = str(item)
        if item not in present:
            out.append(item)
            present.add(item)
    return out
