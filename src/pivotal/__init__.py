"""pivotal: pivotal deterrence as a model you can run, question and test.

The Python API in brief:

>>> import pivotal
>>> scenario = pivotal.builtin_scenario("south-caucasus")
>>> run = pivotal.simulate(scenario, draws=200, seed=1)
>>> table = pivotal.summarise(run)        # a pandas DataFrame, one row per period
>>> len(table), table["period"].iloc[0], table["period"].iloc[-1]
(40, 1994, 2025)
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pivotal.analysis import sobol_indices, what_if
    from pivotal.evaluation import score_scenario
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
    from pivotal.service.run import Run, load_run, run_scenario
    from pivotal.simulation import METRICS, SimulationResult, simulate, summarise

try:
    __version__ = version("pivotal")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

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
    """A recorded run's HTML report as one self-contained page (the latest run when None).

    Returns
    -------
    str
        The page, which opens offline: its styles and charts are inside it.

    Raises
    ------
    RunNotFoundError
        No recorded run starts with ``run_id`` (or none is recorded).

    Examples
    --------
    The run is recorded in the run store (``PIVOTAL_HOME``; the tests give it a folder of its own):

    >>> import pivotal
    >>> run = pivotal.run_scenario(pivotal.builtin_scenario("beagle-channel"), draws=200, seed=1)
    >>> page = pivotal.build_report(run.run_id)
    >>> page.startswith("<!DOCTYPE html>"), run.run_id in page
    (True, True)
    """
    from pivotal.report.html import build_report as build
    from pivotal.store import RunStore

    store = RunStore()
    return build(store.resolve(run_id), store)


def counterfactual(base: Scenario, *changes: str) -> list:
    """The overlays for :func:`what_if`, in the order given: each change is a shipped counterfactual
    by name, an overlay file, or ``PATH=VALUE[@PERIODS]`` as ``pivotal whatif --set`` takes it
    (consecutive settings make one overlay); each is checked against ``base``.

    Returns
    -------
    list of Overlay
        One overlay for each shipped counterfactual or file, and one for each run of consecutive
        settings, in the order given.

    Raises
    ------
    ScenarioError
        A change that names no parameter, period or record entry of ``base``, or a value out of
        its parameter's range.

    Examples
    --------
    >>> import pivotal
    >>> base = pivotal.builtin_scenario("south-caucasus")
    >>> changes = pivotal.counterfactual(base, "no-ukraine-war-2022", "patron_shield=0@2020-2025")
    >>> [overlay.id for overlay in changes]
    ['no-ukraine-war-2022', 'settings']
    >>> result = pivotal.what_if(base, changes, draws=200)
    >>> result.diverges  # the first period either change touches
    2020
    """
    from pathlib import Path

    from pivotal.scenario.overlay import (
        builtin_overlay_names,
        check_overlay,
        overlay_from_settings,
        resolve_overlay,
    )

    overlays: list = []
    settings: list[str] = []
    for change in changes:
        if change in builtin_overlay_names() or Path(change).exists():
            if settings:
                overlays.append(overlay_from_settings(settings, base, option="counterfactual"))
                settings = []
            overlay, positions, source = resolve_overlay(change)
            check_overlay(overlay, base, source, positions)
            overlays.append(overlay)
        else:
            settings.append(change)
    if settings:
        overlays.append(overlay_from_settings(settings, base, option="counterfactual"))
    return overlays


#: Exported by name, imported when first used: ``import pivotal`` (and with it every command, even
#: ``pivotal --help``) loads none of NumPy, pandas, SciPy, pydantic or DuckDB until a name needs them.
_LAZY = {
    **dict.fromkeys(("Run", "load_run", "run_scenario"), "pivotal.service.run"),
    **dict.fromkeys(
        (
            "Scenario",
            "ScenarioError",
            "builtin_names",
            "builtin_scenario",
            "load_scenario",
            "parse_scenario",
            "resolve_scenario",
            "scenario_hash",
        ),
        "pivotal.scenario",
    ),
    **dict.fromkeys(("METRICS", "SimulationResult", "simulate", "summarise"), "pivotal.simulation"),
    "what_if": "pivotal.analysis",
    "sobol_indices": "pivotal.analysis",
    "score_scenario": "pivotal.evaluation",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'pivotal' has no attribute {name!r}")
