"""The ``flows`` table: care started and ended per gemeente and care form in each CBS half-year,
against a hand-built case and the stocks (eindstand = beginstand + instroom - uitstroom)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from simulation import metrics
from simulation.config import load_scenario
from tests.conftest import ROOT, run
from tests.test_stocks import EPISODES, _episodes


def test_half_years_are_the_cbs_periods_wholly_inside_the_run() -> None:
    assert metrics.half_years(dt.date(2026, 1, 1), 365.0) == [("2026HJ01", 0.0, 181.0), ("2026HJ02", 181.0, 365.0)]
    # from 1 July only the second half of 2026 and the first of 2027 are whole
    assert metrics.half_years(dt.date(2026, 7, 1), 365.0) == [("2026HJ02", 0.0, 184.0), ("2027HJ01", 184.0, 365.0)]
    # 2028 is a leap year: its second half ends one day after 365 days, so it is not in the run
    assert [p for p, _, _ in metrics.half_years(dt.date(2028, 1, 1), 365.0)] == ["2028HJ01"]


# The stocks' hand-built children (tests/test_stocks.py), start 1 January 2026: HJ01 = (0, 181], HJ02 = (181, 365].
EXPECTED = {  # (period, gemeente, form): (started, ended, referred); every other cell 0
    ("2026HJ01", "GM1", "a"): (1, 1, 2),  # B starts on day 181; A (initial) ends on 100; B, C referred
    ("2026HJ01", "GM2", "b"): (1, 0, 2),  # E starts on day 20; D and E referred
    ("2026HJ02", "GM1", "b"): (1, 0, 1),  # G referred and started
    ("2026HJ02", "GM2", "b"): (1, 1, 0),  # D starts on 300 and ends on 365 (E's move ends nothing)
    ("2026HJ02", "GM2", "a"): (0, 0, 1),  # F referred on 31 December; C's escalation ends no care
}


def test_hand_built_flows() -> None:
    out = metrics.count_flows(_episodes(EPISODES), dt.date(2026, 1, 1), 365.0)
    assert list(out.columns) == metrics.FLOW_COLUMNS
    assert len(out) == 2 * 3 * 2  # every half-year, gemeente and form
    got = {
        (r.period, r.gemeentecode, r.care_form): (r.started, r.ended, r.referred)
        for r in out.itertuples()
        if r.started or r.ended or r.referred
    }
    assert got == EXPECTED


def test_flows_carry_the_stocks_from_one_count_date_to_the_next() -> None:
    """In a run, per gemeente and form: stock on the period's last day = stock on the day before
    it + started - ended, up to the children moved by an exiting provider (no end, no start)."""
    scenario = load_scenario(ROOT / "scenarios/flevoland.yaml", {"years": 2.0})
    res = run(scenario)
    stocks, flows, ep = res.tables["stocks"], res.tables["flows"], res.tables["episodes"]
    assert list(flows["period"].unique()) == ["2026HJ01", "2026HJ02", "2027HJ01", "2027HJ02"]
    moved = int((ep["replacements"] > 0).sum())
    key = ["gemeentecode", "care_form"]
    at = {day: part.set_index(key)["in_care"] for day, part in stocks.groupby("day")}
    worst = 0
    for (t0, t1), part in flows.groupby(["t0", "t1"]):
        flow = part.set_index(key)
        before = at[t0] if t0 > 0 else _initial(ep, key).reindex(flow.index, fill_value=0)
        gap = (at[t1] - before - flow["started"] + flow["ended"]).abs()
        worst = max(worst, int(gap.sum()))
    assert worst <= moved


def _initial(ep: pd.DataFrame, key: list[str]) -> pd.Series:
    """The initial stock per (gemeente, form): in care at day 0."""
    first = ep[(ep["origin"] == "initial") & (ep["t_intake"] <= 0)]
    counts = first.groupby(["gemeente", "care_form"], observed=False).size()
    counts.index = counts.index.set_names(key)
    return counts
