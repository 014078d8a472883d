"""What the service returns: a run in process (:class:`Simulation`) or a result set in the store
(:class:`StoredRun`), with the tables and figures every caller reads the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from simulation.experiment import Experiment
from simulation.results import ResultSet, open_results
from simulation.runner import ExperimentRun

__all__ = ["META_KEYS", "Simulation", "StoredRun"]

#: the run facts the printed tables and the dashboard show beside the figures
META_KEYS = ("replications", "seed", "years", "warmup_days", "engine", "empty_by_design")


@dataclass
class Simulation:
    """What :func:`simulate` returns."""

    experiment: Experiment
    run: ExperimentRun
    #: the result tables (episodes, ledger, ...) with cell and scenario columns; None unless asked
    tables: dict[str, pd.DataFrame] | None
    meta: dict[str, Any]

    @property
    def kpis(self) -> pd.DataFrame:
        return self.run.kpis

    @property
    def summary(self) -> pd.DataFrame:
        return self.run.summary

    @property
    def differences(self) -> pd.DataFrame:
        return self.run.differences

    @property
    def stocks(self) -> pd.DataFrame | None:
        """Children in care and waiting per gemeente and care form on 30 June and 31 December
        (the CBS count dates), every replication; there with or without ``tables``."""
        return self.run.stocks

    @property
    def flows(self) -> pd.DataFrame | None:
        """Care started and ended per gemeente and care form in each CBS half-year, every
        replication; there with or without ``tables``."""
        return self.run.flows


@dataclass
class StoredRun:
    """What :func:`run_to_store` returns: where the result set is and whether it was reused."""

    path: Path
    reused: bool
    result: ResultSet
    #: the run itself (None when reused)
    run: ExperimentRun | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, path: str | Path) -> StoredRun:
        """A result set already in the store, as a reused run."""
        rs = open_results(path)
        return cls(Path(path), True, rs, None, {k: rs.manifest.get(k) for k in META_KEYS})

    @property
    def summary(self) -> pd.DataFrame:
        return self.run.summary if self.run is not None else self.result.table("summary")

    @property
    def differences(self) -> pd.DataFrame:
        if self.run is not None:
            return self.run.differences
        return self.result.table("differences") if "differences" in self.result.tables else pd.DataFrame()

    @property
    def cell_columns(self) -> list[str]:
        return list(self.result.manifest.get("cell_columns", []))
