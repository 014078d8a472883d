"""The SimPy engine and the bare reference loop must drive the core to the same results.

Engines only keep the clock; the core orders events. Any difference in the event log (a missed
same-time event, a float drift in the clock) or in any output table is a bug in an engine.
"""

from __future__ import annotations

import pandas as pd
import pytest

from simulation.config import load_scenario
from tests.conftest import SCENARIOS, make_scenario, run


def _assert_same(a, b) -> None:
    assert a.log is not None and b.log is not None
    assert len(a.log) == len(b.log)
    for i, (x, y) in enumerate(zip(a.log, b.log, strict=True)):
        assert x == y, f"event {i} differs: {x} vs {y}"
    assert a.events == b.events
    assert set(a.tables) == set(b.tables) and "episodes" in a.tables
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True, obj=name)
    pd.testing.assert_frame_equal(a.kpis, b.kpis, check_exact=True, obj="kpis")


def test_engines_agree_on_small_scenario_with_escalation_and_exit(tmp_path):
    scenario = make_scenario(
        tmp_path,
        places=[4, 2],
        rate_per_day=0.15,
        mean_days=60.0,
        dist="gamma",
        cv=0.7,
        years=1.0,
        seed=3,
        n_gemeenten=3,
        initial_stock=True,
        escalation={"after_days": 5.0, "probability": 0.5, "places": 1, "mean_days": 20.0},
        fixed_cost_eur_per_year=[2_000_000.0, 0.0],
        reserves_eur=[10_000.0, 1e9],
        months_negative_before_notice=2,
        notice_months=1,
    )
    ref = run(scenario, 0, engine="reference", record_log=True)
    sim = run(scenario, 0, engine="simpy", record_log=True)
    kinds = {kind for _, kind, _ in ref.log}
    # The scenario exercises every kind of event, including same-time chains at month ends.
    assert {"referral", "intake", "discharge", "escalate", "notice", "exit"} <= kinds
    assert ref.tables["exits"]["children_replaced"].sum() > 0
    _assert_same(ref, sim)


def test_engines_agree_on_deterministic_durations(tmp_path):
    """Deterministic durations put many discharges and referrals at exactly equal times."""
    scenario = make_scenario(
        tmp_path, places=2, rate_per_day=1.5, mean_days=1.0, dist="deterministic", years=0.5, seed=9, initial_stock=True
    )
    ref = run(scenario, 0, engine="reference", record_log=True)
    sim = run(scenario, 0, engine="simpy", record_log=True)
    _assert_same(ref, sim)


@pytest.mark.parametrize("replication", [0, 1])
def test_engines_agree_on_flevoland(replication):
    scenario = load_scenario(SCENARIOS / "flevoland.yaml", overrides={"years": 1})
    ref = run(scenario, replication, engine="reference", record_log=True)
    sim = run(scenario, replication, engine="simpy", record_log=True)
    assert len(ref.log) > 5000
    _assert_same(ref, sim)
