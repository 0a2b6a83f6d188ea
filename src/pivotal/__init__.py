"""pivotal: pivotal deterrence as a model you can run, question and test.

The Python API in brief::

    import pivotal
    scenario = pivotal.builtin_scenario("south-caucasus")
    run = pivotal.simulate(scenario, draws=2000, seed=1)
    table = pivotal.summarise(run)        # a pandas DataFrame, one row per period
"""

from importlib.metadata import PackageNotFoundError, version

from pivotal.runner import Run, run_scenario
from pivotal.scenario import (
    Scenario,
    ScenarioError,
    builtin_names,
    builtin_scenario,
    load_scenario,
    parse_scenario,
    resolve_scenario,
    scenario_hash,
)
from pivotal.simulation import METRICS, SimulationResult, simulate, summarise

try:
    __version__ = version("pivotal")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = [
    "METRICS",
    "Run",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "__version__",
    "builtin_names",
    "builtin_scenario",
    "load_scenario",
    "parse_scenario",
    "resolve_scenario",
    "run_scenario",
    "scenario_hash",
    "simulate",
    "summarise",
]
