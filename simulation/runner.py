"""Run replications: build the world once, run the core on an engine, collect tidy tables.

``run_replication`` is a plain function of (scenario, replication, engine) that returns data,
so it can run in any process; results are assembled in (scenario, replication) order, so the
number of workers never changes a byte.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import pandas as pd

from simulation import metrics
from simulation.config import Scenario, fingerprint
from simulation.core.demand import generate
from simulation.core.model import Model, Switch, World
from simulation.core.random import Streams
from simulation.core.world import Market, load_geography, load_providers
from simulation.engines import ENGINES
from simulation.regimes import regime_for
from simulation.regimes.transition import plan_transition

__all__ = ["ReplicationResult", "build_world", "contracts_table", "run_many", "run_replication", "units_table"]

_WORLDS: dict[str, World] = {}


def build_world(scenario: Scenario) -> World:
    """Geography, providers and the regime's market for a scenario (cached per process)."""
    key = fingerprint(scenario)
    world = _WORLDS.get(key)
    if world is None:
        geography = load_geography(scenario)
        forms = scenario.active_care_forms()
        providers = load_providers(scenario, geography)
        market = regime_for(scenario).build(geography, forms, providers)
        final: Market | None = None
        switches: list[Switch] = []
        if scenario.transition is not None:
            final = market
            market, switches = plan_transition(scenario, geography, forms, providers, final)
        used = {pid for m in (market, final) if m for pids in m.eligible.values() for pid in pids}
        # Providers that no unit buys from are outside this run's market.
        providers = [p for p in providers if p.provider_id in used]
        world = World(scenario, geography, tuple(forms), tuple(providers), market, final, tuple(switches))
        _WORLDS.clear()  # one scenario at a time per process keeps memory flat
        _WORLDS[key] = world
    return world


@dataclass
class ReplicationResult:
    scenario: str
    replication: int
    tables: dict[str, pd.DataFrame]
    kpis: pd.DataFrame
    log: list[tuple[float, str, int]] | None
    seconds: float
    events: int


def places_per_form(world: World) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in world.providers:
        for o in p.forms:
            out[o.care_form] = out.get(o.care_form, 0) + o.places
    return out


def run_replication(
    scenario: Scenario, replication: int, engine: str = "simpy", record_log: bool = False
) -> ReplicationResult:
    """One replication of one scenario on one engine."""
    start = time.perf_counter()
    world = build_world(scenario)
    streams = Streams(scenario.seed, replication)
    forms = {k: scenario.care_forms[k] for k in world.care_forms}
    divert = {po.care_form: po.divert_to for po in scenario.phase_out}
    referrals = generate(
        world.geography.gemeenten,
        forms,
        scenario.demand,
        streams,
        scenario.horizon_days,
        scenario.initial_stock,
        divert,
    )
    model = Model(world, referrals, record_log=record_log)
    ENGINES[engine](model, scenario.horizon_days)
    out = model.finish()
    tables = {name: pd.DataFrame(columns) for name, columns in out.tables.items()}
    for name, frame in tables.items():
        frame.insert(0, "replication", replication)
        frame.insert(0, "scenario", scenario.name)
        tables[name] = frame
    signals = metrics.early_warnings(
        tables["ledger"], scenario.early_warning, scenario.start_date, scenario.horizon_days
    )
    signals.insert(0, "replication", replication)
    signals.insert(0, "scenario", scenario.name)
    tables["signals"] = signals
    norms = {k: v.wait_norm_days.value for k, v in forms.items()}
    youth = sum(g.youth for g in world.geography.gemeenten)
    k = metrics.kpis(tables, norms, places_per_form(world), scenario.warmup_days, scenario.horizon_days, youth)
    k.insert(0, "replication", replication)
    k.insert(0, "scenario", scenario.name)
    return ReplicationResult(scenario.name, replication, tables, k, out.log, time.perf_counter() - start, model.events)


def _kpis_only(args: tuple[Scenario, int, str]) -> tuple[pd.DataFrame, float, int]:
    r = run_replication(*args)
    return r.kpis, r.seconds, r.events


def run_many(
    scenarios: Sequence[Scenario],
    replications: int,
    engine: str = "simpy",
    workers: int | None = None,
    on_done: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, list[float]]:
    """KPIs of every (scenario, replication), in that order; processes unless ``workers == 1``."""
    jobs = [(s, r, engine) for s in scenarios for r in range(replications)]
    workers = workers or os.cpu_count() or 1
    results: list[tuple[pd.DataFrame, float, int]] = []
    if workers == 1 or len(jobs) == 1:
        for i, job in enumerate(jobs):
            results.append(_kpis_only(job))
            if on_done:
                on_done(i + 1, len(jobs))
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            for i, res in enumerate(pool.map(_kpis_only, jobs)):
                results.append(res)
                if on_done:
                    on_done(i + 1, len(jobs))
    per_rep = pd.concat([r[0] for r in results], ignore_index=True)
    return per_rep, [r[1] for r in results]


def units_table(world: World) -> pd.DataFrame:
    """The contracting units of a run, one row per (unit, gemeente)."""
    rows = [(u.unit_id, u.name, u.level, u.region, code) for u in world.market.units for code in u.gemeenten]
    return pd.DataFrame(rows, columns=["unit_id", "unit_name", "level", "jeugdregio_code", "gemeentecode"])


def contracts_table(world: World) -> pd.DataFrame:
    rows = [(c.unit_id, c.provider_id, c.care_form, c.tariff_eur_per_day, c.term_set) for c in world.market.contracts]
    return pd.DataFrame(rows, columns=["unit_id", "provider_id", "care_form", "tariff_eur_per_day", "term_set"])
