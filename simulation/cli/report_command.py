"""``jeugdzorg-sim validation-report``: the model beside observed figures, as docs/VALIDATION.md."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from simulation import service
from simulation.cli.common import check_executor, engine_flags, notes, overrides, shown
from simulation.cli.progress import progress as progress_bar
from simulation.config import ScenarioError
from simulation.validation import build_report

__all__ = ["cmd_validation_report"]


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed into place (never half-written)."""
    if not path.parent.is_dir():
        raise ScenarioError("input", [("--out", f"{shown(path.parent)} is not a folder")])
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cmd_validation_report(args: argparse.Namespace) -> int:
    check_executor(args)
    for flag in ("out", "csv"):
        value = getattr(args, flag)
        if value is not None and Path(value).is_dir():
            raise ScenarioError("input", [(f"--{flag}", f"{value} is a folder; give a file name")])
    exp = service.load(args.file, overrides(args))
    notes(exp.notes)
    if args.results:
        stored = service.StoredRun.open(args.results)
    else:
        with progress_bar(f"validation {exp.name}") as progress:
            stored = service.run_to_store(
                exp, root=args.root, force=args.force, **engine_flags(args), progress=progress,
                command="validation-report", command_line=sys.argv,
            )  # fmt: skip
    table, text = build_report(exp, stored.result, args.reference)
    out = Path(args.out)
    _write_atomically(out, text)
    if args.csv:
        _write_atomically(Path(args.csv), table.to_csv(index=False))
    verdicts = table.loc[table["scenario"] == table["scenario"].iloc[0], "verdict"]
    print(
        f"wrote {shown(out)} from {shown(stored.path)}"
        f"{' (reused)' if stored.reused else ''}: {int(verdicts.str.startswith('agrees').sum())} of "
        f"{len(verdicts)} comparisons agree"
    )
    return 0
