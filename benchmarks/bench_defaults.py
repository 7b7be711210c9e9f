"""The default stopping rule against a proof: ``allocator solve`` end to end, as a user runs it.

    python benchmarks/bench_defaults.py [--projects 2000] [--seed 0] [--repeat 3]
        [--proof-limit 120] [--backends ortools pulp]

Writes a generated case (``allocator generate``: 4 resources, 12 quarters) and runs
``allocator solve CASE --json -`` in a fresh process per run, first with its defaults
(relative gap 1e-4), then with ``--gap 0 --time-limit PROOF_LIMIT``. Prints a Markdown
table of the median wall-clock seconds per backend and rule, with the status, the
objective, the bound and the gap of the last run, and the ratio of the two medians.
Runs of one table are interleaved so that a busy machine slows both alike.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from allocator.generate import generate_case


def run(case: Path, backend: str, extra: list[str]) -> tuple[float, dict[str, Any]]:
    """Wall-clock seconds of one ``allocator solve`` and its JSON document."""
    command = [sys.executable, "-m", "allocator.cli", "solve", str(case), "--json", "-"]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "--backend", backend, *extra], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 4):
        raise SystemExit(f"allocator solve failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--proof-limit", type=float, default=120.0)
    parser.add_argument("--backends", nargs="+", default=["ortools", "pulp"])
    args = parser.parse_args()
    rules = {"default (gap 1e-4)": [], f"--gap 0, limit {args.proof_limit:g} s": ["--gap", "0"]}
    rules[f"--gap 0, limit {args.proof_limit:g} s"] += ["--time-limit", str(args.proof_limit)]
    with tempfile.TemporaryDirectory() as folder:
        case = Path(folder) / "case.json"
        case.write_text(json.dumps(generate_case(args.projects, 4, 12, args.seed)))
        print(f"{args.projects} projects x 4 resources x 12 periods, seed {args.seed}, ", end="")
        print(f"median of {args.repeat} runs, wall clock of the whole command\n")
        print("| backend | rule | seconds | status | proven | objective | bound | gap |")
        print("|---|---|---:|---|---|---:|---:|---:|")
        for backend in args.backends:
            times: dict[str, list[float]] = {rule: [] for rule in rules}
            last: dict[str, dict[str, Any]] = {}
            for _ in range(args.repeat):
                for rule, extra in rules.items():
                    seconds, document = run(case, backend, extra)
                    times[rule].append(seconds)
                    last[rule] = document
            for rule in rules:
                d = last[rule]
                bound = "-" if d["bound"] is None else f"{d['bound']:,.2f}"
                gap = "-" if d["gap"] is None else f"{d['gap']:.4%}"
                objective = "-" if d["objective"] is None else f"{d['objective']:,.2f}"
                print(
                    f"| {backend} / {d['solver']} | {rule} | {statistics.median(times[rule]):.1f} "
                    f"| {d['status']} | {d['proven_optimal']} | {objective} | {bound} | {gap} |"
                )
            quick, proof = (statistics.median(times[rule]) for rule in rules)
            print(f"| {backend} | proof / default | {proof / quick:.1f}x | | | | | |")


if __name__ == "__main__":
    main()
