"""A capacity-starved form: its wait KPIs must rise as its places are cut and the list grows.

One form (norm 30 days), 0.5 referrals a day of 20 days' care on average (10 places' worth of
work), a two-year run with a 90-day warm-up. Every child still waiting after 45 days escalates
to a heavier form, so the children who are placed are, by construction, those who waited under
45 days: the old placed-only mean (now ``wait_days_mean_placed``) cannot exceed 45 however long
the others wait, and barely moves as places are cut from 6 to 3. The Kaplan-Meier figures count
the children who escalate or still wait (censored when they leave or at the horizon) and rise.
"""

from __future__ import annotations

import pytest

from tests.conftest import MAIN_FORM, run

PLACES = (10, 6, 3)
THRESHOLD = 45.0


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[int, dict[str, float]]:
    from tests.conftest import make_scenario

    out = {}
    for places in PLACES:
        scenario = make_scenario(
            tmp_path_factory.mktemp(f"p{places}"),
            places=places,
            rate_per_day=0.5,
            mean_days=20.0,
            years=2.0,
            warmup_days=90.0,
            escalation={"after_days": THRESHOLD, "probability": 1.0, "places": 50, "mean_days": 10.0},
        )
        k = run(scenario).kpis
        k = k[k["care_form"] == MAIN_FORM]
        out[places] = dict(zip(k["kpi"], k["value"], strict=True))
    return out


def test_the_cut_starves_the_form(runs) -> None:
    # fewer places: fewer children served, more escalate, and the list at the horizon grows
    assert runs[10]["children_served"] > runs[6]["children_served"] > runs[3]["children_served"]
    assert runs[10]["escalations"] < runs[6]["escalations"] < runs[3]["escalations"]
    assert runs[10]["waiting_at_end"] < runs[6]["waiting_at_end"]


def test_the_honest_wait_kpis_rise_with_every_cut(runs) -> None:
    mean = [runs[p]["wait_days_mean"] for p in PLACES]
    share = [runs[p]["share_over_norm"] for p in PLACES]
    assert mean[0] < mean[1] < mean[2]
    assert mean[2] > 1.4 * mean[1]  # halving the places again: the restricted mean rises by half or more
    assert share[0] < share[1] <= share[2] and share[2] > 0.95


def test_the_placed_only_mean_cannot_show_it(runs) -> None:
    placed = [runs[p]["wait_days_mean_placed"] for p in PLACES]
    assert all(p < THRESHOLD for p in placed)  # only those placed before escalating count
    assert placed[2] < 1.1 * placed[1]  # 6 -> 3 places: under 10% while the restricted mean rises 40%+
    for p in PLACES[1:]:
        assert runs[p]["wait_days_mean"] > 5 * runs[p]["wait_days_mean_placed"]
