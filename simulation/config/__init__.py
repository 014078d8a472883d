"""Scenario files: validated, frozen data.

The models are split by subject (:mod:`.care_forms`, :mod:`.market`, :mod:`.finance`,
:mod:`.workforce`, :mod:`.scenario`) on a strict base (:mod:`.base`: frozen, no unknown keys,
finite numbers, no booleans as numbers). :mod:`.loader` is the one YAML loader (``extends:``,
limits, confinement) for scenarios and experiments, and :mod:`.errors` the one error and
error formatter. Every name is importable from ``simulation.config``.
"""

from __future__ import annotations

from simulation.config.base import DATE_MAX, DATE_MIN, FrozenModel, Provenance, Sourced
from simulation.config.capacity import Capacity, Entry, Expansion
from simulation.config.care_forms import CareForm, CostPrice, Duration, Escalation
from simulation.config.errors import ScenarioError, pydantic_problems, shown
from simulation.config.finance import (
    AdminCurve,
    BudgetCeilings,
    CostLevels,
    EarlyWarning,
    Finance,
    Shrink,
    Support,
    TariffAdmin,
)
from simulation.config.loader import (
    PROJECT_ROOT,
    LoadPolicy,
    _files,
    fingerprint,
    load_raw,
    load_scenario,
    parse_yaml,
    read_yaml,
    scenario_files,
    validate_scenario,
    yaml_load,
)
from simulation.config.market import LandscapeGenerator, ProviderGroup, Providers, Regime, Split, Transition
from simulation.config.scenario import (
    MAX_DEMAND_FACTOR,
    MAX_REPLICATION_YEARS,
    Demand,
    PhaseOut,
    ProviderFailure,
    Scenario,
    TariffChange,
)
from simulation.config.workforce import Workforce

__all__ = [
    "DATE_MAX",
    "DATE_MIN",
    "MAX_DEMAND_FACTOR",
    "MAX_REPLICATION_YEARS",
    "PROJECT_ROOT",
    "AdminCurve",
    "BudgetCeilings",
    "Capacity",
    "CareForm",
    "CostLevels",
    "CostPrice",
    "Demand",
    "Duration",
    "EarlyWarning",
    "Entry",
    "Escalation",
    "Expansion",
    "Finance",
    "FrozenModel",
    "LandscapeGenerator",
    "LoadPolicy",
    "PhaseOut",
    "Provenance",
    "ProviderFailure",
    "ProviderGroup",
    "Providers",
    "Regime",
    "Scenario",
    "ScenarioError",
    "Shrink",
    "Sourced",
    "Split",
    "Support",
    "TariffAdmin",
    "TariffChange",
    "Transition",
    "Workforce",
    "_files",
    "fingerprint",
    "load_raw",
    "load_scenario",
    "parse_yaml",
    "pydantic_problems",
    "read_yaml",
    "scenario_files",
    "shown",
    "validate_scenario",
    "yaml_load",
]
