"""The ``stocks`` table: children in care and waiting per gemeente and care form on the CBS count
dates, against a hand-built case, conservation, and the model's own queue lengths."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from simulation import metrics
from simulation.config import load_scenario
from tests.conftest import ROOT, run

NAN = math.nan


def test_count_dates_are_30_june_and_31_december_within_the_run() -> None:
    jan = metrics.count_dates(dt.date(2026, 1, 1), 730.0)
    assert jan == [
        (dt.date(2026, 6, 30), 181.0),  # counted at the end of the day
        (dt.date(2026, 12, 31), 365.0),  # the end of the last day is the horizon: in
        (dt.date(2027, 6, 30), 546.0),
        (dt.date(2027, 12, 31), 730.0),
    ]
    assert metrics.count_dates(dt.date(2026, 7, 1), 365.0) == [
        (dt.date(2026, 12, 31), 184.0),
        (dt.date(2027, 6, 30), 365.0),
    ]
    assert metrics.count_dates(dt.date(2026, 1, 1), 91.25) == []  # a quarter has no count date
    # 2028 is a leap year: 365 days from 1 January end on 30 December, before the count
    assert metrics.count_dates(dt.date(2028, 1, 1), 365.0) == [(dt.date(2028, 6, 30), 182.0)]


COLUMNS = [
    "origin",
    "gemeente",
    "care_form",
    "t_referral",
    "t_intake",
    "t_end",
    "state",
    "waiting_since",
    "replacements",
]
# Count days: 30 June = day 181, 31 December = day 365 (start 1 January 2026, horizon 365).
EPISODES = [
    ("initial", "GM1", "a", 0.0, 0.0, 100.0, "done", NAN, 0),  # A: discharged before either date
    ("referral", "GM1", "a", 50.0, 181.0, NAN, "in_care", NAN, 0),  # B: taken in on 30 June itself
    ("referral", "GM1", "a", 150.0, NAN, 200.0, "escalated", NAN, 0),  # C: waiting, escalates on day 200
    ("referral", "GM2", "b", 170.0, 300.0, 365.0, "done", NAN, 0),  # D: waiting in June; done on day 365
    ("referral", "GM2", "b", 10.0, 20.0, NAN, "waiting", 250.0, 1),  # E: in care, moved on day 250, waits
    ("referral", "GM2", "a", 365.0, NAN, NAN, "waiting", 365.0, 0),  # F: referred on 31 December
    ("referral", "GM1", "b", 182.0, 190.0, NAN, "in_care", NAN, 0),  # G: referred after 30 June
]
EXPECTED = {  # (date, gemeente, form): (in care, waiting); every other cell 0
    ("2026-06-30", "GM1", "a"): (1, 1),  # B, C
    ("2026-06-30", "GM2", "b"): (1, 1),  # E, D
    ("2026-12-31", "GM1", "a"): (1, 0),  # B (C left the list)
    ("2026-12-31", "GM1", "b"): (1, 0),  # G
    ("2026-12-31", "GM2", "a"): (0, 1),  # F
    ("2026-12-31", "GM2", "b"): (0, 1),  # E waits again (D has ended)
}


def _episodes(rows: list[tuple]) -> metrics.Episodes:
    ep = pd.DataFrame(rows, columns=COLUMNS)
    ep["extra_wait_days"] = 0.0
    ep["gemeente"] = pd.Categorical(ep["gemeente"], categories=["GM1", "GM2", "GM3"])
    ep["care_form"] = pd.Categorical(ep["care_form"], categories=["a", "b"])
    for col in ("origin", "state"):
        ep[col] = ep[col].astype("category")
    return metrics.Episodes.from_table(ep, {"a": 30.0, "b": 30.0})


def test_hand_built_counts() -> None:
    out = metrics.count_stocks(_episodes(EPISODES), dt.date(2026, 1, 1), 365.0)
    assert list(out.columns) == metrics.STOCK_COLUMNS
    assert len(out) == 2 * 3 * 2  # every date, gemeente (GM3 has no children) and form
    got = {
        (r.date.date().isoformat(), r.gemeentecode, r.care_form): (r.in_care, r.waiting)
        for r in out.itertuples()
        if r.in_care or r.waiting
    }
    assert got == EXPECTED
    assert set(out["day"]) == {181.0, 365.0}


@pytest.fixture(scope="module")
def flevoland():
    scenario = load_scenario(ROOT / "scenarios/flevoland.yaml", {"years": 2.0})
    return scenario, run(scenario)


def test_conservation_against_the_episodes(flevoland) -> None:
    """In care on a date = first intakes by then - ends of placed children by then - children
    moved out by their provider and still waiting; waiting = referrals - intakes - those who left
    the list unplaced + the moved. Counted here with pandas from the episodes table."""
    _, res = flevoland
    ep, stocks = res.tables["episodes"], res.tables["stocks"]
    assert sorted(set(stocks["date"].dt.strftime("%m-%d"))) == ["06-30", "12-31"] and stocks["day"].nunique() == 4
    placed = ep["t_intake"].notna()
    moved_waiting = (ep["state"] == "waiting") & placed
    for t, part in stocks.groupby("day"):
        intakes = (ep["t_intake"] <= t).sum()
        ends = (placed & (ep["t_end"] <= t)).sum()
        moved = (moved_waiting & (ep["waiting_since"] <= t)).sum()
        referred = (ep["t_referral"] <= t).sum()
        left = (~placed & (ep["t_end"] <= t)).sum()
        assert part["in_care"].sum() == intakes - ends - moved
        assert part["waiting"].sum() == referred - intakes - left + moved
        assert part["in_care"].sum() > 0
    assert stocks["waiting"].sum() > 0  # the case has a waiting list to count


def test_waiting_equals_the_models_queue_lengths(flevoland) -> None:
    """The model counts its queues itself at each month's end (``waiting.waiting_end``); on 30 June
    and 31 December that count, per care form, is the stocks' waiting count, except for children
    moved by a leaving provider and placed again by the horizon: the episodes do not date their
    move, so the stocks count them in care across the gap (module docstring). The difference is
    therefore at least 0 and at most the number of such children, and 0 where there are none."""
    _, res = flevoland
    stocks, waiting, ep = res.tables["stocks"], res.tables["waiting"], res.tables["episodes"]
    month_end = waiting["t_start"] + waiting["days"]
    moved_and_placed = ep[(ep["replacements"] > 0) & (ep["state"] != "waiting")]
    undated = moved_and_placed.groupby("care_form", observed=False).size()
    for t, part in stocks.groupby("day"):
        queues = waiting[np.isclose(month_end, t)].groupby("care_form", observed=True)["waiting_end"].sum()
        counted = part.groupby("care_form", observed=True)["waiting"].sum().reindex(queues.index)
        gap = queues - counted
        bound = undated.reindex(queues.index, fill_value=0)
        assert (gap >= 0).all() and (gap <= bound).all(), (t, gap.to_dict(), bound.to_dict())
        assert (gap[bound == 0] == 0).all()


def test_the_lean_path_gives_the_same_stocks(flevoland) -> None:
    from simulation.runner import run_replication

    scenario, res = flevoland
    lean = run_replication(scenario, 0, engine="reference", lean=True)
    assert "episodes" not in lean.tables
    pd.testing.assert_frame_equal(lean.tables["stocks"], res.tables["stocks"])


def test_simulate_returns_stocks_without_tables() -> None:
    from simulation import service

    sim = service.simulate(ROOT / "scenarios/flevoland.yaml", overrides={"years": 0.5, "replications": 2})
    stocks = sim.stocks
    assert stocks is not None and set(stocks["replication"]) == {0, 1}
    assert set(stocks["date"].dt.date) == {dt.date(2026, 6, 30)} and sim.tables is None
