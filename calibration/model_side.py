"""The model's side of a calibration target, from a run's ``stocks`` and ``flows`` tables.

Every function returns one value per replication (a Series indexed by ``replication``), NaN where
the run does not cover the target's date or period:

* a **stock** on a date is the ``stocks`` count on that date (1 January = the 31 December before);
  where that count date is not in the run (1 January of its first year), it is carried back from
  the 30 June after it: stock(30 June) - started + ended in the first half-year (the flows table's
  conservation, exact for children never moved by an exiting provider);
* a **flow** over a half-year (``2021HJ01``) is the ``flows`` count of that half; over a year
  (``2019``) the sum of its two halves, NaN unless both are in the run;
* **active** in a period (CBS "actief in periode", "jongeren met ... in jaar") is the stock at its
  start plus the starts in it, = stock(30 June) + ended(first half) + started(second half) for a
  year, stock(30 June) + ended(first half) for a first half-year.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import pandas as pd

from calibration.targets import Side, Target

__all__ = ["active_in", "flow_in", "model_value", "stock_date", "stock_on"]


def _per_replication(frame: pd.DataFrame, mask: pd.Series, column: str, replications: list[int]) -> pd.Series:
    sums = frame.loc[mask].groupby("replication")[column].sum()
    return sums.reindex(replications, fill_value=0).astype(float)


def _replications(*frames: pd.DataFrame) -> list[int]:
    return sorted({int(r) for f in frames for r in f["replication"].unique()})


def _date_stock(stocks: pd.DataFrame, forms: Sequence[str], date: dt.date) -> pd.Series | None:
    """The stocks count on ``date``, or None when the date is not a count date of the run."""
    on = pd.to_datetime(stocks["date"]).dt.date == date
    if not on.any():
        return None
    return _per_replication(stocks, on & stocks["care_form"].isin(list(forms)), "in_care", _replications(stocks))


def flow_in(flows: pd.DataFrame, forms: Sequence[str], period: str, side: Side) -> pd.Series:
    """Care ``side`` (started / ended) in ``forms`` in a half-year ``YYYYHJ0n`` or a year ``YYYY``."""
    halves = [period] if "HJ" in period else [f"{period}HJ01", f"{period}HJ02"]
    reps = _replications(flows)
    present = set(flows["period"].unique())
    if not set(halves) <= present:
        return pd.Series(float("nan"), index=pd.Index(reps, name="replication"))
    mask = flows["period"].isin(halves) & flows["care_form"].isin(list(forms))
    return _per_replication(flows, mask, side, reps)


def stock_on(stocks: pd.DataFrame, flows: pd.DataFrame, forms: Sequence[str], date: dt.date) -> pd.Series:
    """Children in care in ``forms`` at the end of ``date`` (see the module docstring)."""
    direct = _date_stock(stocks, forms, date)
    if direct is not None:
        return direct
    if date.month == 12 and date.day == 31:  # carried back from the next 30 June
        half = f"{date.year + 1}HJ01"
        june = _date_stock(stocks, forms, dt.date(date.year + 1, 6, 30))
        if june is not None:
            return june - flow_in(flows, forms, half, "started") + flow_in(flows, forms, half, "ended")
    return pd.Series(float("nan"), index=pd.Index(_replications(stocks), name="replication"))


def active_in(stocks: pd.DataFrame, flows: pd.DataFrame, forms: Sequence[str], period: str) -> pd.Series:
    """Children in care in ``forms`` at some time in a year or first half-year."""
    year = int(period[:4])
    june = stock_on(stocks, flows, forms, dt.date(year, 6, 30))
    out = june + flow_in(flows, forms, f"{year}HJ01", "ended")
    if "HJ" in period:
        if not period.endswith("HJ01"):
            raise ValueError(f"active in a second half-year is not a CBS period: {period}")
        return out
    return out + flow_in(flows, forms, f"{year}HJ02", "started")


def stock_date(target: Target) -> dt.date:
    """The count date of a stock target: its period as a date, or 30 June / 1 January of a
    half-year (``eindstand_30jun`` / ``beginstand_1jan``); 1 January is counted as the 31
    December before (CBS's beginstand is the eindstand of the day before)."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", target.period):
        return dt.date.fromisoformat(target.period)
    year = target.year
    if "beginstand" in target.indicator:
        return dt.date(year - 1, 12, 31)
    return dt.date(year, 6, 30)


def model_value(target: Target, stocks: pd.DataFrame, flows: pd.DataFrame, forms: Sequence[str]) -> pd.Series:
    """The model's count for ``target`` in ``forms``, per replication (unscaled)."""
    if target.kind == "stock":
        return stock_on(stocks, flows, forms, stock_date(target))
    if target.kind == "flow":
        return flow_in(flows, forms, target.period, target.side)
    return active_in(stocks, flows, forms, target.period)
