"""The calibration fit: it recovers a parameter from targets the model made itself, gives the same
fit for the same seed (also when resumed), writes a calibrated scenario that runs, and refuses a
bad config naming the field (exit 2)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from calibration.cli import problem_of
from calibration.fit import evaluate, fit
from calibration.objective import with_observed
from calibration.output import write_fit
from calibration.report import write_report
from simulation import service
from simulation.cli import main
from simulation.config import ScenarioError
from simulation.runner import Executor
from tests.conftest import ROOT

SCENARIO = ROOT / "scenarios/history/flevoland-gefragmenteerd-2019.yaml"
PATH = "care_forms.crisisopvang.referral_rate_per_1000.value"
TRUE = 0.9  # the crisis referral rate the synthetic targets are made with (scenario: 1.1865)


def _config(tmp: Path, **changes: Any) -> Path:
    """A one-parameter config: the crisis referral rate against started residential care
    (residentieel + crisisopvang: CBS "overig met verblijf") in 2019 and 2020; crisis places are
    not full, so the starts follow the rate."""
    cfg: dict[str, Any] = {
        "name": "test-fit",
        "scenario": str(SCENARIO),
        "years": 2.01,  # 2020 is a leap year: 2 x 365 days end before 31 December 2020
        "replications": 2,
        "seed": 7,
        "trials": 12,
        "startup_trials": 5,
        "fresh_replications": 2,
        "parameters": [{"path": PATH, "low": 0.5, "high": 3.0}],
        "targets": [{"indicator": "jeugdhulptrajecten_begonnen_overig_met_verblijf", "periods": ["2019", "2020"]}],
    }
    cfg.update(changes)
    path = tmp / f"{cfg['name']}.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


def test_a_fit_recovers_a_known_parameter_from_synthetic_targets(tmp_path: Path) -> None:
    problem = problem_of(_config(tmp_path))
    with Executor("serial") as ex:  # the truth on other replications (seed 99) than the fit's
        truth = evaluate(problem, problem.settings([TRUE]), 99, 3, ex, "simpy")
    synthetic = with_observed(problem, dict(zip(truth.table["key"], truth.table["model_mean"], strict=True)))
    result = fit(synthetic, tmp_path / "study", executor="serial")
    assert len(result.trials) == 12
    assert result.values[PATH] == pytest.approx(TRUE, abs=0.2)  # bounds 0.5-3.0: within 8% of the range
    assert result.fresh is not None and result.fresh.objective < 0.01


def test_same_seed_same_fit_and_a_resumed_study_ends_where_one_run_does(tmp_path: Path) -> None:
    problem = problem_of(_config(tmp_path, trials=4, fresh_replications=0))
    one = fit(problem, tmp_path / "a", executor="serial")
    again = fit(problem, tmp_path / "b", executor="serial")
    assert one.values == again.values and one.score.objective == again.score.objective
    first = fit(problem_of(_config(tmp_path, trials=2, fresh_replications=0)), tmp_path / "c", executor="serial")
    resumed = fit(problem, tmp_path / "c", executor="serial")  # the same study file, 2 trials more
    assert len(first.trials) == 2 and len(resumed.trials) == 4
    assert list(resumed.trials["objective"]) == list(one.trials["objective"])
    assert resumed.values == one.values
    # another seed samples other trials
    other_problem = problem_of(_config(tmp_path, trials=4, seed=8, fresh_replications=0))
    other = fit(other_problem, tmp_path / "d", executor="serial")
    assert list(other.trials["objective"]) != list(one.trials["objective"])


def test_the_calibrated_scenario_validates_and_runs(tmp_path: Path) -> None:
    config = _config(tmp_path, trials=2, fresh_replications=0)
    problem = problem_of(config)
    result = fit(problem, tmp_path / "study", executor="serial")
    out = tmp_path / "calibrated" / "test-fit.yaml"
    write_fit(problem, result, config, out, dt.date(2026, 11, 30))
    text = out.read_text(encoding="utf-8")
    assert "calibrated by `jeugdzorg-sim calibrate" in text and "objective" in text
    info = service.inspect(out)
    assert info["name"] == "test-fit" and info["regime"] == "fragmented"
    scenario = service.load(out).cells[0].scenarios[0]
    assert scenario.care_forms["crisisopvang"].referral_rate_per_1000.value == pytest.approx(result.values[PATH])
    assert scenario.care_forms["crisisopvang"].referral_rate_per_1000.source.startswith("calibrated by")
    sim = service.simulate(out, overrides={"replications": 1, "years": 0.5})
    assert sim.stocks is not None and not sim.stocks.empty
    for name in ("fit.json", "targets.csv", "trials.csv", "study.db"):
        assert (tmp_path / "study" / name).is_file()
    report = write_report(problem, result, config, out, dt.date(2026, 11, 30))
    assert report == out.with_suffix(".md") and "| `care_forms.crisisopvang" in report.read_text(encoding="utf-8")
    assert (out.parent / "test-fit-fit.png").stat().st_size > 0 and (out.parent / "test-fit-history.png").is_file()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"parameters": [{"path": "care_forms.pleegzorg.no_such_rate", "low": 1, "high": 2}]}, "parameters.0.path"),
        ({"parameters": [{"path": PATH, "low": 2.0, "high": 1.0}]}, "parameters.0.low"),
        ({"targets": [{"indicator": "no_such_cbs_series"}]}, "targets.0.indicator"),
        ({"targets": [{"indicator": "jongeren_met_verblijf_pleegzorg", "periods": ["1999"]}]}, "targets.0.periods"),
        ({"replications": 0}, "replications"),
    ],
)
def test_a_bad_config_exits_2_naming_the_field(tmp_path: Path, capsys, changes: dict[str, Any], field: str) -> None:
    code = main(["calibrate", str(_config(tmp_path, **changes)), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and f"- {field}:" in err, err
    assert not (tmp_path / "out").exists()


def test_the_cmaes_sampler_fits_deterministically(tmp_path: Path) -> None:
    params = [
        {"path": PATH, "low": 0.5, "high": 3.0},
        {"path": "care_forms.residentieel.referral_rate_per_1000.value", "low": 1.4, "high": 3.6},
    ]
    config = _config(tmp_path, sampler="cmaes", trials=4, startup_trials=2, fresh_replications=0, parameters=params)
    one = fit(problem_of(config), tmp_path / "a", executor="serial")
    two = fit(problem_of(config), tmp_path / "b", executor="serial")
    assert len(one.trials) == 4 and list(one.trials["objective"]) == list(two.trials["objective"])


def test_a_study_made_by_other_model_code_is_not_resumed(tmp_path: Path, monkeypatch) -> None:
    # Its trials scored another model: resuming would mix two models' objectives in one fit.
    problem = problem_of(_config(tmp_path, trials=1, fresh_replications=0))
    fit(problem, tmp_path / "study", executor="serial")
    monkeypatch.setattr("calibration.fit.code_fingerprint", lambda: "another model")
    with pytest.raises(ScenarioError) as caught:
        fit(problem, tmp_path / "study", executor="serial")
    assert caught.value.problems[0][0] == "--out" and "model code" in caught.value.problems[0][1]
