"""The tables the pages show, cut from a result set's tables: selection and sums, no model logic.

Every function takes the tables of one cell (see :func:`dashboard.store.cell_of`) as DataFrames
and returns a DataFrame; numbers are summed, averaged or divided, never simulated. Over
replications a line is the mean and a band runs from the lowest to the highest replication.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from simulation.metrics import used_place_days

__all__ = [
    "band",
    "differences_table",
    "forms_above_region",
    "headline_table",
    "provider_events",
    "provider_summary",
    "provider_timeseries",
    "region_units",
    "stocks_per_area",
    "waiting_over_time",
]

ALL = "ALL"


def headline_table(summary: pd.DataFrame, kpis: Sequence[str]) -> pd.DataFrame:
    """kpi, scenario, mean, ci_low, ci_high for ``kpis`` over all care forms, KPIs in the given order."""
    rows = summary[(summary["care_form"] == ALL) & summary["kpi"].isin(kpis)]
    out = rows[["kpi", "scenario", "mean", "ci_low", "ci_high"]].copy()
    out["_order"] = out["kpi"].map({k: i for i, k in enumerate(kpis)})
    return out.sort_values(["_order"], kind="stable").drop(columns="_order").reset_index(drop=True)


def differences_table(differences: pd.DataFrame, kpis: Sequence[str]) -> pd.DataFrame:
    """kpi, scenario, against, mean, ci_low, ci_high: paired differences over all care forms."""
    if differences.empty:
        return pd.DataFrame(columns=["kpi", "scenario", "against", "mean", "ci_low", "ci_high"])
    rows = differences[(differences["care_form"] == ALL) & differences["kpi"].isin(kpis)]
    out = rows[["kpi", "scenario", "against", "mean", "ci_low", "ci_high"]].copy()
    out["_order"] = out["kpi"].map({k: i for i, k in enumerate(kpis)})
    return out.sort_values(["_order"], kind="stable").drop(columns="_order").reset_index(drop=True)


def band(frame: pd.DataFrame, keys: Sequence[str], value: str) -> pd.DataFrame:
    """Per ``keys``: mean, low (min) and high (max) of ``value`` over replications."""
    grouped = frame.groupby([*keys], observed=True)[value]
    out = grouped.agg(["mean", "min", "max"]).reset_index()
    return out.rename(columns={"min": "low", "max": "high"})


def _placed(units: pd.DataFrame, gemeenten: pd.DataFrame) -> pd.DataFrame:
    """The units table with each row's jeugdregio taken from its gemeente (the table's own
    ``jeugdregio_code`` is the unit's, ``NL`` for a national unit)."""
    where = gemeenten[["gemeentecode", "jeugdregio_code"]]
    return units.drop(columns=["jeugdregio_code"]).merge(where, on="gemeentecode")


def _inside(units: pd.DataFrame, gemeenten: pd.DataFrame, region: str) -> pd.DataFrame:
    """unit_id, scenario of the units whose gemeenten all lie in ``region``."""
    placed = _placed(units, gemeenten)
    spread = placed.groupby(["scenario", "unit_id"], observed=True)["jeugdregio_code"].agg(["nunique", "first"])
    spread = spread[(spread["nunique"] == 1) & (spread["first"] == region)]
    return spread.reset_index()[["scenario", "unit_id"]]


def region_units(units: pd.DataFrame, gemeenten: pd.DataFrame, region: str) -> pd.DataFrame:
    """The contracting units that buy for ``region``'s gemeenten under each regime: scenario,
    unit_id, unit_name, level, gemeenten (of this region), regions (how many it spans)."""
    placed = _placed(units, gemeenten)
    serving = placed.loc[placed["jeugdregio_code"] == region, ["scenario", "unit_id"]].drop_duplicates()
    mine = placed.merge(serving, on=["scenario", "unit_id"])
    rows = mine.groupby(["scenario", "unit_id", "unit_name", "level"], observed=True).agg(
        gemeenten=("gemeentecode", lambda s: int((mine.loc[s.index, "jeugdregio_code"] == region).sum())),
        regions=("jeugdregio_code", "nunique"),
    )
    return rows.reset_index()


def waiting_over_time(
    waiting: pd.DataFrame, units: pd.DataFrame, gemeenten: pd.DataFrame, region: str, scenario: str, warmup: float = 0.0
) -> pd.DataFrame:
    """Children waiting at each month's end per care form, summed over the units inside
    ``region`` (units that buy for several regions are left out: see :func:`forms_above_region`),
    months of the measurement window (from ``warmup`` on): month, care_form, mean, low, high
    over replications."""
    inside = _inside(units, gemeenten, region)
    inside = inside[inside["scenario"] == scenario]
    rows = waiting[(waiting["scenario"] == scenario) & waiting["unit_id"].isin(inside["unit_id"])]
    rows = rows[rows["t_start"] >= warmup]
    per_rep = rows.groupby(["month", "care_form", "replication"], observed=True)["waiting_end"].sum().reset_index()
    out = band(per_rep, ["month", "care_form"], "waiting_end")
    out["month"] = pd.to_datetime(out["month"])
    return out.sort_values(["care_form", "month"], ignore_index=True)


def forms_above_region(
    waiting: pd.DataFrame, units: pd.DataFrame, gemeenten: pd.DataFrame, region: str, scenario: str
) -> pd.DataFrame:
    """Care forms bought for ``region`` by a unit that buys for more regions too: care_form,
    unit_name, level, regions (the jeugdregio's it buys for), waiting (mean, at the last month, over
    the whole unit)."""
    mine = region_units(units, gemeenten, region)
    wide = mine[(mine["scenario"] == scenario) & (mine["regions"] > 1)]
    rows = waiting[(waiting["scenario"] == scenario) & waiting["unit_id"].isin(wide["unit_id"])]
    if rows.empty:
        return pd.DataFrame(columns=["care_form", "unit_name", "level", "regions", "waiting"])
    last = rows[rows["month"] == rows["month"].max()]
    per = last.groupby(["unit_id", "care_form"], observed=True)["waiting_end"].mean().reset_index()
    out = per.merge(wide[["unit_id", "unit_name", "level", "regions"]], on="unit_id")
    out = out.rename(columns={"waiting_end": "waiting"})
    return out[["care_form", "unit_name", "level", "regions", "waiting"]].sort_values("care_form", ignore_index=True)


def provider_summary(ledger: pd.DataFrame, providers: pd.DataFrame, scenario: str, warmup: float) -> pd.DataFrame:
    """Per provider in ``providers`` (provider_id, naam, ...), over the measurement window and
    averaged over replications: occupancy (occupied / used place-days, at most 1), margin (margin /
    revenue), reserves_eur and fte at the last month, active (share of replications in which it
    was still active at the end)."""
    rows = ledger[(ledger["scenario"] == scenario) & ledger["provider_id"].isin(providers["provider_id"])]
    window = rows[rows["t_start"] >= warmup]
    if window.empty:
        cols = ["provider_id", "naam", "occupancy", "margin", "reserves_eur", "fte", "active"]
        return pd.DataFrame(columns=cols)
    window = window.assign(used_days=used_place_days(window))
    sums = window.groupby("provider_id", observed=True)[["occupied_days", "used_days", "margin_eur", "revenue_eur"]]
    totals = sums.sum()
    last = rows.sort_values("t_start").groupby(["provider_id", "replication"], observed=True).tail(1)
    end = last.groupby("provider_id", observed=True).agg(
        reserves_eur=("reserves_eur", "mean"),
        fte=("fte", "mean"),
        active=("status", lambda s: float((s == "active").mean())),
    )
    out = pd.DataFrame(
        {
            "occupancy": totals["occupied_days"] / totals["used_days"].replace(0, np.nan),
            "margin": totals["margin_eur"] / totals["revenue_eur"].replace(0, np.nan),
        }
    ).join(end)
    out = providers.merge(out.reset_index(), on="provider_id")
    return out.sort_values("provider_id", ignore_index=True)


def provider_timeseries(ledger: pd.DataFrame, provider_ids: Sequence[str], scenario: str) -> pd.DataFrame:
    """Month by month over the chosen providers, summed per replication then banded: measure
    (margin, reserves_eur, fte), month, mean, low, high. The margin is a share of revenue."""
    rows = ledger[(ledger["scenario"] == scenario) & ledger["provider_id"].isin(list(provider_ids))]
    cols = ["margin_eur", "revenue_eur", "reserves_eur", "fte"]
    per_rep = rows.groupby(["month", "replication"], observed=True)[cols].sum().reset_index()
    per_rep["margin"] = per_rep["margin_eur"] / per_rep["revenue_eur"].replace(0, np.nan)
    frames = []
    for measure in ("margin", "reserves_eur", "fte"):
        b = band(per_rep, ["month"], measure)
        b.insert(0, "measure", measure)
        frames.append(b)
    out = pd.concat(frames, ignore_index=True)
    out["month"] = pd.to_datetime(out["month"])
    return out


def provider_events(
    exits: pd.DataFrame, signals: pd.DataFrame, provider_ids: Sequence[str], scenario: str
) -> pd.DataFrame:
    """Exits and early-warning signals of the chosen providers: replication, day, provider_id,
    event ("uitval" or "signaal"), detail."""
    ids = set(provider_ids)
    ex = exits[(exits["scenario"] == scenario) & exits["provider_id"].isin(ids)]
    sg = signals[(signals["scenario"] == scenario) & signals["provider_id"].isin(ids)]
    parts = [
        pd.DataFrame(
            {
                "replication": ex["replication"],
                "day": ex["exit_day"],
                "provider_id": ex["provider_id"],
                "event": "uitval",
                "detail": ex["cause"].astype(str),
            }
        ),
        pd.DataFrame(
            {
                "replication": sg["replication"],
                "day": sg["t_seen"],
                "provider_id": sg["provider_id"],
                "event": "signaal",
                "detail": sg["indicator"].astype(str),
            }
        ),
    ]
    out = pd.concat([p for p in parts if not p.empty], ignore_index=True) if any(len(p) for p in parts) else parts[0]
    return out.sort_values(["day", "provider_id"], ignore_index=True)


def stocks_per_area(stocks: pd.DataFrame, gemeenten: pd.DataFrame, scenario: str, level: str) -> pd.DataFrame:
    """Children waiting and in care on the last count date, averaged over replications, per
    jeugdregio (``level="jeugdregio"``) or gemeente, with the same per 1,000 youth aged 0-17:
    code, waiting, in_care, youth, waiting_per_1000, in_care_per_1000, date."""
    rows = stocks[stocks["scenario"] == scenario]
    if rows.empty:
        cols = ["code", "waiting", "in_care", "youth", "waiting_per_1000", "in_care_per_1000", "date"]
        return pd.DataFrame(columns=cols)
    last = rows[rows["date"] == rows["date"].max()]
    key = "jeugdregio_code" if level == "jeugdregio" else "gemeentecode"
    joined = last.merge(gemeenten[["gemeentecode", "jeugdregio_code"]], on="gemeentecode")
    per_rep = joined.groupby([key, "replication"], observed=True)[["waiting", "in_care"]].sum()
    mean = per_rep.groupby(level=0).mean()
    youth = gemeenten.groupby(key)["jeugd_0_17"].sum()
    # areas the run did not simulate stay NaN (grey on the map), not zero
    out = mean.join(youth.rename("youth"), how="right")
    out["waiting_per_1000"] = out["waiting"] / out["youth"] * 1000
    out["in_care_per_1000"] = out["in_care"] / out["youth"] * 1000
    out["date"] = pd.Timestamp(last["date"].iloc[0])
    out.index.name = "code"
    return out.reset_index()
