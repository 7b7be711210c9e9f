"""allocator: compute allocation and project-portfolio optimisation."""

from allocator.case import (
    Case,
    CaseError,
    Problem,
    apply_scenario,
    dump_case,
    load_case,
    save_case,
)

__version__ = "0.1.0"

__all__ = [
    "Case",
    "CaseError",
    "Problem",
    "__version__",
    "apply_scenario",
    "dump_case",
    "load_case",
    "save_case",
]
