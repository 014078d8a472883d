"""NZa-style early-warning signals from the monthly provider ledger."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from simulation.config import EarlyWarning

__all__ = ["SIGNAL_COLUMNS", "SIGNAL_KPIS", "early_warnings", "first_visible_day", "signals_unseen"]

SIGNAL_COLUMNS = ["provider_id", "period", "t_seen", "indicator", "value", "threshold"]
#: the KPIs that count or time what the regulator saw: empty when it can see nothing in the run
SIGNAL_KPIS = ("early_warnings", "signal_lead_time_days")
_MONTHS = {"annual": 12, "quarterly": 3, "monthly": 1}


def early_warnings(ledger: pd.DataFrame, ew: EarlyWarning, start: dt.date, horizon: float) -> pd.DataFrame:
    """NZa signals per provider and reporting period, dated when the regulator can see them.

    Figures are aggregated over complete reporting periods (calendar year, quarter or month) and
    become visible ``lag_months`` after the period ends. A signal fires when solvency (reserves at
    the period's end / annualised revenue), margin (margin / revenue), occupancy (occupied /
    available places) or staff turnover (annualised leavers / staff) crosses its threshold.
    """
    if ledger.empty:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    led = ledger[ledger["status"] != "exited"].copy()
    month = pd.to_datetime(led["month"])
    if ew.reporting == "annual":
        led["period"] = month.dt.year.astype(str)
        size = 12
    elif ew.reporting == "quarterly":
        led["period"] = month.dt.year.astype(str) + "Q" + month.dt.quarter.astype(str)
        size = 3
    else:
        led["period"] = month.dt.strftime("%Y-%m")
        size = 1
    led["_first"] = month
    agg = led.groupby(["provider_id", "period"], observed=True, sort=True).agg(
        first=("_first", "min"),
        months=("_first", "nunique"),
        days=("days", "sum"),
        revenue=("revenue_eur", "sum"),
        margin=("margin_eur", "sum"),
        reserves=("reserves_eur", "last"),
        occupied=("occupied_days", "sum"),
        places=("nominal_place_days", "sum"),
        leavers=("leavers_fte", "sum"),
        fte=("fte", "mean"),
    )
    agg = agg[(agg["months"] == size) & (agg["days"] >= size * 28)].reset_index()
    if agg.empty:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    seen = agg["first"] + pd.DateOffset(months=size + ew.lag_months)
    agg["t_seen"] = (seen - pd.Timestamp(start)).dt.days.astype(float)
    agg = agg[agg["t_seen"] <= horizon]  # what the regulator has not seen by the horizon is not a signal
    annual = 365.0 / agg["days"]
    with np.errstate(divide="ignore", invalid="ignore"):
        checks = {
            "solvency": (agg["reserves"] / (agg["revenue"] * annual), ew.solvency_min, "below"),
            "margin": (agg["margin"] / agg["revenue"], ew.margin_min, "below"),
            "occupancy": (agg["occupied"] / agg["places"], ew.occupancy_min, "below"),
            "turnover": (agg["leavers"] / agg["fte"] * annual, ew.turnover_max, "above"),
        }
    parts = []
    for name, (value, threshold, side) in checks.items():
        value = value.replace([np.inf, -np.inf], np.nan)
        hit = value < threshold if side == "below" else value > threshold
        sel = agg[hit.fillna(False)]
        parts.append(
            pd.DataFrame(
                {
                    "provider_id": sel["provider_id"].astype(str),
                    "period": sel["period"],
                    "t_seen": sel["t_seen"],
                    "indicator": name,
                    "value": value[hit.fillna(False)],
                    "threshold": threshold,
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["t_seen", "provider_id", "indicator"], kind="stable").reset_index(drop=True)


def first_visible_day(ew: EarlyWarning, start: dt.date) -> float:
    """The day of a run (from ``start``) on which the regulator sees its first accounts.

    The same rule as :func:`early_warnings`: only a complete reporting period counts (all its
    months in the run and at least 28 days a month), and it becomes visible ``lag_months`` after
    it ends. A period the run starts part-way through counts only if the run starts in its first
    month and still covers 28 days a month of it.
    """
    size = _MONTHS[ew.reporting]
    first_month = (start.month - 1) // size * size + 1  # the first month of the period holding start
    period = pd.Timestamp(dt.date(start.year, first_month, 1))
    covered = (period + pd.DateOffset(months=size) - pd.Timestamp(start)).days
    if first_month != start.month or covered < size * 28:
        period += pd.DateOffset(months=size)
    seen = period + pd.DateOffset(months=size + ew.lag_months)
    return float((seen - pd.Timestamp(start)).days)


def signals_unseen(ew: EarlyWarning, start: dt.date, horizon: float) -> dict[str, object] | None:
    """Why :data:`SIGNAL_KPIS` are empty by design in a run of ``horizon`` days, or None if the
    regulator can see accounts within it: the reporting, its lag, and the first day it could."""
    day = first_visible_day(ew, start)
    if day <= horizon:
        return None
    return {
        "kpis": list(SIGNAL_KPIS),
        "reporting": ew.reporting,
        "lag_months": ew.lag_months,
        "visible_day": day,
        "visible_date": (start + dt.timedelta(days=day)).isoformat(),
        "horizon_days": horizon,
    }
