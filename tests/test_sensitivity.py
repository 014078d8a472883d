"""Sensitivity analysis: Morris and Sobol on functions with known answers, the tiny shipped
experiment on common random numbers, and bad files refused naming the field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from simulation.cli import main
from simulation.sensitivity import analyze, load_plan, problem, sample
from simulation.sensitivity.spec import applied

ROOT = Path(__file__).resolve().parents[1]
KLEIN = ROOT / "scenarios" / "sensitivity" / "klein.yaml"


@pytest.mark.parametrize("active", ["a", "b"])
def test_morris_ranks_the_input_the_output_depends_on_first(active: str) -> None:
    # y = 10 x_active + x_c^2: the other input has no effect at all, so every elementary effect
    # of it is 0; the active one's is exactly 10 per its whole range (a linear term).
    prob = problem(["a", "b", "c"], [(0, 1), (0, 1), (0, 1)])
    x = sample("morris", prob, seed=7, trajectories=12)
    col = {"a": 0, "b": 1}[active]
    y = 10 * x[:, col] + x[:, 2] ** 2
    t = analyze("morris", prob, x, y, seed=7).set_index("parameter")
    idle = "b" if active == "a" else "a"
    assert t.loc[active, "rank"] == 1
    assert t.loc[active, "mu_star"] == pytest.approx(10.0)
    assert t.loc[idle, "mu_star"] == pytest.approx(0.0, abs=1e-12)
    assert t.loc[idle, "rank"] == 3
    assert 0 < t.loc["c", "mu_star"] < 10


def test_sobol_indices_of_a_linear_function() -> None:
    # y = 3 a + c with a, c ~ U(0, 1) independent: Var = 9/12 + 1/12, so S1 = ST = 0.9 and 0.1;
    # b does not enter: 0.
    prob = problem(["a", "b", "c"], [(0, 1), (0, 1), (0, 1)])
    x = sample("sobol", prob, seed=3, samples=512)
    y = 3 * x[:, 0] + x[:, 2]
    t = analyze("sobol", prob, x, y, seed=3).set_index("parameter")
    assert list(t.index) == ["a", "c", "b"]
    assert t.loc["a", "S1"] == pytest.approx(0.9, abs=0.03)
    assert t.loc["a", "ST"] == pytest.approx(0.9, abs=0.03)
    assert t.loc["c", "ST"] == pytest.approx(0.1, abs=0.02)
    assert t.loc["b", "ST"] == pytest.approx(0.0, abs=1e-12)


def test_values_applied_at_a_path() -> None:
    assert applied(2, 3.4, relative=False) == 3 and isinstance(applied(2, 3.4, relative=False), int)
    assert applied(1.108, 1.2, relative=True) == pytest.approx(1.3296)
    assert applied(70.0, 80, relative=False) == 80.0


def _run(out: Path, *extra: str) -> int:
    return main(["sensitivity", str(KLEIN), "--executor", "serial", "--out", str(out), *extra])


def test_tiny_scenario_on_common_random_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The municipalities' contract-team cost cannot change a wait: on common random numbers its
    elementary effects on the wait KPIs are exactly 0 (with fresh seeds per design point they would
    be noise), and the referral rate of the only care form ranks first. It does move cost per youth."""
    assert _run(tmp_path / "a") == 0
    printed = capsys.readouterr().out
    assert "wait_days_mean" in printed and "inkoopteam_per_eenheid" in printed
    t = pd.read_csv(tmp_path / "a" / "indices.csv")
    for kpi in ("share_over_norm", "wait_days_mean"):
        k = t[t["kpi"] == kpi].set_index("parameter")
        assert k.loc["verwijzingen_pleegzorg", "rank"] == 1
        assert k.loc["inkoopteam_per_eenheid", "mu_star"] == 0.0
        assert k.loc["verwijzingen_pleegzorg", "mu_star"] > 0
    cost = t[t["kpi"] == "municipal_cost_per_youth_eur"].set_index("parameter")
    assert cost.loc["inkoopteam_per_eenheid", "mu_star"] > 0
    design = pd.read_csv(tmp_path / "a" / "design.csv")
    assert len(design) == 4 * (3 + 1)  # trajectories x (parameters + 1)
    assert sorted(p.name for p in (tmp_path / "a").glob("*.png")) == [
        "morris_municipal_cost_per_youth_eur.png",
        "morris_share_over_norm.png",
        "morris_wait_days_mean.png",
    ]
    # Same seed: the same design and the same table, byte for byte.
    assert _run(tmp_path / "b") == 0
    for name in ("indices.csv", "design.csv", "runs.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    # Another seed: another design.
    assert _run(tmp_path / "c", "--seed", "7") == 0
    assert (tmp_path / "a" / "design.csv").read_bytes() != (tmp_path / "c" / "design.csv").read_bytes()
    # An existing folder is never overwritten.
    before = (tmp_path / "a" / "indices.csv").read_bytes()
    assert _run(tmp_path / "a") == 2
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / "a" / "indices.csv").read_bytes() == before


def test_sobol_on_the_tiny_scenario(tmp_path: Path) -> None:
    assert _run(tmp_path / "s", "--method", "sobol") == 0
    t = pd.read_csv(tmp_path / "s" / "indices.csv")
    assert list(t.columns) == ["kpi", "rank", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    k = t[t["kpi"] == "wait_days_mean"].set_index("parameter")
    assert k.loc["inkoopteam_per_eenheid", "ST"] == 0.0
    assert len(pd.read_csv(tmp_path / "s" / "design.csv")) == 8 * (3 + 2)


def _bad(tmp_path: Path, change: dict[str, object], param: tuple[int, dict[str, object]] | None = None) -> Path:
    data = yaml.safe_load(KLEIN.read_text())
    data["scenario"] = str(KLEIN.parent / data["scenario"])
    data.update(change)
    if param is not None:
        i, upd = param
        data["parameters"][i] = {**data["parameters"][i], **upd}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    ("change", "param", "field"),
    [
        ({}, (1, {"path": "care_forms.pleegzorg.no_such_thing.value"}), "parameters.1.paths.0"),
        ({}, (1, {"bounds": [2.0, 0.5]}), "parameters.1.bounds"),
        ({}, (1, {"bounds": [-1.0, 0.5]}), "parameters.1.bounds"),  # the scenario refuses -1
        ({"kpis": ["wait_days_mean", "cost_per_youth"]}, None, "kpis"),
        ({"sobol": {"samples": 10}}, None, "sobol.samples"),
        ({"morris": {"levels": 5}}, None, "morris.levels"),
        ({"set": {"regime.nonsense": 1}}, None, "set.regime.nonsense"),
        ({}, (2, {"path": "care_forms.pleegzorg.waiting_withdrawal_per_year.value"}), "parameters.2.paths.0"),
    ],
    ids=[
        "unknown-path",
        "bounds-reversed",
        "bound-invalid",
        "unknown-kpi",
        "sobol-not-power-of-2",
        "odd-levels",
        "bad-set",
        "twice",
    ],
)
def test_bad_file_exits_2_naming_the_field(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, object],
    param: tuple[int, dict[str, object]] | None,
    field: str,
) -> None:
    path = _bad(tmp_path, change, param)
    assert main(["sensitivity", str(path), "--executor", "serial", "--out", str(tmp_path / "o")]) == 2
    assert f"  - {field}" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
    assert main(["validate", str(path)]) == 2


def test_shipped_sensitivity_files_validate() -> None:
    for path in sorted((ROOT / "scenarios" / "sensitivity").glob("*.yaml")):
        plan = load_plan(path)
        assert len(plan.spec.parameters) >= 2, path
        # every parameter documents why its bounds are what they are
        assert all(p.note for p in plan.spec.parameters), path
        assert np.isfinite(plan.years)
