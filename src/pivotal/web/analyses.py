"""What-if, score and sensitivity analyses as background jobs of the web app.

Each function builds a job's work from a validated request: it computes with the
library's own analysis, records the result in the run store as the CLI does (so a
run's report shows it too), and returns the analysis id.
"""

from __future__ import annotations

from pivotal.analysis import sobol_indices, what_if
from pivotal.analysis.sensitivity import AUTO_SAMPLES, uncertain_parameters
from pivotal.evaluation import score_scenario
from pivotal.evaluation.calibration import PRECISION_SCALES
from pivotal.runner import record_analysis
from pivotal.scenario import Scenario
from pivotal.scenario.overlay import Overlay
from pivotal.scenario.schema import PeriodRange
from pivotal.store import RunStore
from pivotal.web.jobs import Job, JobManager, Progress
from pivotal.web.models import ScoreRequest, SensitivityRequest, WhatIfRequest

VIA_WEB = {"via": "web"}


def start_whatif(
    jobs: JobManager,
    base: Scenario,
    change: Overlay,
    request: WhatIfRequest,
    *,
    seed: int,
    settings: list[str],
) -> Job:
    """The scenario against the scenario with ``change``, paired by common random numbers."""
    metrics = tuple(request.metrics)

    def work(progress: Progress, budget: int) -> str:
        result = what_if(base, [change], draws=request.draws, seed=seed, progress=progress)
        content = {**result.to_dict(metrics), "assume": []}
        return _record(
            jobs.store,
            "whatif",
            base,
            draws=request.draws,
            seed=seed,
            result=content,
            settings={
                "overlay": None,
                "set": settings,
                "periods": None,
                "assume": [],
                "metrics": list(metrics),
                "over": None,
            },
        )

    return jobs.submit_work(
        "whatif",
        base,
        work,
        draws=request.draws,
        seed=seed,
        use_record=True,
        settings=settings,
        total=2 * request.draws,
    )


def start_score(
    jobs: JobManager, scenario: Scenario, request: ScoreRequest, *, seed: int, settings: list[str]
) -> Job:
    """Forecasts of every settled period from ``start`` on, scored against the record."""

    def work(progress: Progress, budget: int) -> str:
        report = score_scenario(
            scenario, draws=request.draws, seed=seed, start=request.start, progress=progress
        )
        return _record(
            jobs.store,
            "score",
            scenario,
            draws=request.draws,
            seed=seed,
            result=report.to_dict(),
            settings={"start": report.start, "set": settings},
        )

    return jobs.submit_work(
        "score",
        scenario,
        work,
        draws=request.draws,
        seed=seed,
        use_record=True,
        settings=settings,
        total=len(PRECISION_SCALES),
        unit="precision grid points",
    )


def start_sensitivity(
    jobs: JobManager,
    scenario: Scenario,
    request: SensitivityRequest,
    span: PeriodRange,
    *,
    seed: int,
    settings: list[str],
) -> Job:
    """Sobol indices of the metric's mean over ``span``; progress counts the model's draws, up to
    those of the largest sample tried (a converged default stops before it)."""
    sizes = AUTO_SAMPLES if request.samples is None else (request.samples,)
    per_base_point = len(uncertain_parameters(scenario, span.end)) + 2
    total = sizes[-1] * per_base_point

    def work(progress: Progress, budget: int) -> str:
        before = [0]  # draws already run for the smaller samples, which the next one reuses

        def trying(size: int) -> None:
            smaller = [n for n in sizes if n < size]
            before[0] = smaller[-1] * per_base_point if smaller else 0

        def step(done: int, _: int) -> None:
            progress(before[0] + done, total)

        result = sobol_indices(
            scenario,
            metric=request.metric,
            periods=span,
            samples=request.samples,
            seed=seed,
            use_record=not request.free,
            progress=trying,
            step=step,
        )
        return _record(
            jobs.store,
            "sensitivity",
            scenario,
            draws=result.evaluations,
            seed=seed,
            result=result.to_dict(),
            settings={
                "metric": request.metric,
                "periods": str(span),
                "samples": result.samples,
                "use_record": not request.free,
                "set": settings,
            },
        )

    return jobs.submit_work(
        "sensitivity",
        scenario,
        work,
        draws=total,
        seed=seed,
        use_record=not request.free,
        settings=settings,
        total=total,
    )


def _record(
    store: RunStore, kind: str, scenario: Scenario, *, draws: int, seed: int, result: dict, settings: dict
) -> str:
    return record_analysis(
        store,
        kind,
        scenario,
        draws=draws,
        seed=seed,
        result=result,
        settings={**settings, **VIA_WEB},
        on_busy=_wait_quietly,
    )


def _wait_quietly(message: str) -> None:
    """A finished analysis waits for a busy store rather than being lost; the job shows it running."""
