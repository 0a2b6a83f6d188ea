"""Refuse oversized request bodies before reading them, with the API's JSON error body.

FastAPI's per-route ``max_body_size`` also counts streamed bodies, but when a
declared Content-Length is too large it answers in plain text; this guard,
outermost, answers those with the same :class:`ApiError` JSON as every other 4xx.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

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
                body = ApiError(detail=f"the request body is {int(declared):,} bytes; at most {limit:,} "
                                       "are accepted here", kind="too_large")
                response = JSONResponse(body.model_dump(exclude_none=True), status_code=413,
                                        headers={"Connection": "close"})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
