"""Money: contract accounts, payments under budget ceilings, providers' costs and margins.

Money accrues exactly (tariff x time) per contract; each month a contract pays what was
delivered, up to what is left of its yearly ceiling (omzetplafond). Providers book staff,
housing, overhead and variable costs from their accrued FTE-, place- and occupied days;
administration takes a share of staff time that grows with the contracts and the distinct term
sets (contracting units) a provider serves.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from simulation.config import Scenario
from simulation.core.state import ACTIVE, State
from simulation.core.world import Gemeente, Market, Provider, distance_km

__all__ = [
    "accrue_contract",
    "accrue_provider_form",
    "admin_share",
    "book_costs",
    "book_margins",
    "budget_ceilings",
    "cost_index",
    "even_shares",
    "expected_shares",
    "index_ceilings",
    "municipal_costs",
    "open_account",
    "pay_contracts",
    "settle",
    "shrink_losing_forms",
    "start_next_month",
    "unit_loads",
    "update_admin",
]


def budget_ceilings(state: State) -> dict[tuple[str, str, str], float]:
    """Yearly ceiling per contract: factor x the unit's expected spend on the form x the provider's share.

    The share is the provider's expected share of the unit's care (``expected_share``, see
    :func:`expected_shares`) or ``1 / providers`` (``even``).
    """
    factor = state.scenario.finance.budget_ceiling_factor
    if factor is None:
        return {}
    split = state.scenario.finance.budget_ceilings.split
    out: dict[tuple[str, str, str], float] = {}
    bound = state.scenario.providers.bind_to_werkgebied
    for m in state.markets:
        load = unit_loads(state.scenario, state.world.geography.gemeenten, m)
        shares = expected_shares(state.world.providers, m, load, bound) if split == "expected_share" else even_shares(m)
        for (uid, pid, f), share in shares.items():
            spend = load[(uid, f)] * m.tariff[(uid, f)] * 365.0
            out[(uid, pid, f)] = factor.value * spend * share
    return out


def unit_loads(scenario: Scenario, gemeenten: Iterable[Gemeente], market: Market) -> dict[tuple[str, str], float]:
    """Expected children in care per (unit, care form) it buys (Little's law on the referral rate)."""
    youth = {g.code: g.youth for g in gemeenten}
    units = {u.unit_id: u for u in market.units}
    out: dict[tuple[str, str], float] = {}
    for c in market.contracts:
        key = (c.unit_id, c.care_form)
        if key not in out:
            form = scenario.care_forms[c.care_form]
            kids = sum(youth.get(g, 0.0) for g in units[c.unit_id].gemeenten)
            out[key] = kids * form.referral_rate_per_1000.value / 1000.0 / 365.0 * form.duration.mean_days
    return out


def even_shares(market: Market) -> dict[tuple[str, str, str], float]:
    """Every contracted provider of a (unit, form) the same share."""
    count: dict[tuple[str, str], int] = {}
    for c in market.contracts:
        count[(c.unit_id, c.care_form)] = count.get((c.unit_id, c.care_form), 0) + 1
    return {(c.unit_id, c.provider_id, c.care_form): 1.0 / count[(c.unit_id, c.care_form)] for c in market.contracts}


def expected_shares(
    providers: Iterable[Provider], market: Market, load: dict[tuple[str, str], float], bound: bool = False
) -> dict[tuple[str, str, str], float]:
    """Each contracted provider's expected share of its unit's care for a form.

    Children go to the nearest contracted provider with room, so a provider's places are expected
    to fill with the load of the units nearest to it: the (unit, provider) pairs of a form are
    taken nearest first (ties by ids) and each gives the unit as much of its remaining load as
    the provider has places left. Load no place was left for (a unit whose contracted providers
    are short of places) is shared in proportion to places. The shares of a (unit, form) sum to 1.

    ``bound`` (``providers.bind_to_werkgebied``): a unit whose providers of a form all have a
    werkgebied binds each child to one of them by their weights (matching.bind), so their shares
    are their weights over the sum.
    """
    providers = list(providers)
    places = {(o.provider_id, o.care_form): o.places for p in providers for o in p.forms}
    where = {p.provider_id: (p.lon, p.lat) for p in providers}
    units = {u.unit_id: u for u in market.units}
    pairs = []
    for c in market.contracts:
        u = units[c.unit_id]
        lon, lat = where.get(c.provider_id, (u.lon, u.lat))
        pairs.append((distance_km(u.lon, u.lat, lon, lat), c.unit_id, c.provider_id, c.care_form))
    pairs.sort()
    room = {(pid, f): float(places.get((pid, f), 0)) for _, _, pid, f in pairs}
    left = dict(load)
    given: dict[tuple[str, str, str], float] = {}
    for _, uid, pid, f in pairs:
        take = min(left[(uid, f)], room[(pid, f)])
        given[(uid, pid, f)] = take
        left[(uid, f)] -= take
        room[(pid, f)] -= take
    total_places: dict[tuple[str, str], float] = {}
    for _, uid, pid, f in pairs:
        total_places[(uid, f)] = total_places.get((uid, f), 0.0) + places.get((pid, f), 0)
    out = {}
    for key, take in given.items():
        uid, pid, f = key
        total = load[(uid, f)]
        if total <= 0:
            out[key] = 0.0
            continue
        rest = left[(uid, f)] * places.get((pid, f), 0) / total_places[(uid, f)] if total_places[(uid, f)] else 0.0
        out[key] = (take + rest) / total
    if bound:
        out.update(_werkgebied_shares(providers, market, load))
    return out


def _werkgebied_shares(
    providers: list[Provider], market: Market, load: dict[tuple[str, str], float]
) -> dict[tuple[str, str, str], float]:
    """The weight shares of the (unit, form)s whose contracted providers all have a werkgebied."""
    by_id = {p.provider_id: p for p in providers}
    members: dict[tuple[str, str], list[Provider]] = {}
    for c in market.contracts:
        members.setdefault((c.unit_id, c.care_form), []).append(by_id[c.provider_id])
    out = {}
    for (uid, f), chosen in members.items():
        if any(p.serves is None for p in chosen):
            continue
        total = sum(p.weight for p in chosen)
        for p in chosen:
            share = p.weight / total if total > 0 else 1.0 / len(chosen)
            out[(uid, p.provider_id, f)] = share if load[(uid, f)] > 0 else 0.0
    return out


def index_ceilings(state: State, factor: float, forms: list[int]) -> None:
    """A tariff change scales the ceilings of the forms it touches (``budget_ceilings.indexed``)."""
    if not state.ceilings or not state.scenario.finance.budget_ceilings.indexed:
        return
    names = {state.care_forms[f] for f in forms}
    for key in state.ceilings:
        if key[2] in names:
            state.ceilings[key] *= factor
    contracts = state.contracts
    for k, (q, _) in enumerate(contracts.keys):
        if state.queues.keys[q][1] in names:
            contracts.ceiling[k] *= factor


def open_account(state: State, q: int, pf: int) -> int:
    """The contract of queue ``q`` with provider form ``pf``, opened on first use."""
    contracts = state.contracts
    k = contracts.of.get((q, pf))
    if k is None:
        k = len(contracts.keys)
        contracts.of[(q, pf)] = k
        contracts.keys.append((q, pf))
        contracts.rate.append(0.0)
        contracts.accrued.append(0.0)
        contracts.accrued_until.append(state.now)
        contracts.paid_this_year.append(0.0)
        unit, form = state.queues.keys[q]
        pid = state.providers.ids[state.provider_forms.provider[pf]]
        contracts.ceiling.append(state.ceilings.get((unit, pid, form), math.inf))
    return k


def accrue_contract(state: State, k: int, t: float) -> None:
    contracts = state.contracts
    d = t - contracts.accrued_until[k]
    if d > 0:
        contracts.accrued[k] += contracts.rate[k] * d
        contracts.accrued_until[k] = t


def accrue_provider_form(state: State, pf: int, t: float) -> None:
    pfs = state.provider_forms
    d = t - pfs.accrued_until[pf]
    if d > 0:
        pfs.occupied_days[pf] += pfs.occupied[pf] * d
        pfs.fte_days[pf] += pfs.fte[pf] * d
        pfs.nominal_place_days[pf] += pfs.places[pf] * d
        pfs.place_days[pf] += pfs.effective_places[pf] * d
        pfs.accrued_until[pf] = t


def settle(state: State, c: int) -> None:
    """Book the care delivered to child ``c`` since its last settlement."""
    t = state.now
    children = state.children
    accrue_contract(state, children.contract[c], t)
    children.delivered_eur[c] += children.tariff[c] * (t - children.billed_until[c])
    children.billed_until[c] = t


def update_admin(state: State) -> None:
    """Administration's share of staff time, from the contracts and term sets each provider has."""
    providers = state.providers
    n = len(providers.ids)
    n_contracts = [0] * n
    terms: list[set[str]] = [set() for _ in range(n)]
    # One set of terms per unit, or (admin_term_sets: region) per jeugdregio, as if regional.
    by_region = state.scenario.finance.admin_term_sets == "region"
    region = {u.unit_id: u.region for m in state.markets for u in m.units}
    for unit, pid, _ in state.contracted:
        i = providers.index.get(pid)
        if i is not None:
            n_contracts[i] += 1
            terms[i].add(region[unit] if by_region else unit)
    for i in range(n):
        providers.n_contracts[i] = n_contracts[i]
        providers.n_term_sets[i] = len(terms[i])
        providers.admin_share[i] = admin_share(state, n_contracts[i], len(terms[i]))


def admin_share(state: State, contracts: int, term_sets: int) -> float:
    """Administration's share of productive time for a provider with these contracts and term sets.

    With ``finance.admin`` (the curve): the reported share at the reference number of term sets,
    plus a slope per doubling of the term sets and per contract beyond one per term set; without
    it, the linear rule (per contract plus per term set). Within [0, the maximum].
    """
    fin = state.scenario.finance
    curve = fin.admin
    if curve is None:
        assert fin.provider_admin_share_per_contract is not None and fin.provider_admin_share_per_term_set is not None
        share = (
            contracts * fin.provider_admin_share_per_contract.value
            + term_sets * fin.provider_admin_share_per_term_set.value
        )
    else:
        # A provider serving no unit (only neighbours' pools) still keeps one set of books.
        sets = max(1, term_sets)
        share = (
            curve.reference_share.value
            + curve.per_doubling_of_term_sets.value * math.log2(sets / curve.reference_term_sets.value)
            + curve.per_extra_contract.value * max(0, contracts - sets)
        )
    return min(fin.provider_admin_share_max.value, max(0.0, share))


def cost_index(state: State, month: int) -> float:
    """Cost indexation factor of ``month`` (compounded per calendar year since the start)."""
    fin = state.scenario.finance
    years = state.months[month][2].year - state.scenario.start_date.year
    return (1.0 + fin.cost_indexation_per_year.value) ** years if fin.cost_indexation_per_year else 1.0


# -- month-end steps ---------------------------------------------------------------------------
def pay_contracts(state: State, month: int) -> None:
    """Contracts pay what was delivered, up to what is left of their yearly ceiling."""
    t = state.now
    start, _, first = state.months[month]
    new_year = month + 1 < len(state.months) and state.months[month + 1][2].month == 1
    contracts, pfs = state.contracts, state.provider_forms
    record = state.recorder.payment
    for k, (q, pf) in enumerate(contracts.keys):
        accrue_contract(state, k, t)
        delivered = contracts.accrued[k]
        if delivered == 0.0 and not new_year:
            continue
        paid = min(delivered, max(0.0, contracts.ceiling[k] - contracts.paid_this_year[k]))
        contracts.paid_this_year[k] = 0.0 if new_year else contracts.paid_this_year[k] + paid
        contracts.accrued[k] = 0.0
        pfs.revenue[pf] += paid
        if delivered > 0.0:
            unit, form = state.queues.keys[q]
            record(first, start, unit, state.providers.ids[pfs.provider[pf]], form, delivered, paid)


def book_costs(state: State, month: int) -> None:
    """Each provider's revenue, costs and volumes of the month, per provider and per care form."""
    t = state.now
    start, end, _ = state.months[month]
    days = end - start
    index = cost_index(state, month)
    pfs, books = state.provider_forms, state.books
    books.form_cost = [0.0] * len(pfs)
    books.by_form = [[0.0, 0.0, 0.0] for _ in state.care_forms]
    by_form = books.by_form
    for p, pf_list in enumerate(state.providers.provider_forms):
        books.status[p] = state.providers.status[p]
        revenue = staff = housing = overhead = variable = admin = occ_days = eff_days = nominal_days = 0.0
        fte_sum = 0.0
        admin_share = state.providers.admin_share[p]
        for pf in pf_list:
            accrue_provider_form(state, pf, t)
            cp = state.form_params[pfs.form[pf]].cost_price
            scale = pfs.cost_factor[pf] * index / 365.0
            pf_staff = pfs.fte_days[pf] * cp.salary_eur_per_fte_year.value * scale
            pf_housing = pfs.nominal_place_days[pf] * cp.housing_eur_per_place_year.value * scale
            pf_var = pfs.occupied_days[pf] * cp.variable_eur_per_day.value * index
            books.form_cost[pf] = (pf_staff + pf_housing) * (1.0 + cp.overhead_share.value) + pf_var
            revenue += pfs.revenue[pf]
            staff += pf_staff
            housing += pf_housing
            overhead += (pf_staff + pf_housing) * cp.overhead_share.value
            variable += pf_var
            admin += pf_staff * (1.0 - cp.non_productive_share.value) * admin_share
            occ_days += pfs.occupied_days[pf]
            eff_days += pfs.place_days[pf]
            nominal_days += pfs.nominal_place_days[pf]
            fte_sum += pfs.fte_days[pf] / days if days > 0 else 0.0
            f = pfs.form[pf]
            by_form[f][0] += pfs.occupied_days[pf]
            by_form[f][1] += pfs.place_days[pf]
            by_form[f][2] += pfs.nominal_place_days[pf]
        books.revenue[p] = revenue
        books.staff[p] = staff
        books.housing[p] = housing
        books.overhead[p] = overhead
        books.variable[p] = variable
        books.admin[p] = admin
        books.occupied_days[p] = occ_days
        books.place_days[p] = eff_days
        books.nominal_place_days[p] = nominal_days
        books.fte[p] = fte_sum


def shrink_losing_forms(state: State, month: int) -> None:
    """An active provider cuts the places of a care form that keeps losing money."""
    shrink = state.scenario.finance.shrink
    if shrink is None:
        return
    pfs, books = state.provider_forms, state.books
    for pf, p in enumerate(pfs.provider):
        if books.status[p] != ACTIVE:
            continue
        losing = pfs.revenue[pf] * (1.0 + shrink.loss_share_min) < books.form_cost[pf]
        pfs.losing_months[pf] = pfs.losing_months[pf] + 1 if losing else 0
        if pfs.losing_months[pf] >= shrink.after_months and pfs.places[pf] > 0:
            pfs.places[pf] = math.floor(pfs.places[pf] * (1.0 - shrink.step))
            pfs.losing_months[pf] = 0
            if state.log is not None:
                state.log.append((state.now, "shrink", pf))


def book_margins(state: State, month: int) -> None:
    """Margins go to the reserves; solvency is reserves over annualised revenue."""
    start, end, _ = state.months[month]
    days = end - start
    books, reserves = state.books, state.providers.reserves
    for p in range(len(reserves)):
        margin = books.revenue[p] - books.staff[p] - books.housing[p] - books.overhead[p] - books.variable[p]
        books.margin[p] = margin
        reserves[p] += margin
        annual_revenue = books.revenue[p] * 365.0 / days if days > 0 else 0.0
        if annual_revenue > 0:
            books.solvency[p] = reserves[p] / annual_revenue
        else:
            books.solvency[p] = math.inf if reserves[p] >= 0 else -math.inf


def municipal_costs(state: State, month: int) -> None:
    """Contracting units' own administration (per unit and per contract) and the support they paid."""
    start, end, first = state.months[month]
    days = end - start
    fin = state.scenario.finance
    units = {u for u, _, _ in state.contracted}
    per_month = (
        len(units) * fin.municipal_admin_eur_per_unit_month.value
        + len(state.contracted) * fin.municipal_admin_eur_per_contract_month.value
    )
    admin = per_month * days / (365.0 / 12.0) * cost_index(state, month)
    state.recorder.municipal_month(first, start, days, admin, len(units), len(state.contracted), state.month_support)
    state.month_support = 0.0


def start_next_month(state: State, month: int) -> None:
    """The month's accruals and revenue are booked: start them again from zero."""
    pfs = state.provider_forms
    zeros = [0.0] * len(pfs)
    pfs.occupied_days[:] = zeros
    pfs.fte_days[:] = zeros
    pfs.nominal_place_days[:] = zeros
    pfs.place_days[:] = zeros
    pfs.revenue[:] = zeros
