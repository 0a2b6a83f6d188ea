"""The FastAPI app: its pages, the API router, and how errors become 4xx JSON.

Built by :func:`create_app` so each test and each ``pivotal serve`` gets its own
store, job pool and upload cache.  Nothing is fetched from the network: the
page, its script and style ship in ``static/``, and ``/docs`` is rendered here
from the OpenAPI schema instead of FastAPI's CDN-hosted Swagger UI.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Hashable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import plotly
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from pivotal.scenario import ScenarioError
from pivotal.store import RunNotFoundError, RunStore, StoreBusyError, StoreError
from pivotal.store.errors import AnalysisNotFoundError
from pivotal.web.api import JSON_BODY_LIMIT, PAGE_ERRORS, UPLOAD_BODY_LIMIT, UPLOAD_PATH, RunId, router
from pivotal.web.docs_page import render_docs
from pivotal.web.jobs import JobManager, JobNotFound, TooBusy
from pivotal.web.limits import BodyReadTimeout, ContentLengthLimit, SameOriginWrites
from pivotal.web.models import ApiError
from pivotal.web.uploads import UploadCache, UploadNotFound

STATIC = Path(__file__).parent / "static"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)

KINDS = {404: "not_found", 413: "too_large", 429: "busy", 503: "unavailable"}


def create_app(
    store_path: str | Path | None = None, *, workers: int = 2, allowed_hosts: Sequence[str] | None = None
) -> FastAPI:
    """A new app over the run store at ``store_path`` (default: ``$PIVOTAL_HOME/runs.duckdb``).

    ``allowed_hosts`` limits the Host header (``pivotal serve`` passes the
    loopback names, so a web page elsewhere cannot reach the server by DNS
    rebinding); None accepts any.
    """
    from pivotal import __version__

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.jobs.start()
        yield
        app.state.jobs.shutdown()

    app = FastAPI(
        title="pivotal",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        description="Run pivotal-deterrence scenarios, follow their progress, compare and "
        "download recorded runs. Local use: binds to loopback by default.",
    )
    store = RunStore(store_path)
    app.state.store = store
    app.state.jobs = JobManager(store, workers=workers)
    app.state.uploads = UploadCache()
    reports = app.state.reports = PageCache()
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(SameOriginWrites)
    app.add_middleware(BodyReadTimeout)
    app.add_middleware(ContentLengthLimit, limit_for=_body_limit)
    _add_error_handlers(app)
    app.include_router(router)

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        # plotly.js as the installed plotly package ships it: nothing is fetched from the network.
        return FileResponse(
            PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
        )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> Response:
        return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"), headers=_page_headers())

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> Response:
        return HTMLResponse(render_docs(app.openapi()), headers=_page_headers())

    @app.get(
        "/runs/{run_id}/report",
        response_class=HTMLResponse,
        summary="The run's HTML report",
        responses=PAGE_ERRORS,
    )
    def report(run_id: RunId) -> Response:
        from pivotal.report.html import render_inputs, report_inputs

        full_id = store.resolve(run_id)
        try:
            inputs = report_inputs(full_id, store)
            html = reports.get(inputs.key)
            if html is None:
                html = reports.put(inputs.key, render_inputs(inputs, store))
        except ValueError as err:  # e.g. a stored scenario that no longer validates
            why = " ".join(str(err).split())[:300]
            raise StarletteHTTPException(422, f"the report of run {full_id} cannot be built: {why}") from err
        return HTMLResponse(
            html,
            headers={
                "Content-Security-Policy": REPORT_POLICY,
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )

    return app


class PageCache:
    """The last pages built, by what they were built from: a run's report takes most of a second
    to draw and is the same page until something it shows changes (its key changes then)."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._pages: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: Hashable, page: str) -> str:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
        return page


def _body_limit(path: str) -> int:
    return UPLOAD_BODY_LIMIT if path == UPLOAD_PATH else JSON_BODY_LIMIT


#: A report is one file: inline styles and inline SVG, no script, nothing fetched.
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def _page_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": PAGE_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }


def _error(status: int, body: ApiError) -> JSONResponse:
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path."""
    from starlette.routing import Match, Route

    def flat(routes: list) -> list:
        """The routes, with those of included routers (which FastAPI keeps behind a wrapper) inlined."""
        found = []
        for route in routes:
            inner = getattr(route, "original_router", None)
            found.extend(flat(inner.routes) if inner is not None else [route])
        return found

    matching = []
    for route in flat(request.app.routes):
        if isinstance(route, Route) and route.methods:
            match, _ = route.matches({**request.scope, "method": next(iter(route.methods))})
            if match == Match.FULL:
                matching.append(route)
    # A path written out in full (/api/scenarios/upload) is that route's, not a pattern's that also
    # fits it (/api/scenarios/{name}), as the API document says.
    exact = [route for route in matching if "{" not in route.path]
    methods: set[str] = set()
    for route in exact or matching:
        methods |= route.methods or set()  # never empty: only routes with methods matched
    return sorted(methods)


def _add_error_handlers(app: FastAPI) -> None:
    """Library errors and bad requests answer 4xx with an :class:`ApiError` body, never 500."""

    @app.exception_handler(ScenarioError)
    async def scenario_error(request: Request, err: ScenarioError) -> JSONResponse:
        return _error(
            422,
            ApiError(
                detail=str(err),
                kind="scenario",
                source=err.source,
                line=err.line,
                column=err.column,
                field=err.field or None,
                expected=err.expected,
                found=err.found,
            ),
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in err.errors()
        ]
        detail = problems[0] if problems else "invalid request"
        if len(problems) > 1:
            detail += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
        return _error(422, ApiError(detail=detail, kind="invalid"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> JSONResponse:
        detail = err.detail if isinstance(err.detail, str) else str(err.detail)
        kind = KINDS.get(err.status_code, "invalid")
        response = _error(err.status_code, ApiError(detail=detail, kind=kind))  # type: ignore[arg-type]
        for key, value in (err.headers or {}).items():
            response.headers[key] = value
        if err.status_code == 405:  # Starlette names the methods of the first route on the path only
            response.headers["Allow"] = ", ".join(_allowed_methods(request))
        return response

    @app.exception_handler(RunNotFoundError)
    async def no_run(request: Request, err: RunNotFoundError) -> JSONResponse:
        return _error(
            404,
            ApiError(
                detail=str(err).replace("`pivotal runs` lists them", "GET /api/runs lists them"),
                kind="not_found",
            ),
        )

    @app.exception_handler(AnalysisNotFoundError)
    async def no_analysis(request: Request, err: AnalysisNotFoundError) -> JSONResponse:
        return _error(404, ApiError(detail=str(err), kind="not_found"))

    @app.exception_handler(JobNotFound)
    async def no_job(request: Request, err: JobNotFound) -> JSONResponse:
        return _error(
            404,
            ApiError(detail=f"no job with id {err.args[0]!r}; GET /api/jobs lists them", kind="not_found"),
        )

    @app.exception_handler(UploadNotFound)
    async def no_upload(request: Request, err: UploadNotFound) -> JSONResponse:
        return _error(
            404,
            ApiError(
                detail=f"no uploaded scenario with id {err.args[0]!r}; upload it again", kind="not_found"
            ),
        )

    @app.exception_handler(TooBusy)
    async def busy(request: Request, err: TooBusy) -> JSONResponse:
        return _error(429, ApiError(detail=str(err), kind="busy"))

    @app.exception_handler(StoreBusyError)
    async def store_busy(request: Request, err: StoreBusyError) -> JSONResponse:
        return _error(503, ApiError(detail=str(err), kind="unavailable"))

    @app.exception_handler(StoreError)
    async def store_failed(request: Request, err: StoreError) -> JSONResponse:
        # A damaged, unwritable or full store: the server cannot serve it, and says why.
        return _error(503, ApiError(detail=str(err), kind="unavailable"))
