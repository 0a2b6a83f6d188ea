"""The sensitivity job: which uncertain parameters drive an output, as Sobol indices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pivotal.analysis import sobol_indices
from pivotal.analysis.sensitivity import SobolResult
from pivotal.scenario import Scenario
from pivotal.scenario.schema import PeriodRange
from pivotal.service.analysis import Analysis, saved_if_asked
from pivotal.service.saving import OnBusy
from pivotal.simulation.engine import Progress
from pivotal.store import RunStore


@dataclass(frozen=True, kw_only=True)
class SensitivityOutcome(Analysis):
    """Finished Sobol indices; ``content`` is ``result.to_dict()``, ``draws`` the model's draws."""

    result: SobolResult


def sensitivity(
    scenario: Scenario,
    *,
    metric: str = "p_offensive",
    periods: PeriodRange | None = None,
    samples: int | None = None,
    seed: int = 0,
    use_record: bool = True,
    trying: Callable[[int], None] | None = None,
    step: Progress | None = None,
    settings: dict[str, Any] | None = None,
    store: RunStore | None = None,
    save: bool = True,
    on_busy: OnBusy | None = None,
) -> SensitivityOutcome:
    """Sobol indices of the mean of ``metric`` over ``periods`` (default: all), recorded when ``save``.

    ``trying(N)`` is told each base sample size as it starts (the default doubles N until the
    indices converge); ``step(done, total)`` counts the draws of the current one.
    """
    span = periods or PeriodRange(scenario.periods.start, scenario.periods.end)
    result = sobol_indices(
        scenario,
        metric=metric,
        periods=span,
        samples=samples,
        seed=seed,
        use_record=use_record,
        progress=trying,
        step=step,
    )
    outcome = SensitivityOutcome(
        kind="sensitivity",
        scenario=scenario,
        draws=result.evaluations,
        seed=seed,
        settings={
            "metric": metric,
            "periods": str(span),
            "samples": result.samples,
            "use_record": use_record,
            **(settings or {}),
        },
        content=result.to_dict(),
        result=result,
    )
    return saved_if_asked(outcome, save=save, store=store, on_busy=on_busy)
