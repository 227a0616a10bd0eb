"""Running one notebook of ``notebooks/`` with a check cell appended, and its jupytext pair."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import nbclient
import nbformat
import pytest


def execute_with_check(
    notebook: Path, workdir: Path, check: str, timeout: int = 600
) -> tuple[Any, Path]:
    """``notebook`` copied into ``workdir/notebooks`` and run there on a fresh kernel, with
    ``check`` as a last cell; ``(the executed notebook, its folder)``. A failing cell
    fails the test with the cell's error."""
    folder = workdir / "notebooks"
    folder.mkdir()
    shutil.copy(notebook, folder / notebook.name)
    nb = nbformat.read(folder / notebook.name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(check))
    client = nbclient.NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:
        pytest.fail(f"{notebook.name} failed:\n{error}", pytrace=False)
    return nb, folder


def pair_cells(notebook: Path, paired: Path) -> tuple[list[Any], list[Any]]:
    """The cells (type, source) of the jupytext script ``paired`` and of ``notebook``."""
    jupytext = pytest.importorskip("jupytext")
    from_py = jupytext.read(paired)
    saved = nbformat.read(notebook, as_version=4)
    return [(c.cell_type, c.source) for c in from_py.cells], [
        (c.cell_type, c.source) for c in saved.cells
    ]
