"""``explain``: the regime gap attributed to mechanisms by exact Shapley values over paired arms.

A small case (jeugdregio Flevoland, six care forms, half a year, two replications): the
contributions add up to the gap, the ends of the decomposition are the two real regimes, a
mechanism the regimes share contributes exactly 0, and mechanisms with a known direction
move the KPI that way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from simulation import service
from simulation.cli import main
from simulation.explain import MECHANISMS, contributions, decomposition, explain_table
from simulation.explain.shapley import shapley
from simulation.results import open_results

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
FORMS = ["pleegzorg", "gezinshuis", "residentieel", "crisisopvang", "intensief_ambulant", "dagbehandeling"]
SMALL = {"regions": ["JZ08"], "only_care_forms": FORMS, "years": 0.5, "warmup_days": 0, "replications": 2}
KPIS = ["wait_days_mean", "waiting_at_end", "share_over_norm", "provider_exits", "total_cost_eur",
        "admin_cost_eur", "unpaid_care_eur"]  # fmt: skip


def _pair(folder: Path, fragmented: dict[str, Any] | None = None, regional: dict[str, Any] | None = None) -> list[Path]:
    out = []
    for base, extra in (("gefragmenteerd", fragmented), ("regionaal", regional)):
        path = folder / f"{base}.yaml"
        path.write_text(yaml.safe_dump({"extends": str(SCENARIOS / f"{base}.yaml"), **SMALL, **(extra or {})}))
        out.append(path)
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Any, Any, list[Path]]:
    files = _pair(tmp_path_factory.mktemp("explain"))
    dec = decomposition(files)
    return dec, service.simulate(dec.experiment, executor="serial").run, files


def test_shapley_of_a_hand_made_game() -> None:
    v = {frozenset(): np.array([0.0]), frozenset("a"): np.array([1.0]), frozenset("b"): np.array([2.0]),
         frozenset("ab"): np.array([5.0])}  # fmt: skip
    phi = shapley(v, ["a", "b"])  # a: (1 + 3) / 2, b: (2 + 4) / 2
    assert phi["a"].tolist() == [2.0] and phi["b"].tolist() == [3.0]
    three = {frozenset(s): np.array([float(len(s) ** 2)]) for s in ("", "a", "b", "c", "ab", "ac", "bc", "abc")}
    assert [float(shapley(three, ["a", "b", "c"])[p][0]) for p in "abc"] == pytest.approx([3.0, 3.0, 3.0])


def test_every_subset_of_the_mechanisms_is_an_arm_and_equal_arms_run_once(small) -> None:
    dec, _, _ = small
    assert len(dec.arm_of) == 2 ** len(MECHANISMS)
    # budget ceilings are the same in both default regimes: no arm of their own (tariffs differ:
    # the fragmented units set their own within regime.tariff_spread)
    assert len(set(dec.arm_of.values())) == 2 ** (len(MECHANISMS) - 1)
    assert len(dec.experiment.scenario_names) == len(set(dec.arm_of.values()))


@pytest.mark.parametrize("kpi", KPIS)
def test_contributions_add_up_to_the_gap_in_every_replication(small, kpi: str) -> None:
    dec, run, _ = small
    parts, gap = contributions(dec, run, kpi)
    np.testing.assert_allclose(sum(parts.values()), gap, rtol=1e-12, atol=1e-9)


def test_the_ends_of_the_decomposition_are_the_two_regimes_themselves(small) -> None:
    dec, run, files = small
    plain = service.simulate(files, executor="serial").run.kpis
    arms = run.kpis
    names = frozenset(m.name for m in MECHANISMS)
    for arm, regime in ((dec.arm_of[frozenset()], "gefragmenteerd"), (dec.arm_of[names], "regionaal")):
        got = arms[arms["scenario"] == arm].drop(columns="scenario").reset_index(drop=True)
        want = plain[plain["scenario"] == regime].drop(columns="scenario").reset_index(drop=True)
        assert got.equals(want), regime  # same children, same market: identical KPIs


def test_a_mechanism_the_regimes_share_contributes_exactly_zero(small) -> None:
    dec, run, _ = small
    table = explain_table(dec, run, KPIS)
    for name in ("budget_ceilings",):
        rows = table[table["mechanism"] == name]
        assert (rows["mean"] == 0.0).all() and not rows["active"].any()
        for kpi in KPIS:
            assert np.array_equal(contributions(dec, run, kpi)[0][name], np.zeros(2))


def test_the_fragmented_units_own_tariffs_are_a_mechanism_of_their_own(small) -> None:
    """gefragmenteerd.yaml sets regime.tariff_spread: its arm is active and moves the care bill."""
    dec, run, _ = small
    table = explain_table(dec, run, KPIS)
    assert table.loc[table["mechanism"] == "tariffs", "active"].all()
    parts, _ = contributions(dec, run, "total_cost_eur")
    assert (parts["tariffs"] != 0).all()


def test_one_term_set_per_region_lowers_administration_cost(small) -> None:
    dec, run, _ = small
    parts, _ = contributions(dec, run, "admin_cost_eur")
    assert (parts["administration"] < 0).all()


def test_access_to_the_whole_region_empties_the_fragmented_waiting_lists(small) -> None:
    dec, run, _ = small
    parts, gap = contributions(dec, run, "waiting_at_end")
    assert (gap < 0).all()
    assert (parts["queue_pooling"] < 0).all() and (parts["contracting"] < 0).all()


def test_budget_ceilings_only_in_the_fragmented_regime_are_unpaid_care_that_the_regional_one_pays(
    tmp_path: Path,
) -> None:
    ceiling = {"budget_ceiling_factor": {"value": 0.5, "assumption": "test: a tight ceiling"}}
    base = yaml.safe_load((SCENARIOS / "nederland.yaml").read_text())["finance"]
    files = _pair(tmp_path, fragmented={"finance": {**base, **ceiling}, "years": 0.3})
    dec = decomposition(files, {"years": 0.3})
    run = service.simulate(dec.experiment, executor="serial").run
    parts, gap = contributions(dec, run, "unpaid_care_eur")
    assert (gap < 0).all() and (parts["budget_ceilings"] < 0).all()
    # the same ceilings in both regimes: the mechanism is switched off in both arms and contributes 0
    same = decomposition(files, {"years": 0.3}, {"finance.budget_ceiling_factor": ceiling["budget_ceiling_factor"]})
    assert same.arm_of[frozenset({"budget_ceilings"})] == same.arm_of[frozenset()]


def test_the_gap_shrinks_as_fragmented_units_must_contract_more_providers() -> None:
    gaps, parts = {}, {}
    for n in (1, 2, 4):
        dec = decomposition([SCENARIOS / "experiments" / "flevoland.yaml"], {"replications": 2, "years": 0.5},
                            {"regime.min_providers_per_contract": n})  # fmt: skip
        run = service.simulate(dec.experiment, executor="serial").run
        p, gap = contributions(dec, run, "waiting_at_end")
        gaps[n], parts[n] = float(gap.mean()), float(p["contracting"].mean())
    # regional waits hardly change; the fragmented units' small contracts are the gap
    assert gaps[1] < gaps[2] <= gaps[4] < 0
    assert parts[1] < parts[2] <= parts[4] < 0


def test_explain_through_the_command_line_writes_the_table_into_a_result_set(tmp_path: Path, capsys) -> None:
    store = tmp_path / "results"
    argv = ["explain", str(SCENARIOS / "experiments" / "flevoland.yaml"), "--replications", "2", "--years", "0.3",
            "--root", str(store), "--executor", "serial"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "exact Shapley" in out and "queue_pooling" in out and "total (regional - fragmented)" in out
    (path,) = store.iterdir()
    rs = open_results(path)
    assert {"explain", "explain_arms", "kpis", "summary"} <= set(rs.tables)
    assert rs.manifest["command"] == "explain"
    table = rs.table("explain")
    assert set(table["mechanism"]) >= {m.name for m in MECHANISMS}
    assert json.loads(json.dumps(rs.manifest))["replications"] == 2
    assert "episodes" not in rs.tables  # the arms run lean unless --tables
    assert main(argv) == 0 and capsys.readouterr().out.startswith("reusing")
    assert main([*argv, "--tables"]) == 0 and capsys.readouterr().out.startswith("wrote")
    (full,) = [p for p in store.iterdir() if p != path]
    assert {"episodes", "ledger", "explain"} <= set(open_results(full).tables)


def test_explain_refuses_what_it_cannot_decompose(tmp_path: Path, capsys) -> None:
    frag, reg = _pair(tmp_path, regional={"demand": {"growth_per_year": 0.05}})
    store = tmp_path / "results"
    assert main(["explain", str(frag), str(reg), "--root", str(store), "--executor", "serial"]) == 2
    assert "differ in demand.growth_per_year, which no mechanism of explain covers" in capsys.readouterr().err
    assert main(["explain", str(frag), "--root", str(store)]) == 2
    assert "give an experiment or two scenario files" in capsys.readouterr().err
    longer = _pair(tmp_path / "x" if (tmp_path / "x").mkdir() is None else tmp_path, regional={"years": 1})
    assert main(["explain", *map(str, longer), "--root", str(store)]) == 2
    assert "different horizons" in capsys.readouterr().err
    assert not store.exists()
