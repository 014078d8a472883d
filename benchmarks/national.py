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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: Times ``argv[3]`` replications of ``argv[1]`` on engine ``argv[2]`` (over ``argv[4]`` years,
#: default 1) in a fresh process.
CHILD = """
import json, resource, sys, time
from simulation.config import load_scenario
from simulation.runner import build_world, run_replication
years = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
# A horizon shorter than a year drops the warm-up (it must be shorter than the horizon).
scenario = load_scenario(sys.argv[1], {"years": years, **({"warmup_days": 0} if years < 1 else {})})
build_world(scenario)
times, events = [], []
for rep in range(int(sys.argv[3])):
    t = time.perf_counter()
    r = run_replication(scenario, rep, engine=sys.argv[2])
    times.append(time.perf_counter() - t)
    events.append(r.events)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"times": times, "events": events, "peak_mb": peak}))
"""


def run_child(code: str, *args: str) -> dict[str, Any]:
    """Run ``code`` in a fresh Python process; its last line of output is a JSON object."""
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, cwd=ROOT)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def time_engine(scenario: str, engine: str, repeat: int, years: float = 1.0) -> dict[str, Any]:
    """Wall times, event counts (per replication) and peak RSS of ``repeat`` replications."""
    return run_child(CHILD, scenario, engine, str(repeat), repr(years))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "regionaal.yaml"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--engines", nargs="+", default=["reference", "simpy"])
    args = ap.parse_args()
    print(f"scenario {args.scenario}, 1 simulated year, median of {args.repeat} replications per engine")
    print(f"{'engine':<10} {'median s':>9} {'min s':>7} {'events':>9} {'events/s':>10} {'peak MB':>8}")
    for engine in args.engines:
        res = time_engine(args.scenario, engine, args.repeat)
        med = statistics.median(res["times"])
        events = int(statistics.median(res["events"]))
        print(
            f"{engine:<10} {med:>9.2f} {min(res['times']):>7.2f} {events:>9,} "
            f"{events / med:>10,.0f} {res['peak_mb']:>8.0f}"
        )


if __name__ == "__main__":
    main()
