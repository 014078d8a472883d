"""Benchmark: wall time and model events per second per engine, side by side in one run.

Each engine (reference loop, SimPy, salabim) runs replications of the national default
(regional regime) in a fresh process; the same seed gives every engine the same events (the
engine-equality test checks that), so the columns compare the kernels alone. Beside them, a bare
loop per kernel: one process doing as many waits as the model had events, the least any model
with that many events can cost on that kernel. Prints medians. Not a test: figures depend on
the machine.

    .venv/bin/python benchmarks/engines.py [--repeat 3] [--years 1] [--scenario scenarios/regionaal.yaml]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

# This script's folder is on sys.path when it runs: the model is timed as national.py times it.
from national import run_child, time_engine

ROOT = Path(__file__).resolve().parents[1]

BARE_SIMPY = """
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

#: The same for salabim: one long-lived component holding ``n`` times (as the engine's driver).
BARE_SALABIM = """
import json, sys, time
import salabim as sim
n = int(sys.argv[1])

class Loop(sim.Component):
    def process(self):
        for _ in range(n):
            self.hold(1.0)

times = []
for _ in range(int(sys.argv[2])):
    env = sim.Environment(trace=False, random_seed="", set_numpy_random_seed=False, yieldless=True)
    Loop(env=env)
    t = time.perf_counter()
    env.run()
    times.append(time.perf_counter() - t)
print(json.dumps({"times": times, "events": [n] * len(times)}))
"""

BARE = {"simpy": BARE_SIMPY, "salabim": BARE_SALABIM}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "regionaal.yaml"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--years", type=float, default=1.0, help="simulated years per replication (default 1)")
    ap.add_argument("--engines", nargs="+", default=["reference", "simpy", "salabim"])
    args = ap.parse_args()
    print(f"scenario {args.scenario}, {args.years:g} simulated year(s); median of {args.repeat} runs each")
    print(f"{'engine':<22} {'median s':>9} {'events':>11} {'events/s':>11} {'vs reference':>13}")
    events, base = 0, None
    for engine in args.engines:
        res = time_engine(args.scenario, engine, args.repeat, args.years)
        med = statistics.median(res["times"])
        events = int(statistics.median(res["events"]))
        base = base if base is not None else med
        print(f"{engine:<22} {med:>9.2f} {events:>11,} {events / med:>11,.0f} {med / base:>12.2f}x")
    for kernel, code in BARE.items():
        bare = run_child(code, str(events), str(args.repeat))
        med = statistics.median(bare["times"])
        print(f"{'bare ' + kernel + ' loop':<22} {med:>9.2f} {events:>11,} {events / med:>11,.0f} {'':>13}")


if __name__ == "__main__":
    main()
