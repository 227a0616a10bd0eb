"""The documentation builds in strict mode and every code example in it runs.

```python blocks run in one namespace per page, ```ipython blocks in a real
IPython shell (magics), ```console blocks in bash in a folder holding the
quickstart's CSV files. ```shell blocks (installing, launching) are not run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*.md"))
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks(page: Path, language: str) -> list[tuple[int, str]]:
    text = page.read_text()
    return [
        (text[: m.start()].count("\n") + 2, m.group(2))
        for m in BLOCK.finditer(text)
        if m.group(1) == language
    ]


def test_docs_build_strict(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(ROOT / "mkdocs.yml"),
            "-d",
            str(tmp_path / "site"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = (tmp_path / "site" / "api" / "index.html").read_text()
    for name in ("DataFlow", "run_sync", "Definition", "Model", "ModelTrainer"):
        assert name in html


@pytest.mark.parametrize("page", [p for p in PAGES if blocks(p, "python")], ids=lambda p: p.name)
def test_python_examples_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    for line, code in blocks(page, "python"):
        try:
            exec(compile(code, f"{page.name}:{line}", "exec"), namespace)
        except Exception as error:  # name the page and line of the failing example
            raise AssertionError(f"example at {page.name}:{line} failed: {error!r}") from error


@pytest.mark.parametrize("page", [p for p in PAGES if blocks(p, "ipython")], ids=lambda p: p.name)
def test_ipython_examples_run(page, tmp_path, monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.chdir(tmp_path)
    shell = InteractiveShell.instance()
    try:
        for line, code in blocks(page, "ipython"):
            result = shell.run_cell(code, store_history=False)
            assert result.success, (
                f"example at {page.name}:{line} failed: {result.error_in_exec or result.error_before_exec!r}"
            )
    finally:
        InteractiveShell.clear_instance()


@pytest.mark.parametrize("page", [p for p in PAGES if blocks(p, "console")], ids=lambda p: p.name)
def test_console_examples_run(page, tmp_path):
    from dffml_nb.examples.quickstart import write_data

    write_data(tmp_path)
    bindir = Path(sys.executable).parent
    exe = shutil.which("dffml-nb", path=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    assert exe, "the dffml-nb console script is not installed"
    env = {**os.environ, "PATH": f"{Path(exe).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for line, code in blocks(page, "console"):
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", code],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, (
            f"example at {page.name}:{line} failed:\n{result.stderr[-2000:]}"
        )
