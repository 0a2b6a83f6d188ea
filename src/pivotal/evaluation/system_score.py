"""Score a system of dyads against its records: each dyad's forecasts from the system run.

A system's dyads share one pivot, so their forecasts come from one run of the whole system (the
observers of each dyad hearing the others' crises), and the precision multiplier is fitted once
for the system: the posterior behind dyad *d*'s forecast for period *t* weighs every dyad's record
before *t* (:func:`~pivotal.evaluation.calibration.fit_system_precision`).  What a dyad's forecasts
are compared with stays the dyad's own: its baselines are fitted on its own record, as for a
scenario scored alone, since they stand for what one could forecast from that theatre's history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from pivotal.evaluation.calibration import fit_system_precision
from pivotal.evaluation.score import ScoreReport, default_start, score_with_fit, scored_periods
from pivotal.scenario.system import LoadedSystem
from pivotal.scenario.timeline import Period, period_label, year_of

#: The verdict line that says where a dyad's model forecasts come from.
FROM_THE_SYSTEM = (
    "model forecasts from the run of system {system!r} (its {n} dyads in step), with the "
    "precision multiplier fitted on all the dyads' records; the baselines are this dyad's "
    "own."
)


def score_system(
    loaded: LoadedSystem,
    *,
    draws: int = 1000,
    seed: int = 0,
    start: Period | None = None,
    progress: Callable[[int, int], None] | None = None,
    contagion: float | None = None,
) -> dict[str, ScoreReport]:
    """Forecast every dyad's settled periods from the system run and score them, dyad by dyad.

    Parameters
    ----------
    loaded : a system whose dyads have records.
    draws : parameter draws per system run (one run per point of the precision grid).
    seed : random seed shared by all runs (common random numbers).
    start : first scored period of every dyad; default each dyad's own default (the fifth period
        after its first).  A dyad with no record to score from there is left out.
    progress : told (grid points done, grid points) after each system run.
    contagion : a fixed contagion for every run (None: drawn from the system file).

    Returns
    -------
    One :class:`~pivotal.evaluation.score.ScoreReport` per dyad scored, by scenario id, in the
    system's order; every dyad's record weighs in the fit, scored or not.

    Raises
    ------
    ValueError
        If ``start`` lies outside the system's periods, or no dyad has a record to score from it.
    """
    timeline = loaded.timeline
    if start is not None and not year_of(timeline[0]) <= start <= timeline[-1]:
        raise ValueError(
            f"start must lie in {period_label(timeline[0])}-{period_label(timeline[-1])}, "
            f"got {period_label(start)}"
        )
    starts = {s.id: default_start(s) if start is None else start for s in loaded.scenarios}
    scored = [s for s in loaded.scenarios if scored_periods(s, starts[s.id])]
    if not scored:
        asked = (
            f"from {period_label(start)} on"
            if start is not None
            else "from its default start ("
            + ", ".join(f"{i} {period_label(p)}" for i, p in starts.items())
            + ")"
        )
        raise ValueError(f"no dyad of system {loaded.system.id!r} has a record to score {asked}")
    fits = fit_system_precision(loaded, draws=draws, seed=seed, progress=progress, contagion=contagion)
    line = FROM_THE_SYSTEM.format(system=loaded.system.id, n=len(loaded.scenarios))
    reports = {}
    for scenario in scored:
        own = starts[scenario.id]
        report = score_with_fit(scenario, fits[scenario.id], draws=draws, seed=seed, start=own)
        reports[scenario.id] = replace(report, verdicts=[line, *report.verdicts])
    return reports
