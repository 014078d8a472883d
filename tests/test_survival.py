"""The Kaplan-Meier estimate behind the wait KPIs, against hand-worked cases and lifelines.

``lifelines.KaplanMeierFitter`` is an independent, maintained implementation: the survival
curve, the restricted mean (``lifelines.utils.restricted_mean_survival_time``) and the quantiles
(``percentile``) must agree with ours on any set of waits, ties and censoring included.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.metrics.survival import kaplan_meier


def test_a_textbook_curve_by_hand() -> None:
    """Waits 3, 5+, 5, 8+, 10 (+ censored). At risk 5 at day 3 (one placed): 4/5; day 5: 4 at
    risk (the censored 5 too), one placed: 4/5 x 3/4 = 3/5; day 8 censored; day 10: 1 at risk,
    placed: 0. Area to 12: 3 + 2 x 4/5 + 5 x 3/5 + 0 = 7.6; median and p90 10 (S stays at 3/5
    until day 10); 20% placed by day 3, 40% by day 5."""
    km = kaplan_meier(np.array([3.0, 5.0, 5.0, 8.0, 10.0]), np.array([True, False, True, False, True]))
    assert km.times.tolist() == [3.0, 5.0, 8.0, 10.0]
    assert km.surv == pytest.approx([0.8, 0.6, 0.6, 0.0])
    assert km.restricted_mean(12.0) == pytest.approx(7.6)
    assert km.restricted_mean(4.0) == pytest.approx(3.8)  # capped: 3 + 1 x 4/5
    assert km.quantile(0.5) == 10.0 and km.quantile(0.9) == 10.0
    assert km.quantile(0.2) == 3.0 and km.quantile(0.4) == 5.0
    assert km.at(2.9) == 1.0 and km.at(5.0) == pytest.approx(0.6)


def test_a_curve_that_never_falls_far_enough_has_no_quantile() -> None:
    """Two of four placed on day 1, the other two censored on day 2: S = 1/2 from day 1 on. The
    median is day 1 (S reaches 1/2 exactly); there is no 90th percentile. Beyond the last
    time, S is held: area to 10 = 1 + 9 x 1/2."""
    km = kaplan_meier(np.array([1.0, 1.0, 2.0, 2.0]), np.array([True, True, False, False]))
    assert km.quantile(0.5) == 1.0
    assert math.isnan(km.quantile(0.9))
    assert km.restricted_mean(10.0) == pytest.approx(5.5)


def test_no_waits_give_nan() -> None:
    km = kaplan_meier(np.zeros(0), np.zeros(0, dtype=bool))
    assert math.isnan(km.restricted_mean(10.0)) and math.isnan(km.quantile(0.5))


waits = st.lists(st.tuples(st.integers(min_value=0, max_value=60).map(float), st.booleans()), min_size=1, max_size=60)


@pytest.mark.filterwarnings("ignore::lifelines.exceptions.ApproximationWarning")
@settings(max_examples=150, deadline=None, derandomize=True)
@given(sample=waits, tau=st.integers(min_value=1, max_value=80))
def test_agrees_with_lifelines(sample: list[tuple[float, bool]], tau: int) -> None:
    from lifelines import KaplanMeierFitter
    from lifelines.utils import restricted_mean_survival_time

    durations = np.array([d for d, _ in sample])
    observed = np.array([e for _, e in sample])
    ours = kaplan_meier(durations, observed)
    kmf = KaplanMeierFitter().fit(durations, observed)
    theirs = kmf.survival_function_["KM_estimate"]
    # lifelines adds a row at time 0 (S = 1 unless someone was placed at once); compare at our times
    for t, s in zip(ours.times, ours.surv, strict=True):
        assert float(kmf.survival_function_at_times(t).iloc[0]) == pytest.approx(s, abs=1e-12)
    assert float(theirs.iloc[-1]) == pytest.approx(ours.surv[-1], abs=1e-12)
    # lifelines integrates to tau only within the observed times: compare where tau is inside
    if tau <= durations.max():
        expected = restricted_mean_survival_time(kmf, t=float(tau))
        assert ours.restricted_mean(float(tau)) == pytest.approx(expected, rel=1e-9, abs=1e-9)
    for q in (0.5, 0.9):
        expected = kmf.percentile(1.0 - q)  # lifelines: the time S falls to 1 - q; inf if never
        got = ours.quantile(q)
        if (math.isnan(got) and math.isinf(expected)) or got == expected:
            continue
        # lifelines builds S from sums of logs, so it can end a hair above an exact level (1/2 as
        # 0.5000000000000001) and call it never reached; we count that as reached
        assert float(kmf.survival_function_at_times(got).iloc[0]) == pytest.approx(1.0 - q, abs=1e-12)
