"""``allocator.hedge``: one first stage for every future of a case's uncertainty.

The futures are draws of the case's ``uncertainty`` (every combination of the choices,
or ``draws`` Monte Carlo samples from ``seed``, as in a sweep), each weighted by its
probability. What is decided now (``allocator.hedging.stages``: signatures, equity,
purchases, credit draws and project starts up to the commit period) is one decision;
everything after it is each future's own. The answer:

- the first stage that maximises (1 - lambda) E[objective] + lambda CVaR_alpha(objective)
  over the futures (the extensive form, ``allocator.hedging.extensive``), and each
  future's plan under it, every plan checked against that future's case;
- ``expected_objective`` E[z(x*)], and ``cvar`` the mean objective of the worst
  ``alpha`` share of the weight;
- the expected-value plan: the case solved with every factor at its mean
  (``allocator.case.draws.mean_draw``), its first stage held fixed in every future;
  ``vss`` = E[z(x*)] - E[z(x_EV)], the value of solving the stochastic program (None
  when the expected-value plan has no plan in some future);
- ``evpi`` = E[max z_f] - E[z(x*)], the value of knowing the future before deciding;
- with ``evaluate`` (a first stage from a plan), that first stage held fixed in every
  future instead of choosing one;
- with ``decompose``, the first stage found by dual decomposition by future
  (``allocator.hedging.decompose``) instead of the extensive form;
- ``bound``: what no first stage beats, the least of the method's bound and the
  futures' own optima mixed as the objective is.

Every per-future solve runs on Dask (``allocator.cluster``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from allocator.analysis.runner import Runner
from allocator.backends.termination import SolveStatus, Termination, relative_gap
from allocator.case.draws import draw_case, mean_draw
from allocator.case.errors import CaseError
from allocator.case.model import Case
from allocator.errors import InputError
from allocator.hedging.decisions import FirstStage, from_decisions, from_plan
from allocator.hedging.decompose import Decomposition, decompose
from allocator.hedging.extensive import cvar_of, extensive_form
from allocator.hedging.futures import decided_projects, make_futures
from allocator.hedging.plans import FutureOutcome, expected, hindsight, recourse, solve_extensive
from allocator.hedging.setting import Done, Phase, Setting
from allocator.hedging.stages import commit_index
from allocator.hedging.tables import futures_table, stage_tables
from allocator.sweeps.api import choose_draws

DEFAULT_ALPHA = 0.1
EVALUATE_OR_DECOMPOSE = "give --evaluate or --decompose, not both: an evaluated plan is held"
EVALUATED = "evaluated"
"""The status of a hedge that held a given first stage instead of choosing one."""


@dataclass(frozen=True)
class ExpectedValuePlan:
    """The plan of the expected-value case and what its first stage gives in each future
    (``outcomes``; None with ``message`` when there is no such plan)."""

    stage: FirstStage | None
    first_stage: dict[str, pd.DataFrame] | None
    outcomes: list[FutureOutcome] | None
    expected_objective: float | None
    no_plan: list[int]
    message: str = ""


@dataclass(frozen=True)
class Hedge:
    """A two-stage plan (see the module docstring).

    ``status``: the extensive form's (optimal, feasible, infeasible, no_solution, ...),
    or ``evaluated`` for a given first stage; ``first_stage``: its tables
    (``allocator.hedging.tables``); ``futures``: one row per future. ``objective``:
    (1 - lambda) E + lambda CVaR of the plan's futures (E without risk aversion);
    ``bound``: no first stage does better than this: the least of the extensive form's
    bound and the same mix of the futures' own bounds (no plan does better in a future
    than that future's own optimum); ``gap``: their relative distance.
    """

    status: str
    message: str
    termination: Termination | None
    stage: FirstStage | None
    first_stage: dict[str, pd.DataFrame]
    futures: pd.DataFrame
    expected_objective: float | None
    cvar: float | None
    alpha: float | None
    risk_aversion: float
    vss: float | None
    evpi: float | None
    wait_and_see: float | None
    objective: float | None
    bound: float | None
    gap: float | None
    expected_value: ExpectedValuePlan | None
    commit: str
    grid: bool
    seed: int | None
    size: dict[str, int] = field(default_factory=dict)
    outcomes: list[FutureOutcome] = field(default_factory=list, repr=False)
    decomposition: Decomposition | None = None
    """With ``decompose``: the iterations, each one's bound and best, what was evaluated."""


def hedge(
    case: Case,
    *,
    grid: bool = False,
    draws: int | None = None,
    seed: int = 0,
    commit_through: str | None = None,
    risk_aversion: float = 0.0,
    alpha: float | None = None,
    evaluate: FirstStage | None = None,
    runner: Runner | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    decompose: int | None = None,
    phase: Phase | None = None,
) -> Hedge:
    """The two-stage plan of ``case`` (see the module docstring).

    ``commit_through``: the last period decided now (None: the first); ``alpha`` None
    is 0.1 with risk aversion and no CVaR without; ``evaluate``: hold this first stage
    fixed instead of choosing one; ``decompose``: find the first stage by dual
    decomposition with at most this many iterations (``allocator.hedging.decompose``)
    instead of the extensive form, for the expectation only. The per-future solves run
    on Dask: the cluster at ``scheduler``, or ``workers`` local worker processes
    (default one per CPU).
    Raises ``InputError`` for draws that cannot be made, a future that breaks a rule of
    the case, a period not in the horizon, lambda outside [0, 1] or alpha outside (0, 1].
    """
    _check_risk(risk_aversion, alpha)
    _check_decompose(decompose, risk_aversion)
    if evaluate is not None and decompose is not None:
        raise InputError(EVALUATE_OR_DECOMPOSE)
    if alpha is None and risk_aversion > 0:
        alpha = DEFAULT_ALPHA
    runner = runner or Runner()
    phase = phase or _silent
    commit = commit_index(case, commit_through)
    if workers is not None and workers < 1:
        raise InputError(f"workers must be at least 1, got {workers}")
    chosen, is_grid = choose_draws(case, grid=grid, draws=draws, seed=seed)
    futures = make_futures(case, chosen)
    from allocator.cluster import future_pool  # Dask is loaded only when used

    with future_pool(scheduler, workers, len(futures)) as pool:
        decided = tuple(decided_projects(case, futures, commit))
        c = Setting(case, futures, commit, runner, pool, phase, decompose, decided=decided)
        alone = phase("solving each future alone", len(futures))
        own = hindsight(futures, runner, pool, commit, alone)
        answer = _Answer(c, own, alpha, risk_aversion, is_grid, None if is_grid else seed)
        if evaluate is not None:
            held = _recourse(c, evaluate, "holding the plan's first stage in each future")
            return answer.build(EVALUATED, "", None, evaluate, held)
        return _two_stage(c, answer)


def _two_stage(c: Setting, answer: _Answer) -> Hedge:
    """Choose the first stage (the extensive form, or the decomposition), then each
    future's recourse."""
    hopeless = [o.future.index for o in answer.own if o.status == SolveStatus.INFEASIBLE.value]
    if hopeless:
        message = (
            f"future(s) {', '.join(map(str, hopeless))} have no plan even with hindsight: "
            "no first stage can serve every future"
        )
        return answer.build(SolveStatus.INFEASIBLE.value, message, None, None, [])
    ev = _expected_value_plan(c)
    if c.iterations is not None:
        return _by_decomposition(c, answer, ev)
    extensive = extensive_form(
        c.futures, c.commit, answer.risk_aversion, answer.alpha or DEFAULT_ALPHA
    )
    model = extensive.model
    c.phase(f"solving the extensive form ({len(c.futures)} futures)", 0)
    termination, values = solve_extensive(extensive, c.runner)
    stage = from_decisions(c.case, values) if values else None
    outcomes = [] if stage is None else _recourse(c, stage, "each future's best recourse")
    size = {
        "columns": model.num_variables,
        "rows": model.num_constraints,
        "nonzeros": int(model.matrix.nnz),
        "integers": int(model.integer.sum()),
    }
    t = termination
    return answer.build(t.status.value, t.message, t, stage, outcomes, ev, size)


def _by_decomposition(c: Setting, answer: _Answer, ev: ExpectedValuePlan) -> Hedge:
    """The first stage found by dual decomposition, the expected-value plan's its seed."""
    seeds = [] if ev.stage is None or ev.outcomes is None else [(ev.stage, ev.outcomes)]
    found = decompose(c, answer.own, seeds)
    t = found.termination
    assert t is not None
    hedge = answer.build(t.status.value, t.message, t, found.stage, found.outcomes, ev)
    return replace(hedge, decomposition=found)


def _recourse(c: Setting, stage: FirstStage, what: str) -> list[FutureOutcome]:
    """Each future solved with ``stage`` held fixed, its progress shown as ``what``."""
    return recourse(c.futures, stage, c.commit, c.runner, c.pool, c.phase(what, len(c.futures)))


@dataclass(frozen=True)
class _Answer:
    """What every way of ending a hedge shares, and the step that builds the ``Hedge``."""

    context: Setting
    own: list[FutureOutcome]
    alpha: float | None
    risk_aversion: float
    grid: bool
    seed: int | None

    def build(
        self,
        status: str,
        message: str,
        termination: Termination | None,
        stage: FirstStage | None,
        outcomes: list[FutureOutcome],
        ev: ExpectedValuePlan | None = None,
        size: dict[str, int] | None = None,
    ) -> Hedge:
        c = self.context
        if not outcomes:
            outcomes = [FutureOutcome(f, status, None, None, message) for f in c.futures]
        mean = expected(outcomes)
        ideal = expected(self.own)
        objective = self.mix([o.objective for o in outcomes])
        bound = None
        if status != EVALUATED:
            known = [self.mix([o.bound for o in self.own])]
            known.append(termination.bound if termination is not None else None)
            bound = min((b for b in known if b is not None), default=None)
        return Hedge(
            status=status,
            message=message,
            termination=termination,
            stage=stage,
            first_stage=stage_tables(c.case, stage, list(c.decided)) if stage else {},
            futures=futures_table(outcomes, self.own, ev.outcomes if ev else None),
            expected_objective=mean,
            cvar=_cvar(outcomes, self.alpha),
            alpha=self.alpha,
            risk_aversion=self.risk_aversion,
            vss=_difference(mean, ev.expected_objective if ev else None),
            evpi=_difference(ideal, mean),
            wait_and_see=ideal,
            objective=objective,
            bound=bound,
            gap=relative_gap(objective, bound),
            expected_value=ev,
            commit=c.case.periods[c.commit],
            grid=self.grid,
            seed=self.seed,
            size=size or {},
            outcomes=outcomes,
        )

    def mix(self, values: list[float | None]) -> float | None:
        """(1 - lambda) E[values] + lambda CVaR_alpha(values) over the futures' weights
        (the expectation alone without risk aversion); None if one is unknown."""
        if any(v is None for v in values):
            return None
        objectives = np.array(values, dtype=float)
        weights = np.array([f.weight for f in self.context.futures])
        mean = float(objectives @ weights / weights.sum())
        if self.risk_aversion == 0:
            return mean
        tail = cvar_of(objectives, weights, self.alpha or DEFAULT_ALPHA)
        return (1 - self.risk_aversion) * mean + self.risk_aversion * tail


def _expected_value_plan(c: Setting) -> ExpectedValuePlan:
    """The mean case's plan, its first stage held fixed in every future."""
    try:
        mean_case = draw_case(c.case, mean_draw(c.case))
    except CaseError as error:
        problems = "; ".join(str(p) for p in error.problems)
        return ExpectedValuePlan(None, None, None, None, [], f"the means break a rule: {problems}")
    c.phase("solving the expected-value case (every factor at its mean)", 0)
    result = c.runner.solve(mean_case)
    if result.plan is None:
        status = result.termination.status.value
        return ExpectedValuePlan(None, None, None, None, [], f"the expected-value case: {status}")
    stage = from_plan(mean_case, result.plan, c.commit)
    outcomes = _recourse(c, stage, "holding the expected-value plan's first stage")
    no_plan = [o.future.index for o in outcomes if o.plan is None]
    tables = stage_tables(c.case, stage, list(c.decided))
    return ExpectedValuePlan(stage, tables, outcomes, expected(outcomes), no_plan)


def _cvar(outcomes: list[FutureOutcome], alpha: float | None) -> float | None:
    if alpha is None or any(o.objective is None for o in outcomes):
        return None
    objectives = np.array([o.objective for o in outcomes], dtype=float)
    weights = np.array([o.future.weight for o in outcomes])
    return cvar_of(objectives, weights, alpha)


def _difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def _check_risk(risk_aversion: float, alpha: float | None) -> None:
    if not 0.0 <= risk_aversion <= 1.0:
        raise InputError(f"the risk aversion must be between 0 and 1, got {risk_aversion:g}")
    if alpha is not None and not 0.0 < alpha <= 1.0:
        raise InputError(f"the CVaR share alpha must be in (0, 1], got {alpha:g}")


def _check_decompose(iterations: int | None, risk_aversion: float) -> None:
    if iterations is None:
        return
    if iterations < 1:
        raise InputError(f"the decomposition needs at least 1 iteration, got {iterations}")
    if risk_aversion > 0:
        raise InputError(
            "the decomposition maximises the expected objective only (the CVaR ties the "
            "futures together): drop --risk-aversion, or solve the extensive form"
        )


def _silent(_what: str, _solves: int) -> Done:
    return lambda _label: None
