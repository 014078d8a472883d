"""Who may take a waiting child of each queue, in which order, and where everyone lies.

Built once per run from the market(s) (:func:`prepare`), for :mod:`.matching`:

* ``Queues.eligible``: each queue's provider forms, sorted by tier (the market's order kept within
  one): the unit's own contracted providers inside its area, then its other contracted ones, then
  the pooled neighbours' (bovenregionale afstemming); ``Queues.tier_ends`` says where the tiers
  end. The landscape sizes a region's places to its own load, so a child looks inside first.
* ``ProviderForms.serves``: the queues each provider form takes children from.
* ``Queues.bound``: the queues whose providers all have a werkgebied (the GIs), whose children are
  bound to one of them (matching.bind), unless ``providers.bind_to_werkgebied`` is off.
* plane coordinates of providers and gemeenten (degrees, longitude shrunk by cos 52 deg) to rank
  providers by distance to a child's gemeente.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from simulation.core.world import Market

if TYPE_CHECKING:
    from simulation.core.state import ProviderForms, Queues, World

__all__ = ["LON_SCALE", "prepare"]

#: cos(52 deg): a degree of longitude over one of latitude in the Netherlands
LON_SCALE = math.cos(math.radians(52.2))


def prepare(
    queues: Queues, pfs: ProviderForms, world: World, markets: list[Market], bind: bool
) -> list[tuple[float, float]]:
    """Fill in the tables above; return the plane coordinates of the gemeenten."""
    for m in markets:
        for (unit, form), pids in m.eligible.items():
            offered = [pfs.index[(pid, form)] for pid in pids if (pid, form) in pfs.index]
            queues.eligible[queues.index[(unit, form)]] = offered
    for m in markets:
        _sort_by_tier(queues, pfs, world, m)
    for q, eligible in enumerate(queues.eligible):
        for pf in eligible:
            pfs.serves[pf].append(q)
    pfs.xy = [(world.providers[p].lon * LON_SCALE, world.providers[p].lat) for p in pfs.provider]
    queues.bound = [bind and bool(e) and all(pfs.weight[pf] > 0 for pf in e) for e in queues.eligible]
    return [(g.lon * LON_SCALE, g.lat) for g in world.geography.gemeenten]


def _sort_by_tier(queues: Queues, pfs: ProviderForms, world: World, market: Market) -> None:
    own: dict[tuple[str, str], set[str]] = {}
    for c in market.contracts:
        own.setdefault((c.unit_id, c.care_form), set()).add(c.provider_id)
    inside = {u.unit_id: set(u.gemeenten) for u in market.units}
    for key in market.eligible:
        q = queues.index[key]
        mine, area = own.get(key, set()), inside.get(key[0], set())
        tier = []
        for pf in queues.eligible[q]:
            p = world.providers[pfs.provider[pf]]
            tier.append((0 if p.gemeente in area else 1) if p.provider_id in mine else 2)
        order = sorted(range(len(tier)), key=tier.__getitem__)
        queues.eligible[q] = [queues.eligible[q][i] for i in order]
        queues.tier_ends[q] = (tier.count(0), tier.count(0) + tier.count(1))
