"""Continuity of care: solvency, notice, liquidity support for crucial providers, and exit.

A provider whose solvency stays below the threshold gives notice (unless it is crucial and gets
liquidity support), takes no new children and exits when the notice ends. Its children return to
the waiting lists with priority and keep the rest of their treatment: no child is lost.
"""

from __future__ import annotations

from simulation.core.agenda import Event
from simulation.core.finance import accrue_provider_form
from simulation.core.matching import place_again, rebind_waiting, release
from simulation.core.state import ACTIVE, EXITED, NOTICE, WAITING, State

__all__ = ["crucial_providers", "on_exit", "review_solvency"]


def crucial_providers(state: State) -> list[bool]:
    """Providers with at least the crucial share of a care form's places in their region."""
    support = state.scenario.finance.support
    pfs = state.provider_forms
    out = [False] * len(state.providers.ids)
    if support is None:
        return out
    region = {g.code: g.region for g in state.world.geography.gemeenten}
    provider_region = [region[p.gemeente] for p in state.world.providers]
    totals: dict[tuple[str, int], int] = {}
    for pf, (p, f) in enumerate(zip(pfs.provider, pfs.form, strict=True)):
        key = (provider_region[p], f)
        totals[key] = totals.get(key, 0) + pfs.places[pf]
    for pf, (p, f) in enumerate(zip(pfs.provider, pfs.form, strict=True)):
        total = totals[(provider_region[p], f)]
        if total and pfs.places[pf] / total >= support.crucial_share:
            out[p] = True
    return out


def _support(state: State, p: int, month_cost: float, days: float) -> float:
    """Liquidity support for a crucial provider about to give notice; 0 when none is given."""
    support = state.scenario.finance.support
    providers = state.providers
    if support is None or not providers.crucial[p] or state.support_left <= 0:
        return 0.0
    monthly = month_cost * (365.0 / 12.0) / days if days > 0 else month_cost
    need = support.restore_months * monthly - providers.reserves[p]
    amount = min(state.support_left, max(0.0, need))
    if amount <= 0.0 or providers.reserves[p] + amount < 0.0:
        return 0.0
    state.support_left -= amount
    state.month_support += amount
    providers.insolvent_months[p] = 0
    state.recorder.support(providers.ids[p], state.now, amount)
    if state.log is not None:
        state.log.append((state.now, "support", p))
    return amount


def _give_notice(state: State, p: int, month: int) -> None:
    state.providers.status[p] = NOTICE
    state.providers.notice_day[p] = state.now
    if state.log is not None:
        state.log.append((state.now, "notice", p))
    for pf in state.providers.provider_forms[p]:
        rebind_waiting(state, pf)  # it takes no one new: those waiting for it wait for another
    last = month + state.scenario.finance.notice_months
    if last < len(state.months):
        state.agenda.schedule(state.months[last][1], Event.EXIT, p)


# -- month-end step ----------------------------------------------------------------------------
def review_solvency(state: State, month: int) -> None:
    """An active provider too long below the solvency threshold gets support or gives notice."""
    fin = state.scenario.finance
    start, end, _ = state.months[month]
    days = end - start
    providers, books = state.providers, state.books
    for p in range(len(providers.ids)):
        support = 0.0
        if books.status[p] == ACTIVE:
            bad = books.solvency[p] < fin.continuity_solvency_threshold
            providers.insolvent_months[p] = providers.insolvent_months[p] + 1 if bad else 0
            if providers.insolvent_months[p] >= fin.months_negative_before_notice:
                cost = books.staff[p] + books.housing[p] + books.overhead[p] + books.variable[p]
                support = _support(state, p, cost, days)
                if support == 0.0:
                    _give_notice(state, p, month)
        providers.reserves[p] += support
        books.support[p] = support


def on_exit(state: State, p: int) -> None:
    """Provider ``p`` leaves (a shock if it was active, else the end of its notice)."""
    providers = state.providers
    if providers.status[p] == EXITED:
        return
    cause = "shock" if providers.status[p] == ACTIVE else "finance"
    t = state.now
    providers.status[p] = EXITED
    in_care = sorted(providers.in_care[p])
    if state.log is not None:
        state.log.append((t, "exit", p))
    children, pfs = state.children, state.provider_forms
    for c in in_care:
        release(state, c)
        children.duration[c] = children.due_at[c] - t  # the rest of the treatment goes with the child
        children.state[c] = WAITING
        children.replacements[c] += 1
        children.waiting_since[c] = t
    for pf in providers.provider_forms[p]:
        accrue_provider_form(state, pf, t)  # staff and places count up to the exit, not after
        pfs.free_places[pf] = 0
        pfs.places[pf] = 0
        pfs.effective_places[pf] = 0
        pfs.fte[pf] = 0.0
        pfs.pipeline[pf].clear()
    for c in in_care:
        place_again(state, c)  # the children it had go first, then those waiting for it
    for pf in providers.provider_forms[p]:
        rebind_waiting(state, pf)
    state.recorder.exit(providers.ids[p], providers.notice_day.get(p, t), t, len(in_care), cause)
