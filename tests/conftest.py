"""Shared helpers: tiny scenarios written to a temporary folder, and run shortcuts."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from simulation import runner
from simulation.config import Scenario, validate_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"

SALARY = 1000.0
MAIN_FORM = "zorg"
ESC_FORM = "zwaar"


def _sourced(value: float, why: str = "test value") -> dict[str, Any]:
    return {"value": value, "assumption": why}


def _care_form(
    rate: float, dist: str, mean_days: float, cv: float | None, tariff: float, escalation=None, variable: float = 0.0
):
    duration: dict[str, Any] = {"dist": dist, "mean_days": mean_days, "assumption": "test duration"}
    if cv is not None:
        duration["cv"] = cv
    form: dict[str, Any] = {
        "name": "test form",
        "level": "regional",
        "residential": True,
        "referral_rate_per_1000": _sourced(rate),
        "duration": duration,
        "tariff_eur_per_day": _sourced(tariff),
        "wait_norm_days": _sourced(30.0),
        # One FTE of care per place, all paid time productive, salary 1,000 a year: a provider's
        # staff cost is then its places x 1,000 x its cost factor (see make_scenario).
        "cost_price": {
            "staff_per_place": _sourced(1.0),
            "salary_eur_per_fte_year": _sourced(SALARY),
            "non_productive_share": _sourced(0.0),
            "overhead_share": _sourced(0.0),
            "housing_eur_per_place_year": _sourced(0.0),
            "variable_eur_per_day": _sourced(variable),
            "annual_staff_turnover": _sourced(0.0),
        },
    }
    if escalation is not None:
        form["escalation"] = escalation
    return form


def _as_list(x: Any) -> list[Any]:
    return list(x) if isinstance(x, list | tuple) else [x]


def make_scenario(
    tmp_path: Path,
    *,
    places: int | list[int],
    rate_per_day: float,
    mean_days: float,
    dist: str = "exponential",
    cv: float | None = None,
    years: float = 1.0,
    warmup_days: float = 0.0,
    seed: int = 1,
    n_gemeenten: int = 1,
    n_regions: int = 1,
    escalation: dict[str, Any] | None = None,
    tariff: float = 100.0,
    fixed_cost_eur_per_year: float | list[float] = 0.0,
    variable_cost_eur_per_day: float = 0.0,
    reserves_eur: float | list[float] = 1e9,
    admin_share_per_contract: float = 0.0,
    admin_share_per_term_set: float = 0.0,
    admin_share_max: float = 0.38,
    months_negative_before_notice: int = 6,
    notice_months: int = 3,
    initial_stock: bool = False,
    min_providers_per_contract: int = 2,
    name: str = "tiny",
    other_forms: dict[str, tuple[float, float, int]] | None = None,
) -> Scenario:
    """Write a tiny world into ``tmp_path`` and return its validated scenario.

    The youth of all gemeenten adds up to 365,000, so ``referral_rate_per_1000`` equals the total
    arrival rate per day; it is split evenly over the gemeenten. ``places`` gives one provider
    per entry (all offering form ``zorg``). ``escalation`` (keys ``after_days``, ``probability``
    and optionally ``places``, ``mean_days``, ``dist``, ``cv``) adds a form ``zwaar`` (no direct
    referrals) that ``zorg`` escalates to, offered by its own provider(s). ``other_forms`` adds
    independent forms, name -> (referrals per day, mean days, places), each with exponential
    durations, offered by one provider of its own.
    """
    tmp_path = Path(tmp_path)
    tmp_path.mkdir(parents=True, exist_ok=True)
    youth = 365_000 / n_gemeenten
    gem_rows = []
    for i in range(n_gemeenten):
        region = i * n_regions // n_gemeenten
        gem_rows.append(
            {
                "gemeentecode": f"GM{i + 1:04d}",
                "gemeentenaam": f"Gemeente {i + 1}",
                "jeugdregio_code": f"JZ{region + 1:02d}",
                "jeugdregio_naam": f"Regio {region + 1}",
                "inwoners_2023": int(youth * 5),
                "jeugd_0_17": youth,
                "jeugd_0_22": youth * 1.3,
                "lon": 5.0 + 0.05 * i,
                "lat": 52.0 + 0.01 * i,
            }
        )
    with open(tmp_path / "gemeenten.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(gem_rows[0]))
        w.writeheader()
        w.writerows(gem_rows)

    main_places = _as_list(places)
    fixed = _as_list(fixed_cost_eur_per_year)
    reserves = _as_list(reserves_eur)
    providers: list[tuple[str, str, int, float, float]] = []  # id, form, places, fixed, reserves
    for i, n in enumerate(main_places):
        providers.append(
            (f"P{i + 1}", MAIN_FORM, int(n), fixed[min(i, len(fixed) - 1)], reserves[min(i, len(reserves) - 1)])
        )
    forms = {}
    esc_cfg = None
    if escalation is not None:
        esc = dict(escalation)
        esc_cfg = {
            "after_days": esc["after_days"],
            "probability": esc["probability"],
            "to": ESC_FORM,
            "assumption": "test escalation",
        }
        for j, n in enumerate(_as_list(esc.get("places", 2))):
            providers.append((f"E{j + 1}", ESC_FORM, int(n), 0.0, 1e9))
        forms[ESC_FORM] = _care_form(
            0.0, esc.get("dist", "exponential"), esc.get("mean_days", mean_days), esc.get("cv"), tariff * 2
        )
    forms = {
        MAIN_FORM: _care_form(rate_per_day, dist, mean_days, cv, tariff, esc_cfg, variable_cost_eur_per_day),
        **forms,
    }
    for k, (form, (rate, days, n)) in enumerate((other_forms or {}).items()):
        forms[form] = _care_form(rate, "exponential", days, None, tariff)
        providers.append((f"X{k + 1}", form, int(n), 0.0, 1e9))

    with open(tmp_path / "providers.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["provider_id", "naam", "gemeentecode", "groep", "reserves_eur"])
        for i, (pid, _, _, _, res) in enumerate(providers):
            w.writerow([pid, f"Aanbieder {pid}", gem_rows[i % n_gemeenten]["gemeentecode"], "test", res])
    with open(tmp_path / "places.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["provider_id", "zorgvorm", "plaatsen", "kostenfactor"])
        for pid, form, n, fx, _ in providers:
            # staff cost = places x SALARY x cost factor = the fixed cost asked for
            w.writerow([pid, form, n, fx / (n * SALARY) if n else 0.0])

    raw = {
        "name": name,
        "years": years,
        "warmup_days": warmup_days,
        "seed": seed,
        "replications": 1,
        "initial_stock": initial_stock,
        "gemeenten_file": str(tmp_path / "gemeenten.csv"),
        "care_forms": forms,
        "providers": {"file": str(tmp_path / "providers.csv"), "places_file": str(tmp_path / "places.csv")},
        "regime": {"kind": "regional", "min_providers_per_contract": min_providers_per_contract},
        "finance": {
            "provider_admin_share_per_contract": _sourced(admin_share_per_contract),
            "provider_admin_share_per_term_set": _sourced(admin_share_per_term_set),
            "provider_admin_share_max": _sourced(admin_share_max),
            "municipal_admin_eur_per_contract_month": _sourced(100.0),
            "municipal_admin_eur_per_unit_month": _sourced(1000.0),
            "months_negative_before_notice": months_negative_before_notice,
            "notice_months": notice_months,
        },
        # Static staffing: nobody leaves, so capacity is exactly the places (textbook queues).
        "workforce": {
            "hiring_delay_months": 0,
            "vacancy_fill_per_month": _sourced(1.0),
            "deficit_hiring_factor": _sourced(1.0),
            "workload_turnover_elasticity": _sourced(0.0),
        },
    }
    return validate_scenario(raw, label=name)


def run(scenario: Scenario, replication: int = 0, engine: str = "reference", record_log: bool = False):
    return runner.run_replication(scenario, replication, engine=engine, record_log=record_log)


@pytest.fixture
def scenario_factory(tmp_path):
    """``scenario_factory(**kwargs)`` writes each scenario into its own sub-folder of tmp_path."""
    count = [0]

    def factory(**kwargs):
        count[0] += 1
        return make_scenario(tmp_path / f"s{count[0]}", **kwargs)

    return factory


def tree_bytes(path: Path) -> dict[str, bytes]:
    """Every file under ``path`` but the manifest (which holds timings), by relative path."""
    return {
        p.relative_to(path).as_posix(): p.read_bytes()
        for p in sorted(path.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }
