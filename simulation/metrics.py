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
* ``utilisation_mean``: occupied place-days / available place-days (all providers).
* ``provider_exits``: providers that left in the window.
* ``admin_cost_eur``: administration of providers and of contracting units in the window.
* ``total_cost_eur``: what gemeenten paid for care plus their own administration in the window.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

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


def _care_days(ep: pd.DataFrame, warmup: float, horizon: float) -> float:
    """Place-days used in the window by children in care (first stay of each child)."""
    start = ep["t_intake"].to_numpy(dtype=float)
    stop = ep["t_end"].fillna(horizon).to_numpy(dtype=float)
    stop = np.where(ep["state"].to_numpy() == "escalated", start, stop)
    lo = np.maximum(start, warmup)
    hi = np.minimum(stop, horizon)
    return float(np.nansum(np.clip(hi - lo, 0.0, None)))


def kpis(
    tables: Mapping[str, pd.DataFrame],
    norms: Mapping[str, float],
    places: Mapping[str, int],
    warmup: float,
    horizon: float,
) -> pd.DataFrame:
    """Long table (kpi, care_form, value) for one replication; care_form ``ALL`` for totals."""
    ep = tables["episodes"]
    ledger = tables["ledger"]
    municipal = tables["municipal"]
    payments = tables["payments"]
    exits = tables["exits"]
    rows: list[tuple[str, str, float]] = []
    total = _episode_kpis(ep, norms, warmup, horizon)
    led = ledger[ledger["t_start"] >= warmup]
    place_days = led["place_days"].sum()
    total["utilisation_mean"] = float(led["occupied_days"].sum() / place_days) if place_days > 0 else math.nan
    total["provider_exits"] = float((exits["exit_day"] >= warmup).sum()) if len(exits) else 0.0
    mun = municipal[municipal["t_start"] >= warmup]
    pay = payments[payments["t_start"] >= warmup]
    total["admin_cost_eur"] = float(led["admin_cost_eur"].sum() + mun["admin_cost_eur"].sum())
    total["total_cost_eur"] = float(pay["paid_eur"].sum() + mun["admin_cost_eur"].sum())
    rows += [(k, ALL, total[k]) for k in KPIS]
    window = horizon - warmup
    for form, part in ep.groupby("care_form", sort=True):
        fk = _episode_kpis(part, norms, warmup, horizon)
        cap = places.get(str(form), 0) * window
        fk["utilisation_mean"] = _care_days(part, warmup, horizon) / cap if cap > 0 else math.nan
        rows += [(k, str(form), fk[k]) for k in PER_FORM_KPIS]
    return pd.DataFrame(rows, columns=["kpi", "care_form", "value"])


def _ci(values: np.ndarray) -> tuple[float, float, float]:
    v = values[~np.isnan(values)]
    if v.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(v.mean())
    if v.size < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.975, v.size - 1) * v.std(ddof=1) / math.sqrt(v.size))
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
