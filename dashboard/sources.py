"""Where each parameter of a scenario comes from: every ``{value, source | assumption}`` entry.

Read from the scenario file (its whole ``extends`` chain, merged as the loader merges it), so the
page shows exactly what the file says; nothing is interpreted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from simulation.config.loader import load_raw

__all__ = ["parameter_sources"]


def _walk(node: Any, path: str, rows: list[dict[str, str]]) -> None:
    if isinstance(node, dict):
        if "value" in node and ("source" in node or "assumption" in node):
            kind = "bron" if "source" in node else "aanname"
            text = str(node.get("source") or node.get("assumption"))
            rows.append({"parameter": path, "waarde": str(node["value"]), "soort": kind, "toelichting": text})
            return
        for key, value in node.items():
            _walk(value, f"{path}.{key}" if path else str(key), rows)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _walk(value, f"{path}.{i}", rows)


def parameter_sources(scenario_file: str | Path) -> pd.DataFrame:
    """parameter (dotted path), waarde, soort (bron | aanname), toelichting: one row per sourced value."""
    rows: list[dict[str, str]] = []
    _walk(load_raw(scenario_file), "", rows)
    return pd.DataFrame(rows, columns=["parameter", "waarde", "soort", "toelichting"])
