"""allocator: compute allocation and project-portfolio optimisation."""

from allocator.case import (
    Case,
    CaseError,
    Problem,
    apply_changes,
    apply_scenario,
    dump_case,
    load_case,
    save_case,
)
from allocator.engine import PlanCheckError, Result, solve
from allocator.errors import InputError
from allocator.hedging.api import Hedge, hedge
from allocator.plan import Plan
from allocator.sweeps.api import Sweep, sweep
from allocator.verify import Verification, Violation, verify

__version__ = "0.1.0"

__all__ = [
    "Case",
    "CaseError",
    "Hedge",
    "InputError",
    "Plan",
    "PlanCheckError",
    "Problem",
    "Result",
    "Sweep",
    "Verification",
    "Violation",
    "__version__",
    "apply_changes",
    "apply_scenario",
    "dump_case",
    "hedge",
    "load_case",
    "save_case",
    "solve",
    "sweep",
    "verify",
]
