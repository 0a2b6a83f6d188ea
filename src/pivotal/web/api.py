"""The JSON, SVG and file endpoints under ``/api``.

Handlers stay thin: they check input, call the scenario loader, the job
manager, the run store or the report, and let the error handlers in
:mod:`pivotal.web.app` turn library exceptions into 4xx answers.
"""

from __future__ import annotations

import functools
import math
import tempfile
from datetime import UTC
from pathlib import Path
from typing import Annotated, Any, Literal

import duckdb
import pandas as pd
from fastapi import APIRouter, File, HTTPException, Query, Request, Response, UploadFile
from fastapi import Path as PathParam

from pivotal.model.parameters import PARAMETERS
from pivotal.scenario import Scenario, builtin_names, builtin_scenario
from pivotal.scenario.overlay import Overlay, apply_overlay, overlay_from_settings
from pivotal.scenario.schema import Citation, PeriodRange, Source
from pivotal.scenario.timeline import as_period, period_label, year_of
from pivotal.service.run import fresh_seed
from pivotal.simulation import METRICS
from pivotal.store import RunRecord, RunStore, StoredRun
from pivotal.web.jobs import JobManager
from pivotal.web.models import (
    ANALYSIS_ID,
    JOB_ID,
    MAX_DRAWS,
    MAX_UPLOAD_BYTES,
    MAX_WHATIF_CELLS,
    RUN_ID,
    SCENARIO_NAME,
    UPLOAD_ID,
    AnalysisInfo,
    ApiError,
    BuiltinScenario,
    Comparison,
    ComparisonRow,
    JobInfo,
    Meta,
    ParameterEvidence,
    ParameterInfo,
    ParameterSetting,
    PieceInfo,
    RerunRequest,
    RunInfo,
    RunRequest,
    ScenarioChoice,
    ScenarioInfo,
    ScoreRequest,
    SensitivityRequest,
    WhatIfRequest,
)
from pivotal.web.uploads import UploadCache

#: Multipart framing around a 1 MiB file stays well under this.
UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + 64 * 1024
JSON_BODY_LIMIT = 256 * 1024
UPLOAD_PATH = "/api/scenarios/upload"
#: The source id that parameter values fixed in the app cite in the recorded scenario.
WEB_SOURCE = "web-controls"

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ApiError, "description": "Not found."}}
INVALID: dict[int | str, dict[str, Any]] = {
    422: {"model": ApiError, "description": "Invalid input; scenario mistakes name file, line and field."}
}
ERRORS = {**NOT_FOUND, **INVALID}
BAD_BODY: dict[int | str, dict[str, Any]] = {
    400: {"model": ApiError, "description": "The body cannot be read: not JSON, or not a multipart form."}
}
JOB_ANSWERS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    **BAD_BODY,
    429: {"model": ApiError, "description": "Too many jobs are waiting."},
}
#: The same answers for a route whose success is not JSON (the report): FastAPI would otherwise
#: document its errors under the route's own media type.
_API_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
PAGE_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"description": answer["description"], "content": _API_ERROR} for code, answer in ERRORS.items()
}

router = APIRouter(prefix="/api")

MetricName = Literal[METRICS]  # type: ignore[valid-type]

RunId = Annotated[str, PathParam(pattern=RUN_ID, description="A run id, or any unique start of one.")]


def _store(request: Request) -> RunStore:
    return request.app.state.store


def _jobs(request: Request) -> JobManager:
    return request.app.state.jobs


def _uploads(request: Request) -> UploadCache:
    return request.app.state.uploads


@router.get("/meta", response_model=Meta, summary="Metrics, chart names and limits")
def meta() -> Meta:
    from pivotal import __version__
    from pivotal.report.charts import CHART_NAMES

    return Meta(
        version=__version__,
        metrics=list(METRICS),
        charts=list(CHART_NAMES),
        max_draws=MAX_DRAWS,
        max_upload_bytes=MAX_UPLOAD_BYTES,
    )


@router.get("/scenarios", response_model=list[BuiltinScenario], summary="Built-in scenarios")
def scenarios() -> list[BuiltinScenario]:
    found = []
    for name in builtin_names():
        s = _load_builtin(name)
        found.append(BuiltinScenario(name=name, title=s.title, start=s.periods.start, end=s.periods.end))
    return found


@router.get(
    "/scenarios/{name}",
    response_model=ScenarioInfo,
    summary="A built-in scenario's parameters",
    responses=ERRORS,
)
def scenario(name: Annotated[str, PathParam(pattern=SCENARIO_NAME)]) -> ScenarioInfo:
    return _scenario_info(_builtin(name), name=name)


@router.get(
    "/scenarios/{name}/evidence",
    response_model=ParameterEvidence,
    responses=ERRORS,
    summary="Passages of the added documents beside each parameter of a built-in scenario",
)
def scenario_evidence(
    request: Request, name: Annotated[str, PathParam(pattern=SCENARIO_NAME)]
) -> ParameterEvidence:
    return _evidence(request, _builtin(name))


@router.get(
    "/uploads/{upload_id}/evidence",
    response_model=ParameterEvidence,
    responses=ERRORS,
    summary="Passages of the added documents beside each parameter of an uploaded scenario",
)
def upload_evidence(
    request: Request, upload_id: Annotated[str, PathParam(pattern=UPLOAD_ID)]
) -> ParameterEvidence:
    return _evidence(request, _uploads(request).get(upload_id))


def _evidence(request: Request, scenario: Scenario) -> ParameterEvidence:
    from pivotal.evidence import EvidenceStore, passages_beside_parameters, scenario_documents

    store = EvidenceStore(_store(request).path)
    notes = passages_beside_parameters(scenario, store)
    return ParameterEvidence(
        documents=len(scenario_documents(scenario, store.documents())) if notes else 0, parameters=notes
    )


@router.post(
    "/scenarios/upload",
    response_model=ScenarioInfo,
    summary="Upload and validate a YAML scenario",
    responses={**INVALID, **BAD_BODY, 413: {"model": ApiError, "description": "The file is over 1 MiB."}},
    max_body_size=UPLOAD_BODY_LIMIT,
)
def upload(
    request: Request, file: Annotated[UploadFile, File(description="A scenario YAML file.")]
) -> ScenarioInfo:
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(
            413,
            f"the scenario file is over {MAX_UPLOAD_BYTES // 1024} KiB; "
            "a scenario is a few hundred lines of YAML",
        )
    upload_id, parsed = _uploads(request).add(data, file.filename)
    return _scenario_info(parsed, upload_id=upload_id)


@router.post(
    "/runs",
    response_model=JobInfo,
    status_code=202,
    summary="Start a run in the background",
    responses={
        **ERRORS,
        **BAD_BODY,
        413: {"model": ApiError, "description": "The body is too large."},
        429: {"model": ApiError, "description": "Too many runs are waiting."},
    },
    max_body_size=JSON_BODY_LIMIT,
)
def start_run(request: Request, response: Response, body: RunRequest) -> JobInfo:
    scenario, settings = _chosen(request, body)
    seed = fresh_seed() if body.seed is None else int(body.seed)
    job = _jobs(request).submit(
        scenario, draws=body.draws, seed=seed, use_record=not body.free, settings=settings
    )
    return _started(response, job.info())


@router.post(
    "/runs/{run_id}/rerun",
    response_model=JobInfo,
    status_code=202,
    responses=JOB_ANSWERS,
    summary="Run a recorded run's scenario again with another seed and draw count",
    max_body_size=JSON_BODY_LIMIT,
)
def rerun(request: Request, response: Response, run_id: RunId, body: RerunRequest) -> JobInfo:
    from pivotal.report.data import stored_scenario

    stored = _recorded(request, run_id)
    system = _system_of(stored.record)
    if system is not None:
        raise HTTPException(
            422,
            f"run {stored.record.run_id} is one dyad of a run of the system "
            f"{system.get('id')}, whose observers also heard the other dyads: run "
            f"the system again with `pivotal system run {system.get('id')}`",
        )
    try:
        scenario = stored_scenario(stored)
    except ValueError as err:
        raise HTTPException(
            422,
            f"run {stored.record.run_id} cannot be run again: its stored scenario no "
            f"longer validates ({' '.join(str(err).split())[:200]})",
        ) from err
    use_record = stored.record.use_record if body.free is None else not body.free
    job = _jobs(request).submit(
        scenario,
        draws=body.draws,
        seed=int(body.seed),
        use_record=use_record,
        settings=_run_info(stored.record).settings,
    )
    return _started(response, job.info())


@router.post(
    "/whatif",
    response_model=JobInfo,
    status_code=202,
    summary="Start a what-if: the scenario against it with the settings applied, paired",
    responses=JOB_ANSWERS,
    max_body_size=JSON_BODY_LIMIT,
)
def start_whatif(request: Request, response: Response, body: WhatIfRequest) -> JobInfo:
    from pivotal.web import analyses

    base = _base(request, body)
    periods = len(base.timeline)
    cells = body.draws * periods
    if cells > MAX_WHATIF_CELLS:
        raise HTTPException(
            422,
            f"draws: a what-if keeps both runs' draws for every period; "
            f"{body.draws:,} draws x {periods} periods is over "
            f"{MAX_WHATIF_CELLS:,}, so at most {MAX_WHATIF_CELLS // periods:,} "
            "draws for this scenario",
        )
    settings = [_setting_text(s, base) for s in body.settings]
    change = _cited(overlay_from_settings(settings, base)).model_copy(update={"title": ", ".join(settings)})
    seed = fresh_seed() if body.seed is None else int(body.seed)
    return _started(
        response,
        analyses.start_whatif(_jobs(request), base, change, body, seed=seed, settings=settings).info(),
    )


@router.post(
    "/score",
    response_model=JobInfo,
    status_code=202,
    summary="Start scoring the scenario's forecasts against its record, out of sample",
    responses=JOB_ANSWERS,
    max_body_size=JSON_BODY_LIMIT,
)
def start_score(request: Request, response: Response, body: ScoreRequest) -> JobInfo:
    from pivotal.evaluation.score import default_start, scored_periods
    from pivotal.web import analyses

    scenario, settings = _chosen(request, body)
    first, last = scenario.periods.start, scenario.periods.end
    start = default_start(scenario) if body.start is None else body.start
    if not first <= start <= last:
        raise HTTPException(422, f"start: must lie in {first}-{last}, got {start}")
    if not scored_periods(scenario, start):
        raise HTTPException(422, f"no period from {start} on has a record to score; give an earlier start")
    seed = 0 if body.seed is None else int(body.seed)
    return _started(
        response, analyses.start_score(_jobs(request), scenario, body, seed=seed, settings=settings).info()
    )


@router.post(
    "/sensitivity",
    response_model=JobInfo,
    status_code=202,
    summary="Start a sensitivity analysis: Sobol indices of one output",
    responses=JOB_ANSWERS,
    max_body_size=JSON_BODY_LIMIT,
)
def start_sensitivity(request: Request, response: Response, body: SensitivityRequest) -> JobInfo:
    from pivotal.analysis.sensitivity import uncertain_parameters
    from pivotal.scenario.schema import PeriodRange
    from pivotal.web import analyses

    scenario, settings = _chosen(request, body)
    first, last = scenario.periods.start, scenario.periods.end
    span = PeriodRange(first if body.start is None else body.start, last if body.end is None else body.end)
    if span.start < first or span.end > last or span.start > span.end:
        raise HTTPException(422, f"start, end: the periods must lie within {first}-{last}, got {span}")
    if not uncertain_parameters(scenario, span.end):
        raise HTTPException(422, "the scenario has no uncertain parameter left (every one is fixed)")
    seed = 0 if body.seed is None else int(body.seed)
    return _started(
        response,
        analyses.start_sensitivity(_jobs(request), scenario, body, span, seed=seed, settings=settings).info(),
    )


@router.get(
    "/analyses/{analysis_id}",
    response_model=AnalysisInfo,
    responses=ERRORS,
    summary="A recorded analysis and its result",
)
def analysis(request: Request, analysis_id: Annotated[str, PathParam(pattern=ANALYSIS_ID)]) -> AnalysisInfo:
    record = _store(request).get_analysis(analysis_id)
    created = record.created_at if record.created_at.tzinfo else record.created_at.replace(tzinfo=UTC)
    return AnalysisInfo(
        analysis_id=record.analysis_id,
        kind=record.kind,
        created_at=created,
        scenario_id=record.scenario_id,
        draws=record.draws,
        seed=None if record.seed is None else str(record.seed),
        settings=record.settings,
        result=record.result,
    )


@router.get(
    "/analyses/{analysis_id}/figure",
    summary="A recorded analysis as an interactive (Plotly) chart",
    responses=ERRORS,
)
def analysis_figure(
    request: Request, analysis_id: Annotated[str, PathParam(pattern=ANALYSIS_ID)]
) -> dict[str, Any]:
    from pivotal.report.charts import usable_analysis
    from pivotal.web.figures import figure

    record = _store(request).get_analysis(analysis_id)
    if not usable_analysis(record.kind, record.result):
        raise HTTPException(422, f"analysis {record.analysis_id} holds nothing to draw")
    return figure(record.kind, analysis=record.result)


def _base(request: Request, body: ScenarioChoice) -> Scenario:
    """The scenario a request names, as written: a built-in by name or an upload by id."""
    if body.scenario is not None:
        return _builtin(body.scenario)
    return _uploads(request).get(body.upload_id or "")


def _chosen(request: Request, body: ScenarioChoice) -> tuple[Scenario, list[str]]:
    """The scenario with the request's parameter settings applied, and the settings as `--set` text."""
    base = _base(request, body)
    settings = [_setting_text(s, base) for s in body.settings]
    scenario = apply_overlay(base, _cited(overlay_from_settings(settings, base))) if settings else base
    return scenario, settings


def _started(response: Response, job: JobInfo) -> JobInfo:
    response.headers["Location"] = f"/api/jobs/{job.job_id}"
    return job


@router.get("/jobs", response_model=list[JobInfo], summary="Runs started here, newest first")
def jobs(request: Request) -> list[JobInfo]:
    return [job.info() for job in _jobs(request).jobs()]


@router.get("/jobs/{job_id}", response_model=JobInfo, summary="A background run's progress", responses=ERRORS)
def job(request: Request, job_id: Annotated[str, PathParam(pattern=JOB_ID)]) -> JobInfo:
    return _jobs(request).get(job_id).info()


@router.delete(
    "/jobs/{job_id}", response_model=JobInfo, summary="Cancel a queued or running run", responses=ERRORS
)
def cancel_job(request: Request, job_id: Annotated[str, PathParam(pattern=JOB_ID)]) -> JobInfo:
    return _jobs(request).cancel(job_id).info()


@router.get("/runs", response_model=list[RunInfo], summary="Recorded runs, newest first", responses=INVALID)
def runs(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[RunInfo]:
    return [_run_info(r) for r in _store(request).list_runs()[:limit]]


@router.get("/runs/{run_id}", response_model=RunInfo, summary="One recorded run", responses=ERRORS)
def run(request: Request, run_id: RunId) -> RunInfo:
    return _run_info(_recorded(request, run_id).record)


@router.get(
    "/runs/{run_id}/charts/{name}.svg",
    summary="One of the run's charts as SVG",
    response_class=Response,
    responses={**ERRORS, 200: {"content": {"image/svg+xml": {}}, "description": "An SVG document."}},
)
def chart(
    request: Request, run_id: RunId, name: Annotated[str, PathParam(pattern=r"^[a-z0-9_\-]{1,40}$")]
) -> Response:
    from pivotal.report.charts import CHART_NAMES

    if name not in CHART_NAMES:
        raise HTTPException(404, f"no chart named {name!r}; charts: {', '.join(CHART_NAMES)}")
    store_path, full_id = _still_there(request, run_id)
    try:
        svg = _chart(store_path, full_id, name)
    except ValueError as err:
        raise HTTPException(422, f"chart {name!r} cannot be drawn for run {full_id}: {err}") from err
    return Response(
        svg,
        media_type="image/svg+xml",
        headers={
            "Cache-Control": "private, max-age=3600",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )


@router.get(
    "/runs/{run_id}/figures",
    summary="The run's interactive (Plotly) charts, those it can draw",
    responses=ERRORS,
)
def figures(request: Request, run_id: RunId) -> dict[str, Any]:
    """Every chart the run has inputs for: its summary, its scenario (when it still validates) and the
    latest analyses of that scenario; one request, so the page asks for nothing it cannot show."""
    from pivotal.report.data import analyses_of_run
    from pivotal.web.figures import ANALYSIS_FIGURES

    store_path, full_id = _still_there(request, run_id)
    drawn = list(_run_figures(store_path, full_id))
    stored = _recorded_once(store_path, full_id)
    latest = analyses_of_run(_store(request), stored.record)
    drawn += [
        f
        for f in (_drawn(name, analysis=latest[name].result) for name in ANALYSIS_FIGURES if name in latest)
        if f is not None
    ]
    return {"run_id": full_id, "charts": drawn}


def _drawn(name: str, **inputs: Any) -> dict[str, Any] | None:
    """One figure, or None when what it needs is missing or malformed (a run or an analysis of an
    older release): the other charts are still shown."""
    from pivotal.web.figures import figure

    try:
        return figure(name, **inputs)
    except (ValueError, KeyError, TypeError):
        return None


@functools.lru_cache(maxsize=32)
def _run_figures(store_path: str, run_id: str) -> tuple[dict[str, Any], ...]:
    """A run's own charts; a recorded run never changes, so they are drawn once."""
    from pivotal.report.data import stored_scenario
    from pivotal.web.figures import SCENARIO_FIGURES, SUMMARY_FIGURES

    stored = _recorded_once(store_path, run_id)
    try:
        scenario: Scenario | None = stored_scenario(stored)
    except ValueError:  # a stored scenario that no longer validates: draw what the summary alone shows
        scenario = None
    names = SUMMARY_FIGURES + (SCENARIO_FIGURES if scenario is not None else ())
    drawn = (_drawn(name, summary=stored.summary, scenario=scenario) for name in names)
    return tuple(f for f in drawn if f is not None)


@router.get(
    "/runs/{run_id}/results.csv",
    summary="The run's per-period results as CSV",
    response_class=Response,
    responses={**ERRORS, 200: {"content": {"text/csv": {}}}},
)
def results_csv(request: Request, run_id: RunId) -> Response:
    stored = _recorded(request, run_id)
    return Response(
        stored.summary.to_csv(index=False), media_type="text/csv", headers=_attachment(stored, "csv")
    )


@router.get(
    "/runs/{run_id}/results.parquet",
    summary="The run's per-period results as Parquet",
    response_class=Response,
    responses={**ERRORS, 200: {"content": {"application/vnd.apache.parquet": {}}}},
)
def results_parquet(request: Request, run_id: RunId) -> Response:
    stored = _recorded(request, run_id)
    return Response(
        parquet_bytes(stored.summary),
        media_type="application/vnd.apache.parquet",
        headers=_attachment(stored, "parquet"),
    )


@router.get(
    "/compare",
    response_model=Comparison,
    summary="One metric of two runs, period by period",
    responses=ERRORS,
)
def compare(
    request: Request,
    a: Annotated[str, Query(pattern=RUN_ID, description="The first run (any unique start of its id).")],
    b: Annotated[str, Query(pattern=RUN_ID, description="The second run.")],
    metric: Annotated[MetricName, Query(description="One of the run's metrics.")] = "p_offensive",
) -> Comparison:
    first, second = _recorded(request, a), _recorded(request, b)
    # A run recorded before a metric existed has no value for it: null, not an error.
    left = first.summary.reindex(columns=["period", metric]).rename(columns={metric: "a"})
    right = second.summary.reindex(columns=["period", metric]).rename(columns={metric: "b"})
    table = left.merge(right, on="period", how="outer").sort_values("period")
    rows = [
        ComparisonRow(
            period=as_period(r.period),
            label=period_label(r.period),
            a=_number(r.a),
            b=_number(r.b),
            difference=_number(r.b - r.a),
        )
        for r in table.itertuples()
    ]
    note, pairable = _unpaired(first, second)
    return Comparison(
        metric=metric,
        a=_run_info(first.record),
        b=_run_info(second.record),
        rows=rows,
        paired=note is None,
        note=note,
        pairable=pairable,
    )


def _unpaired(a: StoredRun, b: StoredRun) -> tuple[str | None, bool]:
    """Why two runs' difference is not the change alone, and whether rerunning B can pair them.

    Runs pair draw by draw (common random numbers) when they share the seed, the draws and the
    use of the record, and lay their random numbers out alike: the same scenario over the same
    periods.  Rerunning B with A's seed, draws and record use pairs runs of one scenario.
    """
    first, second = a.record, b.record
    system_a, system_b = _system_of(first), _system_of(second)
    one_alone = (system_a is None) != (system_b is None)
    if one_alone or (system_a and system_b and system_a.get("run") != system_b.get("run")):
        return (
            "Not paired: "
            + (
                "one run is a dyad of a system run, whose observers also heard the other "
                "dyads, and the other is not"
                if one_alone
                else "the runs are dyads of different system runs"
            )
            + "; the difference mixes that with everything else that differs."
        ), False
    periods = [tuple(run.summary["period"].astype(float)) for run in (a, b)]
    if first.scenario_id != second.scenario_id or periods[0] != periods[1]:
        return (
            f"Not paired: the runs are of different scenarios or periods ({first.scenario_id} and "
            f"{second.scenario_id}), so their draws do not match year by year; the difference "
            "mixes Monte Carlo noise with everything that differs."
        ), False
    differ = []
    if first.seed is None or first.seed != second.seed:
        differ.append(f"seeds ({first.seed} and {second.seed})")
    if first.draws != second.draws:
        differ.append(f"draws ({first.draws:,} and {second.draws:,})")
    if first.use_record != second.use_record:
        differ.append("use of the record (one ignores it)")
    if not differ:
        return None, False
    return (
        f"Not paired: the runs differ in {' and '.join(differ)}, so part of each difference is "
        "Monte Carlo noise or that setting rather than the change. Rerun B with A's seed, draws and "
        "record use for a paired comparison."
    ), True


def _recorded(request: Request, run_id: str) -> StoredRun:
    """A recorded run by id or unique start of one; its content is read from the store only once."""
    return _recorded_once(*_still_there(request, run_id))


def _still_there(request: Request, run_id: str) -> tuple[str, str]:
    """The store and the run's whole id, asked of the store each time: a run removed by `pivotal runs
    --delete` since it was cached is gone here too (a quick query; the content is what is cached)."""
    store = _store(request)
    return str(store.path), store.resolve(run_id)


@functools.lru_cache(maxsize=256)
def _recorded_once(store_path: str, run_id: str) -> StoredRun:
    """A recorded run never changes (it can only be removed, which the caller checks first), so one
    read serves every later request."""
    return RunStore(store_path).get(run_id)


@functools.lru_cache(maxsize=128)
def _chart(store_path: str, run_id: str, name: str) -> str:
    """One chart of one run; recorded runs never change, so a drawn chart is kept for the next request."""
    from pivotal.report.charts import chart_svg
    from pivotal.report.data import stored_scenario

    stored = _recorded_once(store_path, run_id)
    try:
        scenario: Scenario | None = stored_scenario(stored)
    except ValueError:  # a stored scenario that no longer validates: draw what the summary alone shows
        scenario = None
    return chart_svg(name, summary=stored.summary, scenario=scenario, analysis=None)


def parquet_bytes(table: pd.DataFrame) -> bytes:
    """The table as a Parquet file, written by DuckDB (no pyarrow needed)."""
    with tempfile.TemporaryDirectory(prefix="pivotal-") as folder:
        path = Path(folder) / "results.parquet"
        con = duckdb.connect(":memory:")
        try:
            con.register("results", table)
            quoted = str(path).replace("'", "''")
            con.execute(f"COPY results TO '{quoted}' (FORMAT parquet)")
        finally:
            con.close()
        return path.read_bytes()


def _builtin(name: str) -> Scenario:
    """A built-in scenario by name only: the name is looked up, never used as a path."""
    if name not in builtin_names():
        known = ", ".join(builtin_names())
        raise HTTPException(404, f"no built-in scenario named {name!r}; built-in: {known}")
    return _load_builtin(name)


@functools.lru_cache(maxsize=16)
def _load_builtin(name: str) -> Scenario:
    """Built-in scenarios ship with the package and never change while it runs: parse each once."""
    return builtin_scenario(name)


def _scenario_info(s: Scenario, *, name: str | None = None, upload_id: str | None = None) -> ScenarioInfo:
    parameters = []
    for spec in PARAMETERS:
        pieces = s.pieces_of(spec.name)
        parameters.append(
            ParameterInfo(
                name=spec.name,
                symbol=spec.symbol,
                meaning=spec.meaning,
                lower=spec.lower,
                upper=None if math.isinf(spec.upper) else spec.upper,
                largest=spec.largest,
                scenario_low=min(p.low for p in pieces),
                scenario_mode=pieces[-1].mode,
                scenario_high=max(p.high for p in pieces),
                pieces=[_piece(piece, s) for piece in pieces if s.periods_in(piece.periods)],
            )
        )
    return ScenarioInfo(
        name=name,
        upload_id=upload_id,
        id=s.id,
        title=s.title,
        start=s.periods.start,
        end=s.periods.end,
        parameters=parameters,
    )


def _piece(piece: Any, s: Scenario) -> PieceInfo:
    """A piece clipped to the scenario's years (a piece may name years outside them)."""
    start = max(piece.periods.start, s.periods.start)
    end = piece.periods.end if year_of(piece.periods.end) <= s.periods.end else s.periods.end
    return PieceInfo(
        start=start,
        end=end,
        periods=str(PeriodRange(start, end)),
        low=piece.low,
        mode=piece.mode,
        high=piece.high,
        dist=piece.dist,
    )


def _setting_text(setting: ParameterSetting, base: Scenario) -> str:
    """The ``--set`` form of one control, so the web and the CLI share one validator."""
    if setting.periods is not None:
        return f"{setting.parameter}={setting.value!r}@{setting.periods}"
    first = base.periods.start if setting.start is None else setting.start
    last = base.periods.end if setting.end is None else setting.end
    span = str(first) if first == last else f"{first}-{last}"
    return f"{setting.parameter}={setting.value!r}@{span}"


def _cited(overlay: Overlay) -> Overlay:
    """The overlay with each fixed value citing the controls, so the recorded scenario stays fully sourced."""
    source = Source(kind="method", title="Fixed with the parameter controls of pivotal's web app")
    parameters = {
        name: [
            piece.model_copy(
                update={
                    "sources": piece.sources
                    or [Citation(ref=WEB_SOURCE, at=f"{name}={piece.mode!r}@{piece.periods}")]
                }
            )
            for piece in pieces
        ]
        for name, pieces in overlay.parameters.items()
    }
    sources = {**overlay.sources, WEB_SOURCE: source}
    return overlay.model_copy(update={"parameters": parameters, "sources": sources})


def _run_info(r: RunRecord) -> RunInfo:
    settings = r.settings.get("set") if isinstance(r.settings, dict) else None
    created = r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=UTC)  # stored as UTC
    system = _system_of(r)
    return RunInfo(
        run_id=r.run_id,
        created_at=created,
        scenario_id=r.scenario_id,
        scenario_title=r.scenario_title,
        draws=r.draws,
        seed=None if r.seed is None else str(r.seed),
        use_record=r.use_record,
        package_version=r.package_version,
        settings=[str(x) for x in settings] if isinstance(settings, list) else [],
        system=None if system is None else str(system.get("id")),
        system_run=None if system is None else str(system.get("run")),
    )


def _system_of(r: RunRecord) -> dict | None:
    """What a dyad's run says of the system run it belongs to (None for a scenario run alone)."""
    system = r.settings.get("system") if isinstance(r.settings, dict) else None
    return system if isinstance(system, dict) else None


def _attachment(stored: StoredRun, suffix: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="pivotal-{stored.record.run_id}.{suffix}"'}


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
