"""The score job: the model's forecasts scored against the record, beside baselines, out of sample."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pivotal.evaluation import score_scenario
from pivotal.evaluation.score import ScoreReport
from pivotal.scenario import Scenario
from pivotal.service.analysis import Analysis, saved_if_asked
from pivotal.service.saving import OnBusy
from pivotal.simulation.fitted import FittedValues
from pivotal.store import RunStore


@dataclass(frozen=True, kw_only=True)
class ScoreOutcome(Analysis):
    """A finished score; ``content`` is ``report.to_dict()``."""

    report: ScoreReport


def score(
    scenario: Scenario,
    *,
    draws: int = 1000,
    seed: int = 0,
    start: int | None = None,
    fitted: FittedValues | None = None,
    progress: Callable[[int, int], None] | None = None,
    settings: dict[str, Any] | None = None,
    store: RunStore | None = None,
    save: bool = True,
    on_busy: OnBusy | None = None,
) -> ScoreOutcome:
    """Score ``scenario``'s forecasts from ``start`` on (:func:`pivotal.score_scenario`) and record
    the score when ``save``.

    ``fitted`` values stand in for their parameters' ranges (its fit is named in the settings);
    ``settings`` are kept beside the score's own (e.g. where it was asked from).
    """
    report = score_scenario(
        scenario,
        draws=draws,
        seed=seed,
        start=start,
        progress=progress,
        fitted=fitted,
        fitted_here=fitted is not None and scenario.id in fitted.cases,
    )
    outcome = ScoreOutcome(
        kind="score",
        scenario=scenario,
        draws=draws,
        seed=seed,
        settings={"start": report.start, **_fit(fitted), **(settings or {})},
        content=report.to_dict(),
        report=report,
    )
    return saved_if_asked(outcome, save=save, store=store, on_busy=on_busy)


def _fit(fitted: FittedValues | None) -> dict[str, Any]:
    return {} if fitted is None else {"fit": fitted.fit_id}
