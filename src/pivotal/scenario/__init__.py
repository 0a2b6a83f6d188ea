"""Scenario I/O: the YAML format, its validation and the built-in library."""

from pivotal.scenario.errors import ScenarioError
from pivotal.scenario.loader import (
    builtin_names,
    builtin_scenario,
    load_scenario,
    parse_scenario,
    resolve_scenario,
    scenario_hash,
)
from pivotal.scenario.schema import PeriodRange, Scenario

__all__ = [
    "PeriodRange",
    "Scenario",
    "ScenarioError",
    "builtin_names",
    "builtin_scenario",
    "load_scenario",
    "parse_scenario",
    "resolve_scenario",
    "scenario_hash",
]
