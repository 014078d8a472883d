"""What the scenario fixes in the calendar: months, tariff changes, shocks, phase-out, switches.

The plans are read once at the start and put on the agenda; the handlers here carry them out.
"""

from __future__ import annotations

import datetime as dt
import math

from simulation.core import entry, finance, matching
from simulation.core.agenda import Event
from simulation.core.state import WAITING, State

__all__ = [
    "month_boundaries",
    "on_switch",
    "on_tariff",
    "phase_out_places",
    "plan",
]


def month_boundaries(start: dt.date, horizon: float) -> list[tuple[float, float, dt.date]]:
    """Calendar months as (start day, end day, first date), the last one cut at the horizon."""
    months = []
    first = dt.date(start.year, start.month, 1)
    offset = float((start - first).days)
    day = 0.0
    while day < horizon:
        nxt = dt.date(first.year + (first.month // 12), first.month % 12 + 1, 1)
        end = min(horizon, float((nxt - first).days) - offset + day)
        months.append((day, end, first if offset == 0 else start))
        day, first, offset = end, nxt, 0.0
    return months


def _day_of(state: State, date: dt.date) -> float:
    return float((date - state.scenario.start_date).days)


def _tariff_plan(state: State) -> list[tuple[float, float, list[int]]]:
    plan = []
    every = list(range(len(state.care_forms)))
    idx = state.scenario.finance.tariff_indexation_per_year
    if idx is not None and idx.value != 0:
        year = state.scenario.start_date.year + 1
        while (day := _day_of(state, dt.date(year, 1, 1))) < state.horizon:
            plan.append((day, 1.0 + idx.value, every))
            year += 1
    for change in state.scenario.tariff_changes:
        day = _day_of(state, change.date)
        if 0 <= day < state.horizon:
            forms = (
                every
                if change.care_forms is None
                else [state.form_index[f] for f in change.care_forms if f in state.form_index]
            )
            plan.append((day, change.factor, forms))
    return sorted(plan, key=lambda x: x[0])


def _shock_plan(state: State) -> list[tuple[float, int]]:
    out = []
    region = {g.code: g.region for g in state.world.geography.gemeenten}
    for shock in state.scenario.shocks:
        day = _day_of(state, shock.date)
        if not 0 <= day < state.horizon:
            continue
        if shock.which == "largest":
            candidates = [
                (sum(o.places for o in p.forms), p.provider_id, i)
                for i, p in enumerate(state.world.providers)
                if shock.region is None or region[p.gemeente] == shock.region
            ]
            if candidates:
                out.append((day, max(candidates)[2]))
        elif shock.which in state.providers.index:
            out.append((day, state.providers.index[shock.which]))
    return out


def plan(state: State) -> None:
    """Put the calendar on the agenda: month ends, tariff changes, switches and shocks."""
    state.months = month_boundaries(state.scenario.start_date, state.horizon)
    for po in state.scenario.phase_out:
        if po.care_form in state.form_index and po.divert_to in state.form_index:
            state.phase_out[state.form_index[po.care_form]] = (
                _day_of(state, po.start),
                _day_of(state, po.end),
                state.form_index[po.divert_to],
            )
    agenda = state.agenda
    for month, (_, end, _) in enumerate(state.months):
        agenda.schedule(end, Event.MONTH_END, month)
        agenda.schedule(end, Event.SNAPSHOT, month)
    for day, factor, affected in _tariff_plan(state):
        state.tariff_events.append((factor, affected))
        agenda.schedule(day, Event.TARIFF, len(state.tariff_events) - 1)
    for i, sw in enumerate(state.world.switches):
        agenda.schedule(sw.day, Event.SWITCH, i)
    for day, victim in _shock_plan(state):
        agenda.schedule(day, Event.EXIT, victim)


def on_tariff(state: State, i: int) -> None:
    """A tariff change: the factor applies to new placements and to every child in care."""
    factor, forms = state.tariff_events[i]
    affected = set(forms)
    for f in forms:
        state.tariff_factor[f] *= factor
    finance.index_ceilings(state, factor, forms)
    children, rate = state.children, state.contracts.rate
    for in_care in state.providers.in_care:
        for c in sorted(in_care):
            if children.form[c] in affected:
                finance.settle(state, c)
                new = children.tariff[c] * factor
                rate[children.contract[c]] += new - children.tariff[c]
                children.tariff[c] = new
    if state.log is not None:
        state.log.append((state.now, "tariff", i))


def on_switch(state: State, i: int) -> None:
    """Part of a transition: a care form of some gemeenten moves to its new contracting unit."""
    sw = state.world.switches[i]
    f = state.form_index.get(sw.care_form)
    if f is None:
        return
    queues, children = state.queues, state.children
    new_q = queues.index[(sw.new_unit, sw.care_form)]
    old_q = queues.index[(sw.old_unit, sw.care_form)]
    gems = {state.gemeente_index[g] for g in sw.gemeenten if g in state.gemeente_index}
    for gi in gems:
        queues.of[(gi, f)] = new_q
    pfs = state.provider_forms
    deques = [queues.priority[old_q], queues.normal[old_q]]
    deques += [dq for pf in queues.eligible[old_q] for dq in (pfs.bound_priority[pf], pfs.bound_normal[pf])]
    moved = {
        c
        for dq in deques
        for c in dq
        if children.state[c] == WAITING and children.queue[c] == old_q and children.gemeente[c] in gems
    }
    for c in sorted(moved, key=lambda c: (children.replacements[c] == 0, children.waiting_since[c], c)):
        matching.count_queue(state, old_q, -1)
        if queues.bound[new_q] and children.bound_pf[c] in queues.eligible[new_q]:
            children.queue[c] = new_q  # it keeps its provider and its place in that one's list
        else:
            matching.requeue(state, c, new_q)  # a copy in an old bound list is left lazily
        matching.count_queue(state, new_q, +1)
    old_left = any(q == old_q for q in queues.of.values())
    final = state.world.final_market
    assert final is not None
    state.contracted |= {(c.unit_id, c.provider_id, c.care_form) for c in final.contracts
                     if c.unit_id == sw.new_unit and c.care_form == sw.care_form}  # fmt: skip
    # New providers that opened during the run are in no market file: the new unit takes over
    # the old unit's contracts with them (its gemeenten keep the providers they could use).
    for pf in sorted(queues.eligible[old_q]):
        if pf in state.entry_slot_region and pf not in queues.eligible[new_q]:
            entry.contract_entrant(state, pf, new_q, len(state.provider_forms.serves[pf]) + 1)
    if not old_left:
        state.contracted = {k for k in state.contracted if not (k[0] == sw.old_unit and k[2] == sw.care_form)}
    finance.update_admin(state)
    if state.log is not None:
        state.log.append((state.now, "switch", i))
    # The new unit's providers may have room for the children who just moved.
    for pf in sorted(queues.eligible[new_q]):
        matching.fill(state, pf)


# -- month-end step ----------------------------------------------------------------------------
def phase_out_places(state: State, month: int) -> None:
    """Places of a phased-out care form fall linearly to zero at the end date."""
    if not state.phase_out:
        return
    end = state.months[month][1]
    pfs = state.provider_forms
    for pf, f in enumerate(pfs.form):
        if f in state.phase_out:
            pfs.places[pf] = min(
                pfs.places[pf], math.floor(pfs.initial_places[pf] * (1.0 - state.phase_share(f, end)) + 1e-9)
            )
