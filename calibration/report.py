"""The calibration report: Markdown with PNG plots next to the calibrated scenario.

``<name>.md`` (parameters, objective, every target observed against simulated), ``<name>-fit.png``
(per CBS series: observed points, the model's mean and 90% band over the fresh-seed replications,
or the fit's when there is no fresh check) and ``<name>-history.png`` (the Optuna history: each
trial's objective and the best so far).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display
import matplotlib.pyplot as plt
import pandas as pd

from calibration.fit import FitResult
from calibration.objective import Problem
from calibration.output import citation, write_atomically

__all__ = ["plot_history", "plot_series", "write_report"]


def plot_series(table: pd.DataFrame, path: Path, title: str, *, shift_note: str = "") -> None:
    """One panel per indicator (and age range): observed points, model mean and 90% band."""
    table = table.assign(series=table["key"].str.rsplit(":", n=1).str[0])
    series = list(dict.fromkeys(table["series"]))
    cols = min(3, len(series))
    rows = math.ceil(len(series) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.4 * rows), squeeze=False)
    for ax, name in zip(axes.flat, series, strict=False):
        part = table[table["series"] == name].sort_values("period")
        x = range(len(part))
        mean = part["model_mean"].to_numpy(dtype=float)
        spread = [mean - part["model_p05"].to_numpy(dtype=float), part["model_p95"].to_numpy(dtype=float) - mean]
        # error bars, not a band: many series have one period
        ax.errorbar(x, mean, yerr=spread, fmt="s-", color="tab:blue", ms=4, capsize=3, label="model mean, 90%")
        if "compared" in part and (part["compared"] != part["model_mean"]).any():
            ax.plot(x, part["compared"], ":", color="tab:blue", label="model x (1 + shift)")
        ax.plot(x, part["observed"], "o", color="black", label="CBS")
        ax.set_xticks(list(x), list(part["period"]), rotation=45, fontsize=7)
        ax.set_title(name.replace("_", " "), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_ylim(bottom=0)
    for ax in list(axes.flat)[len(series) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(title + (f" ({shift_note})" if shift_note else ""), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_history(trials: pd.DataFrame, path: Path, title: str) -> None:
    """Each trial's objective (log scale) and the best so far."""
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.plot(trials["trial"] + 1, trials["objective"], ".", color="tab:gray", label="trial")
    ax.plot(trials["trial"] + 1, trials["objective"].cummin(), "-", color="tab:red", label="best so far")
    ax.set_yscale("log")
    ax.set_xlabel("trial")
    ax.set_ylabel("objective (weighted mean sq. rel. error)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _pct(x: object) -> str:
    return f"{float(x) * 100:+.1f}%"  # type: ignore[arg-type]


def write_report(problem: Problem, result: FitResult, config_file: Path, scenario_out: Path, today: dt.date) -> Path:
    """Write ``<scenario_out stem>.md`` and its two PNGs next to the calibrated scenario."""
    cfg = problem.config
    folder, stem = scenario_out.parent, scenario_out.stem
    shown = result.fresh if result.fresh is not None else result.score
    band = (
        f"{cfg.fresh_replications} replications of fresh seed {cfg.fresh_seed}"
        if result.fresh is not None
        else f"the fit's {cfg.replications} replications"
    )
    plot_series(
        shown.table, folder / f"{stem}-fit.png", f"{cfg.name}: CBS against the calibrated model ({band})",
        shift_note=f"trend-break shift {shown.shift:+.3f}",
    )  # fmt: skip
    plot_history(result.trials, folder / f"{stem}-history.png", f"{cfg.name}: Optuna {cfg.sampler} history")
    lines = [
        f"# Calibration {cfg.name}",
        "",
        f"{citation(problem, result, config_file, today)}.",
        "",
        f"- scenario fitted: `{problem.scenario_path.name}` ({problem.scenario.start_date}, {problem.scenario.years:g}"
        f" years); calibrated scenario: `{scenario_out.name}`",
        f"- {len(result.trials)} trials ({cfg.sampler}, seed {cfg.seed}), each on the same {cfg.replications} "
        f"replications (common random numbers); {result.seconds_per_trial:.1f} s per trial",
        f"- objective (weighted mean squared relative error): {result.score.objective:.4g} on the fit's replications"
        + (f", {result.fresh.objective:.4g} on {band}" if result.fresh is not None else ""),
        f"- CBS 2021 trend break: fitted level shift {result.score.shift:+.3f} on the jeugdhulp counts from 2021 "
        f"(mode {cfg.trend_break.mode}, bounds [{cfg.trend_break.low:g}, {cfg.trend_break.high:g}])",
        f"- scale: model counts x {problem.scale:.4g} (national youth / modelled youth)",
        "",
        "## Fitted parameters (tuned to the targets below, not sourced)",
        "",
        "| parameter | fitted | bounds | scenario value |",
        "|---|---|---|---|",
    ]
    for param, paths in zip(cfg.parameters, problem.paths, strict=True):
        base = ", ".join(f"{b:g}" for _, b in paths[:3]) + (" ..." if len(paths) > 3 else "")
        kind = " (factor)" if param.scale == "multiply" else ""
        lines.append(
            f"| `{param.label}`{kind} | {result.values[param.label]:.4g} | [{param.low:g}, {param.high:g}] | {base} |"
        )
    lines += [
        "",
        f"## Targets ({band})",
        "",
        "| target | kind | weight | CBS | model mean | model 90% | compared | error |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in shown.table.itertuples():
        lines.append(
            f"| `{r.key}` | {r.kind} | {r.weight:.2f} | {r.observed:,.0f} | {r.model_mean:,.0f} | "
            f"[{r.model_p05:,.0f}, {r.model_p95:,.0f}] | {r.compared:,.0f} | {_pct(r.rel_error)} |"
        )
    lines += [
        "",
        f"![observed against simulated]({stem}-fit.png)",
        "",
        f"![Optuna history]({stem}-history.png)",
        "",
        "Notes: stocks are counted on 30 June / 31 December from the `stocks` table, flows per half-year from the "
        "`flows` table, *active* = the stock at the start of the period plus the starts in it. CBS counts persons "
        "for the `jongeren_*` series; the model counts episodes (a child in two forms twice), so those targets "
        "weigh less. Derived start counts (total started x a rounded share) weigh half.",
        "",
    ]
    out = folder / f"{stem}.md"
    write_atomically(out, "\n".join(lines))
    return out
