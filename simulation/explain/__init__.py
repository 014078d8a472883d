"""``explain``: the regional-vs-fragmented gap attributed to the mechanisms that make it.

* :mod:`~simulation.explain.mechanisms`: the registry, one entry per mechanism;
* :mod:`~simulation.explain.shapley`: exact Shapley attribution;
* :mod:`~simulation.explain.decompose`: the arms as one experiment, and the table.

:func:`explain` runs the arms through :func:`simulation.service.run_to_store` (the store, the
executors, the manifest) and writes the decomposition into the same result set as the
``explain`` table (and ``explain_arms``: which arm ran which mechanisms).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from simulation.config import ScenarioError
from simulation.explain.decompose import (
    EXPLAINED_KPIS,
    TOTAL,
    Decomposition,
    arms_experiment,
    contributions,
    explain_table,
    regime_pair,
)
from simulation.explain.mechanisms import MECHANISMS, Mechanism

__all__ = ["EXPLAINED_KPIS", "MECHANISMS", "TOTAL", "Decomposition", "Mechanism", "arms_experiment",
           "arms_table", "contributions", "decomposition", "explain", "explain_table", "regime_pair"]  # fmt: skip


def decomposition(
    files: Sequence[str | Path],
    overrides: Mapping[str, Any] | None = None,
    settings: Mapping[str, Any] | None = None,
    variant: str | None = None,
) -> Decomposition:
    """The arms of an experiment file (its fragmented and regional scenario, in its first
    variant or ``variant``) or of two scenario files (a fragmented and a regional one)."""
    from simulation import service

    files = list(files)
    if len(files) not in (1, 2):
        raise ScenarioError("input", [("FILE", "explain takes one experiment file or two scenario files")])
    exp = service.load(files if len(files) == 2 else files[0], overrides)
    if len(files) == 1 and exp.kind != "experiment":
        raise ScenarioError("input", [("FILE", f"{files[0]} is a scenario; give an experiment or two scenario files")])
    if variant is not None and exp.kind != "experiment":
        raise ScenarioError("input", [("--variant", "only for an experiment file")])
    fragmented, regional = regime_pair(exp, variant)
    return arms_experiment(fragmented, regional, exp.path, settings)


def arms_table(dec: Decomposition) -> pd.DataFrame:
    names = [m.name for m in dec.mechanisms]
    rows = [(arm, *[n in on for n in names]) for on, arm in sorted(dec.arm_of.items(), key=lambda x: x[1])]
    return pd.DataFrame(rows, columns=["scenario", *names]).drop_duplicates("scenario", ignore_index=True)


def explain(
    dec: Decomposition,
    *,
    kpis: Sequence[str] = EXPLAINED_KPIS,
    tables: bool = False,
    **run_args: Any,
) -> tuple[Any, pd.DataFrame]:
    """Run the arms into the store (``run_args`` as :func:`simulation.service.run_to_store`
    takes them) and return the stored run and the decomposition table. The arms run lean (KPIs
    only) unless ``tables``: 2^k arms of episode tables are seldom wanted."""
    import dataclasses

    from simulation import service

    if tables:  # a set with tables is another result than a lean one: its own name in the store
        spec = dec.experiment.spec.model_copy(update={"name": f"{dec.experiment.spec.name[:73]}-tables"})
        dec = dataclasses.replace(dec, experiment=dataclasses.replace(dec.experiment, spec=spec))

    def derived(run: Any) -> dict[str, pd.DataFrame]:
        return {"explain": explain_table(dec, run, kpis), "explain_arms": arms_table(dec)}

    stored = service.run_to_store(dec.experiment, command="explain", derived=derived, tables=tables, **run_args)
    table = stored.result.table("explain")
    return stored, table
