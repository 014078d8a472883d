"""Provider cost levels in a regime's market (``finance.cost_levels``).

With the rule ``expected_tariff`` each provider form's cost level becomes its drawn
``kostenfactor`` x its expected tariff factor: the tariffs of the units of the starting market
that contract it, over the form's reference tariff, weighted by the care each is expected to buy
from it (children go to the nearest place first, or, bound to a GI, by the GIs' weights). The
tariffs are those set when contracting, before the reasonable-price surcharge
(simulation/core/reasonable_price.py), which pays for administration the books count apart.
Reserves stay the euros the landscape gave (the opening balance the money is counted from), so
they cover up to a tenth more or fewer months of costs.

Why: a fragmented unit's own tariff (``regime.tariff_spread``) otherwise falls on the providers
near it, as children go to the nearest place, so a unit that pays 10% less makes all its local
providers lose money in a world that has worked on those terms for years. Read as the steady
state of selection, the providers a unit has kept are those whose costs its tariff covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from simulation.config import Scenario
from simulation.core.finance import expected_shares, unit_loads
from simulation.core.world import Geography, Market, Provider

__all__ = ["adapt_cost_levels", "expected_tariff_factors"]


def expected_tariff_factors(
    scenario: Scenario, geography: Geography, providers: Sequence[Provider], market: Market
) -> dict[tuple[str, str], float]:
    """Per (provider, care form): the tariff its units are expected to pay it over the form's
    reference tariff, weighted by the care each unit is expected to buy from it
    (:func:`.finance.expected_shares`: the nearest place first, or a werkgebied's weights). A
    provider form no unit contracts at the start (an entrant slot) takes its own gemeente's
    unit's tariff."""
    reference = {f: form.tariff_eur_per_day.value for f, form in scenario.care_forms.items()}

    def factor(uid: str, f: str) -> float | None:
        if reference.get(f, 0.0) <= 0.0 or (uid, f) not in market.tariff:
            return None
        return market.tariff[(uid, f)] / reference[f]

    load = unit_loads(scenario, geography.gemeenten, market)
    sums: dict[tuple[str, str], list[float]] = {}
    shares = expected_shares(providers, market, load, scenario.providers.bind_to_werkgebied)
    for (uid, pid, f), share in shares.items():
        x = factor(uid, f)
        if x is None:
            continue
        care = load[(uid, f)] * share
        acc = sums.setdefault((pid, f), [0.0, 0.0])
        # Exactly 1 where every unit pays the reference: a regime without own tariffs is untouched.
        acc[0] += care * x
        acc[1] += care
    out: dict[tuple[str, str], float] = {}
    for p in providers:
        for o in p.forms:
            key = (p.provider_id, o.care_form)
            weighted, care = sums.get(key, (0.0, 0.0))
            home = market.unit_for.get((p.gemeente, o.care_form))
            x = weighted / care if care > 0.0 else (factor(home, o.care_form) if home is not None else None)
            if x is not None:
                out[key] = x
    return out


def adapt_cost_levels(
    scenario: Scenario, geography: Geography, providers: Sequence[Provider], market: Market
) -> list[Provider]:
    """The providers with ``finance.cost_levels`` applied to their offers' cost factors (as
    given for ``own``). ``market`` is the one the run starts in."""
    rule = scenario.finance.cost_levels
    if rule is None or rule.rule == "own":
        return list(providers)
    factors = expected_tariff_factors(scenario, geography, providers, market)

    def adapted(p: Provider) -> Provider:
        forms = tuple(
            replace(o, cost_factor=o.cost_factor * factors.get((p.provider_id, o.care_form), 1.0)) for o in p.forms
        )
        return replace(p, forms=forms)

    return [adapted(p) for p in providers]
