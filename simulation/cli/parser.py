"""The command line's arguments: every flag with its allowed range, checked before anything runs."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
from collections.abc import Callable

from simulation.runner import EXECUTORS

__all__ = ["build_parser"]

DESCRIPTION = "jeugdzorg-sim: simulate how specialist youth care is bought (fragmented, regional, national)."


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


def _float_in(low: float, high: float, *, low_open: bool, high_open: bool, what: str) -> Callable[[str], float]:
    """A parser for a number in a range; the message names the range with its open or closed ends."""
    shown = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what} in {shown}, got {text!r}") from None
        above = value > low if low_open else value >= low
        below = value < high if high_open else value <= high
        if math.isnan(value) or not (above and below):
            raise argparse.ArgumentTypeError(f"must be in {shown}, got {value}")
        return value

    return parse


_years = _float_in(0, 50, low_open=True, high_open=False, what="a number of years")
_fraction = _float_in(0, 1, low_open=True, high_open=True, what="a fraction (e.g. 0.05)")


def _date(text: str) -> dt.date:
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date YYYY-MM-DD, got {text!r}") from None
    if not dt.date(2000, 1, 1) <= value <= dt.date(2100, 12, 31):
        raise argparse.ArgumentTypeError(f"must be in [2000-01-01, 2100-12-31], got {value}")
    return value


def _address(text: str) -> str:
    if not re.fullmatch(r"([a-z]+://)?[^\s:/]+:\d{1,5}", text):
        raise argparse.ArgumentTypeError(f"must be a scheduler address such as tcp://HOST:PORT, got {text!r}")
    return text


def _common(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--replications", type=_int_in(1, 10_000), help="replications (default: the file's)")
    sp.add_argument("--seed", type=_int_in(0, 2**63 - 1), help="seed (default: the file's)")
    sp.add_argument("--years", type=_years, help="simulated years (default: the file's)")
    sp.add_argument(
        "--start-date",
        type=_date,
        metavar="YYYY-MM-DD",
        help="first simulated day of every scenario (default: the file's)",
    )
    sp.add_argument("--engine", choices=["simpy", "reference", "salabim"], default="simpy")
    sp.add_argument("--executor", choices=list(EXECUTORS), default="processes", help="default: processes")
    sp.add_argument("--workers", type=_int_in(1, 1024), help="worker processes (default: all cores)")
    sp.add_argument(
        "--scheduler", type=_address, metavar="ADDRESS", help="dask: an existing scheduler, tcp://HOST:PORT"
    )


def _all(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--all", action="store_true", help="print every KPI, also per care form (default: the headline KPIs)"
    )


def _store(sp: argparse.ArgumentParser) -> None:
    _all(sp)
    sp.add_argument(
        "--precision",
        type=_fraction,
        metavar="TARGET",
        help="add replications until the 95%% CI half-width of the watched KPIs is within TARGET x |mean| (e.g. 0.05)",
    )
    _time_budget(sp)
    sp.add_argument("--out", metavar="DIR", help="result directory (must not exist); default: the result store")
    sp.add_argument("--root", default="results", metavar="DIR", help="result store root (default: results)")
    sp.add_argument("--force", action="store_true", help="run again even if the store holds this result")


def _time_budget(sp: argparse.ArgumentParser) -> None:
    from simulation.cli.progress import parse_duration

    sp.add_argument(
        "--time-budget",
        type=parse_duration,
        metavar="DURATION",
        help="with --precision: add no batch of replications once DURATION (600, 90s, 10m, 1h30m) is spent; "
        "a batch is sized to fit the time left at the pace so far, the first always runs",
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jeugdzorg-sim")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    from calibration.cli import add_calibrate, add_validate_history
    from simulation.cli import (
        animate_command,
        commands,
        dashboard_command,
        data_command,
        report_command,
        sensitivity_command,
    )

    p = argparse.ArgumentParser(prog="jeugdzorg-sim", description=DESCRIPTION)
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="check scenario and experiment files and print what they contain")
    v.add_argument("files", nargs="+", metavar="FILE")
    v.set_defaults(func=commands.cmd_validate)

    r = sub.add_parser("run", help="run a scenario or an experiment and write a result set")
    r.add_argument("file", metavar="FILE")
    _common(r)
    _store(r)
    r.set_defaults(func=commands.cmd_run)

    sw = sub.add_parser("sweep", help="run an experiment over a grid of parameter values (one result set)")
    sw.add_argument("file", metavar="EXPERIMENT")
    sw.add_argument(
        "--set", action="append", required=True, metavar="PATH=V1,V2,...", help="a dotted parameter path and its values"
    )
    _common(sw)
    _store(sw)
    sw.set_defaults(func=commands.cmd_sweep)

    c = sub.add_parser("compare", help="compare scenarios with paired differences against the first")
    c.add_argument("files", nargs="+", metavar="FILE")
    _common(c)
    c.add_argument("--format", choices=["table", "json", "csv"], default="table")
    _all(c)
    c.add_argument("--precision", type=_fraction, metavar="TARGET", help="see run")
    _time_budget(c)
    c.set_defaults(func=commands.cmd_compare)

    e = sub.add_parser(
        "explain",
        help="decompose the regional-vs-fragmented gap over the mechanisms (exact Shapley, paired runs)",
        description="EXPERIMENT: an experiment file with a fragmented and a regional scenario (its first "
        "variant, or --variant); or FRAGMENTED REGIONAL: two scenario files. Every subset of the "
        "mechanisms runs on the same seeds; the contributions add up to the gap exactly.",
    )
    e.add_argument("files", nargs="+", metavar="FILE")
    _common(e)
    _store(e)
    e.add_argument("--variant", metavar="NAME", help="the experiment's variant (default: its first)")
    e.add_argument("--tables", action="store_true", help="store every arm's episodes, ledger, ... (default: KPIs)")
    e.add_argument("--regions", metavar="JZ01,JZ02", help="only these jeugdregio's (default: the files')")
    e.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="a parameter for both regimes, e.g. regime.min_providers_per_contract=4",
    )
    e.set_defaults(func=commands.cmd_explain)

    res = sub.add_parser("results", help="the result store: list result sets, show one")
    rsub = res.add_subparsers(dest="results_command", required=True)
    rl = rsub.add_parser("list", help="result sets under the store root, complete or not")
    rl.add_argument("--root", default="results", metavar="DIR")
    rl.set_defaults(func=commands.cmd_results_list)
    rs = rsub.add_parser("show", help="a result set's manifest summary and KPI table")
    rs.add_argument("dir", metavar="DIR", help="a result set's folder, or its name as `results list` prints it")
    rs.add_argument("--root", default="results", metavar="DIR", help="the store a bare name is looked up in")
    _all(rs)
    rs.set_defaults(func=commands.cmd_results_show)

    ls = sub.add_parser("landscape", help="regenerate the provider landscape CSVs from a scenario's generator")
    ls.add_argument("file", metavar="FILE")
    ls.add_argument(
        "--providers", metavar="CSV", help="the providers file to write (default: the scenario's, under data/)"
    )
    ls.add_argument("--places", metavar="CSV", help="the places file to write (default: the scenario's, under data/)")
    ls.set_defaults(func=commands.cmd_landscape)

    vr = sub.add_parser(
        "validation-report", help="hold the model against observed figures and write docs/VALIDATION.md"
    )
    vr.add_argument(
        "file", nargs="?", default="scenarios/experiments/drie-regimes.yaml", metavar="EXPERIMENT",
        help="the experiment to run or reuse (default: scenarios/experiments/drie-regimes.yaml)",
    )  # fmt: skip
    _common(vr)
    vr.add_argument("--results", metavar="DIR", help="read this result set instead of running (or reusing) one")
    vr.add_argument(
        "--reference", metavar="SCENARIO", help="the regime the observations describe (default: gefragmenteerd)"
    )
    vr.add_argument("--out", default="docs/VALIDATION.md", metavar="FILE", help="default: docs/VALIDATION.md")
    vr.add_argument("--csv", metavar="FILE", help="also write the evaluated comparisons as CSV")
    vr.add_argument("--root", default="results", metavar="DIR", help="result store root (default: results)")
    vr.add_argument("--force", action="store_true", help="run again even if the store holds this result")
    vr.set_defaults(func=report_command.cmd_validation_report)

    sensitivity_command.add_parser(sub, _common)
    data_command.add_parser(sub)
    add_calibrate(sub, _common)
    add_validate_history(sub, _common)

    u = sub.add_parser("units", help="write the contracting units of a scenario's regime as CSV")
    u.add_argument("file", metavar="FILE")
    u.add_argument("--out", metavar="CSV")
    u.set_defaults(func=commands.cmd_units)
    animate_command.add_parser(sub)
    dashboard_command.add_parser(sub, _int_in(1024, 65535))
    return p
