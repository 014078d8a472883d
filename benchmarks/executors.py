"""Benchmark: 8 national replication-years on each executor, and the memory of a 5-year run.

Runs ``jeugdzorg-sim run scenarios/regionaal.yaml --replications 8 --years 1`` as a fresh
command (start-up, simulation and writing the result set included) with ``--executor serial``,
``processes --workers 2`` and ``dask --workers 2`` (a LocalCluster of two single-threaded
worker processes), and prints the median wall time and the speed-up over serial. Each round runs all three, in an
order that rotates from round to round, so a round is a paired comparison: this shared
machine's speed drifts by 20% over minutes, and the median of the per-round ratios is what
the drift disturbs least (both figures are printed). Then runs
one replication of five simulated years serially in a child process and prints its peak
resident memory (RSS high-water mark, from ``wait4``). Not a test: figures depend on the
machine. The goals: 8 replication-years in at most 40 s on 2 cores; 2 processes at least
1.8x serial; a 5-year national run under 1 GB.

    .venv/bin/python benchmarks/executors.py [--repeat 3] [--replications 8] [--skip-memory]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "regionaal.yaml"
CLI = [sys.executable, "-m", "simulation.cli"]


def _run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one command in a child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{err}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--replications", type=int, default=8)
    ap.add_argument("--years", type=float, default=5.0, help="years of the memory run")
    ap.add_argument("--skip-memory", action="store_true")
    args = ap.parse_args()
    n = args.replications
    print(f"{os.cpu_count()} cores; {SCENARIO.name}, {n} replications x 1 year, median of {args.repeat}")
    print(f"{'executor':<24} {'median s':>9} {'min s':>7} {'speed-up':>9} {'per round':>10} {'range':>12}")
    setups = [
        ("serial", ["--executor", "serial"]),
        ("processes, 2 workers", ["--executor", "processes", "--workers", "2"]),
        ("dask LocalCluster(2)", ["--executor", "dask", "--workers", "2"]),
    ]
    times: dict[str, list[float]] = {label: [] for label, _ in setups}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            for label, flags in setups[i % len(setups) :] + setups[: i % len(setups)]:
                out = Path(tmp) / f"{flags[1]}-{i}"
                cmd = [*CLI, "run", str(SCENARIO), "--replications", str(args.replications), "--years", "1"]
                times[label].append(_run([*cmd, *flags, "--out", str(out)])[0])
        base = statistics.median(times["serial"])
        for label, _ in setups:
            med = statistics.median(times[label])
            ratios = [s / x for s, x in zip(times["serial"], times[label], strict=True)]
            spread = f"{min(ratios):.2f}-{max(ratios):.2f}"
            print(
                f"{label:<24} {med:>9.1f} {min(times[label]):>7.1f} {base / med:>8.2f}x "
                f"{statistics.median(ratios):>9.2f}x {spread:>12}"
            )
        if not args.skip_memory:
            cmd = [*CLI, "run", str(SCENARIO), "--replications", "1", "--years", str(args.years)]
            wall, peak = _run([*cmd, "--executor", "serial", "--out", str(Path(tmp) / "memory")])
            print(f"{args.years:g}-year run, 1 replication, serial: {wall:.1f} s, peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
