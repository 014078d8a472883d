"""Generate the default provider landscape from documented distributions.

No public list of real providers with places per care form exists (DOMAIN.md, section 1e), so
the default landscape is drawn, with its own seed, from the rules below and written to two
CSV files that a user can read, edit or replace with real data:

* **Where.** Each provider group (``providers.generator.groups``) has a count. With
  ``spread: per_region`` every jeugdregio gets one provider first and the rest go to gemeenten
  in proportion to youth; with ``weighted`` all go in proportion to youth. Within a region a
  provider sits in a gemeente drawn in proportion to youth.
* **How big.** The places of a care form are its expected load (referrals per day x mean
  duration, Little's law) divided by the group's ``target_utilisation``. For ``per_region``
  groups each region gets capacity in proportion to its own load; the places are split over
  providers by lognormal weights with ``size_sigma`` (larger sigma, more concentration).
* **What it costs.** Each provider draws a cost level (``cost_factor``, uniform) that scales the
  care form's cost price (staff, housing; ``care_forms.*.cost_price``). Its reserves are
  ``reserve_months`` (uniform) of its monthly costs when fully staffed at the target utilisation.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from simulation.config import CareForm, ProviderGroup, Scenario
from simulation.core.random import Streams
from simulation.core.world import Gemeente, Geography, load_geography

__all__ = ["generate_landscape", "write_landscape"]

PROVIDER_COLUMNS = ["provider_id", "naam", "gemeentecode", "jeugdregio_code", "groep", "reserves_eur"]
PLACES_COLUMNS = ["provider_id", "zorgvorm", "plaatsen", "kostenfactor"]

#: administration share assumed when sizing reserves (the model computes the real one per regime)
REFERENCE_ADMIN_SHARE = 0.10


def _load(g: Sequence[Gemeente], form: CareForm) -> float:
    """Expected number of children in care (Little's law) for these gemeenten."""
    per_day = sum(x.youth for x in g) * form.referral_rate_per_1000.value / 1000.0 / 365.0
    return per_day * form.duration.mean_days


def _integer_split(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` places by ``weights`` (largest remainder), at least one each."""
    n = weights.size
    if total <= n:
        return np.ones(n, dtype=int)
    share = weights / weights.sum() * (total - n)
    base = np.floor(share).astype(int)
    rest = total - n - int(base.sum())
    order = np.argsort(-(share - base), kind="stable")
    base[order[:rest]] += 1
    return base + 1


def _pick_gemeente(rng: np.random.Generator, members: Sequence[Gemeente]) -> Gemeente:
    w = np.array([m.youth for m in members], dtype=float)
    w = w / w.sum() if w.sum() > 0 else np.full(len(members), 1.0 / len(members))
    return members[int(rng.choice(len(members), p=w))]


def _group(
    group: ProviderGroup, geo: Geography, forms: dict[str, CareForm], streams: Streams
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    rng = streams.generator(f"landscape/{group.name}")
    regions = geo.regions
    locations: list[Gemeente] = []
    if group.spread == "per_region":
        if group.count < len(regions):
            raise ValueError(f"group {group.name}: count {group.count} < {len(regions)} regions for per_region")
        locations += [_pick_gemeente(rng, geo.in_region(r)) for r in regions]
    for _ in range(group.count - len(locations)):
        locations.append(_pick_gemeente(rng, geo.gemeenten))
    sizes = rng.lognormal(0.0, group.size_sigma.value, group.count)
    cost_factor = rng.uniform(*group.cost_factor, group.count)
    reserve_months = rng.uniform(*group.reserve_months, group.count)

    places = {f: np.zeros(group.count, dtype=int) for f in group.forms}
    for f in group.forms:
        util = group.target_utilisation.value
        if group.spread == "per_region":
            for r in regions:
                idx = np.array([i for i, g in enumerate(locations) if g.region == r])
                need = max(len(idx), math.ceil(_load(geo.in_region(r), forms[f]) / util))
                places[f][idx] = _integer_split(need, sizes[idx])
        else:
            need = max(group.count, math.ceil(_load(geo.gemeenten, forms[f]) / util))
            places[f] = _integer_split(need, sizes)

    providers, offers = [], []
    for i, g in enumerate(locations):
        pid = f"{group.name[:3].upper()}{i + 1:04d}"
        monthly_cost = 0.0
        for f in group.forms:
            n = int(places[f][i])
            monthly_cost += n * monthly_cost_per_place(forms[f], group.target_utilisation.value) * cost_factor[i]
            offers.append({"provider_id": pid, "zorgvorm": f, "plaatsen": n, "kostenfactor": round(cost_factor[i], 4)})
        providers.append(
            {
                "provider_id": pid,
                "naam": f"{group.name.replace('_', ' ').capitalize()} {g.name} {i + 1}",
                "gemeentecode": g.code,
                "jeugdregio_code": g.region,
                "groep": group.name,
                "reserves_eur": round(reserve_months[i] * monthly_cost, 2),
            }
        )
    return providers, offers


def monthly_cost_per_place(form: CareForm, occupancy: float, admin_share: float = REFERENCE_ADMIN_SHARE) -> float:
    """Cost of one place a month, fully staffed, at ``occupancy`` (the cost-price rule of the model)."""
    cp = form.cost_price
    fte = cp.staff_per_place.value / ((1.0 - cp.non_productive_share.value) * (1.0 - admin_share))
    fixed = fte * cp.salary_eur_per_fte_year.value + cp.housing_eur_per_place_year.value
    return (fixed * (1.0 + cp.overhead_share.value) + cp.variable_eur_per_day.value * 365.0 * occupancy) / 12.0


def generate_landscape(scenario: Scenario) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Provider and place rows for a scenario's ``providers.generator``, national by design."""
    gen = scenario.providers.generator
    if gen is None:
        raise ValueError("scenario has no providers.generator")
    national = scenario.model_copy(update={"regions": None})
    geo = load_geography(national)
    streams = Streams(gen.seed, 0)
    providers: list[dict[str, object]] = []
    offers: list[dict[str, object]] = []
    for group in gen.groups:
        p, o = _group(group, geo, scenario.care_forms, streams)
        providers += p
        offers += o
    return providers, offers


def write_landscape(scenario: Scenario, providers_path: str | Path, places_path: str | Path) -> None:
    providers, offers = generate_landscape(scenario)
    for path, rows, cols in ((providers_path, providers, PROVIDER_COLUMNS), (places_path, offers, PLACES_COLUMNS)):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
