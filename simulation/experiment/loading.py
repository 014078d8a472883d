"""Experiments: scenario files (the regimes) x variants x a sweep grid x replications.

An experiment file (``scenarios/experiments/*.yaml``) names scenario files relative to itself,
optional variants (``{name, set: {dotted.path: value}}``, applied to every scenario), the
replications, seed, horizon in years and warm-up, and optionally a precision target::

    name: drie-regimes
    description: the three regimes on the national default
    scenarios: [../gefragmenteerd.yaml, ../regionaal.yaml, ../landelijk.yaml]
    variants:
      - name: basis
      - name: meer-pleegzorg
        set: {care_forms.pleegzorg.referral_rate_per_1000.value: 1.3}
    replications: 10
    seed: 2026
    years: 1
    warmup_days: 90
    precision: {target: 0.05, kpis: [wait_days_mean, share_over_norm], max_replications: 100}
    # optional in the precision block: time_budget_seconds: 600 (no further batch once spent)

A dotted path addresses any scenario parameter: mapping keys and list indices, e.g.
``regime.min_providers_per_contract`` or ``providers.generator.groups.0.count``. An unknown path
is an error naming it. A *cell* is one variant at one point of the sweep grid; a cell holds
every scenario of the experiment, and every cell, scenario and replication draws from the same
named streams, so they all see the same children (common random numbers).

The experiment's fingerprint hashes its resolved content: every resolved scenario's
:func:`simulation.config.fingerprint`, the variants, the sweep grid, replications, years,
warm-up, precision target and engine. Together with the seed it names the result in the store.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulation.config import (
    LoadPolicy,
    ScenarioError,
    load_raw,
    pydantic_problems,
    read_yaml,
    shown,
    validate_scenario,
)
from simulation.experiment.paths import check_path, column_values, resolve_file_value, set_path
from simulation.experiment.spec import Cell, Experiment, ExperimentSpec
from simulation.experiment.unread import unread_paths

__all__ = ["experiment_from_raws", "experiment_from_spec", "is_experiment_file", "load_any", "load_experiment",
           "scenario_experiment", "scenarios_experiment"]  # fmt: skip


def _read_yaml(path: Path, policy: LoadPolicy | None = None) -> Any:
    """The one YAML reader of scenarios (:func:`simulation.config.read_yaml`)."""
    return read_yaml(path, policy)


def is_experiment_file(path: str | Path, policy: LoadPolicy | None = None) -> bool:
    """An experiment file is a mapping with a ``scenarios`` list; a scenario file never has one.

    A file that cannot be read is no experiment; loading it as a scenario then says why.
    """
    try:
        data = read_yaml(path, policy)
    except ScenarioError:
        return False
    return isinstance(data, dict) and "scenarios" in data and "care_forms" not in data and "extends" not in data


#: The one formatter of validation problems (:func:`simulation.config.pydantic_problems`).
_pydantic_problems = pydantic_problems


def _build(
    spec: ExperimentSpec,
    kind: str,
    path: Path,
    raws: list[tuple[str, dict[str, Any]]],
    sweep: Sequence[tuple[str, Sequence[Any]]],
    set_folder: Path,
    policy: LoadPolicy | None = None,
    start_date: Any = None,
) -> Experiment:
    common: dict[str, Any] = {
        "replications": spec.replications,
        "seed": spec.seed,
        "years": spec.years,
        "warmup_days": spec.warmup_days,
    }
    if start_date is not None:
        common["start_date"] = start_date
    label = str(path)
    bases: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    problems: list[tuple[str, str]] = []
    for file, raw in raws:
        raw = {**raw, **common}
        try:
            base = validate_scenario(raw, file, policy=policy)
        except ScenarioError as exc:
            problems += [(f"{file}: {f}", m) for f, m in exc.problems]
            continue
        bases.append((file, raw, base.model_dump(mode="json")))
    if problems:
        raise ScenarioError(label, problems)
    # Paired differences between runs that start on different days compare different calendars
    # (a tariff change or shock on a date falls in one run and not the other): refused.
    starts = {b[2]["start_date"] for b in bases}
    if len(starts) > 1:
        which = ", ".join(f"{b[2]['name']}: {b[2]['start_date']}" for b in bases)
        refusal = f"the scenarios start on different days ({which}); set one for all with --start-date"
        raise ScenarioError(label, [("start_date", refusal)])
    for i, variant in enumerate(spec.variants):
        for p in variant.set:
            for file, _, dump in bases:
                why = check_path(p, dump)
                if why:
                    problems.append((f"variants.{i}.set.{p}", f"{why} (in {Path(file).name})"))
                    break
        # Paths are applied one after another: one inside another would index what the other set.
        paths = [*variant.set, *(p for p, _ in sweep)]
        for a in paths:
            for b in paths:
                if b.startswith(a + "."):
                    why = f"sets {shown(a)} and, inside it, {shown(b)}; set one of them"
                    problems.append((f"variants.{i}.set", why))
    for p, _ in sweep:
        for file, _, dump in bases:
            why = check_path(p, dump)
            if why:
                problems.append((f"--set {p}", f"{why} (in {Path(file).name})"))
                break
        else:
            problems += unread_paths([p], [None], "--set ")
    if problems:
        raise ScenarioError(label, problems)
    names = [b[2]["name"] for b in bases]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ScenarioError(label, [("scenarios", f"scenario names must differ; repeated: {dupes}")])

    typed_sweep = tuple((p, column_values(tuple(v))) for p, v in sweep)
    paths = [p for p, _ in typed_sweep]
    grid = [tuple(zip(paths, combo, strict=True)) for combo in itertools.product(*(v for _, v in typed_sweep))]
    cells: list[Cell] = []
    for variant in spec.variants:
        for point in grid:
            scenarios = []
            for file, raw, _ in bases:
                r = copy.deepcopy(raw)
                for p, v in variant.set.items():
                    set_path(r, p.split("."), resolve_file_value(p, copy.deepcopy(v), path.parent))
                for p, v in point:
                    set_path(r, p.split("."), resolve_file_value(p, v, set_folder))
                where = [f"variant {variant.name}"] if kind == "experiment" else []
                where += [f"{p}={v}" for p, v in point]
                try:
                    cell_label = f"{file} ({', '.join(where)})" if where else file
                    scenarios.append(validate_scenario(r, cell_label, policy=policy))
                except ScenarioError as exc:
                    problems += [(f"{exc.source}: {f}", m) for f, m in exc.problems]
            cells.append(Cell(len(cells), variant.name, point, tuple(scenarios)))
    if not problems:  # a swept path no scenario of the run reads would give the same numbers for every value
        problems += unread_paths([p for p, _ in sweep], [s for c in cells for s in c.scenarios], "--set ")
    if problems:
        raise ScenarioError(label, problems)
    notes = tuple(
        f"{scenario.name}: {note}" for scenario in cells[0].scenarios for note in scenario.events_outside_the_run()
    )
    return Experiment(spec, kind, path, tuple(f for f, _ in raws), typed_sweep, tuple(cells), notes)


def experiment_from_raws(spec: ExperimentSpec, path: Path, raws: Sequence[tuple[str, dict[str, Any]]]) -> Experiment:
    """Scenarios given as (label, raw mapping) pairs as one experiment (``explain``'s arms);
    ``path`` is the file they came from."""
    return _build(spec, "scenarios", path, list(raws), (), Path.cwd())


def load_experiment(
    path: str | Path,
    overrides: Mapping[str, Any] | None = None,
    sweep: Sequence[tuple[str, Sequence[Any]]] = (),
    *,
    policy: LoadPolicy | None = None,
) -> Experiment:
    """Load and validate an experiment file; ``overrides`` replace top-level keys (seed, ...).

    ``policy`` confines and limits what is read (:class:`simulation.config.LoadPolicy`).
    """
    path = Path(path)
    data = _read_yaml(path, policy)
    if not isinstance(data, dict):
        raise ScenarioError(str(path), [("file", f"must be a mapping of keys to values, not {type(data).__name__}")])
    overrides = dict(overrides or {})
    start_date = overrides.pop("start_date", None)  # a scenario key, applied to every scenario
    data = {**data, **overrides}
    try:
        spec = ExperimentSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(str(path), _pydantic_problems(exc)) from None
    return experiment_from_spec(spec, path, sweep, policy=policy, start_date=start_date)


def experiment_from_spec(
    spec: ExperimentSpec,
    path: Path,
    sweep: Sequence[tuple[str, Sequence[Any]]] = (),
    *,
    policy: LoadPolicy | None = None,
    start_date: Any = None,
) -> Experiment:
    """An experiment from a spec built in code (its scenarios named relative to ``path``'s
    folder), as if ``path`` were an experiment file holding it: ``sensitivity``'s design points
    are its variants."""
    raws, problems = [], []
    for i, rel in enumerate(spec.scenarios):
        try:
            raw = load_raw(path.parent / rel, policy=policy)  # refuses a path it cannot resolve
            raws.append((str((path.parent / rel).resolve()), raw))
        except ScenarioError as exc:
            problems += [(f"scenarios.{i} ({shown(rel)}): {f}", m) for f, m in exc.problems]
    if problems:
        raise ScenarioError(str(path), problems)
    return _build(spec, "experiment", path, raws, sweep, Path.cwd(), policy, start_date)


def scenario_experiment(
    path: str | Path,
    overrides: Mapping[str, Any] | None = None,
    sweep: Sequence[tuple[str, Sequence[Any]]] = (),
    *,
    policy: LoadPolicy | None = None,
) -> Experiment:
    """A scenario file as an experiment of one scenario and no variants."""
    path = Path(path)
    raw = load_raw(path, policy=policy)
    raw = {**raw, **(overrides or {})}
    base = validate_scenario(raw, str(path), policy=policy)
    spec = ExperimentSpec(
        name=base.name,
        description=base.description,
        scenarios=[str(path)],
        replications=base.replications,
        seed=base.seed,
        years=base.years,
        warmup_days=base.warmup_days,
    )
    return _build(spec, "scenario", path, [(str(path.resolve()), raw)], sweep, Path.cwd(), policy)


def scenarios_experiment(
    paths: Sequence[str | Path],
    overrides: Mapping[str, Any] | None = None,
    sweep: Sequence[tuple[str, Sequence[Any]]] = (),
    *,
    policy: LoadPolicy | None = None,
) -> Experiment:
    """Several scenario files as one experiment (no variants), the first the baseline.

    They run with one seed, horizon, warm-up and number of replications, so every scenario
    sees the same children and the paired differences compare like with like: the first
    file's values, unless ``overrides`` give them. Where the files disagree, the note in
    :attr:`Experiment.notes` says which values were used.
    """
    files = [Path(p) for p in paths]
    raws, bases, problems = [], [], []
    for f in files:
        try:
            raw = {**load_raw(f, policy=policy), **(overrides or {})}
            bases.append(validate_scenario(raw, str(f)))
            raws.append((str(f.resolve()), raw))
        except ScenarioError as exc:
            problems += [(f"{exc.source}: {field}", m) for field, m in exc.problems]
    if problems:
        raise ScenarioError("input", problems)
    first = bases[0]
    # A horizon is part of the question: the same scenario over one year and over three are
    # unlike things, so differing horizons are refused unless --years sets one for all
    # (start dates likewise, in _build). The run's size and seed are not: the first file's.
    if len({b.years for b in bases}) > 1:
        which = ", ".join(f"{b.name}: {b.years:g}" for b in bases)
        raise ScenarioError(
            "input", [("years", f"the scenarios have different horizons ({which}); set one for all with --years")]
        )
    shared = ("replications", "seed", "years", "warmup_days")
    notes = [
        f"{key} differs between the files ({', '.join(f'{b.name}: {getattr(b, key)}' for b in bases)}); "
        f"using {getattr(first, key)} from {first.name} for all"
        for key in shared
        if len({getattr(b, key) for b in bases}) > 1
    ]
    spec = ExperimentSpec(
        name=first.name,
        description=first.description,
        scenarios=[str(f) for f in files],
        **{key: getattr(first, key) for key in shared},
    )
    exp = _build(spec, "scenarios", files[0], raws, sweep, Path.cwd(), policy)
    return dataclasses.replace(exp, notes=(*notes, *exp.notes))


def load_any(
    path: str | Path,
    overrides: Mapping[str, Any] | None = None,
    sweep: Sequence[tuple[str, Sequence[Any]]] = (),
    *,
    policy: LoadPolicy | None = None,
) -> Experiment:
    """An experiment file or a scenario file (told apart by their keys)."""
    if is_experiment_file(path, policy):
        return load_experiment(path, overrides, sweep, policy=policy)
    return scenario_experiment(path, overrides, sweep, policy=policy)
