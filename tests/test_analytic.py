"""M/M/c queueing: the model's waits against Erlang C, and Little's law on its own monitor.

A single provider with ``c`` places, Poisson referrals and exponential durations, no initial
stock and no escalation is an M/M/c queue with FCFS service, so the expected wait in the queue
is E[Wq] = C(c, a) / (c mu - lambda) with a = lambda / mu and C the Erlang C probability that an
arrival has to wait. Each replication gives one (nearly unbiased) estimate; the analytic value
must lie in the t-interval over the replications.

The intervals are simultaneous 95% intervals: nine of them are checked (three queues, three
statistics each), so each is a Bonferroni-corrected 1 - 0.05/9 interval. Nine separate 95%
intervals would fail by chance in about a third of all random-number streams, so any change
of the generator would break the suite at random.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tests.conftest import make_scenario, run

R = 20
HORIZON_DAYS = 3000.0
WARMUP_DAYS = 200.0

# (lambda per day, mean service days, places): utilisations 0.70, 0.75, 0.80.
CASES = [(0.7, 1.0, 1), (3.0, 1.0, 4), (8.0, 0.5, 5)]
N_INTERVALS = 3 * len(CASES)
LEVEL = 1.0 - 0.05 / N_INTERVALS


def erlang_b(c: int, a: float) -> float:
    """Erlang B blocking probability by the stable recursion B(k) = a B(k-1) / (k + a B(k-1))."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Probability that an arrival waits in M/M/c (requires a < c)."""
    assert a < c
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


def mmc_wq(lam: float, mu: float, c: int) -> float:
    return erlang_c(c, lam / mu) / (c * mu - lam)


def t_interval(values, level: float = LEVEL) -> tuple[float, float, float]:
    v = np.asarray(values, dtype=float)
    mean = float(v.mean())
    half = float(stats.t.ppf(0.5 + level / 2, v.size - 1) * v.std(ddof=1) / math.sqrt(v.size))
    return mean, mean - half, mean + half


def _direct_erlang_c(c: int, a: float) -> float:
    """Textbook closed form, for checking the recursion on small c."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


@pytest.mark.parametrize(("c", "a"), [(1, 0.5), (2, 1.3), (4, 3.0), (5, 4.0), (10, 8.7)])
def test_erlang_c_recursion_matches_closed_form(c, a):
    assert erlang_c(c, a) == pytest.approx(_direct_erlang_c(c, a), rel=1e-12)


def test_erlang_c_known_values():
    # M/M/1: P(wait) = rho, Wq = rho / (mu - lambda).
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    assert mmc_wq(0.7, 1.0, 1) == pytest.approx(0.7 / 0.3)
    # M/M/2 with a = 1: C = 1/3 (classic textbook value).
    assert erlang_c(2, 1.0) == pytest.approx(1.0 / 3.0)


def _replication_stats(scenario, rep: int) -> dict[str, float]:
    res = run(scenario, rep, engine="reference")
    ep = res.tables["episodes"]
    assert set(ep["origin"]) == {"referral"}
    ref = ep[(ep["t_referral"] >= WARMUP_DAYS) & ep["t_intake"].notna()]
    wait = (ref["t_intake"] - ref["t_referral"]).to_numpy()
    kpi = res.kpis.set_index(["kpi", "care_form"])["value"]
    wq = res.tables["waiting"]
    window = wq[wq["t_start"] >= WARMUP_DAYS]
    # Time-weighted mean length summed over all queues (there is one here).
    lq = float((window["waiting_mean"] * window["days"]).sum() / window.groupby("t_start")["days"].first().sum())
    return {
        "wait_mean": float(wait.mean()),
        "wait_kpi": float(kpi[("wait_days_mean_placed", "ALL")]),
        "wait_km": float(kpi[("wait_days_mean", "ALL")]),
        "p_wait": float((wait > 0).mean()),
        "lq": lq,
        "n": float(wait.size),
    }


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"lam{c[0]}-mean{c[1]}-c{c[2]}")
def mmc_runs(request, tmp_path_factory):
    lam, mean, c = request.param
    scenario = make_scenario(
        tmp_path_factory.mktemp("mmc"),
        places=c,
        rate_per_day=lam,
        mean_days=mean,
        years=HORIZON_DAYS / 365.0,
        warmup_days=WARMUP_DAYS,
        seed=4242,
        name=f"mmc-{c}",
    )
    assert scenario.horizon_days == pytest.approx(HORIZON_DAYS)
    rows = pd.DataFrame([_replication_stats(scenario, rep) for rep in range(R)])
    return lam, 1.0 / mean, c, rows


def test_mean_wait_matches_erlang_c(mmc_runs):
    lam, mu, c, rows = mmc_runs
    # The placed-only KPI is computed the same way from the same table: they must agree exactly.
    np.testing.assert_allclose(rows["wait_kpi"], rows["wait_mean"], rtol=1e-12)
    expected = mmc_wq(lam, mu, c)
    mean, lo, hi = t_interval(rows["wait_mean"])
    assert lo <= expected <= hi, f"E[Wq]={expected:.4f} outside CI [{lo:.4f}, {hi:.4f}] (mean {mean:.4f})"
    # The Kaplan-Meier restricted mean (children still waiting at the horizon censored there)
    # estimates the same E[Wq] in a stable queue: the few censored waits are short.
    km, km_lo, km_hi = t_interval(rows["wait_km"])
    assert km_lo <= expected <= km_hi, f"E[Wq]={expected:.4f} outside KM CI [{km_lo:.4f}, {km_hi:.4f}] ({km:.4f})"
    # And the interval is informative: narrower than 30% of the value.
    assert hi - lo < 0.3 * expected


def test_probability_of_waiting_matches_erlang_c(mmc_runs):
    lam, mu, c, rows = mmc_runs
    expected = erlang_c(c, lam / mu)
    mean, lo, hi = t_interval(rows["p_wait"])
    assert lo <= expected <= hi, f"C(c,a)={expected:.4f} outside CI [{lo:.4f}, {hi:.4f}] (mean {mean:.4f})"
    assert hi - lo < 0.05


def test_mean_queue_length_matches_littles_law(mmc_runs):
    lam, mu, c, rows = mmc_runs
    expected = lam * mmc_wq(lam, mu, c)  # Lq = lambda E[Wq]
    mean, lo, hi = t_interval(rows["lq"])
    assert lo <= expected <= hi, f"Lq={expected:.4f} outside CI [{lo:.4f}, {hi:.4f}] (mean {mean:.4f})"


@pytest.mark.parametrize(
    ("lam", "mean", "c", "dist", "cv"),
    [
        (0.9, 1.0, 1, "exponential", None),
        (2.5, 1.5, 3, "lognormal", 1.5),
        (4.0, 2.0, 8, "deterministic", None),
    ],
)
def test_littles_law_identity_on_model_monitor(tmp_path, lam, mean, c, dist, cv):
    """With warm-up 0, the area under the waiting-list length equals the sum of waits exactly."""
    scenario = make_scenario(
        tmp_path, places=c, rate_per_day=lam, mean_days=mean, dist=dist, cv=cv, years=1.5, warmup_days=0.0, seed=7
    )
    res = run(scenario, 0)
    horizon = scenario.horizon_days
    ep = res.tables["episodes"]
    wq = res.tables["waiting"]
    # The monthly rows tile the horizon for every queue.
    for _, part in wq.groupby(["unit_id", "care_form"]):
        assert part["days"].sum() == pytest.approx(horizon, rel=1e-12)
    area = float((wq["waiting_mean"] * wq["days"]).sum())
    left = ep["t_intake"].fillna(horizon).clip(upper=horizon)
    waits = (left - ep["t_referral"]).to_numpy()
    assert (waits >= 0).all()
    lam_hat = len(ep) / horizon
    w_bar = waits.sum() / len(ep)
    mean_l = area / horizon
    assert waits.sum() > 1.0  # the queue was used, so the identity is not 0 == 0
    assert mean_l == pytest.approx(lam_hat * w_bar, rel=1e-6)
    # The last month's end-of-month length is the number still waiting at the horizon.
    last = wq[wq["t_start"] == wq["t_start"].max()]
    assert int(last["waiting_end"].sum()) == int((ep["state"] == "waiting").sum())
