"""Referrals: who is referred, when, and what each child will need.

Referrals arrive as a Poisson process per gemeente x care form with rate
``youth x factor x referral_rate_per_1000 / 1000`` per year (``factor``: the gemeente's regional
factor for the form, 1 without ``demand.regional_factors_file``), growing by ``growth_per_year``. Every
child-intrinsic draw (duration, whether and how long it would need escalated care) is made
here, at referral, from streams named after the gemeente and care form, so the same children
appear under every regime and in any sub-national run that contains their gemeente.

The initial stock (children already in care at time zero) is the stationary number in care,
Poisson(lambda x E[duration]) per gemeente x care form, with residual durations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulation.config import CareForm, Demand
from simulation.core import distributions
from simulation.core.random import Streams
from simulation.core.world import Gemeente

__all__ = ["Referrals", "generate"]

ORIGIN_REFERRAL, ORIGIN_INITIAL, ORIGIN_ESCALATION = 0, 1, 2


@dataclass
class Referrals:
    """Column arrays, sorted by (time, origin order, gemeente, form, draw)."""

    t: np.ndarray
    gemeente: np.ndarray  # index into the gemeenten sequence
    form: np.ndarray  # index into the care form keys
    duration: np.ndarray
    escalates: np.ndarray  # bool: would escalate if still waiting at the threshold
    escalated_duration: np.ndarray
    divert_u: np.ndarray  # uniform: diverted when below a phase-out's share at referral
    diverted_duration: np.ndarray  # duration in the care form it would be diverted to
    origin: np.ndarray


def _arrival_times(rng: np.random.Generator, rate_per_day: float, growth: float, horizon: float) -> np.ndarray:
    """Inhomogeneous Poisson arrivals by inverting the cumulative intensity."""
    if rate_per_day <= 0:
        return np.empty(0)
    if growth == 0:
        total = rate_per_day * horizon
    else:
        k = math.log1p(growth) / 365.0
        total = rate_per_day * math.expm1(k * horizon) / k
    chunk = max(16, int(total + 6 * math.sqrt(total) + 16))
    s = np.cumsum(rng.exponential(1.0, chunk))
    while s[-1] < total:
        s = np.concatenate([s, s[-1] + np.cumsum(rng.exponential(1.0, chunk))])
    s = s[s < total]
    if growth == 0:
        return s / rate_per_day
    return np.log1p(s * k / rate_per_day) / k


def generate(
    gemeenten: Sequence[Gemeente],
    care_forms: dict[str, CareForm],
    demand: Demand,
    streams: Streams,
    horizon: float,
    initial_stock: bool,
    divert_to: dict[str, str] | None = None,
) -> Referrals:
    keys = list(care_forms)
    stream = streams.sequential()  # each stream below is used up before the next is asked for
    parts: list[tuple[np.ndarray, ...]] = []
    for gi, g in enumerate(gemeenten):
        for fi, f in enumerate(keys):
            form = care_forms[f]
            # the gemeente's factor (demand.regional_factors_file) moves its rate from the national one
            rate = g.youth * g.referral_factors.get(f, 1.0) * form.referral_rate_per_1000.value / 1000.0 / 365.0
            tag = f"{g.code}/{f}"
            t = _arrival_times(stream(f"arrivals/{tag}"), rate, demand.growth_per_year, horizon)
            n = t.size
            dur = distributions.sample(form.duration, stream(f"duration/{tag}"), n)
            esc = form.escalation
            if esc is not None and n:
                escalates = stream(f"escalation/{tag}").random(n) < esc.probability
                target = care_forms.get(esc.to)
                if target is None:  # escalation target not modelled in this run
                    escalates[:] = False
                    esc_dur = np.zeros(n)
                else:
                    esc_dur = distributions.sample(target.duration, stream(f"escalated_duration/{tag}"), n)
            else:
                escalates, esc_dur = np.zeros(n, bool), np.zeros(n)
            alt = care_forms.get((divert_to or {}).get(f, ""))
            if alt is not None and n:
                divert_u = stream(f"divert/{tag}").random(n)
                divert_dur = distributions.sample(alt.duration, stream(f"diverted_duration/{tag}"), n)
            else:
                divert_u, divert_dur = np.ones(n), np.zeros(n)
            origin = np.full(n, ORIGIN_REFERRAL)
            parts.append((t, np.full(n, gi), np.full(n, fi), dur, escalates, esc_dur, divert_u, divert_dur, origin))
            if initial_stock:
                rng = stream(f"initial/{tag}")
                m = int(rng.poisson(rate * form.duration.mean_days))
                res = distributions.residual(form.duration, rng, m)
                zeros, ones = np.zeros(m), np.ones(m)
                initial = np.full(m, ORIGIN_INITIAL)
                parts.append((zeros, np.full(m, gi), np.full(m, fi), res, zeros > 0, zeros, ones, zeros, initial))
    cols = [np.concatenate([p[i] for p in parts]) if parts else np.empty(0) for i in range(9)]
    # Initial stock first at time zero, then by time; ties keep gemeente/form/draw order.
    order = np.lexsort((np.arange(cols[0].size), cols[8] != ORIGIN_INITIAL, cols[0]))
    t, gem, form_idx, dur, will_escalate, esc_dur, divert_u, divert_dur, origin = (c[order] for c in cols)
    return Referrals(
        t=t.astype(float),
        gemeente=gem.astype(np.int64),
        form=form_idx.astype(np.int64),
        duration=dur.astype(float),
        escalates=will_escalate.astype(bool),
        escalated_duration=esc_dur.astype(float),
        divert_u=divert_u.astype(float),
        diverted_duration=divert_dur.astype(float),
        origin=origin.astype(np.int8),
    )
