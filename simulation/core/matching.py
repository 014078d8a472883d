"""Placement: referral, the search for a free place, intake, release, filling places, escalation.

A referred child joins the waiting list (queue) of the unit that buys its care form for its
gemeente, unless an eligible provider form has a free place: the nearest to the child's gemeente
of the unit's providers inside its area, else of its other contracted ones, else of the
bovenregionale pool and entrants. A freed
place goes to the longest-waiting child among the queues the provider form serves; children
re-placed after a provider exit go first. A child still waiting
at its form's escalation threshold may escalate (drawn at referral) into a new episode; a child
still waiting when its patience (drawn at referral) runs out leaves the list without this care.

A child of a *bound* queue (its providers all have a werkgebied: the GIs) is bound at referral to
one of them (:func:`bind`), drawn by their ``gewicht`` with the child's own uniform, and only
that provider takes it: a national GI serves its weight's share of every region, not only the
children its nearer regional GIs have no room for. A child bound to a provider that leaves or
gives notice is bound again among the others (:func:`rebind_waiting`, :func:`place_again`).
"""

from __future__ import annotations

import math
from collections import deque
from heapq import heappush

from simulation.core.agenda import Event
from simulation.core.demand import ORIGIN_INITIAL
from simulation.core.finance import accrue_contract, accrue_provider_form, open_account, settle
from simulation.core.state import ACTIVE, DONE, ESCALATED, IN_CARE, WAITING, WITHDRAWN, State

__all__ = [
    "bind",
    "count_queue",
    "fill",
    "fill_grown",
    "free_provider_form",
    "intake",
    "on_discharge",
    "on_escalate",
    "on_referral",
    "on_withdraw",
    "place_again",
    "rebind_waiting",
    "release",
    "requeue",
]

DISCHARGE, ESCALATE, WITHDRAW = Event.DISCHARGE, Event.ESCALATE, Event.WITHDRAW


def count_queue(state: State, q: int, delta: int) -> None:
    """Change the length of queue ``q`` by ``delta``, integrating the length over time first."""
    queues = state.queues
    t = state.now
    queues.length_days[q] += queues.length[q] * (t - queues.changed_at[q])
    queues.changed_at[q] = t
    queues.length[q] += delta


def on_referral(state: State, c: int) -> None:
    """Child ``c`` is referred: placed at once if a place is free, else it joins its queue."""
    children = state.children
    f = children.form[c]
    if (
        f in state.phase_out
        and children.origin[c] != ORIGIN_INITIAL
        and children.divert_u[c] < state.phase_share(f, state.now)
    ):
        # The phased-out form is no longer offered to this child: it is referred to the alternative.
        target = state.phase_out[f][2]
        children.form[c] = target
        children.duration[c] = children.diverted_duration[c]
        children.diverted[c] = True
    # The list of the unit buying the (possibly diverted) form for the child's gemeente now: a
    # transition may have moved it since the referrals were drawn.
    q = state.queues.of[(children.gemeente[c], children.form[c])]
    children.queue[c] = q
    # A child of the initial waiting list was referred before the start and has waited since.
    since = min(state.now, children.referred_at[c])
    children.waiting_since[c] = since
    if _place_or_wait(state, c, q):
        return
    if children.escalates[c]:  # never drawn for the initial stock in care
        state.agenda.schedule(since + state.escalate_after[children.form[c]], ESCALATE, c)
    theta = state.withdrawal_per_day[children.form[c]]
    if theta > 0.0 and children.patience[c] < math.inf:
        state.agenda.schedule(state.now + children.patience[c] / theta, WITHDRAW, c)


def bind(state: State, c: int, q: int) -> int:
    """The provider form child ``c`` of bound queue ``q`` waits for: one of the queue's provider
    forms at an active provider, the child's uniform ``bind_u`` falling in its share of their
    weights (in the queue's fixed order); -1 if none is active."""
    pfs = state.provider_forms
    status, provider, weight = state.providers.status, pfs.provider, pfs.weight
    options = [pf for pf in state.queues.eligible[q] if status[provider[pf]] == ACTIVE and weight[pf] > 0]
    if not options:
        return -1
    x = state.children.bind_u[c] * sum(weight[pf] for pf in options)
    for pf in options:
        x -= weight[pf]
        if x < 0.0:
            return pf
    return options[-1]


def _place_or_wait(state: State, c: int, q: int) -> bool:
    """Place child ``c`` of queue ``q`` now if it can be (a bound queue: bound first, then only its
    provider form; else the nearest free place), else it waits at the back of its deque and the
    queue counts it. True if placed."""
    children = state.children
    if state.queues.bound[q]:
        pf = children.bound_pf[c] = bind(state, c, q)
        if pf >= 0 and state.provider_forms.free_places[pf] <= 0:
            pf = -1
    else:
        pf = free_provider_form(state, q, children.gemeente[c])
    if pf >= 0:
        intake(state, c, pf, q)
        return True
    _wait_in(state, c, q)
    count_queue(state, q, +1)
    return False


def _wait_in(state: State, c: int, q: int) -> None:
    """Put waiting child ``c`` at the back of its deque of queue ``q`` (its bound provider form's
    when it has one; the re-placed children's when it was moved); the queue's count is the caller's."""
    pf = state.children.bound_pf[c]
    again = state.children.replacements[c] > 0
    if pf >= 0:
        pfs = state.provider_forms
        (pfs.bound_priority if again else pfs.bound_normal)[pf].append(c)
    else:
        (state.queues.priority if again else state.queues.normal)[q].append(c)


def requeue(state: State, c: int, q: int) -> None:
    """Waiting child ``c`` now waits on queue ``q`` (a transition moved it), at the back: bound
    again when ``q`` is bound (its provider form is not one of ``q``'s). Counting is the caller's."""
    children = state.children
    children.queue[c] = q
    children.bound_pf[c] = bind(state, c, q) if state.queues.bound[q] else -1
    _wait_in(state, c, q)


def rebind_waiting(state: State, pf: int) -> None:
    """The provider of ``pf`` leaves or gave notice: children waiting for it are bound again among
    the other providers of their queue, placed at once where one has room, in the order they waited."""
    pfs, children = state.provider_forms, state.children
    waiting = [
        c
        for dq in (pfs.bound_priority[pf], pfs.bound_normal[pf])
        for c in dq
        if children.state[c] == WAITING and children.bound_pf[c] == pf
    ]
    pfs.bound_priority[pf].clear()
    pfs.bound_normal[pf].clear()
    for c in waiting:
        q = children.queue[c]
        count_queue(state, q, -1)  # at the same moment as it is counted again if it keeps waiting
        _place_or_wait(state, c, q)


def free_provider_form(state: State, q: int, gi: int) -> int:
    """The eligible provider form of queue ``q`` with a free place at an active provider nearest
    to gemeente ``gi`` (the child's), within the first tier that has one (``Queues.tier_ends``:
    the unit's own providers inside it, then its other contracted ones, then the pooled
    neighbours' and entrants); -1 if none has room. Ties go to the earlier in the list."""
    free, status, provider = state.provider_forms.free_places, state.providers.status, state.provider_forms.provider
    eligible = state.queues.eligible[q]
    end_inside, end_own = state.queues.tier_ends[q]
    start = 0
    for end in (end_inside, end_own, len(eligible)):
        best, best_d = -1, math.inf
        for pf in eligible[start:end]:
            if free[pf] > 0 and status[provider[pf]] == ACTIVE:
                px, py = state.provider_forms.xy[pf]
                x, y = state.gemeente_xy[gi]
                d = (px - x) * (px - x) + (py - y) * (py - y)
                if d < best_d:
                    best, best_d = pf, d
        if best >= 0:
            return best
        start = end
    return -1


def intake(state: State, c: int, pf: int, q: int) -> None:
    """Child ``c`` takes a place of provider form ``pf``, paid through queue ``q``'s contract."""
    t = state.now
    children, pfs = state.children, state.provider_forms
    accrue_provider_form(state, pf, t)
    k = state.contracts.of.get((q, pf))
    if k is None:
        k = open_account(state, q, pf)
    accrue_contract(state, k, t)
    tariff = state.queues.tariff[q] * state.tariff_factor[children.form[c]]
    pfs.free_places[pf] -= 1
    pfs.occupied[pf] += 1
    state.providers.in_care[pfs.provider[pf]].add(c)
    state.contracts.rate[k] += tariff
    if children.provider_form[c] == -1 and children.replacements[c] == 0:
        children.intake_at[c] = t
    else:
        children.extra_wait_days[c] += t - children.waiting_since[c]
    children.state[c] = IN_CARE
    children.provider_form[c] = pf
    children.contract[c] = k
    children.tariff[c] = tariff
    children.billed_until[c] = t
    due = t + children.duration[c]
    children.due_at[c] = due
    if state.log is not None:
        state.log.append((t, "intake", c))
    # Agenda.schedule, inlined: one call less on the hottest path.
    agenda = state.agenda
    agenda.seq += 1
    heappush(agenda.heap, (due, DISCHARGE, agenda.seq, c))


def release(state: State, c: int) -> int:
    """Take child ``c`` out of its place; return its provider form."""
    t = state.now
    children, pfs = state.children, state.provider_forms
    pf = children.provider_form[c]
    accrue_provider_form(state, pf, t)
    settle(state, c)
    state.contracts.rate[children.contract[c]] -= children.tariff[c]
    pfs.free_places[pf] += 1
    pfs.occupied[pf] -= 1
    state.providers.in_care[pfs.provider[pf]].discard(c)
    return pf


def on_discharge(state: State, c: int) -> None:
    """Child ``c`` ends its treatment; its place goes to the next child waiting for it."""
    children = state.children
    if children.state[c] != IN_CARE or children.due_at[c] != state.now:
        return  # stale: the child was moved when its provider exited
    pf = release(state, c)
    children.state[c] = DONE
    children.ended_at[c] = state.now
    if state.log is not None:
        state.log.append((state.now, "discharge", c))
    fill(state, pf)


def fill(state: State, pf: int) -> None:
    """Give free places of provider form ``pf`` to the longest-waiting children it may take: those
    of the unbound queues it serves and those bound to it (re-placed children first)."""
    pfs = state.provider_forms
    if state.providers.status[pfs.provider[pf]] != ACTIVE:
        return
    queues, children = state.queues, state.children
    child_state, queue_of = children.state, children.queue
    # (re-placed, others, column, value): a deque's head counts while it waits and its column is
    # still the value (a child moved to another queue, or bound again, leaves lazily). Built once
    # per provider form and again when it serves a new queue (an entrant's contract).
    served, lists = pfs.fill_lists.get(pf, (-1, []))
    if served != len(pfs.serves[pf]):
        lists = [(queues.priority[q], queues.normal[q], queue_of, q) for q in pfs.serves[pf]]
        if pfs.weight[pf] > 0:
            lists.append((pfs.bound_priority[pf], pfs.bound_normal[pf], children.bound_pf, pf))
        pfs.fill_lists[pf] = (len(pfs.serves[pf]), lists)
    while pfs.free_places[pf] > 0:
        best: deque[int] | None = None
        best_key: tuple[int, float, int] | None = None
        for again, first_time, column, value in lists:
            for prio, dq in ((0, again), (1, first_time)):
                while dq and (child_state[dq[0]] != WAITING or column[dq[0]] != value):
                    dq.popleft()  # escalated, withdrawn, moved or bound again
                if dq:
                    head = dq[0]
                    key = (prio, children.waiting_since[head], head)
                    if best_key is None or key < best_key:
                        best_key, best = key, dq
                    break
        if best is None:
            return
        c = best.popleft()
        q = queue_of[c]
        count_queue(state, q, -1)
        intake(state, c, pf, q)


def on_escalate(state: State, c: int) -> None:
    """Child ``c`` still waits at its escalation threshold: it is referred to the heavier form."""
    children = state.children
    if children.state[c] != WAITING or children.replacements[c]:
        return
    target = state.escalate_to[children.form[c]]
    if target < 0:
        return
    _leave_list(state, c, ESCALATED, "escalate")
    queue = state.queues.of[(children.gemeente[c], target)]
    on_referral(state, children.add_escalation(c, target, queue, state.now))


def on_withdraw(state: State, c: int) -> None:
    """Child ``c``'s patience ran out while it waited: it leaves the list without this care
    (help elsewhere or none). Children waiting again after their provider left keep their place."""
    children = state.children
    if children.state[c] != WAITING or children.replacements[c]:
        return
    _leave_list(state, c, WITHDRAWN, "withdraw")


def _leave_list(state: State, c: int, new_state: int, event: str) -> None:
    """Child ``c`` leaves its waiting list unplaced, now, into ``new_state`` (logged as ``event``)."""
    children = state.children
    children.state[c] = new_state
    children.ended_at[c] = state.now
    count_queue(state, children.queue[c], -1)
    if state.log is not None:
        state.log.append((state.now, event, c))


def place_again(state: State, c: int) -> None:
    """A child whose provider left: placed at once if it can be, else first in its queue (bound
    again, without the provider that left, in a bound queue)."""
    _place_or_wait(state, c, state.children.queue[c])


def fill_grown(state: State, month: int) -> None:
    """Snapshot step: places that opened at the month end go to waiting children."""
    grown, state.grown = state.grown, []
    for pf in grown:
        fill(state, pf)
