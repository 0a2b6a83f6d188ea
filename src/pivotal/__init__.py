"""pivotal: pivotal deterrence as a model you can run, question and test.

The Python API in brief::

    import pivotal
    scenario = pivotal.builtin_scenario("south-caucasus")
    run = pivotal.simulate(scenario, draws=2000, seed=1)
    table = pivotal.summarise(run)        # a pandas DataFrame, one row per period
"""

from importlib.metadata import PackageNotFoundError, version

from pivotal.analysis import sobol_indices, what_if
from pivotal.evaluation import score_scenario
from pivotal.runner import Run, load_run, run_scenario
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
    "build_report",
    "builtin_names",
    "builtin_scenario",
    "counterfactual",
    "load_run",
    "load_scenario",
    "parse_scenario",
    "resolve_scenario",
    "run_scenario",
    "scenario_hash",
    "score_scenario",
    "simulate",
    "sobol_indices",
    "summarise",
    "what_if",
]


def build_report(run_id: str | None = None) -> str:
    """A recorded run's HTML report as one self-contained page (the latest run when None)."""
    from pivotal.report.html import build_report as build
    from pivotal.store import RunStore

    store = RunStore()
    return build(store.resolve(run_id), store)


def counterfactual(base: Scenario, *names_or_settings: str) -> list:
    """The overlays for :func:`what_if`: shipped counterfactuals by name, overlay files, or
    ``PATH=VALUE[@PERIODS]`` settings as ``pivotal whatif --set`` takes them, each checked against
    ``base``.

    >>> base = builtin_scenario()                                   # doctest: +SKIP
    >>> result = what_if(base, counterfactual(base, "no-ukraine-war-2022"), draws=2000)
    >>> result.plot("p_challenge")
    """
    from pivotal.scenario.overlay import check_overlay, overlay_from_settings, resolve_overlay

    overlays, settings = [], [x for x in names_or_settings if "=" in x]
    for name in (x for x in names_or_settings if "=" not in x):
        overlay, positions, source = resolve_overlay(name)
        check_overlay(overlay, base, source, positions)
        overlays.append(overlay)
    if settings:
        overlays.append(overlay_from_settings(settings, base))
    return overlays
