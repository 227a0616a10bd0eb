"""Token auth: a FastAPI dependency on every route but ``/healthz``.

The token travels as ``Authorization: Bearer <token>`` or, as in Jupyter, as a
``?token=`` query parameter, so the URL printed at start opens ``/docs`` in a
browser. It is compared in constant time and never logged: uvicorn's access
log shows query strings, so :func:`redact_access_log` blanks ``token=`` there.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any

from fastapi import Depends, Request
from fastapi.security import APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer

from dffml_nb.http.problems import Problem

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="The server's token: `Authorization: Bearer <token>`",
)
query_token = APIKeyQuery(
    name="token",
    auto_error=False,
    scheme_name="token",
    description="The server's token as a query parameter, as Jupyter accepts it",
)


async def require_token(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    token: str | None = Depends(query_token),
) -> None:
    """401 unless the request carries the server's token (header or ``?token=``)."""
    expected = request.app.state.settings.token
    if expected is None:  # auth turned off (loopback only)
        return
    given = credentials.credentials if credentials is not None else token
    if given is None or not secrets.compare_digest(
        given.encode("utf-8", "surrogateescape"), expected.encode()
    ):
        reason = "missing" if given is None else "wrong"
        raise Problem(
            401,
            f"{reason} token: send 'Authorization: Bearer <token>' with the token the server "
            "printed when it started (or add ?token=<token> to the URL)",
            title="Unauthorized",
            headers={"WWW-Authenticate": 'Bearer realm="dffml-nb"'},
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
