"""What-if, score and sensitivity analyses as background jobs of the web app.

Each function builds a job's work from a validated request: the service computes it and records it
in the run store as for the CLI (so a run's report shows it too), and the job keeps its id.
"""

from __future__ import annotations

from pivotal import service
from pivotal.analysis.sensitivity import AUTO_SAMPLES, uncertain_parameters
from pivotal.evaluation.calibration import PRECISION_SCALES
from pivotal.scenario import Scenario
from pivotal.scenario.overlay import Overlay
from pivotal.scenario.schema import PeriodRange
from pivotal.service.analysis import Analysis
from pivotal.web.jobs import Job, JobManager, Progress, wait_quietly
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

    def work(progress: Progress, budget: int) -> str:
        return _id(
            service.whatif(
                base,
                [change],
                metrics=request.metrics,
                draws=request.draws,
                seed=seed,
                progress=progress,
                changes=settings,
                settings=VIA_WEB,
                store=jobs.store,
                on_busy=wait_quietly,
            )
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
        return _id(
            service.score(
                scenario,
                draws=request.draws,
                seed=seed,
                start=request.start,
                progress=progress,
                settings={"set": settings, **VIA_WEB},
                store=jobs.store,
                on_busy=wait_quietly,
            )
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

        return _id(
            service.sensitivity(
                scenario,
                metric=request.metric,
                periods=span,
                samples=request.samples,
                seed=seed,
                use_record=not request.free,
                trying=trying,
                step=step,
                settings={"set": settings, **VIA_WEB},
                store=jobs.store,
                on_busy=wait_quietly,
            )
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


def _id(analysis: Analysis) -> str:
    """The recorded analysis's id, which the job keeps."""
    if analysis.analysis_id is None:
        raise RuntimeError("the analysis was not recorded")
    return analysis.analysis_id
