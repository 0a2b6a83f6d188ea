"""Guards around the web app: oversized and slow request bodies, and writes from other sites.

Refuse oversized request bodies before reading them, with the API's JSON error body.

FastAPI's per-route ``max_body_size`` also counts streamed bodies, but when a
declared Content-Length is too large it answers in plain text; this guard,
outermost, answers those with the same :class:`ApiError` JSON as every other 4xx.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pivotal.web.models import ApiError


class ContentLengthLimit:
    """Answer 413 to any request whose Content-Length is over ``limit_for(path)`` bytes."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = Headers(scope=scope).get("content-length", "")
            limit = self.limit_for(scope.get("path", ""))
            if declared.isdigit() and int(declared) > limit:
                body = ApiError(
                    detail=f"the request body is {int(declared):,} bytes; at most {limit:,} "
                    "are accepted here",
                    kind="too_large",
                )
                response = JSONResponse(
                    body.model_dump(exclude_none=True), status_code=413, headers={"Connection": "close"}
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


#: Seconds a request may take to send the next piece of its body before it is answered 408.
BODY_READ_TIMEOUT = 15.0


class BodyReadTimeout:
    """Answer 408 to a request whose body stops arriving for ``timeout`` seconds.

    A slow client otherwise holds a connection and a worker open for as long as it likes; only
    the body is timed, so a response that streams (or waits) is not cut short.
    """

    def __init__(self, app: ASGIApp, timeout: float | None = None) -> None:
        self.app = app
        self.timeout = BODY_READ_TIMEOUT if timeout is None else timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body_done = False
        started = False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.timeout)
            except TimeoutError:
                raise _SlowBody(self.timeout) from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, timed_receive, tracked_send)
        except _SlowBody:
            if started:
                raise
            body = ApiError(
                detail=f"the request body stopped arriving for {self.timeout:g} s", kind="invalid"
            )
            response = JSONResponse(
                body.model_dump(exclude_none=True), status_code=408, headers={"Connection": "close"}
            )
            await response(scope, receive, send)


class _SlowBody(HTTPException):
    """The body of a request stopped arriving: an HTTPException, so that FastAPI, which turns any
    other error met while reading a body into a 400, answers it as the 408 it is."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            status_code=408,
            detail=f"the request body stopped arriving for {seconds:g} s",
            headers={"Connection": "close"},
        )


class SameOriginWrites:
    """Refuse (403) a request that changes something when it comes from another site's page.

    Browsers name the page a request comes from in ``Origin`` (and ``Sec-Fetch-Site``); a form on
    any web site could otherwise post to this local app, uploading scenarios or starting runs.
    Requests without either header (curl, scripts) are let through.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method", "GET") not in ("GET", "HEAD", "OPTIONS"):
            headers = Headers(scope=scope)
            origin, site = headers.get("origin"), headers.get("sec-fetch-site")
            host = headers.get("host", "")
            if site == "same-origin":  # the browser's own word, right behind a proxy that rewrites Host
                foreign = False
            else:
                foreign = site in ("cross-site", "same-site") or (
                    origin is not None and origin != "null" and urlsplit(origin).netloc != host
                )
            if foreign or origin == "null":
                body = ApiError(
                    detail="requests that change something are accepted only from this app's own pages",
                    kind="invalid",
                )
                response = JSONResponse(body.model_dump(exclude_none=True), status_code=403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
