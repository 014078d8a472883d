"""Benchmark: one replication of the national default over one simulated year, per engine.

Prints wall time (median of --repeat runs), model events per second and peak memory (RSS high
water mark of a fresh process per engine). Not a test: figures depend on the machine.

    .venv/bin/python benchmarks/national.py [--repeat 3] [--scenario scenarios/regionaal.yaml]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, resource, sys, time
from simulation.config import load_scenario
from simulation.runner import build_world, run_replication
scenario = load_scenario(sys.argv[1], {"years": 1})
build_world(scenario)
times, events = [], 0
for rep in range(int(sys.argv[3])):
    t = time.perf_counter()
    r = run_replication(scenario, rep, engine=sys.argv[2])
    times.append(time.perf_counter() - t)
    events = r.events
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"times": times, "events": events, "peak_mb": peak}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "regionaal.yaml"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--engines", nargs="+", default=["reference", "simpy"])
    args = ap.parse_args()
    print(f"scenario {args.scenario}, 1 simulated year, median of {args.repeat} replications per engine")
    print(f"{'engine':<10} {'median s':>9} {'min s':>7} {'events':>9} {'events/s':>10} {'peak MB':>8}")
    for engine in args.engines:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, args.scenario, engine, str(args.repeat)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        res = json.loads(out.stdout.strip().splitlines()[-1])
        med = statistics.median(res["times"])
        print(
            f"{engine:<10} {med:>9.2f} {min(res['times']):>7.2f} {res['events']:>9,} "
            f"{res['events'] / med:>10,.0f} {res['peak_mb']:>8.0f}"
        )


if __name__ == "__main__":
    main()
