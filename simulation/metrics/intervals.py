"""Intervals over replications: means with 95% t-intervals, and paired differences."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["mean_interval", "paired_differences", "summarise"]


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
