"""The FastAPI application: routers, auth, problem+json errors, body limit, CORS.

:func:`create_app` builds it from flows and models; :func:`app_from_environment`
is the factory each uvicorn worker process calls (``dffml-nb serve -workers N``),
reading what to serve from ``DFFML_NB_SERVE`` so every worker serves the same.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from dffml_nb.http import errors
from dffml_nb.http.auth import PUBLIC, SECURITY_SCHEMES, TokenAuth, redact_access_log
from dffml_nb.http.bodies import component_schemas
from dffml_nb.http.limits import BodyLimit
from dffml_nb.http.problems import MEDIA_TYPE
from dffml_nb.http.routes import flows as flow_routes
from dffml_nb.http.routes import meta
from dffml_nb.http.routes import models as model_routes
from dffml_nb.http.service import Service
from dffml_nb.http.settings import Settings

ENVIRONMENT = "DFFML_NB_SERVE"

DESCRIPTION = """\
dffml_nb's flows and models over HTTP. Every route but `GET /healthz` needs the
server's token: `Authorization: Bearer <token>` (or `?token=<token>`, as the URL
printed at start does). Errors are `application/problem+json` whose `detail`
names the field or name at fault.
"""


def create_app(
    flows: Mapping[str, Any] | None = None,
    models: Mapping[str, Any] | None = None,
    *,
    settings: Settings | None = None,
    service: Service | None = None,
) -> FastAPI:
    """An application serving ``flows`` ``{name: DataFlow}`` and ``models`` ``{name: Model}``.

    ``settings`` default: a random token, the default limits, no CORS.
    """
    import dffml_nb

    settings = settings or Settings()
    app = FastAPI(
        title="dffml_nb",
        version=dffml_nb.__version__,
        description=DESCRIPTION,
        docs_url=None,  # served by routes/meta.py, behind the token
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.service = service or Service(flows, models)
    errors.install(app)
    # the busiest routes first: Starlette tries routes in order
    app.include_router(model_routes.router, prefix="/v1/models")
    app.include_router(flow_routes.router, prefix="/v1/flows")
    app.include_router(meta.router)
    # middleware, innermost first: auth, then CORS (a preflight carries no token), then the
    # body limit outermost, before anything reads a byte
    app.add_middleware(TokenAuth, token=settings.token)
    if settings.cors:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors),
            allow_methods=["GET", "POST", "PUT"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodyLimit, limit=settings.max_body)  # outermost: before anything reads
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    redact_access_log()
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, with error responses as problem+json and links between operations."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {})
    components["securitySchemes"] = SECURITY_SCHEMES
    components.setdefault("schemas", {}).update(component_schemas())
    # FastAPI's default 422 (for path and query parameters) is answered as a problem too
    for unused in ("HTTPValidationError", "ValidationError"):
        components["schemas"].pop(unused, None)
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            if path not in PUBLIC:  # either scheme will do
                operation["security"] = [{name: []} for name in SECURITY_SCHEMES]
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status.isdigit() and int(status) >= 400 and "application/json" in content:
                    content[MEDIA_TYPE] = content.pop("application/json")
                    content[MEDIA_TYPE]["schema"] = {"$ref": "#/components/schemas/ProblemDocument"}
    _link(
        schema, "/v1/flows/{name}", "put", "200", {"get_flow": "get_flow", "run_flow": "run_flow"}
    )
    _link(
        schema, "/v1/models/{name}/train", "post", "200", {"predict": "predict", "score": "score"}
    )
    app.openapi_schema = schema
    return schema


def _link(schema: dict, path: str, method: str, status: str, targets: dict[str, str]) -> None:
    """OpenAPI links from one operation to others on the same ``{name}`` (stateful testing)."""
    response = schema["paths"][path][method]["responses"][status]
    response["links"] = {
        link: {"operationId": operation, "parameters": {"name": "$request.path.name"}}
        for link, operation in targets.items()
    }


def environment(
    flows: Mapping[str, str], models: Mapping[str, str], settings: Settings, trust: bool = False
) -> dict[str, str]:
    """The environment a worker process needs to serve the same flows and models."""
    config = {
        "trust": trust,
        "flows": {name: os.path.abspath(path) for name, path in flows.items()},
        "models": {name: os.path.abspath(path) for name, path in models.items()},
        "token": settings.token,
        "timeout": settings.timeout,
        "max_body": settings.max_body,
        "cors": list(settings.cors),
    }
    return {ENVIRONMENT: json.dumps(config)}


def app_from_environment() -> FastAPI:
    """uvicorn's app factory for worker processes (``DFFML_NB_SERVE`` says what to serve)."""
    from dffml_nb.http.loading import load_named

    config = json.loads(os.environ[ENVIRONMENT])
    loaded_flows, loaded_models = load_named(
        config["flows"], config["models"], trust=config["trust"]
    )
    settings = Settings(
        token=config["token"],
        timeout=config["timeout"],
        max_body=config["max_body"],
        cors=tuple(config["cors"]),
    )
    return create_app(loaded_flows, loaded_models, settings=settings)
