"""Run an experiment: every (cell, scenario, replication) on an executor, more replications in
batches until a precision target is met, then summaries and paired differences per cell."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from simulation import metrics
from simulation.experiment import Cell, Experiment, PrecisionSpec
from simulation.runner.executors import Executor, run_jobs
from simulation.runner.replication import Job, JobResult, part_key

__all__ = ["ExperimentRun", "precision_check", "run_experiment", "summarise_cells"]


@dataclass
class ExperimentRun:
    """KPIs of every (cell, scenario, replication), their summaries and run statistics."""

    kpis: pd.DataFrame
    summary: pd.DataFrame
    differences: pd.DataFrame
    replications: int
    seconds: list[float]
    events: list[int]
    precision: dict[str, Any] | None = None
    episodes: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    #: children in care and waiting on the CBS count dates, every (cell, scenario, replication),
    #: whether or not the result tables were kept (``metrics.count_stocks``)
    stocks: pd.DataFrame | None = None


def precision_check(
    kpis: pd.DataFrame, cell_columns: list[str], precision: PrecisionSpec
) -> tuple[bool, dict[str, dict[str, float | None]], float]:
    """Relative 95% CI half-width of the watched KPIs (care form ALL) for every cell and scenario.

    Returns (all within target, {"[cell / ]scenario": {kpi: half-width / |mean|}}, the largest
    ratio of achieved to target, which sizes the next batch). A KPI that is undefined in every
    replication (NaN) is reported as ``None`` and does not hold the run back.
    """
    achieved: dict[str, dict[str, float | None]] = {}
    worst = 0.0
    rows = kpis[(kpis["care_form"] == metrics.ALL) & (kpis["kpi"].isin(precision.kpis))]
    keys = [*cell_columns, "scenario"]
    for key, part in rows.groupby(keys, sort=False, observed=True):
        key_t = key if isinstance(key, tuple) else (key,)
        named = zip(keys, key_t, strict=True)
        label = " / ".join(str(v) if c in ("variant", "scenario") else f"{c}={v}" for c, v in named)
        entry: dict[str, float | None] = {}
        s = metrics.summarise(part, clip=False)  # the raw half-width, which more replications shrink
        for r in s.to_dict("records"):
            kpi = str(r["kpi"])
            mean, lo, hi, n = float(r["mean"]), float(r["ci_low"]), float(r["ci_high"]), int(r["n"])
            if n == 0 or math.isnan(mean):
                entry[kpi] = None
                continue
            half = (hi - lo) / 2 if n >= 2 else math.inf
            if half == 0:
                rel = 0.0
            elif mean == 0 or math.isnan(half):
                rel = math.inf
            else:
                rel = half / abs(mean)
            entry[kpi] = rel
            worst = max(worst, rel / precision.target)
        achieved[label] = entry
    reached = worst <= 1.0
    return reached, achieved, worst


def _next_replications(n: int, worst: float, maximum: int) -> int:
    """The half-width shrinks like 1/sqrt(n): aim at n x worst^2 (10% margin), at most doubling."""
    want = n * 2 if math.isinf(worst) else math.ceil(n * worst * worst * 1.1)
    return min(maximum, max(n + 1, min(2 * n, want)))


def _within_budget(n: int, nxt: int, elapsed: float, budget: float | None) -> int:
    """The next replication count that fits the time budget at the pace so far (``n`` if none
    does): a batch takes about (nxt - n) x elapsed / n, as every replication so far did."""
    if budget is None:
        return nxt
    left = budget - elapsed
    per_replication = elapsed / n
    if per_replication <= 0:
        return nxt
    fits = math.floor(left / per_replication)
    return n + max(0, min(nxt - n, fits))


def _needed(n: int, worst: float) -> int | None:
    """Replications the target would take at the current spread (1/sqrt(n) shrinkage)."""
    return None if math.isinf(worst) or math.isnan(worst) else max(n, math.ceil(n * worst * worst))


def _worst_of(achieved: dict[str, dict[str, float | None]]) -> tuple[str, str, float] | None:
    """(where, kpi, relative half-width) of the watched value furthest from its target."""
    found = [(where, kpi, rel) for where, e in achieved.items() for kpi, rel in e.items() if rel is not None]
    return max(found, key=lambda f: f[2]) if found else None


def run_experiment(
    experiment: Experiment,
    *,
    engine: str = "simpy",
    executor: Any = None,
    tables: Callable[[str, str, pd.DataFrame], None] | None = None,
    writer: Any = None,
    precision: PrecisionSpec | None = None,
    progress: Any = None,
) -> ExperimentRun:
    """Run every (cell, scenario, replication); more replications in batches if ``precision``.

    ``executor`` is a :class:`simulation.runner.Executor` (serial if None). ``tables(name, key,
    frame)`` receives each replication's result tables with the cell columns in front; a
    ``writer`` (:class:`simulation.results.ResultWriter`) takes them as parts, written by the
    workers themselves when they share this machine's disk. Give neither to compute KPIs
    only. ``progress`` is a tqdm-like bar (``update``, ``total``, ``refresh``).
    """
    if tables is not None and writer is not None:
        raise ValueError("give tables or writer, not both")
    if writer is not None:
        tables = writer.add_part

    cols = experiment.cell_columns()
    results: dict[tuple[int, int, int], JobResult] = {}
    episodes = [0]

    def with_cell(frame: pd.DataFrame, cell: Cell) -> pd.DataFrame:
        frame = frame.copy()
        for i, (c, v) in enumerate(cell.columns(experiment.with_variant).items()):
            frame.insert(i, c, v)
        return frame

    def done(res: Any) -> None:
        key = part_key(res.key)
        if res.parts is not None:
            for name in res.parts:
                writer.register_part(name, key)
        elif res.tables is not None and tables is not None:
            for name, frame in res.tables.items():
                tables(name, key, frame)
        episodes[0] += res.episodes
        res.tables = None
        results[res.key] = res
        if progress is not None:
            progress.update(1)

    def batch(lo: int, hi: int) -> None:
        direct = str(writer.parts_dir) if writer is not None and ex.shares_disk else None
        jobs = [
            Job(
                (cell.index, s, r),
                scenario,
                r,
                engine,
                tables=tables is not None,
                columns=tuple(cell.columns(experiment.with_variant).items()),
                parts_dir=direct,
            )
            for cell in experiment.cells
            for s, scenario in enumerate(cell.scenarios)
            for r in range(lo, hi)
        ]
        if progress is not None:
            progress.total = (progress.total or 0) + len(jobs)
            progress.refresh()
        run_jobs(jobs, ex, done)

    def collect() -> pd.DataFrame:
        frames = []
        for key in sorted(results):
            frames.append(with_cell(results[key].kpis, experiment.cells[key[0]]))
        return pd.concat(frames, ignore_index=True)

    own = executor is None
    ex = executor if executor is not None else Executor("serial")
    n = experiment.spec.replications
    if precision is not None:
        n = min(max(n, 2), precision.max_replications)
    report: dict[str, Any] | None = None
    batches = [n]
    started = time.monotonic()
    try:
        batch(0, n)
        if precision is not None:
            budget = precision.time_budget_seconds
            while True:
                reached, achieved, worst = precision_check(collect(), cols, precision)
                if reached or n >= precision.max_replications:
                    stopped = "reached" if reached else "max_replications"
                    break
                nxt = _next_replications(n, worst, precision.max_replications)
                nxt = _within_budget(n, nxt, time.monotonic() - started, budget)
                if nxt == n:
                    stopped = "time_budget"
                    break
                batch(n, nxt)
                n = nxt
                batches.append(n)
            far = _worst_of(achieved)
            report = {
                "target": precision.target,
                "kpis": list(precision.kpis),
                "max_replications": precision.max_replications,
                "time_budget_seconds": budget,
                "replications_used": n,
                "batches": batches,
                "achieved": achieved,
                "reached": reached,
                "stopped": stopped,
                "seconds": round(time.monotonic() - started, 3),
                # how far it got: the value furthest from its target, and what the target would take
                "worst": {"where": far[0], "kpi": far[1], "relative_half_width": far[2]} if far else None,
                "replications_needed": _needed(n, worst),
            }
    finally:
        if own:
            ex.close()
    per_rep = collect()
    summary, diffs = summarise_cells(per_rep, cols, experiment.scenario_names[0])
    ordered = [results[k] for k in sorted(results)]
    stock_frames = [r.stocks for r in ordered if r.stocks is not None]
    return ExperimentRun(
        per_rep,
        summary,
        diffs,
        n,
        [r.seconds for r in ordered],
        [r.events for r in ordered],
        report,
        episodes[0],
        stocks=pd.concat(stock_frames, ignore_index=True) if stock_frames else None,
    )


def summarise_cells(per_rep: pd.DataFrame, cols: list[str], baseline: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Summary (mean, CI) and paired differences against ``baseline``, per cell."""
    summaries, diffs = [], []
    groups = per_rep.groupby(cols, sort=False, observed=True) if cols else [((), per_rep)]
    for key, part in groups:
        key_t = key if isinstance(key, tuple) else (key,)
        values: dict[str, Any] = dict(zip(cols, key_t, strict=True))
        plain = part.drop(columns=cols)
        s = metrics.summarise(plain)
        d = metrics.paired_differences(plain, baseline)
        for frame in (s, d):
            for i, c in enumerate(cols):
                frame.insert(i, c, values[c])
        summaries.append(s)
        diffs.append(d)
    return pd.concat(summaries, ignore_index=True), pd.concat(diffs, ignore_index=True)
