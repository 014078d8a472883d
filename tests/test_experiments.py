"""Experiment files, variants, sweeps, precision, the warm-up table and common random numbers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import metrics
from simulation.cli import main
from simulation.config import ScenarioError
from simulation.experiment import (
    PrecisionSpec,
    is_experiment_file,
    load_any,
    load_experiment,
    parse_set,
)
from simulation.results import open_results
from simulation.runner import precision_check, run_experiment, warmup_table
from tests.conftest import SCENARIOS

EXPERIMENTS = SCENARIOS / "experiments"
FLEVOLAND = {
    "regions": ["JZ08"],
    "only_care_forms": ["pleegzorg", "gezinshuis", "residentieel", "crisisopvang", "intensief_ambulant"],
}


def _yaml(value: object) -> str:
    return json.dumps(value)  # JSON is YAML


def write_experiment(tmp_path: Path, name: str = "proef", **fields: object) -> Path:
    """A small experiment: the three regimes restricted to Flevoland, a quarter year."""
    body: dict[str, object] = {
        "name": name,
        "description": "test",
        "scenarios": [str(SCENARIOS / f) for f in ("gefragmenteerd.yaml", "regionaal.yaml", "landelijk.yaml")],
        "variants": [{"name": "basis", "set": dict(FLEVOLAND)}],
        "replications": 2,
        "seed": 11,
        "years": 0.25,
        "warmup_days": 30,
    }
    body.update(fields)
    path = tmp_path / f"{name}.yaml"
    path.write_text("\n".join(f"{k}: {_yaml(v)}" for k, v in body.items()) + "\n")
    return path


def collect_tables(experiment, **kwargs):
    """Run in this process and keep every table in memory, joined in key order."""
    parts: dict[str, dict[str, pd.DataFrame]] = {}

    def sink(name: str, key: str, frame: pd.DataFrame) -> None:
        parts.setdefault(name, {})[key] = frame

    run = run_experiment(experiment, tables=sink, **kwargs)
    tables = {n: pd.concat([p[k] for k in sorted(p)], ignore_index=True) for n, p in parts.items()}
    return run, tables


# --------------------------------------------------------------------------------------------
# Files and validation


def test_default_experiment_is_the_three_regimes_on_the_national_default() -> None:
    path = EXPERIMENTS / "drie-regimes.yaml"
    assert is_experiment_file(path) and not is_experiment_file(SCENARIOS / "regionaal.yaml")
    exp = load_experiment(path)
    assert exp.scenario_names == ["gefragmenteerd", "regionaal", "landelijk"]
    assert [s.regime.kind for s in exp.cells[0].scenarios] == ["fragmented", "regional", "national"]
    assert (exp.spec.replications, exp.spec.seed, exp.spec.years, exp.spec.warmup_days) == (10, 2026, 1, 90)
    assert [c.variant for c in exp.cells] == ["baseline"]
    assert all(len(s.regions or []) == 0 for s in exp.cells[0].scenarios)  # all 342 gemeenten
    for s in exp.cells[0].scenarios:
        assert (s.seed, s.years, s.warmup_days) == (2026, 1, 90)


@pytest.mark.parametrize("path", sorted(EXPERIMENTS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_experiment_validates(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(path)]) == 0
    assert "ok (experiment" in capsys.readouterr().out


def test_variants_set_any_parameter_by_dotted_path(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    units = tmp_path / "data" / "units.csv"
    units.write_text("gemeentecode,unit_id\n")
    path = write_experiment(
        tmp_path,
        variants=[
            {"name": "a", "set": dict(FLEVOLAND)},
            {
                "name": "b",
                "set": {
                    **FLEVOLAND,
                    "care_forms.pleegzorg.referral_rate_per_1000.value": 2.5,
                    "regime.min_providers_per_contract": 4,  # not in the file: a default
                    "regime.split.units_file": "data/units.csv",  # relative to the experiment file
                    "providers.generator.groups.0.count": 7,
                },
            },
        ],
    )
    exp = load_experiment(path)
    a, b = exp.cells
    assert (a.variant, b.variant) == ("a", "b")
    for sa, sb in zip(a.scenarios, b.scenarios, strict=True):
        assert sa.name == sb.name
        assert sa.care_forms["pleegzorg"].referral_rate_per_1000.value == 1.108
        assert sb.care_forms["pleegzorg"].referral_rate_per_1000.value == 2.5
        assert sb.care_forms["pleegzorg"].referral_rate_per_1000.source  # provenance kept
        assert (sa.regime.min_providers_per_contract, sb.regime.min_providers_per_contract) == (2, 4)
        assert sb.regime.split.units_file == str(units.resolve())
        assert sb.providers.generator is not None and sb.providers.generator.groups[0].count == 7
        assert sb.regions == ["JZ08"]


BAD_EXPERIMENTS = {
    "unknown key": ({"replicatons": 3}, "replicatons", "unknown key"),
    "unknown path": (
        {"variants": [{"name": "x", "set": {"care_forms.pleegzorgx.referral_rate_per_1000.value": 1}}]},
        "variants.0.set.care_forms.pleegzorgx.referral_rate_per_1000.value",
        "'pleegzorgx'",
    ),
    "path into a value": (
        {"variants": [{"name": "x", "set": {"years.value": 1}}]},
        "variants.0.set.years.value",
        "unknown parameter path",
    ),
    "name cannot be set": ({"variants": [{"name": "x", "set": {"name": "y"}}]}, "variants.0.set.name", "names"),
    "value out of range": (
        {"variants": [{"name": "x", "set": {"regime.min_providers_per_contract": 0}}]},
        "regime.min_providers_per_contract",
        "greater than or equal to 1",
    ),
    "duplicate variants": ({"variants": [{"name": "x"}, {"name": "x"}]}, "variant names must differ", "x"),
    "unknown precision KPI": ({"precision": {"kpis": ["wachttijd"]}}, "precision.kpis", "wachttijd"),
    "bad target": ({"precision": {"target": 2}}, "precision.target", "less than 1"),
    "missing scenario": ({"scenarios": ["nergens.yaml"]}, "scenarios.0", "no such file"),
    "warm-up too long": ({"warmup_days": 100}, "warmup_days", "shorter than the horizon"),
    "wrong type": ({"replications": "veel"}, "replications", "veel"),
}


@pytest.mark.parametrize("case", sorted(BAD_EXPERIMENTS))
def test_bad_experiments_exit_2_naming_the_field(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fields, field, words = BAD_EXPERIMENTS[case]
    path = write_experiment(tmp_path, **fields)
    with pytest.raises(ScenarioError) as info:
        load_experiment(path)
    assert any(field in f for f, _ in info.value.problems) or field in str(info.value), info.value.problems
    assert main(["run", str(path), "--root", str(tmp_path / "results")]) == 2
    err = capsys.readouterr().err
    assert field in err and words in err and "Traceback" not in err, err
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").iterdir())


def test_parse_set_reads_yaml_scalars_and_names_bad_input() -> None:
    assert parse_set("regime.min_providers_per_contract=1,2,4") == ("regime.min_providers_per_contract", (1, 2, 4))
    assert parse_set("a.b=0.5, 1e-3 ,true,tekst") == ("a.b", (0.5, 0.001, True, "tekst"))
    for text, words in (("a.b", "no '='"), ("=1", "empty"), ("a.b=1,,2", "empty value"), ("a.b=[1,2", "YAML")):
        with pytest.raises(ScenarioError) as info:
            parse_set(text)
        assert words in str(info.value)
    with pytest.raises(ScenarioError, match=r"a\.b"):
        parse_set("a.b={x: 1}")


def test_fingerprint_covers_content_not_location(tmp_path: Path) -> None:
    path = write_experiment(tmp_path)
    exp = load_experiment(path)
    fp = exp.fingerprint("simpy", None)
    assert fp == load_experiment(path).fingerprint("simpy", None)
    other = tmp_path / "elders"
    other.mkdir()
    assert load_experiment(write_experiment(other)).fingerprint("simpy", None) == fp
    assert exp.fingerprint("reference", None) != fp
    assert exp.fingerprint("simpy", PrecisionSpec()) != fp
    assert load_experiment(path, {"replications": 3}).fingerprint("simpy", None) != fp
    assert load_experiment(path, {"seed": 12}).fingerprint("simpy", None) != fp
    swept = load_experiment(path, sweep=[("regime.tariff_spread", (0.0, 0.1))])
    assert swept.fingerprint("simpy", None) != fp
    assert len(swept.cells) == 2 and [c.point for c in swept.cells][1] == (("regime.tariff_spread", 0.1),)
    varied = write_experiment(tmp_path, name="proef2")
    text = varied.read_text().replace('"name": "proef2"', '"name": "proef"').replace('"JZ08"', '"JZ08", "JZ01"')
    varied.write_text(text)
    assert load_experiment(varied).fingerprint("simpy", None) != fp


def test_a_scenario_file_runs_as_an_experiment_of_one(tmp_path: Path) -> None:
    exp = load_any(SCENARIOS / "flevoland.yaml", {"years": 0.25, "replications": 2})
    assert exp.kind == "scenario" and exp.cell_columns() == [] and exp.scenario_names == ["flevoland"]
    out = tmp_path / "res"
    assert main(["run", str(SCENARIOS / "flevoland.yaml"), "--out", str(out), "--years", "0.25",
                 "--replications", "2", "--executor", "serial"]) == 0  # fmt: skip
    rs = open_results(out)
    assert rs.manifest["kind"] == "scenario" and rs.manifest["scenario"]["name"] == "flevoland"
    assert rs.manifest["replications"] == 2 and "scenario_fingerprint" in rs.manifest
    episodes = rs.table("episodes")
    assert list(episodes.columns[:2]) == ["scenario", "replication"] and "variant" not in episodes


# --------------------------------------------------------------------------------------------
# Running


def test_all_regimes_and_variants_see_the_same_children(tmp_path: Path) -> None:
    path = write_experiment(
        tmp_path,
        variants=[
            {"name": "basis", "set": dict(FLEVOLAND)},
            {"name": "duur", "set": {**FLEVOLAND, "care_forms.pleegzorg.tariff_eur_per_day.value": 140}},
            {"name": "een-aanbieder", "set": {**FLEVOLAND, "regime.min_providers_per_contract": 1}},
        ],
    )
    exp = load_experiment(path)
    _, tables = collect_tables(exp)
    ep = tables["episodes"]
    ref = ep[ep["origin"] == "referral"]
    assert set(ref["variant"]) == {"basis", "duur", "een-aanbieder"}
    assert set(ref["scenario"]) == {"gefragmenteerd", "regionaal", "landelijk"}
    for rep, part in ref.groupby("replication"):
        children = {
            key: g[["gemeente", "care_form", "t_referral"]]
            .astype({"gemeente": str, "care_form": str})
            .sort_values(["t_referral", "gemeente", "care_form"])
            .reset_index(drop=True)
            for key, g in part.groupby(["variant", "scenario"])
        }
        assert len(children) == 9
        first = next(iter(children.values()))
        assert len(first) > 100
        for key, frame in children.items():
            pd.testing.assert_frame_equal(frame, first, check_exact=True, obj=f"replication {rep}, {key}")
    # ... and the regimes do differ in what happens to those children.
    basis = ep[ep["variant"] == "basis"]
    waits = basis.groupby("scenario")["t_intake"].sum()
    assert waits.nunique() > 1
    # Replications differ from each other.
    r0 = ref[(ref["replication"] == 0) & (ref["variant"] == "basis") & (ref["scenario"] == "regionaal")]
    r1 = ref[(ref["replication"] == 1) & (ref["variant"] == "basis") & (ref["scenario"] == "regionaal")]
    assert not np.array_equal(r0["t_referral"].to_numpy()[:50], r1["t_referral"].to_numpy()[:50])


def test_warmup_table_is_the_monthly_waiting_total_and_its_running_mean(tmp_path: Path) -> None:
    exp = load_experiment(write_experiment(tmp_path, years=1, replications=1))
    _, tables = collect_tables(exp)
    waiting, warm = tables["waiting"], tables["warmup"]
    assert list(warm.columns[:4]) == ["variant", "scenario", "replication", "month"]
    for (scenario, rep), part in warm.groupby(["scenario", "replication"]):
        w = waiting[(waiting["scenario"] == scenario) & (waiting["replication"] == rep)]
        totals = w.groupby("month", sort=True)["waiting_mean"].sum().to_numpy()
        np.testing.assert_allclose(part["waiting_total"].to_numpy(), totals)
        np.testing.assert_allclose(part["running_mean"].to_numpy(), np.cumsum(totals) / np.arange(1, len(totals) + 1))
        assert len(part) == 12
    direct = warmup_table(waiting.drop(columns=["variant"]))
    np.testing.assert_allclose(direct["running_mean"], warm["running_mean"])


def test_precision_adds_replications_until_the_target_is_met(tmp_path: Path) -> None:
    precision = PrecisionSpec(target=0.10, kpis=["children_served"], max_replications=40)
    # half a year: with waits of months, a quarter year places too few new referrals to be precise
    exp = load_experiment(write_experiment(tmp_path, replications=2, years=0.5))
    run = run_experiment(exp, precision=precision)
    report = run.precision
    assert report is not None and report["reached"] is True
    assert 2 < report["replications_used"] == run.replications < 40
    assert set(report["achieved"]) == {"basis / gefragmenteerd", "basis / regionaal", "basis / landelijk"}
    assert all(0 <= v["children_served"] <= 0.10 for v in report["achieved"].values())
    assert run.kpis.groupby("scenario")["replication"].nunique().eq(run.replications).all()
    # Replications came in batches, and the batch before the last was not yet precise enough.
    batches = report["batches"]
    assert batches[0] == 2 and batches[-1] == run.replications and len(batches) >= 2
    fewer = run.kpis[run.kpis["replication"] < batches[-2]]
    assert not precision_check(fewer, ["variant"], precision)[0]


def test_precision_stops_at_the_maximum_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    precision = {"target": 0.0001, "max_replications": 4, "kpis": ["children_served", "wait_days_mean"]}
    path = write_experiment(tmp_path, precision=precision)
    assert main(["run", str(path), "--root", str(tmp_path / "r"), "--executor", "serial"]) == 0
    out = capsys.readouterr().out
    assert "NOT reached" in out and "4 replications" in out
    (result,) = (tmp_path / "r").iterdir()
    m = open_results(result).manifest
    p = m["precision"]
    assert p["reached"] is False and p["replications_used"] == 4 == m["replications"]
    assert p["target"] == 0.0001 and p["kpis"] == ["children_served", "wait_days_mean"]
    assert set(p["achieved"]["basis / regionaal"]) == {"children_served", "wait_days_mean"}
    assert open_results(result).table("kpis")["replication"].max() == 3


def test_sweep_writes_one_result_set_with_the_grid_as_columns(tmp_path: Path, capsys) -> None:
    path = write_experiment(tmp_path, replications=1)
    args = ["sweep", str(path), "--root", str(tmp_path / "r"), "--executor", "serial"]
    args += ["--set", "regime.min_providers_per_contract=1,3"]
    args += ["--set", "care_forms.pleegzorg.tariff_eur_per_day.value=70,92.5"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "regime.min_providers_per_contract=3, care_forms.pleegzorg.tariff_eur_per_day.value=92.5" in out
    (result,) = (tmp_path / "r").iterdir()
    rs = open_results(result)
    grid = ["variant", "regime.min_providers_per_contract", "care_forms.pleegzorg.tariff_eur_per_day.value"]
    assert rs.manifest["sweep"] == {grid[1]: [1, 3], grid[2]: [70.0, 92.5]}
    for name in rs.tables:
        table = rs.table(name)
        assert list(table.columns[:3]) == grid, name
        assert table.empty or set(map(tuple, table[grid[1:]].drop_duplicates().to_numpy().tolist())) == {
            (1, 70.0), (1, 92.5), (3, 70.0), (3, 92.5)
        }, name  # fmt: skip
    summary = rs.table("summary")
    assert set(summary["kpi"]) == set(metrics.KPIS)
    # The swept tariff reaches the contracts and the payments of the sweep point.
    c = rs.table("contracts")
    pleeg = c[c["care_form"] == "pleegzorg"].groupby(grid[2])["tariff_eur_per_day"].mean()
    assert pleeg[92.5] > pleeg[70.0]


def test_sweep_with_bad_path_or_value_exits_2_naming_it(tmp_path: Path, capsys) -> None:
    path = write_experiment(tmp_path)
    for value, words in (
        ("regime.min_providerz=1,2", "regime.min_providerz"),
        ("regime.min_providers_per_contract=1,[2", "regime.min_providers_per_contract"),
        ("regime.min_providers_per_contract=1,-5", "greater than or equal to 1"),
        ("regime.kind=feodaal", "feodaal"),
    ):
        assert main(["sweep", str(path), "--root", str(tmp_path / "r"), "--set", value]) == 2
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err, err
    assert not (tmp_path / "r").exists()


def test_run_prints_the_compare_table_and_compare_takes_an_experiment(tmp_path: Path, capsys) -> None:
    path = write_experiment(tmp_path)
    assert main(["run", str(path), "--root", str(tmp_path / "r"), "--executor", "serial"]) == 0
    run_out = capsys.readouterr().out
    assert "Paired differences against gefragmenteerd" in run_out and "=== variant basis ===" in run_out
    assert main(["compare", str(path), "--executor", "serial"]) == 0
    compare_out = capsys.readouterr().out
    # The same table, from the same code: everything after the "wrote ..." line.
    assert run_out.split("\n\n", 1)[1].strip() == compare_out.strip()
    assert main(["compare", str(path), "--executor", "serial", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["cells"][0]["variant"] == "basis"
    assert [s["name"] for s in doc["cells"][0]["scenarios"]] == ["gefragmenteerd", "regionaal", "landelijk"]


def test_overrides_from_sets_nests_one_value_per_path_and_refuses_more() -> None:
    """The scripts' --set PATH=VALUE: a nested override mapping; a list of values names the path."""
    from simulation.config import ScenarioError
    from simulation.experiment.paths import overrides_from_sets

    got = overrides_from_sets(["finance.shrink.loss_share_min=0.05", "regime.min_providers_per_contract=2"])
    assert got == {"finance": {"shrink": {"loss_share_min": 0.05}}, "regime": {"min_providers_per_contract": 2}}
    with pytest.raises(ScenarioError, match=r"--set a\.b: takes one value here, got 2"):
        overrides_from_sets(["a.b=1,2"])
