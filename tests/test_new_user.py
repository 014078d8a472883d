"""What a new user trips over (issue 13): names that work everywhere, conveniences people expect,
rows that are empty by design saying so, and --set paths that cannot change a run refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation import service
from simulation.cli import main
from tests.conftest import SCENARIOS

FLEVOLAND = SCENARIOS / "flevoland.yaml"
QUICK = {"years": 0.25, "warmup_days": 30, "replications": 2}


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small result set in a store of its own."""
    root = tmp_path_factory.mktemp("store") / "results"
    return service.run_to_store(FLEVOLAND, overrides=QUICK, root=root, executor="serial").path


def test_results_show_takes_the_name_results_list_prints(stored: Path, capsys, monkeypatch) -> None:
    root = stored.parent
    assert main(["results", "list", "--root", str(root)]) == 0
    listed = capsys.readouterr().out.split("\n")[2].split()[0]
    assert listed == stored.name
    # The name under --root, under the default root (results/ in the working directory), and a path.
    assert main(["results", "show", listed, "--root", str(root)]) == 0
    by_name = capsys.readouterr().out
    assert "Paired differences" in by_name or "flevoland" in by_name
    monkeypatch.chdir(root.parent)
    assert main(["results", "show", listed]) == 0
    assert capsys.readouterr().out.split("\n", 1)[1] == by_name.split("\n", 1)[1]
    assert main(["results", "show", str(stored)]) == 0
    assert capsys.readouterr().out.split("\n", 1)[1] == by_name.split("\n", 1)[1]
    # A name that is nowhere: exit 2, naming both places looked in.
    assert main(["results", "show", "nope"]) == 2
    err = capsys.readouterr().err
    assert "DIR" in err and "results/nope" in err and "results list" in err
