"""Benchmark: time per calibration trial and trials per hour for a calibration config.

Runs a few trials of the config (fresh study in a temporary folder, no fresh-seed check) on the
default executor (processes, all cores) and reports the median seconds per trial, the trials
an hour, and the hours the config's full ``trials`` would take. Not a test: figures depend on
the machine (and on what else runs on it).

    .venv/bin/python benchmarks/calibration_trials.py [CONFIG] [--trials 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

from calibration.cli import problem_of
from calibration.fit import fit

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("config", nargs="?", default=str(ROOT / "calibration/configs/flevoland-ci.yaml"))
    p.add_argument("--trials", type=int, default=3)
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--executor", default="processes")
    args = p.parse_args()
    full = problem_of(args.config)
    problem = problem_of(args.config, args.trials)
    problem = dataclasses.replace(problem, config=problem.config.model_copy(update={"fresh_replications": 0}))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        cpu0 = _cpu()
        result = fit(problem, Path(tmp), executor=args.executor, workers=args.workers)
        wall = time.perf_counter() - started
        cpu = _cpu() - cpu0
    per_trial = statistics.median(result.trials["seconds"])
    cfg = full.config
    print(f"config        {args.config}")
    print(f"cores         {os.cpu_count()} (executor {args.executor}, workers {args.workers or 'all'})")
    print(f"trial         {cfg.replications} replications x {full.scenario.years:g} years, {len(full.targets)} targets")
    print(f"seconds/trial {per_trial:.2f} (median of {len(result.trials)}; {wall:.1f} s in all, with the final run)")
    # the CPU of this process and its finished workers over the trials and the final run of the best
    cpu_trial = cpu / (len(result.trials) + 1)
    print(f"CPU s/trial   {cpu_trial:.1f} (all processes; a machine shared with other work still needs this)")
    cores = os.cpu_count() or 1
    print(f"trials/hour   {3600 / per_trial:.0f} measured; {3600 * cores / cpu_trial:.0f} on {cores} idle cores")
    idle = cfg.trials * cpu_trial / cores / 3600
    hours = cfg.trials * per_trial / 3600
    print(f"full fit      {cfg.trials} trials ~ {hours:.2f} h measured, {idle:.2f} h on idle cores")


def _cpu() -> float:
    """User + system CPU seconds of this process and its finished children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


if __name__ == "__main__":
    main()
