"""Generate the default provider landscape from documented distributions.

No public list of real providers with places per care form exists (docs/SOURCES.md#1e-providers), so
the default landscape is drawn, with its own seed, from the rules below and written to two
CSV files that a user can read, edit or replace with real data:

* **Where.** Each provider group (``providers.generator.groups``) has a count. With
  ``spread: per_region`` every jeugdregio gets one provider first and the rest go to gemeenten
  in proportion to youth; with ``weighted`` all go in proportion to youth. Within a region a
  provider sits in a gemeente drawn in proportion to youth. A group with a ``werkgebied_file``
  (the gecertificeerde instellingen) has one provider per row of that file, placed in the regions
  it serves and contracted only there (:func:`_werkgebied_group`).
* **How big.** The load of a care form is its starts of care per day (``referral_rate_per_1000``,
  sourced from starts, with the gemeenten's regional factors) x mean duration: the observed stock
  (Little's law). A form with an observed
  wait and a withdrawal hazard (``CareForm.waits_steadily``) gets the places whose staffed part
  (:func:`~simulation.core.workforce.staffed_share`) holds exactly that stock: its referrals are
  the starts / ``S(W)`` (:mod:`simulation.core.steady`), so in the fluid approximation of a queue
  with impatient customers its mean wait is the observed one. Other forms get the load divided
  by the group's ``target_utilisation`` of the places staff allow (a utilisation of nominal
  places near 1 would leave no slack once staff are at their equilibrium, and the lists grow).
  Places are rounded to the nearest whole place (:func:`_nearest_whole`), so a form's capacity is
  its planned capacity up to the rounding of a few dozen regions or providers.
  For ``per_region`` groups each region gets capacity in proportion to its own load; the places
  are split over providers by lognormal weights with ``size_sigma`` (larger sigma, more
  concentration). A ``weighted`` group's providers (the few bovenregionale and national
  institutions) are sized to their catchment instead: the load of the gemeenten nearer to them
  than to any other of the group, as a child is placed with the nearest provider that has room
  (``size_sigma`` is not used).
* **What it costs.** Each provider draws a cost level (``cost_factor``, uniform) that scales the
  care form's cost price (staff, housing; ``care_forms.*.cost_price``). Its reserves are
  ``reserve_months`` (uniform) of its monthly costs when fully staffed at the target utilisation.

:func:`write_landscape` writes only the two paths its caller gives it (never a path it reads
from the scenario by itself), each through a temporary file renamed into place, so a failed
run leaves the old file whole. A caller that takes the paths from a scenario or a user first
checks them with :func:`check_output_path` (for example against the project's ``data/``).
"""

from __future__ import annotations

import csv
import math
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from simulation.config import PROJECT_ROOT, CareForm, ProviderGroup, Scenario, ScenarioError, Workforce, shown
from simulation.core.csv_files import read_csv
from simulation.core.random import Streams
from simulation.core.workforce import staffed_share, yearly_cost_per_place
from simulation.core.world import Gemeente, Geography, distance_km, load_geography

__all__ = ["check_output_path", "generate_landscape", "landscape_paths", "write_landscape"]

PROVIDER_COLUMNS = [
    "provider_id", "naam", "gemeentecode", "jeugdregio_code", "groep", "reserves_eur", "werkgebied", "gewicht"
]  # fmt: skip
PLACES_COLUMNS = ["provider_id", "zorgvorm", "plaatsen", "kostenfactor"]

#: administration share assumed when sizing reserves without finance.admin (the model computes
#: the real one per regime; with finance.admin its reference_share is used)
REFERENCE_ADMIN_SHARE = 0.10


def reference_admin_share(scenario: Scenario) -> float:
    """The administration share staffing and tariffs assume: ``finance.admin.reference_share``."""
    admin = scenario.finance.admin
    return admin.reference_share.value if admin is not None else REFERENCE_ADMIN_SHARE


def _load(g: Sequence[Gemeente], key: str, form: CareForm) -> float:
    """Expected number of children in care (Little's law) for these gemeenten, with their
    regional referral factors."""
    youth = sum(x.youth_for(key) for x in g)
    return youth * form.referral_rate_per_1000.value / 1000.0 / 365.0 * form.duration.mean_days


def _nearest_whole(places: float | np.ndarray) -> np.ndarray:
    """Places rounded to the nearest whole place (halves up). Not up: rounding up added half a
    place per region or provider on average, 4.7% of the crisis places (42 regions of about 11),
    so crisis ran at 66% where its tariff covers costs at 69% and its services lost money."""
    return np.floor(np.asarray(places, dtype=float) + 0.5)


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


def _places_per_load(form: CareForm, group: ProviderGroup, wf: Workforce | None) -> float:
    """Nominal places per child of expected load (see the module docstring, "How big").

    A form with a steady waiting list: the places staff allow hold exactly the observed stock
    (starts x duration); the referrals beyond it wait or leave the list. Any other form: the places
    staff allow are the load over the group's target utilisation. ``wf`` None: the old rule
    (target utilisation of the nominal places), kept for callers without a workforce."""
    if wf is None:
        return 1.0 / group.target_utilisation.value
    staffed = staffed_share(form, wf)
    if form.waits_steadily:
        return 1.0 / staffed
    return 1.0 / (group.target_utilisation.value * staffed)


def _catchment_loads(
    gemeenten: Sequence[Gemeente], locations: Sequence[Gemeente], key: str, form: CareForm
) -> np.ndarray:
    """Each provider's expected load of a form when every gemeente's children go to the nearest
    provider (the providers of one gemeente share its catchment equally)."""
    out = np.zeros(len(locations))
    for g in gemeenten:
        d = np.array([distance_km(g.lon, g.lat, x.lon, x.lat) for x in locations])
        nearest = np.flatnonzero(d <= d.min() + 1e-9)
        out[nearest] += _load([g], key, form) / nearest.size
    return out


def _group(
    group: ProviderGroup, geo: Geography, scenario: Scenario, streams: Streams, index: int = 0
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    forms = scenario.care_forms
    rng = streams.generator(f"landscape/{group.name}")
    regions = geo.regions
    locations: list[Gemeente] = []
    if group.spread == "per_region":
        if group.count < len(regions):
            why = f"{group.count} is fewer than the {len(regions)} regions that spread: per_region needs"
            raise ScenarioError(f"group {group.name}", [(f"providers.generator.groups.{index}.count", why)])
        locations += [_pick_gemeente(rng, geo.in_region(r)) for r in regions]
    for _ in range(group.count - len(locations)):
        locations.append(_pick_gemeente(rng, geo.gemeenten))
    sizes = rng.lognormal(0.0, group.size_sigma.value, group.count)
    cost_factor = rng.uniform(*group.cost_factor, group.count)
    reserve_months = rng.uniform(*group.reserve_months, group.count)

    places = {f: np.zeros(group.count, dtype=int) for f in group.forms}
    for f in group.forms:
        per_load = _places_per_load(forms[f], group, scenario.workforce)
        if group.spread == "per_region":
            for r in regions:
                idx = np.array([i for i, g in enumerate(locations) if g.region == r])
                need = max(len(idx), int(_nearest_whole(_load(geo.in_region(r), f, forms[f]) * per_load)))
                places[f][idx] = _integer_split(need, sizes[idx])
        else:
            catchment = _catchment_loads(geo.gemeenten, locations, f, forms[f])
            places[f] = np.maximum(1, _nearest_whole(catchment * per_load)).astype(int)

    return _rows(group, scenario, locations, places, cost_factor, reserve_months)


def _rows(
    group: ProviderGroup,
    scenario: Scenario,
    locations: Sequence[Gemeente],
    places: dict[str, np.ndarray],
    cost_factor: np.ndarray,
    reserve_months: np.ndarray,
    names: Sequence[str] | None = None,
    werkgebied: Sequence[str] | None = None,
    weights: Sequence[float] | None = None,
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Provider and place rows of a group's drawn providers."""
    providers, offers = [], []
    for i, g in enumerate(locations):
        pid = f"{group.name[:3].upper()}{i + 1:04d}"
        monthly_cost = 0.0
        for f in group.forms:
            n = int(places[f][i])
            per_place = monthly_cost_per_place(
                scenario.care_forms[f],
                group.target_utilisation.value,
                reference_admin_share(scenario),
                scenario.staff_per_place(f),
            )
            monthly_cost += n * per_place * cost_factor[i]
            offers.append({"provider_id": pid, "zorgvorm": f, "plaatsen": n, "kostenfactor": round(cost_factor[i], 4)})
        providers.append(
            {
                "provider_id": pid,
                "naam": names[i] if names else f"{group.name.replace('_', ' ').capitalize()} {g.name} {i + 1}",
                "gemeentecode": g.code,
                "jeugdregio_code": g.region,
                "groep": group.name,
                "reserves_eur": round(reserve_months[i] * monthly_cost, 2),
                "werkgebied": werkgebied[i] if werkgebied else "",
                "gewicht": weights[i] if weights else "",
            }
        )
    return providers, offers


def _werkgebied_group(
    group: ProviderGroup, geo: Geography, scenario: Scenario, streams: Streams, index: int = 0
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """A group whose organisations serve known regions (``werkgebied_file``; the GIs): one provider
    per row, in a gemeente of its regions drawn in proportion to youth. Each region's places (its
    load / target utilisation) are split over the organisations serving it by their ``gewicht``;
    ``size_sigma`` is not used. Its rows carry the werkgebied, so only units of those regions
    contract it (:meth:`simulation.regimes.base.PurchasingRegime._contract_providers`)."""
    forms = scenario.care_forms
    field = f"providers.generator.groups.{index}.werkgebied_file"
    path = str(group.werkgebied_file)
    rows = read_csv(path, field, ["naam", "jeugdregio_codes", "gewicht", "bron"])
    if len(rows) != group.count:
        why = f"{group.count} providers, but {path} has {len(rows)} rows; they must agree"
        raise ScenarioError(f"group {group.name}", [(f"providers.generator.groups.{index}.count", why)])
    known = set(geo.regions)
    served: list[list[str]] = []
    weights: list[float] = []
    for line, r in enumerate(rows, start=2):
        codes = sorted(known) if r["jeugdregio_codes"].strip() == "*" else r["jeugdregio_codes"].split()
        unknown = sorted(set(codes) - known)
        if not codes or unknown:
            why = f"jeugdregio_codes {shown(r['jeugdregio_codes'])}: unknown or no region codes {shown(unknown)}"
            raise ScenarioError(path, [(f"line {line}", why)])
        try:
            weight = float(r["gewicht"])
        except ValueError:
            weight = math.nan
        if not 0.0 < weight <= 100.0:
            why = f"{shown(r['gewicht'])} must be a number in (0, 100]"
            raise ScenarioError(path, [(f"line {line}, gewicht", why)])
        served.append(codes)
        weights.append(weight)
    rng = streams.generator(f"landscape/{group.name}")
    locations = [_pick_gemeente(rng, [g for c in codes for g in geo.in_region(c)]) for codes in served]
    cost_factor = rng.uniform(*group.cost_factor, group.count)
    reserve_months = rng.uniform(*group.reserve_months, group.count)
    places: dict[str, np.ndarray] = {}
    for f in group.forms:
        share = np.zeros(group.count)
        for region in geo.regions:
            serving = [i for i, codes in enumerate(served) if region in codes]
            if not serving:
                raise ScenarioError(path, [(field, f"no organisation serves region {region}")])
            need = _load(geo.in_region(region), f, forms[f]) * _places_per_load(forms[f], group, scenario.workforce)
            total = sum(weights[i] for i in serving)
            for i in serving:
                share[i] += need * weights[i] / total
        places[f] = np.maximum(1, _nearest_whole(share)).astype(int)
    names = [r["naam"] for r in rows]
    werkgebied = [" ".join(c) for c in served]
    return _rows(group, scenario, locations, places, cost_factor, reserve_months, names, werkgebied, weights)


def monthly_cost_per_place(
    form: CareForm, occupancy: float, admin_share: float = REFERENCE_ADMIN_SHARE, staff_per_place: float | None = None
) -> float:
    """Cost of one place a month, fully staffed, at ``occupancy`` (the cost-price rule of the model).

    ``staff_per_place`` defaults to the form's own (:meth:`Scenario.staff_per_place` gives it
    when it is implied by the tariff)."""
    cp = form.cost_price
    if staff_per_place is None:
        if cp.staff_per_place is None:
            raise ValueError("staff_per_place is implied by the tariff: pass Scenario.staff_per_place(form)")
        staff_per_place = cp.staff_per_place.value
    return yearly_cost_per_place(cp, staff_per_place, admin_share, occupancy) / 12.0


def generate_landscape(scenario: Scenario) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Provider and place rows for a scenario's ``providers.generator``, national by design."""
    gen = scenario.providers.generator
    if gen is None:
        raise ScenarioError(scenario.name, [("providers.generator", "missing; the landscape is generated from it")])
    national = scenario.model_copy(update={"regions": None})
    geo = load_geography(national)
    streams = Streams(gen.seed, 0)
    providers: list[dict[str, object]] = []
    offers: list[dict[str, object]] = []
    for index, group in enumerate(gen.groups):
        build = _werkgebied_group if group.werkgebied_file else _group
        p, o = build(group, geo, scenario, streams, index)
        providers += p
        offers += o
    return providers, offers


def check_output_path(path: str | Path, field: str, roots: Iterable[str | Path] | None = None) -> Path:
    """Vet a CSV path to write: not a folder, its folder exists and is writable, and (``roots``)
    it lies below one of ``roots`` after resolving symbolic links. Returns the resolved path;
    raises :class:`ScenarioError` naming ``field`` (``--providers``, ``providers.file``, ...)."""
    try:
        real = Path(path).resolve()
    except (OSError, ValueError, RuntimeError) as exc:
        raise ScenarioError(field, [(field, f"{shown(str(path))} is not a usable path ({exc})")]) from None
    if roots is not None:
        folders = [Path(r).resolve() for r in roots]
        if not any(real.is_relative_to(r) for r in folders):
            where = ", ".join(map(str, folders))
            raise ScenarioError(field, [(field, f"{real} is outside the folders landscape may write ({where})")])
    if real.is_dir():
        raise ScenarioError(field, [(field, f"{real} is a folder, not a file")])
    if not real.parent.is_dir():
        raise ScenarioError(field, [(field, f"folder {real.parent} does not exist")])
    if not os.access(real.parent, os.W_OK | os.X_OK) or (real.exists() and not os.access(real, os.W_OK)):
        raise ScenarioError(field, [(field, f"{real} is not writable")])
    return real


def landscape_paths(
    scenario: Scenario,
    providers: str | Path | None = None,
    places: str | Path | None = None,
    roots: Iterable[str | Path] = (PROJECT_ROOT / "data",),
) -> tuple[Path, Path]:
    """Where ``landscape`` may write: the paths the user gave (``--providers``, ``--places``), or
    else the scenario's ``providers.file`` and ``providers.places_file``, which must then lie
    below ``roots`` (default: the project's ``data/``), so a scenario cannot aim the writer at
    any file the process may write. Each path is vetted by :func:`check_output_path`."""
    out = []
    for given, field, from_scenario in (
        (providers, "--providers", scenario.providers.file),
        (places, "--places", scenario.providers.places_file),
    ):
        if given is not None:
            out.append(check_output_path(given, field))
        else:
            name = "providers.file" if field == "--providers" else "providers.places_file"
            out.append(check_output_path(from_scenario, name, roots=roots))
    if out[0] == out[1]:
        raise ScenarioError("landscape", [("--places", "must differ from the providers file")])
    return out[0], out[1]


def _write_csv(path: Path, rows: list[dict[str, object]], cols: list[str]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_landscape(scenario: Scenario, providers_path: str | Path, places_path: str | Path) -> None:
    """Generate the landscape of ``scenario`` and write it to exactly these two paths.

    The paths are the caller's choice (vet them with :func:`check_output_path`); nothing is
    written anywhere else, and nothing at all unless generation succeeds.
    """
    if Path(providers_path).resolve() == Path(places_path).resolve():
        raise ScenarioError("landscape", [("--places", "must differ from the providers file")])
    providers, offers = generate_landscape(scenario)
    for path, rows, cols in ((providers_path, providers, PROVIDER_COLUMNS), (places_path, offers, PLACES_COLUMNS)):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        _write_csv(Path(path), rows, cols)
