"""Out-of-sample validation: the CRPS of an ensemble against hand and analytic results, the split
of the targets at the holdout year, and validate-history end to end on a small case."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats

from calibration.cli import problem_of
from calibration.validation import crps_ensemble, split, validate_history, write_validation
from simulation.config import ScenarioError
from tests.conftest import ROOT


def test_crps_of_an_ensemble_by_hand() -> None:
    # F = step 1/2 at 0 and 1 at 1; y = 0: integral of (F - 1)^2 over [0, 1] = 1/4
    assert crps_ensemble(np.array([0.0, 1.0]), 0.0) == pytest.approx(0.25)
    assert crps_ensemble(np.array([3.0]), 5.0) == pytest.approx(2.0)  # a point forecast: the absolute error
    assert crps_ensemble(np.array([2.0, 2.0, 2.0]), 2.0) == 0.0


def test_crps_of_a_large_normal_ensemble_is_the_closed_form() -> None:
    """Gneiting & Raftery (2007): CRPS(N(mu, s), y) = s (z (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi))."""
    mu, s, y = 10.0, 2.0, 13.0
    z = (y - mu) / s
    exact = s * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi))
    members = stats.norm.ppf((np.arange(3000) + 0.5) / 3000, loc=mu, scale=s)  # an even sample of N(mu, s)
    assert crps_ensemble(members, y) == pytest.approx(exact, rel=0.01)


def _config(tmp: Path, **changes: object) -> Path:
    cfg = yaml.safe_load((ROOT / "calibration/configs/flevoland-validation.yaml").read_text(encoding="utf-8"))
    cfg["scenario"] = str(ROOT / "scenarios/history/flevoland-gefragmenteerd-2016.yaml")
    cfg.update(changes)
    path = tmp / "validation.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


def test_split_at_the_holdout_year(tmp_path: Path) -> None:
    problem = problem_of(_config(tmp_path))
    fitted, held = split(problem, 2020)
    assert {t.year for t in fitted.targets} == {2018, 2019}
    assert sorted({k.rsplit(":", 1)[1] for k in held}) == ["2020", "2021"]
    assert len(fitted.targets) + len(held) == len(problem.targets)
    with pytest.raises(ScenarioError, match="holdout_from"):
        split(problem, 2030)


def test_validate_history_end_to_end(tmp_path: Path) -> None:
    # 2019-2020 (2 years and a leap day): fit on 2019, predict 2020
    scenario = str(ROOT / "scenarios/history/flevoland-gefragmenteerd-2019.yaml")
    config = _config(tmp_path, scenario=scenario, trials=2, startup_trials=2, replications=2, fresh_replications=3,
                     years=2.01)  # fmt: skip
    v = validate_history(problem_of(config), 2020, tmp_path / "out", executor="serial")
    held = v.table[v.table["window"] == "held out"]
    assert set(held["period"]) == {"2020"} and set(v.table.loc[v.table["window"] == "fitted", "period"]) == {"2019"}
    assert (v.table["model_p05"] <= v.table["model_mean"]).all() and (v.table["crps"] >= 0).all()
    covered = (held["model_p05"] <= held["observed"]) & (held["observed"] <= held["model_p95"])
    assert (held["covered"] == covered).all()
    report = write_validation(v, tmp_path / "out", "test")
    assert "coverage of the 90% interval" in report.read_text(encoding="utf-8")
    assert len(list((tmp_path / "out").glob("validation-*.png"))) == v.table["indicator"].nunique()  # one a series
