"""The codebase's structure, held by the test suite (and so by CI).

ruff (lint and format), import-linter (DESIGN.md's layers, contracts in
pyproject.toml) and mypy (settings in pyproject.toml). Each runs as its own
command would, on the repository's files, and a failure shows its report.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ["dffml_nb", "tests", "benchmarks"]


def _run(*command: str, timeout: float = 300) -> None:
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    report = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{report[-6000:]}"


def _tool(name: str) -> str:
    # this Python's own copy first (a virtualenv), then PATH
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def test_ruff_check():
    _run(_tool("ruff"), "check", *CHECKED)


def test_ruff_format():
    _run(_tool("ruff"), "format", "--check", *CHECKED)


def test_import_contracts():
    """DESIGN.md's layers: imports only point downward; dffml_nb.df is standard library only."""
    _run(_tool("lint-imports"), "--no-cache")


@pytest.mark.slow
def test_mypy():
    _run(sys.executable, "-m", "mypy", timeout=600)
