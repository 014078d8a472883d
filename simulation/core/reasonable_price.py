"""Reasonable prices per contracting unit: the tariff pays for its own providers' administration.

The AMvB reele prijzen (Stb 2024, 69) obliges each contracting unit to pay a price that covers
the cost-price elements, professionals' non-client time included. A provider's administration
grows with the sets of contract terms it serves (:func:`.finance.admin_share`), so a unit whose
providers serve many units causes more of it. With ``finance.tariff_admin.rule: contracted_mean``
each unit's tariff for a form is raised from the one implied at the reference share by the extra
staff cost of the place-weighted mean administration share of the providers it contracts for
that form, at the form's break-even occupancy. The rule is a floor (a price at least covering the
costs): a unit whose providers carry less than the reference share keeps the given tariff.
Fragmentation's administration then shows up as a higher municipal cost, not as losses that
shrink the providers' capacity. Terms are set once, when contracting (at the start); the budget
ceilings follow the tariff.
"""

from __future__ import annotations

from simulation.core.entry import reference_occupancy
from simulation.core.state import State
from simulation.core.workforce import paid_fte_per_place

__all__ = ["admin_surcharges", "apply_reasonable_tariffs", "staff_cost_per_place"]


def staff_cost_per_place(state: State, form: int, admin: float) -> float:
    """Yearly staff cost (with overhead) of one place of ``form`` staffed at administration share ``admin``."""
    cp = state.form_params[form].cost_price
    fte = paid_fte_per_place(cp, state.staff_per_place[form], admin)
    return fte * cp.salary_eur_per_fte_year.value * (1.0 + cp.overhead_share.value)


def admin_surcharges(state: State) -> dict[tuple[str, str], tuple[float, float]]:
    """Per (unit, care form): the place-weighted mean administration share of the providers the
    unit contracts for the form, and the day tariff's surcharge (euros, negative below the
    reference share) that pays for it at the form's break-even occupancy."""
    curve = state.scenario.finance.admin
    assert curve is not None, "finance.tariff_admin needs finance.admin (validated)"
    reference = curve.reference_share.value
    pfs, providers = state.provider_forms, state.providers
    weights: dict[tuple[str, str], list[float]] = {}
    for m in state.markets:
        for c in m.contracts:
            pf = pfs.index.get((c.provider_id, c.care_form))
            if pf is None:
                continue
            places = float(pfs.initial_places[pf])
            share = providers.admin_share[pfs.provider[pf]]
            acc = weights.setdefault((c.unit_id, c.care_form), [0.0, 0.0])
            acc[0] += places * share
            acc[1] += places
    out = {}
    for (uid, f), (weighted, places) in weights.items():
        if places <= 0:
            continue
        fi = state.form_index[f]
        mean = weighted / places
        extra = staff_cost_per_place(state, fi, mean) - staff_cost_per_place(state, fi, reference)
        out[(uid, f)] = (mean, extra / (reference_occupancy(state.scenario, f) * 365.0))
    return out


def apply_reasonable_tariffs(state: State) -> None:
    """Set each unit's tariffs (and its budget ceilings) to cover its providers' administration
    (``finance.tariff_admin``; nothing without it). Needs :func:`.finance.update_admin` first."""
    rule = state.scenario.finance.tariff_admin
    if rule is None or rule.rule == "reference":
        return
    queues = state.queues
    factor: dict[tuple[str, str], float] = {}
    for key, (_, surcharge) in admin_surcharges(state).items():
        q = queues.index.get(key)
        if q is None or queues.tariff[q] <= 0:
            continue
        # The law sets a floor: a unit pays at least its providers' cost, and a tariff that
        # already covers it (providers below the reference share) is not cut.
        new = queues.tariff[q] + max(0.0, surcharge)
        factor[key] = new / queues.tariff[q]
        queues.tariff[q] = new
    for (uid, pid, f), ceiling in state.ceilings.items():
        state.ceilings[(uid, pid, f)] = ceiling * factor.get((uid, f), 1.0)
