"""The what-if job: a counterfactual paired with the baseline, draw by draw."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pivotal.analysis import what_if
from pivotal.analysis.counterfactual import WhatIf
from pivotal.scenario import Scenario
from pivotal.scenario.overlay import Overlay
from pivotal.scenario.schema import PeriodRange
from pivotal.scenario.timeline import Period
from pivotal.service.analysis import Analysis, saved_if_asked
from pivotal.service.saving import OnBusy
from pivotal.simulation.engine import Progress
from pivotal.simulation.fitted import FittedValues
from pivotal.store import RunStore

#: The metrics a what-if shows when none are asked for.
WHATIF_METRICS = ("p_offensive", "p_challenge", "belief")


@dataclass(frozen=True, kw_only=True)
class WhatIfOutcome(Analysis):
    """A finished what-if: ``result`` holds both runs; ``over`` is the span averaged, if any."""

    result: WhatIf
    metrics: tuple[str, ...]
    over: PeriodRange | None = None


def whatif(
    base: Scenario,
    overlays: list[Overlay],
    *,
    metrics: Sequence[str] = WHATIF_METRICS,
    draws: int = 2000,
    seed: int = 0,
    over: str | None = None,
    assume: Sequence[str] = (),
    shared_record: Iterable[Period] = (),
    fitted: FittedValues | Callable[[Scenario], FittedValues] | None = None,
    progress: Progress | None = None,
    overlay: str | None = None,
    changes: Sequence[str] = (),
    periods: str | None = None,
    settings: dict[str, Any] | None = None,
    store: RunStore | None = None,
    save: bool = True,
    on_busy: OnBusy | None = None,
) -> WhatIfOutcome:
    """Run ``base`` against ``base`` with ``overlays`` (:func:`pivotal.what_if`) and record the
    comparison of ``metrics`` when ``save``.

    Parameters
    ----------
    base : the scenario both runs start from, with any assumption (``assume``) already applied.
    over : periods (e.g. ``2020-2023``) each metric is also averaged over.
    assume : the assumptions applied to both runs, as written; ``shared_record`` the periods whose
        record they set, which both runs then use.
    fitted : a fit's values, or a function from a scenario to them (each run gets its own).
    overlay, changes, periods : how the change was asked for (a shipped or file overlay's name,
        ``PATH=VALUE[@PERIODS]`` settings and their default periods), kept with the result.
    settings : kept beside the what-if's own (e.g. where it was asked from).
    """
    chosen = tuple(metrics)
    span = None if over is None else base.span(over)
    result = what_if(
        base,
        overlays,
        draws=draws,
        seed=seed,
        fitted=fitted,
        shared_record=shared_record,
        progress=progress,
    )
    fit = {} if fitted is None else {"fit": _fitted_on(fitted, base).fit_id}
    outcome = WhatIfOutcome(
        kind="whatif",
        scenario=base,
        draws=draws,
        seed=seed,
        settings={
            "overlay": overlay,
            "set": list(changes),
            "periods": periods,
            "assume": list(assume),
            "metrics": list(chosen),
            "over": over,
            **fit,
            **(settings or {}),
        },
        content={**result.to_dict(chosen, over=span), "assume": list(assume), **fit},
        result=result,
        metrics=chosen,
        over=span,
    )
    return saved_if_asked(outcome, save=save, store=store, on_busy=on_busy)


def _fitted_on(fitted: FittedValues | Callable[[Scenario], FittedValues], scenario: Scenario) -> FittedValues:
    return fitted if isinstance(fitted, FittedValues) else fitted(scenario)
