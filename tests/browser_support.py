"""Helpers for the real-browser tests: servers, Chromium, time-boxed steps, console errors.

Facts these follow (see ``../shared/BROWSER.md`` beside the repository): the system Chromium at
``/usr/bin/chromium`` driven by Playwright (never ``playwright install``), the
flags that keep it quiet on a machine without network, Jupyter servers on free
loopback ports with their own config / data / runtime folders (the
labextensions installed in the Python prefix stay visible), and every server
stopped by the PID we started.

Every wait is a *step*: it has a name and a time limit, and when the limit
passes it saves a screenshot and raises :class:`StepTimeout` naming the step.
Screenshots and server logs go to the artifacts folder: ``$DFFML_NB_ARTIFACTS``,
else ``test-artifacts/`` in the repository (git-ignored).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_INSTALL = "apt-get update && apt-get install -y chromium"
#: flags that work as root with no network (without the background-networking
#: ones Chromium floods the closed network with refused connections)
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
VIEWPORT = {"width": 1400, "height": 1000}


# -- artifacts ----------------------------------------------------------------


def artifacts_dir() -> Path:
    """Where screenshots and server logs go (created on first use)."""
    path = Path(os.environ.get("DFFML_NB_ARTIFACTS") or REPO / "test-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:80] or "step"


def screenshot(page: Any, name: str) -> Path | None:
    """Save a full-page screenshot as ``<artifacts>/<name>.png``; None if the page is gone."""
    path = artifacts_dir() / f"{slug(name)}.png"
    try:
        page.screenshot(path=str(path), full_page=True, timeout=15_000)
    except Exception:  # a crashed or closed page: the error that got us here matters more
        return None
    return path


# -- time-boxed steps ------------------------------------------------------------


class StepTimeout(AssertionError):
    """A step did not finish in its time; the message names the step and the screenshot."""


class Steps:
    """Runs named, time-boxed steps on one page; on a timeout saves a screenshot and raises.

    ``steps.wait("graph canvas drawn", lambda ms: page.wait_for_function(..., timeout=ms), 30)``
    calls the action with its limit in milliseconds; a Playwright timeout (or
    any :class:`TimeoutError`) becomes :class:`StepTimeout`. ``steps.until``
    polls a Python predicate.
    """

    def __init__(self, page: Any, prefix: str) -> None:
        self.page = page
        self.prefix = prefix

    def _fail(self, step: str, seconds: float, detail: str = "") -> StepTimeout:
        shot = screenshot(self.page, f"{self.prefix}-timeout-{step}")
        where = f"; screenshot: {shot}" if shot else "; no screenshot (page gone)"
        extra = f"\n{detail}" if detail else ""
        return StepTimeout(
            f"[{self.prefix}] timed out after {seconds:g} s waiting for: {step}{where}{extra}"
        )

    def wait(self, step: str, action: Callable[[float], Any], seconds: float) -> Any:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            return action(seconds * 1000)
        except (PlaywrightTimeout, TimeoutError) as error:
            raise self._fail(step, seconds, _first_line(error)) from error

    def until(
        self, step: str, predicate: Callable[[], Any], seconds: float, *, every: float = 0.25
    ) -> Any:
        """Poll ``predicate()`` until it returns something truthy; returns that value."""
        deadline = time.monotonic() + seconds
        last: Any = None
        while True:
            last = predicate()
            if last:
                return last
            if time.monotonic() >= deadline:
                raise self._fail(step, seconds, f"last value: {last!r}")
            time.sleep(every)

    def js(self, step: str, expression: str, arg: Any = None, seconds: float = 30) -> Any:
        """Wait until the JS function ``expression(arg)`` returns something truthy; returns it."""
        handle = self.wait(
            step,
            lambda ms: self.page.wait_for_function(expression, arg=arg, timeout=ms, polling=200),
            seconds,
        )
        try:
            return handle.json_value()
        finally:
            handle.dispose()

    def shot(self, name: str) -> Path | None:
        """A screenshot of a key state, kept as an artifact."""
        return screenshot(self.page, f"{self.prefix}-{name}")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# -- browser console ----------------------------------------------------------


@dataclass(frozen=True)
class Allowed:
    """A console error known to be harmless and not ours.

    ``message`` is a regex searched in the message text; ``source`` one searched
    in where it came from (the script URL of a console message, the stack of an
    uncaught error), so a rule cannot excuse the same words coming from our code.
    """

    message: str
    source: str
    reason: str

    def matches(self, text: str, source: str) -> bool:
        return (
            re.search(self.message, text) is not None and re.search(self.source, source) is not None
        )


#: Console errors that are not ours and are known to be harmless. Anything else fails.
ALLOWED_CONSOLE_ERRORS: tuple[Allowed, ...] = (
    Allowed(
        r"Unsatisfied version 6\.\d+\.\d+ from @jupyter-widgets/jupyterlab-manager of shared singleton "
        r"module @jupyter-widgets/base \(required \^1\.1\.10 \|\| \^2 \|\| \^3 \|\| \^4\.0\.0\)",
        r"^http://127\.0\.0\.1:\d+/",
        "ipycytoscape 1.3.3 declares @jupyter-widgets/base ^4 while ipywidgets 8.1 ships 6; "
        "it renders and syncs fine (DESIGN.md). Chromium logs it as a warning today, so "
        "this rule only matters if a front end reports it as an error",
    ),
    Allowed(
        r"Cannot read properties of undefined \(reading 'schema'\)",
        r"^\s*at (?:\S+ \()?http://127\.0\.0\.1:\d+/static/notebook/notebook_core\.",
        "Notebook 7.6's shortcuts settings handler (its notebook_core bundle), thrown on every "
        "Notebook 7 page load with no notebook code run; upstream, not ours",
    ),
    Allowed(
        r"Command 'filebrowser:open-path' not registered",
        r"^\s*at (?:\S+ \()?http://127\.0\.0\.1:\d+/static/notebook/notebook_core\.",
        "Notebook 7.6's file browser restore (notebook_core bundle) on a notebook page of a "
        "server whose workspace JupyterLab saved; upstream, not ours",
    ),
    Allowed(
        r"Failed to load resource: net::ERR_NAME_NOT_RESOLVED",
        r"^https://cdn\.jsdelivr\.net/npm/@fortawesome/fontawesome-free@",
        "the closed network: Voilà's page links the Font Awesome stylesheets from a CDN "
        "(icons only; the Train button's play icon is missing offline)",
    ),
)

#: console message types that fail a test (besides uncaught page errors)
FAILING_TYPES = ("error",)


@dataclass
class ConsoleLog:
    """Every console message and uncaught page error of the pages it is attached to.

    All are written to the artifacts; errors fail :meth:`check` unless allow-listed.
    """

    allowed: Sequence[Allowed] = ALLOWED_CONSOLE_ERRORS
    # (page label, kind: a console type or "pageerror", text, source)
    entries: list[tuple[str, str, str, str]] = field(default_factory=list)

    def attach(self, page: Any, label: str) -> None:
        def on_console(message: Any) -> None:
            location = message.location or {}
            source = location.get("url") or ""
            self.entries.append((label, message.type, message.text, source))

        def on_page_error(error: Any) -> None:
            stack = error.stack or ""
            frames = [line for line in stack.splitlines() if line.strip().startswith("at ")]
            self.entries.append(
                (label, "pageerror", f"{error.name}: {error.message}", frames[0] if frames else "")
            )

        page.on("console", on_console)
        page.on("pageerror", on_page_error)

    def errors(self) -> list[tuple[str, str, str, str]]:
        return [e for e in self.entries if e[1] == "pageerror" or e[1] in FAILING_TYPES]

    def unexpected(self) -> list[str]:
        return [
            f"{label} {kind}: {text} [{source}]"
            for label, kind, text, source in self.errors()
            if not any(rule.matches(text, source) for rule in self.allowed)
        ]

    def allowed_seen(self) -> list[str]:
        return [
            f"{label} {kind}: {text} [{source}]"
            for label, kind, text, source in self.errors()
            if any(rule.matches(text, source) for rule in self.allowed)
        ]

    def write(self, path: Path) -> None:
        path.write_text(
            "".join(
                f"{label} {kind}: {text} [{source}]\n" for label, kind, text, source in self.entries
            )
        )

    def check(self) -> None:
        """Fail the test on console errors that are not allow-listed."""
        bad = self.unexpected()
        if bad:
            pytest.fail(
                "browser console errors (not allow-listed):\n" + "\n".join(bad), pytrace=False
            )


# -- servers --------------------------------------------------------------------


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jupyter_home(path: Path) -> Path:
    """``path`` made a home for Jupyter's config, data and runtime folders (see
    :func:`jupyter_env`), with JupyterLab's "news" toast off (the network is closed)."""
    settings = path / "config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    return path


def jupyter_env(base: Path) -> dict[str, str]:
    """Environment with Jupyter's config / data / runtime (and IPython's) folders under ``base``.

    The labextensions stay visible: ipywidgets' and ipycytoscape's live in the
    Python prefix (``<sys.prefix>/share/jupyter``), which is on the data path
    whatever ``JUPYTER_DATA_DIR`` says; user-level ones are linked in.
    """
    env = dict(os.environ)
    dirs = {name: base / name for name in ("config", "data", "runtime", "ipython", "mpl")}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    from jupyter_core.paths import jupyter_data_dir

    user_extensions = Path(jupyter_data_dir()) / "labextensions"
    if user_extensions.is_dir() and not (dirs["data"] / "labextensions").exists():
        (dirs["data"] / "labextensions").symlink_to(user_extensions)
    env.update(
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        IPYTHONDIR=str(dirs["ipython"]),
        MPLCONFIGDIR=str(dirs["mpl"]),
        PYTHONUNBUFFERED="1",
    )
    env.pop("JUPYTER_PATH", None)
    env.pop("JUPYTER_CONFIG_PATH", None)
    return env


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the test process dies without its teardown (Linux)."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Server:
    """A server process started in its own session, stopped by its PID (always)."""

    def __init__(
        self, name: str, argv: Sequence[str], *, cwd: Path, env: dict[str, str], port: int
    ) -> None:
        self.name = name
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = artifacts_dir() / f"{slug(name)}-server.log"
        self._log = self.log_path.open("wb")
        self.argv = list(argv)
        self.proc = subprocess.Popen(
            self.argv,
            cwd=cwd,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, step: str, seconds: float, path: str | None = None) -> None:
        """Wait until the port accepts connections (and ``path`` answers 200), time-boxed."""
        deadline = time.monotonic() + seconds
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"{step}: {self.name} exited with code {self.proc.returncode} before it was ready "
                    f"({' '.join(self.argv)}); log {self.log_path}:\n{self.log_tail()}"
                )
            try:
                if path is None:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        return
                else:
                    with urllib.request.urlopen(self.url + path, timeout=5) as response:
                        if response.status == 200:
                            return
                        last = f"HTTP {response.status}"
            except (OSError, urllib.error.URLError) as error:
                last = str(error)
            time.sleep(0.25)
        raise StepTimeout(
            f"timed out after {seconds:g} s waiting for: {step} ({self.url}; last: {last}); "
            f"log {self.log_path}:\n{self.log_tail()}"
        )

    def get(self, path: str, seconds: float = 10) -> str:
        with urllib.request.urlopen(self.url + path, timeout=seconds) as response:
            return response.read().decode()

    def stop(self, seconds: float = 15) -> None:
        """SIGTERM to our PID (the server shuts its kernels down), then SIGKILL its session if needed."""
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(seconds)
                except subprocess.TimeoutExpired:
                    pass
            # the session we created has our PID as its id: anything left in it (a kernel
            # the server did not get to stop) goes with it
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(5)
        finally:
            self._log.close()


def jupyter_lab(notebook_dir: Path, home: Path) -> Server:
    """JupyterLab (which also serves Notebook 7's ``/notebooks/``) on a free loopback port."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.token=",
        "--ServerApp.password=",
        "--allow-root",
        # the tests shut kernels down through the REST API, without a browser's XSRF cookie
        "--ServerApp.disable_check_xsrf=True",
        f"--ServerApp.root_dir={notebook_dir}",
        "--ServerApp.port_retries=0",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        # window.jupyterapp: the tests read which cells ran from the notebook model
        "--LabApp.expose_app_in_browser=True",
        "--JupyterNotebookApp.expose_app_in_browser=True",
    ]
    return Server("jupyterlab", argv, cwd=notebook_dir, env=jupyter_env(home), port=port)


#: the repository's Voilà configuration (``voila notebooks/06_dashboard.ipynb`` from the
#: repository, and Binder, read it from the working folder): it keeps JupyterLab-only
#: extensions out of Voilà's page — jupytext's and Notebook 7's, built for JupyterLab 4.6,
#: which Voilà 0.5 (JupyterLab 4.2 core modules) cannot load ("The getter for the shared
#: module is not a function", #RUNTIME-012) and which add nothing a dashboard uses
VOILA_CONFIG = REPO / "voila.json"


def voila(notebook: Path, home: Path) -> Server:
    """Voilà serving one notebook on its own free loopback port, with the repository's config.

    The config goes into the server's own Jupyter config folder (on Voilà's
    config path whatever the working folder), so the test uses the file users get.
    """
    port = free_port()
    env = jupyter_env(home)
    shutil.copy(VOILA_CONFIG, Path(env["JUPYTER_CONFIG_DIR"]) / "voila.json")
    voila_exe = shutil.which("voila") or "voila"
    argv = [
        voila_exe,
        notebook.name,
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        "--show_tracebacks=True",
    ]
    return Server("voila", argv, cwd=notebook.parent, env=env, port=port)


def lab_page_config(server: Server) -> dict[str, Any]:
    """The ``jupyter-config-data`` JSON that Lab's page carries (federated extensions etc.)."""
    html = server.get("/lab")
    match = re.search(
        r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S
    )
    if match is None:
        raise AssertionError(f"no jupyter-config-data in {server.url}/lab")
    return json.loads(match.group(1))


# -- the browser ------------------------------------------------------------------


@contextlib.contextmanager
def chromium(profile: Path) -> Iterator[Any]:
    """A fresh persistent Chromium context on ``/usr/bin/chromium``; fails (never skips) without it."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need it. "
            f"Install it with: {CHROMIUM_INSTALL} (never `playwright install`)",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "playwright is not installed: pip install playwright (the package only)", pytrace=False
        )
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=list(CHROMIUM_ARGS),
            viewport=VIEWPORT,
            timeout=60_000,
        )
        context.set_default_timeout(30_000)  # a backstop: every real wait is a named step
        try:
            yield context
        finally:
            context.close()
