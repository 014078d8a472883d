"""Command line: ``jeugdzorg-sim validate|run|compare|landscape|units``.

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
from simulation.results import ResultExistsError, write_result_set

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


def _progress(label: str) -> Callable[[int, int], None] | None:
    if not sys.stderr.isatty():
        return None
    start = time.perf_counter()

    def report(done: int, total: int) -> None:
        elapsed = time.perf_counter() - start
        eta = elapsed / done * (total - done)
        print(
            f"\r{label}: {done}/{total} replications, {elapsed:5.0f}s elapsed, ETA {eta:5.0f}s",
            end="" if done < total else "\n",
            file=sys.stderr,
            flush=True,
        )

    return report


# --------------------------------------------------------------------------------------------
# validate


def cmd_validate(args: argparse.Namespace) -> int:
    ok = True
    for f in args.files:
        try:
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
        f"Three-regime comparison: {meta['replications']} replications, seed {meta['seed']}, "
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


def cmd_compare(args: argparse.Namespace) -> int:
    from simulation.runner import run_many

    scenarios = _load_all(args.files, _overrides(args))
    reps = args.replications or scenarios[0].replications
    per_rep, _ = run_many(scenarios, reps, engine=args.engine, workers=args.workers, on_done=_progress("compare"))
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
        print(json.dumps(comparison_json(summary, diffs, meta), indent=2))
    elif args.format == "csv":
        a = summary.assign(section="scenario", against="")
        b = diffs.assign(section="difference", n=reps)
        cols = ["section", "scenario", "against", "kpi", "care_form", "mean", "ci_low", "ci_high"]
        pd.concat([a[cols], b[cols]]).to_csv(sys.stdout, index=False)
    else:
        print(comparison_table(summary, diffs, meta))
    return 0


# --------------------------------------------------------------------------------------------
# run


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("jeugdzorg-sim", "numpy", "pandas", "simpy", "salabim", "pydantic", "pyarrow", "scipy"):
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


def cmd_run(args: argparse.Namespace) -> int:
    from simulation.runner import build_world, contracts_table, run_replication, units_table

    out = Path(args.out)
    if out.exists():
        raise ResultExistsError(f"--out: {out} already exists; results are never overwritten (choose another)")
    (scenario,) = _load_all([args.file], _overrides(args))
    reps = scenario.replications
    started = time.perf_counter()
    report = _progress("run")
    results = []
    jobs = [(scenario, r, args.engine) for r in range(reps)]
    workers = args.workers or os.cpu_count() or 1
    if workers == 1 or reps == 1:
        for i, job in enumerate(jobs):
            results.append(run_replication(*job))
            if report:
                report(i + 1, reps)
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(workers, reps)) as pool:
            for i, res in enumerate(pool.map(run_replication, *zip(*jobs, strict=True))):
                results.append(res)
                if report:
                    report(i + 1, reps)
    tables = {name: pd.concat([r.tables[name] for r in results], ignore_index=True) for name in results[0].tables}
    per_rep = pd.concat([r.kpis for r in results], ignore_index=True)
    tables["kpis"] = per_rep
    tables["summary"] = metrics.summarise(per_rep)
    world = build_world(scenario)
    tables["units"] = units_table(world)
    tables["contracts"] = contracts_table(world)
    manifest = {
        "name": scenario.name,
        "scenario_fingerprint": fingerprint(scenario),
        "scenario": scenario.model_dump(mode="json"),
        "seed": scenario.seed,
        "replications": reps,
        "years": scenario.years,
        "warmup_days": scenario.warmup_days,
        "engine": args.engine,
        "versions": _versions(),
        "git_commit": _git_commit(),
        "command_line": sys.argv,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "timings": {
            "wall_seconds": round(time.perf_counter() - started, 3),
            "replication_seconds": [round(r.seconds, 3) for r in results],
            "events": [r.events for r in results],
        },
    }
    path = write_result_set(out, tables, manifest)
    print(f"wrote {path} ({reps} replications, {sum(len(r.tables['episodes']) for r in results):,} episodes)")
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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jeugdzorg-sim", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="check scenario files and print what they contain")
    v.add_argument("files", nargs="+", metavar="FILE")
    v.set_defaults(func=cmd_validate)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--replications", type=_int_in(1, 10_000), help="replications (default: the scenario's)")
        sp.add_argument("--seed", type=_int_in(0, 2**63 - 1), help="seed (default: the scenario's)")
        sp.add_argument("--years", type=_years, help="simulated years (default: the scenario's)")
        sp.add_argument("--engine", choices=["simpy", "reference"], default="simpy")
        sp.add_argument("--workers", type=_int_in(1, 1024), help="worker processes (default: all cores)")

    r = sub.add_parser("run", help="run one scenario and write a result set")
    r.add_argument("file", metavar="FILE")
    common(r)
    r.add_argument("--out", required=True, metavar="DIR", help="result directory (must not exist)")
    r.set_defaults(func=cmd_run)

    c = sub.add_parser("compare", help="compare scenarios with paired differences against the first")
    c.add_argument("files", nargs="+", metavar="FILE")
    common(c)
    c.add_argument("--format", choices=["table", "json", "csv"], default="table")
    c.set_defaults(func=cmd_compare)

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
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ScenarioError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except ResultExistsError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
