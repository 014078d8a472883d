"""The SimPy and salabim engines and the bare reference loop must drive the core to the same results.

Engines only keep the clock; the core orders events. Any difference in the event log (a missed
same-time event, a float drift in the clock, a wake-up with nothing due) or in any output table is
a bug in an engine. The log records every wake-up (``"wake"``, the engine's clock, the events it
woke), so an engine that wakes the model at the wrong time fails here even when the events it
delivers come out in the right order.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import salabim as sim

from simulation.config import load_scenario
from simulation.core.model import Model
from simulation.engines import ENGINES
from simulation.runner import run_replication
from tests.conftest import ROOT, SCENARIOS, make_scenario, run

#: Every engine is checked against the reference loop.
OTHERS = [e for e in ENGINES if e != "reference"]


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


@pytest.fixture(scope="module")
def small_exit_scenario(tmp_path_factory):
    return make_scenario(
        tmp_path_factory.mktemp("small"),
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


@pytest.mark.parametrize("engine", OTHERS)
def test_engines_agree_on_small_scenario_with_escalation_and_exit(small_exit_scenario, engine):
    ref = run(small_exit_scenario, 0, engine="reference", record_log=True)
    other = run(small_exit_scenario, 0, engine=engine, record_log=True)
    kinds = {kind for _, kind, _ in ref.log}
    # The scenario exercises every kind of event, including same-time chains at month ends.
    assert {"referral", "intake", "discharge", "escalate", "notice", "exit", "wake"} <= kinds
    assert ref.tables["exits"]["children_replaced"].sum() > 0
    _assert_same(ref, other)


@pytest.mark.parametrize("engine", OTHERS)
def test_engines_agree_on_deterministic_durations(tmp_path, engine):
    """Deterministic durations put many discharges and referrals at exactly equal times."""
    scenario = make_scenario(
        tmp_path, places=2, rate_per_day=1.5, mean_days=1.0, dist="deterministic", years=0.5, seed=9, initial_stock=True
    )
    ref = run(scenario, 0, engine="reference", record_log=True)
    other = run(scenario, 0, engine=engine, record_log=True)
    _assert_same(ref, other)


@pytest.mark.parametrize("replication", [0, 1])
def test_engines_agree_on_flevoland(replication):
    scenario = load_scenario(SCENARIOS / "flevoland.yaml", overrides={"years": 1})
    ref = run(scenario, replication, engine="reference", record_log=True)
    assert len(ref.log) > 5000
    for engine in OTHERS:
        _assert_same(ref, run(scenario, replication, engine=engine, record_log=True))


# National runs are short (a month and a bit) but cross a month end; each stress run starts just
# before its mechanism's date so that the shock or the tariff cut falls inside it.
NATIONAL = {
    "regionaal": (SCENARIOS / "regionaal.yaml", {"years": 0.1}, None),
    "uitval-grootste-aanbieder": (
        ROOT / "scenarios" / "stress" / "uitval-grootste-aanbieder.yaml",
        {"years": 0.06, "start_date": dt.date(2026, 6, 20)},
        "exit",
    ),
    "tariefkorting": (
        ROOT / "scenarios" / "stress" / "tariefkorting.yaml",
        {"years": 0.06, "start_date": dt.date(2026, 12, 20)},
        "tariff",
    ),
}


@pytest.mark.parametrize("name", list(NATIONAL))
def test_engines_agree_on_national_and_stress_runs(name):
    path, overrides, mechanism = NATIONAL[name]
    scenario = load_scenario(path, overrides={**overrides, "warmup_days": 0})
    ref = run_replication(scenario, 0, engine="reference", record_log=True)
    kinds = {kind for _, kind, _ in ref.log}
    assert mechanism is None or mechanism in kinds
    assert ref.events > 50_000
    for engine in OTHERS:
        _assert_same(ref, run_replication(scenario, 0, engine=engine, record_log=True))


# -- the test can fail: engines that wake the model at the wrong time --------------------------
def _salabim_shifted(shift: float):
    """The salabim engine, except that it wakes the model ``shift`` days off its 50th event time."""

    class Driver(sim.Component):
        def setup(self, model: Model, until: float) -> None:
            self.model, self.until = model, until

        def process(self) -> None:
            model, wakes = self.model, 0
            t = model.next_time()
            while t is not None and t <= self.until:
                wakes += 1
                self.hold(till=t + shift if wakes == 50 else t)
                t = model.advance_to(self.env.now())

    def engine(model: Model, until: float) -> None:
        env = sim.Environment(trace=False, random_seed="", set_numpy_random_seed=False, yieldless=True)
        Driver(env=env, model=model, until=until)
        env.run()

    return engine


def test_a_wake_up_with_nothing_due_breaks_engine_equality(small_exit_scenario, monkeypatch):
    ref = run(small_exit_scenario, 0, engine="reference", record_log=True)
    monkeypatch.setitem(ENGINES, "early", _salabim_shifted(-1e-6))
    early = run(small_exit_scenario, 0, engine="early", record_log=True)
    with pytest.raises(AssertionError):
        _assert_same(ref, early)
    # Only the wake-up records show it: what the model did is the same.
    assert [e for e in early.log if e[1] != "wake"] == [e for e in ref.log if e[1] != "wake"]
    extra = [e for e in early.log if e[1] == "wake" and e[2] == 0]
    assert len(extra) == 1


def test_a_late_wake_up_is_refused(small_exit_scenario, monkeypatch):
    monkeypatch.setitem(ENGINES, "late", _salabim_shifted(+1e-6))
    with pytest.raises(RuntimeError, match="after an event due"):
        run(small_exit_scenario, 0, engine="late", record_log=True)
