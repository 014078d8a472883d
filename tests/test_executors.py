"""The same seed gives the same bytes on every executor and for any number of workers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from simulation.cli import main
from simulation.runner import Executor, executors
from simulation.service import simulate
from tests.conftest import ROOT, SCENARIOS, tree_bytes

EXPERIMENT = SCENARIOS / "experiments" / "flevoland.yaml"
SMALL = ["--replications", "2", "--years", "0.25"]


def _run(tmp_path: Path, name: str, *flags: str) -> dict[str, bytes]:
    out = tmp_path / name
    assert main(["run", str(EXPERIMENT), "--out", str(out), *SMALL, *flags]) == 0
    files = tree_bytes(out)
    assert {"episodes.parquet/00000-0000-0000000.parquet", "kpis.parquet", "summary.parquet"} <= set(files)
    assert "warmup.parquet/00000-0001-0000001.parquet" in files
    return files


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return _run(tmp_path_factory.mktemp("serial"), "serial", "--executor", "serial")


def _same(a: dict[str, bytes], b: dict[str, bytes]) -> None:
    assert set(a) == set(b)
    for name in a:
        assert a[name] == b[name], f"{name} differs"


@pytest.mark.parametrize("workers", ["1", "2", "3"])
def test_processes_give_the_same_bytes_as_serial(serial, tmp_path: Path, workers: str) -> None:
    _same(serial, _run(tmp_path, "p", "--executor", "processes", "--workers", workers))


def test_dask_local_cluster_gives_the_same_bytes_as_serial(serial, tmp_path: Path, capsys) -> None:
    _same(serial, _run(tmp_path, "d", "--executor", "dask", "--workers", "2"))
    from simulation.results import open_results

    executor = open_results(tmp_path / "d").manifest["executor"]
    assert executor == {"kind": "dask", "workers": 2, "scheduler": None}


def test_executor_yields_every_item_once_in_any_order() -> None:
    items = list(range(7))
    for kind in ("serial", "processes"):
        with Executor(kind, workers=2) as ex:
            got = dict(ex.run(abs, [-i for i in items]))
        assert got == {i: i for i in items}


def test_simulate_gives_the_same_kpis_on_every_executor() -> None:
    source, overrides = SCENARIOS / "flevoland.yaml", {"years": 0.25, "replications": 2}
    a = simulate(source, overrides=overrides, executor="serial").kpis
    b = simulate(source, overrides=overrides, executor="processes", workers=2).kpis
    assert a.equals(b) and set(a["replication"]) == {0, 1}


@pytest.mark.parametrize(
    "flags, words",
    [
        (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler"),  # without --executor dask
        (["--executor", "dask", "--scheduler", "not an address"], "--scheduler"),
        (["--executor", "threads"], "--executor"),
        (["--workers", "0"], "--workers"),
        (["--precision", "5"], "--precision"),
    ],
)
def test_bad_executor_flags_exit_2(flags: list[str], words: str, tmp_path: Path, capsys) -> None:
    try:
        code = main(["run", str(EXPERIMENT), "--root", str(tmp_path), *flags])
    except SystemExit as exc:  # argparse rejects the flag itself
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())


def test_bad_flag_exits_2_from_the_command_line(tmp_path: Path) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "simulation.cli", "sweep", str(EXPERIMENT), "--set", "x=1", "--executor", "threads"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert res.returncode == 2 and "--executor" in res.stderr and "Traceback" not in res.stderr


def test_unreachable_scheduler_exits_2(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(executors, "DASK_CONNECT_TIMEOUT", "1s")
    args = ["run", str(EXPERIMENT), "--root", str(tmp_path), *SMALL, "--executor", "dask"]
    assert main([*args, "--scheduler", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "tcp://127.0.0.1:9" in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())  # nothing left behind


class _RemoteLike(Executor):
    """A serial executor that pretends its workers do not share this disk (a remote cluster)."""

    @property
    def shares_disk(self) -> bool:
        return False


def test_parts_written_by_workers_or_sent_back_give_the_same_bytes(serial, tmp_path: Path) -> None:
    from simulation.experiment import load_experiment
    from simulation.results import ResultWriter
    from simulation.runner import run_experiment

    exp = load_experiment(EXPERIMENT, {"replications": 2, "years": 0.25})
    with ResultWriter(tmp_path / "sent") as writer, _RemoteLike("serial") as ex:
        run = run_experiment(exp, executor=ex, writer=writer)
        writer.commit({"name": exp.name})
    assert run.episodes > 0
    sent = tree_bytes(tmp_path / "sent")
    parts = [f for f in serial if f.split("/")[0] in {"episodes.parquet", "waiting.parquet", "warmup.parquet"}]
    assert len(parts) == 3 * 6 * 2  # three tables of six scenarios x two replications
    for name in parts:
        assert sent[name] == serial[name], name
