"""Benchmark: model events per second per engine, next to a bare SimPy loop of the same size.

Each engine runs replications of the national default (regional regime) over one simulated
year in a fresh process; the bare loop is one SimPy process doing as many ``timeout``s as the
model had events, which is the least any SimPy-driven model with that many events can cost.
Prints medians. Not a test: figures depend on the machine.

    .venv/bin/python benchmarks/engines.py [--repeat 3] [--scenario scenarios/regionaal.yaml]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MODEL = """
import json, sys, time
from simulation.config import load_scenario
from simulation.runner import build_world, run_replication
scenario = load_scenario(sys.argv[1], {"years": 1})
build_world(scenario)
times, events = [], []
for rep in range(int(sys.argv[3])):
    t = time.perf_counter()
    r = run_replication(scenario, rep, engine=sys.argv[2])
    times.append(time.perf_counter() - t)
    events.append(r.events)
print(json.dumps({"times": times, "events": events}))
"""

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


def _child(code: str, *args: str) -> dict[str, list[float]]:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, cwd=ROOT)
    result: dict[str, list[float]] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


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
        res = _child(MODEL, args.scenario, engine, str(args.repeat))
        med = statistics.median(res["times"])
        events = int(statistics.median(res["events"]))
        print(f"{engine:<22} {med:>9.2f} {events:>9,} {events / med:>11,.0f}")
    bare = _child(BARE, str(events), str(args.repeat))
    med = statistics.median(bare["times"])
    print(f"{'bare simpy loop':<22} {med:>9.2f} {events:>9,} {events / med:>11,.0f}")


if __name__ == "__main__":
    main()
