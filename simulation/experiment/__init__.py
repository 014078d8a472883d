"""Experiments: scenario files (the regimes) x variants x a sweep grid x replications.

* :mod:`~simulation.experiment.spec`: the validated experiment (spec, cells, fingerprint);
* :mod:`~simulation.experiment.paths`: dotted parameter paths and ``--set`` values;
* :mod:`~simulation.experiment.unread`: paths a run does not read (a ``--set`` of one is refused);
* :mod:`~simulation.experiment.loading`: reading experiment and scenario files into an
  :class:`Experiment`.

Running one is :func:`simulation.runner.run_experiment`; callers use :mod:`simulation.service`.
"""

from __future__ import annotations

from simulation.experiment.loading import (
    experiment_from_raws,
    experiment_from_spec,
    is_experiment_file,
    load_any,
    load_experiment,
    scenario_experiment,
    scenarios_experiment,
)
from simulation.experiment.paths import parse_set
from simulation.experiment.spec import (
    DEFAULT_PRECISION_KPIS,
    Cell,
    Experiment,
    ExperimentSpec,
    PrecisionSpec,
    Variant,
)

__all__ = [
    "DEFAULT_PRECISION_KPIS",
    "Cell",
    "Experiment",
    "ExperimentSpec",
    "PrecisionSpec",
    "Variant",
    "experiment_from_raws",
    "experiment_from_spec",
    "is_experiment_file",
    "load_any",
    "load_experiment",
    "parse_set",
    "scenario_experiment",
    "scenarios_experiment",
]
