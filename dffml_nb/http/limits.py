"""The request body limit, enforced while the body streams in (an ASGI middleware).

A ``Content-Length`` over the limit is refused before a byte of the body is
read; a chunked body is counted as it arrives and refused as soon as it passes
the limit, so a client can never make the server buffer more than the limit.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException

from dffml_nb.http.problems import Problem, send_problem


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once the body passes the limit.

    An ``HTTPException`` because FastAPI re-raises those from body parsing
    (anything else becomes a generic 400); the problem handler answers 413.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, _detail(limit))


def _detail(limit: int) -> str:
    return f"the request body is larger than the limit of {limit} bytes ({limit / 2**20:g} MiB)"


class BodyLimit:
    """Pure ASGI middleware (no per-request task or buffering): refuse bodies over ``limit`` bytes."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared == -1:
            await send_problem(
                send, Problem(400, "the Content-Length header is not a number"), close=True
            )
            return
        if declared is not None and declared > self.limit:
            await send_problem(send, Problem(413, _detail(self.limit)), close=True)
            return
        received = 0
        limit = self.limit

        async def limited() -> dict:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited, send)


def _content_length(scope: dict) -> int | None:
    """The declared body size; None when not declared, -1 when not a number."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return -1
    return None
