"""Running the model: replications, executors, experiments.

* :mod:`~simulation.runner.replication`: one replication (world, demand, model, engine, KPIs), and
  the :class:`Job` an executor runs;
* :mod:`~simulation.runner.executors`: serial, a process pool or Dask, the same bytes on each;
* :mod:`~simulation.runner.experiments`: cells x scenarios x replications, precision batches,
  summaries and paired differences.

Callers outside the simulation package use :mod:`simulation.service`.
"""

from __future__ import annotations

from simulation.runner.executors import DASK_CONNECT_TIMEOUT, EXECUTORS, Executor, ExecutorError, run_jobs
from simulation.runner.experiments import ExperimentRun, precision_check, run_experiment, summarise_cells
from simulation.runner.replication import (
    Job,
    JobResult,
    ReplicationResult,
    build_world,
    check_experiment,
    contracts_table,
    part_key,
    run_job,
    run_replication,
    units_table,
    warmup_table,
)

__all__ = [
    "DASK_CONNECT_TIMEOUT",
    "EXECUTORS",
    "Executor",
    "ExecutorError",
    "ExperimentRun",
    "Job",
    "JobResult",
    "ReplicationResult",
    "build_world",
    "check_experiment",
    "contracts_table",
    "part_key",
    "precision_check",
    "run_experiment",
    "run_job",
    "run_jobs",
    "run_replication",
    "summarise_cells",
    "units_table",
    "warmup_table",
]
