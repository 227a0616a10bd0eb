"""``dffml-nb lab``: options go through to JupyterLab, and root gets ``--allow-root``.

The real test starts the command on a free loopback port with Jupyter's
folders in a temporary directory, waits until the server answers, checks that
the process it started *is* JupyterLab (so stopping that PID stops the server)
and stops it by PID.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from browser_support import Server, free_port, jupyter_env

from dffml_nb.cli import tasks


@pytest.fixture
def as_root(monkeypatch):
    def become(root: bool) -> None:
        monkeypatch.setattr(os, "geteuid", lambda: 0 if root else 1000, raising=False)

    return become


def test_options_pass_through_and_dffml_style_is_translated(as_root, capsys):
    as_root(False)
    options = tasks.jupyter_options(
        ["-port", "9999", "--no-browser", "--ServerApp.token=abc", "-y"]
    )
    assert options == [
        f"--notebook-dir={tasks.notebooks_dir()}",
        "--port",
        "9999",
        "--no-browser",
        "--ServerApp.token=abc",
        "-y",  # Jupyter's own one-letter flags stay as they are
    ]
    assert capsys.readouterr().err == ""  # not root: nothing added, nothing said


@pytest.mark.parametrize(
    "folder", ["--notebook-dir=/x", "-notebook-dir", "--ServerApp.root_dir=/x"]
)
def test_a_chosen_folder_replaces_the_default(as_root, folder):
    as_root(False)
    options = tasks.jupyter_options([folder, "/x"] if "=" not in folder else [folder])
    assert not any(str(tasks.notebooks_dir()) in option for option in options)


def test_root_gets_allow_root_once_and_is_told(as_root, capsys):
    as_root(True)
    assert tasks.jupyter_options(["--no-browser"])[-1] == "--allow-root"
    assert "running as root: passing --allow-root" in capsys.readouterr().err
    assert tasks.jupyter_options(["-allow-root"]).count("--allow-root") == 1


@pytest.mark.slow
def test_lab_starts_for_real_and_stops_by_pid(tmp_path):
    port = free_port()
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "hello.ipynb").write_text(
        json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    argv = [
        *(sys.executable, "-m", "dffml_nb", "lab"),
        *("-port", str(port)),  # DFFML style: becomes --port
        "--no-browser",
        "--ip=127.0.0.1",
        "--IdentityProvider.token=",
        f"--notebook-dir={notebooks}",
    ]
    server = Server(
        "dffml-nb lab", argv, cwd=tmp_path, env=jupyter_env(tmp_path / "home"), port=port
    )
    try:
        server.wait_ready("dffml-nb lab answers", 90, path="/api")
        assert "version" in json.loads(server.get("/api"))
        contents = json.loads(server.get("/api/contents"))  # it serves the folder we chose
        assert [item["name"] for item in contents["content"]] == ["hello.ipynb"]
        cmdline = Path(f"/proc/{server.pid}/cmdline").read_bytes().split(b"\0")
        assert b"jupyterlab" in cmdline  # the PID we started is JupyterLab itself
        if os.geteuid() == 0:  # this machine runs the tests as root
            assert b"--allow-root" in cmdline
            assert "running as root: passing --allow-root" in server.log_path.read_text()
    finally:
        server.stop()
    assert server.proc.returncode is not None  # stopped by its PID
