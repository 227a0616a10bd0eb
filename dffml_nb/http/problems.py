"""``Problem``: an error the service answers with, as RFC 9457 ``application/problem+json``.

Raised anywhere below the routes (the service, the auth dependency, the body
limit); the handlers in :mod:`dffml_nb.http.errors` turn it into a response.
Standard library only, so the service can raise it without importing FastAPI.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

MEDIA_TYPE = "application/problem+json"


class Problem(Exception):
    """An HTTP error: ``status``, a short ``title``, a ``detail`` naming what is at fault.

    ``extra`` holds extension members of the problem document (``operation``,
    ``context``, ``errors`` ...); ``headers`` go on the response
    (``WWW-Authenticate`` for a 401).
    """

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title or HTTPStatus(status).phrase
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = extra

    def document(self) -> dict[str, Any]:
        """The problem+json body."""
        return {
            "type": "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }


def not_found(kind: str, name: str, known: list[str]) -> Problem:
    """404 for an unknown flow or model, listing the names that exist."""
    listed = ", ".join(sorted(known)) or "(none)"
    return Problem(404, f"no {kind} named {name!r}; {kind}s: {listed}", title=f"Unknown {kind}")


async def send_problem(send: Any, problem: Problem, *, close: bool = False) -> None:
    """Answer with ``problem`` straight from ASGI middleware (before the app runs).

    ``close``: end the connection after it (an unread request body must not be
    taken for the next request)."""
    body = json.dumps(problem.document()).encode()
    headers = [
        (b"content-type", MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in problem.headers.items()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
