"""Ciw as an independent peer: the same queueing system built in another simulation library.

One region, three care forms as three nodes (one provider each, ``c`` places = servers), Poisson
referrals, exponential durations, FCFS waiting lists, finance neutral (no costs that could make a
provider shrink or leave; static staff). Ciw shares no code with the model: it draws its own
numbers and keeps its own queues. Per form, the mean wait and the probability of waiting of the
model's replications and of Ciw's must agree: the difference of the two means must lie within
the combined 95% intervals of both, sqrt(h_model^2 + h_ciw^2) (Welch), Bonferroni-corrected
over the six comparisons so that a correct model fails by chance in well under 5% of streams.

Replications are enough that a 10% error in the referral rate of any one form would fail: the
second test feeds Ciw that error, one form at a time, and the comparison must reject it.
"""

from __future__ import annotations

import math

import ciw
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tests.conftest import MAIN_FORM, make_scenario, run

R = 30
HORIZON = 1200.0
WARMUP = 100.0
#: Only children referred this long before the horizon count, so that every one of them (in
#: either simulation) has been placed and the two samples are the same kind.
MARGIN = 50.0

#: care form -> (referrals per day, mean duration in days, places); utilisations 0.67, 0.6, 0.67.
FORMS = {MAIN_FORM: (2.0, 1.0, 3), "b": (0.6, 1.0, 1), "c": (4.0, 0.5, 3)}
STATS = ("wait_mean", "p_wait")
LEVEL = 1.0 - 0.05 / (len(FORMS) * len(STATS))


def _stats(form: str, arrivals: np.ndarray, waits: np.ndarray) -> dict[str, float | str]:
    keep = (arrivals >= WARMUP) & (arrivals < HORIZON - MARGIN)
    w = waits[keep]
    return {"form": form, "wait_mean": float(w.mean()), "p_wait": float((w > 1e-12).mean()), "n": float(w.size)}


@pytest.fixture(scope="module")
def model_rows(tmp_path_factory) -> pd.DataFrame:
    rate, days, places = FORMS[MAIN_FORM]
    scenario = make_scenario(
        tmp_path_factory.mktemp("ciw"),
        places=places,
        rate_per_day=rate,
        mean_days=days,
        years=HORIZON / 365.0,
        seed=777,
        other_forms={k: v for k, v in FORMS.items() if k != MAIN_FORM},
        name="ciw-peer",
    )
    assert scenario.horizon_days == pytest.approx(HORIZON)
    rows = []
    for rep in range(R):
        ep = run(scenario, rep).tables["episodes"]
        assert set(ep["origin"]) == {"referral"}
        for form in FORMS:
            e = ep[ep["care_form"] == form]
            arrivals = e["t_referral"].to_numpy(float)
            # Children referred before the margin have all been placed.
            early = arrivals < HORIZON - MARGIN
            assert e["t_intake"].to_numpy(float)[early].size == early.sum()
            assert not np.isnan(e["t_intake"].to_numpy(float)[early]).any()
            rows.append(_stats(form, arrivals, e["t_intake"].to_numpy(float) - arrivals))
    return pd.DataFrame(rows)


def ciw_rows(forms: dict[str, tuple[float, float, int]], seed0: int = 0) -> pd.DataFrame:
    """R replications of the same system in Ciw: one node per form, no routing between them."""
    names = list(forms)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=forms[f][0]) for f in names],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / forms[f][1]) for f in names],
        number_of_servers=[forms[f][2] for f in names],
        routing=[[0.0] * len(names) for _ in names],
    )
    rows = []
    for rep in range(R):
        ciw.seed(seed0 + rep)
        q = ciw.Simulation(network)
        q.simulate_until_max_time(HORIZON)
        recs = pd.DataFrame(q.get_all_records())
        recs = recs[recs["record_type"] == "service"]
        for i, form in enumerate(names):
            r = recs[recs["node"] == i + 1]
            rows.append(_stats(form, r["arrival_date"].to_numpy(float), r["waiting_time"].to_numpy(float)))
    return pd.DataFrame(rows)


def _interval(values: pd.Series) -> tuple[float, float]:
    v = values.to_numpy(float)
    return float(v.mean()), float(stats.t.ppf(0.5 + LEVEL / 2, v.size - 1) * v.std(ddof=1) / math.sqrt(v.size))


def disagreements(a: pd.DataFrame, b: pd.DataFrame) -> list[str]:
    """The (form, statistic) pairs whose means differ by more than the combined intervals."""
    out = []
    for form in FORMS:
        for stat in STATS:
            ma, ha = _interval(a.loc[a["form"] == form, stat])
            mb, hb = _interval(b.loc[b["form"] == form, stat])
            if abs(ma - mb) > math.hypot(ha, hb):
                out.append(f"{form} {stat}: model {ma:.4f} +- {ha:.4f}, ciw {mb:.4f} +- {hb:.4f}")
    return out


def test_model_and_ciw_agree_on_waits_and_probability_of_waiting(model_rows) -> None:
    peer = ciw_rows(FORMS)
    assert not disagreements(model_rows, peer)
    # The samples are alike in size: each has thousands of children per form per replication.
    sizes = model_rows.groupby("form")["n"].mean() / peer.groupby("form")["n"].mean()
    assert ((sizes > 0.95) & (sizes < 1.05)).all()


@pytest.mark.parametrize("form", list(FORMS))
def test_a_ten_percent_error_in_one_forms_referral_rate_is_caught(model_rows, form) -> None:
    rate, days, places = FORMS[form]
    wrong = {**FORMS, form: (rate * 1.1, days, places)}
    found = disagreements(model_rows, ciw_rows(wrong, seed0=1000))
    assert found and all(f.startswith(form) for f in found)
