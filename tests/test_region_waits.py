"""Waits against the norm per region and care form (simulation/metrics/regions.py): a hand-made
episodes table with answers worked out on paper, and a real run whose regions merged into one
give back the run's own per-form KPIs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.metrics.regions import region_waits, summarise_region_waits

NAN = math.nan
FORMS = ["pleegzorg", "residentieel"]


def _episodes(rows: list[tuple[int, str, str, str, float, float, float, str]]) -> pd.DataFrame:
    """(replication, region, care_form, origin, t_referral, t_intake, t_end, state) per child."""
    cols = ["replication", "region", "care_form", "origin", "t_referral", "t_intake", "t_end", "state"]
    ep = pd.DataFrame(rows, columns=cols)
    ep.insert(0, "scenario", "regionaal")
    ep["care_form"] = pd.Categorical(ep["care_form"], categories=FORMS)
    ep["gemeente"] = pd.Categorical(ep["region"].map({"A": "GM1", "B": "GM2"}))
    ep["region"] = pd.Categorical(ep["region"])
    ep["origin"] = pd.Categorical(ep["origin"])
    ep["state"] = pd.Categorical(ep["state"])
    ep["replacements"] = 0
    ep["extra_wait_days"] = 0.0
    ep["waiting_since"] = np.where(ep["state"] == "waiting", ep["t_referral"], np.nan)
    return ep


# warm-up 0, horizon 100; pleegzorg's norm 10 days, residentieel's 30
NORMS = {"regionaal": {"pleegzorg": 10.0, "residentieel": 30.0}}
ROWS = [
    # replication 0, region A, pleegzorg
    (0, "A", "pleegzorg", "referral", 0.0, 5.0, 50.0, "discharged"),  # waited 5: within the norm
    (0, "A", "pleegzorg", "referral", 0.0, 20.0, NAN, "in_care"),  # waited 20: over
    (0, "A", "pleegzorg", "referral", 10.0, NAN, NAN, "waiting"),  # waits 90 at the horizon: over
    (0, "A", "pleegzorg", "referral", 95.0, NAN, NAN, "waiting"),  # 5 days: could not yet pass the norm
    (0, "A", "pleegzorg", "initial", 0.0, NAN, NAN, "waiting"),  # the initial stock is no referral
    # replication 0, region B, pleegzorg: placed at once
    (0, "B", "pleegzorg", "referral", 0.0, 0.0, NAN, "in_care"),
    # replication 0, region A, residentieel: escalated after 40 days (over its norm of 30, censored)
    (0, "A", "residentieel", "referral", 0.0, NAN, 40.0, "escalated"),
    # replication 1, region A, pleegzorg: one child within the norm
    (1, "A", "pleegzorg", "referral", 0.0, 8.0, NAN, "in_care"),
]


def _value(table: pd.DataFrame, rep: int, region: str, form: str, kpi: str) -> float:
    hit = table.query("replication == @rep and region == @region and care_form == @form and kpi == @kpi")
    assert len(hit) == 1
    return float(hit["value"].iloc[0])


def test_hand_made_waits_against_the_norm() -> None:
    per_rep = region_waits(_episodes(ROWS), NORMS, warmup=0.0, horizon=100.0)
    # A, pleegzorg: of the three that could pass 10 days (the fourth was referred 5 days before
    # the horizon), two did
    assert _value(per_rep, 0, "A", "pleegzorg", "share_over_norm") == pytest.approx(2 / 3)
    # Kaplan-Meier of waits 5 (placed), 20 (placed), 90 (censored), 5 (censored), tau 100:
    # S = 0.75 from day 5, 0.375 from day 20: area 5 + 0.75 * 15 + 0.375 * 80 = 46.25
    assert _value(per_rep, 0, "A", "pleegzorg", "wait_days_mean") == pytest.approx(46.25)
    assert _value(per_rep, 0, "B", "pleegzorg", "share_over_norm") == 0.0
    assert _value(per_rep, 0, "B", "pleegzorg", "wait_days_mean") == 0.0
    # escalated after 40 days: over the norm of 30; never placed, so S stays 1 to tau
    assert _value(per_rep, 0, "A", "residentieel", "share_over_norm") == 1.0
    assert _value(per_rep, 0, "A", "residentieel", "wait_days_mean") == pytest.approx(100.0)
    referred = per_rep.set_index(["replication", "region", "care_form", "kpi"])["referred"]
    assert referred[(0, "A", "pleegzorg", "share_over_norm")] == 4  # the initial stock not counted
    assert set(per_rep["norm_days"]) == {10.0, 30.0}
    summary = summarise_region_waits(per_rep)
    row = summary[(summary["region"] == "A") & (summary["care_form"] == "pleegzorg")].set_index("kpi")
    assert row.loc["share_over_norm", "mean"] == pytest.approx(1 / 3)  # 2/3 and 0 over two replications
    assert row.loc["share_over_norm", "ci_low"] == 0.0  # clipped to the share's domain
    assert row.loc["wait_days_mean", "mean"] == pytest.approx((46.25 + 8.0) / 2)
    assert row.loc["wait_days_mean", "n"] == 2 and row.loc["wait_days_mean", "referred"] == 2.5


def test_a_form_without_norm_gives_no_share() -> None:
    per_rep = region_waits(_episodes(ROWS[:1]), {"regionaal": {}}, warmup=0.0, horizon=100.0)
    assert math.isnan(_value(per_rep, 0, "A", "pleegzorg", "share_over_norm"))
    assert region_waits(_episodes(ROWS).iloc[:0], NORMS, 0.0, 100.0).empty


def test_one_region_gives_the_runs_own_per_form_kpis(tmp_path: Path) -> None:
    from simulation.config import load_scenario
    from tests.dashboard.tiny import make_store

    stored = make_store(tmp_path)
    result = stored.result
    manifest = result.manifest
    norms = {}
    for f in manifest["scenario_files"]:
        s = load_scenario(f)
        norms[s.name] = {k: v.wait_norm_days.value for k, v in s.care_forms.items()}
    episodes = result.table("episodes")
    episodes["region"] = pd.Categorical(["heel"] * len(episodes))  # all regions as one
    per_rep = region_waits(episodes, norms, float(manifest["warmup_days"]), float(manifest["years"]) * 365.0)
    kpis = result.table("kpis")
    kpis = kpis[kpis["kpi"].isin(["share_over_norm", "wait_days_mean"]) & (kpis["care_form"] != "ALL")]
    merged = per_rep.merge(kpis, on=["scenario", "replication", "care_form", "kpi"], suffixes=("", "_run"))
    assert len(merged) == len(kpis) > 20
    assert np.allclose(merged["value"], merged["value_run"], equal_nan=True, rtol=1e-12)
