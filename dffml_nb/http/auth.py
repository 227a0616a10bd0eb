"""Token auth on every route but ``/healthz``, and keeping the token out of logs.

The token travels as ``Authorization: Bearer <token>`` or, as in Jupyter, as a
``?token=`` query parameter, so the URL printed at start opens ``/docs`` in a
browser. It is compared in constant time and never logged: uvicorn's access
log shows query strings, so :func:`redact_access_log` blanks ``token=`` there.

Auth is a pure ASGI middleware rather than a FastAPI dependency: the check runs
on every request, and as a dependency (with FastAPI's security classes) it cost
a quarter of the framework's time per small prediction. The OpenAPI schema still
declares both schemes on every protected operation (see ``app.py``).
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any
from urllib.parse import parse_qs

from dffml_nb.http.problems import Problem, send_problem

PUBLIC = frozenset({"/healthz"})

#: the OpenAPI security schemes the middleware implements
SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "The server's token: `Authorization: Bearer <token>`",
    },
    "token": {
        "type": "apiKey",
        "in": "query",
        "name": "token",
        "description": "The server's token as a query parameter, as Jupyter accepts it",
    },
}

_UNAUTHORIZED = (
    "token: send 'Authorization: Bearer <token>' with the token the server printed when it "
    "started (or add ?token=<token> to the URL)"
)


def _given_token(scope: dict) -> str | None:
    """The token a request carries: its bearer credentials, else its ``token`` query parameter."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and credentials.strip():
                return credentials.strip()
    query = scope.get("query_string", b"")
    if b"token=" in query:
        found = parse_qs(query.decode("latin-1")).get("token")
        if found:
            return found[0]
    return None


class TokenAuth:
    """401 (``WWW-Authenticate: Bearer``) unless the request carries ``token``; ``token``
    None turns auth off (allowed on loopback only, see ``settings.py``)."""

    def __init__(self, app: Any, token: str | None) -> None:
        self.app = app
        self.expected = None if token is None else token.encode()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.expected is None or scope["path"] in PUBLIC:
            await self.app(scope, receive, send)
            return
        given = _given_token(scope)
        if given is not None and secrets.compare_digest(
            given.encode("utf-8", "surrogateescape"), self.expected
        ):
            await self.app(scope, receive, send)
            return
        reason = "missing" if given is None else "wrong"
        await send_problem(
            send,
            Problem(
                401,
                f"{reason} {_UNAUTHORIZED}",
                title="Unauthorized",
                headers={"WWW-Authenticate": 'Bearer realm="dffml-nb"'},
            ),
        )


_TOKEN_IN_QUERY = re.compile(r"([?&]token=)[^&\s#]*")


def redact(text: str) -> str:
    """``text`` with the value of every ``token=`` query parameter blanked."""
    return _TOKEN_IN_QUERY.sub(r"\1[redacted]", text)


class RedactToken(logging.Filter):
    """Blanks ``?token=...`` in log records (uvicorn's access log prints full paths)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def redact_access_log(logger: Any = None) -> None:
    """Install :class:`RedactToken` on uvicorn's access logger (once)."""
    logger = logger or logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactToken) for f in logger.filters):
        logger.addFilter(RedactToken())
