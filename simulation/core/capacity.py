"""Capacity growth: providers add places where waiting lists persist and the tariff covers costs.

The counterpart of :func:`~.finance.shrink_losing_forms`: without it capacity can only fall. The
rule (``scenario.capacity.expansion``, an assumption) is the same under every regime; regimes differ
only in what it sees: which waiting lists a provider form serves (pooling, contracts) and whether
its contracts' tariffs cover its costs (terms, administration).

At a month end a provider form counts a long-wait month when the longest current wait on a
waiting list it serves is above ``wait_factor`` x its form's observed wait and its revenue covered
its costs that month. After ``after_months`` of them in a row it orders ``step`` of its places
more (at least one); they open ``build_delay_months`` later, and its staff target rises with them
(hiring in :mod:`.workforce` follows). Forms being phased out do not expand.

A form planned below full (crisis, JZ+: sized by utilisation, no steady waiting list) also
counts a long-wait month when the provider form's staffed places were fuller than
``occupancy_factor`` x the form's break-even occupancy that month. Without this, losing
providers of such a form shrink (``finance.shrink``) and leave while the others never grow, and
the form ratchets down until it is full.
"""

from __future__ import annotations

import math

from simulation.core.entry import reference_occupancy
from simulation.core.state import ACTIVE, WAITING, State

__all__ = ["expand_where_waits_persist", "longest_bound_wait", "longest_waits"]


def longest_waits(state: State) -> list[float]:
    """Per queue, how long its longest-waiting child (not a re-placed one) has waited now (0 if none)."""
    queues, children = state.queues, state.children
    child_state, queue_of, since = children.state, children.queue, children.waiting_since
    out = [0.0] * len(queues.keys)
    for q, dq in enumerate(queues.normal):
        while dq and (child_state[dq[0]] != WAITING or queue_of[dq[0]] != q):
            dq.popleft()  # escalated, withdrawn or moved children leave lazily (as in matching.fill)
        if dq:
            out[q] = state.now - since[dq[0]]
    return out


def longest_bound_wait(state: State, pf: int) -> float:
    """How long the longest-waiting child bound to provider form ``pf`` has waited now (0 if none)."""
    dq, children = state.provider_forms.bound_normal[pf], state.children
    while dq and (children.state[dq[0]] != WAITING or children.bound_pf[dq[0]] != pf):
        dq.popleft()  # escalated, withdrawn or bound again (as in matching.fill)
    return state.now - children.waiting_since[dq[0]] if dq else 0.0


# -- month-end step ----------------------------------------------------------------------------
def expand_where_waits_persist(state: State, month: int) -> None:
    """Open the places ordered ``build_delay_months`` ago; order more where waits persist."""
    rule = state.scenario.capacity.expansion
    if rule is None:
        return
    pfs, providers, books = state.provider_forms, state.providers, state.books
    pending = state.expansions
    while pending and pending[0][0] <= month:
        _, pf, extra = pending.pop(0)
        if providers.status[pfs.provider[pf]] == ACTIVE:
            pfs.places[pf] += extra
            if state.log is not None:
                state.log.append((state.now, "expand", pf))
    ordered = {pf for _, pf, _ in pending}
    waits = longest_waits(state)
    allowed = None if rule.care_forms is None else {state.form_index.get(f, -1) for f in rule.care_forms}
    full_above = _full_occupancy(state)
    for pf, p in enumerate(pfs.provider):
        f = pfs.form[pf]
        observed = state.form_params[f].observed_wait_days
        held = f in state.phase_out or (allowed is not None and f not in allowed)
        if (observed is None and full_above[f] is None) or held or books.status[p] != ACTIVE or pf in ordered:
            pfs.long_wait_months[pf] = 0
            continue
        demand = False
        if observed is not None:
            longest = max((waits[q] for q in pfs.serves[pf]), default=0.0)
            if pfs.weight[pf] > 0:
                longest = max(longest, longest_bound_wait(state, pf))
            demand = longest > rule.wait_factor * observed.value
        full = full_above[f]
        if full is not None:
            demand = demand or pfs.occupied_days[pf] > full * pfs.place_days[pf] > 0.0
        covered = pfs.revenue[pf] >= books.form_cost[pf] > 0.0
        long_wait = demand and covered
        pfs.long_wait_months[pf] = pfs.long_wait_months[pf] + 1 if long_wait else 0
        if pfs.long_wait_months[pf] >= rule.after_months:
            pfs.long_wait_months[pf] = 0
            extra = max(1, math.ceil(rule.step * pfs.places[pf]))
            pending.append((month + rule.build_delay_months, pf, extra))


def _full_occupancy(state: State) -> list[float | None]:
    """Per care form planned below full (no steady waiting list, ``CareForm.waits_steadily``): the
    occupancy above which it signals unmet demand (``occupancy_factor`` x its break-even
    occupancy); None for the forms with a steady list, or without ``occupancy_factor``."""
    rule = state.scenario.capacity.expansion
    factor = None if rule is None else rule.occupancy_factor
    if factor is None:
        return [None] * len(state.care_forms)
    return [
        None if params.waits_steadily else factor * reference_occupancy(state.scenario, key)
        for key, params in zip(state.care_forms, state.form_params, strict=True)
    ]
