"""The commands: read the arguments, call :mod:`simulation.service`, print what it returns."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from simulation import service
from simulation.cli.output import (
    comparison_csv,
    experiment_json,
    experiment_table,
    precision_line,
    text_table,
)
from simulation.cli.progress import progress as _progress
from simulation.config import ScenarioError
from simulation.experiment import PrecisionSpec, is_experiment_file, parse_set
from simulation.results import list_results, locate_result_set

__all__ = [
    "cmd_compare",
    "cmd_explain",
    "cmd_landscape",
    "cmd_results_list",
    "cmd_results_show",
    "cmd_run",
    "cmd_sweep",
    "cmd_units",
    "cmd_validate",
]


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    keys = ("seed", "years", "start_date", "replications")
    return {k: getattr(args, k) for k in keys if getattr(args, k, None) is not None}


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _how(args: argparse.Namespace) -> dict[str, Any]:
    """The engine and executor flags, as the service takes them."""
    return {"engine": args.engine, "executor": args.executor, "workers": args.workers, "scheduler": args.scheduler}


def _check_executor(args: argparse.Namespace) -> None:
    if getattr(args, "scheduler", None) and args.executor != "dask":
        raise ScenarioError(
            "input", [("--scheduler", f"only used with --executor dask (got --executor {args.executor})")]
        )


def _precision(args: argparse.Namespace, block: PrecisionSpec | None) -> PrecisionSpec | None:
    target, budget = getattr(args, "precision", None), getattr(args, "time_budget", None)
    if budget is not None and target is None and block is None:
        why = "limits a precision run: give --precision TARGET too (or a precision: block in the experiment file)"
        raise ScenarioError("input", [("--time-budget", why)])
    if target is None and budget is None:
        return block
    update = {k: v for k, v in (("target", target), ("time_budget_seconds", budget)) if v is not None}
    return (block or PrecisionSpec()).model_copy(update=update)


def _notes(notes: list[str] | tuple[str, ...]) -> None:
    for note in notes:
        print(f"note: {note}", file=sys.stderr)


# --------------------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from simulation.cli.sensitivity_command import sensitivity_summary
    from simulation.sensitivity import is_sensitivity_file

    ok = True
    for f in args.files:
        try:
            if is_sensitivity_file(f):
                print(sensitivity_summary(f))
                continue
            s = service.inspect(f)
        except ScenarioError as exc:
            ok = False
            print(str(exc), file=sys.stderr)
            continue
        _notes(s["notes"])
        if s["kind"] == "experiment":
            print(
                f"{f}: ok (experiment {s['name']}: {len(s['scenarios'])} scenarios [{', '.join(s['scenarios'])}] "
                f"x {s['variants']} variant(s), {s['replications']} replications, seed {s['seed']}, "
                f"{s['years']} year(s), warm-up {s['warmup_days']} days; every scenario's world built)"
            )
        else:
            print(
                f"{f}: ok ({s['name']}: {s['gemeenten']} gemeenten, {s['care_forms']} care forms, "
                f"{s['providers']} providers, {s['units']} contracting units, regime {s['regime']})"
            )
    return 0 if ok else 2


def cmd_compare(args: argparse.Namespace) -> int:
    _check_executor(args)
    if len(args.files) > 1 and any(is_experiment_file(f) for f in args.files):
        raise ScenarioError("input", [("FILE", "compare takes one experiment file, or scenario files only")])
    exp = service.load(args.files, _overrides(args))
    _notes(exp.notes)
    precision = _precision(args, exp.spec.precision)
    with _progress(f"compare {exp.name}") as progress:
        sim = service.simulate(exp, precision=precision, progress=progress, **_how(args))
    meta = dict(sim.meta)
    if sim.run.precision:
        meta["precision"] = sim.run.precision
        print(precision_line(sim.run.precision), file=sys.stderr)
    cols = exp.cell_columns()
    if args.format == "json":
        print(experiment_json(sim.summary, sim.differences, meta, cols))
    elif args.format == "csv":
        sys.stdout.write(comparison_csv(sim.summary, sim.differences, sim.run.replications, cols))
    else:
        print(experiment_table(sim.summary, sim.differences, meta, cols, full=args.all))
    return 0


def _execute(args: argparse.Namespace, sweep: list[tuple[str, tuple[Any, ...]]], command: str) -> int:
    _check_executor(args)
    exp = service.load(args.file, _overrides(args), sweep)
    _notes(exp.notes)
    with _progress(f"{command} {exp.name}") as progress:
        stored = service.run_to_store(
            exp,
            root=args.root,
            out=args.out,
            force=args.force,
            **_how(args),
            precision=_precision(args, exp.spec.precision),
            progress=progress,
            command=command,
            command_line=sys.argv,
        )
    if stored.reused:
        print(f"reusing {_shown(stored.path)} (same experiment and seed; --force runs it again)")
    else:
        assert stored.run is not None
        run = stored.run
        print(
            f"wrote {_shown(stored.path)} ({len(run.seconds)} replication runs, {run.replications} per scenario, "
            f"{run.episodes:,} episodes)"
        )
        if run.precision:
            print(precision_line(run.precision))
        print()
    print(experiment_table(stored.summary, stored.differences, stored.meta, stored.cell_columns, full=args.all))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    return _execute(args, [], "run")


def _parse_sets(texts: list[str]) -> tuple[list[tuple[str, str, tuple[Any, ...]]], list[tuple[str, str]]]:
    """(text, path, values) of each parsable ``--set``, and the problems of the others."""
    parsed: list[tuple[str, str, tuple[Any, ...]]] = []
    problems: list[tuple[str, str]] = []
    for text in texts:
        try:
            path, values = parse_set(text)
        except ScenarioError as exc:
            problems += exc.problems
            continue
        parsed.append((text, path, values))
    return parsed, problems


def cmd_sweep(args: argparse.Namespace) -> int:
    sweep: list[tuple[str, tuple[Any, ...]]] = []
    parsed, problems = _parse_sets(args.set)
    for _, path, values in parsed:
        if any(path == p for p, _ in sweep):
            problems.append((f"--set {path}", "this path is swept twice"))
        sweep.append((path, values))
    if problems:
        raise ScenarioError("sweep", problems)
    return _execute(args, sweep, "sweep")


def cmd_explain(args: argparse.Namespace) -> int:
    from simulation.cli.output import explain_text
    from simulation.explain import decomposition, explain

    _check_executor(args)
    for flag in ("precision", "time_budget"):
        if getattr(args, flag, None) is not None:
            why = "explain runs a fixed number of replications (--replications)"
            raise ScenarioError("input", [(f"--{flag.replace('_', '-')}", why)])
    settings: dict[str, Any] = {}
    parsed, problems = _parse_sets(args.set)
    for text, path, values in parsed:
        if len(values) != 1:
            problems.append((f"--set {text}", "explain takes one value per path"))
        settings[path] = values[0]
    if args.regions:
        settings["regions"] = [r.strip() for r in args.regions.split(",") if r.strip()]
    if problems:
        raise ScenarioError("input", problems)
    dec = decomposition(args.files, _overrides(args), settings, args.variant)
    _notes(dec.experiment.notes)
    with _progress(f"explain {dec.experiment.name}") as progress:
        stored, table = explain(
            dec, root=args.root, out=args.out, force=args.force, **_how(args), progress=progress,
            command_line=sys.argv, tables=args.tables,
        )  # fmt: skip
    print(f"{'reusing' if stored.reused else 'wrote'} {_shown(stored.path)}")
    print()
    print(explain_text(table, dec, stored.meta))
    return 0


def cmd_results_list(args: argparse.Namespace) -> int:
    table = list_results(args.root)
    if table.empty:
        print(f"no result sets in {args.root}")
        return 0
    print("\n".join(text_table(list(table.columns), [[str(x) for x in r] for r in table.itertuples(index=False)])))
    return 0


def cmd_results_show(args: argparse.Namespace) -> int:
    try:
        where = locate_result_set(args.dir, args.root)
        stored = service.StoredRun.open(where)
    except FileNotFoundError as exc:
        raise ScenarioError("results show", [("DIR", str(exc))]) from None
    rs, m = stored.result, stored.result.manifest
    timings = m.get("timings", {})
    lines = [
        f"result set   {_shown(where)}",
        f"name         {m.get('name')} ({m.get('kind', 'scenario')}): {m.get('description', '')}".rstrip(": "),
        f"scenarios    {', '.join(m.get('scenarios', [m.get('name', '')]))}",
        f"seed         {m.get('seed')}",
        f"replications {m.get('replications')}",
        f"years        {m.get('years')}, warm-up {m.get('warmup_days')} days, engine {m.get('engine')}",
        f"fingerprint  {m.get('fingerprint', m.get('scenario_fingerprint'))}",
        f"created      {m.get('created_at')}, git commit {m.get('git_commit')}",
        f"wall time    {timings.get('wall_seconds')} s",
        f"tables       {', '.join(rs.tables)}",
    ]
    if m.get("sweep"):
        lines.append("sweep        " + "; ".join(f"{p} = {v}" for p, v in m["sweep"].items()))
    if m.get("variants"):
        lines.append("variants     " + ", ".join(v["name"] for v in m["variants"]))
    if m.get("precision"):
        lines.append(precision_line(m["precision"]))
    print("\n".join(lines))
    print()
    print(experiment_table(stored.summary, stored.differences, stored.meta, stored.cell_columns, full=args.all))
    return 0


def cmd_landscape(args: argparse.Namespace) -> int:
    from simulation.config import load_scenario
    from simulation.landscape import landscape_paths, write_landscape

    scenario = load_scenario(args.file, check_files=False)
    # The command line says where to write; without it, only the scenario's own files under data/.
    providers, places = landscape_paths(scenario, args.providers, args.places)
    write_landscape(scenario, providers, places)
    print(f"wrote {_shown(providers)} and {_shown(places)}")
    return 0


def cmd_units(args: argparse.Namespace) -> int:
    from simulation.landscape import check_output_path

    out = check_output_path(args.out, "--out") if args.out else None
    table = service.units(args.file)
    if out is None:
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        table.to_csv(tmp, index=False, lineterminator="\n")
        os.replace(tmp, out)  # whole or not at all
    finally:
        tmp.unlink(missing_ok=True)
    if args.out:
        n = table[table["level"] == "subregional"]["unit_id"].nunique()
        print(f"wrote {args.out}: {table['unit_id'].nunique()} units ({n} sub-regional)")
    return 0
