"""The run job: simulate a scenario, summarise it, record it in the run store and return it.

Also what other jobs build on: :func:`compute_summary` (safe in worker processes, which never
open the store) and :func:`record_summary` (one run in one transaction), and the recording of a
system run.  ``pivotal.runner`` re-exports all of it under its former name.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from pivotal.scenario import Scenario, scenario_hash
from pivotal.scenario.loader import scenario_json
from pivotal.service.saving import OnBusy, patiently
from pivotal.simulation import METRICS, summarise
from pivotal.simulation.backends import DEFAULT_BACKEND
from pivotal.simulation.engine import Progress
from pivotal.simulation.fitted import FittedValues
from pivotal.simulation.streaming import RunSummary, simulate_summary
from pivotal.store import RunStore, StoredRun
from pivotal.store.runstore import summary_html

if TYPE_CHECKING:
    from pivotal.simulation.system import SystemResult
    from pivotal.store.runstore import SweepTask


@dataclass(frozen=True, repr=False)
class Run:
    """A finished, recorded run."""

    run_id: str | None
    seed: int
    result: RunSummary
    summary: pd.DataFrame

    def __repr__(self) -> str:
        return (
            f"Run(run_id={self.run_id!r}, scenario={self.result.scenario.id!r}, "
            f"draws={self.result.draws}, seed={self.seed}, periods={self.result.periods[0]}-"
            f"{self.result.periods[-1]})"
        )

    def _repr_html_(self) -> str:
        """A notebook's view: what was run, then each period's means (the intervals are in
        ``summary``)."""
        shown = [
            "period",
            "p_challenge",
            "p_offensive",
            "p_intervene",
            "p_deterred",
            "belief",
            "observed_challenge",
            "observed_response",
        ]
        table = self.summary[[c for c in shown if c in self.summary.columns]]
        title = f"{self.result.scenario.title} — {self.result.draws:,} draws, seed {self.seed}" + (
            f", run {self.run_id}" if self.run_id else ""
        )
        return summary_html(title, table)


def load_run(run_id: str | None = None, store: RunStore | None = None) -> StoredRun:
    """A recorded run (any unique start of its id; the latest when None) with its per-period table.

    Returns
    -------
    StoredRun
        ``record`` (id, scenario, seed, draws, version), ``summary`` (one row per period, as
        recorded) and the scenario's validated content as JSON.

    Raises
    ------
    RunNotFoundError
        No recorded run starts with ``run_id``, or the store holds none.

    Examples
    --------
    >>> import pivotal
    >>> run = pivotal.run_scenario(pivotal.builtin_scenario("beagle-channel"), draws=200, seed=1)
    >>> stored = pivotal.load_run(run.run_id[:6])
    >>> stored.record.run_id == run.run_id, stored.record.draws, len(stored.summary)
    (True, 200, 9)
    """
    store = store or RunStore()
    return store.get(store.resolve(run_id))


def fresh_seed() -> int:
    """A new seed from OS entropy, small enough to store and to type back in."""
    entropy = cast(int, np.random.SeedSequence().entropy)  # an int when none is given
    return entropy % (2**63)


def compute_summary(
    scenario: Scenario,
    *,
    draws: int,
    seed: int,
    use_record: bool = True,
    progress: Progress | None = None,
    backend: str = DEFAULT_BACKEND,
    threads: int | None = None,
    memory_budget: int | None = None,
    fitted: FittedValues | None = None,
) -> tuple[RunSummary, pd.DataFrame]:
    """Simulate and summarise, without touching the store (safe in worker processes).

    Streams the draws (:func:`simulate_summary`), so memory does not grow with
    ``draws``; ``progress(done, total)`` counts draws; ``memory_budget`` bytes bound what the
    run holds (default: the engine's ``MEMORY_BUDGET``).
    """
    result = simulate_summary(
        scenario,
        draws=draws,
        seed=seed,
        use_record=use_record,
        progress=progress,
        backend=backend,
        threads=threads,
        memory_budget=memory_budget,
        fitted=fitted,
    )
    return result, summarise(result)


def record_summary(
    store: RunStore,
    scenario: Scenario,
    *,
    draws: int,
    seed: int,
    use_record: bool,
    summary: pd.DataFrame,
    settings: dict | None = None,
    sweep_task: SweepTask | None = None,
) -> str:
    """Record a computed run in ``store`` in one transaction; returns its run id.  ``settings``
    (what the run was made with beyond the scenario, e.g. ``{"fit": id}``) are kept with it; a
    ``sweep_task`` (the sweep's row for this run) is written in the same transaction."""
    from pivotal import __version__

    return store.record(
        scenario_id=scenario.id,
        scenario_title=scenario.title,
        scenario_hash=scenario_hash(scenario),
        scenario_json=scenario_json(scenario),
        draws=draws,
        seed=seed,
        use_record=use_record,
        package_version=__version__,
        summary=summary,
        metrics=METRICS,
        settings=settings,
        sweep_task=sweep_task,
    )


def run_scenario(
    scenario: Scenario,
    *,
    draws: int = 2000,
    seed: int | None = None,
    use_record: bool = True,
    store: RunStore | None = None,
    save: bool = True,
    progress: Progress | None = None,
    backend: str = DEFAULT_BACKEND,
    threads: int | None = None,
    on_busy: OnBusy | None = None,
    fitted: FittedValues | None = None,
    record: bool | None = None,
    memory_budget: int | None = None,
    settings: dict | None = None,
) -> Run:
    """Simulate ``scenario`` and record the run; ``seed=None`` picks one and records it.

    When the store is held by another process past its lock timeout and ``on_busy`` is given, the
    finished run is not thrown away: ``on_busy`` is told why, and the run waits for the store as
    long as it takes (without it, StoreBusyError is raised as before).  ``fitted`` values (a fit's,
    :mod:`pivotal.simulation.fitted`) stand in for their parameters' ranges; ``settings`` are kept
    with the run (:func:`record_summary`).  ``save=False`` computes the run without recording it;
    ``record`` is that option's old name (deprecated: it read as the scenario's record, which is
    what ``use_record`` is about).

    Returns
    -------
    Run
        The run's id in the store (None when not saved), its seed, every draw's outputs
        (``result``) and the per-period table (``summary``: each metric's mean and 90% interval
        beside the record).

    Examples
    --------
    The run is recorded in the run store (``PIVOTAL_HOME``; the tests give it a folder of its own):

    >>> import pivotal
    >>> scenario = pivotal.builtin_scenario("beagle-channel")
    >>> run = pivotal.run_scenario(scenario, draws=200, seed=1)
    >>> len(run.run_id), run.seed, len(run.summary)
    (12, 1, 9)
    >>> round(float(run.summary["p_challenge"].iloc[0]), 3)
    0.078
    >>> pivotal.run_scenario(scenario, draws=200, seed=1, save=False).run_id is None
    True
    """
    if record is not None:
        warnings.warn(
            "run_scenario(record=...) is now run_scenario(save=...)", DeprecationWarning, stacklevel=2
        )
        save = record
    seed = fresh_seed() if seed is None else seed
    result, summary = compute_summary(
        scenario,
        draws=draws,
        seed=seed,
        use_record=use_record,
        progress=progress,
        backend=backend,
        threads=threads,
        memory_budget=memory_budget,
        fitted=fitted,
    )
    finished = Run(run_id=None, seed=seed, result=result, summary=summary)
    if not save:
        return finished
    run_id = record_run(
        store or RunStore(), finished, draws=draws, use_record=use_record, on_busy=on_busy, settings=settings
    )
    return Run(run_id=run_id, seed=seed, result=result, summary=summary)


def record_run(
    store: RunStore,
    run: Run,
    *,
    draws: int,
    use_record: bool,
    on_busy: OnBusy | None = None,
    settings: dict | None = None,
) -> str:
    """Record a finished run; returns its id.

    When the store is held by another process past its lock timeout and ``on_busy`` is given, the
    run is not thrown away: ``on_busy`` is told why, and the run waits for the store as long as it
    takes (without it, StoreBusyError is raised).
    """
    return patiently(
        lambda where: record_summary(
            where,
            run.result.scenario,
            draws=draws,
            seed=run.seed,
            use_record=use_record,
            summary=run.summary,
            settings=settings,
        ),
        store,
        "run",
        on_busy,
    )


def record_system_run(
    store: RunStore,
    result: SystemResult,
    *,
    contagion: float | None = None,
    summaries: list[pd.DataFrame] | None = None,
    on_busy: OnBusy | None = None,
) -> list[str]:
    """Record every dyad of a system run as a run of its scenario, all in one transaction; returns
    their ids in the system's order.

    Each run's settings name the system, the run of the system it belongs to (one id for all its
    dyads) and the contagion, so a dyad's run is never mistaken for its scenario run alone.
    """
    import uuid

    from pivotal import __version__
    from pivotal.store.runstore import NewRun

    system = result.loaded.system
    ids = [dyad.scenario.id for dyad in result.dyads]
    shared = {
        "id": system.id,
        "title": system.title,
        "run": uuid.uuid4().hex[:12],
        "dyads": ids,
        "contagion": "drawn from the system's range" if contagion is None else contagion,
    }
    runs = [
        NewRun(
            scenario_id=dyad.scenario.id,
            scenario_title=dyad.scenario.title,
            scenario_hash=scenario_hash(dyad.scenario),
            scenario_json=scenario_json(dyad.scenario),
            draws=result.draws,
            seed=result.seed,
            use_record=dyad.use_record,
            package_version=__version__,
            summary=summary,
            metrics=METRICS,
            settings={"system": {**shared, "dyad": dyad.scenario.id}},
        )
        for dyad, summary in zip(result.dyads, summaries or [summarise(d) for d in result.dyads], strict=True)
    ]
    return patiently(lambda where: where.record_together(runs), store, "system run", on_busy)
