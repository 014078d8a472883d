"""KPIs: pure functions from the tidy tables of one replication, and CIs over replications.

The measurement window runs from the warm-up to the horizon. Episode KPIs count children
referred in the window (the initial stock never counts as a referral). Monthly tables count the
months that start at or after the warm-up.

* ``wait_days_mean`` / ``wait_days_p90``: referral to first intake, children placed by the
  horizon. Children still waiting at the horizon are not in these (see ``waiting_at_end``).
* ``share_over_norm``: of the children whose position against the norm is known by the horizon
  (placed, or waited longer than the norm, escalated or not), the share that waited longer.
* ``waiting_at_end``: children on a waiting list at the horizon (all origins).
* ``children_served``: intakes in the window (re-placements excluded).
* ``escalations``: escalations in the window.
* ``utilisation_mean``: occupied place-days / place-days staff allowed (all providers; per care form
  from the monthly ``forms`` table).
* ``provider_exits``: providers that left in the window.
* ``admin_cost_eur``: administration of providers (the staff time it takes, in euros) and of
  contracting units; ``admin_cost_providers_eur`` and ``admin_cost_municipalities_eur`` split it.
* ``total_cost_eur``: what gemeenten paid for care, their own administration and any liquidity
  support, in the window; ``municipal_cost_per_youth_eur`` is that per youth per year.
* ``early_warnings``: NZa signals seen in the window; ``signal_lead_time_days``: mean time from a
  provider's first signal to its exit; ``exits_without_signal``: exits no signal preceded.
* ``months_in_deficit``: provider-months with a negative margin; ``margin_p10``: the 10th
  percentile over providers of their margin as a share of revenue.
* ``replaced_children``: children moved because their provider left; ``replacement_extra_wait_days``:
  their mean extra wait (until the horizon for those still waiting).
* ``unpaid_care_eur``: care delivered above budget ceilings, not paid.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from simulation.config import EarlyWarning

__all__ = ["KPIS", "PER_FORM_KPIS", "kpis", "paired_differences", "summarise"]

KPIS = [
    "wait_days_mean",
    "wait_days_p90",
    "share_over_norm",
    "waiting_at_end",
    "children_served",
    "escalations",
    "utilisation_mean",
    "provider_exits",
    "admin_cost_eur",
    "total_cost_eur",
    "early_warnings",
    "signal_lead_time_days",
    "exits_without_signal",
    "months_in_deficit",
    "margin_p10",
    "replaced_children",
    "replacement_extra_wait_days",
    "municipal_cost_per_youth_eur",
    "admin_cost_providers_eur",
    "admin_cost_municipalities_eur",
    "unpaid_care_eur",
]
PER_FORM_KPIS = KPIS[:7]
ALL = "ALL"


def _episode_kpis(ep: pd.DataFrame, norms: Mapping[str, float], warmup: float, horizon: float) -> dict[str, float]:
    ref = ep[(ep["origin"] != "initial") & (ep["t_referral"] >= warmup)]
    placed = ref[ref["t_intake"].notna()]
    wait = (placed["t_intake"] - placed["t_referral"]).to_numpy()
    norm = ref["care_form"].map(norms).to_numpy(dtype=float)
    end = np.where(ref["t_intake"].notna(), ref["t_intake"], np.where(ref["t_end"].notna(), ref["t_end"], horizon))
    elapsed = end - ref["t_referral"].to_numpy()
    is_placed = ref["t_intake"].notna().to_numpy()
    over = elapsed > norm
    known = is_placed | over
    intakes = ep[(ep["origin"] != "initial") & (ep["t_intake"] >= warmup)]
    return {
        "wait_days_mean": float(wait.mean()) if wait.size else math.nan,
        "wait_days_p90": float(np.quantile(wait, 0.9)) if wait.size else math.nan,
        "share_over_norm": float(over[known].mean()) if known.any() else math.nan,
        "waiting_at_end": float((ep["state"] == "waiting").sum()),
        "children_served": float(len(intakes)),
        "escalations": float(((ep["state"] == "escalated") & (ep["t_end"] >= warmup)).sum()),
    }


def kpis(
    tables: Mapping[str, pd.DataFrame],
    norms: Mapping[str, float],
    warmup: float,
    horizon: float,
    youth: float,
) -> pd.DataFrame:
    """Long table (kpi, care_form, value) for one replication; care_form ``ALL`` for totals."""
    ep = tables["episodes"]
    ledger = tables["ledger"]
    municipal = tables["municipal"]
    payments = tables["payments"]
    exits = tables["exits"]
    signals = tables["signals"]
    rows: list[tuple[str, str, float]] = []
    total = _episode_kpis(ep, norms, warmup, horizon)
    led = ledger[ledger["t_start"] >= warmup]
    place_days = led["place_days"].sum()
    total["utilisation_mean"] = float(led["occupied_days"].sum() / place_days) if place_days > 0 else math.nan
    window_exits = exits[exits["exit_day"] >= warmup]
    total["provider_exits"] = float(len(window_exits))
    mun = municipal[municipal["t_start"] >= warmup]
    pay = payments[payments["t_start"] >= warmup]
    admin_p = float(led["admin_cost_eur"].sum())
    admin_m = float(mun["admin_cost_eur"].sum())
    total["admin_cost_providers_eur"] = admin_p
    total["admin_cost_municipalities_eur"] = admin_m
    total["admin_cost_eur"] = admin_p + admin_m
    total["total_cost_eur"] = float(pay["paid_eur"].sum() + admin_m + mun["support_eur"].sum())
    years = (horizon - warmup) / 365.0
    total["municipal_cost_per_youth_eur"] = total["total_cost_eur"] / youth / years if youth > 0 else math.nan
    total["unpaid_care_eur"] = float(pay["delivered_eur"].sum() - pay["paid_eur"].sum())
    seen = signals[signals["t_seen"] >= warmup]
    total["early_warnings"] = float(len(seen))
    first_signal = {str(k): float(v) for k, v in signals.groupby("provider_id", observed=True)["t_seen"].min().items()}
    lead = [
        float(day) - first_signal[str(pid)]
        for pid, day in zip(window_exits["provider_id"], window_exits["exit_day"], strict=True)
        if str(pid) in first_signal and first_signal[str(pid)] <= float(day)
    ]
    total["signal_lead_time_days"] = float(np.mean(lead)) if lead else math.nan
    total["exits_without_signal"] = float(len(window_exits) - len(lead))
    active = led[led["status"] != "exited"]
    total["months_in_deficit"] = float((active["margin_eur"] < 0).sum())
    per_provider = active.groupby("provider_id", observed=True)[["margin_eur", "revenue_eur"]].sum()
    per_provider = per_provider[per_provider["revenue_eur"] > 0]
    ratio = (per_provider["margin_eur"] / per_provider["revenue_eur"]).to_numpy()
    total["margin_p10"] = float(np.quantile(ratio, 0.1)) if ratio.size else math.nan
    total["replaced_children"] = float(window_exits["children_replaced"].sum())
    moved = ep[ep["replacements"] > 0]
    extra = moved["extra_wait_days"].to_numpy() + np.where(
        moved["state"].to_numpy() == "waiting", horizon - moved["waiting_since"].to_numpy(dtype=float), 0.0
    )
    total["replacement_extra_wait_days"] = float(extra.mean()) if extra.size else math.nan
    rows += [(k, ALL, total[k]) for k in KPIS]
    forms = tables["forms"]
    forms = forms[forms["t_start"] >= warmup].groupby("care_form", observed=True)[["occupied_days", "place_days"]].sum()
    for form, part in ep.groupby("care_form", sort=True, observed=True):
        fk = _episode_kpis(part, norms, warmup, horizon)
        occupied = float(forms["occupied_days"].get(form, 0.0))
        available = float(forms["place_days"].get(form, 0.0))
        fk["utilisation_mean"] = occupied / available if available > 0 else math.nan
        rows += [(k, str(form), fk[k]) for k in PER_FORM_KPIS]
    return pd.DataFrame(rows, columns=["kpi", "care_form", "value"])


SIGNAL_COLUMNS = ["provider_id", "period", "t_seen", "indicator", "value", "threshold"]


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


def _ci(values: np.ndarray) -> tuple[float, float, float]:
    v = values[~np.isnan(values)]
    if v.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(v.mean())
    if v.size < 2:
        return mean, math.nan, math.nan
    # scipy.special rather than scipy.stats: the same quantile without a second of import time.
    from scipy.special import stdtrit

    half = float(stdtrit(v.size - 1, 0.975) * v.std(ddof=1) / math.sqrt(v.size))
    return mean, mean - half, mean + half


def summarise(per_rep: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% t-interval over replications, per (scenario, kpi, care_form)."""
    rows = []
    for (scenario, kpi, form), part in per_rep.groupby(["scenario", "kpi", "care_form"], sort=False):
        mean, lo, hi = _ci(part["value"].to_numpy(dtype=float))
        rows.append((scenario, kpi, form, mean, lo, hi, int(part["value"].notna().sum())))
    return pd.DataFrame(rows, columns=["scenario", "kpi", "care_form", "mean", "ci_low", "ci_high", "n"])


def paired_differences(per_rep: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Per-replication differences against ``baseline`` (same children: common random numbers)."""
    base = per_rep[per_rep["scenario"] == baseline].set_index(["replication", "kpi", "care_form"])["value"]
    rows = []
    for scenario, part in per_rep[per_rep["scenario"] != baseline].groupby("scenario", sort=False):
        diff = part.set_index(["replication", "kpi", "care_form"])["value"] - base
        d = diff.reset_index()
        for (kpi, form), g in d.groupby(["kpi", "care_form"], sort=False):
            mean, lo, hi = _ci(g["value"].to_numpy(dtype=float))
            rows.append((scenario, baseline, kpi, form, mean, lo, hi))
    return pd.DataFrame(rows, columns=["scenario", "against", "kpi", "care_form", "mean", "ci_low", "ci_high"])
