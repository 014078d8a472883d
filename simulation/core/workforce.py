"""Staff: initial staffing, turnover, the hiring pipeline, and the places staff allow.

Staff leave (more when the workload is above its norm) and are hired with a delay; a provider in
deficit hires less. The places a provider form can fill are what its care staff allow (after
non-productive time and administration), at most its nominal places.
"""

from __future__ import annotations

import math

from simulation.config import CareForm, CostPrice, Workforce
from simulation.core.state import EXITED, State

__all__ = [
    "care_fte_factor",
    "care_time_share",
    "effective_places",
    "equilibrium_share",
    "hire_initial_staff",
    "monthly_turnover",
    "paid_fte_per_place",
    "staffed_share",
    "target_fte",
    "turnover_and_hiring",
    "update_capacity",
    "yearly_cost_per_place",
]


def care_time_share(cp: CostPrice, admin_share: float) -> float:
    """The share of a paid FTE that is care time, after non-productive time and administration."""
    return (1.0 - cp.non_productive_share.value) * (1.0 - admin_share)


def paid_fte_per_place(cp: CostPrice, staff_per_place: float, admin_share: float) -> float:
    """Paid FTE one place needs for ``staff_per_place`` FTE of care time at ``admin_share``."""
    return staff_per_place / care_time_share(cp, admin_share)


def yearly_cost_per_place(cp: CostPrice, staff_per_place: float, admin_share: float, occupancy: float) -> float:
    """Cost of one place a year, fully staffed, at ``occupancy`` (the model's cost-price rule: paid
    staff and housing with overhead, variable costs per occupied day), before indexation."""
    fixed = paid_fte_per_place(cp, staff_per_place, admin_share) * cp.salary_eur_per_fte_year.value
    fixed += cp.housing_eur_per_place_year.value
    return fixed * (1.0 + cp.overhead_share.value) + cp.variable_eur_per_day.value * 365.0 * occupancy


def care_fte_factor(state: State, pf: int) -> float:
    """The share of an FTE that is care time, after non-productive time and administration."""
    pfs = state.provider_forms
    return care_time_share(state.form_params[pfs.form[pf]].cost_price, state.providers.admin_share[pfs.provider[pf]])


def monthly_turnover(state: State, pf: int) -> float:
    cp = state.form_params[state.provider_forms.form[pf]].cost_price
    return cp.annual_staff_turnover.value * state.scenario.workforce.turnover_factor / 12.0


def target_fte(state: State, pf: int) -> float:
    """The staff that all nominal places need: at the provider's own administration share, or
    (``finance.admin.staff_target: reference_share``) at the reference share, the staff the tariff
    pays for. Then less administration than the reference frees care time for places that staff
    could not fill, and more takes places away (effective capacity = FTE x (1 - admin share))."""
    pfs = state.provider_forms
    curve = state.scenario.finance.admin
    if curve is not None and curve.staff_target == "reference_share":
        factor = care_time_share(state.form_params[pfs.form[pf]].cost_price, curve.reference_share.value)
    else:
        factor = care_fte_factor(state, pf)
    return pfs.places[pf] * state.staff_per_place[pfs.form[pf]] / factor


def effective_places(state: State, pf: int) -> int:
    """The places staff allow: their care time over the care a place needs, rounded to the nearest
    whole place (a caseload bends by part of a child either way). Rounding down instead cost every
    provider up to a place it pays staff for: small providers lost money by it (at 3 places and
    95% staffing a third of their revenue) while large ones did not notice."""
    pfs = state.provider_forms
    by_staff = math.floor(pfs.fte[pf] * care_fte_factor(state, pf) / state.staff_per_place[pfs.form[pf]] + 0.5)
    return max(0, min(pfs.places[pf], by_staff))


def staffed_share(form: CareForm, wf: Workforce) -> float:
    """The share of its target staff a provider form has at the start (see :func:`hire_initial_staff`),
    hence the share of its nominal places that staff allow: what the landscape sizes for."""
    if wf.initial_staffing != "equilibrium":
        return min(1.0, float(wf.initial_staffing))
    tau = form.cost_price.annual_staff_turnover.value * wf.turnover_factor / 12.0
    return equilibrium_share(tau, wf.vacancy_fill_per_month.value, wf.hiring_delay_months)


def equilibrium_share(tau: float, phi: float, delay: int) -> float:
    """The share of its target staff that monthly turnover ``tau`` and hiring keep a provider form
    at, filling ``phi`` of its vacancies a month with hires that arrive ``delay`` months later.

    :func:`turnover_and_hiring` counts a month's vacancies after its leavers left and its hires
    arrived, when the pipeline holds the ``delay - 1`` later months' hires: in the steady state
    leavers ``tau f`` equal hires ``phi (T - f - (delay - 1) tau f)``, so
    ``f / T = phi / (tau + phi + phi tau (delay - 1))`` (with ``delay`` 0 the month's hires arrive
    at once, before the next month's leavers: the same formula)."""
    return 1.0 if phi <= 0 else phi / (tau + phi + phi * tau * (delay - 1))


def hire_initial_staff(state: State) -> None:
    """Staff at the start: a share of the target, or the steady state of turnover and hiring.

    The steady state is :func:`equilibrium_share` of the target, with ``delay`` months of hires
    (``tau f`` each) on their way at the start of the first month. Every place staff allow is free.
    """
    wf = state.scenario.workforce
    pfs = state.provider_forms
    for pf in range(len(pfs)):
        target = target_fte(state, pf)
        tau, phi, delay = monthly_turnover(state, pf), wf.vacancy_fill_per_month.value, wf.hiring_delay_months
        if wf.initial_staffing != "equilibrium":
            pfs.fte[pf] = float(wf.initial_staffing) * target
        elif phi <= 0:
            pfs.fte[pf] = target
        else:
            pfs.fte[pf] = equilibrium_share(tau, phi, delay) * target
            hires = tau * pfs.fte[pf]
            for month in range(delay):
                if hires > 0:
                    pfs.pipeline[pf].append((month, hires))
        pfs.effective_places[pf] = effective_places(state, pf)
    pfs.free_places[:] = pfs.effective_places


# -- month-end steps ---------------------------------------------------------------------------
def turnover_and_hiring(state: State, month: int) -> None:
    """Leavers go, hires from the pipeline arrive, and vacancies are filled at a rate."""
    start, end, _ = state.months[month]
    days = end - start
    wf = state.scenario.workforce
    pfs, books = state.provider_forms, state.books
    for p, pf_list in enumerate(state.providers.provider_forms):
        leavers_sum = hires_sum = 0.0
        for pf in pf_list:
            pipe = pfs.pipeline[pf]
            if books.status[p] == EXITED:
                pfs.fte[pf] = 0.0
                pipe.clear()
                continue
            occupied = pfs.occupied_days[pf] / days if days > 0 else 0.0
            capacity = pfs.fte[pf] * care_fte_factor(state, pf) / state.staff_per_place[pfs.form[pf]]
            workload = occupied / capacity if capacity > 0 else 0.0
            rate = monthly_turnover(state, pf) * days / (365.0 / 12.0)
            rate *= 1.0 + wf.workload_turnover_elasticity.value * max(0.0, workload - 1.0)
            leavers = pfs.fte[pf] * min(1.0, rate)
            arrived = 0.0
            while pipe and pipe[0][0] <= month:
                arrived += pipe.popleft()[1]
            pfs.fte[pf] += arrived - leavers
            waiting_hires = sum(h for _, h in pipe)
            vacancies = max(0.0, target_fte(state, pf) - pfs.fte[pf] - waiting_hires)
            fill = wf.vacancy_fill_per_month.value
            if state.providers.reserves[p] < 0:
                fill *= wf.deficit_hiring_factor.value
            # A sliver of a vacancy (under 0.05 FTE) is filled at once: otherwise staff
            # approach the target without reaching it and the last place never opens.
            hires = vacancies if vacancies < 0.05 and fill > 0 else vacancies * fill
            if wf.hiring_delay_months == 0:
                pfs.fte[pf] += hires
            elif hires > 0:
                pipe.append((month + wf.hiring_delay_months, hires))
            leavers_sum += leavers
            hires_sum += arrived
        books.leavers[p] = leavers_sum
        books.hires[p] = hires_sum


def update_capacity(state: State, month: int) -> None:
    """Effective places follow staff and nominal places; newly opened places are filled later."""
    pfs, books = state.provider_forms, state.books
    for pf, p in enumerate(pfs.provider):
        before = pfs.effective_places[pf]
        pfs.effective_places[pf] = effective_places(state, pf) if books.status[p] != EXITED else 0
        pfs.free_places[pf] += pfs.effective_places[pf] - before
        if pfs.free_places[pf] > 0 and pfs.effective_places[pf] > before:
            state.grown.append(pf)
