"""Run a sensitivity design through the service: one variant per design point, every design point
on the same seeds (common random numbers), KPIs averaged over its replications."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulation import metrics, service
from simulation.experiment import Experiment, ExperimentSpec, Variant, experiment_from_spec
from simulation.sensitivity import design
from simulation.sensitivity.spec import Plan

__all__ = ["Outcome", "build_experiment", "point_name", "run_plan"]


def point_name(i: int) -> str:
    return f"point-{i:05d}"


@dataclass
class Outcome:
    """What a sensitivity run gives: the design, the outputs and one ranked table per KPI."""

    plan: Plan
    method: str
    #: sampled design points (rows) in the parameters' units, as SALib drew them
    x: np.ndarray
    #: one row per design point: its name, every applied path value, each KPI's mean over replications
    design: pd.DataFrame
    #: every (design point, replication, KPI) value
    runs: pd.DataFrame
    #: kpi -> the ranked table (empty when the KPI is undefined at some design point)
    indices: dict[str, pd.DataFrame]
    #: kpi -> why it has no table
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)
    wall_seconds: float = 0.0
    workers: int = 1


def build_experiment(plan: Plan, x: np.ndarray) -> Experiment:
    """The design as one experiment of the base scenario: a variant per design point (the fixed
    ``set`` plus the point's values). The runner keys every random stream by seed, replication and
    purpose, never by variant, so every design point sees the same children."""
    spec = plan.spec
    variants = [Variant(name=point_name(i), set={**spec.set, **plan.values(row)}) for i, row in enumerate(x)]
    exp_spec = ExperimentSpec(
        name=spec.name,
        description=spec.description,
        scenarios=[spec.scenario],
        variants=variants,
        replications=spec.replications,
        seed=spec.seed,
        years=plan.years,
        warmup_days=plan.warmup_days,
    )
    return experiment_from_spec(exp_spec, plan.path)


def _problem(plan: Plan) -> dict[str, Any]:
    ps = plan.spec.parameters
    return design.problem([p.name for p in ps], [p.bounds for p in ps])


def sample_plan(plan: Plan, method: str) -> np.ndarray:
    s = plan.spec
    return design.sample(method, _problem(plan), seed=s.seed % 2**32, trajectories=s.morris.trajectories,
                         levels=s.morris.levels, samples=s.sobol.samples)  # fmt: skip


def run_plan(
    plan: Plan,
    method: str,
    *,
    engine: str = "simpy",
    executor: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: service.Progress | None = None,
) -> Outcome:
    """Sample, run every design point (lean, through :func:`service.simulate`), analyse each KPI."""
    spec = plan.spec
    x = sample_plan(plan, method)
    exp = build_experiment(plan, x)
    started = time.perf_counter()
    sim = service.simulate(exp, engine=engine, executor=executor, workers=workers, scheduler=scheduler,
                           progress=progress)  # fmt: skip
    wall = time.perf_counter() - started
    k = sim.kpis
    runs = k[(k["care_form"] == metrics.ALL) & (k["kpi"].isin(spec.kpis))]
    runs = runs[["variant", "replication", "kpi", "value"]].rename(columns={"variant": "point"})
    runs = runs.reset_index(drop=True)
    names = [point_name(i) for i in range(len(x))]
    means = runs.pivot_table(index="point", columns="kpi", values="value", aggfunc="mean", dropna=False)
    means = means.reindex(index=names, columns=spec.kpis)

    applied = pd.DataFrame([plan.values(row) for row in x])
    table = pd.concat([pd.DataFrame({"point": names}), applied, means.reset_index(drop=True)], axis=1)
    indices: dict[str, pd.DataFrame] = {}
    skipped: dict[str, str] = {}
    prob = _problem(plan)
    for kpi in spec.kpis:
        y = means[kpi].to_numpy(dtype=float)
        undefined = int(np.isnan(y).sum())
        if undefined:
            skipped[kpi] = f"undefined (no value) at {undefined} of {len(y)} design points"
            continue
        indices[kpi] = design.analyze(method, prob, x, y, seed=spec.seed % 2**32, levels=spec.morris.levels,
                                      conf_level=spec.conf_level, resamples=spec.resamples)  # fmt: skip
    return Outcome(plan, method, x, table, runs, indices, skipped, list(sim.run.seconds), wall,
                   _workers(executor, workers))  # fmt: skip


def _workers(executor: str, workers: int | None) -> int:
    import os

    return 1 if executor == "serial" else workers or os.cpu_count() or 1
