"""Exception handlers: every error leaves as ``application/problem+json``.

- :class:`~dffml_nb.http.problems.Problem` (raised by the service and auth) as is;
- FastAPI's validation errors: malformed JSON is 400 (with line and column),
  wrong shapes 422 with ``detail`` naming each field (``body.contexts.0``) and
  an ``errors`` list;
- Starlette's HTTP errors (unknown route 404, wrong method 405, body too large 413);
- anything unexpected is a 500 that says only that: the traceback goes to the
  server's log (uvicorn logs what the handler re-raises), never to the client.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from dffml_nb.http.problems import MEDIA_TYPE, Problem

log = logging.getLogger("dffml_nb.http")


def response(problem: Problem) -> JSONResponse:
    return JSONResponse(
        problem.document(),
        status_code=problem.status,
        headers=problem.headers or None,
        media_type=MEDIA_TYPE,
    )


def field_name(loc: Any) -> str:
    """``("body", "contexts", "0")`` -> ``"body.contexts.0"``."""
    return ".".join(str(part) for part in loc) if loc else "body"


def _line_and_column(text: bytes, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count(b"\n") + 1, position - (before.rfind(b"\n") + 1) + 1


def validation_problem(errors: list[dict[str, Any]], body: bytes = b"") -> Problem:
    """A 400 for malformed JSON, else a 422 naming every field at fault."""
    for error in errors:
        if error.get("type") == "json_invalid":
            loc: tuple[Any, ...] = tuple(error.get("loc") or ())
            position = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
            reason = (error.get("ctx") or {}).get("error") or error.get("msg", "invalid JSON")
            where = ""
            if position is not None:
                line, column = _line_and_column(body, position)
                where = f" at line {line} column {column}"
            return Problem(
                400, f"malformed JSON in the request body{where}: {reason}", title="Malformed JSON"
            )
    items = [
        {"field": field_name(e.get("loc")), "message": e.get("msg", ""), "type": e.get("type", "")}
        for e in errors
    ]
    shown = "; ".join(f"{item['field']}: {item['message']}" for item in items[:5])
    if len(items) > 5:
        shown += f" (and {len(items) - 5} more, see 'errors')"
    return Problem(
        422, shown or "the request does not match the schema", title="Invalid request", errors=items
    )


async def _problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Problem)
    return response(error)


async def _validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    body = getattr(request, "_body", b"")  # FastAPI keeps the body it read
    return response(validation_problem(list(error.errors()), body))


async def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    detail = str(error.detail)
    if error.status_code == 404 and detail == "Not Found":
        detail = f"no route {request.url.path!r}; the routes are listed at /docs"
    headers = dict(error.headers or {})
    if error.status_code == 405:
        allowed = _allowed_methods(request)
        headers["Allow"] = ", ".join(allowed)
        detail = (
            f"{request.method} is not allowed on {request.url.path!r}; allowed: {headers['Allow']}"
        )
    return response(Problem(error.status_code, detail, headers=headers))


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route accepts at this path (Starlette's ``Allow`` names only the
    first route that matched, and FastAPI makes one route per method)."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    # Starlette re-raises after this answer, so uvicorn logs the traceback (server side only)
    return response(
        Problem(
            500, "the server failed unexpectedly; its log has the details", title="Server error"
        )
    )


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
