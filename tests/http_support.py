"""Helpers for the HTTP service tests: the quickstart model, flows, real servers.

Servers are real: ``serve()`` (uvicorn in a thread) or ``dffml-nb serve`` as a
subprocess on a free loopback port (``-port 0``; the port is read from the URL
it prints), stopped by the PID the test started. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from dffml_nb.examples.quickstart import FEATURES, PREDICT, write_data

QUICKSTART_ROWS = [
    {"Expertise": 1, "Trust": 0.1, "Years": 0, "Salary": 10},
    {"Expertise": 3, "Trust": 0.2, "Years": 1, "Salary": 20},
    {"Expertise": 5, "Trust": 0.3, "Years": 2, "Salary": 30},
    {"Expertise": 7, "Trust": 0.4, "Years": 3, "Salary": 40},
]
NEW_ROWS = [
    {"Expertise": 13, "Trust": 0.7, "Years": 6},
    {"Expertise": 15, "Trust": 0.8, "Years": 7},
]
MODEL_FLAGS = [
    "-model",
    "scikitlr",
    "-model-features",
    *FEATURES,
    "-model-predict",
    PREDICT,
]


def salary_of(years: float) -> float:
    """What the quickstart's linear model predicts: 10 per year, plus 10."""
    return 10 * years + 10


def trained_model(location: Path | None = None) -> Any:
    """The quickstart's scikitlr model, trained (and saved to ``location`` if given)."""
    from dffml_nb.model import Model

    model = Model.load("scikitlr")(
        features=FEATURES, predict=PREDICT, location=None if location is None else str(location)
    )
    return model.fit(QUICKSTART_ROWS)


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dffml_nb", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=180,
    )


def train_with_cli(directory: Path, *extra: str) -> Path:
    """DFFML's quickstart ``train`` command into ``directory/model``; returns the model directory."""
    write_data(directory)
    result = cli(
        "train",
        *MODEL_FLAGS,
        *extra,
        "-model-location",
        "model",
        "-sources",
        "f=csv",
        "-source-filename",
        "training.csv",
        cwd=directory,
    )
    assert result.returncode == 0, result.stderr
    return directory / "model"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- a CLI server ----------------------------------------------------------------------------

_URL = re.compile(r"(http://\S+?)/\?token=(\S+)")
_NO_AUTH_URL = re.compile(r"(http://\S+?)/docs\s")


@dataclass
class CliServer:
    process: subprocess.Popen
    url: str
    token: str | None
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def _wait_for_url(process: subprocess.Popen, log: Path, timeout: float) -> tuple[str, str | None]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        found = _URL.search(text)
        if found:
            return found.group(1), found.group(2)
        found = _NO_AUTH_URL.search(text)
        if found:
            return found.group(1), None
        if process.poll() is not None:
            raise AssertionError(f"dffml-nb serve exited ({process.returncode}):\n{text}")
        time.sleep(0.05)
    raise AssertionError(f"dffml-nb serve printed no URL within {timeout} s:\n{log.read_text()}")


def wait_healthy(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{url}/healthz did not answer within {timeout} s")


@contextmanager
def cli_server(
    *args: str, cwd: Path, timeout: float = 90.0, env: dict[str, str] | None = None
) -> Iterator[CliServer]:
    """``dffml-nb serve -port 0 ARGS`` as a subprocess; stopped (by its PID) on exit.

    ``env``: added to this process's environment (e.g. ``PYTHONPATH`` for a module
    of the test's folder: ``python -m dffml_nb`` does not import from its cwd)."""
    log = cwd / f"serve-{time.monotonic_ns()}.log"
    with open(log, "w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "dffml_nb", "serve", "-port", "0", *args],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers form one process group with it
        )
    try:
        url, token = _wait_for_url(process, log, timeout)
        wait_healthy(url, timeout)
        yield CliServer(process, url, token, log)
    finally:
        stop(process)


def stop(process: subprocess.Popen, timeout: float = 20.0) -> None:
    """SIGTERM (uvicorn shuts down gracefully), then SIGKILL the group if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout)


# -- an in-thread server ------------------------------------------------------------------------


def server_tasks(server: Any) -> int:
    """How many asyncio tasks the server's event loop holds (besides the one counting)."""

    async def count() -> int:
        return len(asyncio.all_tasks()) - 1

    return asyncio.run_coroutine_threadsafe(count(), server.loop).result(timeout=10)


def wait_for_tasks(server: Any, at_most: int, timeout: float = 10.0) -> int:
    """Wait until the server's loop holds at most ``at_most`` tasks; returns the count."""
    deadline = time.monotonic() + timeout
    count = server_tasks(server)
    while count > at_most and time.monotonic() < deadline:
        time.sleep(0.05)
        count = server_tasks(server)
    return count
