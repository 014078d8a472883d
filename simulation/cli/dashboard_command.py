"""``jeugdzorg-sim dashboard``: start the Streamlit dashboard on a result store.

The dashboard itself lives in ``dashboard/``; this only starts ``streamlit run dashboard/app.py``
with the store root in ``$JEUGDZORG_RESULTS_ROOT``, usage statistics off (nothing leaves the
machine) and, unless asked otherwise, on localhost only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from simulation.config import ScenarioError

__all__ = ["add_parser", "cmd_dashboard", "streamlit_command"]

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
ROOT_ENV = "JEUGDZORG_RESULTS_ROOT"


def streamlit_command(port: int, address: str, headless: bool) -> list[str]:
    """The ``streamlit run`` command line for the dashboard."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.port", str(port), "--server.address", address,
        "--server.headless", "true" if headless else "false",
        "--browser.gatherUsageStats", "false",
        "--global.developmentMode", "false",
        "--client.toolbarMode", "viewer",
    ]  # fmt: skip


def cmd_dashboard(args: argparse.Namespace) -> int:
    root = Path(args.root)
    if root.exists() and not root.is_dir():
        raise ScenarioError("input", [("--root", f"{root} is a file, not a folder of result sets")])
    env = {**os.environ, ROOT_ENV: str(root.resolve())}
    print(f"dashboard on http://{args.address}:{args.port} (results from {root}); stop with Ctrl-C", file=sys.stderr)
    return subprocess.call(streamlit_command(args.port, args.address, args.headless), env=env)


def add_parser(sub: argparse._SubParsersAction, port_type: object) -> None:
    d = sub.add_parser("dashboard", help="open the Dutch dashboard (Streamlit) on the result store")
    d.add_argument("--root", default="results", metavar="DIR", help="result store root (default: results)")
    d.add_argument("--port", type=port_type, default=8501, help="port in [1024, 65535] (default: 8501)")
    d.add_argument("--address", default="localhost", help="address to listen on (default: localhost)")
    d.add_argument("--headless", action="store_true", help="do not open a browser")
    d.set_defaults(func=cmd_dashboard)
