"""Run what-ifs into the store in a process of their own.

``python -m dashboard.whatif_worker SCENARIO ROOT STATUS`` runs one what-if and ends (a cold
start: Python and the model are loaded for this one run). ``python -m dashboard.whatif_worker
--serve [--workers N]`` is the warm worker the dashboard keeps (:class:`dashboard.whatif.WarmWorker`):
it loads the model once, opens a pool of replication workers (:class:`simulation.runner.executors.Executor`;
two processes by default, so the replications of a what-if run side by side; one: in the worker
itself), rehearses one short what-if, and then runs each job it reads from its standard input,
one JSON line ``{"scenario", "root", "status"}`` per job, until the input closes (the dashboard
ended). Both run through :func:`simulation.service.run_to_store` (the
command line's path; the executor never changes a byte of the result) and write progress and
outcome as JSON into STATUS (whole each time, through a temporary file, so the page never reads
half of it).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

#: replication workers of the warm worker (the machine the issue names has two cores)
WORKERS = 2


def _write(status: Path, value: dict[str, Any]) -> None:
    tmp = status.with_name(f".{status.name}.tmp")
    tmp.write_text(json.dumps(value), encoding="utf-8")
    os.replace(tmp, status)


def run_one(scenario: Path, root: Path, status: Path, executor: Any = "serial") -> int:
    """One what-if into the store at ``root``; its progress and outcome into ``status``."""
    from simulation import service
    from simulation.config import ScenarioError

    def progress(done: int, total: int) -> None:
        _write(status, {"state": "running", "done": done, "total": total})

    try:
        stored = service.run_to_store(scenario, root=root, executor=executor, progress=progress, command="what-if")
    except ScenarioError as exc:
        _write(status, {"state": "error", "message": f"Het scenario is niet geldig:\n{exc}"})
        return 2
    except BrokenProcessPool:
        _write(status, {"state": "error", "message": "De berekening is mislukt: een rekenproces stopte onverwacht."})
        raise
    except Exception as exc:  # the page shows it in Dutch instead of a traceback
        _write(status, {"state": "error", "message": f"De berekening is mislukt: {type(exc).__name__}: {exc}"})
        return 1
    _write(status, {"state": "done", "done": 1, "total": 1, "path": str(stored.path), "reused": stored.reused})
    return 0


def _ready(_: int) -> int:
    # run in each pool worker once: it starts the worker and loads the model there
    import simulation.runner.replication  # noqa: F401

    return os.getpid()


def _open_pool(workers: int) -> Any:
    from simulation.runner.executors import Executor

    if workers <= 1:
        return Executor("serial").__enter__()  # the replications one after another, in this process
    ex = Executor("processes", workers=workers).__enter__()
    # start the workers now, not on the first what-if
    list(ex.run(_ready, list(range(workers))))
    return ex


def _rehearse(ex: Any, workers: int) -> None:
    """A short one-region what-if into a store that is thrown away: every code path of a real
    job (building the world, the engine, the tables, writing Parquet) is loaded and run once,
    here and in the pool's workers, before the first real what-if comes."""
    import tempfile

    from dashboard import whatif
    from simulation import service

    with tempfile.TemporaryDirectory(prefix="jeugdzorg-warm-") as folder:
        path = whatif.write_scenario(whatif.WhatIf(years=0.1, replications=max(workers, 1)), Path(folder))
        service.run_to_store(path, root=Path(folder) / "store", executor=ex, overrides={"warmup_days": 0})


def serve(lines: Iterable[str], workers: int = WORKERS) -> int:
    """Run the jobs in ``lines`` (one JSON object a line) one after another on a warm pool of
    ``workers`` processes (1: in this process)."""
    ex = _open_pool(workers)
    _rehearse(ex, workers)
    try:
        for line in lines:
            if not line.strip():
                continue
            job = json.loads(line)
            try:
                run_one(Path(job["scenario"]), Path(job["root"]), Path(job["status"]), executor=ex)
            except BrokenProcessPool:
                ex.close(kill=True)  # a worker died (killed, out of memory): a fresh pool for the next job
                ex = _open_pool(workers)
    finally:
        ex.close()
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--serve"]:
        return serve(sys.stdin, int(argv[2]) if argv[1:2] == ["--workers"] else WORKERS)
    return run_one(Path(argv[0]), Path(argv[1]), Path(argv[2]))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
