"""Faults: a parallel run that is terminated or killed leaves no workers and no half-written result."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")


def _children(pid: int) -> set[int]:
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.add(int(entry.name))
    return out


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _start_parallel_run(root: Path) -> tuple[subprocess.Popen[bytes], set[int]]:
    cmd = [sys.executable, "-m", "simulation.cli", "run", str(ROOT / "scenarios" / "regionaal.yaml"),
           "--replications", "6", "--years", "1", "--workers", "2", "--root", str(root)]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.2)
        workers = _children(proc.pid)
        assert proc.poll() is None, proc.communicate()
    assert len(workers) >= 2, "the pool did not start"
    time.sleep(1.0)  # the workers are simulating now
    return proc, workers


def _gone_within(pids: set[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not _alive(pids)


def test_sigterm_stops_the_workers_and_removes_the_temporary_folder(tmp_path: Path) -> None:
    proc, workers = _start_parallel_run(tmp_path)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err.decode()
    assert b"Traceback" not in err
    assert _gone_within(workers, 10)
    assert list(tmp_path.iterdir()) == [], "a terminated run left files behind"


def test_sigkill_of_the_parent_ends_its_workers(tmp_path: Path) -> None:
    proc, workers = _start_parallel_run(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert _gone_within(workers, 10), f"workers {_alive(workers)} outlived their parent"
