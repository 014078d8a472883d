"""Command line: ``jeugdzorg-sim validate|run|sweep|compare|results|landscape|units``.

Exit codes: 0 success, 2 bad input (a message names each bad field, its value and what is
allowed; never a traceback), 1 an unexpected failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from simulation import metrics
from simulation.config import Scenario, ScenarioError, fingerprint, load_scenario
from simulation.experiment import (
    Experiment,
    PrecisionSpec,
    is_experiment_file,
    load_any,
    load_experiment,
    parse_set,
    run_experiment,
)
from simulation.results import (
    ResultExistsError,
    ResultWriter,
    code_fingerprint,
    find_reusable,
    free_dir,
    list_results,
    open_results,
    store_dir,
)
from simulation.runner import EXECUTORS

__all__ = ["main"]

EXIT_BAD_INPUT = 2


def _int_in(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number in [{low}, {high}], got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be in [{low}, {high}], got {value}")
        return value

    return parse


def _years(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of years in (0, 50], got {text!r}") from None
    if not (0 < value <= 50) or math.isnan(value):
        raise argparse.ArgumentTypeError(f"must be in (0, 50], got {value}")
    return value


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("seed", "years", "replications"):
        value = getattr(args, key, None)
        if value is not None:
            out[key] = value
    return out


def _load_all(files: Sequence[str], overrides: dict[str, Any]) -> list[Scenario]:
    """Load every file; collect every problem before giving up."""
    scenarios, errors = [], []
    for f in files:
        try:
            scenarios.append(load_scenario(f, overrides))
        except ScenarioError as exc:
            errors.append(str(exc))
    if errors:
        raise ScenarioError("input", [("scenarios", "\n".join(errors))])
    names = [s.name for s in scenarios]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ScenarioError("input", [("name", f"scenario names must differ; repeated: {dupes}")])
    return scenarios


# --------------------------------------------------------------------------------------------
# validate


def cmd_validate(args: argparse.Namespace) -> int:
    ok = True
    for f in args.files:
        try:
            if is_experiment_file(f):
                exp = load_experiment(f)
                spec = exp.spec
                print(
                    f"{f}: ok (experiment {exp.name}: {len(exp.scenario_names)} scenarios "
                    f"[{', '.join(exp.scenario_names)}] x {len(spec.variants)} variant(s), {spec.replications} "
                    f"replications, seed {spec.seed}, {spec.years} year(s), warm-up {spec.warmup_days} days)"
                )
                continue
            s = load_scenario(f)
            from simulation.runner import build_world

            world = build_world(s)
            print(
                f"{f}: ok ({s.name}: {len(world.geography.gemeenten)} gemeenten, "
                f"{len(world.care_forms)} care forms, {len(world.providers)} providers, "
                f"{len(world.market.units)} contracting units, regime {s.regime.kind})"
            )
        except ScenarioError as exc:
            ok = False
            print(str(exc), file=sys.stderr)
    return 0 if ok else EXIT_BAD_INPUT


# --------------------------------------------------------------------------------------------
# compare


def _nan_to_none(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _interval(row: Mapping[Any, Any]) -> dict[str, float | None]:
    return {k: _nan_to_none(row[k]) for k in ("mean", "ci_low", "ci_high")}


def _kpi_block(frame: pd.DataFrame) -> dict[str, Any]:
    rows = frame.to_dict("records")
    by_form: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["care_form"] != metrics.ALL:
            by_form.setdefault(str(r["care_form"]), {})[str(r["kpi"])] = _interval(r)
    return {
        "kpis": {str(r["kpi"]): _interval(r) for r in rows if r["care_form"] == metrics.ALL},
        "by_care_form": by_form,
    }


def comparison_json(summary: pd.DataFrame, diffs: pd.DataFrame, meta: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {"scenarios": [], "differences": [], **meta}
    for name, part in summary.groupby("scenario", sort=False):
        doc["scenarios"].append({"name": name, **_kpi_block(part)})
    for name, part in diffs.groupby("scenario", sort=False):
        doc["differences"].append({"name": name, "against": part["against"].iloc[0], **_kpi_block(part)})
    return doc


def _fmt(x: float, kpi: str) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if kpi.endswith("_per_youth_eur"):
        return f"{x:,.0f}"
    if kpi.endswith("_eur"):
        return f"{x / 1e6:,.2f}M"
    if kpi in ("share_over_norm", "utilisation_mean", "margin_p10"):
        return f"{x:.3f}"
    return f"{x:,.1f}"


def comparison_table(summary: pd.DataFrame, diffs: pd.DataFrame, meta: dict[str, Any]) -> str:
    lines = [
        f"Comparison: {meta['replications']} replications, seed {meta['seed']}, "
        f"{meta['years']} year(s), warm-up {meta['warmup_days']} days; mean [95% CI] over replications",
        "",
    ]
    names = list(dict.fromkeys(summary["scenario"]))

    def cell(frame: pd.DataFrame, scenario: str, kpi: str, form: str) -> str:
        row = frame[(frame["scenario"] == scenario) & (frame["kpi"] == kpi) & (frame["care_form"] == form)]
        if row.empty:
            return "-"
        r = row.iloc[0]
        return f"{_fmt(r['mean'], kpi)} [{_fmt(r['ci_low'], kpi)}, {_fmt(r['ci_high'], kpi)}]"

    def table(header: list[str], rows: list[list[str]]) -> list[str]:
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
        out.append("  ".join("-" * w for w in widths))
        out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
        return out

    lines.append("All care forms")
    lines += table(["kpi", *names], [[k, *[cell(summary, n, k, metrics.ALL) for n in names]] for k in metrics.KPIS])
    if not diffs.empty:
        base = diffs["against"].iloc[0]
        others = list(dict.fromkeys(diffs["scenario"]))
        lines += ["", f"Paired differences against {base} (same children in every scenario)"]
        lines += table(
            ["kpi", *[f"{o} - {base}" for o in others]],
            [[k, *[cell(diffs, o, k, metrics.ALL) for o in others]] for k in metrics.KPIS],
        )
    forms = sorted(f for f in summary["care_form"].unique() if f != metrics.ALL)
    for kpi in ("wait_days_mean", "wait_days_p90", "share_over_norm", "waiting_at_end", "utilisation_mean"):
        lines += ["", f"Per care form: {kpi}"]
        lines += table(["care_form", *names], [[f, *[cell(summary, n, kpi, f) for n in names]] for f in forms])
    return "\n".join(lines)


def _compare_experiment(args: argparse.Namespace) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any], list[str]]:
    from simulation.runner import Executor

    if len(args.files) != 1:
        raise ScenarioError("input", [("FILE", "compare takes one experiment file, or scenario files only")])
    exp = load_experiment(args.files[0], _overrides(args))
    precision = _precision(args, exp)
    with Executor(args.executor, args.workers, args.scheduler) as ex, _progress_bar(f"compare {exp.name}") as bar:
        result = run_experiment(exp, engine=args.engine, executor=ex, precision=precision, progress=bar)
    meta = _meta(exp, result.replications, args.engine)
    if result.precision:
        meta["precision"] = result.precision
        print(_precision_line(result.precision), file=sys.stderr)
    return result.summary, result.differences, meta, exp.cell_columns()


def cmd_compare(args: argparse.Namespace) -> int:
    from simulation.runner import run_many

    _check_executor(args)
    cell_cols: list[str] = []
    if any(is_experiment_file(f) for f in args.files):
        summary, diffs, meta, cell_cols = _compare_experiment(args)
        reps = meta["replications"]
    else:
        if getattr(args, "precision", None) is not None:
            raise ScenarioError("input", [("--precision", "compare takes --precision with an experiment file only")])
        scenarios = _load_all(args.files, _overrides(args))
        reps = args.replications or scenarios[0].replications
        done = [0]
        with _progress_bar("compare") as bar:

            def tick(n: int, total: int) -> None:
                bar.total = total
                bar.update(n - done[0])
                done[0] = n

            per_rep, _ = run_many(
                scenarios,
                reps,
                engine=args.engine,
                workers=args.workers,
                on_done=tick,
                executor=args.executor,
                scheduler=args.scheduler,
            )
        summary = metrics.summarise(per_rep)
        diffs = metrics.paired_differences(per_rep, scenarios[0].name)
        meta = {
            "replications": reps,
            "seed": scenarios[0].seed,
            "years": scenarios[0].years,
            "warmup_days": scenarios[0].warmup_days,
            "engine": args.engine,
        }
    if args.format == "json":
        if cell_cols:
            cells = []
            for key, part in summary.groupby(cell_cols, sort=False, observed=True):
                values = dict(zip(cell_cols, key if isinstance(key, tuple) else (key,), strict=True))
                mask = pd.Series(True, index=diffs.index)
                for c, v in values.items():
                    mask &= diffs[c] == v
                doc = comparison_json(part.drop(columns=cell_cols), diffs[mask].drop(columns=cell_cols), {})
                cells.append({**{k: _plain(v) for k, v in values.items()}, **doc})
            print(json.dumps({"cells": cells, **meta}, indent=2))
        else:
            print(json.dumps(comparison_json(summary, diffs, meta), indent=2))
    elif args.format == "csv":
        a = summary.assign(section="scenario", against="")
        b = diffs.assign(section="difference", n=reps)
        cols = ["section", *cell_cols, "scenario", "against", "kpi", "care_form", "mean", "ci_low", "ci_high"]
        pd.concat([a[cols], b[cols]] if not b.empty else [a[cols]]).to_csv(sys.stdout, index=False)
    else:
        print(experiment_table(summary, diffs, meta, cell_cols))
    return 0


def _plain(x: Any) -> Any:
    return x.item() if hasattr(x, "item") else x


# --------------------------------------------------------------------------------------------
# run and sweep: experiments, the result store


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    pkgs = ("jeugdzorg-sim", "numpy", "pandas", "simpy", "salabim", "pydantic", "pyarrow", "scipy")
    for pkg in (*pkgs, "pyyaml", "dask", "distributed", "tqdm"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _git_commit() -> str | None:
    try:
        res = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        return res.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _precision(args: argparse.Namespace, exp: Experiment) -> PrecisionSpec | None:
    target = getattr(args, "precision", None)
    block = exp.spec.precision
    if target is None:
        return block
    return (block or PrecisionSpec()).model_copy(update={"target": target})


def _check_executor(args: argparse.Namespace) -> None:
    if getattr(args, "scheduler", None) and args.executor != "dask":
        raise ScenarioError(
            "input", [("--scheduler", f"only used with --executor dask (got --executor {args.executor})")]
        )


def _meta(exp: Experiment, replications: int, engine: str) -> dict[str, Any]:
    return {
        "replications": replications,
        "seed": exp.seed,
        "years": exp.spec.years,
        "warmup_days": exp.spec.warmup_days,
        "engine": engine,
    }


def experiment_table(summary: pd.DataFrame, diffs: pd.DataFrame, meta: dict[str, Any], cols: Sequence[str]) -> str:
    """The comparison table of ``compare``, once per cell (variant and sweep point)."""
    if not cols:
        return comparison_table(summary, diffs, meta)
    blocks = []
    for key, part in summary.groupby(list(cols), sort=False, observed=True):
        key_t = key if isinstance(key, tuple) else (key,)
        mask = pd.Series(True, index=diffs.index)
        for c, v in zip(cols, key_t, strict=True):
            mask &= diffs[c] == v
        label = ", ".join(f"{c} {v}" if c == "variant" else f"{c}={v}" for c, v in zip(cols, key_t, strict=True))
        heading = f"=== {label} ==="
        blocks.append(
            heading + "\n" + comparison_table(part.drop(columns=list(cols)), diffs[mask].drop(columns=list(cols)), meta)
        )
    return "\n\n".join(blocks)


def _progress_bar(label: str) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=0,
        desc=label,
        unit="rep",
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        dynamic_ncols=True,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} replications [{elapsed}<{remaining}]",
    )


def _precision_line(report: Mapping[str, Any]) -> str:
    worst = max(
        (v for entry in report["achieved"].values() for v in entry.values() if v is not None),
        default=math.nan,
    )
    state = "reached" if report["reached"] else "NOT reached (maximum replications)"
    return (
        f"precision: target {report['target']:.3g} of |mean| for {', '.join(report['kpis'])}: {state} with "
        f"{report['replications_used']} replications (largest relative half-width {worst:.3g})"
    )


def _execute(args: argparse.Namespace, sweep: Sequence[tuple[str, Sequence[Any]]], command: str) -> int:
    from simulation.runner import Executor, build_world, contracts_table, units_table

    _check_executor(args)
    exp = load_any(args.file, _overrides(args), sweep)
    precision = _precision(args, exp)
    fp = exp.fingerprint(args.engine, precision)
    cols = exp.cell_columns()
    if args.out:
        dest = Path(args.out)
        if dest.exists():
            raise ResultExistsError(f"--out: {dest} already exists; results are never overwritten (choose another)")
    else:
        base = store_dir(args.root, exp.name, fp, exp.seed)
        reuse = None if args.force else find_reusable(base, fp, code_fingerprint())
        if reuse is not None:
            print(f"reusing {_shown(reuse)} (same experiment and seed; --force runs it again)")
            rs = open_results(reuse)
            diffs = rs.table("differences") if "differences" in rs.tables else pd.DataFrame()
            m = rs.manifest
            meta = {k: m.get(k) for k in ("replications", "seed", "years", "warmup_days", "engine")}
            print(experiment_table(rs.table("summary"), diffs, meta, m.get("cell_columns", [])))
            return 0
        dest = free_dir(base)
    started = time.perf_counter()
    pending = {"name": exp.name, "seed": exp.seed, "replications": exp.spec.replications, "fingerprint": fp}
    with ResultWriter(dest, pending) as writer:
        max_jobs = (
            len(exp.cells)
            * len(exp.scenario_names)
            * (precision.max_replications if precision else exp.spec.replications)
        )
        with (
            Executor(args.executor, args.workers, args.scheduler, max_jobs=max_jobs) as ex,
            _progress_bar(f"{command} {exp.name}") as bar,
        ):
            result = run_experiment(
                exp, engine=args.engine, executor=ex, writer=writer, precision=precision, progress=bar
            )
        sim_seconds = time.perf_counter() - started
        writer.add_table("kpis", result.kpis)
        writer.add_table("summary", result.summary)
        writer.add_table("differences", result.differences)
        units: list[pd.DataFrame] = []
        contracts: list[pd.DataFrame] = []
        for cell in exp.cells:
            for scenario in cell.scenarios:
                world = build_world(scenario)
                for frame, out in ((units_table(world), units), (contracts_table(world), contracts)):
                    front = {**cell.columns(exp.with_variant), "scenario": scenario.name}
                    for i, (c, v) in enumerate(front.items()):
                        frame.insert(i, c, v)
                    out.append(frame)
        writer.add_table("units", pd.concat(units, ignore_index=True))
        writer.add_table("contracts", pd.concat(contracts, ignore_index=True))
        manifest: dict[str, Any] = {
            "kind": exp.kind,
            "command": command,
            "name": exp.name,
            "description": exp.spec.description,
            "file": str(Path(args.file).resolve()),
            "fingerprint": fp,
            "code_fingerprint": code_fingerprint(),
            "scenarios": exp.scenario_names,
            "scenario_files": list(exp.files),
            "scenario_fingerprints": exp.scenario_fingerprints(),
            "variants": [v.model_dump(mode="json") for v in exp.spec.variants] if exp.with_variant else [],
            "sweep": {p: list(v) for p, v in exp.sweep},
            "cell_columns": cols,
            "seed": exp.seed,
            "replications": result.replications,
            "replications_requested": exp.spec.replications,
            "years": exp.spec.years,
            "warmup_days": exp.spec.warmup_days,
            "engine": args.engine,
            "executor": {"kind": args.executor, "workers": ex.workers, "scheduler": args.scheduler},
            "precision": result.precision,
            "versions": _versions(),
            "git_commit": _git_commit(),
            "command_line": sys.argv,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "timings": {
                "wall_seconds": None,
                "simulate_seconds": round(sim_seconds, 3),
                "replication_seconds": [round(x, 3) for x in result.seconds],
                "events": result.events,
            },
        }
        if exp.kind == "scenario":
            (scenario,) = exp.cells[0].scenarios
            manifest["scenario_fingerprint"] = fingerprint(scenario)
            manifest["scenario"] = scenario.model_dump(mode="json")
        writer.finish_parts()
        manifest["timings"]["wall_seconds"] = round(time.perf_counter() - started, 3)
        path = writer.commit(manifest)
    n_runs = len(result.seconds)
    print(
        f"wrote {_shown(path)} ({n_runs} replication runs, {result.replications} per scenario, "
        f"{result.episodes:,} episodes)"
    )
    if result.precision:
        print(_precision_line(result.precision))
    print()
    print(experiment_table(result.summary, result.differences, _meta(exp, result.replications, args.engine), cols))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    return _execute(args, (), "run")


def cmd_sweep(args: argparse.Namespace) -> int:
    sweep, seen = [], set()
    problems = []
    for text in args.set:
        try:
            path, values = parse_set(text)
        except ScenarioError as exc:
            problems += exc.problems
            continue
        if path in seen:
            problems.append((f"--set {path}", "this path is swept twice"))
        seen.add(path)
        sweep.append((path, values))
    if problems:
        raise ScenarioError("sweep", problems)
    return _execute(args, sweep, "sweep")


# --------------------------------------------------------------------------------------------
# results


def cmd_results_list(args: argparse.Namespace) -> int:
    table = list_results(args.root)
    if table.empty:
        print(f"no result sets in {args.root}")
        return 0
    rows = [[str(x) for x in r] for r in table.itertuples(index=False)]
    header = list(table.columns)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    return 0


def cmd_results_show(args: argparse.Namespace) -> int:
    try:
        rs = open_results(args.dir)
    except FileNotFoundError as exc:
        raise ScenarioError("results show", [("DIR", str(exc))]) from None
    m = rs.manifest
    timings = m.get("timings", {})
    lines = [
        f"result set   {args.dir}",
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
        lines.append(_precision_line(m["precision"]))
    print("\n".join(lines))
    print()
    diffs = rs.table("differences") if "differences" in rs.tables else pd.DataFrame()
    meta = {k: m.get(k) for k in ("replications", "seed", "years", "warmup_days", "engine")}
    print(experiment_table(rs.table("summary"), diffs, meta, m.get("cell_columns", [])))
    return 0


# --------------------------------------------------------------------------------------------
# landscape and units


def cmd_landscape(args: argparse.Namespace) -> int:
    from simulation.landscape import write_landscape

    scenario = load_scenario(args.file, check_files=False)
    providers = args.providers or scenario.providers.file
    places = args.places or scenario.providers.places_file
    write_landscape(scenario, providers, places)
    print(f"wrote {providers} and {places}")
    return 0


def cmd_units(args: argparse.Namespace) -> int:
    from simulation.runner import build_world, units_table

    scenario = load_scenario(args.file)
    table = units_table(build_world(scenario))
    table.to_csv(args.out if args.out else sys.stdout, index=False, lineterminator="\n")
    if args.out:
        n = table[table["level"] == "subregional"]["unit_id"].nunique()
        print(f"wrote {args.out}: {table['unit_id'].nunique()} units ({n} sub-regional)")
    return 0


# --------------------------------------------------------------------------------------------


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a fraction in (0, 1), e.g. 0.05, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1), e.g. 0.05, got {value}")
    return value


def _address(text: str) -> str:
    if not re.fullmatch(r"([a-z]+://)?[^\s:/]+:\d{1,5}", text):
        raise argparse.ArgumentTypeError(f"must be a scheduler address such as tcp://HOST:PORT, got {text!r}")
    return text


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jeugdzorg-sim", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="check scenario and experiment files and print what they contain")
    v.add_argument("files", nargs="+", metavar="FILE")
    v.set_defaults(func=cmd_validate)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--replications", type=_int_in(1, 10_000), help="replications (default: the file's)")
        sp.add_argument("--seed", type=_int_in(0, 2**63 - 1), help="seed (default: the file's)")
        sp.add_argument("--years", type=_years, help="simulated years (default: the file's)")
        sp.add_argument("--engine", choices=["simpy", "reference"], default="simpy")
        sp.add_argument("--executor", choices=list(EXECUTORS), default="processes", help="default: processes")
        sp.add_argument("--workers", type=_int_in(1, 1024), help="worker processes (default: all cores)")
        sp.add_argument(
            "--scheduler", type=_address, metavar="ADDRESS", help="dask: an existing scheduler, tcp://HOST:PORT"
        )

    def store(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--precision",
            type=_fraction,
            metavar="TARGET",
            help="add replications until the 95%% CI "
            "half-width of the watched KPIs is within TARGET x |mean| (e.g. 0.05)",
        )
        sp.add_argument("--out", metavar="DIR", help="result directory (must not exist); default: the result store")
        sp.add_argument("--root", default="results", metavar="DIR", help="result store root (default: results)")
        sp.add_argument("--force", action="store_true", help="run again even if the store holds this result")

    r = sub.add_parser("run", help="run a scenario or an experiment and write a result set")
    r.add_argument("file", metavar="FILE")
    common(r)
    store(r)
    r.set_defaults(func=cmd_run)

    sw = sub.add_parser("sweep", help="run an experiment over a grid of parameter values (one result set)")
    sw.add_argument("file", metavar="EXPERIMENT")
    sw.add_argument(
        "--set", action="append", required=True, metavar="PATH=V1,V2,...", help="a dotted parameter path and its values"
    )
    common(sw)
    store(sw)
    sw.set_defaults(func=cmd_sweep)

    c = sub.add_parser("compare", help="compare scenarios with paired differences against the first")
    c.add_argument("files", nargs="+", metavar="FILE")
    common(c)
    c.add_argument("--format", choices=["table", "json", "csv"], default="table")
    c.add_argument("--precision", type=_fraction, metavar="TARGET", help="with an experiment file: see run")
    c.set_defaults(func=cmd_compare)

    res = sub.add_parser("results", help="the result store: list result sets, show one")
    rsub = res.add_subparsers(dest="results_command", required=True)
    rl = rsub.add_parser("list", help="result sets under the store root, complete or not")
    rl.add_argument("--root", default="results", metavar="DIR")
    rl.set_defaults(func=cmd_results_list)
    rs = rsub.add_parser("show", help="a result set's manifest summary and KPI table")
    rs.add_argument("dir", metavar="DIR")
    rs.set_defaults(func=cmd_results_show)

    ls = sub.add_parser("landscape", help="regenerate the provider landscape CSVs from a scenario's generator")
    ls.add_argument("file", metavar="FILE")
    ls.add_argument("--providers", metavar="CSV")
    ls.add_argument("--places", metavar="CSV")
    ls.set_defaults(func=cmd_landscape)

    u = sub.add_parser("units", help="write the contracting units of a scenario's regime as CSV")
    u.add_argument("file", metavar="FILE")
    u.add_argument("--out", metavar="CSV")
    u.set_defaults(func=cmd_units)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from simulation.runner import ExecutorError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ScenarioError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except (ResultExistsError, ExecutorError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a reader that stopped (head); results are written
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
