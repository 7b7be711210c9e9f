"""The solvers behind the OR-Tools backend: what each declares, how our options reach it,
and how OR-Tools' statuses read as conditions.

Solvers (our name -> OR-Tools name; what each declares is in ``SOLVERS``)

| solver    | OR-Tools | columns                      | best bound        | duals | start |
|-----------|----------|------------------------------|-------------------|-------|-------|
| ``scip``  | scip     | integer and continuous       | SCIP's dual bound | no    | yes   |
| ``highs`` | highs    | integer and continuous       | not reported (1)  | no    | no (7)|
| ``cp-sat``| sat      | integer, bounds within 1e7(2)| CP-SAT's bound    | no    | yes   |
| ``glop``  | glop     | continuous only              | not reported      | yes   | no    |

Glop, OR-Tools' simplex solver, is the one that reports row duals and reduced costs
of a linear program, as d objective / d bound in both senses. (Through this
interface SCIP reports none and HiGHS returns row activities in their place, so
neither is read.)

(1) OR-Tools copies HiGHS's objective into the bound field, so it is not read: the
    finishing step takes the objective as the bound once optimality is proven.
(2) CP-SAT makes every column integer (a continuous column would silently be rounded)
    and clamps every bound beyond ``mip_max_bound`` (1e7) to it, then calls the clamped
    answer optimal: such models are refused with ``BackendError``.

Options -> solver parameters (``set_solver_specific_parameters``)

| option         | scip               | highs                     | cp-sat                   |
|----------------|--------------------|---------------------------|--------------------------|
| relative_gap g | ``limits/gap = g`` | ``mip_rel_gap=g``         | ``relative_gap_limit:g`` |
| (always)       | ``numerics/feastol | -                         | -                        |
|                | = 1e-8`` (5)       |                           |                          |
| (always)       | ``separating/      | -                         | -                        |
|                | aggregation/       |                           |                          |
|                | maxroundsroot = 3``|                           |                          |
|                | (8)                |                           |                          |
| threads n      | not applied (3)    | not applied (4)           | ``num_workers:n``        |
| verbose off    | (OR-Tools: quiet)  | ``output_flag=false`` (6) | (OR-Tools: quiet)        |
| time_limit t   | ``set_time_limit_in_seconds(t)``, every solver                            |

Parameters are joined by a newline (scip, highs) or a space (cp-sat). The gap is
always passed, 0 included (HiGHS's own default is 1e-4), written as ``repr(g)``.
The solvers measure the gap differently (SCIP against the smaller of the two
values, HiGHS against the objective, CP-SAT against max(1, objective)); each is
close to ``SolveOptions``'s definition.
(3) OR-Tools runs SCIP (and Glop) on one thread; ``threads`` > 1 is noted in the message.
(4) HiGHS's thread pool is fixed per process at its first solve; asking another
    size later makes ``run()`` fail, so ``threads`` is not passed and this is
    noted in the message.
(5) SCIP's default feasibility tolerance (1e-6, relative) lets a row with terms of
    1e6 units be short by a whole unit; plans then fail the independent checker once
    integers are rounded (seen on the flagship's growth-slows scenario). 1e-8 keeps
    them within it; 1e-9 made SCIP stop short of the optimum on the same case.
(6) Given first, so HiGHS does not print its banner on standard output.
(7) OR-Tools' HiGHS bridge copies the hints into vectors it sizes to zero before
    calling ``Highs::setSolution`` (ortools/linear_solver/proto_solver/
    highs_proto_solver.cc), so no start is handed to it; a start given for it is
    refused. SCIP takes the hints as a solution to try first, CP-SAT as its
    ``solution_hint``.
(8) SCIP's aggregation separator (c-MIR, flow-cover and knapsack-cover cuts from
    aggregated rows) runs every root round by default (-1: no limit). Our budget,
    cash and capacity rows hold a term for every project choice, so each round scans
    long rows for a cut or two: on generated cases of 1,000 to 5,000 projects it took
    half of SCIP's time and more. Three root rounds keep the cuts that close most of
    the root gap and make SCIP 2 to 3.6 times faster there (the same at 3,000 and
    10,000 projects), the flagship's proof twice as fast, and the OR-Library
    capital-budgeting proofs no slower (``docs/performance.md``, "SCIP's root cuts").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.linear_solver.python import model_builder_helper as mbh

from allocator.backends.capabilities import Capabilities, Feature
from allocator.backends.conditions import Condition
from allocator.backends.options import SolveOptions

OrToolsStatus = mbh.SolveStatus

CONDITIONS: dict[OrToolsStatus, Condition] = {
    OrToolsStatus.OPTIMAL: Condition.OPTIMAL,
    OrToolsStatus.FEASIBLE: Condition.TIME_LIMIT,  # (2): or INTERRUPTED
    OrToolsStatus.INFEASIBLE: Condition.INFEASIBLE,  # (1)
    OrToolsStatus.UNBOUNDED: Condition.UNBOUNDED,
    OrToolsStatus.NOT_SOLVED: Condition.TIME_LIMIT,  # (1), (2): or ERROR
    OrToolsStatus.UNKNOWN_STATUS: Condition.TIME_LIMIT,  # (1), (2): or ERROR
}
"""OR-Tools status -> our condition, for every solver (a solver's spec may change an
entry); any other status (ABNORMAL, MODEL_INVALID, CANCELLED_BY_USER, ...) is ERROR,
with OR-Tools' status and text.
(1) INFEASIBLE_OR_UNBOUNDED when the text says "unbounded": OR-Tools reports SCIP's
    SCIP_STATUS_INFORUNBD and HiGHS's kUnboundedOrInfeasible as INFEASIBLE with a text
    saying the model "may actually be unbounded", CP-SAT's presolve as UNKNOWN_STATUS
    with "infeasible or unbounded".
(2) OR-Tools gives no termination reason, so the clock decides (``ortools_backend``):
    TIME_LIMIT after half the limit with a plan, after 95% of it without; before that
    INTERRUPTED with a plan (SCIP catches Ctrl-C and stops), ERROR without."""

CP_SAT_MAX_BOUND = 1e7
"""CP-SAT's default ``mip_max_bound``: it clamps every column bound beyond this to it."""


@dataclass(frozen=True)
class SolverSpec:
    """What one solver behind OR-Tools can do, how our options reach it, how it answers."""

    name: str
    """Our name for the solver."""
    ortools_name: str
    """The name ``ModelSolverHelper`` parses."""
    capabilities: Capabilities
    gap_parameter: str
    """The relative-gap parameter, formatted with ``gap``."""
    threads_parameter: str | None
    """The thread-count parameter, formatted with ``threads``; None: not applied."""
    single_threaded: bool
    """Runs on one thread whatever is asked, so ``threads=1`` is honoured as is."""
    threads_note: str
    """Said in the message when ``threads`` is asked for but not applied."""
    quiet_parameter: str | None
    """Given first when ``verbose`` is off (HiGHS prints a banner otherwise)."""
    separator: str
    """Between parameters in the solver-specific string."""
    fixed_parameters: tuple[str, ...] = ()
    """Parameters always passed, after the others."""
    conditions: dict[OrToolsStatus, Condition] = field(default_factory=lambda: CONDITIONS)
    """Its status table (``CONDITIONS`` unless it says something else)."""


def _features(*features: Feature) -> frozenset[Feature]:
    return frozenset(features)


_MIP = _features(Feature.INTEGERS, Feature.CONTINUOUS, Feature.BOUND)

SOLVERS: dict[str, SolverSpec] = {
    "scip": SolverSpec(
        name="scip",
        ortools_name="scip",
        capabilities=Capabilities(_MIP | {Feature.INTERRUPT, Feature.HINTS}),
        gap_parameter="limits/gap = {gap}",
        fixed_parameters=("numerics/feastol = 1e-8", "separating/aggregation/maxroundsroot = 3"),
        threads_parameter=None,
        single_threaded=True,
        threads_note="scip runs on one thread here; threads={threads} not applied",
        quiet_parameter=None,
        separator="\n",
    ),
    "highs": SolverSpec(
        name="highs",
        ortools_name="highs",
        capabilities=Capabilities(_features(Feature.INTEGERS, Feature.CONTINUOUS)),
        gap_parameter="mip_rel_gap={gap}",
        threads_parameter=None,
        single_threaded=False,
        threads_note=(
            "threads={threads} not applied: HiGHS fixes its thread pool per process "
            "at its first solve"
        ),
        quiet_parameter="output_flag=false",
        separator="\n",
    ),
    "cp-sat": SolverSpec(
        name="cp-sat",
        ortools_name="sat",
        capabilities=Capabilities(
            _features(Feature.INTEGERS, Feature.BOUND, Feature.THREADS, Feature.HINTS),
            bound_limit=CP_SAT_MAX_BOUND,
        ),
        gap_parameter="relative_gap_limit:{gap}",
        threads_parameter="num_workers:{threads}",
        single_threaded=False,
        threads_note="",
        quiet_parameter=None,
        separator=" ",
    ),
    "glop": SolverSpec(
        name="glop",
        ortools_name="glop",
        capabilities=Capabilities(_features(Feature.CONTINUOUS, Feature.DUALS)),
        gap_parameter="",
        threads_parameter=None,
        single_threaded=True,
        threads_note="glop runs on one thread; threads={threads} not applied",
        quiet_parameter=None,
        separator=" ",
        # Glop says INFEASIBLE, with no text, for unbounded linear programs too.
        conditions={**CONDITIONS, OrToolsStatus.INFEASIBLE: Condition.INFEASIBLE_OR_UNBOUNDED},
    ),
}
"""Our solver name -> its spec; the order is the order ``available_solvers`` lists them."""

CAPABILITIES: dict[str, Capabilities] = {name: spec.capabilities for name, spec in SOLVERS.items()}


def solver_parameters(spec: SolverSpec, options: SolveOptions) -> str:
    """The solver-specific parameter string for ``options`` (see the module's table)."""
    parts = []
    if spec.quiet_parameter is not None and not options.verbose:
        parts.append(spec.quiet_parameter)
    if spec.gap_parameter:
        parts.append(spec.gap_parameter.format(gap=repr(float(options.relative_gap))))
    if options.threads is not None and spec.threads_parameter is not None:
        parts.append(spec.threads_parameter.format(threads=options.threads))
    parts.extend(spec.fixed_parameters)
    return spec.separator.join(parts)


def threads_note(spec: SolverSpec, options: SolveOptions) -> str:
    if options.threads is None or spec.capabilities.supports(Feature.THREADS):
        return ""
    if spec.single_threaded and options.threads == 1:
        return ""
    return spec.threads_note.format(threads=options.threads)
