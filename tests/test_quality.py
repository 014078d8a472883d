"""The project's own code is ruff- and mypy-clean; the core imports no engine and no UI."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        found = shutil.which(name)
        if not found:
            pytest.fail(f"{name} is not installed; install the dev extra")
        return found
    return str(path)


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]], ids=["lint", "format"])
def test_ruff(args: list[str]) -> None:
    res = subprocess.run([_tool("ruff"), *args], cwd=ROOT, capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr


def test_mypy() -> None:
    res = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr


def test_core_imports_no_engine_ui_or_regime() -> None:
    forbidden = {"simpy", "salabim", "streamlit", "simulation.regimes", "simulation.engines", "dask"}
    for path in sorted((ROOT / "simulation" / "core").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not any(name == f or name.startswith(f + ".") for f in forbidden), f"{path.name} imports {name}"


def test_nothing_reads_shared_at_run_time() -> None:
    for folder in ("simulation", "calibration", "dashboard"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text()
            assert "../shared" not in text and '"shared"' not in text, path
