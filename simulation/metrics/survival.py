"""Kaplan-Meier estimates of waiting time, vectorised (national runs have millions of waits).

A wait is time-to-event data: the event is the first intake; a child who is still waiting at the
horizon, or who left the list without a place, is *censored* then (we know only that its wait was
at least that long). The Kaplan-Meier estimate S(t) of the share still waiting after t days uses
every child, placed or not, under the usual assumption that censoring is independent of the wait
that would have followed (see :mod:`simulation.metrics.definitions` for what that means here).

S is a right-continuous step function: 1 before the first event time, and at each distinct time
t_i the product over t_j <= t_i of (1 - events_j / at_risk_j), where at_risk_j counts the waits
of length >= t_j (a wait censored at t_j is still at risk at t_j, as is the convention).
Tested against hand-worked cases and against ``lifelines.KaplanMeierFitter``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["KaplanMeier", "kaplan_meier"]

# Products of many factors can land a hair above an exact level (0.5000000000000001); a quantile
# asks where S has fallen to the level, so such round-off must not push it one step later.
_TOLERANCE = 1e-12


@dataclass(frozen=True)
class KaplanMeier:
    """S(t) as steps: ``surv[i]`` holds on ``[times[i], times[i + 1])``; 1 before ``times[0]``."""

    times: np.ndarray
    surv: np.ndarray

    def restricted_mean(self, tau: float) -> float:
        """Area under S from 0 to ``tau``: the mean wait with every wait capped at ``tau``.

        Beyond the last observed time S is held at its last value. NaN when there are no waits.
        """
        if self.times.size == 0:
            return math.nan
        knots = np.clip(np.concatenate(([0.0], self.times, [tau])), 0.0, tau)
        heights = np.concatenate(([1.0], self.surv))
        return float(np.sum(heights * np.diff(knots)))

    def quantile(self, q: float) -> float:
        """The smallest t with S(t) <= 1 - q (the wait by which a share q was placed).

        NaN when S never falls that low (too many children censored before that share was
        placed) or when there are no waits.
        """
        hit = np.flatnonzero(self.surv <= 1.0 - q + _TOLERANCE)
        return float(self.times[hit[0]]) if hit.size else math.nan

    def at(self, t: float) -> float:
        """S(t): the estimated share still waiting after t."""
        i = int(np.searchsorted(self.times, t, side="right"))
        return 1.0 if i == 0 else float(self.surv[i - 1])


def kaplan_meier(durations: np.ndarray, observed: np.ndarray) -> KaplanMeier:
    """The Kaplan-Meier estimate from waits (``durations``, days) and whether each ended in the
    event (``observed``, bool; False: censored at that duration)."""
    d = np.asarray(durations, dtype=float)
    e = np.asarray(observed, dtype=bool)
    if d.size == 0:
        return KaplanMeier(np.zeros(0), np.zeros(0))
    # The order within tied times does not matter (events are summed per time): an unstable sort
    # is enough, and one sort serves both the distinct times and where each starts.
    order = np.argsort(d)
    d, e = d[order], e[order]
    first = np.flatnonzero(np.concatenate(([True], d[1:] != d[:-1])))
    times = d[first]
    at_risk = d.size - first
    # events per distinct time from a running count (cheaper than a reduceat over millions)
    placed_so_far = np.concatenate(([0], np.cumsum(e, dtype=np.int64)))
    events = np.diff(placed_so_far[np.append(first, d.size)])
    surv = np.cumprod(1.0 - events / at_risk)
    return KaplanMeier(times, surv)
