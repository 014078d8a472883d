"""Calibration targets: typed, weighted and flagged from the CBS series, and their model side
computed from hand-made stocks and flows frames with known answers."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from calibration.model_side import active_in, flow_in, model_value, stock_on
from calibration.targets import Target, model_targets, target_forms

STOCKS = pd.DataFrame(
    [  # (replication, date, care_form, in_care): a run from 1 January 2019 over 730 days
        (0, "2019-06-30", "a", 10),
        (0, "2019-12-31", "a", 12),
        (0, "2020-06-30", "a", 11),
        (0, "2019-06-30", "b", 100),
        (0, "2019-12-31", "b", 100),
        (0, "2020-06-30", "b", 100),
        (1, "2019-06-30", "a", 20),
        (1, "2019-12-31", "a", 20),
        (1, "2020-06-30", "a", 21),
        (1, "2019-06-30", "b", 0),
        (1, "2019-12-31", "b", 0),
        (1, "2020-06-30", "b", 0),
    ],
    columns=["replication", "date", "care_form", "in_care"],
).assign(date=lambda f: pd.to_datetime(f["date"]))
FLOWS = pd.DataFrame(
    [  # (replication, period, care_form, started, ended); each replication conserves its stocks
        (0, "2019HJ01", "a", 4, 3),
        (0, "2019HJ02", "a", 5, 3),
        (0, "2020HJ01", "a", 2, 3),
        (0, "2019HJ01", "b", 7, 7),
        (0, "2019HJ02", "b", 1, 1),
        (0, "2020HJ01", "b", 0, 0),
        (1, "2019HJ01", "a", 1, 1),
        (1, "2019HJ02", "a", 0, 0),
        (1, "2020HJ01", "a", 3, 2),
        (1, "2019HJ01", "b", 0, 0),
        (1, "2019HJ02", "b", 0, 0),
        (1, "2020HJ01", "b", 0, 0),
    ],
    columns=["replication", "period", "care_form", "started", "ended"],
)


def _values(s: pd.Series) -> list[float]:
    return [float(x) for x in s.sort_index()]


def test_stock_on_a_count_date_and_carried_back_to_1_january() -> None:
    assert _values(stock_on(STOCKS, FLOWS, ["a"], dt.date(2019, 12, 31))) == [12, 20]
    assert _values(stock_on(STOCKS, FLOWS, ["a", "b"], dt.date(2020, 6, 30))) == [111, 21]
    # 1 January 2019 is before the first count date: 30 June - started + ended in 2019HJ01
    assert _values(stock_on(STOCKS, FLOWS, ["a"], dt.date(2018, 12, 31))) == [10 - 4 + 3, 20 - 1 + 1]
    assert all(math.isnan(x) for x in stock_on(STOCKS, FLOWS, ["a"], dt.date(2021, 6, 30)))


def test_flows_over_a_half_year_and_a_year() -> None:
    assert _values(flow_in(FLOWS, ["a"], "2019HJ02", "started")) == [5, 0]
    assert _values(flow_in(FLOWS, ["a", "b"], "2019", "ended")) == [3 + 3 + 7 + 1, 1]
    assert all(math.isnan(x) for x in flow_in(FLOWS, ["a"], "2020", "started"))  # 2020HJ02 not in the run


def test_active_is_the_stock_at_the_start_plus_the_starts() -> None:
    # rep 0: 9 in care on 1 January, 4 + 5 starts in the year
    assert _values(active_in(STOCKS, FLOWS, ["a"], "2019")) == [9 + 4 + 5, 20 + 1 + 0]
    assert _values(active_in(STOCKS, FLOWS, ["a"], "2019HJ01")) == [9 + 4, 20 + 1]
    assert _values(active_in(STOCKS, FLOWS, ["a"], "2020HJ01")) == [12 + 2, 20 + 3]


def test_model_value_dispatches_on_kind() -> None:
    base = Target("x_eindstand_30jun", "2020HJ01", 1.0, "", "stock", "")
    assert _values(model_value(base, STOCKS, FLOWS, ["a"])) == [11, 21]
    begin = Target("x_beginstand_1jan", "2020HJ01", 1.0, "", "stock", "")
    assert _values(model_value(begin, STOCKS, FLOWS, ["a"])) == [12, 20]
    flow = Target("x_uitstroom", "2020HJ01", 1.0, "", "flow", "", side="ended")
    assert _values(model_value(flow, STOCKS, FLOWS, ["a"])) == [3, 2]
    dated = Target("x_peildatum", "2019-06-30", 1.0, "", "stock", "")
    assert _values(model_value(dated, STOCKS, FLOWS, ["b"])) == [100, 0]


@pytest.fixture(scope="module")
def targets() -> dict[str, Target]:
    return {t.key: t for t in model_targets()}


def test_targets_are_typed_weighted_and_flagged(targets) -> None:
    t = targets["jeugdhulptrajecten_met_verblijf_instroom:0-22:2021HJ01"]
    assert (t.kind, t.side, t.group, t.value) == ("flow", "started", "met_verblijf", 8695.0)
    assert t.trend_break  # jeugdhulp from 2021
    assert t.weight == pytest.approx(0.8 * 0.5)  # provisional, derived by subtraction
    assert not targets["jeugdbescherming_maatregelen_totaal_instroom:0-17:2021HJ01"].trend_break  # GIs: no break
    assert not targets["jeugdhulptrajecten_actief_met_verblijf:0-22:2020"].trend_break
    # one key, two rows (29,300 rounded and 30,245): the exact figure is kept
    assert targets["jeugdbescherming_maatregelen_peildatum:0-17:2022-06-30"].value == 30245.0
    # derived starts: total started x share / 100
    pz = targets["jeugdhulptrajecten_begonnen_pleegzorg:0-22:2018"]
    assert pz.derived and pz.value == pytest.approx(335695 * 1.6 / 100)
    assert targets["jongeren_met_verblijf_pleegzorg:0-22:2019"].weight == pytest.approx(
        0.8 * 0.5 * 0.7
    )  # also provisional
    assert all(0 < x.weight <= 1 for x in targets.values())


def test_target_groups_follow_the_residential_flag() -> None:
    res = {"pleegzorg": True, "gezinshuis": True, "residentieel": True, "intensief_ambulant": False,
           "jeugdbescherming": False, "voogdij": False}  # fmt: skip
    assert target_forms("met_verblijf", res) == ["pleegzorg", "gezinshuis", "residentieel"]
    assert target_forms("overig_met_verblijf", res) == ["residentieel"]
    assert target_forms("jeugdbescherming_totaal", res) == ["jeugdbescherming", "voogdij"]
    assert target_forms("jeugdreclassering", res) == []


def test_the_forward_run_the_header_suggests_includes_the_last_31_december() -> None:
    """Years of 365 days fall short of a calendar year-end by the leap days in between: from
    2019-01-01, 6 years end on 2024-12-30; the suggested horizon must reach 2024-12-31."""
    import datetime as dt

    from calibration.output import forward_years

    years = forward_years(dt.date(2019, 1, 1), 2024)
    assert years * 365 > (dt.date(2024, 12, 31) - dt.date(2019, 1, 1)).days >= 6 * 365
    assert forward_years(dt.date(2021, 1, 1), 2021) == 1.0
