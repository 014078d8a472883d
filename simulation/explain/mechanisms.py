"""The mechanisms in which the fragmented and the regional regime differ, one entry each.

Each entry turns the fragmented scenario's setting into the regional scenario's for that
mechanism only; ``explain`` switches every subset of them on (a Shapley decomposition). A new
mechanism is one more entry here, with a switch in the scenario that defaults to today's
behaviour. Both scenarios are given as resolved dumps (``Scenario.model_dump(mode="json")``)
and the entry changes the fragmented one in place.

What the regimes differ in (simulation/regimes/): the fragmented regime buys most forms per
sub-regional unit, the regional regime per jeugdregio. That one difference is three mechanisms
here: which waiting list a child joins (``queue_pooling``), which providers a unit contracts
(``contracting``: local providers plus the nearest others up to
``regime.min_providers_per_contract``, against the whole region's) and how many term sets a
provider administers (``administration``). Besides: bovenregionale afstemming of the
``pooled_forms`` (regional only by default), tariffs (``regime.tariff_spread``, per unit) and
budget ceilings (``finance.budget_ceiling_factor`` and ``finance.budget_ceilings``), equal in the two
default regimes, so that
they contribute nothing unless an experiment sets them apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["MECHANISMS", "UNCOVERED_OK", "Mechanism"]

Dump = dict[str, Any]


@dataclass(frozen=True)
class Mechanism:
    name: str
    description: str
    #: (fragmented dump, regional dump) -> None; makes the fragmented dump regional in this mechanism
    apply: Callable[[Dump, Dump], None]


def _borrow(mechanism: str) -> Callable[[Dump, Dump], None]:
    def apply(fragmented: Dump, regional: Dump) -> None:
        regime = fragmented["regime"]
        regime["regional_mechanisms"] = [*regime.get("regional_mechanisms", []), mechanism]

    return apply


def _copy(*path: str) -> Callable[[Dump, Dump], None]:
    def apply(fragmented: Dump, regional: Dump) -> None:
        target, source = fragmented, regional
        for key in path[:-1]:
            target, source = target[key], source[key]
        target[path[-1]] = source[path[-1]]

    return apply


def _both(*copies: Callable[[Dump, Dump], None]) -> Callable[[Dump, Dump], None]:
    def apply(fragmented: Dump, regional: Dump) -> None:
        for copy in copies:
            copy(fragmented, regional)

    return apply


MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism("queue_pooling", "one waiting list per jeugdregio and form instead of one per sub-regional unit",
              _borrow("queues")),
    Mechanism("contracting", "each unit contracts the providers its region would (not only local ones plus the "
              "nearest up to regime.min_providers_per_contract)", _borrow("contracting")),
    Mechanism("administration", "one set of contract terms per region: a provider administers one contract per "
              "region and form, units one per region", _borrow("terms")),
    Mechanism("bovenregionaal", "bovenregionale afstemming: regime.pooled_forms reach adjacent regions' providers",
              _copy("regime", "pooled_forms")),
    Mechanism("tariffs", "tariffs per unit (regime.tariff_spread)", _copy("regime", "tariff_spread")),
    Mechanism("budget_ceilings", "budget ceilings (finance.budget_ceiling_factor, and how finance.budget_ceilings "
              "splits and indexes them)",
              _both(_copy("finance", "budget_ceiling_factor"), _copy("finance", "budget_ceilings"))),
)  # fmt: skip

#: Keys in which the two scenarios may differ without a mechanism: what names the regime, and
#: the fragmented regime's own split (replaced by the region when its mechanisms are borrowed).
UNCOVERED_OK = (
    ("name",),
    ("description",),
    ("regime", "kind"),
    ("regime", "regional_forms"),
    ("regime", "split"),
    ("regime", "note"),
    ("regime", "regional_mechanisms"),
)
