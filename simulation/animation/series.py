"""How many children of one region wait and how many are in care, per care form, over time.

Counted from the episodes table (one row per child's referral), so any time grid works and the
counts are exact at each grid time: a child waits from its referral until its intake or until it
leaves the list unplaced (escalated or withdrawn, ``t_end``), and is in care from its intake until
``t_end`` (still in care at the horizon: until the horizon). A child whose provider left and who
waits again is counted waiting from ``waiting_since`` if it still waits at the horizon; one placed
again before the horizon counts as in care throughout (its few extra days are in
``extra_wait_days``, not in this picture).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["RegionSeries", "region_series"]


@dataclass(frozen=True)
class RegionSeries:
    """Counts at ``days`` (grid of simulated days) per care form, in the scenario's form order."""

    region: str
    days: np.ndarray
    forms: tuple[str, ...]
    #: form -> children waiting at each grid day
    waiting: dict[str, np.ndarray]
    #: form -> children in care (occupied places) at each grid day
    in_care: dict[str, np.ndarray]


def _count(starts: np.ndarray, ends: np.ndarray, days: np.ndarray) -> np.ndarray:
    """How many intervals [start, end) contain each day."""
    started = np.searchsorted(np.sort(starts), days, side="right")
    ended = np.searchsorted(np.sort(ends), days, side="right")
    return (started - ended).astype(np.int64)


def region_series(episodes: pd.DataFrame, region: str, days: np.ndarray, forms: list[str]) -> RegionSeries:
    """Waiting and in-care counts of ``region``'s children at each of ``days``, for those of
    ``forms`` (in their order) that anyone of the region waits for or uses in that time."""
    ep = episodes[episodes["region"].astype(str) == region]
    waiting, in_care = {}, {}
    for form in forms:
        e = ep[ep["care_form"].astype(str) == form]
        referred = e["t_referral"].to_numpy(float)
        intake = e["t_intake"].to_numpy(float)
        end = np.where(np.isnan(e["t_end"].to_numpy(float)), np.inf, e["t_end"].to_numpy(float))
        placed = ~np.isnan(intake)
        # Waiting again at the horizon after a provider left: in care until then, waiting after.
        again = (e["state"].astype(str) == "waiting").to_numpy() & placed
        since = e["waiting_since"].to_numpy(float)
        wait_end = np.where(placed, intake, end)
        care_end = np.where(again, since, end)
        waits = np.concatenate([referred, since[again]]), np.concatenate([wait_end, np.full(again.sum(), np.inf)])
        waiting[form] = _count(*waits, days)
        in_care[form] = _count(intake[placed], care_end[placed], days)
    # Forms nobody of the region waits for or uses would only be empty rows.
    shown = tuple(f for f in forms if waiting[f].any() or in_care[f].any())
    return RegionSeries(
        region, np.asarray(days, float), shown, {f: waiting[f] for f in shown}, {f: in_care[f] for f in shown}
    )
