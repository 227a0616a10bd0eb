"""Running the ``dffml-nb`` command in tests: as users do (a process), or in-process (fast)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

from dffml_nb.cli import main

#: DFFML's quickstart model flags (docs/quickstart/model.rst)
MODEL = [
    "-model",
    "scikitlr",
    "-model-features",
    "Years:int:1",
    "Expertise:int:1",
    "Trust:float:1",
    "-model-predict",
    "Salary:float:1",
    "-model-location",
    "tempdir",
]


def cli(*args: str, cwd=None, check: bool = True, env=None) -> subprocess.CompletedProcess:
    """``dffml-nb ARGS`` in a new process (``python -m dffml_nb``); exit 0 unless ``check=False``."""
    result = subprocess.run(
        [sys.executable, "-m", "dffml_nb", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def cli_here(capsys, *args: str) -> Ran:
    """``dffml-nb ARGS`` through the same entry point, in this process (no import cost)."""
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return Ran(code, out.out, out.err)


def one_line_error(result, code: int | None = None) -> str:
    """Assert ``result`` failed with one line on stderr, nothing on stdout, no traceback."""
    assert result.returncode != 0, result.stdout
    if code is not None:
        assert result.returncode == code, (result.returncode, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dffml-nb: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]
