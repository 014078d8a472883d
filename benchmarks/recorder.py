"""Benchmark: one replication-year with the full recorder against the lean one.

*full* is ``runner.run_replication``: referrals, the model, the episodes table and every KPI.
*stored* is what a job of ``run`` does: that, plus the warm-up table and the Parquet parts written.
*lean* is ``run_replication(..., lean=True)``, which every KPI-only job takes: the model with
``LeanRecorder`` and the same KPIs from its per-child arrays, no episodes table. Each round runs
one replication per recorder, each in a fresh process, the recorders in turn; the script prints
medians over the rounds and the median of the per-round ratios. Memory per child-episode is the
tracemalloc peak from the referrals to the KPIs over the number of episodes (a separate process
per recorder, since tracing slows the run). Not a test: figures depend on the machine.

    .venv/bin/python benchmarks/recorder.py [--rounds 5] [--scenario scenarios/regionaal.yaml]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

# This script's folder is on sys.path when it runs: children start as national.py starts them.
from national import run_child

ROOT = Path(__file__).resolve().parents[1]

#: One replication (``argv[3]``) of ``argv[1]`` (one year) with recorder ``argv[2]``; ``argv[4]``
#: "trace" measures memory with tracemalloc instead of timing.
CHILD = """
import json, sys, tempfile, time, tracemalloc
from simulation.config import load_scenario
from simulation.runner import Job, build_world, run_job, run_replication

scenario = load_scenario(sys.argv[1], {"years": 1})
kind, rep, trace = sys.argv[2], int(sys.argv[3]), sys.argv[4] == "trace"
build_world(scenario)


def lean():
    r = run_replication(scenario, rep, engine="reference", lean=True)
    return r.episodes, r.events


def full():
    r = run_replication(scenario, rep, engine="reference")
    return r.episodes, r.events


def stored():
    # What a job of `run` does with the full recorder: the tables, the warm-up table and the
    # Parquet parts the worker writes into the result set being made.
    with tempfile.TemporaryDirectory() as folder:
        r = run_job(Job((0, 0, rep), scenario, rep, "reference", tables=True, parts_dir=folder))
    return r.episodes, r.events


if trace:
    tracemalloc.start()
t = time.perf_counter()
episodes, events = {"lean": lean, "full": full, "stored": stored}[kind]()
seconds = time.perf_counter() - t
peak = tracemalloc.get_traced_memory()[1] if trace else 0
print(json.dumps({"seconds": seconds, "episodes": episodes, "events": events, "peak_bytes": peak}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "regionaal.yaml"))
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    times: dict[str, list[float]] = {"full": [], "stored": [], "lean": []}
    ratios: dict[str, list[float]] = {"full": [], "stored": []}
    for rnd in range(args.rounds):
        for kind in times:
            times[kind].append(run_child(CHILD, args.scenario, kind, str(rnd), "time")["seconds"])
        for kind, rs in ratios.items():
            rs.append(times[kind][-1] / times["lean"][-1])
    memory = {kind: run_child(CHILD, args.scenario, kind, "0", "trace") for kind in times}
    print(f"scenario {args.scenario}, 1 simulated year, reference engine, {args.rounds} rounds (fresh process each)")
    print(f"{'recorder':<9} {'median s':>9} {'min s':>7} {'episodes':>9} {'peak MB':>8} {'bytes/episode':>14}")
    for kind, ts in times.items():
        mem = memory[kind]
        print(
            f"{kind:<9} {statistics.median(ts):>9.2f} {min(ts):>7.2f} {mem['episodes']:>9,} "
            f"{mem['peak_bytes'] / 2**20:>8.0f} {mem['peak_bytes'] / mem['episodes']:>14,.0f}"
        )
    for kind, rs in ratios.items():
        print(f"{kind} / lean: median of per-round ratios {statistics.median(rs):.2f}")
    print("full: run_replication with the episodes table; stored: as a job of `run` (tables, Parquet parts)")
    print("peak MB: tracemalloc peak from the referrals to the KPIs (the world built before is not counted)")


if __name__ == "__main__":
    main()
