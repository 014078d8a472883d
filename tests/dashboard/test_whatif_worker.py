"""The warm what-if worker: it runs job after job in the one process it started as, each into
the store through the service path, with results equal to a fresh process's; it is started
again when it has ended."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pandas as pd

from dashboard import whatif
from dashboard.whatif_worker import run_one, serve
from simulation import service

SMALL = whatif.WhatIf(years=0.25, replications=2)


def _kpis(status: Path) -> pd.DataFrame:
    state = whatif.read_status(status)
    assert state["state"] == "done", state
    return service.StoredRun.open(state["path"]).result.table("kpis")


def _wait(status: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while whatif.read_status(status)["state"] not in ("done", "error"):
        assert time.monotonic() < deadline, whatif.read_status(status)
        time.sleep(0.05)


def test_serve_runs_each_line_as_a_one_off_run_would(tmp_path: Path) -> None:
    scenario = whatif.write_scenario(SMALL, tmp_path / "s")
    run_one(scenario, tmp_path / "cold", tmp_path / "cold.json")
    jobs = [
        json.dumps({"scenario": str(scenario), "root": str(tmp_path / f"w{i}"), "status": str(tmp_path / f"{i}.json")})
        for i in range(2)
    ]
    assert serve([jobs[0], "", jobs[1]], workers=2) == 0
    cold = _kpis(tmp_path / "cold.json")
    for i in range(2):
        pd.testing.assert_frame_equal(_kpis(tmp_path / f"{i}.json"), cold)


def test_the_warm_worker_keeps_its_process_and_is_started_again_when_gone(tmp_path: Path) -> None:
    scenario = whatif.write_scenario(SMALL, tmp_path / "s")
    worker = whatif.WarmWorker(workers=1)
    try:
        first = worker.submit(scenario, tmp_path / "a", tmp_path / "a.json")
        second = worker.submit(scenario, tmp_path / "b", tmp_path / "b.json")
        assert first == second  # the same process takes the next job
        _wait(tmp_path / "a.json")
        _wait(tmp_path / "b.json")
        pd.testing.assert_frame_equal(_kpis(tmp_path / "a.json"), _kpis(tmp_path / "b.json"))
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while worker._proc is not None and worker._proc.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        third = worker.submit(scenario, tmp_path / "c", tmp_path / "c.json")
        assert third != first
        _wait(tmp_path / "c.json")
        assert whatif.read_status(tmp_path / "c.json")["state"] == "done"
    finally:
        worker.close(timeout=60)
    assert worker._proc is None
