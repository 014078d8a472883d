"""Provider cost levels in a regime's market (``finance.cost_levels``).

With the rule ``expected_tariff`` each provider form's cost level becomes its drawn
``kostenfactor`` x its expected tariff factor: the tariffs of the units of the starting market
that contract it, over the form's reference tariff, weighted by the care each is expected to buy
from it. The tariffs are read before the reasonable-price surcharge
(simulation/core/reasonable_price.py), which pays for administration the books count apart.
Reserves stay the euros the landscape gave (they are the opening balance the money is counted
from), so they cover up to a tenth more or fewer months of costs.

Why: a fragmented unit's own tariff (``regime.tariff_spread``) otherwise falls on the providers
near it, as children go to the nearest place, so a unit that pays 10% less makes all its local
providers lose money in a world that has worked on those terms for years. Read as the steady
state of selection, the providers a unit has kept are those whose costs its tariff covers.
"""

from __future__ import annotations

from simulation.core.finance import expected_shares, unit_loads
from simulation.core.state import State

__all__ = ["adapt_cost_levels", "expected_tariff_factors"]


def expected_tariff_factors(state: State) -> dict[int, float]:
    """Per provider form (index): the tariff its units are expected to pay it over the form's
    reference tariff, weighted by the care each unit is expected to buy from it
    (:func:`.finance.expected_shares`, children to the nearest place first). A provider form no
    unit contracts at the start (an entrant slot) takes its own gemeente's unit's tariff."""
    market = state.world.market
    reference = {f: state.form_params[i].tariff_eur_per_day.value for i, f in enumerate(state.care_forms)}
    load = unit_loads(state.scenario, state.world.geography.gemeenten, market)
    shares = expected_shares(state.world.providers, market, load)
    sums: dict[tuple[str, str], list[float]] = {}
    for (uid, pid, f), share in shares.items():
        if reference.get(f, 0.0) <= 0.0 or (uid, f) not in market.tariff:
            continue
        care = load[(uid, f)] * share
        factor = market.tariff[(uid, f)] / reference[f]
        acc = sums.setdefault((pid, f), [0.0, 0.0])
        # Exactly 1 where every unit pays the reference: a regime without own tariffs is untouched.
        acc[0] += care * factor
        acc[1] += care
    pfs, world = state.provider_forms, state.world
    out: dict[int, float] = {}
    for (pid, f), pf in pfs.index.items():
        weighted, care = sums.get((pid, f), (0.0, 0.0))
        if care > 0.0:
            out[pf] = weighted / care
            continue
        home = market.unit_for.get((world.providers[pfs.provider[pf]].gemeente, f))
        if home is not None and (home, f) in market.tariff and reference.get(f, 0.0) > 0.0:
            out[pf] = market.tariff[(home, f)] / reference[f]
    return out


def adapt_cost_levels(state: State) -> None:
    """Apply ``finance.cost_levels`` to the providers' cost factors (nothing for ``own``)."""
    rule = state.scenario.finance.cost_levels
    if rule is None or rule.rule == "own":
        return
    pfs = state.provider_forms
    for pf, factor in expected_tariff_factors(state).items():
        pfs.cost_factor[pf] *= factor
