"""The result store: result sets under one root as ``<name>-<fingerprint8>-<seed>``.

A second run with the same fingerprint, seed and code reuses a whole earlier set
(:func:`find_reusable`); :func:`store_lock` makes a second identical run wait for the first;
:func:`list_results` lists what is there,
complete, damaged or unfinished, and :func:`locate_result_set` finds a set by the name the listing prints.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from simulation.results.sets import (
    MANIFEST,
    PENDING,
    ResultDamagedError,
    read_manifest,
    verify_result_set,
)

__all__ = [
    "StoreLockTimeout",
    "find_reusable",
    "free_dir",
    "list_results",
    "locate_result_set",
    "store_dir",
    "store_lock",
]


class StoreLockTimeout(TimeoutError):
    """Another run of the same experiment held the store lock for too long."""


def store_dir(root: str | Path, name: str, fingerprint: str, seed: int) -> Path:
    """Where the store keeps the result of (name, fingerprint, seed)."""
    return Path(root) / f"{name}-{fingerprint[:8]}-{seed}"


def find_reusable(base: Path, fingerprint: str, code: str | None = None) -> Path | None:
    """``base`` (or a ``base-N`` written with --force) if it is complete, has ``fingerprint``,
    was made, if ``code`` is given, by code with that :func:`code_fingerprint`, and is whole
    (:func:`verify_result_set`, checksums included). A damaged set is passed over, never
    removed: the caller writes a new one beside it (:func:`free_dir`)."""
    candidates = [base, *sorted(base.parent.glob(f"{base.name}-*"), key=lambda p: p.name)]
    for path in candidates:
        if path.is_dir() and (path / MANIFEST).is_file():
            try:
                manifest = read_manifest(path)
            except ResultDamagedError:
                continue
            if manifest.get("fingerprint") != fingerprint:
                continue
            if code is not None and manifest.get("code_fingerprint") != code:
                continue
            if verify_result_set(path):
                continue
            return path
    return None


@contextlib.contextmanager
def store_lock(base: str | Path, timeout: float | None = None) -> Iterator[Path]:
    """Hold ``<base>.lock`` (``fcntl.flock``) beside the store directory ``base``.

    Wrap "find a reusable result, else run and commit" in it: a second identical run waits
    until the first has committed, then finds its result. ``timeout`` (seconds; None: wait as
    long as it takes) raises :class:`StoreLockTimeout`. The lock goes with the process, so a
    killed run never leaves the store locked.
    """
    base = Path(base)
    base.parent.mkdir(parents=True, exist_ok=True)
    lock = base.parent / f".{base.name}.lock"
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        fh = open(lock, "a+b")  # noqa: SIM115 (held across the yield below)
        try:
            while True:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
                    break
                except BlockingIOError:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise StoreLockTimeout(f"{lock} is held by another run for more than {timeout} s") from None
                    time.sleep(0.1)
            # The holder before us removes the file as it lets go; a lock on a removed file
            # guards nothing, so take the one now at the path.
            try:
                same = os.stat(lock).st_ino == os.fstat(fh.fileno()).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                fh.close()
                continue
            try:
                yield lock
            finally:
                lock.unlink(missing_ok=True)  # the store keeps no lock files behind
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            return
        finally:
            fh.close()


def free_dir(base: Path) -> Path:
    """``base`` if nothing is there, else the first free ``base-2``, ``base-3``, ..."""
    if not base.exists():
        return base
    n = 2
    while (base.parent / f"{base.name}-{n}").exists():
        n += 1
    return base.parent / f"{base.name}-{n}"


def list_results(root: str | Path) -> pd.DataFrame:
    """Every result directory under ``root``, complete or not (a run that died or is running)."""
    rows = []
    root = Path(root)
    for path in sorted(root.iterdir() if root.is_dir() else [], key=lambda p: p.name):
        if not path.is_dir():
            continue
        complete = (path / MANIFEST).is_file()
        note_file = path / (MANIFEST if complete else PENDING)
        damaged = False
        try:
            note = json.loads(note_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            note, damaged = {}, complete
        if not isinstance(note, dict):
            note, damaged = {}, complete
        if complete and not damaged and isinstance(note.get("files"), dict):
            damaged = bool(verify_result_set(path, checksums=False))
        if not complete and not note and ".tmp-" not in path.name:
            continue  # not a result directory at all
        rows.append(
            {
                "dir": path.name,
                "name": note.get("name", ""),
                "seed": note.get("seed", ""),
                "replications": note.get("replications", ""),
                "created": note.get("created_at", note.get("started_at", "")),
                "complete": "damaged" if damaged else "yes" if complete else "no",
            }
        )
    return pd.DataFrame(rows, columns=["dir", "name", "seed", "replications", "created", "complete"])


def locate_result_set(name: str | Path, root: str | Path = "results") -> Path:
    """The result set ``name`` stands for: a path to one, or a folder name as :func:`list_results`
    prints it (the ``dir`` column, relative to ``root``). A path that holds a manifest wins;
    otherwise the folder under ``root``. Raises ``FileNotFoundError`` naming both places."""
    path = Path(name)
    if (path / MANIFEST).is_file():
        return path
    in_store = Path(root) / path
    if not path.is_absolute() and (in_store / MANIFEST).is_file():
        return in_store
    tried = str(path) if path.is_absolute() or in_store == path else f"{path} nor {in_store}"
    raise FileNotFoundError(
        f"no result set {str(name)!r}: neither {tried} holds a {MANIFEST} "
        f"(`results list --root {root}` shows the sets in the store)"
    )
