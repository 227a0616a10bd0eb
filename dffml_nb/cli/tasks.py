"""``dffml-nb quickstart`` (headless) and ``dffml-nb lab`` (the notebooks in JupyterLab)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from dffml_nb.cli.args import HELP, Flag, Flags, HelpRequested, UsageError, one

QUICKSTART = Flags(
    """\
usage: dffml-nb quickstart [-dir DIR] [-model NAME]

  Writes DFFML's quickstart CSV files (to DIR, else a temporary directory), then
  trains, scores and predicts with the model (default scikitlr); prints JSON.
""",
    (Flag("dir"), Flag("model")),
)

LAB_USAGE = """\
usage: dffml-nb lab [-notebook-dir DIR] [-port N] [-no-browser] [JUPYTER OPTION ...]

  Starts JupyterLab on the notebooks/ folder of this checkout (else the current
  directory; --notebook-dir chooses another). Every other option goes to JupyterLab unchanged (see
  `jupyter lab --help`): dffml-nb lab --port 9999 --no-browser --ServerApp.token=...
  Single-dash options are DFFML's style of Jupyter's (-port 9999 is --port 9999).
  Run as root (containers, CI, cloud notebooks), --allow-root is added for you.
"""

#: Jupyter's options that choose the folder it serves: given one, we add none
_ROOT_DIR_OPTIONS = ("--notebook-dir", "--ServerApp.root_dir", "--ServerApp.notebook_dir")


def quickstart(tokens: list[str]) -> int:
    from dffml_nb.examples.quickstart import run_quickstart

    positional, options = QUICKSTART.parse(tokens)
    if positional:
        raise UsageError(f"quickstart takes only flags, got {' '.join(positional)!r}")
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


def jupyter_options(tokens: list[str]) -> list[str]:
    """JupyterLab's options for ``dffml-nb lab``'s: ``-word`` becomes ``--word``, the rest
    passes unchanged; a root folder and, for root, ``--allow-root`` are added when missing."""
    options = [
        "-" + token if len(token) > 2 and token[0] == "-" and token[1] != "-" else token
        for token in tokens
    ]
    names = [option.partition("=")[0] for option in options]
    if not any(name in _ROOT_DIR_OPTIONS for name in names):
        options.insert(0, f"--notebook-dir={notebooks_dir()}")
    if _is_root() and "--allow-root" not in names:
        sys.stderr.write(
            "dffml-nb: running as root: passing --allow-root to JupyterLab "
            "(it refuses to run as root without it)\n"
        )
        options.append("--allow-root")
    return options


def _is_root() -> bool:
    geteuid = getattr(os, "geteuid", None)  # absent on Windows, where there is no root to refuse
    return geteuid is not None and geteuid() == 0


def lab(tokens: list[str]) -> int:
    if any(token in HELP for token in tokens):
        raise HelpRequested(LAB_USAGE)
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        raise UsageError("JupyterLab is not installed: pip install 'dffml_nb[notebook]'") from None
    command = [sys.executable, "-m", "jupyterlab", *jupyter_options(tokens)]
    sys.stderr.flush()
    if os.name == "posix":
        # become JupyterLab (same PID): signals, exit code and `kill PID` reach the server itself
        os.execv(sys.executable, command)
    return subprocess.call(command)
