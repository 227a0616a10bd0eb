"""``dffml-nb quickstart`` (headless) and ``dffml-nb lab`` (the notebooks in JupyterLab)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from dffml_nb.cli.args import UsageError, one, parse

LAB_USAGE = "usage: dffml-nb lab [-notebook-dir DIR] [-port N] [-no-browser]"


def quickstart(tokens: list[str]) -> int:
    from dffml_nb.examples.quickstart import run_quickstart

    _, options = parse(tokens)
    directory = one(options, "dir")
    model = one(options, "model", "scikitlr")
    if directory:
        result = run_quickstart(directory, model)
    else:
        with tempfile.TemporaryDirectory(prefix="dffml_nb-quickstart-") as tmp:
            result = run_quickstart(tmp, model)
    json.dump(result, sys.stdout, indent=2, default=float)
    sys.stdout.write("\n")
    return 0


def notebooks_dir() -> Path:
    """The repository's notebooks/ (a source checkout), else the current directory."""
    here = Path(__file__).resolve().parents[2] / "notebooks"
    return here if here.is_dir() else Path.cwd()


def lab(tokens: list[str]) -> int:
    _, options = parse(tokens)
    unknown = set(options) - {"notebook-dir", "port", "no-browser"}
    if unknown:
        raise UsageError(
            f"unknown option(s) {', '.join('-' + u for u in sorted(unknown))}\n{LAB_USAGE}"
        )
    directory = Path(one(options, "notebook-dir") or notebooks_dir())
    command = [sys.executable, "-m", "jupyterlab", f"--notebook-dir={directory}"]
    if one(options, "port"):
        command.append(f"--port={one(options, 'port')}")
    if "no-browser" in options:
        command.append("--no-browser")
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        raise UsageError("JupyterLab is not installed: pip install 'dffml_nb[notebook]'") from None
    return subprocess.call(command, env=os.environ.copy())
