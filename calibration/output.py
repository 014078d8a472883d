"""What a fit writes: the calibrated scenario (an ``extends`` of the fitted scenario with the fitted
values, each citing the fit) and the fit's tables next to its study file."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from calibration.fit import FitResult
from calibration.objective import Problem
from calibration.targets import DATA
from simulation.config import PROJECT_ROOT
from simulation.experiment.paths import set_path

__all__ = ["citation", "scenario_yaml", "write_atomically", "write_fit"]


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file renamed into place (never half-written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; these are shared artefacts
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def citation(problem: Problem, result: FitResult, config_file: Path, today: dt.date) -> str:
    fresh = f", {result.fresh.objective:.4g} on fresh seeds" if result.fresh is not None else ""
    return (
        f"calibrated by `jeugdzorg-sim calibrate {_shown(config_file)}` on {today.isoformat()}: "
        f"{len(problem.targets)} CBS targets from {_shown(DATA)} (calibration/targets.py), objective "
        f"(weighted mean squared relative error) {result.score.objective:.4g} on the fit's "
        f"{problem.config.replications} replications{fresh}"
    )


def _provenance_parent(dump: Any, path: str) -> list[str] | None:
    """The path of the mapping holding the value when it carries a source/assumption, else None."""
    parts = path.split(".")
    node = dump
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, dict) and ("source" in node or "assumption" in node):
        return parts[:-1]
    return None


def scenario_yaml(problem: Problem, result: FitResult, config_file: Path, out: Path, today: dt.date) -> str:
    """The calibrated scenario: extends the fitted one, sets every fitted path."""
    cite = citation(problem, result, config_file, today)
    dump = problem.scenario.model_dump(mode="json")
    body: dict[str, Any] = {
        "extends": os.path.relpath(problem.scenario_path, out.parent.resolve()),
        "name": problem.config.name,
        "description": f"{problem.scenario.name}, gekalibreerd aan CBS ({problem.config.name}, {today.isoformat()}).",
    }
    if problem.config.years is not None:
        body["years"] = problem.config.years
    for path, value in result.settings.items():
        set_path(body, path.split("."), round(value, 6))
        parent = _provenance_parent(dump, path)
        if parent is not None:
            set_path(body, [*parent, "source"], cite)
            set_path(body, [*parent, "assumption"], None)
    lines = [
        f"# Calibrated scenario written by `jeugdzorg-sim calibrate {_shown(config_file)}` on {today.isoformat()}.",
        f"# Data: {_shown(DATA)} ({len(problem.targets)} targets); objective {result.score.objective:.6g}"
        + (f" (fresh seeds: {result.fresh.objective:.6g})" if result.fresh is not None else ""),
        f"# CBS trend-break level shift (2021 on) fitted: {result.score.shift:+.4f}.",
        "# Fitted values (each is TUNED to the CBS targets above, not sourced):",
    ]
    lines += [f"#   {label} = {value:.6g}" for label, value in result.values.items()]
    multiplied = [
        path
        for p in problem.config.parameters
        if p.scale == "multiply"
        for path, _ in problem.paths[problem.config.parameters.index(p)]
    ]
    lines += [f"#   -> {path} = {result.settings[path]:.6g}" for path in multiplied]
    lines.append(f"# Fit tables, trials and the Optuna study: {_shown(result.study_file.parent)}")
    scenario = problem.scenario
    end = scenario.start_date.year + int(scenario.years)
    years = forward_years(scenario.start_date, end + 1)
    lines.append(
        f"# Forward: `jeugdzorg-sim run {_shown(out)} --years {years:g}` runs on from "
        f"{scenario.start_date} past the fit window (to {end + 1}); its stocks table (30 June, 31 December) "
        f"and flows table (half-years) from {end} on are the prediction to hold against CBS when it publishes."
    )
    return "\n".join(lines) + "\n" + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=110)


def write_fit(problem: Problem, result: FitResult, config_file: Path, scenario_out: Path, today: dt.date) -> None:
    """The calibrated scenario at ``scenario_out``; fit.json, targets.csv and trials.csv next to the study."""
    folder = result.study_file.parent
    write_atomically(scenario_out, scenario_yaml(problem, result, config_file, scenario_out, today))
    table = result.score.table.copy()
    if result.fresh is not None:
        fresh = result.fresh.table.set_index("key")
        for col in ("model_mean", "model_p05", "model_p95", "compared", "rel_error"):
            table[f"fresh_{col}"] = table["key"].map(fresh[col])
    write_atomically(folder / "targets.csv", table.to_csv(index=False))
    write_atomically(folder / "trials.csv", result.trials.to_csv(index=False))
    summary = {
        "config": _shown(config_file),
        "scenario": _shown(problem.scenario_path),
        "calibrated_scenario": _shown(scenario_out),
        "date": today.isoformat(),
        "values": result.values,
        "settings": result.settings,
        "objective": result.score.objective,
        "trend_break_shift": result.score.shift,
        "fresh_objective": result.fresh.objective if result.fresh is not None else None,
        "fresh_seed": problem.config.fresh_seed,
        "trials": len(result.trials),
        "seconds_per_trial": result.seconds_per_trial,
        "scale": problem.scale,
    }
    write_atomically(folder / "fit.json", json.dumps(summary, indent=2) + "\n")


def forward_years(start: dt.date, last_year: int) -> float:
    """Simulated years (of 365 days, as the model counts them) from ``start`` that include the
    count on 31 December of ``last_year``: whole years fall short by the leap days in between."""
    days = (dt.date(last_year, 12, 31) - start).days + 1
    return math.ceil(days / 365.0 * 1000) / 1000
