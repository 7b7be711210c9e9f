"""Screened opportunity costs at scale: time, memory, bracket widths, and how the brackets
compare with exact solves of a sample of the variants.

    python benchmarks/bench_screen.py [--projects 2000] [--sample 10] [--seed 0]

``allocator generate -n N`` (4 resources, 12 periods, seed 0: the cases of
``bench_scale.py``) is written as JSON to a temporary folder, and
``allocator opportunity CASE --screen --json OUT`` runs as its own process, timed end to
end (load, the base solve, the brackets, the report and the JSON), its peak memory read
from ``os.wait4``. Then ``--sample`` variants drawn at random (``--seed``) are solved
exactly here (the base formulation with the decision forced, the default gap) to say
where each exact optimum falls in its bracket: 0 at the plan found, 1 at the bound.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import allocator
from allocator.analysis.opportunity import _forced_model
from allocator.analysis.runner import Runner
from allocator.generate import generate_case


def run_screen(case: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of ``allocator opportunity --screen``."""
    command = [sys.executable, "-m", "allocator", "opportunity", str(case), "--screen"]
    start = time.perf_counter()
    process = subprocess.Popen(
        [*command, "--json", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"allocator opportunity --screen failed ({status})")
    return wall, usage.ru_maxrss / 1024


def widths(document: dict) -> pd.DataFrame:
    """Each variant's bracket width, in money and as a share of the base objective."""
    table = pd.DataFrame(document["variants"])
    width = table["change_bound"] - table["change"]
    return table.assign(width=width, share=width / abs(document["objective"]))


def exact_positions(case_path: Path, table: pd.DataFrame, sample: int, seed: int) -> list[str]:
    """Markdown rows: a sample of variants solved exactly, placed in their brackets."""
    case = allocator.load_case(case_path)
    runner = Runner(change="any")
    base = runner.solve(case)
    rng = np.random.default_rng(seed)
    rows = []
    for i in rng.choice(len(table), size=min(sample, len(table)), replace=False):
        row = table.iloc[int(i)]
        model = _forced_model(base.formulation, (row["project"], row["forced"]))
        start = time.perf_counter()
        solved = runner.resolve(case, base.formulation, model)
        seconds = time.perf_counter() - start
        exact = solved.termination.objective
        change = None if exact is None else exact - base.termination.objective
        where = ""
        if change is not None and row["change"] == row["change"] and row["width"] > 0:
            where = f"{(change - row['change']) / row['width']:.2f}"
        low = "" if row["change"] != row["change"] else f"{row['change']:,.2f}"
        shown = "" if change is None else f"{change:,.2f}"
        rows.append(
            f"| {row['project']} {row['forced']} | {low} | {row['change_bound']:,.2f} "
            f"| {shown} | {where} | {seconds:.1f} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as folder:
        case = Path(folder, "case.json")
        case.write_text(json.dumps(generate_case(args.projects, resources=4, periods=12, seed=0)))
        out = Path(folder, "opportunity.json")
        wall, peak = run_screen(case, out)
        document = json.loads(out.read_text())
        table = widths(document)
        planned = table["change"].notna()
        print(
            f"\n{args.projects:,} projects, {len(table):,} variants: {wall:.0f} s end to end, "
            f"peak {peak:,.0f} MB; a plan for {planned.sum():,}; proven infeasible "
            f"{(table['status'] == 'infeasible').sum()}\n"
        )
        print("| bracket width | 10% | 50% | 90% | max |")
        print("| --- | ---: | ---: | ---: | ---: |")
        quantiles = table.loc[planned, ["width", "share"]].quantile([0.1, 0.5, 0.9, 1.0])
        print("| money | " + " | ".join(f"{v:,.1f}" for v in quantiles["width"]) + " |")
        print(
            "| share of the objective | "
            + " | ".join(f"{v:.3%}" for v in quantiles["share"])
            + " |"
        )
        for gap in (1e-4, 1e-3, 2e-3):
            within = (table.loc[planned, "share"] <= gap).sum()
            print(f"\nwithin {gap:g} of the objective: {within:,} of {len(table):,}", end="")
        print("\n\n| variant | plan's change | bound | exact change | position | exact solve (s) |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for line in exact_positions(case, table, args.sample, args.seed):
            print(line, flush=True)


if __name__ == "__main__":
    main()
