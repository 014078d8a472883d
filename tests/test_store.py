"""The result store: atomic result sets, reuse by fingerprint and seed, list and show; a run killed
mid-way leaves nothing that looks complete."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simulation.cli import main
from simulation.results import (
    MANIFEST,
    ResultExistsError,
    ResultWriter,
    list_results,
    open_results,
    write_result_set,
)
from tests.conftest import ROOT, SCENARIOS, tree_bytes

EXPERIMENT = SCENARIOS / "experiments" / "flevoland.yaml"


def _complete(root: Path) -> list[Path]:
    return sorted(p.parent for p in root.rglob(MANIFEST))


def test_killed_run_leaves_no_complete_looking_directory(tmp_path: Path) -> None:
    root = tmp_path / "results"
    cmd = [sys.executable, "-m", "simulation.cli", "run", str(EXPERIMENT), "--root", str(root)]
    cmd += ["--replications", "4", "--years", "0.5", "--executor", "serial"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        # Mid-run: the first replication's tables are in the temporary directory.
        while not list(root.glob(".*.tmp-*/episodes.parquet/*.parquet")):
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert _complete(root) == []
    # What is left: the temporary folder, and the store lock the kernel released with the process.
    (leftover,) = [p for p in root.iterdir() if p.is_dir()]
    assert leftover.name.startswith(".flevoland-regimes-") and ".tmp-" in leftover.name
    listing = list_results(root)
    assert listing[["dir", "name", "complete"]].values.tolist() == [[leftover.name, "flevoland-regimes", "no"]]
    # The next run of the same experiment succeeds and is the only complete result.
    assert main(["run", str(EXPERIMENT), "--root", str(root), "--replications", "4", "--years", "0.5"]) == 0
    (done,) = _complete(root)
    assert done.name.startswith("flevoland-regimes-") and done.name.endswith("-2026")
    assert open_results(done).manifest["replications"] == 4
    assert not list(root.glob(".*.lock"))  # the dead run's lock did not block, and is gone


def test_failing_run_removes_its_temporary_directory(tmp_path: Path, monkeypatch, capsys) -> None:
    from simulation.runner import replication

    calls = {"n": 0}
    real = replication.run_replication

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("boom")
        return real(*args, **kwargs)

    monkeypatch.setattr(replication, "run_replication", flaky)
    root = tmp_path / "results"
    with pytest.raises(RuntimeError, match="boom"):
        main(["run", str(EXPERIMENT), "--root", str(root), "--replications", "2", "--years", "0.25",
              "--executor", "serial"])  # fmt: skip
    assert calls["n"] == 3
    assert not root.exists() or list(root.iterdir()) == []


def test_store_reuses_by_fingerprint_and_seed_force_writes_a_new_directory(tmp_path: Path, capsys) -> None:
    root = tmp_path / "results"
    base = ["run", str(EXPERIMENT), "--root", str(root), "--replications", "2", "--years", "0.25"]
    base += ["--executor", "serial"]
    assert main(base) == 0
    first = capsys.readouterr().out
    (d1,) = _complete(root)
    m = open_results(d1).manifest
    assert d1.name == f"flevoland-regimes-{m['fingerprint'][:8]}-2026"
    keys = ("scenario_fingerprints", "code_fingerprint", "seed", "replications", "engine", "versions", "git_commit")
    for key in (*keys, "timings", "precision", "executor"):
        assert key in m, key
    assert m["command_line"] and m["versions"]["distributed"] != "not installed"
    assert len(m["scenario_fingerprints"]) == 6 and m["cell_columns"] == ["variant"]
    first_part = d1 / "episodes.parquet" / "00000-0000-0000000.parquet"
    stamp = first_part.stat().st_mtime_ns

    assert main(base) == 0
    again = capsys.readouterr().out
    assert again.startswith(f"reusing {d1}") and _complete(root) == [d1]
    assert first_part.stat().st_mtime_ns == stamp
    assert again.split("\n", 1)[1].strip() == first.split("\n\n", 1)[1].strip()  # the same table

    # A result made by other code (the model changed) is not reused.
    manifest = json.loads((d1 / MANIFEST).read_text())
    stale = {**manifest, "code_fingerprint": "0" * 64}
    (d1 / MANIFEST).write_text(json.dumps(stale))
    assert main(base) == 0
    assert "reusing" not in capsys.readouterr().out
    (d1 / MANIFEST).write_text(json.dumps(manifest))
    shutil.rmtree(f"{d1}-2")

    assert main([*base, "--seed", "5"]) == 0  # another seed: another result
    assert main([*base, "--force"]) == 0
    out = capsys.readouterr().out
    dirs = _complete(root)
    assert len(dirs) == 3 and Path(f"{d1}-2") in dirs and "reusing" not in out
    for a, b in ((d1, Path(f"{d1}-2")),):
        assert tree_bytes(a / "episodes.parquet") == tree_bytes(b / "episodes.parquet")
    assert first_part.stat().st_mtime_ns == stamp  # never overwritten

    assert main(["results", "list", "--root", str(root)]) == 0
    listing = capsys.readouterr().out
    assert listing.split("\n")[0].split() == ["dir", "name", "seed", "replications", "created", "complete"]
    assert f"{d1.name}-2" in listing and "-5 " in listing and listing.count(" yes") == 3

    assert main(["results", "show", str(d1)]) == 0
    shown = capsys.readouterr().out
    assert "flevoland-regimes" in shown and "seed         2026" in shown and "Paired differences" in shown
    assert main(["results", "show", str(tmp_path / "nope")]) == 2
    assert "DIR" in capsys.readouterr().err


def test_out_is_an_explicit_destination_never_overwritten(tmp_path: Path, capsys) -> None:
    out = tmp_path / "mine"
    args = ["run", str(EXPERIMENT), "--out", str(out), "--replications", "1", "--years", "0.25", "--executor", "serial"]
    assert main(args) == 0 and (out / MANIFEST).is_file()
    before = (out / MANIFEST).read_bytes()
    assert main(args) == 2
    assert "already exists" in capsys.readouterr().err and (out / MANIFEST).read_bytes() == before


def test_parts_are_read_in_key_order_whatever_the_arrival_order(tmp_path: Path) -> None:
    frames = {
        f"{k:03d}": pd.DataFrame(
            {
                "k": [k] * (k % 3),
                "x": [float(k)] * (k % 3),
                "c": pd.Categorical([f"cat{k % 4}"] * (k % 3), categories=[f"cat{k % 4}", "other"]),
                # all-missing in some parts: the parts still agree on one type
                "s": [None if k % 2 else f"s{k}"] * (k % 3),
            }
        )
        for k in range(12)
    }
    keys = list(frames)
    out = {}
    for name, order in (("a", keys), ("b", random.Random(4).sample(keys, len(keys)))):
        with ResultWriter(tmp_path / name) as w:
            for key in order:
                w.add_part("t", key, frames[key])
            w.add_table("whole", pd.DataFrame({"y": [1, 2]}))
            w.commit({"name": name})
        out[name] = tree_bytes(tmp_path / name / "t.parquet")
    assert out["a"] == out["b"] and len(out["a"]) == 12
    expected = pd.concat([frames[k] for k in keys], ignore_index=True)
    rs = open_results(tmp_path / "a")
    # Through the result set, and as anyone reads a folder of Parquet parts.
    for t in (rs.table("t"), pd.read_parquet(tmp_path / "a" / "t.parquet")):
        assert t["k"].tolist() == expected["k"].tolist()
        assert t["c"].astype(str).tolist() == expected["c"].astype(str).tolist()
        assert t["s"].fillna("-").tolist() == expected["s"].fillna("-").tolist()
    assert rs.tables == ["t", "whole"] and rs.manifest["table_parts"] == {"t": 12}
    assert rs.table("t", columns=["k"], filters=[("k", ">=", 10)])["k"].tolist() == [10, 11, 11]


def test_write_result_set_refuses_an_existing_destination(tmp_path: Path) -> None:
    dest = tmp_path / "x"
    write_result_set(dest, {"t": pd.DataFrame({"a": [1]})}, {"name": "x"})
    with pytest.raises(ResultExistsError):
        write_result_set(dest, {"t": pd.DataFrame({"a": [2]})}, {"name": "x"})
    assert open_results(dest).table("t")["a"].tolist() == [1]
    assert [p.name for p in tmp_path.iterdir()] == ["x"]
