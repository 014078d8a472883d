"""A sensitivity result folder: the ranked tables (CSV), the design and its outputs, plots (PNG)
and a manifest, written into a temporary folder renamed into place only when whole."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from simulation.results import git_commit, versions
from simulation.sensitivity.design import COLUMNS
from simulation.sensitivity.run import Outcome

__all__ = ["indices_frame", "plot", "write_outcome"]


def indices_frame(outcome: Outcome) -> pd.DataFrame:
    """Every KPI's ranked table in one frame (a ``kpi`` column in front)."""
    frames = [t.assign(kpi=kpi)[["kpi", *t.columns]] for kpi, t in outcome.indices.items()]
    if not frames:
        return pd.DataFrame(columns=["kpi", "rank", "parameter", *COLUMNS[outcome.method]])
    return pd.concat(frames, ignore_index=True)


def plot(outcome: Outcome, kpi: str, dest: Path) -> None:
    """Morris: mu* bars with their confidence half-widths, and mu* against sigma. Sobol: S1 and ST
    bars with their confidence half-widths."""
    import matplotlib

    matplotlib.use("Agg")  # files only; no display needed
    import matplotlib.pyplot as plt

    t = outcome.indices[kpi].iloc[::-1]  # most influential at the top of a horizontal bar chart
    rows = range(len(t))
    if outcome.method == "morris":
        fig, (bars, scatter) = plt.subplots(1, 2, figsize=(12, 0.4 * len(t) + 2.0))
        bars.barh(rows, t["mu_star"], xerr=t["mu_star_conf"], color="tab:blue", capsize=3)
        bars.set_yticks(list(rows), t["parameter"])
        bars.set_xlabel(f"mu* ({kpi}, per the parameter's range)")
        bars.set_title(f"Morris mu* with {outcome.plan.spec.conf_level:.0%} interval")
        scatter.scatter(t["mu_star"], t["sigma"], color="tab:blue")
        for _, r in t.iterrows():
            scatter.annotate(str(r["parameter"]), (r["mu_star"], r["sigma"]), fontsize=7,
                             xytext=(3, 3), textcoords="offset points")  # fmt: skip
        top = max(float(t["mu_star"].max()), float(t["sigma"].max()), 1e-12)
        scatter.plot([0, top], [0, top], color="grey", linestyle=":", linewidth=1, label="sigma = mu*")
        scatter.set_xlabel("mu*")
        scatter.set_ylabel("sigma")
        scatter.set_title("mu* against sigma (above the line: interaction or non-linearity)")
        scatter.legend(loc="upper left", fontsize=7)
    else:
        fig, bars = plt.subplots(figsize=(8, 0.45 * len(t) + 2.0))
        h = 0.4
        bars.barh([r + h / 2 for r in rows], t["ST"], h, xerr=t["ST_conf"], label="ST (total)", capsize=3)
        bars.barh([r - h / 2 for r in rows], t["S1"], h, xerr=t["S1_conf"], label="S1 (first order)", capsize=3)
        bars.set_yticks(list(rows), t["parameter"])
        bars.set_xlabel(f"Sobol index of {kpi}")
        bars.set_title(f"Sobol indices with {outcome.plan.spec.conf_level:.0%} interval")
        bars.legend(loc="lower right", fontsize=8)
    fig.suptitle(f"{outcome.plan.spec.name}: {kpi}")
    fig.tight_layout()
    fig.savefig(dest, dpi=110)
    plt.close(fig)


def _manifest(outcome: Outcome, command_line: list[str] | None, executor: dict[str, Any]) -> dict[str, Any]:
    spec = outcome.plan.spec
    secs = outcome.seconds
    return {
        "kind": "sensitivity",
        "method": outcome.method,
        "name": spec.name,
        "file": str(outcome.plan.path.resolve()),
        "spec": spec.model_dump(mode="json"),
        "years": outcome.plan.years,
        "warmup_days": outcome.plan.warmup_days,
        "design_points": len(outcome.x),
        "replications_per_point": spec.replications,
        "common_random_numbers": "every design point runs replications 0..n-1 of the same seed",
        "skipped_kpis": outcome.skipped,
        "executor": executor,
        "timings": {
            "wall_seconds": round(outcome.wall_seconds, 3),
            "replications": len(secs),
            "mean_replication_seconds": round(sum(secs) / len(secs), 4) if secs else None,
        },
        "versions": versions(),
        "git_commit": git_commit(),
        "command_line": command_line,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def write_outcome(
    outcome: Outcome, dest: Path, *, command_line: list[str] | None = None, executor: dict[str, Any] | None = None
) -> Path:
    """Write the result folder at ``dest`` (which must not exist): ``indices.csv`` (every KPI,
    ranked), ``design.csv`` (each point's values and KPI means), ``runs.csv`` (every replication),
    ``<method>_<kpi>.png`` and ``manifest.json``. Whole or not at all."""
    tmp = dest.parent / f".{dest.name}.tmp-{os.getpid()}"
    tmp.mkdir(parents=True)
    try:
        indices_frame(outcome).to_csv(tmp / "indices.csv", index=False)
        outcome.design.to_csv(tmp / "design.csv", index=False)
        outcome.runs.to_csv(tmp / "runs.csv", index=False)
        for kpi in outcome.indices:
            plot(outcome, kpi, tmp / f"{outcome.method}_{kpi}.png")
        manifest = _manifest(outcome, command_line, executor or {})
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        # rename fails if dest appeared meanwhile (a non-empty folder): nothing is overwritten
        os.rename(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest
