"""New providers enter where waiting lists persist and the contract terms would cover their costs.

The counterpart of exit (:mod:`.continuity`), as expansion (:mod:`.capacity`) is of shrinking.
The rule (``scenario.capacity.entry``, an assumption) is the same under every regime; the regimes
differ only through their mechanisms: which waiting lists a region's children join (pooling), the
tariffs of the units that buy there, and the administration an entrant would carry, one contract
and (per ``finance.admin_term_sets``) one set of terms per unit that buys the form for the region.
A fragmented region of many units therefore needs a higher tariff before entry pays.

The world holds *dormant entrant slots* (:func:`entrant_slots`): per jeugdregio and care form with
an observed wait (of ``care_forms``, when given), ``max_per_region`` providers with no places, in the
region's largest gemeente.
They are in every table from the start (so no table grows during a run) but take no part until
they enter: no places, staff, contracts or ledger rows. At a month end a (region, form) counts a
long-wait month when the longest current wait of a child of the region on the form's waiting lists
is above ``wait_factor`` x the form's observed wait and :func:`entry_pays`. After ``after_months``
of them in a row the next dormant slot is founded; it opens at the month end ``setup_months``
later (at least the next), staffed for its places, and every unit that buys the form for the
region's gemeenten contracts it on its own terms. It is tried after the providers a unit already
had (newcomers are last on the eligible lists). Nothing here draws a random number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from simulation.config import Scenario
from simulation.config.errors import ScenarioError
from simulation.core.finance import admin_share, cost_index, update_admin
from simulation.core.state import ACTIVE, DORMANT, WAITING, State
from simulation.core.workforce import target_fte, yearly_cost_per_place
from simulation.core.world import Geography, Market, Provider, ProviderForm

__all__ = [
    "bound_forms",
    "contract_entrant",
    "enter_where_waits_persist",
    "entrant_slots",
    "entry_pays",
    "longest_waits_by_region",
]


def reference_occupancy(scenario: Scenario, form: str) -> float:
    """The occupancy a form's tariff is meant to cover costs at (its break-even occupancy)."""
    cp = scenario.care_forms[form].cost_price
    occupancy = cp.break_even_occupancy or scenario.finance.break_even_occupancy
    return occupancy.value if occupancy is not None else 1.0


def entrant_slots(
    scenario: Scenario, geography: Geography, forms: Iterable[str], providers: Sequence[Provider], market: Market
) -> list[Provider]:
    """The dormant entrants of a run (none without ``capacity.entry``).

    Size: ``places_share`` x the places the region's providers offer of the form at the start
    (at least one). Reserves: ``reserves_share`` x the yearly revenue of those places at the
    reference occupancy and the mean tariff of the units buying the form for the region."""
    rule = scenario.capacity.entry
    if rule is None:
        return []
    forms = list(forms)
    bound = bound_forms(scenario, forms, providers)
    named = sorted(bound & set(rule.care_forms or []))
    if named:
        why = (
            f"{', '.join(map(repr, named))}: every provider of it has a werkgebied, so its children are bound to one "
            "of them (providers.bind_to_werkgebied) and an entrant would get none; entry into such a form is not "
            "modelled: remove it, or set providers.bind_to_werkgebied to false"
        )
        raise ScenarioError(scenario.name, [("capacity.entry.care_forms", why)])
    region_of = {g.code: g.region for g in geography.gemeenten}
    out: list[Provider] = []
    for region in geography.regions:
        gemeenten = geography.in_region(region)
        home = max(gemeenten, key=lambda g: (g.youth, g.code))
        for form in forms:
            if scenario.care_forms[form].observed_wait_days is None:
                continue  # no observed wait, no rule for "too long"
            if (rule.care_forms is not None and form not in rule.care_forms) or form in bound:
                continue
            offered = sum(o.places for p in providers if region_of.get(p.gemeente) == region
                          for o in p.forms if o.care_form == form)  # fmt: skip
            places = max(1, round(rule.places_share * offered))
            tariffs = [market.tariff.get((market.unit_for[(g.code, form)], form), 0.0) for g in gemeenten]
            revenue = places * sum(tariffs) / len(tariffs) * reference_occupancy(scenario, form) * 365.0
            for k in range(rule.max_per_region):
                pid = f"entrant-{region}-{form}-{k + 1}"
                out.append(
                    Provider(
                        provider_id=pid,
                        name=f"Nieuwe aanbieder {k + 1} {form} {home.region_name}",
                        gemeente=home.code,
                        group="entrant",
                        reserves_eur=rule.reserves_share * revenue,
                        forms=(ProviderForm(pid, form, places, 1.0),),
                        lon=home.lon,
                        lat=home.lat,
                        entrant=True,
                    )
                )
    return out


def bound_forms(scenario: Scenario, forms: Iterable[str], providers: Sequence[Provider]) -> set[str]:
    """The forms whose children are bound to a werkgebied provider (the GIs: every provider of the
    form has a werkgebied and ``providers.bind_to_werkgebied`` is on). Entry into them is not
    modelled: a bound child waits for its own provider, so an entrant would get no children."""
    if not scenario.providers.bind_to_werkgebied:
        return set()
    out = set()
    for form in forms:
        offering = [p for p in providers if any(o.care_form == form for o in p.forms)]
        if offering and all(p.serves is not None for p in offering):
            out.add(form)
    return out


def _region_queues(state: State, region: str, f: int) -> list[int]:
    """The waiting lists the region's children of form ``f`` join now (one per unit buying it)."""
    return sorted({state.queues.of[(gi, f)] for gi in state.entry_gemeenten[region]})


def longest_waits_by_region(state: State) -> dict[tuple[str, int], float]:
    """(region, form) -> how long the region's longest-waiting child has waited now on the form's
    waiting lists (of the forms with entrant slots); absent: nobody waits. Children re-placed after
    an exit count (since they were moved): after an exit they are the shortage an entrant answers."""
    queues, children = state.queues, state.children
    child_state, queue_of, since, gemeente = children.state, children.queue, children.waiting_since, children.gemeente
    region_of = state.entry_region_of
    regions_of_queue: dict[int, set[str]] = {}
    for (gi, _), q in queues.of.items():
        regions_of_queue.setdefault(q, set()).add(region_of[gi])
    out: dict[tuple[str, int], float] = {}
    forms = {f for _, f in state.entry_slots}  # only the forms entrants may offer are looked at
    for q in range(len(queues.keys)):
        f = state.form_index[queues.keys[q][1]]
        if f not in forms:
            continue
        for dq in (queues.priority[q], queues.normal[q]):
            todo = set(regions_of_queue.get(q, ()))
            # Children join a deque in the order they start waiting: a region's first is its longest.
            for c in dq:
                if not todo:
                    break
                if child_state[c] != WAITING or queue_of[c] != q:
                    continue
                region = region_of[gemeente[c]]
                if region in todo:
                    todo.discard(region)
                    key = (region, f)
                    out[key] = max(out.get(key, 0.0), state.now - since[c])
    return out


def entry_pays(state: State, region: str, f: int, month: int) -> bool:
    """Would the terms of the units buying form ``f`` for ``region`` cover an entrant's costs?

    Revenue per place and year: the units' mean tariff (with the tariff changes so far) at the
    form's reference occupancy. Cost: the paid staff one place of care needs when administration
    takes the entrant's share (one contract and one set of terms per unit, as
    :func:`~.finance.update_admin` counts them), plus housing, overhead and variable costs, indexed."""
    qs = _region_queues(state, region, f)
    units = sorted({state.queues.keys[q][0] for q in qs})
    if state.scenario.finance.admin_term_sets == "region":
        unit_region = {u.unit_id: u.region for m in state.markets for u in m.units}
        term_sets = len({unit_region[u] for u in units})
    else:
        term_sets = len(units)
    share = admin_share(state, len(units), term_sets)
    cp = state.form_params[f].cost_price
    occupancy = reference_occupancy(state.scenario, state.care_forms[f])
    tariff = sum(state.queues.tariff[q] for q in qs) / len(qs) * state.tariff_factor[f]
    cost = yearly_cost_per_place(cp, state.staff_per_place[f], share, occupancy) * cost_index(state, month)
    return tariff * occupancy * 365.0 >= cost


def _open(state: State, pf: int) -> None:
    """The entrant of slot ``pf`` opens: places, contracts with the region's units, staff."""
    pfs, providers = state.provider_forms, state.providers
    p, f = pfs.provider[pf], pfs.form[pf]
    pid, form = providers.ids[p], state.care_forms[f]
    providers.status[p] = ACTIVE
    pfs.places[pf] = pfs.entry_places[pf]
    region = state.entry_slot_region[pf]
    qs = _region_queues(state, region, f)
    for q in qs:
        contract_entrant(state, pf, q, len(qs))
    update_admin(state)
    # Set-up recruited its staff: it opens with the staff its places need.
    pfs.fte[pf] = target_fte(state, pf)
    units = " ".join(state.queues.keys[q][0] for q in qs)
    state.recorder.entry(pid, region, form, state.now, pfs.places[pf], units)
    if state.log is not None:
        state.log.append((state.now, "enter", pf))


def contract_entrant(state: State, pf: int, q: int, units: int) -> None:
    """The unit of queue ``q`` contracts the entrant ``pf`` on its own terms: the entrant joins the
    queue's list of providers, and with budget ceilings gets the yearly value of its places at the
    reference occupancy split evenly over the ``units`` that contract it (it has no share of their
    expected loads yet)."""
    pfs = state.provider_forms
    f = pfs.form[pf]
    unit, pid, form = state.queues.keys[q][0], state.providers.ids[pfs.provider[pf]], state.care_forms[f]
    state.queues.eligible[q].append(pf)
    pfs.serves[pf].append(q)
    state.contracted.add((unit, pid, form))
    factor = state.scenario.finance.budget_ceiling_factor
    if factor is not None:
        occupancy = reference_occupancy(state.scenario, form)
        yearly = pfs.places[pf] * occupancy * state.queues.tariff[q] * state.tariff_factor[f] * 365.0
        state.ceilings[(unit, pid, form)] = factor.value * yearly / units


# -- month-end step ----------------------------------------------------------------------------
def enter_where_waits_persist(state: State, month: int) -> None:
    """Open the entrants founded ``setup_months`` ago; found more where waits persist and entry pays."""
    rule = state.scenario.capacity.entry
    if rule is None:
        return
    pending = state.entries
    while pending and pending[0][0] <= month:
        _open(state, pending.pop(0)[1])
    founding = {pf for _, pf in pending}
    waits = longest_waits_by_region(state)
    status, owner = state.providers.status, state.provider_forms.provider
    for key, slots in state.entry_slots.items():
        region, f = key
        observed = state.form_params[f].observed_wait_days
        dormant = [pf for pf in slots if status[owner[pf]] == DORMANT]
        if observed is None or f in state.phase_out or not dormant or any(pf in founding for pf in dormant):
            state.entry_wait_months[key] = 0
            continue
        long_wait = waits.get(key, 0.0) > rule.wait_factor * observed.value and entry_pays(state, region, f, month)
        months = state.entry_wait_months.get(key, 0) + 1 if long_wait else 0
        state.entry_wait_months[key] = months
        if months >= rule.after_months:
            state.entry_wait_months[key] = 0
            pending.append((month + rule.setup_months, dormant[0]))
            if state.log is not None:
                state.log.append((state.now, "found", dormant[0]))
