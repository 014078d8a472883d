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
    ep["gemeente"] = "GM0001"
    for col in ("origin", "care_form", "state", "gemeente"):
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
# Their waits (Kaplan-Meier: E = first intake, C = censored; tau = 400 - 100 = 300):
# 1: 0 E, 3: 10 E, 4: 35 E, 5: 40 E, 6: 100 E, 11: 30 E, 14: 5 E, 15: 15 E; still waiting at the
# horizon 7: 20 C, 8: 100 C, 16: 20 C; escalated 9: 20 C, 10: 50 C.
# All 13: at risk 13 12 11 10 at 0 5 10 15 (one event each) -> S 12/13 11/13 10/13 9/13; day 20
# three censored; at risk 6 5 4 at 30 35 40 -> S 15/26 6/13 9/26; day 50 censored; day 100 at
# risk 2, one event (6) and one censored (8): S 9/52. Area to 300, in 52nds: 48x5 + 44x5 + 40x5
# + 36x15 + 30x5 + 24x5 + 18x60 + 9x200 = 4350 -> mean 4350/52; median 35 (S(30) = 0.58,
# S(35) = 0.46); S never falls to 0.1, so no 90th percentile (NaN). The placed-only mean
# (wait_days_mean_placed): 0 5 10 15 30 35 40 100 -> 235 / 8.
# Over the norm: children referred at least the norm before the horizon (a: by day 370, b: by
# 390) - all but 7 - and whose wait (to intake, leaving the list, or the horizon) passed it:
# 4 5 6 8 10 15 16 = 7 of 12 (">=" would add 11; counting 7 gives 7/13; placed only 4/8).
# Waiting at the horizon, elapsed: 7 20, 8 100, 16 20, 18 30 (since its move on day 370),
# 21 400 (initial stock, since day 0) -> 570 / 5.
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
    "wait_days_mean": 4350.0 / 52.0,
    "wait_days_median": 35.0,
    "wait_days_p90": NAN,
    "wait_days_mean_placed": 235.0 / 8.0,
    "share_over_norm": 7.0 / 12.0,
    "waiting_days_of_those_waiting_mean": 114.0,
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
    "cost_per_child_served_eur": 7800.0 / 9.0,
    "admin_cost_providers_eur": 60.0,
    "admin_cost_municipalities_eur": 5000.0,
    "unpaid_care_eur": 200.0,
}
# Per care form. a: 0 E, 10 E, 20 C C, 30 E, 35 E, 40 E, 50 C, 100 E C (n 10) -> S 0.9 from 0,
# 0.8 from 10, x5/6 = 2/3 from 30, x4/5 = 8/15 from 35, x3/4 = 0.4 from 40, x1/2 = 0.2 from 100;
# area 9 + 16 + 10/3 + 8/3 + 24 + 40 = 95; median 40; no p90. Placed only 0 10 30 35 40 100.
# Over the norm: could 1 3 4 5 6 8 9 10 11, over 4 5 6 8 10 -> 5 / 9. Waiting 7 8 18 21, elapsed
# 20 100 30 400; served 1 2 3 4 5 6 11; escalations 9 10 20; utilisation from the forms table
# (days 100 and 130): 90 / 120.
# b: 5 E, 15 E, 20 C -> S 2/3 from 5, 1/3 from 15; area 5 + 10 x 2/3 + 285 / 3 = 320 / 3; median
# 15; no p90; placed 5 15 -> 10. Could 14 15 16, over 15 16 -> 2 / 3; waiting 16 (20 days);
# served 14 15; no escalations; utilisation 9 / 30.
EXPECTED_FORM = {
    "a": {
        "wait_days_mean": 95.0,
        "wait_days_median": 40.0,
        "wait_days_p90": NAN,
        "wait_days_mean_placed": 215.0 / 6.0,
        "share_over_norm": 5.0 / 9.0,
        "waiting_days_of_those_waiting_mean": 137.5,
        "waiting_at_end": 4.0,
        "children_served": 7.0,
        "escalations": 3.0,
        "utilisation_mean": 0.75,
    },
    "b": {
        "wait_days_mean": 320.0 / 3.0,
        "wait_days_median": 15.0,
        "wait_days_p90": NAN,
        "wait_days_mean_placed": 10.0,
        "share_over_norm": 2.0 / 3.0,
        "waiting_days_of_those_waiting_mean": 20.0,
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
    assert value(result, kpi) == pytest.approx(EXPECTED_ALL[kpi], rel=1e-12, abs=1e-12, nan_ok=True)


@pytest.mark.parametrize("form", sorted(EXPECTED_FORM))
@pytest.mark.parametrize("kpi", metrics.PER_FORM_KPIS)
def test_per_form_kpi_value_by_hand(result: pd.DataFrame, kpi: str, form: str) -> None:
    assert value(result, kpi, form) == pytest.approx(EXPECTED_FORM[form][kpi], rel=1e-12, abs=1e-12, nan_ok=True)


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
    # Referrals 4, 5, 6, all placed (no censoring): waits 10 20 50, mean 80 / 3; S 2/3 from 10,
    # 1/3 from 20, 0 from 50: median 20, 90th percentile 50.
    assert value(out, "wait_days_mean") == pytest.approx(80.0 / 3.0)
    assert value(out, "wait_days_mean_placed") == pytest.approx(80.0 / 3.0)
    assert value(out, "wait_days_median") == 20.0
    assert value(out, "wait_days_p90") == 50.0
    assert value(out, "share_over_norm") == pytest.approx(1.0 / 3.0)
    assert value(out, "children_served") == 3.0
    assert value(out, "waiting_at_end") == 1.0  # the initial child still waiting does count here
    assert value(out, "waiting_days_of_those_waiting_mean") == 400.0
    assert value(out, "wait_days_p90", "a") == 50.0


def test_no_placed_child_waits_the_whole_window_not_nan() -> None:
    """One child referred on day 200 and still waiting: no one was placed, so the curve never
    falls; the restricted mean is tau (300 days, the lower bound it can show), the quantiles are
    undefined, and the placed-only mean has nobody to average."""
    episodes = [(1, "referral", "a", 200.0, NAN, NAN, "waiting", 0, 0.0, 200.0)]
    out = metrics.kpis(tables(episodes), NORMS, WARMUP, HORIZON, YOUTH)
    assert value(out, "wait_days_mean") == HORIZON - WARMUP
    assert math.isnan(value(out, "wait_days_median"))
    assert math.isnan(value(out, "wait_days_p90"))
    assert math.isnan(value(out, "wait_days_mean_placed"))
    assert value(out, "share_over_norm") == 1.0  # 200 days > 30
    assert value(out, "waiting_days_of_those_waiting_mean") == 200.0
    assert math.isnan(value(out, "replacement_extra_wait_days"))
    assert math.isnan(value(out, "cost_per_child_served_eur"))  # nobody served


def test_kaplan_meier_censors_at_the_horizon_and_at_escalation() -> None:
    """Six children (norm 30, window 100-400, tau 300): placed after 10, 20, 20 and 40 days; one
    escalated after 15 days and one referred on day 390, still waiting (10 days) at the horizon.
    Day 10: 6 at risk (the child censored at 10 counts as at risk then), one placed: S = 5/6.
    Day 15: censored. Day 20: 3 at risk, two placed: S = 5/18. Day 40: 1 at risk, placed: S = 0.
    Area: 10 + 10 x 5/6 + 20 x 5/18 = 215 / 9. Median 20, p90 40. Placed only: 90 / 4."""
    episodes = [
        (1, "referral", "a", 100.0, 110.0, NAN, "in_care", 0, 0.0, NAN),
        (2, "referral", "a", 100.0, 120.0, NAN, "in_care", 0, 0.0, NAN),
        (3, "referral", "a", 200.0, 220.0, NAN, "in_care", 0, 0.0, NAN),
        (4, "referral", "a", 300.0, 340.0, NAN, "in_care", 0, 0.0, NAN),
        (5, "referral", "a", 200.0, NAN, 215.0, "escalated", 0, 0.0, NAN),
        (6, "referral", "a", 390.0, NAN, NAN, "waiting", 0, 0.0, 390.0),
    ]
    out = metrics.kpis(tables(episodes), NORMS, WARMUP, HORIZON, YOUTH)
    assert value(out, "wait_days_mean") == pytest.approx(215.0 / 9.0, rel=1e-12)
    assert value(out, "wait_days_median") == 20.0
    assert value(out, "wait_days_p90") == 40.0
    assert value(out, "wait_days_mean_placed") == 22.5
    # could pass the norm by the horizon: 1-5 (6 was referred 10 days before it); over: 4 (40)
    assert value(out, "share_over_norm") == pytest.approx(1.0 / 5.0)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(waits=st.lists(st.integers(min_value=0, max_value=400), min_size=2, max_size=30))
def test_without_censoring_the_waits_are_the_textbook_ones(waits: list[int]) -> None:
    """Everyone placed within tau: the restricted mean is the plain mean, the Kaplan-Meier
    quantile the smallest wait by which 90% were placed (the inverse of the empirical CDF)."""
    episodes = [
        (i, "referral", "a", 100.0 + i, 100.0 + i + w, NAN, "in_care", 0, 0.0, NAN) for i, w in enumerate(waits)
    ]
    out = metrics.kpis(tables(episodes), {"a": 30.0}, WARMUP, 1000.0, YOUTH)
    assert value(out, "wait_days_mean") == pytest.approx(statistics.fmean(waits))
    assert value(out, "wait_days_mean_placed") == pytest.approx(statistics.fmean(waits))
    ordered = sorted(waits)
    assert value(out, "wait_days_p90") == ordered[math.ceil(0.9 * len(waits) - 1e-9) - 1]
    assert value(out, "wait_days_median") == ordered[math.ceil(0.5 * len(waits) - 1e-9) - 1]
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
