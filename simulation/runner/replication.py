"""One replication: build the world once per process, run the core on an engine, tidy tables.

``run_replication`` is a plain function of (scenario, replication, engine) that returns data,
so it can run in any process; a :class:`Job` is one replication as an executor runs it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from simulation import metrics
from simulation.config import Scenario, ScenarioError, fingerprint, shown
from simulation.core.cost_levels import adapt_cost_levels
from simulation.core.demand import generate
from simulation.core.entry import entrant_slots
from simulation.core.model import Model, Switch, World
from simulation.core.random import Streams
from simulation.core.recorder import LeanRecorder
from simulation.core.world import Market, load_geography, load_providers
from simulation.engines import ENGINES
from simulation.experiment import Experiment
from simulation.regimes import regime_for
from simulation.regimes.transition import plan_transition

__all__ = [
    "Job",
    "JobResult",
    "ReplicationResult",
    "build_world",
    "check_experiment",
    "contracts_table",
    "part_key",
    "run_job",
    "run_replication",
    "units_table",
    "warmup_table",
]

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
        providers += entrant_slots(scenario, geography, forms, providers, market)
        # Providers' costs as they stand in the market the run starts in (finance.cost_levels).
        providers = adapt_cost_levels(scenario, geography, providers, market)
        world = World(scenario, geography, tuple(forms), tuple(providers), market, final, tuple(switches))
        _WORLDS.clear()  # one scenario at a time per process keeps memory flat
        _WORLDS[key] = world
    return world


def check_experiment(experiment: Experiment) -> None:
    """Build the world of every scenario of every cell, as a run would, without running it.

    Loading validates each scenario's values; this also reads its data files (they exist, are
    CSV with the right columns and values in range), checks its regions, care forms and shocks
    against them, and lets its regime build the market. Each distinct scenario (by
    fingerprint) is built once. Raises :class:`ScenarioError` listing every cell's problems, so
    ``validate`` refuses what ``run`` would refuse.
    """
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for cell in experiment.cells:
        where = cell.label(experiment.with_variant)
        for scenario in cell.scenarios:
            label = f"{where} / {scenario.name}" if where else scenario.name
            try:
                key = fingerprint(scenario)
                if key in seen:
                    continue
                seen.add(key)
                build_world(scenario)
            except ScenarioError as exc:
                problems += [(f"{label}: {exc.source}: {f}", m) for f, m in exc.problems]
            except (ValueError, LookupError, ArithmeticError) as exc:
                why = f"the world cannot be built: {type(exc).__name__}: {shown(str(exc), 200)}"
                problems.append((label, why))
    if problems:
        raise ScenarioError(str(experiment.path), problems)


@dataclass
class ReplicationResult:
    scenario: str
    replication: int
    tables: dict[str, pd.DataFrame]
    kpis: pd.DataFrame
    log: list[tuple[float, str, int]] | None
    seconds: float
    events: int
    #: child-episodes in the run (rows of the episodes table, built or not)
    episodes: int = 0


def run_replication(
    scenario: Scenario, replication: int, engine: str = "simpy", record_log: bool = False, lean: bool = False
) -> ReplicationResult:
    """One replication of one scenario on one engine.

    ``lean``: the same KPIs (equal floats) from the model's per-child arrays, without building
    the episodes table (``tables`` then holds the monthly tables only): for KPI-only runs.
    """
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
    model = Model(world, referrals, record_log=record_log, recorder=LeanRecorder() if lean else None)
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
    gemeenten = [g.code for g in world.geography.gemeenten]
    if out.children is not None:
        episodes = metrics.Episodes.from_children(out.children, world.care_forms, norms, gemeenten)
    else:
        episodes = metrics.Episodes.from_table(tables["episodes"], norms)
    k = metrics.kpis(tables, norms, scenario.warmup_days, scenario.horizon_days, youth, episodes)
    k.insert(0, "replication", replication)
    k.insert(0, "scenario", scenario.name)
    stocks = metrics.count_stocks(episodes, scenario.start_date, scenario.horizon_days)
    stocks.insert(0, "replication", replication)
    stocks.insert(0, "scenario", scenario.name)
    tables["stocks"] = stocks
    flows = metrics.count_flows(episodes, scenario.start_date, scenario.horizon_days)
    flows.insert(0, "replication", replication)
    flows.insert(0, "scenario", scenario.name)
    tables["flows"] = flows
    n = len(episodes.t_referral)
    seconds = time.perf_counter() - start
    return ReplicationResult(scenario.name, replication, tables, k, out.log, seconds, model.events, n)


@dataclass(frozen=True)
class Job:
    """One replication of one scenario. ``key`` orders results: (cell, scenario, replication)."""

    key: tuple[int, int, int]
    scenario: Scenario
    replication: int
    engine: str = "simpy"
    tables: bool = True
    #: columns put in front of every table (the experiment's cell: variant, swept paths)
    columns: tuple[tuple[str, Any], ...] = ()
    #: write the tables as parts into this folder (a result set being written) instead of
    #: returning them: saves sending them between processes when the worker shares the disk
    parts_dir: str | None = None


@dataclass
class JobResult:
    key: tuple[int, int, int]
    kpis: pd.DataFrame
    tables: dict[str, pd.DataFrame] | None
    seconds: float
    events: int
    #: names of the tables written into ``Job.parts_dir``, and the number of episodes
    parts: list[str] | None = None
    episodes: int = 0
    #: the ``stocks`` table (with the cell columns), returned however the job was run
    stocks: pd.DataFrame | None = None
    #: the ``flows`` table (with the cell columns), returned however the job was run
    flows: pd.DataFrame | None = None


def part_key(key: tuple[int, int, int]) -> str:
    """The name of a job's part: sorts as (cell, scenario, replication)."""
    return f"{key[0]:05d}-{key[1]:04d}-{key[2]:07d}"


def warmup_table(waiting: pd.DataFrame) -> pd.DataFrame:
    """Warm-up diagnostic: total time-weighted waiting list per month and its running mean.

    One row per (scenario, replication, month) of the ``waiting`` table: ``waiting_total`` is
    the sum of ``waiting_mean`` over units and care forms, ``running_mean`` the mean of
    ``waiting_total`` over the months so far (a curve that flattens once the run is warm).
    """
    keys = ["scenario", "replication", "month"]
    cols = [*keys, "t_start", "waiting_total", "waiting_end_total", "running_mean"]
    if waiting.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols})
    g = waiting.groupby(keys, sort=True, observed=True)
    out = g.agg(
        t_start=("t_start", "min"), waiting_total=("waiting_mean", "sum"), waiting_end_total=("waiting_end", "sum")
    ).reset_index()
    by_run = out.groupby(["scenario", "replication"], sort=False, observed=True)["waiting_total"]
    out["running_mean"] = by_run.cumsum() / (by_run.cumcount() + 1)
    return out[cols]


def run_job(job: Job) -> JobResult:
    """Run one job; tables (with the derived ``warmup`` table) only if the job asks for them."""
    r = run_replication(job.scenario, job.replication, engine=job.engine, lean=not job.tables)
    stocks, flows = r.tables["stocks"], r.tables["flows"]
    for i, (c, v) in enumerate(job.columns):
        stocks.insert(i, c, v)
        flows.insert(i, c, v)
    if not job.tables:
        return JobResult(job.key, r.kpis, None, r.seconds, r.events, None, r.episodes, stocks, flows)
    tables = dict(r.tables)
    if "waiting" in tables:
        tables["warmup"] = warmup_table(tables["waiting"])
    for name, frame in tables.items():
        if name not in ("stocks", "flows"):  # have them already
            for i, (c, v) in enumerate(job.columns):
                frame.insert(i, c, v)
    if job.parts_dir is None:
        return JobResult(job.key, r.kpis, tables, r.seconds, r.events, None, r.episodes, stocks, flows)
    from simulation.results import write_part

    for name, frame in tables.items():
        write_part(Path(job.parts_dir), name, part_key(job.key), frame)
    return JobResult(job.key, r.kpis, None, r.seconds, r.events, list(tables), r.episodes, stocks, flows)


def units_table(world: World) -> pd.DataFrame:
    """The contracting units of a run, one row per (unit, gemeente)."""
    rows = [(u.unit_id, u.name, u.level, u.region, code) for u in world.market.units for code in u.gemeenten]
    return pd.DataFrame(rows, columns=["unit_id", "unit_name", "level", "jeugdregio_code", "gemeentecode"])


def contracts_table(world: World) -> pd.DataFrame:
    """One row per contract; each unit is its own set of terms, at its own tariff."""
    tariff = world.market.tariff
    rows = [(c.unit_id, c.provider_id, c.care_form, tariff[(c.unit_id, c.care_form)], c.unit_id)
            for c in world.market.contracts]  # fmt: skip
    return pd.DataFrame(rows, columns=["unit_id", "provider_id", "care_form", "tariff_eur_per_day", "term_set"])
