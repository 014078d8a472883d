"""Where a result came from: the code (its fingerprint and git commit) and the package versions.

The manifest of every result set records them; the store reuses a result only if the same code
made it.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
from importlib import metadata
from pathlib import Path

__all__ = ["code_fingerprint", "git_commit", "versions"]


def code_fingerprint() -> str:
    """SHA-256 of the simulation package's source: results made by other code are not reused."""
    root = Path(__file__).resolve().parents[1]  # the simulation package
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def versions() -> dict[str, str]:
    """Versions of Python and of the packages a result depends on."""
    # The operating system and machine too: STRESS-DES 5.1 and 5.4 ask for them.
    out = {"python": platform.python_version(), "platform": platform.platform(), "machine": platform.machine()}
    pkgs = ("jeugdzorg-sim", "numpy", "pandas", "simpy", "salabim", "pydantic", "pyarrow", "scipy")
    for pkg in (*pkgs, "pyyaml", "dask", "distributed", "tqdm"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def git_commit() -> str | None:
    """The commit of the code, when it runs from a git checkout."""
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
