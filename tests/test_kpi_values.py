"""The value of every KPI on small hand-made tables, computed by hand.

``metrics.kpis`` is called directly on tables built here with only the columns it reads. Each
expected value is worked out in the comments from the definitions in ``simulation/metrics.py``
and the case is chosen so that plausible wrong definitions give a different number: the
warm-up boundary taken as exclusive, the initial stock counted, the median or the maximum for
the 90th percentile, ``>=`` for "longer than the norm", unknown positions counted, escalated
children left out, signals after the exit counted as warnings ahead of it, and so on.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation import metrics

NAN = math.nan
WARMUP = 100.0
HORIZON = 400.0
YOUTH = 1000.0
NORMS = {"a": 30.0, "b": 10.0}

EPISODE_COLUMNS = [
    "child",
    "origin",
    "care_form",
    "t_referral",
    "t_intake",
    "t_end",
    "state",
    "replacements",
    "extra_wait_days",
    "waiting_since",
]

# (child, origin, form, referred, intake, end, state, replacements, extra wait, waiting since)
# Norms: a 30 days, b 10 days. Window: referred (or taken in, or escalated) at or after day 100.
EPISODES = [
    # referred on the warm-up day itself: in the window, wait 0, within the norm
    (1, "referral", "a", 100.0, 100.0, 150.0, "done", 0, 0.0, NAN),
    # referred a day before the warm-up, taken in after it: served in the window, wait not counted
    (2, "referral", "a", 99.0, 150.0, 200.0, "done", 0, 0.0, NAN),
    (3, "referral", "a", 120.0, 130.0, NAN, "in_care", 0, 0.0, NAN),  # wait 10
    (4, "referral", "a", 150.0, 185.0, NAN, "in_care", 0, 0.0, NAN),  # wait 35 > 30: over
    (5, "referral", "a", 160.0, 200.0, NAN, "in_care", 0, 0.0, NAN),  # wait 40: over
    (6, "referral", "a", 200.0, 300.0, NAN, "in_care", 0, 0.0, NAN),  # wait 100: over
    # still waiting, 20 days < norm 30 by the horizon: position unknown
    (7, "referral", "a", 380.0, NAN, NAN, "waiting", 0, 0.0, 380.0),
    # still waiting, 100 days > 30: known to be over
    (8, "referral", "a", 300.0, NAN, NAN, "waiting", 0, 0.0, 300.0),
    # escalated after 20 days (< 30): never placed in this form, position unknown
    (9, "referral", "a", 200.0, NAN, 220.0, "escalated", 0, 0.0, NAN),
    # escalated after 50 days (> 30): known to be over
    (10, "referral", "a", 200.0, NAN, 250.0, "escalated", 0, 0.0, NAN),
    # waited exactly the norm: known, not over (">" not ">=")
    (11, "referral", "a", 100.0, 130.0, NAN, "in_care", 0, 0.0, NAN),
    # initial stock: in care at time zero, and one that found no place until day 110
    (12, "initial", "a", 0.0, 0.0, NAN, "in_care", 0, 0.0, NAN),
    (13, "initial", "a", 0.0, 110.0, NAN, "in_care", 0, 0.0, NAN),
    # the escalated care of child 10, in form b (norm 10): wait 5
    (14, "escalation", "b", 250.0, 255.0, NAN, "in_care", 0, 0.0, NAN),
    (15, "referral", "b", 300.0, 315.0, NAN, "in_care", 0, 0.0, NAN),  # wait 15 > 10: over
    (16, "referral", "b", 380.0, NAN, NAN, "waiting", 0, 0.0, 380.0),  # 20 > 10 waiting: over
    # moved once when their provider left: one placed again, one still waiting since day 370
    (17, "referral", "a", 50.0, 60.0, NAN, "in_care", 1, 12.0, NAN),
    (18, "referral", "a", 80.0, 90.0, NAN, "waiting", 1, 5.0, 370.0),
    # escalated before the window (day 99) and on its first day (day 100)
    (19, "referral", "a", 10.0, NAN, 99.0, "escalated", 0, 0.0, NAN),
    (20, "referral", "a", 40.0, NAN, 100.0, "escalated", 0, 0.0, NAN),
    # initial stock still waiting at the horizon
    (21, "initial", "a", 0.0, NAN, NAN, "waiting", 0, 0.0, 0.0),
    # moved twice, placed again and done
    (23, "referral", "a", 30.0, 35.0, 90.0, "done", 2, 7.0, NAN),
]

LEDGER_COLUMNS = [
    "t_start",
    "provider_id",
    "occupied_days",
    "place_days",
    "admin_cost_eur",
    "status",
    "margin_eur",
    "revenue_eur",
]
LEDGER = [
    (70.0, "P1", 20.0, 30.0, 5.0, "active", -10.0, 100.0),  # before the window
    (70.0, "P2", 10.0, 30.0, 7.0, "active", 50.0, 100.0),  # before the window
    (100.0, "P1", 24.0, 30.0, 11.0, "active", -20.0, 200.0),  # first month of the window
    (100.0, "P2", 15.0, 30.0, 13.0, "notice", 40.0, 400.0),  # under notice still counts
    (130.0, "P1", 27.0, 30.0, 17.0, "active", 30.0, 300.0),
    (130.0, "P2", 0.0, 0.0, 0.0, "exited", -100.0, 0.0),  # gone: no deficit month, no margin
    (130.0, "P3", 9.0, 10.0, 19.0, "active", -5.0, 50.0),
    (160.0, "P3", 9.0, 10.0, 0.0, "active", 0.0, 50.0),  # a margin of exactly 0 is no deficit
    (130.0, "P9", 0.0, 0.0, 0.0, "active", -10.0, 0.0),  # deficit month; no revenue, no margin ratio
]

MUNICIPAL = pd.DataFrame(
    {"t_start": [70.0, 100.0, 130.0], "admin_cost_eur": [1000.0, 2000.0, 3000.0], "support_eur": [0.0, 500.0, 0.0]}
)
PAYMENTS = pd.DataFrame(
    {
        "t_start": [70.0, 100.0, 130.0],
        "delivered_eur": [900.0, 1000.0, 1500.0],
        "paid_eur": [700.0, 800.0, 1500.0],
    }
)
EXITS = pd.DataFrame(
    {
        "provider_id": ["P4", "P5", "P2", "P6"],
        "exit_day": [90.0, 100.0, 130.0, 300.0],
        "children_replaced": [2, 1, 3, 0],
    }
)
SIGNALS = pd.DataFrame(
    {
        "provider_id": ["P5", "P2", "P7", "P8", "P2", "P7", "P6"],
        "t_seen": [40.0, 50.0, 95.0, 100.0, 110.0, 200.0, 320.0],
    }
)
FORMS = pd.DataFrame(
    {
        "t_start": [70.0, 100.0, 130.0, 100.0, 130.0],
        "care_form": ["a", "a", "a", "b", "b"],
        "occupied_days": [50.0, 60.0, 30.0, 9.0, 0.0],
        "place_days": [100.0, 80.0, 40.0, 10.0, 20.0],
    }
)


def tables(episodes: list[tuple] = EPISODES) -> dict[str, pd.DataFrame]:
    ep = pd.DataFrame(episodes, columns=EPISODE_COLUMNS)
    for col in ("origin", "care_form", "state"):
        ep[col] = ep[col].astype("category")  # as the model writes them
    return {
        "episodes": ep,
        "ledger": pd.DataFrame(LEDGER, columns=LEDGER_COLUMNS),
        "municipal": MUNICIPAL,
        "payments": PAYMENTS,
        "exits": EXITS,
        "signals": SIGNALS,
        "forms": FORMS,
    }


# --- the expected values, by hand -------------------------------------------------------------
# Referred in the window (origin not initial, referred at or after day 100): 1, 3-11, 14, 15, 16.
# Their waits to first intake: 1: 0, 3: 10, 4: 35, 5: 40, 6: 100, 11: 30, 14: 5, 15: 15
# sorted 0 5 10 15 30 35 40 100 -> mean 235 / 8; p90 at rank 0.9 x 7 = 6.3:
# 40 + 0.3 x (100 - 40) = 58 (mean 29.4, median 22.5, 'lower' 40, 'higher' or max 100 differ).
# Position against the norm known: placed (1 3 4 5 6 11 14 15), or over it (8 waiting 100 days,
# 10 escalated after 50, 16 waiting 20 > 10); not known: 7 (waiting 20 < 30), 9 (escalated
# after 20). Over: 4 5 6 8 10 15 16 = 7 of 11 (counting unknowns 7/13; ">=" 8/11 with child 11;
# leaving escalated children out 6/10; placed children only 4/8).
# Waiting at the horizon, all origins: 7 8 16 18 21 = 5.
# Served (first intake at or after day 100, not initial stock): 1 2 3 4 5 6 11 14 15 = 9
# (13 is initial stock; 17, 18, 23 were first taken in before the window).
# Escalations at or after day 100: 9 10 20 = 3 (19 escalated on day 99).
# Ledger months from day 100: occupied 24 + 15 + 27 + 0 + 9 + 9 + 0 = 84 of 30 + 30 + 30 + 0 +
# 10 + 10 + 0 = 110 place-days; provider admin 11 + 13 + 17 + 0 + 19 + 0 + 0 = 60.
# Municipal months from day 100: admin 2000 + 3000, support 500. Payments from day 100: paid
# 800 + 1500 = 2300 of 2500 delivered. Total cost 2300 + 5000 + 500 = 7800, over 1000 youth and
# (400 - 100) / 365 years.
# Exits from day 100: P5 (day 100), P2 (130), P6 (300): 3, replacing 1 + 3 + 0 = 4 children.
# Signals seen from day 100: P8 (100), P2 (110), P7 (200), P6 (320) = 4. First signal before the
# exit: P5 40 -> 100 (60 days), P2 50 -> 130 (80 days); P6's only signal came after its exit.
# Lead time (60 + 80) / 2 = 70; one exit without a signal.
# Deficit months (from day 100, not exited, margin < 0): P1 day 100, P3 day 130, P9 = 3.
# Margin / revenue per provider over those months (revenue > 0): P1 10 / 500 = 0.02,
# P2 40 / 400 = 0.1, P3 -5 / 100 = -0.05; p10 at rank 0.2: -0.05 + 0.2 x 0.07 = -0.036.
# Moved children (all, no window): 17: 12, 18: 5 + (400 - 370) = 35, 23: 7 -> mean 54 / 3 = 18.
EXPECTED_ALL = {
    "wait_days_mean": 235.0 / 8.0,
    "wait_days_p90": 58.0,
    "share_over_norm": 7.0 / 11.0,
    "waiting_at_end": 5.0,
    "children_served": 9.0,
    "escalations": 3.0,
    "utilisation_mean": 84.0 / 110.0,
    "provider_exits": 3.0,
    "admin_cost_eur": 5060.0,
    "total_cost_eur": 7800.0,
    "early_warnings": 4.0,
    "signal_lead_time_days": 70.0,
    "exits_without_signal": 1.0,
    "months_in_deficit": 3.0,
    "margin_p10": -0.036,
    "replaced_children": 4.0,
    "replacement_extra_wait_days": 18.0,
    "municipal_cost_per_youth_eur": 7800.0 / 1000.0 / (300.0 / 365.0),
    "admin_cost_providers_eur": 60.0,
    "admin_cost_municipalities_eur": 5000.0,
    "unpaid_care_eur": 200.0,
}
# Per care form. a: waits 0 10 30 35 40 100 -> mean 215 / 6, p90 at rank 4.5: 40 + 0.5 x 60 = 70;
# known 1 3 4 5 6 8 10 11, over 4 5 6 8 10 -> 5 / 8; waiting 7 8 18 21; served 1 2 3 4 5 6 11;
# escalations 9 10 20; utilisation from the forms table (days 100 and 130): 90 / 120.
# b: waits 5 15 -> mean 10, p90 5 + 0.9 x 10 = 14; known 14 15 16, over 15 16 -> 2 / 3;
# waiting 16; served 14 15; no escalations; utilisation 9 / 30.
EXPECTED_FORM = {
    "a": {
        "wait_days_mean": 215.0 / 6.0,
        "wait_days_p90": 70.0,
        "share_over_norm": 5.0 / 8.0,
        "waiting_at_end": 4.0,
        "children_served": 7.0,
        "escalations": 3.0,
        "utilisation_mean": 0.75,
    },
    "b": {
        "wait_days_mean": 10.0,
        "wait_days_p90": 14.0,
        "share_over_norm": 2.0 / 3.0,
        "waiting_at_end": 1.0,
        "children_served": 2.0,
        "escalations": 0.0,
        "utilisation_mean": 0.3,
    },
}


@pytest.fixture(scope="module")
def result() -> pd.DataFrame:
    return metrics.kpis(tables(), NORMS, WARMUP, HORIZON, YOUTH)


def value(result: pd.DataFrame, kpi: str, form: str = "ALL") -> float:
    rows = result[(result["kpi"] == kpi) & (result["care_form"] == form)]
    assert len(rows) == 1, (kpi, form, len(rows))
    return float(rows["value"].iloc[0])


def test_every_kpi_has_a_hand_computed_value() -> None:
    assert set(EXPECTED_ALL) == set(metrics.KPIS)
    assert set(EXPECTED_FORM["a"]) == set(metrics.PER_FORM_KPIS)


@pytest.mark.parametrize("kpi", metrics.KPIS)
def test_kpi_value_by_hand(result: pd.DataFrame, kpi: str) -> None:
    assert value(result, kpi) == pytest.approx(EXPECTED_ALL[kpi], rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("form", sorted(EXPECTED_FORM))
@pytest.mark.parametrize("kpi", metrics.PER_FORM_KPIS)
def test_per_form_kpi_value_by_hand(result: pd.DataFrame, kpi: str, form: str) -> None:
    assert value(result, kpi, form) == pytest.approx(EXPECTED_FORM[form][kpi], rel=1e-12, abs=1e-12)


def test_result_has_one_row_per_kpi_and_form(result: pd.DataFrame) -> None:
    assert list(result.loc[result["care_form"] == "ALL", "kpi"]) == metrics.KPIS
    assert sorted(set(result["care_form"])) == ["ALL", "a", "b"]
    for form in ("a", "b"):
        assert list(result.loc[result["care_form"] == form, "kpi"]) == metrics.PER_FORM_KPIS


def test_initial_stock_never_counts_as_a_referral_without_warmup() -> None:
    """With no warm-up the time filter lets initial stock through; only its origin keeps it out."""
    episodes = [
        (1, "initial", "a", 0.0, 0.0, NAN, "in_care", 0, 0.0, NAN),  # in care from the start
        (2, "initial", "a", 0.0, 90.0, NAN, "in_care", 0, 0.0, NAN),  # found a place on day 90
        (3, "initial", "a", 0.0, NAN, NAN, "waiting", 0, 0.0, 0.0),  # still waiting: 400 days
        (4, "referral", "a", 0.0, 20.0, NAN, "in_care", 0, 0.0, NAN),  # wait 20
        (5, "referral", "a", 10.0, 20.0, NAN, "in_care", 0, 0.0, NAN),  # wait 10
        (6, "referral", "a", 10.0, 60.0, NAN, "in_care", 0, 0.0, NAN),  # wait 50: over 30
    ]
    out = metrics.kpis(tables(episodes), NORMS, 0.0, HORIZON, YOUTH)
    # Referrals 4, 5, 6: waits 10 20 50, mean 80 / 3, p90 at rank 1.8: 20 + 0.8 x 30 = 44.
    assert value(out, "wait_days_mean") == pytest.approx(80.0 / 3.0)
    assert value(out, "wait_days_p90") == pytest.approx(44.0)
    assert value(out, "share_over_norm") == pytest.approx(1.0 / 3.0)
    assert value(out, "children_served") == 3.0
    assert value(out, "waiting_at_end") == 1.0  # the initial child still waiting does count here
    assert value(out, "wait_days_p90", "a") == pytest.approx(44.0)


def test_no_placed_child_gives_nan_waits_not_zero() -> None:
    episodes = [(1, "referral", "a", 200.0, NAN, NAN, "waiting", 0, 0.0, 200.0)]
    out = metrics.kpis(tables(episodes), NORMS, WARMUP, HORIZON, YOUTH)
    assert math.isnan(value(out, "wait_days_mean"))
    assert math.isnan(value(out, "wait_days_p90"))
    assert value(out, "share_over_norm") == 1.0  # 200 days > 30: known, over
    assert math.isnan(value(out, "replacement_extra_wait_days"))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(waits=st.lists(st.integers(min_value=0, max_value=400), min_size=2, max_size=30))
def test_wait_statistics_match_the_textbook_definitions(waits: list[int]) -> None:
    """Mean and the 'inclusive' 90th percentile (numpy's linear one) of the placed children's waits."""
    episodes = [
        (i, "referral", "a", 100.0 + i, 100.0 + i + w, NAN, "in_care", 0, 0.0, NAN) for i, w in enumerate(waits)
    ]
    out = metrics.kpis(tables(episodes), {"a": 30.0}, WARMUP, 1000.0, YOUTH)
    assert value(out, "wait_days_mean") == pytest.approx(statistics.fmean(waits))
    p90 = statistics.quantiles(waits, n=10, method="inclusive")[-1]
    assert value(out, "wait_days_p90") == pytest.approx(p90)
    assert value(out, "share_over_norm") == pytest.approx(sum(w > 30 for w in waits) / len(waits))
    assert value(out, "children_served") == len(waits)


def test_margin_p10_uses_linear_interpolation_over_providers() -> None:
    """Six providers with margins 0%, 1%, ..., 5% of revenue: rank 0.5, so the 10th percentile is 0.5%."""
    rows = [(100.0, f"P{i:02d}", 0.0, 0.0, 0.0, "active", float(i), 100.0) for i in range(6)]
    t = tables()
    t["ledger"] = pd.DataFrame(rows, columns=LEDGER_COLUMNS)
    out = metrics.kpis(t, NORMS, WARMUP, HORIZON, YOUTH)
    assert value(out, "margin_p10") == pytest.approx(0.005)
    assert math.isnan(value(out, "utilisation_mean"))  # no place-days at all
    assert np.isclose(value(out, "months_in_deficit"), 0.0)
