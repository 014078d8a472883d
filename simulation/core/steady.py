"""The steady waiting list of a care form: who is still waiting after a given time.

A form with an observed mean wait ``W`` and a withdrawal hazard ``theta`` (``CareForm.waits_steadily``)
has, in the fluid approximation of a queue with impatient customers (Erlang-A; Whitt 2006, "Fluid
models for multiserver queues with abandonments", Oper. Res. 54(1)), a waiting list that is
stable although its places are below the offered load: in the steady state a child referred now
waits ``W`` (first come, first served) and is still waiting then with probability ``S(W)``, where

    S(w) = exp(-theta w) x (1 - p [w >= A])

(``p`` the chance that it escalates at ``A`` days, :class:`~simulation.config.CareForm`.escalation).
So the places needed are ``lambda x E[duration] x S(W)`` (those who reach care), the children in
care at the start are that many, and the children waiting are ``lambda x integral_0^W S(a) da``
(``lambda`` the referrals a day)
with ages distributed as ``S`` on ``[0, W]``. The landscape, the initial stock and the tests use
these same functions.

The scenario's rates are starts of care (what CBS counts), so for such a form the referrals are
the starts divided by ``S(W)`` (:func:`direct_referral_rate_per_1000`), and the places and the
stock in care at the start stay the observed ``starts x E[duration]``.
"""

from __future__ import annotations

import math

import numpy as np

from simulation.config import CareForm

__all__ = [
    "direct_referral_rate_per_1000",
    "escalated_referrals_per_1000",
    "escalation_share",
    "in_care_share",
    "referral_factor",
    "sample_waiting_ages",
    "still_waiting",
    "waiting_days_per_referral_day",
]


def _escalation(form: CareForm) -> tuple[float, float]:
    esc = form.escalation
    return (esc.after_days, esc.probability) if esc is not None else (math.inf, 0.0)


def still_waiting(form: CareForm, w: float) -> float:
    """S(w): the chance that a child is still on the waiting list after ``w`` days of waiting."""
    after, p = _escalation(form)
    return math.exp(-form.withdrawal_per_day * w) * (1.0 - p if w >= after else 1.0)


def in_care_share(form: CareForm) -> float:
    """The share of referrals that reach care in the steady state: S(W), 1 without a steady list."""
    if not form.waits_steadily:
        return 1.0
    assert form.observed_wait_days is not None
    return still_waiting(form, form.observed_wait_days.value)


def waiting_days_per_referral_day(form: CareForm) -> float:
    """Children waiting per referral a day: the integral of S over [0, W] (0 without a steady list)."""
    if not form.waits_steadily:
        return 0.0
    assert form.observed_wait_days is not None
    theta, wait = form.withdrawal_per_day, form.observed_wait_days.value
    after, p = _escalation(form)

    def integral(a: float, b: float) -> float:  # of exp(-theta x) over [a, b]
        return (math.exp(-theta * a) - math.exp(-theta * b)) / theta

    if wait <= after:
        return integral(0.0, wait)
    return integral(0.0, after) + (1.0 - p) * integral(after, wait)


def sample_waiting_ages(form: CareForm, rng: np.random.Generator, m: int) -> np.ndarray:
    """``m`` ages (days waited so far) of children on the steady waiting list, density S on [0, W]."""
    assert form.observed_wait_days is not None and form.waits_steadily
    theta, wait = form.withdrawal_per_day, form.observed_wait_days.value
    after, p = _escalation(form)
    out = np.empty(0)
    while out.size < m:
        # a truncated exponential on [0, W], thinned by 1 - p past the escalation threshold
        u = rng.random(2 * (m - out.size) + 8)
        ages = -np.log1p(-u * -math.expm1(-theta * wait)) / theta
        keep = (ages < after) | (rng.random(ages.size) >= p)
        out = np.concatenate([out, ages[keep]])
    return out[:m]


def escalation_share(form: CareForm) -> float:
    """The share of a form's referrals that escalate in the steady state: those still waiting at the
    escalation threshold when the observed wait passes it (fluid: everyone waits ``W``)."""
    esc = form.escalation
    if esc is None or not form.waits_steadily:
        return 0.0
    assert form.observed_wait_days is not None
    if form.observed_wait_days.value < esc.after_days:
        return 0.0
    return esc.probability * math.exp(-form.withdrawal_per_day * esc.after_days)


def referral_factor(form: CareForm) -> float:
    """Referrals per start of care: 1 / S(W) for a form with a steady waiting list, else 1."""
    return 1.0 / in_care_share(form)


def escalated_referrals_per_1000(care_forms: dict[str, CareForm], key: str) -> float:
    """Referrals per year per 1,000 youth that ``key`` receives by the steady escalations of other forms."""
    return sum(
        f.referral_rate_per_1000.value * referral_factor(f) * escalation_share(f)
        for f in care_forms.values()
        if f.escalation is not None and f.escalation.to == key
    )


def direct_referral_rate_per_1000(care_forms: dict[str, CareForm], key: str) -> float:
    """Referrals per year per 1,000 youth drawn for ``key`` itself.

    The scenario's ``referral_rate_per_1000`` is sourced from starts of care (CBS inflow, new
    placements), which include children who came by escalation and exclude those who left the
    waiting list. So the referrals are the starts times :func:`referral_factor`, less the
    escalations that arrive from other forms (never below zero)."""
    form = care_forms[key]
    total = form.referral_rate_per_1000.value * referral_factor(form)
    return max(0.0, total - escalated_referrals_per_1000(care_forms, key))
