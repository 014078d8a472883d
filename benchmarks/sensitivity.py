"""Benchmark: the wall time of one design point of a sensitivity file, and the whole design's estimate.

Runs the base point (every parameter at its scenario value) with the file's replications through
the same path as ``jeugdzorg-sim sensitivity`` (``service.simulate``, lean, on the chosen
executor), and prints the seconds per replication and the estimated wall time of the Morris and
Sobol designs: design points x replications x seconds per replication / workers. Not a test:
figures depend on the machine and on what else runs on it.

    .venv/bin/python benchmarks/sensitivity.py [scenarios/sensitivity/aannames.yaml] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from simulation import service
from simulation.sensitivity import build_experiment, load_plan


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", default="scenarios/sensitivity/aannames.yaml")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    plan = load_plan(args.file)
    spec = plan.spec
    base = [1.0 if p.relative else float(plan.base_values[p.paths[0]]) for p in spec.parameters]
    exp = build_experiment(plan, np.array([base]))
    started = time.perf_counter()
    sim = service.simulate(exp, executor="processes", workers=args.workers)
    wall = time.perf_counter() - started
    per_rep = statistics.mean(sim.run.seconds)
    print(f"{spec.name}: one design point, {spec.replications} replication(s) of {plan.years:g} year(s) on "
          f"{args.workers} worker(s): {wall:.1f} s wall, {per_rep:.2f} s per replication")  # fmt: skip
    k = len(spec.parameters)
    designs = {
        f"morris ({spec.morris.trajectories} trajectories)": spec.morris.trajectories * (k + 1),
        f"sobol ({spec.sobol.samples} samples)": spec.sobol.samples * (k + 2),
    }
    for name, points in designs.items():
        seconds = points * spec.replications * per_rep / args.workers
        print(f"  {name}: {points} points x {spec.replications} = {points * spec.replications} runs, "
              f"about {seconds / 60:.0f} min on {args.workers} worker(s)")  # fmt: skip


if __name__ == "__main__":
    main()
