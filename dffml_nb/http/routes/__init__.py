"""The routers, one per resource: ``meta`` (health, plugins, docs), ``flows``, ``models``."""

from __future__ import annotations

from typing import Any

from dffml_nb.http.schemas import ProblemDocument

_WHY = {
    400: "Malformed JSON (detail gives line and column)",
    401: "Missing or wrong token",
    404: "Unknown flow or model",
    409: "The model is not trained",
    413: "Request body over the server's limit (10 MiB by default)",
    415: "Body not sent as JSON (Content-Type: application/json)",
    422: "Wrong shape or values (detail names the field)",
    504: "The run exceeded the server's timeout and was cancelled",
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for error ``codes`` (served as application/problem+json)."""
    return {code: {"model": ProblemDocument, "description": _WHY[code]} for code in codes}
