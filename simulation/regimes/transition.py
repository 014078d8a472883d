"""The transition from fragmented to regional contracts as old contracts expire.

Not an overnight change: each old (sub-regional) unit's contracts end at a time drawn uniformly
within ``old_contract_years`` of the start (once per seed); the region's joint procurement takes
longer the more gemeenten must agree; the new contract starts at least three months after
signing (six for the forms in ``long_lead_forms``: gesloten jeugdhulp, jeugdbescherming and
jeugdreclassering, which the law also requires to be contracted for at least three years). A
gemeente's care form moves when its old contract has ended and the new one has started.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from simulation.config import CareForm, Scenario
from simulation.core.model import Switch
from simulation.core.random import STRUCTURE, Streams
from simulation.core.world import Geography, Market, Provider
from simulation.regimes.fragmented import FragmentedRegime

__all__ = ["plan_transition"]

DAYS_PER_MONTH = 365.0 / 12.0


def plan_transition(
    scenario: Scenario,
    geography: Geography,
    care_forms: Mapping[str, CareForm],
    providers: Sequence[Provider],
    final: Market,
) -> tuple[Market, list[Switch]]:
    """The starting (fragmented) market and the dated switches to ``final``."""
    tr = scenario.transition
    assert tr is not None
    old = FragmentedRegime(tr.from_regime, scenario.seed).build(geography, care_forms, providers)
    streams = Streams(scenario.seed, STRUCTURE)
    start = float((tr.start - scenario.start_date).days)
    units = {u.unit_id: u for u in final.units}
    switches = []
    for u in old.units:
        expiry = start + streams.generator(f"transition/{u.unit_id}").random() * tr.old_contract_years * 365.0
        for f in care_forms:
            members = [g for g in u.gemeenten if old.unit_for.get((g, f)) == u.unit_id]
            if not members:
                continue
            targets = sorted({final.unit_for[(g, f)] for g in members})
            for new_id in targets:
                if new_id == u.unit_id:
                    continue
                group = tuple(g for g in members if final.unit_for[(g, f)] == new_id)
                n = len(units[new_id].gemeenten)
                lead = tr.long_lead_months if f in tr.long_lead_forms else tr.lead_months
                ready = start + (tr.base_procurement_months + tr.months_per_gemeente * n + lead) * DAYS_PER_MONTH
                switches.append(Switch(max(expiry, ready), f, u.unit_id, new_id, group))
    switches.sort(key=lambda s: (s.day, s.old_unit, s.care_form, s.new_unit))
    return old, switches
