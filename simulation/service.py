"""The one path from a scenario or experiment to results, for every caller.

* :func:`simulate` runs in process and returns KPIs, summaries and (optionally) the result
  tables, touching no disk: what-ifs in the dashboard, calibration, notebooks, ``compare``.
* :func:`run_to_store` runs into the result store: it reuses an identical earlier result,
  writes a new result set atomically with its manifest, and reports progress through a callback.

The command line, the dashboard and calibration call these two functions and nothing below
them, so a run means the same everywhere (ARCHITECTURE.md rule 6).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from simulation import metrics
from simulation.config import LoadPolicy, fingerprint
from simulation.experiment import Experiment, PrecisionSpec, load_any, scenarios_experiment
from simulation.outcomes import META_KEYS, Simulation, StoredRun
from simulation.results import (
    ResultWriter,
    check_destination,
    code_fingerprint,
    find_reusable,
    free_dir,
    git_commit,
    open_results,
    store_dir,
    store_lock,
    versions,
)
from simulation.runner import (
    Executor,
    ExperimentRun,
    build_world,
    check_experiment,
    contracts_table,
    run_experiment,
    units_table,
)

__all__ = ["META_KEYS", "Progress", "Simulation", "StoredRun", "inspect", "load", "run_to_store", "simulate", "units"]

#: ``progress(done, total)``: replications finished and planned so far (the total grows when
#: a precision target asks for more replications)
Progress = Callable[[int, int], None]
#: What a run can start from: a scenario or experiment file, several scenario files (the first is
#: the baseline of the paired differences), or an experiment already loaded.
Source = str | Path | Sequence[str | Path] | Experiment

#: tables computed from a finished run, written into its result set (name -> table)
Derived = Callable[[ExperimentRun], Mapping[str, pd.DataFrame]]


def load(
    source: Source,
    overrides: Mapping[str, Any] | None = None,
    sweep: Sequence[tuple[str, Sequence[Any]]] = (),
    *,
    policy: LoadPolicy | None = None,
) -> Experiment:
    """The experiment a source stands for (see :data:`Source`). ``policy`` confines the files
    that may be read (``LoadPolicy.confined(folder)`` for uploads)."""
    if isinstance(source, Experiment):
        return source
    if isinstance(source, str | Path):
        return load_any(source, overrides, sweep, policy=policy)
    files = list(source)
    if len(files) == 1:
        return load_any(files[0], overrides, sweep, policy=policy)
    return scenarios_experiment(files, overrides, sweep, policy=policy)


class _Bar:
    """Adapts a :data:`Progress` callback to the bar interface the experiment runner drives."""

    def __init__(self, callback: Progress | None) -> None:
        self.callback = callback
        self.total = 0
        self.n = 0

    def update(self, k: int = 1) -> None:
        self.n += k
        self.refresh()

    def refresh(self) -> None:
        if self.callback is not None:
            self.callback(self.n, self.total)


@contextmanager
def _executor(
    executor: Executor | str | None, workers: int | None, scheduler: str | None, jobs: int
) -> Iterator[Executor]:
    """The caller's open executor (left open), or one started here by name and closed after."""
    if isinstance(executor, Executor):
        yield executor
        return
    with Executor(executor or "serial", workers, scheduler, max_jobs=jobs) as ex:
        yield ex


def _max_jobs(exp: Experiment, precision: PrecisionSpec | None) -> int:
    reps = precision.max_replications if precision else exp.spec.replications
    return len(exp.cells) * len(exp.scenario_names) * reps


def _empty_by_design(exp: Experiment) -> list[dict[str, Any]]:
    """KPIs that are empty by design in each (cell, scenario), and why: tables say so in a
    footnote instead of printing a row of zeros. Today the NZa signals, in a run shorter than
    its reporting period plus the reporting lag (``early_warning`` in the scenario)."""
    out = []
    for cell in exp.cells:
        for scenario in cell.scenarios:
            unseen = metrics.signals_unseen(scenario.early_warning, scenario.start_date, scenario.horizon_days)
            if unseen is not None:
                out.append({"cell": cell.columns(exp.with_variant), "scenario": scenario.name, **unseen})
    return out


def _meta(exp: Experiment, replications: int, engine: str) -> dict[str, Any]:
    return {
        "replications": replications,
        "seed": exp.seed,
        "years": exp.spec.years,
        "warmup_days": exp.spec.warmup_days,
        "engine": engine,
        "empty_by_design": _empty_by_design(exp),
    }


def simulate(
    source: Source,
    *,
    overrides: Mapping[str, Any] | None = None,
    sweep: Sequence[tuple[str, Sequence[Any]]] = (),
    engine: str = "simpy",
    executor: Executor | str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    precision: PrecisionSpec | None = None,
    tables: bool = False,
    progress: Progress | None = None,
) -> Simulation:
    """Run in process and return KPIs (and the result tables if ``tables``); nothing is written.

    ``executor`` is an open :class:`~simulation.runner.Executor` (kept open for the caller) or
    the name of one (``serial`` by default), started and closed here.
    """
    exp = load(source, overrides, sweep)
    precision = precision if precision is not None else exp.spec.precision
    collected: dict[str, list[tuple[str, pd.DataFrame]]] = {}

    def keep(name: str, key: str, frame: pd.DataFrame) -> None:
        collected.setdefault(name, []).append((key, frame))

    with _executor(executor, workers, scheduler, _max_jobs(exp, precision)) as ex:
        run = run_experiment(
            exp, engine=engine, executor=ex, precision=precision, progress=_Bar(progress),
            tables=keep if tables else None,
        )  # fmt: skip
    frames = None
    if tables:
        frames = {
            name: pd.concat([f for _, f in sorted(parts, key=lambda p: p[0])], ignore_index=True)
            for name, parts in collected.items()
        }
    return Simulation(exp, run, frames, _meta(exp, run.replications, engine))


def _structure_tables(exp: Experiment) -> dict[str, pd.DataFrame]:
    """The contracting units and contracts of every (cell, scenario)."""
    out: dict[str, list[pd.DataFrame]] = {"units": [], "contracts": []}
    for cell in exp.cells:
        for scenario in cell.scenarios:
            world = build_world(scenario)
            front = {**cell.columns(exp.with_variant), "scenario": scenario.name}
            for name, frame in (("units", units_table(world)), ("contracts", contracts_table(world))):
                for i, (c, v) in enumerate(front.items()):
                    frame.insert(i, c, v)
                out[name].append(frame)
    return {name: pd.concat(frames, ignore_index=True) for name, frames in out.items()}


def run_to_store(
    source: Source,
    *,
    root: str | Path = "results",
    out: str | Path | None = None,
    force: bool = False,
    overrides: Mapping[str, Any] | None = None,
    sweep: Sequence[tuple[str, Sequence[Any]]] = (),
    engine: str = "simpy",
    executor: Executor | str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    precision: PrecisionSpec | None = None,
    progress: Progress | None = None,
    command: str = "run",
    command_line: Sequence[str] | None = None,
    derived: Derived | None = None,
    tables: bool = True,
) -> StoredRun:
    """Run into the result store and return the result set.

    Without ``tables`` the replications run lean and the set holds only the KPI and structure
    tables (and ``derived``'s), not episodes, ledger, ...

    ``derived(run)`` returns more tables computed from the run (``explain``'s decomposition);
    they are written into the same result set, before it is committed.

    Without ``out`` the result goes to ``root/<name>-<fingerprint8>-<seed>``, and an identical
    complete earlier result (same experiment fingerprint, seed and code) is reused unless
    ``force``. With ``out`` it goes exactly there, which must not exist. The set is written into
    a temporary folder and renamed into place only when whole; results are never overwritten.
    """
    exp = load(source, overrides, sweep)
    precision = precision if precision is not None else exp.spec.precision
    fp = exp.fingerprint(engine, precision)
    run_args = (exp, fp, engine, executor, workers, scheduler, precision, progress, command, command_line, derived,
                tables)  # fmt: skip
    if out is not None:
        return _run_into(check_destination(out), *run_args)
    base = store_dir(root, exp.name, fp, exp.seed)
    # A second identical run waits here for the first, then finds its result.
    with store_lock(base):
        reuse = None if force else find_reusable(base, fp, code_fingerprint())
        if reuse is not None:
            return StoredRun.open(reuse)
        return _run_into(free_dir(base), *run_args)


def _run_into(
    dest: Path,
    exp: Experiment,
    fp: str,
    engine: str,
    executor: Executor | str,
    workers: int | None,
    scheduler: str | None,
    precision: PrecisionSpec | None,
    progress: Progress | None,
    command: str,
    command_line: Sequence[str] | None,
    derived: Derived | None,
    tables: bool,
) -> StoredRun:
    started = time.perf_counter()
    pending = {"name": exp.name, "seed": exp.seed, "replications": exp.spec.replications, "fingerprint": fp}
    with ResultWriter(dest, pending) as writer:
        with _executor(executor, workers, scheduler, _max_jobs(exp, precision)) as ex:
            run = run_experiment(
                exp, engine=engine, executor=ex, writer=writer if tables else None, precision=precision,
                progress=_Bar(progress),
            )  # fmt: skip
        sim_seconds = time.perf_counter() - started
        writer.add_table("kpis", run.kpis)
        writer.add_table("summary", run.summary)
        writer.add_table("differences", run.differences)
        for name, frame in _structure_tables(exp).items():
            writer.add_table(name, frame)
        for name, frame in (derived(run) if derived is not None else {}).items():
            writer.add_table(name, frame)
        manifest = _manifest(exp, run, fp, engine, ex, scheduler, command, command_line)
        manifest["timings"]["simulate_seconds"] = round(sim_seconds, 3)
        writer.finish_parts()
        manifest["timings"]["wall_seconds"] = round(time.perf_counter() - started, 3)
        path = writer.commit(manifest)
    return StoredRun(path, False, open_results(path), run, _meta(exp, run.replications, engine))


def _manifest(
    exp: Experiment,
    run: ExperimentRun,
    fp: str,
    engine: str,
    ex: Executor,
    scheduler: str | None,
    command: str,
    command_line: Sequence[str] | None,
) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "kind": exp.kind,
        "command": command,
        "name": exp.name,
        "description": exp.spec.description,
        "file": str(exp.path.resolve()),
        "fingerprint": fp,
        "code_fingerprint": code_fingerprint(),
        "scenarios": exp.scenario_names,
        "scenario_files": list(exp.files),
        "scenario_fingerprints": exp.scenario_fingerprints(),
        "variants": [v.model_dump(mode="json") for v in exp.spec.variants] if exp.with_variant else [],
        "sweep": {p: list(v) for p, v in exp.sweep},
        "cell_columns": exp.cell_columns(),
        "seed": exp.seed,
        "replications": run.replications,
        "replications_requested": exp.spec.replications,
        "years": exp.spec.years,
        "warmup_days": exp.spec.warmup_days,
        "engine": engine,
        "executor": {"kind": ex.kind, "workers": ex.workers, "scheduler": scheduler},
        "precision": run.precision,
        "empty_by_design": _empty_by_design(exp),
        "versions": versions(),
        "git_commit": git_commit(),
        "command_line": list(command_line) if command_line is not None else None,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "timings": {
            "wall_seconds": None,
            "simulate_seconds": None,
            "replication_seconds": [round(x, 3) for x in run.seconds],
            "events": run.events,
        },
    }
    if exp.kind == "scenario":
        (scenario,) = exp.cells[0].scenarios
        manifest["scenario_fingerprint"] = fingerprint(scenario)
        manifest["scenario"] = scenario.model_dump(mode="json")
    return manifest


def inspect(source: Source, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Load a source and build the world of every scenario in it (the deep check behind
    ``validate``): a bad variant, a missing data file or an unknown region is found here, not
    halfway through a run. Returns what the source contains."""
    exp = load(source, overrides)
    check_experiment(exp)
    first = build_world(exp.cells[0].scenarios[0])
    return {
        "kind": exp.kind,
        "name": exp.name,
        "scenarios": exp.scenario_names,
        "variants": len(exp.spec.variants) if exp.with_variant else 0,
        "cells": len(exp.cells),
        "replications": exp.spec.replications,
        "seed": exp.seed,
        "years": exp.spec.years,
        "warmup_days": exp.spec.warmup_days,
        "gemeenten": len(first.geography.gemeenten),
        "care_forms": len(first.care_forms),
        "providers": len(first.providers),
        "units": len(first.market.units),
        "regime": first.scenario.regime.kind,
        "notes": list(exp.notes),
    }


def units(path: str | Path) -> pd.DataFrame:
    """The contracting units of a scenario's regime, one row per (unit, gemeente)."""
    from simulation.config import load_scenario

    return units_table(build_world(load_scenario(path)))
