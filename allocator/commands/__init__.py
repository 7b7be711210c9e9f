"""The command-line commands, one module each, and the table that names them.

``COMMANDS`` maps each command's name to the function that runs it; ``allocator.cli``
registers them in this order, the order ``allocator --help`` lists them in. A command's
options are its function's parameters, its help is the function's docstring.
"""

from __future__ import annotations

from collections.abc import Callable

from allocator.commands.alternatives import alternatives_command
from allocator.commands.compare import compare_command
from allocator.commands.explain import explain_command
from allocator.commands.frontier import frontier_command
from allocator.commands.generate import generate_command
from allocator.commands.hedge import hedge_command
from allocator.commands.marginals import marginals_command
from allocator.commands.opportunity import opportunity_command
from allocator.commands.replan import replan_command
from allocator.commands.solve import solve_command
from allocator.commands.sweep import sweep_command
from allocator.commands.validate import validate_command

COMMANDS: dict[str, Callable[..., None]] = {
    "validate": validate_command,
    "solve": solve_command,
    "generate": generate_command,
    "compare": compare_command,
    "marginals": marginals_command,
    "opportunity": opportunity_command,
    "explain": explain_command,
    "frontier": frontier_command,
    "sweep": sweep_command,
    "hedge": hedge_command,
    "replan": replan_command,
    "alternatives": alternatives_command,
}
"""Command name -> the function that runs it."""
