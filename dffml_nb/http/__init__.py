"""The HTTP service: flows and models served with FastAPI + uvicorn (extra ``http``).

    server = dffml_nb.http.serve(flows={"calc": calc}, models={"salary": model})
    client = dffml_nb.http.Client(server.url, server.token)
    client.predict("salary", {"Years": 6, "Expertise": 13, "Trust": 0.7})
    server.stop()

``dffml-nb serve`` runs the same service from the command line. Names load
lazily: ``import dffml_nb.http`` imports neither FastAPI nor uvicorn, and the
client needs only httpx.

- :func:`serve` / :class:`Server` — a server in a background thread (``server.py``)
- :class:`Client` — the Python client (``client.py``)
- :class:`ServiceError` — what the client raises for an error response
- :func:`create_app` — the FastAPI application itself (``app.py``)
- :class:`Service` — the flows and models a server holds (``service.py``)
"""

from __future__ import annotations

from dffml_nb._lazy import lazy_exports

_LAZY = {
    "serve": "dffml_nb.http.server",
    "Server": "dffml_nb.http.server",
    "Client": "dffml_nb.http.client",
    "ServiceError": "dffml_nb.http.client",
    "create_app": "dffml_nb.http.app",
    "Service": "dffml_nb.http.service",
    "Settings": "dffml_nb.http.settings",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _LAZY)
