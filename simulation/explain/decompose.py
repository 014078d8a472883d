"""The regime gap, decomposed: the fragmented and the regional scenario, every subset of the
mechanisms of :mod:`~simulation.explain.mechanisms` switched on, run as one experiment.

Every arm runs on the same seeds and replications, so each sees the same children (common
random numbers) and a replication's arms are paired. Per replication, exact Shapley values
split the gap ``regional - fragmented`` over the mechanisms (they add up to it, up to
floating-point rounding); the table gives their mean and 95% t-interval over replications.
Arms that come out as the same scenario (a mechanism in which the two regimes do not differ)
run once, so such a mechanism costs nothing and contributes exactly 0.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation import metrics
from simulation.config import Scenario, ScenarioError, validate_scenario
from simulation.experiment import Experiment, ExperimentSpec, experiment_from_raws
from simulation.experiment.paths import check_path, set_path
from simulation.experiment.unread import unread_paths
from simulation.explain.mechanisms import MECHANISMS, UNCOVERED_OK, Mechanism
from simulation.explain.shapley import shapley
from simulation.metrics.intervals import mean_interval
from simulation.runner import ExperimentRun, build_world

__all__ = ["EXPLAINED_KPIS", "Decomposition", "arms_experiment", "explain_table", "regime_pair"]

#: The KPIs whose gap is decomposed by default: waits, exits and cost.
EXPLAINED_KPIS = ("wait_days_mean", "waiting_at_end", "share_over_norm", "provider_exits", "total_cost_eur")
TOTAL = "total (regional - fragmented)"


@dataclass(frozen=True)
class Decomposition:
    """The experiment of the arms and which arm stands for which subset of mechanisms."""

    experiment: Experiment
    fragmented: Scenario
    regional: Scenario
    mechanisms: tuple[Mechanism, ...]
    #: subset of mechanism names switched on -> the name of the scenario that ran it
    arm_of: dict[frozenset[str], str]


def regime_pair(exp: Experiment, variant: str | None = None) -> tuple[Scenario, Scenario]:
    """The fragmented and the regional scenario of an experiment's cell (the first, or ``variant``)."""
    cells = [c for c in exp.cells if variant is None or c.variant == variant]
    if not cells:
        known = sorted({c.variant for c in exp.cells})
        raise ScenarioError(str(exp.path), [("--variant", f"no variant {variant!r}; known: {known}")])
    by_kind: dict[str, Scenario] = {}
    for s in cells[0].scenarios:
        by_kind.setdefault(s.regime.kind, s)
    missing = [k for k in ("fragmented", "regional") if k not in by_kind]
    if missing:
        kinds = [f"{s.name}: {s.regime.kind}" for s in cells[0].scenarios]
        why = f"explain needs a fragmented and a regional scenario; missing {missing} (got {', '.join(kinds)})"
        raise ScenarioError(str(exp.path), [("scenarios", why)])
    return by_kind["fragmented"], by_kind["regional"]


def _differences(a: Any, b: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            out += _differences(a.get(key), b.get(key), (*path, str(key)))
        return out
    return [] if a == b else [path]


def _market_tables(s: Scenario) -> tuple[Any, ...]:
    m = build_world(s).market
    contracts = sorted((c.unit_id, c.provider_id, c.care_form) for c in m.contracts)
    return [u.unit_id for u in m.units], m.unit_for, contracts, m.eligible, m.tariff, m.term_contracts


def arms_experiment(
    fragmented: Scenario,
    regional: Scenario,
    path: Path,
    settings: Mapping[str, Any] | None = None,
    mechanisms: Sequence[Mechanism] = MECHANISMS,
) -> Decomposition:
    """Every subset of ``mechanisms`` switched on in the fragmented scenario, as one experiment.

    ``settings`` (dotted path -> value) apply to both scenarios first, like a variant. Refused
    when the scenarios differ in anything no mechanism covers (the decomposition would not
    add up to the gap between them)."""
    dumps = []
    problems: list[tuple[str, str]] = []
    for s in (fragmented, regional):
        d = s.model_dump(mode="json")
        for p, v in (settings or {}).items():
            why = check_path(p, d)
            if why:
                problems.append((f"--set {p}", why))
            else:
                set_path(d, p.split("."), copy.deepcopy(v))
        dumps.append(d)
    if problems:
        raise ScenarioError("explain", problems)
    frag, reg = dumps
    names = [m.name for m in mechanisms]

    def arm(on: frozenset[str]) -> dict[str, Any]:
        d = copy.deepcopy(frag)
        for m in mechanisms:
            if m.name in on:
                m.apply(d, reg)
        return d

    full = arm(frozenset(names))
    uncovered = [p for p in _differences(full, reg) if not any(p[: len(ok)] == ok for ok in UNCOVERED_OK)]
    if uncovered:
        shown = ", ".join(".".join(p) for p in uncovered[:10])
        why = f"{fragmented.name} and {regional.name} differ in {shown}, which no mechanism of explain covers"
        raise ScenarioError("explain", [("scenarios", why)])
    frag_s = validate_scenario(frag, fragmented.name)
    reg_s = validate_scenario(reg, regional.name)
    unread = unread_paths(list(settings or {}), [frag_s, reg_s], "--set ")
    if unread:
        raise ScenarioError("explain", unread)
    if _market_tables(validate_scenario(full, "explain: every mechanism")) != _market_tables(reg_s):
        raise ScenarioError(
            "explain", [("mechanisms", "every mechanism switched on does not give the regional market")]
        )

    arm_of: dict[frozenset[str], str] = {}
    seen: dict[str, str] = {}
    raws: list[tuple[str, dict[str, Any]]] = []
    for size in range(len(names) + 1):
        for combo in itertools.combinations(names, size):
            on = frozenset(combo)
            d = arm(on)
            d.pop("name")
            key = json.dumps(d, sort_keys=True, default=str)
            if key not in seen:
                bits = "".join("1" if n in on else "0" for n in names)
                seen[key] = f"arm-{bits}"
                raws.append((seen[key], {**d, "name": seen[key]}))
            arm_of[on] = seen[key]
    spec = ExperimentSpec(
        name=f"explain-{fragmented.name}-{regional.name}"[:80],
        description=f"the gap {regional.name} - {fragmented.name} decomposed over {', '.join(names)}",
        scenarios=[label for label, _ in raws],
        replications=frag_s.replications,
        seed=frag_s.seed,
        years=frag_s.years,
        warmup_days=frag_s.warmup_days,
    )
    exp = experiment_from_raws(spec, path, raws)
    return Decomposition(exp, frag_s, reg_s, tuple(mechanisms), arm_of)


def explain_table(dec: Decomposition, run: ExperimentRun, kpis: Sequence[str] = EXPLAINED_KPIS) -> pd.DataFrame:
    """Per KPI: each mechanism's contribution (mean, 95% interval over replications, share of
    the gap; and its effect when switched on alone in the fragmented regime, and when switched
    on last), the total gap, and both regimes' levels."""
    names = [m.name for m in dec.mechanisms]
    rows = []
    for kpi in kpis:
        values, reps = _values(dec, run, kpi)
        parts = shapley(values, names)
        gap = values[frozenset(names)] - values[frozenset()]
        gap_mean = mean_interval(gap)[0]
        unit = {x.name: x.unit for x in metrics.REGISTRY}[kpi]
        none, every = frozenset[str](), frozenset(names)
        for m in dec.mechanisms:
            mean, lo, hi = mean_interval(parts[m.name])
            share = mean / gap_mean if gap_mean else float("nan")
            active = any(dec.arm_of[on] != dec.arm_of[on | {m.name}] for on in dec.arm_of if m.name not in on)
            # the two ends of the orders Shapley averages over: switched on first, and last
            alone = mean_interval(values[frozenset({m.name})] - values[none])[0]
            last = mean_interval(values[every] - values[every - {m.name}])[0]
            rows.append((kpi, unit, m.name, mean, lo, hi, share, alone, last, len(reps), active))
        mean, lo, hi = mean_interval(gap)
        share = 1.0 if gap_mean else float("nan")
        rows.append((kpi, unit, TOTAL, mean, lo, hi, share, mean, mean, len(reps), True))
        for label, on in (("level: fragmented", none), ("level: regional", every)):
            mean, lo, hi = mean_interval(values[on])
            rows.append((kpi, unit, label, mean, lo, hi, float("nan"), float("nan"), float("nan"), len(reps), True))
    cols = ["kpi", "unit", "mechanism", "mean", "ci_low", "ci_high", "share_of_gap", "alone", "last", "n", "active"]
    return pd.DataFrame(rows, columns=cols)


def _values(dec: Decomposition, run: ExperimentRun, kpi: str) -> tuple[dict[frozenset[str], np.ndarray], list[int]]:
    """Each subset's per-replication value of ``kpi`` (care form ALL), replications in order."""
    k = run.kpis
    k = k[(k["care_form"] == metrics.ALL) & (k["kpi"] == kpi)]
    reps = sorted(int(r) for r in k["replication"].unique())
    by_arm: dict[str, dict[int, float]] = {}
    for scenario, rep, value in zip(k["scenario"], k["replication"], k["value"], strict=True):
        by_arm.setdefault(str(scenario), {})[int(rep)] = float(value)
    values = {on: np.array([by_arm[arm].get(r, np.nan) for r in reps], dtype=float) for on, arm in dec.arm_of.items()}
    return values, reps


def contributions(dec: Decomposition, run: ExperimentRun, kpi: str) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per-replication contributions of each mechanism and the per-replication gap."""
    values, _ = _values(dec, run, kpi)
    names = [m.name for m in dec.mechanisms]
    return shapley(values, names), values[frozenset(names)] - values[frozenset()]
