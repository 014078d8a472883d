"""Waits against the norm per jeugdregio and care form, from the episodes table.

The model's KPIs are per country and per care form; a bestuurder asks about their own region.
These are the same KPIs (:func:`~simulation.metrics.definitions.share_over_norm` and
:func:`~simulation.metrics.definitions.wait_days_mean`, Kaplan-Meier over every referred child,
placed or not) computed on the children of one region (the region of the child's gemeente, the
episodes table's ``region``) and one care form, per replication; then the mean and 95% t-interval
over replications as everywhere else. One definition, so a region's figures of a run with one
region equal the run's own per-form KPIs.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import cast

import numpy as np
import pandas as pd

from simulation.metrics.definitions import share_over_norm, wait_days_mean
from simulation.metrics.intervals import clip_to_domain, mean_interval
from simulation.metrics.window import Episodes, Window

__all__ = ["REGION_WAIT_COLUMNS", "REGION_WAIT_KPIS", "region_waits", "summarise_region_waits"]

#: the KPIs computed per region and care form (name -> KPI function)
REGION_WAIT_KPIS = {"share_over_norm": share_over_norm, "wait_days_mean": wait_days_mean}
#: per replication, long: one row per (scenario, replication, region, care_form, kpi)
REGION_WAIT_COLUMNS = ["scenario", "replication", "region", "care_form", "norm_days", "referred", "kpi", "value"]

_EMPTY = pd.DataFrame()


def _subset(ep: Episodes, keep: np.ndarray) -> Episodes:
    """The children at positions (or mask) ``keep``."""
    fields = {f.name: getattr(ep, f.name) for f in dataclasses.fields(ep)}
    return Episodes(**{k: v[keep] if isinstance(v, np.ndarray) else v for k, v in fields.items()})


def _window(ep: Episodes, warmup: float, horizon: float, form: str) -> Window:
    # The wait KPIs read only the episodes and the window's bounds; the monthly tables stay empty.
    return Window(
        episodes=ep, ledger=_EMPTY, municipal=_EMPTY, payments=_EMPTY, exits=_EMPTY, signals=_EMPTY,
        form_days=_EMPTY, warmup=warmup, horizon=horizon, youth=math.nan, care_form=form,
    )  # fmt: skip


def region_waits(
    episodes: pd.DataFrame, norms: Mapping[str, Mapping[str, float]], warmup: float, horizon: float
) -> pd.DataFrame:
    """Per scenario, replication, region and care form: the share of the children referred in
    the window whose wait passed the form's norm, and their restricted mean wait (days).

    ``norms``: scenario -> care form -> waiting-time norm (days), as the scenario sets it (a form
    without a norm gets NaN shares). ``referred`` counts the children referred in the window.
    """
    rows: list[tuple[object, ...]] = []
    if episodes.empty:
        return pd.DataFrame(rows, columns=REGION_WAIT_COLUMNS)
    for (scenario, rep), part in episodes.groupby(["scenario", "replication"], sort=False, observed=True):
        form_norms = norms.get(str(scenario), {})
        ep = Episodes.from_table(part, form_norms)
        # index arrays per (region, form): one pass over the table, not one mask per group
        groups = part.groupby([part["region"].astype(str), part["care_form"].astype(str)], sort=True).indices
        for key, at in groups.items():
            r, f = (str(k) for k in cast(tuple[str, str], key))  # grouped by two keys: a pair
            w = _window(_subset(ep, np.asarray(at)), warmup, horizon, f)
            referred = int(w.referred.sum())
            norm = float(form_norms.get(f, math.nan))
            rows += [(scenario, rep, r, f, norm, referred, name, kpi(w)) for name, kpi in REGION_WAIT_KPIS.items()]
    return pd.DataFrame(rows, columns=REGION_WAIT_COLUMNS)


def summarise_region_waits(per_rep: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% t-interval over replications per (scenario, region, care_form, kpi), with the
    norm and the mean number of children referred per replication."""
    keys = ["scenario", "region", "care_form", "kpi"]
    rows = []
    for key, part in per_rep.groupby(keys, sort=False):
        mean, low, high = mean_interval(part["value"].to_numpy(dtype=float))
        low, high = clip_to_domain(str(key[3]), low, high)
        n = int(part["value"].notna().sum())
        rows.append((*key, float(part["norm_days"].iloc[0]), float(part["referred"].mean()), mean, low, high, n))
    columns = [*keys, "norm_days", "referred", "mean", "ci_low", "ci_high", "n"]
    return pd.DataFrame(rows, columns=columns)
