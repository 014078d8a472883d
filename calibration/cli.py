"""``jeugdzorg-sim calibrate CONFIG.yaml``: fit a scenario to the CBS history (calibration/fit.py)
and write the calibrated scenario; the parser's few lines live here, not in simulation/cli."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from calibration.config import load_config
from calibration.objective import Problem, resolve
from simulation import service
from simulation.config import PROJECT_ROOT, ScenarioError

__all__ = ["add_calibrate", "add_validate_history", "cmd_calibrate", "cmd_validate_history", "problem_of"]


def add_calibrate(sub: Any, common: Any) -> None:
    """The ``calibrate`` subcommand; ``common`` adds the engine and executor flags."""
    c = sub.add_parser(
        "calibrate",
        help="fit scenario parameters to the CBS history (Optuna; common random numbers)",
        description="Fit the parameters a calibration config names to CBS targets; writes the calibrated "
        "scenario (default scenarios/calibrated/<name>.yaml) and the study, fit tables and trials "
        "(default results/calibration/<name>/). Run again to resume the study.",
    )
    c.add_argument("file", metavar="CONFIG")
    common(c)
    c.add_argument("--trials", type=int, metavar="N", help="completed trials to reach (default: the config's)")
    c.add_argument("--out", metavar="DIR", help="study and fit tables (default: results/calibration/<name>)")
    c.add_argument("--scenario-out", metavar="FILE", help="default: scenarios/calibrated/<name>.yaml")
    c.set_defaults(func=cmd_calibrate)


def problem_of(config_file: str | Path, trials: int | None = None) -> Problem:
    """The config checked against its scenario (every problem names its field: exit 2)."""
    config, scenario_path = load_config(config_file)
    if trials is not None:
        if not 1 <= trials <= 100_000:
            raise ScenarioError("input", [("--trials", f"must be in [1, 100000], got {trials}")])
        config = config.model_copy(update={"trials": trials})
    overrides: dict[str, Any] = {"seed": config.seed, "replications": config.replications}
    if config.years is not None:
        overrides["years"] = config.years
    scenario = service.load(scenario_path, overrides).cells[0].scenarios[0]
    return resolve(config, scenario_path, scenario)


def _refuse_run_flags(args: argparse.Namespace) -> None:
    if getattr(args, "scheduler", None) and args.executor != "dask":
        why = f"only used with --executor dask (got --executor {args.executor})"
        raise ScenarioError("input", [("--scheduler", why)])
    for flag in ("replications", "seed", "years", "start_date"):
        if getattr(args, flag, None) is not None:
            raise ScenarioError("input", [(f"--{flag.replace('_', '-')}", "set it in the calibration config")])


def _report(done: int, total: int, value: float, best: float, seconds: float) -> None:
    print(f"trial {done}/{total}: objective {value:.5g} (best {best:.5g}), {seconds:.1f} s", file=sys.stderr)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from calibration.fit import fit
    from calibration.output import write_fit
    from calibration.report import write_report

    _refuse_run_flags(args)
    problem = problem_of(args.file, args.trials)
    cfg = problem.config
    out = Path(args.out) if args.out else PROJECT_ROOT / "results" / "calibration" / cfg.name
    scenario_out = (
        Path(args.scenario_out) if args.scenario_out else PROJECT_ROOT / "scenarios" / "calibrated" / f"{cfg.name}.yaml"
    )
    if scenario_out.exists() and scenario_out.is_dir():
        raise ScenarioError("input", [("--scenario-out", f"{scenario_out} is a folder; give a file name")])
    print(
        f"calibrating {cfg.name}: {len(cfg.parameters)} parameter(s), {len(problem.targets)} targets, "
        f"{cfg.trials} trials x {cfg.replications} replications (seed {cfg.seed}, sampler {cfg.sampler})",
        file=sys.stderr,
    )
    result = fit(
        problem, out, executor=args.executor, workers=args.workers, scheduler=args.scheduler, engine=args.engine,
        report=_report,
    )  # fmt: skip
    today = dt.date.today()
    write_fit(problem, result, Path(args.file), scenario_out, today)
    report = write_report(problem, result, Path(args.file), scenario_out, today)
    fresh = f"; on {cfg.fresh_replications} fresh replications {result.fresh.objective:.5g}" if result.fresh else ""
    print(f"best objective {result.score.objective:.5g} (trend-break shift {result.score.shift:+.3f}){fresh}")
    for label, value in result.values.items():
        print(f"  {label} = {value:.6g}")
    print(f"{result.seconds_per_trial:.2f} s per trial; wrote {scenario_out}, its report {report.name} and {out}/")
    return 0


def add_validate_history(sub: Any, common: Any) -> None:
    """The ``validate-history`` subcommand."""
    v = sub.add_parser(
        "validate-history",
        help="fit on the earlier CBS years, predict the later ones (coverage, error, CRPS; table and plots)",
        description="Fit the calibration config on the targets before its holdout_from year (or --holdout-from), "
        "predict every target on fresh seeds and write validation.md, validation.csv and one PNG per series "
        "(default folder results/validation/<name>).",
    )
    v.add_argument("file", metavar="CONFIG")
    common(v)
    v.add_argument("--holdout-from", type=int, metavar="YEAR", help="default: the config's holdout_from")
    v.add_argument("--trials", type=int, metavar="N", help="completed trials to reach (default: the config's)")
    v.add_argument("--out", metavar="DIR", help="default: results/validation/<name>")
    v.set_defaults(func=cmd_validate_history)


def cmd_validate_history(args: argparse.Namespace) -> int:
    from calibration.validation import validate_history, write_validation

    _refuse_run_flags(args)
    problem = problem_of(args.file, args.trials)
    cfg = problem.config
    year = args.holdout_from if args.holdout_from is not None else cfg.holdout_from
    if year is None:
        raise ScenarioError(args.file, [("holdout_from", "give the first held-out year (or --holdout-from YEAR)")])
    out = Path(args.out) if args.out else PROJECT_ROOT / "results" / "validation" / cfg.name
    print(f"validating {cfg.name}: fit before {year}, predict from {year}", file=sys.stderr)
    v = validate_history(
        problem, year, out, executor=args.executor, workers=args.workers, scheduler=args.scheduler,
        engine=args.engine, report=_report,
    )  # fmt: skip
    report = write_validation(v, out, cfg.name)
    held = v.table[v.table["window"] == "held out"]
    print(
        f"held out {len(held)} targets: 90% coverage {held['covered'].mean():.0%}, mean |error| "
        f"{held['rel_error'].abs().mean():.1%}, mean CRPS/observed {held['crps_relative'].mean():.3f}; wrote {report}"
    )
    return 0
