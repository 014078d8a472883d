"""The calibration problem resolved against its scenario, and the objective of one trial.

**Objective** (minimised): the weighted mean squared relative error over the selected targets,

    J = sum_i w_i ((c_i m_i - o_i) / o_i)^2 / sum_i w_i

with o_i the CBS value, m_i the model's mean over the k replications (scaled to the country, see
below), w_i the data-quality weight x the config's factor, and c_i = 1 + shift for targets after
the 2021 CBS trend break and 1 for the others. Relative errors put a count of 2,500 (gesloten)
and one of 50,000 (met verblijf) on one footing. The shift is not sampled: for given model values
J is a parabola in c, so the best c = sum w r / sum w r^2 (r = m / o over the flagged targets),
clipped to [1 + low, 1 + high]; the fitted shift is reported with the fit.

**Scale.** A scenario that models part of the country (``regions``) is compared with the national
figures after multiplying its counts by (youth in all gemeenten of its gemeenten file) / (youth
in the modelled ones). An approximation: the regional referral factors make a region's rate
differ from the national one, so a region fit fits the national rates, not the region's.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from calibration.config import CalibrationConfig
from calibration.model_side import model_value, stock_date
from calibration.targets import Target, model_targets, target_forms
from simulation import metrics
from simulation.config import Scenario, ScenarioError
from simulation.experiment.paths import check_path

__all__ = ["Problem", "Score", "resolve", "score", "with_observed"]


@dataclass(frozen=True)
class Problem:
    """A config resolved against its scenario: expanded paths with base values, the targets in
    the run with the model forms each counts, and the national scale."""

    config: CalibrationConfig
    scenario_path: Path
    scenario: Scenario
    #: per parameter (config order): [(path, base value), ...]
    paths: list[list[tuple[str, float]]]
    targets: list[Target]
    forms: dict[str, list[str]]
    weights: dict[str, float]
    scale: float

    def settings(self, values: list[float]) -> dict[str, float]:
        """path -> value for the parameter values (config order)."""
        out: dict[str, float] = {}
        for param, value, paths in zip(self.config.parameters, values, self.paths, strict=True):
            for path, base in paths:
                out[path] = float(value) if param.scale == "set" else float(base * value)
        return out


def _expand(path: str, dump: Any) -> list[str]:
    """``*`` segments replaced by every key at that level of the scenario dump."""
    parts = path.split(".")
    found: list[tuple[list[str], Any]] = [([], dump)]
    for part in parts:
        nxt = []
        for prefix, node in found:
            if part == "*" and isinstance(node, dict):
                nxt += [([*prefix, k], v) for k, v in node.items()]
            elif isinstance(node, dict) and part in node:
                nxt.append(([*prefix, part], node[part]))
            else:
                nxt.append(([*prefix, part], None))
        found = nxt
    # a * over care forms keeps the forms that have the rest of the path (a form without an escalation)
    full = [".".join(p) for p, node in found if node is not None]
    return full if "*" in parts else [path]


def _value_at(dump: Any, path: str) -> Any:
    node = dump
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _youth_scale(scenario: Scenario) -> float:
    if not scenario.regions:
        return 1.0
    column = scenario.demand.youth_column
    total = inside = 0.0
    with Path(scenario.gemeenten_file).open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            total += float(row[column])
            if row["jeugdregio_code"] in scenario.regions:
                inside += float(row[column])
    return total / inside


def _covered(t: Target, dates: set[dt.date], halves: set[str]) -> bool:
    """Whether the run gives the model side of ``t`` (calibration/model_side.py)."""
    if t.kind == "stock":
        d = stock_date(t)
        return d in dates or (d.month == 12 and f"{d.year + 1}HJ01" in halves and dt.date(d.year + 1, 6, 30) in dates)
    year = t.year
    need = [t.period] if "HJ" in t.period else [f"{year}HJ01", f"{year}HJ02"]
    if t.kind == "active":
        need = [f"{year}HJ01"] if "HJ" in t.period else need
        return set(need) <= halves and dt.date(year, 6, 30) in dates
    return set(need) <= halves


def resolve(config: CalibrationConfig, scenario_path: Path, scenario: Scenario) -> Problem:
    """Check the config against the scenario (``scenario``: the scenario as the trials run it);
    every problem names its field (ScenarioError)."""
    dump = scenario.model_dump(mode="json")
    problems: list[tuple[str, str]] = []
    paths: list[list[tuple[str, float]]] = []
    for i, param in enumerate(config.parameters):
        expanded: list[tuple[str, float]] = []
        for j, pattern in enumerate(param.targets):
            field = f"parameters.{i}.path" if param.path is not None else f"parameters.{i}.paths.{j}"
            concrete = _expand(pattern, dump)
            if not concrete:
                problems.append((field, f"{pattern!r} matches no parameter of the scenario"))
            for path in concrete:
                why = check_path(path, dump)
                value = None if why else _value_at(dump, path)
                if why is None and (isinstance(value, bool) or not isinstance(value, int | float)):
                    why = f"{path!r} is not a number in the scenario (it is {value!r})"
                if why:
                    problems.append((field, why))
                else:
                    expanded.append((path, float(value)))  # type: ignore[arg-type]
        paths.append(expanded)
    horizon = scenario.horizon_days
    dates = {d for d, _ in metrics.count_dates(scenario.start_date, horizon)}
    halves = {p for p, _, _ in metrics.half_years(scenario.start_date, horizon)}
    modelled = scenario.only_care_forms or list(scenario.care_forms)
    residential = {f: scenario.care_forms[f].residential for f in modelled}
    known = model_targets()
    indicators = sorted({t.indicator for t in known})
    chosen: dict[str, Target] = {}
    weights: dict[str, float] = {}
    forms: dict[str, list[str]] = {}
    for i, sel in enumerate(config.targets):
        rows = [t for t in known if t.indicator == sel.indicator]
        if not rows:
            problems.append(
                (f"targets.{i}.indicator", f"{sel.indicator!r} is not a modelled CBS target; known: {indicators}")
            )
            continue
        if sel.age_range is not None:
            ages = sorted({t.age_range for t in rows})
            rows = [t for t in rows if t.age_range == sel.age_range]
            if not rows:
                problems.append((f"targets.{i}.age_range", f"{sel.age_range!r} not in the data; known: {ages}"))
                continue
        periods = sorted({t.period for t in rows})
        if sel.periods is not None:
            missing = [p for p in sel.periods if p not in periods]
            if missing:
                problems.append((f"targets.{i}.periods", f"{missing} not in the data; known: {periods}"))
                continue
            rows = [t for t in rows if t.period in sel.periods]
        inside = [t for t in rows if _covered(t, dates, halves)]
        if not inside:
            span = f"({scenario.start_date}, {scenario.years:g} years)"
            why = f"none of {sorted({t.period for t in rows})} is inside the run {span}"
            problems.append((f"targets.{i}.periods", why))
            continue
        if sel.periods is not None and len(inside) < len(rows):
            outside = sorted({t.period for t in rows} - {t.period for t in inside})
            problems.append(
                (f"targets.{i}.periods", f"{outside} outside the run ({scenario.start_date}, {scenario.years:g} years)")
            )
        group_forms = target_forms(inside[0].group, residential)
        if not group_forms:
            problems.append(
                (f"targets.{i}.indicator", f"counts forms the scenario does not model (group {inside[0].group})")
            )
            continue
        for t in inside:
            if config.trend_break.mode == "drop" and t.trend_break:
                continue
            chosen[t.key] = t
            weights[t.key] = t.weight * sel.weight
            forms[t.key] = group_forms
    if not chosen and not problems:
        problems.append(("targets", "every selected target is after the 2021 trend break and trend_break.mode is drop"))
    if problems:
        raise ScenarioError(str(scenario_path), problems)
    return Problem(
        config, scenario_path, scenario, paths, list(chosen.values()), forms, weights, _youth_scale(scenario)
    )


@dataclass(frozen=True)
class Score:
    objective: float
    shift: float
    #: one row per target: key, indicator, period, kind, observed, weight, trend_break, model_mean,
    #: model_p05, model_p95, compared (model mean x (1 + shift) where flagged), rel_error
    table: pd.DataFrame


def score(problem: Problem, stocks: pd.DataFrame, flows: pd.DataFrame) -> Score:
    """The objective of one run (its replications' ``stocks`` and ``flows``)."""
    rows = []
    for t in problem.targets:
        per_rep = model_value(t, stocks, flows, problem.forms[t.key]) * problem.scale
        values = per_rep.to_numpy(dtype=float)
        rows.append({
            "key": t.key, "indicator": t.indicator, "period": t.period, "kind": t.kind, "observed": t.value,
            "weight": problem.weights[t.key], "trend_break": t.trend_break, "model_mean": float(values.mean()),
            "model_p05": float(np.quantile(values, 0.05)), "model_p95": float(np.quantile(values, 0.95)),
        })  # fmt: skip
    table = pd.DataFrame(rows)
    ratio = table["model_mean"] / table["observed"]
    flagged = table["trend_break"].to_numpy(dtype=bool)
    factor = 1.0
    if flagged.any():
        w, r = table.loc[flagged, "weight"], ratio[flagged]
        denom = float((w * r * r).sum())
        best = float((w * r).sum()) / denom if denom > 0 else 1.0
        tb = problem.config.trend_break
        factor = min(max(best, 1.0 + tb.low), 1.0 + tb.high)
    table["compared"] = table["model_mean"] * np.where(flagged, factor, 1.0)
    table["rel_error"] = table["compared"] / table["observed"] - 1.0
    w = table["weight"]
    objective = float((w * table["rel_error"] ** 2).sum() / w.sum())
    if not math.isfinite(objective):
        objective = math.inf
    return Score(objective, factor - 1.0, table)


def with_observed(problem: Problem, values: dict[str, float]) -> Problem:
    """The problem with its targets' observed values replaced (key -> value): synthetic targets
    made by the model itself, for checking that a fit recovers known parameters."""
    targets = [replace(t, value=float(values[t.key])) for t in problem.targets]
    return replace(problem, targets=targets)
