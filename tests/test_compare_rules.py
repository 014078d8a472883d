"""``compare`` refuses unlike comparisons and warns about scheduled changes outside the run.

Every case goes through the real command line (:func:`simulation.cli.main`): exit code,
the text on stderr, and that nothing was written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from simulation import service
from simulation.cli import main
from simulation.config import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
STRESS = sorted((SCENARIOS / "stress").glob("*.yaml"))
FAST = ["--replications", "1", "--executor", "serial"]


def _scenario(folder: Path, name: str, **extra: object) -> Path:
    """A small scenario (Flevoland) named ``name`` with ``extra`` top-level keys."""
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"extends": str(SCENARIOS / "flevoland.yaml"), "name": name, **extra}))
    return path


def _experiment(folder: Path, files: list[Path], years: float = 0.25) -> Path:
    path = folder / "exp.yaml"
    doc = {"name": "exp", "scenarios": [str(f) for f in files], "replications": 1, "seed": 1, "years": years,
           "warmup_days": 0}  # fmt: skip
    path.write_text(yaml.safe_dump(doc))
    return path


def test_compare_refuses_scenarios_with_different_horizons(tmp_path: Path, capsys) -> None:
    a = _scenario(tmp_path, "kort", years=1)
    b = _scenario(tmp_path, "lang", years=3)
    assert main(["compare", str(a), str(b), *FAST]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "years" in err and "kort: 1" in err and "lang: 3" in err and "--years" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kort.yaml", "lang.yaml"]  # nothing written


def test_compare_refuses_scenarios_with_different_start_dates(tmp_path: Path, capsys) -> None:
    a = _scenario(tmp_path, "nu", start_date="2026-01-01")
    b = _scenario(tmp_path, "later", start_date="2027-01-01")
    assert main(["compare", str(a), str(b), *FAST]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "start_date" in err and "nu: 2026-01-01" in err and "later: 2027-01-01" in err and "--start-date" in err
    # --years alone does not make the calendars agree
    assert main(["compare", str(a), str(b), "--years", "0.3", *FAST]) == 2


def test_an_experiment_whose_scenarios_start_on_different_days_is_refused_by_run_and_compare(
    tmp_path: Path, capsys
) -> None:
    exp = _experiment(tmp_path, [_scenario(tmp_path, "nu"), _scenario(tmp_path, "later", start_date="2027-01-01")])
    store = tmp_path / "results"
    assert main(["run", str(exp), "--root", str(store), *FAST]) == 2
    assert "start_date" in capsys.readouterr().err
    assert not store.exists()  # nothing written
    assert main(["compare", str(exp), *FAST]) == 2
    assert "later: 2027-01-01" in capsys.readouterr().err


def test_years_and_start_date_set_for_all_make_the_comparison_like(tmp_path: Path, capsys) -> None:
    a = _scenario(tmp_path, "kort", years=1)
    b = _scenario(tmp_path, "lang", years=3, start_date="2027-01-01")
    exp = service.load([a, b], {"years": 0.5, "start_date": load_scenario(a).start_date})
    assert {(s.years, s.start_date.isoformat()) for s in exp.cells[0].scenarios} == {(0.5, "2026-01-01")}
    argv = ["compare", str(a), str(b), "--years", "0.3", "--start-date", "2030-03-01", "--format", "csv", *FAST]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "difference" in out and "lang" in out
    assert "years" not in err and "start_date" not in err


def test_compare_warns_on_stderr_when_a_tariff_change_falls_after_the_horizon(tmp_path: Path, capsys) -> None:
    base = _scenario(tmp_path, "basis")
    cut = _scenario(tmp_path, "korting", tariff_changes=[{"date": "2027-01-01", "factor": 0.9}])
    assert main(["compare", str(base), str(cut), "--years", "0.3", "--format", "csv", *FAST]) == 0
    out, err = capsys.readouterr()
    assert "note: korting: tariff_changes.0 on 2027-01-01 lies outside the run (109.5 days from 2026-01-01)" in err
    assert "lies outside" not in out  # stdout holds only the comparison
    # inside the run: no warning
    assert main(["compare", str(base), str(cut), "--start-date", "2026-10-01", "--years", "0.3", *FAST]) == 0
    assert "lies outside" not in capsys.readouterr().err


def test_compare_warns_when_a_shock_lies_before_the_start(tmp_path: Path, capsys) -> None:
    base = _scenario(tmp_path, "basis")
    shock = {"date": "2026-03-01", "which": "largest", "region": "JZ08"}
    failing = _scenario(tmp_path, "uitval", shocks=[shock])
    argv = ["compare", str(base), str(failing), "--start-date", "2026-06-01", "--years", "0.3", "--format", "csv"]
    assert main([*argv, *FAST]) == 0
    assert "note: uitval: shocks.0 on 2026-03-01 lies outside the run" in capsys.readouterr().err


def test_run_of_an_experiment_warns_on_stderr_and_still_writes(tmp_path: Path, capsys) -> None:
    base = _scenario(tmp_path, "basis")
    cut = _scenario(tmp_path, "korting", tariff_changes=[{"date": "2027-01-01", "factor": 0.9}])
    exp = _experiment(tmp_path, [base, cut], years=0.3)
    store = tmp_path / "results"
    assert main(["run", str(exp), "--root", str(store), *FAST]) == 0
    out, err = capsys.readouterr()
    assert "note: korting: tariff_changes.0 on 2027-01-01 lies outside the run" in err
    assert "lies outside" not in out
    assert len(list(store.iterdir())) == 1


def test_a_transition_that_starts_after_the_horizon_is_named() -> None:
    stress = SCENARIOS / "stress" / "transitie-regionaal.yaml"
    s = load_scenario(stress, {"start_date": "2026-06-01", "years": 0.3})
    assert any(n.startswith("transition.start on 2026-01-01 lies outside the run") for n in s.events_outside_the_run())


@pytest.mark.parametrize("path", STRESS, ids=lambda p: p.stem)
def test_a_stress_file_agrees_with_its_base_on_horizon_and_start(path: Path) -> None:
    raw = yaml.safe_load(path.read_text())
    assert "years" not in raw and "start_date" not in raw, "a stress file inherits its horizon from its base"
    stress, base = load_scenario(path), load_scenario(path.parent / raw["extends"])
    assert (stress.years, stress.start_date) == (base.years, base.start_date)


@pytest.mark.parametrize("path", STRESS, ids=lambda p: p.stem)
def test_every_stress_question_has_an_experiment_against_its_base_with_its_events_inside(path: Path) -> None:
    exp_file = SCENARIOS / "experiments" / "stress" / path.name
    exp = service.load(exp_file)
    base = (path.parent / yaml.safe_load(path.read_text())["extends"]).resolve()
    assert [Path(f) for f in exp.files] == [base, path.resolve()]
    assert exp.notes == ()  # every dated change of the stress happens within the experiment's horizon
