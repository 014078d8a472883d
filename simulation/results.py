"""Result sets: Parquet tables plus manifest.json, written atomically, never overwritten.

A result set is written into a hidden temporary directory beside its destination and renamed
into place only when every file is complete, so a directory with a manifest is always whole,
and a run that dies leaves only a ``.tmp-*`` directory behind. The CLI, the dashboard and the
calibration read result sets through :func:`open_results` only.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["ResultExistsError", "ResultSet", "open_results", "write_result_set"]

MANIFEST = "manifest.json"


class ResultExistsError(FileExistsError):
    """The destination already holds a result; results are never overwritten."""


@dataclass
class ResultSet:
    path: Path
    manifest: dict[str, Any]
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def tables(self) -> list[str]:
        return list(self.manifest.get("tables", []))

    def table(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            if name not in self.tables:
                raise KeyError(f"no table {name!r} in {self.path}; tables: {self.tables}")
            self._cache[name] = pd.read_parquet(self.path / f"{name}.parquet")
        return self._cache[name]


def write_result_set(dest: str | Path, tables: Mapping[str, pd.DataFrame], manifest: Mapping[str, Any]) -> Path:
    """Write ``tables`` and ``manifest`` to ``dest`` atomically; refuse if ``dest`` exists."""
    dest = Path(dest).resolve()
    if dest.exists():
        raise ResultExistsError(f"{dest} already exists; results are never overwritten (choose another --out)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    try:
        for name, frame in tables.items():
            frame.to_parquet(tmp / f"{name}.parquet", index=False, engine="pyarrow", compression="zstd")
        full = dict(manifest)
        full["tables"] = list(tables)
        with open(tmp / MANIFEST, "w", encoding="utf-8") as fh:
            json.dump(full, fh, indent=2, sort_keys=True, default=str)
            fh.flush()
            os.fsync(fh.fileno())
        if dest.exists():
            raise ResultExistsError(f"{dest} appeared while writing; results are never overwritten")
        os.rename(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def open_results(path: str | Path) -> ResultSet:
    """Open a complete result set (one with a manifest)."""
    path = Path(path)
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise FileNotFoundError(f"{path} is not a complete result set (no {MANIFEST})")
    with open(manifest_path, encoding="utf-8") as fh:
        return ResultSet(path, json.load(fh))
