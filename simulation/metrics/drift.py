"""Yearly figures of one replication, to check that a run without scheduled changes is steady.

Per simulated year (365 days from the start): the mean waiting list (children, time-weighted),
nominal and staffed places, children in care, staff (FTE), the sector margin (margin over revenue),
and provider exits. :func:`drift` gives the year-on-year change of each: relative for the stocks,
in points of revenue for the margin, and exits as a share of the providers at the start.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from simulation.metrics.definitions import used_place_days

__all__ = [
    "DRIFT_COLUMNS",
    "drift",
    "yearly_figures",
    "yearly_margin_by_group",
    "yearly_occupancy_by_form",
    "yearly_places_by_form",
    "yearly_waiting_by_form",
]

#: Figures whose year-on-year relative change is the drift.
DRIFT_COLUMNS = ("waiting", "places", "staffed_places", "in_care", "staff_fte")


def yearly_figures(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per whole simulated year of ``tables`` (a replication's result tables)."""
    ledger, waiting, exits = tables["ledger"], tables["waiting"], tables["exits"]
    year_of = lambda t: np.floor(np.asarray(t, dtype=float) / 365.0 + 1e-9).astype(int)  # noqa: E731
    led = ledger.assign(year=year_of(ledger["t_start"]), fte_days=ledger["fte"] * ledger["days"])
    wait = waiting.assign(year=year_of(waiting["t_start"]), area=waiting["waiting_mean"] * waiting["days"])
    rows = []
    for key, part in led.groupby("year"):
        year = int(str(key))
        days = part.drop_duplicates("t_start")["days"].sum()
        if days < 364.0:
            continue  # a cut year at the horizon
        w = wait[wait["year"] == year]
        revenue = part["revenue_eur"].sum()
        rows.append(
            {
                "year": year + 1,
                "waiting": w["area"].sum() / days,
                "places": part["nominal_place_days"].sum() / days,
                "staffed_places": part["place_days"].sum() / days,
                "in_care": part["occupied_days"].sum() / days,
                "staff_fte": part["fte_days"].sum() / days,
                "margin": part["margin_eur"].sum() / revenue if revenue else np.nan,
                "loss_making": float((part.groupby("provider_id")["margin_eur"].sum() < 0).mean()),
                "exits": int(((exits["exit_day"] >= year * 365.0) & (exits["exit_day"] < (year + 1) * 365.0)).sum()),
                "providers": int(part["provider_id"].nunique()),
            }
        )
    return pd.DataFrame(rows)


def drift(figures: pd.DataFrame) -> pd.DataFrame:
    """Year-on-year drift of :func:`yearly_figures`: relative change of each stock, the change of
    the margin in points of revenue, and the year's exits over the providers of the first year."""
    out = pd.DataFrame({"year": figures["year"].iloc[1:].to_numpy()})
    for col in DRIFT_COLUMNS:
        x = figures[col].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[col] = np.where(x[:-1] > 0, x[1:] / x[:-1] - 1.0, np.where(x[1:] > 0, np.inf, 0.0))
    out["margin"] = np.diff(figures["margin"].to_numpy(dtype=float))
    out["exits"] = figures["exits"].iloc[1:].to_numpy() / max(1, int(figures["providers"].iloc[0]))
    return out


def _in_whole_years(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """``table`` (monthly rows: ``t_start``, ``days``) with a 1-based ``year`` column, cut to the
    whole simulated years, and the days of each of those years."""
    year = np.floor(table["t_start"].to_numpy(dtype=float) / 365.0 + 1e-9).astype(int) + 1
    t = table.assign(year=year)
    days = t.drop_duplicates("t_start").groupby("year")["days"].sum()
    whole = days[days >= 364.0]
    return t[t["year"].isin(whole.index)], whole


def _yearly_mean(table: pd.DataFrame, area: pd.Series) -> pd.DataFrame:
    """Time-weighted yearly mean per care form (rows) and whole year (columns) of a monthly table
    whose ``area`` is its quantity x days."""
    t, days = _in_whole_years(table.assign(area=area))
    return t.groupby(["care_form", "year"], observed=True)["area"].sum().unstack("year") / days


def yearly_waiting_by_form(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Mean waiting list (children, time-weighted) per care form (rows) and whole year (columns)."""
    waiting = tables["waiting"]
    return _yearly_mean(waiting, waiting["waiting_mean"] * waiting["days"])


def yearly_places_by_form(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Mean nominal places per care form (rows) and whole year (columns)."""
    return _yearly_mean(tables["forms"], tables["forms"]["nominal_place_days"])


def yearly_occupancy_by_form(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Occupied over used place-days (:func:`.definitions.used_place_days`) per care form (rows)
    and whole year (columns)."""
    forms, _ = _in_whole_years(tables["forms"])
    forms = forms.assign(used_days=used_place_days(forms))
    totals = forms.groupby(["care_form", "year"], observed=True)[["occupied_days", "used_days"]].sum()
    return (totals["occupied_days"] / totals["used_days"]).unstack("year")


def yearly_margin_by_group(tables: Mapping[str, pd.DataFrame], group_of: Mapping[str, str]) -> pd.DataFrame:
    """Margin over revenue per provider group (rows; ``group_of`` maps provider ids to groups) and
    whole year (columns)."""
    ledger, _ = _in_whole_years(tables["ledger"])
    sums = ledger.assign(group=ledger["provider_id"].astype(str).map(group_of)).groupby(["group", "year"])
    totals = sums[["margin_eur", "revenue_eur"]].sum()
    return (totals["margin_eur"] / totals["revenue_eur"]).unstack("year")
