"""What the scenario fixes in the calendar: months, tariff changes, shocks, phase-out, switches.

The plans are read once at the start and put on the agenda; the handlers here carry them out.
"""

from __future__ import annotations

import datetime as dt
import math

from simulation.core import finance, matching
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


def _day_of(s: State, date: dt.date) -> float:
    return float((date - s.scenario.start_date).days)


def _tariff_plan(s: State) -> list[tuple[float, float, list[int]]]:
    plan = []
    every = list(range(len(s.care_forms)))
    idx = s.scenario.finance.tariff_indexation_per_year
    if idx is not None and idx.value != 0:
        year = s.scenario.start_date.year + 1
        while (day := _day_of(s, dt.date(year, 1, 1))) < s.horizon:
            plan.append((day, 1.0 + idx.value, every))
            year += 1
    for change in s.scenario.tariff_changes:
        day = _day_of(s, change.date)
        if 0 <= day < s.horizon:
            forms = (
                every
                if change.care_forms is None
                else [s.form_index[f] for f in change.care_forms if f in s.form_index]
            )
            plan.append((day, change.factor, forms))
    return sorted(plan, key=lambda x: x[0])


def _shock_plan(s: State) -> list[tuple[float, int]]:
    out = []
    region = {g.code: g.region for g in s.world.geography.gemeenten}
    for shock in s.scenario.shocks:
        day = _day_of(s, shock.date)
        if not 0 <= day < s.horizon:
            continue
        if shock.which == "largest":
            candidates = [
                (sum(o.places for o in p.forms), p.provider_id, i)
                for i, p in enumerate(s.world.providers)
                if shock.region is None or region[p.gemeente] == shock.region
            ]
            if candidates:
                out.append((day, max(candidates)[2]))
        elif shock.which in s.providers.index:
            out.append((day, s.providers.index[shock.which]))
    return out


def plan(s: State) -> None:
    """Put the calendar on the agenda: month ends, tariff changes, switches and shocks."""
    s.months = month_boundaries(s.scenario.start_date, s.horizon)
    for po in s.scenario.phase_out:
        if po.care_form in s.form_index and po.divert_to in s.form_index:
            s.phase_out[s.form_index[po.care_form]] = (
                _day_of(s, po.start),
                _day_of(s, po.end),
                s.form_index[po.divert_to],
            )
    agenda = s.agenda
    for month, (_, end, _) in enumerate(s.months):
        agenda.schedule(end, Event.MONTH_END, month)
        agenda.schedule(end, Event.SNAPSHOT, month)
    for day, factor, affected in _tariff_plan(s):
        s.tariff_events.append((factor, affected))
        agenda.schedule(day, Event.TARIFF, len(s.tariff_events) - 1)
    for i, sw in enumerate(s.world.switches):
        agenda.schedule(sw.day, Event.SWITCH, i)
    for day, victim in _shock_plan(s):
        agenda.schedule(day, Event.EXIT, victim)


def on_tariff(s: State, i: int) -> None:
    """A tariff change: the factor applies to new placements and to every child in care."""
    factor, forms = s.tariff_events[i]
    affected = set(forms)
    for f in forms:
        s.tariff_factor[f] *= factor
    children, rate = s.children, s.contracts.rate
    for in_care in s.providers.in_care:
        for c in sorted(in_care):
            if children.form[c] in affected:
                finance.settle(s, c)
                new = children.tariff[c] * factor
                rate[children.contract[c]] += new - children.tariff[c]
                children.tariff[c] = new
    if s.log is not None:
        s.log.append((s.now, "tariff", i))


def on_switch(s: State, i: int) -> None:
    """Part of a transition: a care form of some gemeenten moves to its new contracting unit."""
    sw = s.world.switches[i]
    f = s.form_index.get(sw.care_form)
    if f is None:
        return
    queues, children = s.queues, s.children
    new_q = queues.index[(sw.new_unit, sw.care_form)]
    old_q = queues.index[(sw.old_unit, sw.care_form)]
    gems = {s.gemeente_index[g] for g in sw.gemeenten if g in s.gemeente_index}
    for gi in gems:
        queues.of[(gi, f)] = new_q
    moved = [
        c
        for dq in (queues.priority[old_q], queues.normal[old_q])
        for c in dq
        if children.state[c] == WAITING and children.queue[c] == old_q and children.gemeente[c] in gems
    ]
    for c in sorted(moved, key=lambda c: (children.replacements[c] == 0, children.waiting_since[c], c)):
        matching.count_queue(s, old_q, -1)
        children.queue[c] = new_q
        (queues.priority if children.replacements[c] else queues.normal)[new_q].append(c)
        matching.count_queue(s, new_q, +1)
    old_left = any(q == old_q for q in queues.of.values())
    final = s.world.final_market
    assert final is not None
    s.contracted |= {(c.unit_id, c.provider_id, c.care_form) for c in final.contracts
                     if c.unit_id == sw.new_unit and c.care_form == sw.care_form}  # fmt: skip
    if not old_left:
        s.contracted = {k for k in s.contracted if not (k[0] == sw.old_unit and k[2] == sw.care_form)}
    finance.update_admin(s)
    if s.log is not None:
        s.log.append((s.now, "switch", i))
    # The new unit's providers may have room for the children who just moved.
    for pf in sorted(queues.eligible[new_q]):
        matching.fill(s, pf)


# -- month-end step ----------------------------------------------------------------------------
def phase_out_places(s: State, month: int) -> None:
    """Places of a phased-out care form fall linearly to zero at the end date."""
    if not s.phase_out:
        return
    end = s.months[month][1]
    pfs = s.provider_forms
    for pf, f in enumerate(pfs.form):
        if f in s.phase_out:
            pfs.places[pf] = min(
                pfs.places[pf], math.floor(pfs.initial_places[pf] * (1.0 - s.phase_share(f, end)) + 1e-9)
            )
