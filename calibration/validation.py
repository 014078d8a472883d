"""Out-of-sample validation: fit on the years before ``holdout_from``, predict the later ones.

The fit is the ordinary one (calibration/fit.py) on the targets before the holdout year; the
prediction is the fitted scenario run on fresh seeds (``fresh_replications``, another seed than
the fit's), and every target (fitted and held out) gets the observed value, the predicted mean and
90% interval (5th-95th percentile over the replications), the relative error, whether the
interval covers the observation, and the CRPS of the replications as an ensemble forecast.

The CBS trend break: the level shift is fitted on flagged targets in the fit years only; when
the fit years end before 2021 there are none, the shift is 0, and the held-out jeugdhulp counts
of 2021 on are predicted without it (the table flags them: the model predicts the system, CBS
from 2021 counts more of it).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from calibration.fit import FitResult, fit
from calibration.model_side import model_value
from calibration.objective import Problem
from calibration.output import write_atomically
from calibration.report import plot_series
from simulation import service
from simulation.config import ScenarioError

__all__ = ["Validation", "crps_ensemble", "predict", "split", "validate_history", "write_validation"]


def crps_ensemble(members: np.ndarray, observed: float) -> float:
    """CRPS of an ensemble forecast (its empirical distribution) for one observation:
    E|X - y| - E|X - X'| / 2 (Gneiting and Raftery 2007, eq. 21); 0 for a perfect point forecast,
    in the observation's unit."""
    x = np.asarray(members, dtype=float)
    return float(np.mean(np.abs(x - observed)) - 0.5 * np.mean(np.abs(x[:, None] - x[None, :])))


def split(problem: Problem, holdout_from: int) -> tuple[Problem, list[str]]:
    """The problem on the targets before ``holdout_from`` and the keys of the held-out ones."""
    fitted = [t for t in problem.targets if t.year < holdout_from]
    held = [t.key for t in problem.targets if t.year >= holdout_from]
    if not fitted or not held:
        which = "before" if not fitted else "from"
        raise ScenarioError(
            str(problem.scenario_path), [("holdout_from", f"no selected target in the run {which} {holdout_from}")]
        )
    return dataclasses.replace(problem, targets=fitted), held


def predict(
    problem: Problem, settings: dict[str, float], seed: int, replications: int, shift: float, **how: object
) -> pd.DataFrame:
    """Every target of ``problem`` against the scenario with ``settings`` on ``replications`` of ``seed``
    (``how``: the engine and executor arguments of :func:`simulation.service.simulate`)."""
    overrides: dict[str, object] = {"seed": seed, "replications": replications}
    if problem.config.years is not None:
        overrides["years"] = problem.config.years
    sweep = [(path, (value,)) for path, value in settings.items()]
    sim = service.simulate(problem.scenario_path, overrides=overrides, sweep=sweep, **how)  # type: ignore[arg-type]
    assert sim.stocks is not None and sim.flows is not None
    rows = []
    for t in problem.targets:
        factor = problem.scale * ((1.0 + shift) if t.trend_break else 1.0)
        values = model_value(t, sim.stocks, sim.flows, problem.forms[t.key]).to_numpy(dtype=float) * factor
        p05, p95 = float(np.quantile(values, 0.05)), float(np.quantile(values, 0.95))
        rows.append({
            "key": t.key, "indicator": t.indicator, "period": t.period, "kind": t.kind, "trend_break": t.trend_break,
            "weight": problem.weights[t.key], "observed": t.value, "model_mean": float(values.mean()),
            "model_p05": p05, "model_p95": p95, "rel_error": float(values.mean()) / t.value - 1.0,
            "covered": bool(p05 <= t.value <= p95), "crps": crps_ensemble(values, t.value),
        })  # fmt: skip
    table = pd.DataFrame(rows)
    table["crps_relative"] = table["crps"] / table["observed"]
    return table


@dataclass
class Validation:
    fit: FitResult
    table: pd.DataFrame
    holdout_from: int


def validate_history(
    problem: Problem, holdout_from: int, out_dir: Path, *, executor: str = "processes", workers: int | None = None,
    scheduler: str | None = None, engine: str = "simpy", report: object = None,
) -> Validation:  # fmt: skip
    """Fit on the years before ``holdout_from`` and predict every target on fresh seeds."""
    fit_problem, held = split(problem, holdout_from)
    result = fit(fit_problem, out_dir, executor=executor, workers=workers, scheduler=scheduler, engine=engine,
                 report=report)  # type: ignore[arg-type]  # fmt: skip
    cfg = problem.config
    reps = max(cfg.fresh_replications, 2)
    how = {"executor": executor, "workers": workers, "scheduler": scheduler, "engine": engine}
    table = predict(problem, result.settings, cfg.fresh_seed, reps, result.score.shift, **how)
    table.insert(3, "window", np.where(table["key"].isin(held), "held out", "fitted"))
    return Validation(result, table, holdout_from)


def write_validation(v: Validation, out_dir: Path, name: str) -> Path:
    """validation.csv, validation.md and one PNG per series in ``out_dir``."""
    table = v.table
    write_atomically(out_dir / "validation.csv", table.to_csv(index=False))
    held = table[table["window"] == "held out"]
    lines = [
        f"# Out-of-sample validation {name}",
        "",
        f"Fitted on the targets before {v.holdout_from} ({int((table['window'] == 'fitted').sum())}), predicted "
        f"the {len(held)} from {v.holdout_from} on fresh seeds. Fit objective {v.fit.score.objective:.4g}; "
        f"trend-break shift {v.fit.score.shift:+.3f}.",
        "",
        f"Held out: coverage of the 90% interval {held['covered'].mean():.0%} ({int(held['covered'].sum())} of "
        f"{len(held)}); mean absolute relative error {held['rel_error'].abs().mean():.1%}; mean CRPS / observed "
        f"{held['crps_relative'].mean():.3f}.",
        "",
        "| target | window | CBS | predicted mean | 90% interval | error | covered | CRPS |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in table.to_dict("records"):
        brk = " (trend break)" if r["trend_break"] else ""
        lines.append(
            f"| `{r['key']}`{brk} | {r['window']} | {r['observed']:,.0f} | {r['model_mean']:,.0f} | "
            f"[{r['model_p05']:,.0f}, {r['model_p95']:,.0f}] | {r['rel_error'] * 100:+.1f}% | "
            f"{'yes' if r['covered'] else 'no'} | {r['crps']:,.0f} |"
        )
    lines.append("")
    series = table.assign(series=table["key"].str.rsplit(":", n=1).str[0])
    for i, (label, part) in enumerate(series.groupby("series", sort=False)):
        png = f"validation-{i:02d}.png"
        plot_series(part.drop(columns="series"), out_dir / png, f"{label} (held out from {v.holdout_from})")
        lines += [f"![{label}]({png})", ""]
    out = out_dir / "validation.md"
    write_atomically(out, "\n".join(lines))
    return out
