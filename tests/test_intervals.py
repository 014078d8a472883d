"""Every KPI's interval over replications stays inside the values the KPI can take."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from simulation import metrics
from simulation.metrics.registry import DOMAINS


def _per_rep(kpi: str, values: list[float], scenario: str = "s") -> pd.DataFrame:
    return pd.DataFrame(
        {"scenario": scenario, "replication": range(len(values)), "kpi": kpi, "care_form": "ALL", "value": values}
    )


def test_every_kpi_declares_a_domain() -> None:
    for k in metrics.REGISTRY:
        assert k.domain in DOMAINS, k.name
        assert k.bounds == DOMAINS[k.domain]
    assert metrics.by_name("share_over_norm").bounds == (0.0, 1.0)
    assert metrics.by_name("utilisation_mean").bounds == (0.0, 1.0)
    assert metrics.by_name("wait_days_mean").bounds == (0.0, math.inf)
    assert metrics.by_name("margin_p10").domain == "signed"


@pytest.mark.parametrize(
    "kpi, values, low, high",
    [
        ("wait_days_mean", [0.0, 0.0, 0.0, 9.0], 0.0, None),  # t-interval reaches below 0
        ("escalations", [0.0, 1.0, 0.0, 0.0], 0.0, None),
        ("share_over_norm", [1.0, 1.0, 0.9, 1.0], None, 1.0),  # above 1
        ("share_over_norm", [0.0, 0.0, 0.1, 0.0], 0.0, None),
        ("utilisation_mean", [1.0, 0.99, 1.0, 0.95], None, 1.0),
    ],
)
def test_intervals_are_clipped_to_the_domain(kpi: str, values: list[float], low, high) -> None:
    raw = metrics.summarise(_per_rep(kpi, values), clip=False).iloc[0]
    row = metrics.summarise(_per_rep(kpi, values)).iloc[0]
    lo, hi = metrics.by_name(kpi).bounds
    assert lo <= row["ci_low"] <= row["mean"] <= row["ci_high"] <= hi
    assert row["mean"] == raw["mean"]
    if low is not None:  # the raw interval crossed the lower edge, the clipped one stops there
        assert raw["ci_low"] < low and row["ci_low"] == low and row["ci_high"] == raw["ci_high"]
    if high is not None:
        assert raw["ci_high"] > high and row["ci_high"] == high and row["ci_low"] == raw["ci_low"]


def test_signed_kpis_and_differences_are_not_clipped() -> None:
    margins = metrics.summarise(_per_rep("margin_p10", [-0.2, 0.1, -0.05])).iloc[0]
    assert margins["ci_low"] < -0.2 and margins["ci_high"] > 0.1
    per_rep = pd.concat([_per_rep("wait_days_mean", [5.0, 6.0, 7.0]), _per_rep("wait_days_mean", [1.0, 6.5, 2.0], "t")])
    d = metrics.paired_differences(per_rep, "s").iloc[0]
    # differences -4, 0.5, -5: signed, and the interval reaches further below 0 than the mean
    assert d["mean"] == pytest.approx(-8.5 / 3.0) and d["ci_low"] < -8.5 / 3.0 < d["ci_high"] > 0.0


def test_one_replication_keeps_an_undefined_interval() -> None:
    row = metrics.summarise(_per_rep("wait_days_mean", [3.0])).iloc[0]
    assert row["mean"] == 3.0 and math.isnan(row["ci_low"]) and math.isnan(row["ci_high"])


def test_every_interval_of_a_run_lies_in_its_domain() -> None:
    """Three replications of Flevoland: every summary interval, overall and per form, in range."""
    from simulation import service
    from tests.conftest import ROOT

    summary = service.simulate(ROOT / "scenarios/flevoland.yaml", overrides={"years": 0.5, "replications": 3}).summary
    checked = 0
    for r in summary.dropna(subset=["ci_low", "ci_high"]).itertuples():
        lo, hi = metrics.by_name(str(r.kpi)).bounds
        assert lo <= r.ci_low <= r.mean <= r.ci_high <= hi, (r.kpi, r.care_form, r.ci_low, r.ci_high)
        checked += 1
    assert checked > 50


def test_utilisation_counts_places_children_keep_after_their_staff_left() -> None:
    """Staff that leave never take a place from a child in care, so when staff fall faster than
    children are discharged the children outnumber the places staff allow (Flevoland, half a
    year, residential staff turning over 80% a year and vacancies filled slowly). Those places
    count as in use, so utilisation stays at most 1, overall and per care form."""
    from simulation.config import load_scenario
    from simulation.experiment.paths import overrides_from_sets
    from simulation.runner.replication import run_replication
    from tests.conftest import ROOT

    sets = [
        "years=0.5",
        "care_forms.residentieel.cost_price.annual_staff_turnover.value=0.8",
        "workforce.vacancy_fill_per_month.value=0.05",
    ]
    result = run_replication(load_scenario(ROOT / "scenarios/flevoland.yaml", overrides_from_sets(sets)), 0)
    forms = result.tables["forms"]
    assert (forms["occupied_days"] > forms["place_days"] + 1e-9).any()  # the case arises
    kpis = result.kpis[result.kpis["kpi"] == "utilisation_mean"]
    assert len(kpis) == 7
    assert ((kpis["value"] > 0) & (kpis["value"] <= 1.0)).all(), kpis
    assert kpis.set_index("care_form").loc["residentieel", "value"] == 1.0
