"""Which result sets the dashboard shows, read through the reader the command line uses.

Result sets are opened with :meth:`simulation.service.StoredRun.open` (which calls
:func:`simulation.results.open_results`) and listed with :func:`simulation.results.list_results`;
nothing here reads a Parquet file by itself. No Streamlit here: the pages wrap these functions
in ``st.cache_data``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from simulation import service
from simulation.results import list_results, read_manifest

__all__ = [
    "MAIN_COMMAND",
    "MAIN_FILE",
    "MAIN_JOB",
    "ROOT_ENV",
    "Cell",
    "cell_of",
    "cells",
    "describe",
    "latest",
    "listing",
    "open_set",
    "store_root",
    "wait_norms",
]

#: the main job: the experiment the README's first command runs
MAIN_JOB = "drie-regimes"
MAIN_FILE = "scenarios/experiments/drie-regimes.yaml"
MAIN_COMMAND = f"jeugdzorg-sim run {MAIN_FILE}"
#: the store root the dashboard reads (``jeugdzorg-sim dashboard --root DIR`` sets it)
ROOT_ENV = "JEUGDZORG_RESULTS_ROOT"

#: one cell of an experiment: its values of the cell columns (variant, swept parameters)
Cell = tuple[tuple[str, Any], ...]


def store_root() -> Path:
    """The result store root: ``$JEUGDZORG_RESULTS_ROOT``, else ``results`` in the working folder."""
    return Path(os.environ.get(ROOT_ENV) or "results")


def listing(root: str | Path) -> pd.DataFrame:
    """The complete, undamaged result sets under ``root`` with their manifest's name, command,
    scenarios and creation time, newest first."""
    table = list_results(root)
    rows = []
    for entry in table[table["complete"] == "yes"].itertuples():
        path = Path(root) / str(entry.dir)
        try:
            manifest = read_manifest(path)
        except FileNotFoundError:
            continue
        rows.append(
            {
                "dir": str(entry.dir),
                "path": str(path),
                "name": manifest.get("name", ""),
                "command": manifest.get("command", ""),
                "scenarios": ", ".join(manifest.get("scenarios", [])),
                "replications": manifest.get("replications", ""),
                "years": manifest.get("years", ""),
                "created": manifest.get("created_at", ""),
                "tables": list(manifest.get("tables", [])),
            }
        )
    columns = ["dir", "path", "name", "command", "scenarios", "replications", "years", "created", "tables"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["created", "dir"], ascending=False, ignore_index=True)


def latest(root: str | Path, name: str | None = MAIN_JOB, command: str | None = None) -> Path | None:
    """The newest complete result set of experiment ``name`` (any name if None) made by
    ``command`` (any command if None)."""
    sets = listing(root)
    if name is not None:
        sets = sets[sets["name"] == name]
    if command is not None:
        sets = sets[sets["command"] == command]
    return Path(sets["path"].iloc[0]) if len(sets) else None


def open_set(path: str | Path) -> service.StoredRun:
    """A stored result set, opened as the command line opens it."""
    return service.StoredRun.open(path)


def cells(frame: pd.DataFrame, cell_columns: Sequence[str]) -> list[Cell]:
    """The cells in a table of a result set, in the order they first appear."""
    cols = [c for c in cell_columns if c in frame.columns]
    if not cols:
        return [()]
    keys = frame[cols].drop_duplicates()
    return [tuple(zip(cols, row, strict=True)) for row in keys.itertuples(index=False)]


def cell_of(frame: pd.DataFrame, cell: Cell) -> pd.DataFrame:
    """The rows of ``frame`` that belong to ``cell`` (all rows for the empty cell)."""
    mask = pd.Series(True, index=frame.index)
    for column, value in cell:
        if column in frame.columns:
            mask &= frame[column] == value
    return frame[mask]


def describe(manifest: dict[str, Any]) -> str:
    """One Dutch line about a result set: name, replications, years, creation date."""
    from dashboard.format_nl import number

    created = str(manifest.get("created_at", ""))[:10]
    reps = manifest.get("replications", "?")
    years = manifest.get("years")
    years = number(float(years), 1).removesuffix(",0") if isinstance(years, int | float) else "?"
    return f"{manifest.get('name', '?')}: {reps} replicaties van {years} gesimuleerd jaar, gemaakt op {created}"


def wait_norms(manifest: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Scenario -> care form -> waiting-time norm (days), read from the set's scenario files
    (a file gone since the run, such as a what-if's, falls back to the shipped regime file of
    that name, else to the national standard: the shipped files all take its norms)."""
    from simulation.config import PROJECT_ROOT, ScenarioError, load_scenario

    out: dict[str, dict[str, float]] = {}
    names = list(manifest.get("scenarios", []))
    files = list(manifest.get("scenario_files", []))
    for name, file in zip(names, files + [""] * (len(names) - len(files)), strict=True):
        shipped = PROJECT_ROOT / "scenarios" / f"{name}.yaml"
        for candidate in (Path(file) if file else None, shipped, PROJECT_ROOT / "scenarios" / "nederland.yaml"):
            if candidate is None or not candidate.is_file():
                continue
            try:
                scenario = load_scenario(candidate, check_files=False)
            except (ScenarioError, OSError):
                continue
            out[name] = {form: c.wait_norm_days.value for form, c in scenario.care_forms.items()}
            break
    return out
