"""Executors: run jobs in this process, a process pool or on a Dask cluster.

Results are assembled in the order of their keys (cell, scenario, replication), so neither the
executor nor the number of workers ever changes a byte.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

from simulation.runner.replication import Job, JobResult, run_job

__all__ = ["DASK_CONNECT_TIMEOUT", "EXECUTORS", "Executor", "ExecutorError", "run_jobs"]

EXECUTORS = ("serial", "processes", "dask")
#: How long to try to reach an existing Dask scheduler (``--scheduler``).
DASK_CONNECT_TIMEOUT = "10s"
T = TypeVar("T")
R = TypeVar("R")


def _die_with_parent(parent: int) -> None:
    """Worker start-up: end this worker when its parent is gone (killed outright, even with
    SIGKILL, it cannot stop its pool), instead of holding its memory for good."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


class ExecutorError(RuntimeError):
    """The executor could not start (for example: no Dask scheduler at the given address)."""


class Executor:
    """Runs a function over items on one of :data:`EXECUTORS`; yields ``(index, result)`` as done.

    ``serial`` runs in this process. ``processes`` uses a pool of ``workers`` processes (all
    cores by default; one worker runs in this process). ``dask`` connects to the
    dask.distributed scheduler at ``scheduler`` or, without one, starts a LocalCluster of
    ``workers`` single-threaded worker processes and closes it afterwards. The pool or cluster
    lives as long as the ``with`` block, so successive batches reuse it.
    """

    def __init__(
        self, kind: str = "processes", workers: int | None = None, scheduler: str | None = None, max_jobs: int = 0
    ) -> None:
        if kind not in EXECUTORS:
            raise ValueError(f"executor must be one of {EXECUTORS}, got {kind!r}")
        self.kind = kind
        self.workers = 1 if kind == "serial" else workers or os.cpu_count() or 1
        if kind == "processes" and max_jobs:
            self.workers = min(self.workers, max_jobs)
        self.scheduler = scheduler
        self._pool: ProcessPoolExecutor | None = None
        self._client: Any = None
        self._cluster: Any = None

    @property
    def shares_disk(self) -> bool:
        """Whether workers see this machine's files (all but a remote Dask cluster)."""
        return self.kind != "dask" or not self.scheduler

    def __enter__(self) -> Executor:
        if self.kind == "dask":
            self._start_dask()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        # Leaving on an error or a signal: stop the workers now rather than let them finish
        # replications nobody will read.
        self.close(kill=exc_type is not None)

    def _start_dask(self) -> None:
        from distributed import Client, LocalCluster

        try:
            if self.scheduler:
                self._client = Client(self.scheduler, timeout=DASK_CONNECT_TIMEOUT, set_as_default=False)
                self.workers = len(self._client.scheduler_info().get("workers", {})) or self.workers
            else:
                self._cluster = LocalCluster(
                    n_workers=self.workers, threads_per_worker=1, processes=True, dashboard_address=None
                )
                self._client = Client(self._cluster, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            self.close()
            where = self.scheduler or "a LocalCluster"
            raise ExecutorError(f"cannot connect to the Dask scheduler at {where}: {exc}") from None

    def close(self, kill: bool = False) -> None:
        if self._pool is not None:
            if kill:
                procs = list(getattr(self._pool, "_processes", {}).values())
                for proc in procs:
                    proc.terminate()
                # Wait until they are gone: a worker still writing its parts after the caller
                # removed the unfinished result set would leave files behind.
                for proc in procs:
                    proc.join(timeout=10)
            self._pool.shutdown(wait=not kill, cancel_futures=True)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def run(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R]]:
        """Yield ``(index into items, fn(item))`` in order of completion."""
        if not items:
            return
        if self.kind == "serial" or (self.kind == "processes" and self.workers == 1):
            for i, item in enumerate(items):
                yield i, fn(item)
        elif self.kind == "processes":
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers, initializer=_die_with_parent, initargs=(os.getpid(),)
                )
            futures = {self._pool.submit(fn, item): i for i, item in enumerate(items)}
            try:
                for fut in as_completed(list(futures)):
                    # Forget each future once read, so its result is freed as soon as it is used.
                    yield futures.pop(fut), fut.result()
            finally:
                for fut in futures:
                    fut.cancel()
        else:
            from distributed import as_completed as dask_completed

            if self._client is None:
                self._start_dask()
            dfutures = self._client.map(fn, list(items), pure=False)
            index = {f.key: i for i, f in enumerate(dfutures)}
            pending = dict(zip(index, dfutures, strict=True))
            del dfutures
            try:
                for fut in dask_completed(list(pending.values()), loop=self._client.loop):
                    i = index[fut.key]
                    result = fut.result()
                    del pending[fut.key]
                    fut.release()  # the cluster may drop the result now
                    yield i, result
            finally:
                if pending:
                    self._client.cancel(list(pending.values()))


def run_jobs(
    jobs: Sequence[Job], executor: Executor, on_done: Callable[[JobResult], None] | None = None
) -> list[JobResult]:
    """Run ``jobs``; call ``on_done`` as each finishes; return results in the order of ``jobs``."""
    out: list[JobResult | None] = [None] * len(jobs)
    for i, res in executor.run(run_job, jobs):
        out[i] = res
        if on_done:
            on_done(res)
    return [r for r in out if r is not None]
