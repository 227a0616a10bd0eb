"""``/healthz`` (open), ``/v1/plugins``, ``/openapi.json`` and ``/docs`` (token required:
see ``auth.py``).

``/docs`` needs the token like every route but ``/healthz``; opened as
``/docs?token=...`` (the URL the server prints) it points the page's schema
request at ``/openapi.json?token=...`` so it works in a browser, and its
*Authorize* button takes the token for *Try it out*.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from dffml_nb.http.routes import problems
from dffml_nb.http.schemas import Health, Plugins

router = APIRouter()


@router.get("/healthz", response_model=Health, operation_id="healthz", tags=["meta"])
async def healthz() -> dict:
    """Liveness: no token needed."""
    return {"status": "ok"}


@router.get("/", include_in_schema=False)
async def home(request: Request) -> RedirectResponse:
    """The printed URL (``/?token=...``) opens the interactive docs."""
    query = request.url.query
    return RedirectResponse("/docs" + (f"?{query}" if query else ""), status_code=307)


@router.get(
    "/v1/plugins",
    response_model=Plugins,
    operation_id="plugins",
    tags=["meta"],
    responses=problems(401),
)
async def plugins(request: Request) -> dict:
    """Registered models, sources, scorers and operations (entry points)."""
    return request.app.state.service.plugins()


@router.get("/openapi.json", include_in_schema=False)
async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/docs", include_in_schema=False)
async def docs(request: Request) -> HTMLResponse:
    token = request.query_params.get("token")
    schema = "/openapi.json" + (f"?token={quote(token, safe='')}" if token else "")
    return get_swagger_ui_html(
        openapi_url=schema,
        title=f"{request.app.title} - API",
        swagger_ui_parameters={"persistAuthorization": True},
    )
