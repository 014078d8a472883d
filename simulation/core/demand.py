"""Referrals: who is referred, when, and what each child will need.

Referrals arrive as a Poisson process per gemeente x care form with rate
``youth x factor x referral_rate_per_1000 / 1000`` per year (``factor``: the gemeente's regional
factor for the form, 1 without ``demand.regional_factors_file``), growing by ``growth_per_year``; for a
form with a steady waiting list the rate (starts of care) is raised to the referrals that produce those
starts, less escalations from other forms (:func:`.steady.direct_referral_rate_per_1000`). Every
child-intrinsic draw (duration, whether and how long it would need escalated care) is made
here, at referral, from streams named after the gemeente and care form, so the same children
appear under every regime and in any sub-national run that contains their gemeente.

The initial stock (children already in care at time zero) is the stationary number in care,
Poisson(starts x E[duration]) per gemeente x care form, with residual durations; a form with a
steady waiting list (:mod:`.steady`) also starts with its waiting children, Poisson(referrals x
integral of S over [0, W]), referred ``age`` days before the start.

Each child also draws its patience at referral, in units of the withdrawal hazard (a unit
exponential): on a waiting list of a form with hazard ``theta`` per day it leaves after
``patience / theta`` days without this care (never where the form has no hazard). The unit keeps
one draw valid when the child escalates or is diverted to another form, and gives every variant
of the hazard the same children.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from simulation.config import CareForm, Demand
from simulation.core import distributions, steady
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
    #: unit-exponential patience: leaves a list after patience / hazard days (inf: never)
    patience: np.ndarray | None = None
    #: uniform: which of the providers with a werkgebied serving its region the child is bound to
    #: (matching.bind); one stream over all children, drawn last, so no other draw moves
    bind_u: np.ndarray | None = None


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
    # A form whose escalation target is not modelled in this run does not escalate (below), so its
    # steady waiting list is computed without escalation too.
    care_forms = {
        k: f if f.escalation is None or f.escalation.to in care_forms else f.model_copy(update={"escalation": None})
        for k, f in care_forms.items()
    }
    keys = list(care_forms)
    stream = streams.sequential()  # each stream below is used up before the next is asked for
    parts: list[tuple[np.ndarray, ...]] = []
    rates = {f: steady.direct_referral_rate_per_1000(care_forms, f) for f in keys}

    def patience(form: CareForm, purpose: str, n: int) -> np.ndarray:
        return stream(purpose).exponential(1.0, n) if n else np.empty(0)

    for gi, g in enumerate(gemeenten):
        for fi, f in enumerate(keys):
            form = care_forms[f]
            # the gemeente's factor (demand.regional_factors_file) moves its rate from the national one
            rate = g.youth_for(f) * rates[f] / 1000.0 / 365.0  # referrals a day
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
            wait = patience(form, f"patience/{tag}", n)
            parts.append(
                (t, np.full(n, gi), np.full(n, fi), dur, escalates, esc_dur, divert_u, divert_dur, origin, wait)
            )
            if initial_stock:
                rng = stream(f"initial/{tag}")
                # the observed stock's starts a day, with the gemeente's factor as its referrals and the
                # landscape's loads (simulation.landscape._load), so the stock fits the places
                starts = g.youth_for(f) * form.referral_rate_per_1000.value / 1000.0 / 365.0
                m = int(rng.poisson(starts * form.duration.mean_days))
                res = distributions.residual(form.duration, rng, m)
                zeros, ones, never = np.zeros(m), np.ones(m), np.full(m, np.inf)
                initial = np.full(m, ORIGIN_INITIAL)
                parts.append(
                    (zeros, np.full(m, gi), np.full(m, fi), res, zeros > 0, zeros, ones, zeros, initial, never)
                )
                if form.waits_steadily:
                    referred = starts * steady.referral_factor(form)  # direct and escalated
                    parts.append(_initial_waiting(form, care_forms, stream, tag, referred, gi, fi, patience))
    cols = [np.concatenate([p[i] for p in parts]) if parts else np.empty(0) for i in range(10)]
    # The initial stock in care first at time zero, then the initial waiting list (longest
    # waiting first), then by time; ties keep gemeente/form/draw order.
    group = np.where(cols[8] != ORIGIN_INITIAL, 2, np.where(cols[0] < 0, 1, 0))
    order = np.lexsort((np.arange(cols[0].size), cols[0], group, np.maximum(cols[0], 0.0)))
    t, gem, form_idx, dur, will_escalate, esc_dur, divert_u, divert_dur, origin, wait = (c[order] for c in cols)
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
        patience=wait.astype(float),
        bind_u=stream("binding").random(t.size),
    )


def _initial_waiting(
    form: CareForm,
    care_forms: dict[str, CareForm],
    stream: Callable[[str], np.random.Generator],
    tag: str,
    rate: float,
    gi: int,
    fi: int,
    patience: Callable[[CareForm, str, int], np.ndarray],
) -> tuple[np.ndarray, ...]:
    """The steady waiting list at the start: children referred ``age`` days before it (negative
    referral times), who still wait; those younger than the escalation threshold may escalate."""
    rng = stream(f"initial_waiting/{tag}")
    m = int(rng.poisson(rate * steady.waiting_days_per_referral_day(form)))
    ages = steady.sample_waiting_ages(form, rng, m)
    dur = distributions.sample(form.duration, rng, m)
    esc = form.escalation
    target = care_forms.get(esc.to) if esc is not None else None
    if esc is not None and target is not None and m:
        escalates = (ages < esc.after_days) & (rng.random(m) < esc.probability)
        esc_dur = distributions.sample(target.duration, rng, m)
    else:
        escalates, esc_dur = np.zeros(m, bool), np.zeros(m)
    # The rest of a waiting child's patience is again a unit exponential (memoryless).
    wait = patience(form, f"initial_patience/{tag}", m)
    initial = np.full(m, ORIGIN_INITIAL)
    return (-ages, np.full(m, gi), np.full(m, fi), dur, escalates, esc_dur, np.ones(m), np.zeros(m), initial, wait)
