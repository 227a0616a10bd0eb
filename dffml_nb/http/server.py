"""``serve()``: the HTTP service in a background thread, so a notebook keeps working.

    with dffml_nb.http.serve(flows={"calc": calc}, models={"salary": model}) as server:
        Client(server.url, server.token).predict("salary", {"Years": 6, ...})

The thread runs its own event loop (uvicorn's), so ``serve()`` works whether
or not the caller has one running (a Jupyter kernel does). The socket is bound
before the thread starts, so ``server.url`` holds the real port even with
``port=0`` (any free port).
"""

from __future__ import annotations

import asyncio
import html
import os
import socket
import threading
import time
from collections.abc import Mapping
from typing import Any

from dffml_nb.http.settings import MAX_BODY, TIMEOUT, Settings


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: a free one), inheritable by workers."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are
    # TCP, and without it every response waits ~40 ms for a delayed ACK (Nagle)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(2048)  # connections wait in the backlog until the server accepts them
    except OSError as error:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    sock.set_inheritable(True)
    return sock


def base_url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _loaded(flows: Mapping[str, Any] | None, models: Mapping[str, Any] | None) -> tuple[dict, dict]:
    """Flows and models as objects; a str or path value is a flow file / model directory."""
    from dffml_nb.http.loading import load_flow_file, load_model_dir

    def load(value: Any, loader: Any) -> Any:
        return loader(value) if isinstance(value, (str, os.PathLike)) else value

    return (
        {name: load(flow, load_flow_file) for name, flow in (flows or {}).items()},
        {name: load(model, load_model_dir) for name, model in (models or {}).items()},
    )


class Server:
    """A running server: ``url``, ``token``, ``stop()``; a context manager that stops on exit."""

    def __init__(self, app: Any, sock: socket.socket, url: str, token: str | None) -> None:
        import uvicorn

        self.app = app
        self.url = url
        self.token = token
        self._sock = sock
        config = uvicorn.Config(
            app,
            log_config=None,  # leave the notebook's logging alone
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=5,  # open event streams do not hold up stop()
        )
        self._uvicorn = uvicorn.Server(config)
        #: the server's event loop (in its thread), once started
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name=f"dffml_nb-http {url}", daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self.loop = asyncio.get_running_loop()
            await self._uvicorn.serve(sockets=[self._sock])

        asyncio.run(main())

    @property
    def service(self) -> Any:
        """The :class:`~dffml_nb.http.service.Service`: the flows and models being served."""
        return self.app.state.service

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._uvicorn.should_exit

    def start(self, timeout: float = 30.0) -> Server:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._uvicorn.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server at {self.url} did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving (open requests get a few seconds to finish) and free the port."""
        self._uvicorn.should_exit = True
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self._sock.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        service = self.service
        return (
            f"<dffml_nb.http.Server {self.url} {state}: flows {sorted(service.flows)}, "
            f"models {sorted(service.models)}>"
        )

    def _repr_html_(self) -> str:
        docs = f"{self.url}/docs" + (f"?token={self.token}" if self.token else "")
        service = self.service
        rows = [
            (
                "url",
                f"<code>{html.escape(self.url)}</code> (<a href='{html.escape(docs)}' target='_blank'>docs</a>)",
            ),
            ("state", "running" if self.running else "stopped"),
            ("flows", html.escape(", ".join(sorted(service.flows)) or "—")),
            ("models", html.escape(", ".join(sorted(service.models)) or "—")),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{k}</th><td style='text-align:left'>{v}</td></tr>"
            for k, v in rows
        )
        return f"<table class='dffml-nb-server'>{body}</table>"


def serve(
    flows: Mapping[str, Any] | None = None,
    models: Mapping[str, Any] | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    token: str | None = None,
    auth: bool = True,
    timeout: float = TIMEOUT,
    max_body: int = MAX_BODY,
    cors: tuple[str, ...] | list[str] = (),
) -> Server:
    """Serve ``flows`` ``{name: DataFlow}`` and ``models`` ``{name: Model}`` in a background thread.

    A flow may also be given as a file name, a model as the directory it was
    trained to. ``token=None`` makes a random token (``server.token``);
    ``auth=False`` turns auth off, on a loopback host only; a host other than
    loopback needs a token you chose. ``timeout`` bounds each run (seconds),
    ``max_body`` each request body (bytes); ``cors`` lists browser origins
    allowed to call the API (none by default).
    """
    from dffml_nb.http.app import create_app

    settings = Settings.for_host(
        host, token, auth=auth, timeout=timeout, max_body=max_body, cors=tuple(cors)
    )
    loaded_flows, loaded_models = _loaded(flows, models)
    app = create_app(loaded_flows, loaded_models, settings=settings)
    sock = bind(host, port)
    return Server(app, sock, base_url(host, sock), settings.token).start()
