"""Benchmark: model events per second per engine, next to a bare SimPy loop of the same size.

Each engine runs replications of the national default (regional regime) over one simulated
year in a fresh process; the bare loop is one SimPy process doing as many ``timeout``s as the
model had events, which is the least any SimPy-driven model with that many events can cost.
Prints medians. Not a test: figures depend on the machine.

    .venv/bin/python benchmarks/engines.py [--repeat 3] [--scenario scenarios/regionaal.yaml]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

# This script's folder is on sys.path when it runs: the model is timed as national.py times it.
from national import run_child, time_engine

ROOT = Path(__file__).resolve().parents[1]

BARE = """
import json, sys, time
import simpy
n = int(sys.argv[1])

def proc(env):
    for _ in range(n):
        yield env.timeout(1.0)

times = []
for _ in range(int(sys.argv[2])):
    env = simpy.Environment()
    env.process(proc(env))
    t = time.perf_counter()
    env.run()
    times.append(time.perf_counter() - t)
print(json.dumps({"times": times, "events": [n] * len(times)}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "regionaal.yaml"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--engines", nargs="+", default=["reference", "simpy"])
    args = ap.parse_args()
    print(f"scenario {args.scenario}, 1 simulated year; median of {args.repeat} runs each")
    print(f"{'engine':<22} {'median s':>9} {'events':>9} {'events/s':>11}")
    events = 0
    for engine in args.engines:
        res = time_engine(args.scenario, engine, args.repeat)
        med = statistics.median(res["times"])
        events = int(statistics.median(res["events"]))
        print(f"{engine:<22} {med:>9.2f} {events:>9,} {events / med:>11,.0f}")
    bare = run_child(BARE, str(events), str(args.repeat))
    med = statistics.median(bare["times"])
    print(f"{'bare simpy loop':<22} {med:>9.2f} {events:>9,} {events / med:>11,.0f}")


if __name__ == "__main__":
    main()
