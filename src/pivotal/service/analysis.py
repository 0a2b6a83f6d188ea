"""What every analysis job shares: the finished analysis as one value, and its recording."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar

from pivotal.scenario import Scenario, scenario_hash
from pivotal.service.saving import OnBusy, patiently
from pivotal.store import RunStore


@dataclass(frozen=True, kw_only=True)
class Analysis:
    """A finished score, what-if or sensitivity analysis of one scenario.

    ``content`` is its result as JSON-ready data: what ``--json`` prints, what the run store keeps
    (and a run's report shows) and what the web app answers, so the three never drift apart.
    ``settings`` are what it was made with; ``analysis_id`` is set once it is recorded.
    """

    kind: str
    scenario: Scenario
    draws: int
    seed: int
    settings: dict[str, Any]
    content: dict[str, Any]
    analysis_id: str | None = None


AnalysisT = TypeVar("AnalysisT", bound=Analysis)


def save_analysis(analysis: AnalysisT, store: RunStore, on_busy: OnBusy | None = None) -> AnalysisT:
    """Record ``analysis`` in ``store``; returns it with its id (see :func:`record_analysis`)."""
    analysis_id = record_analysis(
        store,
        analysis.kind,
        analysis.scenario,
        draws=analysis.draws,
        seed=analysis.seed,
        settings=analysis.settings,
        result=analysis.content,
        on_busy=on_busy,
    )
    return dataclasses.replace(analysis, analysis_id=analysis_id)


def saved_if_asked(
    analysis: AnalysisT, *, save: bool, store: RunStore | None, on_busy: OnBusy | None
) -> AnalysisT:
    """What an analysis job returns: ``analysis``, recorded first when ``save`` (in ``store``, by
    default the user's run store)."""
    return save_analysis(analysis, store or RunStore(), on_busy) if save else analysis


def record_analysis(
    store: RunStore,
    kind: str,
    scenario: Scenario,
    *,
    draws: int,
    seed: int,
    settings: dict[str, Any],
    result: dict[str, Any],
    on_busy: OnBusy | None = None,
) -> str:
    """Record a finished score, what-if or sensitivity analysis; returns its id.

    As for a run, a store held past its lock timeout does not lose the result when ``on_busy`` is
    given: it is told why, and the analysis waits for the store.
    """
    return patiently(
        lambda where: where.record_analysis(
            kind=kind,
            scenario_id=scenario.id,
            scenario_hash=scenario_hash(scenario),
            draws=draws,
            seed=seed,
            settings=settings,
            result=result,
        ),
        store,
        f"{kind} analysis",
        on_busy,
    )
