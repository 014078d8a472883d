"""Benchmark: the dashboard's one-region what-if, from the click to the stored result set.

The what-if is the page's default: regime regionaal, Flevoland (JZ08) with its neighbouring
jeugdregio's and the forms the region buys itself, 1 simulated year, 3 replications. It runs
through :func:`simulation.service.run_to_store` into a fresh result store each time (no reuse)
in five ways, in an order that rotates from round to round (this machine is shared; a round is
a paired comparison):

* ``cold process``: ``python -m dashboard.whatif_worker SCENARIO ROOT STATUS``, a fresh process
  per what-if (the dashboard's path before the warm worker): Python start-up and imports included;
* ``in-process serial``: ``run_to_store(executor="serial")`` in this (warm) process;
* ``in-process warm pool``: ``run_to_store`` on an open 2-worker process pool kept across runs;
* ``warm worker``: :class:`dashboard.whatif.WarmWorker` (the dashboard's path now): the job goes
  to the worker's input, the time runs until its status file says done; with its default pool
  of two replication workers, and with one (serial, in the worker process).

Prints the median, min and max wall time of each, and checks that all five stored the same KPI
table (the executor never changes a result). Not a test: figures depend on the machine and its
load (printed). The goal (issue 11): at most 2 s on 2 cores in a running dashboard.

    .venv/bin/python benchmarks/whatif.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard import whatif  # noqa: E402
from dashboard.whatif_worker import WORKERS  # noqa: E402
from simulation import service  # noqa: E402
from simulation.runner.executors import Executor  # noqa: E402


def _wait(status: Path) -> None:
    while (state := whatif.read_status(status)["state"]) not in ("done", "error"):
        time.sleep(0.005)
    if state == "error":
        raise SystemExit(f"what-if failed: {whatif.read_status(status)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jeugdzorg-bench-whatif-"))
    scenario = whatif.write_scenario(whatif.WhatIf(), work / "scenario")
    exp = service.load(scenario)
    s = exp.cells[0].scenarios[0]
    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start; what-if {s.name}: "
        f"{len(s.regions or [])} jeugdregio's, {len(s.only_care_forms or [])} care forms, {s.years:g} year, "
        f"{exp.spec.replications} replications; median of {args.repeat} rounds"
    )
    pool = Executor("processes", workers=WORKERS).__enter__()
    # the pool's workers first: forked later, they would hold the warm worker's input open
    list(pool.run(abs, list(range(WORKERS))))
    worker, worker1 = whatif.WarmWorker(), whatif.WarmWorker(workers=1)
    worker.warm_up()
    worker1.warm_up()
    counter = iter(range(10**6))

    def fresh() -> Path:
        return work / f"store-{next(counter)}"

    def cold() -> Path:
        root, status = fresh(), work / f"status-{next(counter)}.json"
        cmd = [sys.executable, "-m", "dashboard.whatif_worker", str(scenario), str(root), str(status)]
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        return root

    def serial() -> Path:
        root = fresh()
        service.run_to_store(scenario, root=root, executor="serial", command="what-if")
        return root

    def warm_pool() -> Path:
        root = fresh()
        service.run_to_store(scenario, root=root, executor=pool, command="what-if")
        return root

    def on(w: whatif.WarmWorker) -> Callable[[], Path]:
        def warm_worker() -> Path:
            root, status = fresh(), work / f"status-{next(counter)}.json"
            w.submit(scenario, root, status)
            _wait(status)
            return root

        return warm_worker

    ways: list[tuple[str, Callable[[], Path]]] = [
        ("cold process", cold),
        ("in-process serial", serial),
        ("in-process warm pool", warm_pool),
        ("warm worker, 2 workers", on(worker)),
        ("warm worker, serial", on(worker1)),
    ]
    # the warm worker loads the model and rehearses once; do not time that
    on(worker)()
    on(worker1)()
    warm_pool()
    times: dict[str, list[float]] = {name: [] for name, _ in ways}
    kpis: dict[str, object] = {}
    for r in range(args.repeat):
        for name, fn in ways[r % len(ways) :] + ways[: r % len(ways)]:
            start = time.perf_counter()
            root = fn()
            times[name].append(time.perf_counter() - start)
            if name not in kpis:
                (stored,) = root.iterdir()
                kpis[name] = service.StoredRun.open(stored).result.table("kpis")
    print(f"{'way':<24} {'median s':>9} {'min s':>7} {'max s':>7}")
    for name, values in times.items():
        print(f"{name:<24} {statistics.median(values):>9.2f} {min(values):>7.2f} {max(values):>7.2f}")
    first = next(iter(kpis.values()))
    same = all(k.equals(first) for k in kpis.values())  # type: ignore[attr-defined]
    print(f"same KPI table from all five: {'yes' if same else 'NO'}; load average {os.getloadavg()[0]:.1f} at the end")
    worker.close()
    worker1.close()
    pool.close()
    shutil.rmtree(work, ignore_errors=True)
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
