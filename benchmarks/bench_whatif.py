"""Time the what-if analyses solved cold, warm (from the base plan) and with minimal change.

    python benchmarks/bench_whatif.py [--cases flagship generated]
        [--analyses opportunity marginals frontier] [--flagship cases/frontier-lab-2026.yaml]
        [--generated FILE] [--projects 4] [--frontier-steps N] [--workers 1] [--repeat 1]
        [--backend ortools] [--solver NAME] [--gap 1e-4] [--time-limit S] [--quiet]

Every analysis (``opportunity``, ``marginals``, ``frontier``) is run on every case in
each of three modes, with the same backend, solver, gap, time limit and ``--workers``
(default 1, so the ratios compare solver work and not scheduling):

- ``cold``: ``Runner(change=Change.ANY, warm=False)``: each variant's own optimum;
- ``warm``: ``Runner(change=Change.ANY, warm=True)``: the same, each variant's solver
  handed the base plan (matched to the variant's columns) as a starting plan;
- ``minimal``: ``Runner(change=Change.MINIMAL, warm=False)``, the default: each variant
  then searched for the plan as good as its optimum that changes the fewest decisions.

The cases: ``flagship`` is ``--flagship`` (every project for ``opportunity``, 11
frontier points); ``generated`` is ``--generated FILE``, by default the case of
``allocator generate -n 2000`` (4 resources, 12 periods, seed 0; written as JSON to a
temporary folder by ``allocator.generate.generate_case`` and loaded as a file), with
``opportunity`` limited to its first ``--projects`` project ids and 5 frontier points.
``--frontier-steps`` sets the points for both cases. Each run is timed end to end with
``time.perf_counter``, base solve included (``base=None``); ``marginals`` also solves the
duals' linear program. Before anything is timed, every analysis asked for runs once,
untimed, in each mode on a 6-project generated case (imports, solver libraries).
Within a repeat the modes run one after the other, starting one mode later each repeat.

Columns (medians over ``--repeat`` runs, except ``cold/mode``, the ratio of the medians):
"variants" is the number of what-ifs solved (the base solve not counted); "wall s" the
whole analysis; "cold/mode" the cold wall time over this mode's (> 1: faster than cold);
"variant solve s" the sum over variants of the wall time of their first solve
(``Result.seconds["solve"]``: handing the model to the solver, the hints, the solve);
"min-change s" the sum of the minimal-change searches (``Nearness.seconds``); "rest s"
the wall time left (formulating, the base solve and the duals, reading and checking the
plans, the tables); "hinted" how many of the runner's solves (base included) were handed
a starting plan, of all it made (noted by the runner in each process); "statuses" the
variants' statuses; "vs cold" whether every variant has the status it has cold and an
objective within the relative gap of the cold one (|a - b| <= gap x max(1, |a|, |b|)),
matched by variant (project and forcing, lever and step, factor). Any mismatch is printed
with the variant's figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ortools

import allocator
from allocator.analysis.frontier import frontier
from allocator.analysis.marginals import marginals
from allocator.analysis.opportunity import opportunity
from allocator.analysis.runner import Change, Runner
from allocator.case import load_case
from allocator.case.model import Case
from allocator.engine import Result
from allocator.formulation import Formulation
from allocator.generate import generate_case
from allocator.model.linear import LinearModel

MODES: dict[str, tuple[Change, bool]] = {
    "cold": (Change.ANY, False),
    "warm": (Change.ANY, True),
    "minimal": (Change.MINIMAL, False),
}
"""Mode -> (change, warm) of its runner."""

ANALYSES = ("opportunity", "marginals", "frontier")
CASES = ("flagship", "generated")
GENERATED_PROJECTS = 2000
WARM_UP_CASE = {"projects": 6, "resources": 2, "periods": 3, "seed": 1}
"""The small case of the untimed warm-up (``generate_case``'s arguments)."""
FLAGSHIP_STEPS = 11
GENERATED_STEPS = 5


@dataclass(frozen=True)
class NotingRunner(Runner):
    """A ``Runner`` that notes, for every solve, whether it handed the solver a starting plan
    (one line per solve in ``<log>/<pid>.txt``: 1 with a start, 0 without)."""

    log: str = ""

    def resolve(
        self,
        case: Case,
        formulation: Formulation,
        model: LinearModel,
        scenario: str | None = None,
        seconds: dict[str, float] | None = None,
    ) -> Result:
        """Solve as ``Runner`` does, and note whether a start went with it."""
        result = super().resolve(case, formulation, model, scenario, seconds)
        with open(Path(self.log, f"{os.getpid()}.txt"), "a", encoding="utf-8") as notes:
            notes.write(f"{int(self.starts_warm)}\n")
        return result


@dataclass
class Run:
    """One timed run of one analysis in one mode."""

    wall: float
    labels: list[str]
    results: list[Result]
    hinted: int
    solves: int

    @property
    def solve_seconds(self) -> float:
        """The sum over variants of their first solve's wall seconds."""
        return sum(r.seconds.get("solve", 0.0) for r in self.results)

    @property
    def closest_seconds(self) -> float:
        """The sum over variants of their minimal-change search's seconds."""
        return sum(r.nearness.seconds for r in self.results if r.nearness is not None)


@dataclass
class Row:
    """One (case, analysis, mode): its runs over the repeats and their mismatches."""

    case: str
    analysis: str
    mode: str
    runs: list[Run] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    compared: bool = False

    @property
    def wall(self) -> float:
        """The median wall seconds."""
        return statistics.median(run.wall for run in self.runs)

    def cells(self, cold: Row | None) -> list[str]:
        """The table's cells (``cold``: the cold row of the same case and analysis)."""
        last = self.runs[-1]
        statuses = Counter(r.termination.status.value for r in last.results)
        ratio = "-" if cold is None or not cold.runs else f"{cold.wall / self.wall:.2f}"
        solve = statistics.median(run.solve_seconds for run in self.runs)
        closest = statistics.median(run.closest_seconds for run in self.runs)
        rest = statistics.median(
            run.wall - run.solve_seconds - run.closest_seconds for run in self.runs
        )
        same = "-"
        if self.compared:
            same = "same" if not self.mismatches else f"{len(self.mismatches)} MISMATCH(ES)"
        return [
            self.case,
            self.analysis,
            self.mode,
            str(len(last.results)),
            f"{self.wall:.1f}",
            ratio,
            f"{solve:.1f}",
            f"{closest:.1f}",
            f"{rest:.1f}",
            f"{last.hinted}/{last.solves}",
            _proven(last.results),
            ", ".join(f"{s} {n}" for s, n in sorted(statuses.items())),
            same,
        ]


def _proven(results: list[Result]) -> str:
    """How many variants' minimal-change searches proved their diff minimal, of those
    searched ("-" when none was)."""
    searched = [r.nearness for r in results if r.nearness is not None]
    return f"{sum(n.proven for n in searched)}/{len(searched)}" if searched else "-"


HEADER = [
    "case",
    "analysis",
    "mode",
    "variants",
    "wall s",
    "cold/mode",
    "variant solve s",
    "min-change s",
    "rest s",
    "hinted",
    "minimal proven",
    "statuses",
    "vs cold",
]


def machine() -> list[str]:
    """Lines describing the machine, Python and the libraries."""
    uname = platform.uname()
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    return [
        f"uname: {' '.join(uname)}",
        f"CPU: {model}; {os.cpu_count()} logical CPUs, {usable} usable by this process",
        f"Python {platform.python_version()} ({sys.executable})",
        f"allocator {allocator.__version__}, OR-Tools {ortools.__version__}",
    ]


def load_average() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def generated_case(path: Path | None, folder: str) -> tuple[Case, str]:
    """The case of ``path``, or else ``allocator generate -n 2000`` written into ``folder``
    as JSON (as the command writes it) and loaded; and where it came from."""
    if path is None:
        path = Path(folder, f"generated-{GENERATED_PROJECTS}.json")
        data = generate_case(GENERATED_PROJECTS)
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        origin = f"generate_case({GENERATED_PROJECTS}) (= allocator generate -n 2000)"
    else:
        origin = str(path)
    return load_case(path), origin


def progress(quiet: bool) -> Callable[[str], None] | None:
    """A ``done`` callback printing each finished variant to stderr with the time since
    the run started (None when ``quiet``)."""
    if quiet:
        return None
    started = time.perf_counter()

    def done(label: str) -> None:
        """Print one finished variant."""
        print(f"      {time.perf_counter() - started:8.1f} s  {label}", file=sys.stderr, flush=True)

    return done


def run_analysis(
    case: Case,
    analysis: str,
    runner: NotingRunner,
    projects: list[str] | None,
    steps: int,
    workers: int,
    quiet: bool = True,
) -> Run:
    """Run ``analysis`` on ``case`` with ``runner``, timed end to end (base solve included)."""
    done = progress(quiet)
    started = time.perf_counter()
    if analysis == "opportunity":
        found = opportunity(case, runner=runner, projects=projects, workers=workers, done=done)
        wall = time.perf_counter() - started
        table = found.table
        labels = [f"{p} {f}" for p, f in zip(table["project"], table["forced"], strict=True)]
        results = list(found.results)
    elif analysis == "marginals":
        steps_found = marginals(case, runner=runner, workers=workers, done=done)
        wall = time.perf_counter() - started
        table = steps_found.steps
        labels = [
            f"{lever} {subject or period} {step:+.0%}"
            for lever, subject, period, step in zip(
                table["lever"], table["subject"], table["period"], table["step"], strict=True
            )
        ]
        results = list(steps_found.results)
    else:
        points = frontier(case, runner=runner, steps=steps, workers=workers, done=done)
        wall = time.perf_counter() - started
        labels = [f"x{k:g}" for k in points.points["factor"]]
        results = list(points.results)
    notes = [
        int(line)
        for note in Path(runner.log).glob("*.txt")
        for line in note.read_text(encoding="utf-8").split()
    ]
    return Run(wall, labels, results, hinted=sum(notes), solves=len(notes))


def timed_run(
    case: Case,
    analysis: str,
    mode: str,
    args: argparse.Namespace,
    projects: list[str] | None,
    steps: int,
) -> Run:
    """One timed run of ``analysis`` in ``mode`` with the options of ``args``."""
    change, warm = MODES[mode]
    gc.collect()
    with tempfile.TemporaryDirectory(prefix="bench-whatif-log-") as log:
        runner = NotingRunner(
            backend=args.backend,
            solver=args.solver,
            time_limit=args.time_limit,
            gap=args.gap,
            change=change,
            warm=warm,
            log=log,
        )
        return run_analysis(case, analysis, runner, projects, steps, args.workers, args.quiet)


def mismatches(cold: Run, other: Run, gap: float) -> list[str]:
    """Every variant whose status differs from cold or whose objective is not within the
    relative ``gap`` of cold's; variants found in one run only."""
    found = []
    theirs = dict(zip(other.labels, other.results, strict=True))
    for label, mine in zip(cold.labels, cold.results, strict=True):
        if label not in theirs:
            found.append(f"{label}: solved cold only")
            continue
        a, b = mine.termination, theirs.pop(label).termination
        if a.status != b.status:
            found.append(f"{label}: status {a.status.value} cold, {b.status.value} here")
        elif a.objective is not None and b.objective is not None:
            scale = max(1.0, abs(a.objective), abs(b.objective))
            if abs(a.objective - b.objective) > gap * scale:
                relative = abs(a.objective - b.objective) / scale
                found.append(
                    f"{label}: objective {a.objective:,.6f} cold, {b.objective:,.6f} here "
                    f"(relative difference {relative:.2e} > gap {gap:g})"
                )
        elif (a.objective is None) != (b.objective is None):
            found.append(f"{label}: objective {a.objective} cold, {b.objective} here")
    found += [f"{label}: not solved cold" for label in theirs]
    return found


def largest_difference(cold: Run, other: Run) -> float | None:
    """The largest relative objective difference from cold over the variants both solved
    with an objective (None when there are none)."""
    theirs = dict(zip(other.labels, other.results, strict=True))
    differences = []
    for label, mine in zip(cold.labels, cold.results, strict=True):
        if label not in theirs:
            continue
        a, b = mine.termination.objective, theirs[label].termination.objective
        if a is not None and b is not None:
            differences.append(abs(a - b) / max(1.0, abs(a), abs(b)))
    return max(differences) if differences else None


def warm_up(analyses: list[str], args: argparse.Namespace) -> None:
    """Run each analysis once in each mode on a small generated case, untimed, so that the
    first timed run pays no imports or solver library loading."""
    with tempfile.TemporaryDirectory(prefix="bench-whatif-warm-up-") as folder:
        path = Path(folder, "warm-up.json")
        path.write_text(json.dumps(generate_case(**WARM_UP_CASE)), encoding="utf-8")
        case = load_case(path)
    first = [case.projects[0].id]
    quiet = argparse.Namespace(**{**vars(args), "quiet": True})
    for analysis in analyses:
        for mode in MODES:
            timed_run(case, analysis, mode, quiet, first, 2)


def print_table(rows: list[Row]) -> None:
    """The Markdown table of ``rows``."""
    print("| " + " | ".join(HEADER) + " |")
    print("| --- | --- | --- |" + " ---: |" * (len(HEADER) - 5) + " --- | --- |")
    for row in rows:
        cold = next(
            (r for r in rows if (r.case, r.analysis, r.mode) == (row.case, row.analysis, "cold")),
            None,
        )
        print("| " + " | ".join(row.cells(cold)) + " |")
    sys.stdout.flush()


def bench_case(
    name: str, case: Case, args: argparse.Namespace, projects: list[str] | None, steps: int
) -> list[Row]:
    """Every analysis of ``args`` on ``case`` in every mode, ``args.repeat`` times."""
    rows = []
    modes = list(MODES)
    for analysis in args.analyses:
        group = {mode: Row(name, analysis, mode) for mode in modes}
        for repeat in range(args.repeat):
            order = modes[repeat % len(modes) :] + modes[: repeat % len(modes)]
            for mode in order:
                print(
                    f"  {name} {analysis} {mode} (run {repeat + 1}/{args.repeat}) ...",
                    file=sys.stderr,
                    flush=True,
                )
                run = timed_run(case, analysis, mode, args, projects, steps)
                group[mode].runs.append(run)
                print(
                    f"  {name} {analysis} {mode} (run {repeat + 1}/{args.repeat}): "
                    f"{run.wall:.1f} s, {len(run.results)} variants, "
                    f"{run.hinted}/{run.solves} solves hinted; load {load_average()}",
                    flush=True,
                )
            cold = group["cold"].runs[-1]
            for mode in modes[1:]:
                row = group[mode]
                row.compared = True
                for problem in mismatches(cold, row.runs[-1], args.gap):
                    line = f"run {repeat + 1}: {problem}"
                    row.mismatches.append(line)
                    print(f"  !!! MISMATCH {name} {analysis} {mode} vs cold, {line}", flush=True)
        rows += group.values()
        print()
        print_table(list(group.values()))
        for mode in modes[1:]:
            largest = largest_difference(group["cold"].runs[-1], group[mode].runs[-1])
            shown = "-" if largest is None else f"{largest:.2e}"
            print(f"  {mode}: largest relative objective difference from cold {shown}")
        print(flush=True)
    return rows


def main() -> None:
    """Parse the options, run every case and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--analyses", nargs="+", choices=ANALYSES, default=list(ANALYSES))
    parser.add_argument("--flagship", type=Path, default=Path("cases/frontier-lab-2026.yaml"))
    parser.add_argument("--generated", type=Path, default=None)
    parser.add_argument("--projects", type=int, default=4)
    parser.add_argument("--frontier-steps", type=int, default=None)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--backend", default="ortools")
    parser.add_argument("--solver", default=None)
    parser.add_argument("--gap", type=float, default=1e-4)
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--quiet", action="store_true", help="no line per finished variant")
    args = parser.parse_args()

    started = time.perf_counter()
    print(" ".join(["python", *sys.argv]))
    for line in machine():
        print(line)
    print(f"load average at start: {load_average()}")
    print(
        f"backend {args.backend}, solver {args.solver or 'default'}, gap {args.gap:g}, "
        f"time limit {args.time_limit or 'none'}, workers {args.workers}, "
        f"repeat {args.repeat}",
        flush=True,
    )
    warm_up(args.analyses, args)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-whatif-") as folder:
        for name in args.cases:
            if name == "flagship":
                case, origin, projects = load_case(args.flagship), str(args.flagship), None
                steps = args.frontier_steps or FLAGSHIP_STEPS
            else:
                case, origin = generated_case(args.generated, folder)
                projects = [p.id for p in case.projects[: args.projects]]
                steps = args.frontier_steps or GENERATED_STEPS
            chosen = "all" if projects is None else ", ".join(projects)
            print()
            print(
                f"{name}: {origin}: {len(case.projects)} projects, {len(case.periods)} "
                f"periods; opportunity on {chosen}; frontier {steps} points",
                flush=True,
            )
            rows += bench_case(name, case, args, projects, steps)
    print(f"load average at end: {load_average()}")
    print(f"total {time.perf_counter() - started:.0f} s")
    print()
    print_table(rows)
    found = [(row, problem) for row in rows for problem in row.mismatches]
    print()
    if not found:
        print("warm and minimal against cold: same status and objective within the gap, always.")
    for row, problem in found:
        print(f"MISMATCH {row.case} {row.analysis} {row.mode} vs cold: {problem}")


if __name__ == "__main__":
    main()
