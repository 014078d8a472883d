"""Intervals over replications: means with 95% t-intervals, and paired differences.

A KPI's interval is kept inside the KPI's domain (``Kpi.domain`` in the registry): a t-interval
around a wait near zero, a share near one or a rare count would otherwise reach values the KPI
cannot take (negative waits, shares above 1). The bound that crosses the domain is set to the
domain's edge; the mean is untouched (it lies inside, being a mean of values that do). Paired
differences are signed and are not clipped.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from simulation.metrics.registry import REGISTRY

__all__ = ["clip_to_domain", "mean_interval", "paired_differences", "summarise"]


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


def mean_interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% t-interval of ``values`` (NaNs left out)."""
    return _ci(np.asarray(values, dtype=float))


def clip_to_domain(kpi: str, low: float, high: float) -> tuple[float, float]:
    """(low, high) moved inside the domain of KPI ``kpi`` (unchanged for a name not registered)."""
    bounds = next((k.bounds for k in REGISTRY if k.name == kpi), None)
    if bounds is None:
        return low, high
    lo, hi = bounds
    # max/min would turn NaN (one replication: no interval) into a bound; keep it NaN.
    return (low if math.isnan(low) else min(max(low, lo), hi)), (high if math.isnan(high) else max(min(high, hi), lo))


def summarise(per_rep: pd.DataFrame, clip: bool = True) -> pd.DataFrame:
    """Mean and 95% t-interval over replications, per (scenario, kpi, care_form).

    ``clip``: keep each interval inside its KPI's domain (the precision check asks for the raw
    half-width instead, which is what shrinks with more replications).
    """
    rows = []
    for (scenario, kpi, form), part in per_rep.groupby(["scenario", "kpi", "care_form"], sort=False):
        mean, lo, hi = _ci(part["value"].to_numpy(dtype=float))
        if clip:
            lo, hi = clip_to_domain(str(kpi), lo, hi)
        rows.append((scenario, kpi, form, mean, lo, hi, int(part["value"].notna().sum())))
    return pd.DataFrame(rows, columns=["scenario", "kpi", "care_form", "mean", "ci_low", "ci_high", "n"])


def paired_differences(per_rep: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Per-replication differences against ``baseline`` (same children: common random numbers).

    Differences are signed, so their intervals are not clipped to the KPI's domain.
    """
    base = per_rep[per_rep["scenario"] == baseline].set_index(["replication", "kpi", "care_form"])["value"]
    rows = []
    for scenario, part in per_rep[per_rep["scenario"] != baseline].groupby("scenario", sort=False):
        diff = part.set_index(["replication", "kpi", "care_form"])["value"] - base
        d = diff.reset_index()
        for (kpi, form), g in d.groupby(["kpi", "care_form"], sort=False):
            mean, lo, hi = _ci(g["value"].to_numpy(dtype=float))
            rows.append((scenario, baseline, kpi, form, mean, lo, hi))
    return pd.DataFrame(rows, columns=["scenario", "against", "kpi", "care_form", "mean", "ci_low", "ci_high"])
