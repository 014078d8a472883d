"""Sensitivity analysis: Morris screening and Sobol indices (SALib) over named scenario parameters.

* :mod:`~simulation.sensitivity.spec`: the sensitivity file, checked against its base scenario;
* :mod:`~simulation.sensitivity.design`: SALib's sampling and analysis, ranked tables;
* :mod:`~simulation.sensitivity.run`: the design points as variants of one experiment, run through
  :func:`simulation.service.simulate` on common random numbers, replications averaged per point;
* :mod:`~simulation.sensitivity.report`: the result folder (CSV, PNG, manifest).
"""

from __future__ import annotations

from simulation.sensitivity.design import analyze, problem, sample
from simulation.sensitivity.report import indices_frame, write_outcome
from simulation.sensitivity.run import Outcome, build_experiment, run_plan
from simulation.sensitivity.spec import METHODS, Plan, SensitivitySpec, is_sensitivity_file, load_plan

__all__ = [
    "METHODS",
    "Outcome",
    "Plan",
    "SensitivitySpec",
    "analyze",
    "build_experiment",
    "indices_frame",
    "is_sensitivity_file",
    "load_plan",
    "problem",
    "run_plan",
    "sample",
    "write_outcome",
]
