"""notebooks/07_datasets in a real browser: JupyterLab, Run All, the flow's graph and tables shown.

Uses the same server, browser and page helpers as ``test_browser.py`` (one
JupyterLab on a free loopback port serving a temporary copy of the notebook,
the system Chromium, named time-boxed steps, console errors checked).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import REPO, Server, chromium, jupyter_home, jupyter_lab
from test_browser import PAGE_LOAD, Session, open_notebook, run_all, shutdown_sessions

pytestmark = pytest.mark.browser

NOTEBOOK = "07_datasets.ipynb"

# what the page shows: the graph's container (ipycytoscape's canvases inside) and the text
# of every output area
_SHOWN = """
() => {
  const graphs = document.querySelectorAll('.dffml-dataflow-graph');
  const canvases = graphs.length ? graphs[0].querySelectorAll('canvas').length : 0;
  const text = Array.from(document.querySelectorAll('.jp-OutputArea-output'))
    .map(e => e.innerText).join('\\n');
  return canvases ? {graphs: graphs.length, canvases, text} : null;
}
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("records-browser-home")
    jupyter_home(home)
    folder = tmp_path_factory.mktemp("records-notebooks")
    shutil.copy(REPO / "notebooks" / NOTEBOOK, folder / NOTEBOOK)
    server = jupyter_lab(folder, home)
    try:
        server.wait_ready("JupyterLab answering /api/status", PAGE_LOAD, "/api/status")
        with chromium(home / "chromium-profile") as browser:
            server.browser = browser  # type: ignore[attr-defined]
            yield server
    finally:
        server.stop()


def test_lab_runs_the_datasets_notebook_and_shows_graph_and_tables(lab: Any) -> None:
    session = Session(lab.browser, "records-datasets")
    try:
        page, steps = open_notebook(session, f"{lab.url}/lab/tree/{NOTEBOOK}", NOTEBOOK, "lab")
        state = run_all(page, steps, NOTEBOOK)
        code = [
            c
            for c in json.loads((REPO / "notebooks" / NOTEBOOK).read_text())["cells"]
            if c["cell_type"] == "code" and "".join(c["source"]).strip()
        ]
        assert state["cells"] == len(code)  # every code cell ran, none failed
        shown = steps.js("the flow's graph drawn and the outputs shown", _SHOWN, None, PAGE_LOAD)
        assert shown["graphs"] >= 1 and shown["canvases"] >= 1
        for words in ("skill_count", "R² on held-out adverts", "new1", "City_Paris"):
            assert words in shown["text"], words
        steps.shot("datasets-done")
        session.console.check()
    finally:
        session.close()
        shutdown_sessions(lab)
