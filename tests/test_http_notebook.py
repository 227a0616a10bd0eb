"""notebooks/09_serve runs top to bottom on a fresh kernel (nbclient) and shows what it says:
predictions of 70 and 80 from the Python client, plain httpx and the ``dffml-nb serve``
command, the calculator's result, a streamed run's events, a problem+json error, a stop."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _text(output) -> str:
    if output.output_type == "stream":
        return output.text
    data = output.get("data", {})
    return "\n".join(str(data.get(kind, "")) for kind in ("text/plain", "text/html"))


def _outputs(nb, starts: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.strip().startswith(starts):
            return "\n".join(_text(output) for output in cell.get("outputs", []))
    raise AssertionError(f"no code cell starts with {starts!r}")


@pytest.mark.slow
def test_serve_notebook_runs_on_a_fresh_kernel(tmp_path):
    shutil.copy(NOTEBOOKS / "09_serve.ipynb", tmp_path)
    nb = nbformat.read(tmp_path / "09_serve.ipynb", as_version=4)
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code")
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()

    check_serve(nb)


def check_serve(nb) -> None:
    """What the executed notebook must show (also used by tests/test_notebooks.py)."""
    shown = _outputs(nb, "server = dffml_nb.http.serve(")
    assert "http://127.0.0.1:" in shown and "running" in shown
    predicted = _outputs(nb, "client = Client(")
    assert "ana" in predicted and "70.0" in predicted and "80.0" in predicted
    assert "{'0': {'total': 42}}" in _outputs(nb, 'client.run("calc", {"calc_string"')
    plain = _outputs(nb, "headers = ")
    assert "'prediction': {'Salary': {'value': 70" in plain and "'key': 'ana'" in plain
    wrong = _outputs(nb, "wrong = ")
    assert "404" in wrong and "no model named 'salery'; models: salary" in wrong
    events = _outputs(nb, "client.run(\n")
    assert "context_started" in events and "operation_finished total" in events
    assert "'second': {'total': 42}" in events
    raw = _outputs(nb, "body = ")
    assert "event: operation_started" in raw and "event: results" in raw
    assert '"results": {"0": {"total": 4}}' in raw
    command = _outputs(nb, "import subprocess")
    assert "dffml-nb serve: models salary (1 worker)" in command
    assert "70.0" in command and "80.0" in command
    assert "stopped" in _outputs(nb, "server.stop()")
