"""Score and what-if jobs over a system of dyads: one analysis of each dyad's scenario, marked as the
system's, so the reports of that system's runs show it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pivotal.analysis.system_whatif import system_what_if
from pivotal.evaluation.system_score import score_system
from pivotal.scenario import Scenario
from pivotal.scenario.overlay import Overlay
from pivotal.scenario.system import LoadedSystem
from pivotal.scenario.timeline import Period
from pivotal.service.analysis import AnalysisT, save_analysis
from pivotal.service.counterfactuals import WhatIfOutcome
from pivotal.service.saving import OnBusy
from pivotal.service.scoring import ScoreOutcome
from pivotal.store import RunStore


def contagion_text(fixed: float | None) -> str:
    """The contagion a system job used, as it is recorded and shown."""
    return "drawn from the system's range" if fixed is None else f"fixed at {fixed:g}"


@dataclass(frozen=True)
class SystemScoreOutcome:
    """Every scored dyad's score (in the system's order); ``content`` is what ``--json`` prints.
    ``unscored`` dyads have no record from the first scored period on (theirs still counts in the
    fit)."""

    analyses: tuple[ScoreOutcome, ...]
    content: dict[str, Any]
    unscored: tuple[str, ...]


@dataclass(frozen=True)
class SystemWhatIfOutcome:
    """Each dyad's part of a system what-if (in the system's order); ``content`` is what ``--json``
    prints; ``diverges`` is the first period the change touches."""

    analyses: tuple[WhatIfOutcome, ...]
    content: dict[str, Any]
    diverges: Period


def system_score(
    loaded: LoadedSystem,
    *,
    draws: int = 1000,
    seed: int = 0,
    start: int | None = None,
    contagion: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    store: RunStore | None = None,
    save: bool = True,
    on_busy: OnBusy | None = None,
) -> SystemScoreOutcome:
    """Score every dyad's forecasts from the system run (one precision fitted for the whole system)
    and record each dyad's score when ``save``; ValueError when no dyad can be scored from
    ``start``."""
    reports = score_system(
        loaded, draws=draws, seed=seed, start=start, progress=progress, contagion=contagion
    )
    contagion_used = contagion_text(contagion)
    analyses = tuple(
        ScoreOutcome(
            kind="score",
            scenario=scenario,
            draws=draws,
            seed=seed,
            settings={
                "start": reports[scenario.id].start,
                "system": loaded.system.id,
                "contagion": contagion_used,
            },
            content=reports[scenario.id].to_dict(),
            report=reports[scenario.id],
        )
        for scenario in _in_order(loaded, reports)
    )
    outcome = SystemScoreOutcome(
        analyses=analyses,
        content={
            "system": loaded.system.id,
            "contagion": contagion_used,
            "dyads": {a.scenario.id: a.content for a in analyses},
        },
        unscored=tuple(s.id for s in loaded.scenarios if s.id not in reports),
    )
    if not save:
        return outcome
    return dataclasses.replace(outcome, analyses=_saved(outcome.analyses, store, on_busy))


def system_whatif(
    loaded: LoadedSystem,
    dyad: str,
    change: Overlay,
    *,
    changes: Sequence[str],
    metrics: Sequence[str] = ("p_challenge", "belief"),
    over: str | None = None,
    draws: int = 2000,
    seed: int = 0,
    contagion: float | None = None,
    store: RunStore | None = None,
    save: bool = True,
    on_busy: OnBusy | None = None,
) -> SystemWhatIfOutcome:
    """What ``change`` to ``dyad`` (written as ``changes``) does to every dyad of the system, paired
    draw by draw; each dyad's part is recorded when ``save``.  A dyad whose periods begin after
    ``over`` starts gets no averages."""
    chosen = tuple(metrics)
    span = None if over is None else loaded.span(over)
    compared = system_what_if(loaded, dyad, change, draws=draws, seed=seed, contagion=contagion)
    contagion_used = contagion_text(contagion)
    analyses = []
    for scenario in loaded.scenarios:
        result = compared[scenario.id]
        averaged = span if span is not None and span.start >= result.baseline.periods[0] else None
        analyses.append(
            WhatIfOutcome(
                kind="whatif",
                scenario=scenario,
                draws=draws,
                seed=seed,
                settings={
                    "system": loaded.system.id,
                    "dyad": dyad,
                    "set": list(changes),
                    "metrics": list(chosen),
                    "over": over,
                    "contagion": contagion_used,
                },
                content=result.to_dict(chosen, over=averaged),
                result=result,
                metrics=chosen,
                over=averaged,
            )
        )
    outcome = SystemWhatIfOutcome(
        analyses=tuple(analyses),
        content={
            "system": loaded.system.id,
            "dyad": dyad,
            "set": list(changes),
            "contagion": contagion_used,
            "dyads": {a.scenario.id: a.content for a in analyses},
        },
        diverges=analyses[0].result.diverges,
    )
    if not save:
        return outcome
    return dataclasses.replace(outcome, analyses=_saved(outcome.analyses, store, on_busy))


def _saved(
    analyses: tuple[AnalysisT, ...], store: RunStore | None, on_busy: OnBusy | None
) -> tuple[AnalysisT, ...]:
    """Each dyad's analysis recorded, one after the other."""
    where = store or RunStore()
    return tuple(save_analysis(analysis, where, on_busy) for analysis in analyses)


def _in_order(loaded: LoadedSystem, scored: dict[str, Any]) -> list[Scenario]:
    """The system's scenarios that ``scored`` holds, in the order ``scored`` holds them."""
    by_id = {s.id: s for s in loaded.scenarios}
    return [by_id[scenario_id] for scenario_id in scored]
