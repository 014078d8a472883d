"""What every command shares: the run flags as the service takes them, paths as shown to the
user, notes on stderr and ``--set`` values."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from simulation.config import ScenarioError
from simulation.experiment import parse_set

__all__ = ["check_executor", "engine_flags", "notes", "overrides", "parse_sets", "shown"]


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    keys = ("seed", "years", "start_date", "replications")
    return {k: getattr(args, k) for k in keys if getattr(args, k, None) is not None}


def shown(path: Path) -> str:
    """``path`` relative to the working directory when it is below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def engine_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The engine and executor flags, as the service takes them."""
    return {"engine": args.engine, "executor": args.executor, "workers": args.workers, "scheduler": args.scheduler}


def check_executor(args: argparse.Namespace) -> None:
    if getattr(args, "scheduler", None) and args.executor != "dask":
        raise ScenarioError(
            "input", [("--scheduler", f"only used with --executor dask (got --executor {args.executor})")]
        )


def notes(notes: list[str] | tuple[str, ...]) -> None:
    for note in notes:
        print(f"note: {note}", file=sys.stderr)


def parse_sets(texts: list[str]) -> tuple[list[tuple[str, str, tuple[Any, ...]]], list[tuple[str, str]]]:
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
