"""``jeugdzorg-sim sensitivity EXPERIMENT.yaml [--method morris|sobol]``: which assumptions move
which KPIs (Morris screening, or Sobol indices), written into a result folder and printed."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulation.cli.commands import _check_executor, _how, _overrides, _progress, _shown
from simulation.cli.output import text_table
from simulation.results import check_destination, free_dir

__all__ = ["add_parser", "cmd_sensitivity", "indices_text", "sensitivity_summary"]


def add_parser(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """The ``sensitivity`` subcommand; ``common`` adds the run flags every command shares."""
    sp = sub.add_parser(
        "sensitivity",
        help="rank the parameters of a sensitivity file by their effect on KPIs (Morris or Sobol, SALib)",
        description="EXPERIMENT: a sensitivity file (scenarios/sensitivity/*.yaml): a base scenario, named "
        "parameters (dotted --set paths) with bounds, KPIs, replications per design point and a seed. "
        "Every design point runs on the same seeds (common random numbers); its replications are averaged.",
    )
    sp.add_argument("file", metavar="EXPERIMENT")
    sp.add_argument("--method", choices=["morris", "sobol"], help="default: the file's (morris unless it says)")
    common(sp)
    sp.add_argument("--out", metavar="DIR", help="result folder (must not exist); default: ROOT/sensitivity/NAME-...")
    sp.add_argument("--root", default="results", metavar="DIR", help="result root (default: results)")
    sp.set_defaults(func=cmd_sensitivity)


def _number(value: float) -> str:
    return f"{value:.4g}"


def indices_text(kpi: str, table: Any, method: str) -> str:
    """One KPI's ranked table as printed."""
    if method == "morris":
        header = ["rank", "parameter", "mu*", "mu*_conf", "mu", "sigma"]
        cols = ["mu_star", "mu_star_conf", "mu", "sigma"]
    else:
        header = ["rank", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
        cols = ["S1", "S1_conf", "ST", "ST_conf"]
    rows = [[str(r["rank"]), str(r["parameter"]), *(_number(float(r[c])) for c in cols)] for _, r in table.iterrows()]
    return "\n".join([kpi, *text_table(header, rows)])


def sensitivity_summary(path: str) -> str:
    """``validate``'s line for a sensitivity file (every path and bound checked)."""
    from simulation.sensitivity import load_plan

    spec = load_plan(path).spec
    return (
        f"{path}: ok (sensitivity {spec.name}: {len(spec.parameters)} parameters, {len(spec.kpis)} KPIs, "
        f"{spec.method} with {spec.design_points()} design points x {spec.replications} replications, seed {spec.seed})"
    )


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from simulation.sensitivity import load_plan, run_plan, write_outcome

    _check_executor(args)
    overrides = _overrides(args)
    if args.method:
        overrides["method"] = args.method
    plan = load_plan(args.file, overrides)
    spec = plan.spec
    if args.out:
        dest = check_destination(args.out)
    else:
        # never over an earlier result: the next free name beside it
        dest = free_dir(Path(args.root) / "sensitivity" / f"{spec.name}-{spec.method}-{spec.seed}")
    points = spec.design_points()
    print(
        f"{spec.name}: {spec.method}, {len(spec.parameters)} parameters, {points} design points x "
        f"{spec.replications} replications = {points * spec.replications} runs of {plan.years:g} year(s)",
        file=sys.stderr,
    )
    with _progress(f"sensitivity {spec.name}") as progress:
        outcome = run_plan(plan, spec.method, progress=progress, **_how(args))
    executor = {"kind": args.executor, "workers": args.workers, "scheduler": args.scheduler}
    write_outcome(outcome, dest, command_line=list(sys.argv), executor=executor)
    secs = outcome.seconds
    print(
        f"wrote {_shown(dest)} ({len(secs)} replication runs in {outcome.wall_seconds:.1f} s, "
        f"{sum(secs) / max(len(secs), 1):.2f} s each)"
    )
    for kpi in spec.kpis:
        print()
        if kpi in outcome.indices:
            print(indices_text(kpi, outcome.indices[kpi], spec.method))
        else:
            print(f"{kpi}: no indices ({outcome.skipped[kpi]})")
    return 0
