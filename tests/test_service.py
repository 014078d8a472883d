"""The one service path: simulate (in process, no disk) and run_to_store (result sets), and the
KPI registry that the command line, JSON/CSV output and Dutch labels are generated from."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from dashboard.labels_nl import KPI_LABELS, label
from simulation import metrics, service
from simulation.cli import main
from simulation.config import ScenarioError
from tests.conftest import SCENARIOS

FLEVOLAND = SCENARIOS / "flevoland.yaml"
QUICK = {"years": 0.25, "warmup_days": 30, "replications": 2}


def _files_under(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


def test_simulate_returns_tables_and_kpis_without_touching_the_disk(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    before = _files_under(tmp_path)
    sim = service.simulate(FLEVOLAND, overrides=QUICK, tables=True)
    assert _files_under(tmp_path) == before
    assert sim.tables is not None and {"episodes", "ledger", "waiting"} <= set(sim.tables)
    assert sorted(sim.tables["episodes"]["replication"].unique()) == [0, 1]
    # The KPIs are the registry's, overall and per form, for each replication.
    overall = sim.kpis[sim.kpis["care_form"] == metrics.ALL]
    assert list(overall[overall["replication"] == 0]["kpi"]) == metrics.KPIS
    assert set(sim.summary["kpi"]) == set(metrics.KPIS)


def test_simulate_kpis_equal_the_stored_kpis(tmp_path: Path) -> None:
    sim = service.simulate(FLEVOLAND, overrides=QUICK)
    stored = service.run_to_store(FLEVOLAND, overrides=QUICK, root=tmp_path, executor="serial")
    assert not stored.reused
    pd.testing.assert_frame_equal(stored.result.table("kpis"), sim.kpis, check_dtype=False)


def test_run_to_store_reports_progress_and_reuses_an_identical_run(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    first = service.run_to_store(
        FLEVOLAND, overrides=QUICK, root=tmp_path, executor="serial", progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (2, 2) and all(d <= t for d, t in seen)
    assert (first.path / "manifest.json").is_file()
    again = service.run_to_store(FLEVOLAND, overrides=QUICK, root=tmp_path, executor="serial")
    assert again.reused and again.path == first.path
    pd.testing.assert_frame_equal(again.summary, first.result.table("summary"))
    forced = service.run_to_store(FLEVOLAND, overrides=QUICK, root=tmp_path, executor="serial", force=True)
    assert not forced.reused and forced.path != first.path


def test_several_scenario_files_must_share_one_horizon_unless_years_sets_it(tmp_path: Path) -> None:
    longer = tmp_path / "langer.yaml"
    longer.write_text(f"extends: {FLEVOLAND}\nname: flevoland-langer\nyears: 2\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"different horizons .flevoland: 1, flevoland-langer: 2"):
        service.load([FLEVOLAND, longer])
    exp = service.load([FLEVOLAND, longer], {"years": 2})
    assert [s.years for s in exp.cells[0].scenarios] == [2, 2] and not exp.notes


def test_inspect_builds_every_world_of_an_experiment(tmp_path: Path) -> None:
    bad = tmp_path / "exp.yaml"
    bad.write_text(
        f"name: x\nscenarios: [{FLEVOLAND}]\nreplications: 1\nseed: 1\nyears: 1\nwarmup_days: 0\n"
        "variants:\n  - name: elders\n    set: {regions: [JZ99]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match="JZ99"):
        service.inspect(bad)


# -- the KPI registry ------------------------------------------------------------------------


def test_every_kpi_is_declared_with_unit_format_label_and_definition() -> None:
    assert len(metrics.REGISTRY) == len(set(metrics.KPIS)) >= 21
    for k in metrics.REGISTRY:
        assert k.unit and k.label_nl and len(k.description) > 20, k.name
        assert KPI_LABELS[k.name] == k.label_nl == label(k.name)
    assert [k.name for k in metrics.REGISTRY if k.per_form] == metrics.PER_FORM_KPIS
    assert "wait_days_mean" in metrics.PER_FORM_KPIS and "total_cost_eur" not in metrics.PER_FORM_KPIS


def test_the_readme_kpi_table_lists_every_kpi_with_its_unit() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    rows = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`") and cells[0].strip("`") in metrics.KPIS:
            rows[cells[0].strip("`")] = cells[1]
    assert rows == {k.name: k.unit for k in metrics.REGISTRY}


@pytest.mark.parametrize(
    "value, fmt, shown",
    [(12.345, "days", "12.3"), (0.12345, "share", "0.123"), (2_500_000.0, "eur", "2.50M"), (1234.5, "eur_small",
     "1,234"), (float("nan"), "days", "-"), (None, "count", "-")],
)  # fmt: skip
def test_values_print_in_their_declared_format(value, fmt, shown) -> None:
    assert metrics.format_value(value, fmt) == shown


def test_compare_json_and_csv_carry_every_kpi_with_its_unit(capsys) -> None:
    args = ["compare", str(FLEVOLAND), "--years", "0.25", "--replications", "2", "--executor", "serial"]
    assert main([*args, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc["scenarios"][0]["kpis"]) == metrics.KPIS
    assert doc["units"] == {k.name: k.unit for k in metrics.REGISTRY}
    assert main([*args, "--format", "csv"]) == 0
    frame = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert set(frame["kpi"]) == set(metrics.KPIS)
    assert (frame["unit"] == frame["kpi"].map(doc["units"])).all()


def test_compare_runs_nothing_into_the_store(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["compare", str(FLEVOLAND), "--years", "0.25", "--replications", "2", "--executor", "serial"]) == 0
    assert "wait_days_mean" in capsys.readouterr().out
    assert os.listdir(tmp_path) == []


# -- output files named on the command line ----------------------------------------------------


def test_units_out_into_a_missing_folder_or_below_a_file_exits_2(tmp_path: Path, capsys) -> None:
    afile = tmp_path / "a.txt"
    afile.write_text("x", encoding="utf-8")
    for out in (tmp_path / "missing" / "u.csv", afile / "u.csv", tmp_path):
        assert main(["units", str(FLEVOLAND), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "--out" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_landscape_writes_only_where_the_command_line_says(tmp_path: Path, capsys) -> None:
    aimed = tmp_path / "aimed.yaml"
    aimed.write_text(
        f"extends: {SCENARIOS / 'nederland.yaml'}\nproviders:\n  file: {tmp_path / 'p.csv'}\n", encoding="utf-8"
    )
    assert main(["landscape", str(aimed)]) == 2  # a scenario cannot aim the writer outside data/
    err = capsys.readouterr().err
    assert "providers.file" in err and "outside" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aimed.yaml"]


def test_a_second_identical_run_waits_for_the_first_and_reuses_its_result(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = tmp_path / "results"
    cmd = [sys.executable, "-m", "simulation.cli", "run", str(FLEVOLAND), "--root", str(root),
           "--years", "0.25", "--replications", "2", "--executor", "serial"]  # fmt: skip
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    firsts = sorted(out.splitlines()[0].split()[0] for out, _ in outs)
    assert firsts == ["reusing", "wrote"]
    assert [p.name for p in root.iterdir()] == [next(root.iterdir()).name]  # one result set, no lock file


def test_a_dated_event_outside_the_run_is_named_in_a_note(tmp_path: Path, capsys) -> None:
    stress = SCENARIOS / "stress" / "uitval-grootste-aanbieder.yaml"  # the shock is on 2026-07-01
    short = service.load(stress, {"years": 0.25, "regions": ["JZ29"]})
    assert short.notes == (
        "uitval-grootste-aanbieder: shocks.0 on 2026-07-01 lies outside the run (91.25 days from 2026-01-01): "
        "it does not happen",
    )
    assert not service.load(stress, {"years": 0.5, "regions": ["JZ29"]}).notes  # day 181 < 182.5
    assert main(["compare", str(stress), "--years", "0.25", "--replications", "2", "--executor", "serial"]) == 0
    assert "shocks.0 on 2026-07-01 lies outside the run" in capsys.readouterr().err
