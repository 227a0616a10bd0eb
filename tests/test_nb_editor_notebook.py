"""notebooks/10_editor, the no-code app, run by nbclient and then used the way its page is.

The notebook runs top to bottom on a fresh kernel in a copy of ``notebooks/``;
then, in the same kernel, cells do what a person's clicks do (each widget's
Python counterpart: a palette button's ``click()``, the data picker's value, a
click on a node, the Run button): pick houses.csv, add two operations, connect
them, run over every row — and the results must be the right numbers.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

FOLDER = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOK = "10_editor.ipynb"

CLICKS = """
editor.data_picker.choice.value = "file:houses.csv"        # Inputs: run over houses.csv
editor.palette.buttons["notebook:price_per_m2"].click()     # the palette
editor.palette.buttons["notebook:rounded"].click()
print("message:", editor.message)
editor.click("def:price_per_m2")                            # its output ...
editor.click("def:value")                                   # ... to rounded's input
print("message:", editor.message)
print("run off:", editor.run_button.disabled, editor.run_reason.value)
editor.run_button.click()
print("message:", editor.message)
print("status:", editor.graph.status)
print("rounded:", editor.results["rounded"].tolist())
"""


def run(nb: object, folder: Path) -> None:
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()


def output_text(cell: object) -> str:
    return "".join(
        o.get("text", "")
        if o.output_type == "stream"
        else str(o.get("data", {}).get("text/plain", ""))
        for o in cell.outputs
    ) + "".join(f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error")


def test_the_no_code_app_builds_and_runs_over_the_csv(tmp_path: Path) -> None:
    folder = tmp_path / "notebooks"
    shutil.copytree(FOLDER, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    nb = nbformat.read(folder / NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(textwrap.dedent(CLICKS)))
    try:
        run(nb, folder)
    except nbclient.exceptions.CellExecutionError as error:
        raise AssertionError(f"{NOTEBOOK}: {error}") from None
    text = output_text(nb.cells[-1])
    assert (folder / "houses.csv").is_file()
    assert "added 'rounded'" in text, text
    assert "connected price_per_m2" in text, text
    assert "run off: False" in text, text
    assert "Ran over 4 records." in text, text
    assert "'price_per_m2': 'done'" in text and "'rounded': 'done'" in text, text
    # 210000 / 52.5, 262500 / 75, 390000 / 120, 171000 / 38
    assert "rounded: [4000.0, 3500.0, 3250.0, 4500.0]" in text, text
