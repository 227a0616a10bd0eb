"""The Leaderboard in a real browser: 11_evaluate in JupyterLab, a click on a confusion-matrix cell.

JupyterLab (free loopback port, its own Jupyter folders, serving a temporary
copy of ``notebooks/``) and Chromium (``/usr/bin/chromium``, Playwright) as
in ``browser_support``. The test runs the notebook with Run → Run All Cells,
then, as a user would, clicks a model's name in the leaderboard and a cell of
its confusion matrix, and reads the records table that appears below. Every
wait is a named, time-boxed step; screenshots and the console go to the
artifacts folder.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    REPO,
    ConsoleLog,
    Server,
    Steps,
    artifacts_dir,
    chromium,
    jupyter_home,
    jupyter_lab,
    lab_page_config,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "11_evaluate.ipynb"
PAGE_LOAD = 90
RUN_ALL = 420  # five models cross-validated twice, a grid search, regressors: on 2 shared cores
SHORT = 30

# the notebook panel of ``path`` in window.jupyterapp (expose_app_in_browser)
_PANEL = """
(path) => {
  const app = window.jupyterapp;
  if (!app) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.content.model) return w;
  }
  return null;
}
"""
_KERNEL_IDLE = f"""
(path) => {{
  const panel = ({_PANEL})(path);
  const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return !!(panel && panel.content.widgets.length && kernel && kernel.status === 'idle'
            && kernel.connectionStatus === 'connected');
}}
"""
# null while running; {errors, cells} once every code cell ran (or one failed)
_RUN_STATE = f"""
(path) => {{
  const panel = ({_PANEL})(path);
  if (!panel) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const model = panel.content.model;
  const errors = [];
  let pending = 0, ran = 0;
  for (let i = 0; i < model.cells.length; i++) {{
    const cell = model.cells.get(i);
    if (cell.type !== 'code') continue;
    for (const out of cell.outputs.toJSON()) {{
      if (out.output_type === 'error') errors.push(`cell ${{i}}: ${{out.ename}}: ${{out.evalue}}`);
    }}
    if (!cell.sharedModel.getSource().trim()) continue;
    if (cell.executionCount === null || cell.executionState === 'running') pending++; else ran++;
  }}
  if (errors.length) return {{errors, cells: ran}};
  if (pending || !kernel || kernel.status !== 'idle') return null;
  return {{errors, cells: ran}};
}}
"""
# the first leaderboard on the page (the one %dffml evaluate returned) and what it shows
_BOARD = """
() => {
  const board = document.querySelector('.dffml-nb-leaderboard');
  if (!board) return null;
  const text = (selector) => {
    const node = board.querySelector(selector);
    return node ? node.textContent : null;
  };
  const cells = [...board.querySelectorAll('button.dffml-nb-cm-cell')].map(b => ({
    cls: [...b.classList].find(c => /^dffml-nb-cm-\\d+-\\d+$/.test(c)), count: b.textContent.trim()}));
  const table = board.querySelector('.dffml-nb-records table.dffml-nb-records-table');
  return {
    title: text('.dffml-nb-details-title'),
    cells,
    records: text('.dffml-nb-records'),
    rows: table ? table.querySelectorAll('tbody tr').length : null,
    picks: [...board.querySelectorAll('button.dffml-nb-pick')].map(b => b.textContent.trim()),
  };
}
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("leaderboard-home")
    jupyter_home(path)
    # In a virtualenv made with --system-site-packages, Jupyter's packages (and their
    # labextensions and server-extension switches) live in the base Python's share/ and etc/,
    # which Jupyter does not search from the venv: link them in, as if installed here.
    for kind, folder, target in (
        ("share", "labextensions", path / "data" / "labextensions"),
        ("etc", "jupyter_server_config.d", path / "config" / "jupyter_server_config.d"),
    ):
        base = Path(sys.base_prefix) / kind / "jupyter" / folder
        own = Path(sys.prefix) / kind / "jupyter" / folder
        if not own.is_dir() and base.is_dir():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(base)
    return path


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, home: Path) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("leaderboard-notebooks")
    shutil.copy(REPO / "notebooks" / NOTEBOOK, folder / NOTEBOOK)
    server = jupyter_lab(folder, home)
    try:
        server.wait_ready("JupyterLab answering /api/status", PAGE_LOAD, "/api/status")
        extensions = {e["name"] for e in lab_page_config(server).get("federated_extensions", [])}
        assert "@jupyter-widgets/jupyterlab-manager" in extensions, (
            f"ipywidgets' labextension is not visible to the test server (seen: {sorted(extensions)})"
        )
        yield server
    finally:
        for item in json.loads(server.get("/api/sessions")):  # shut the kernel down
            request = urllib.request.Request(
                f"{server.url}/api/sessions/{item['id']}", method="DELETE"
            )
            urllib.request.urlopen(request, timeout=30).close()
        server.stop()


def menu(page: Any, steps: Steps, top: str, item: str) -> None:
    steps.wait(
        f"menu bar item {top!r}",
        lambda ms: page.locator(
            ".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(top)}$")
        ).click(timeout=ms),
        SHORT,
    )
    steps.wait(
        f"menu item {top} → {item!r}",
        lambda ms: page.locator(
            ".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")
        ).click(timeout=ms),
        SHORT,
    )


def board_state(page: Any) -> dict[str, Any] | None:
    return page.evaluate(_BOARD)


def click(page: Any, steps: Steps, selector: str, what: str) -> None:
    target = page.locator(".dffml-nb-leaderboard").first.locator(selector).first
    steps.wait(
        f"{what} scrolled into view",
        lambda ms: target.scroll_into_view_if_needed(timeout=ms),
        SHORT,
    )
    steps.wait(f"click on {what}", lambda ms: target.click(timeout=ms), SHORT)


def test_lab_leaderboard_click_on_a_confusion_cell_lists_its_records(
    lab: Server, home: Path
) -> None:
    console = ConsoleLog()
    with chromium(home / "chromium-profile") as browser:
        page = browser.new_page()
        console.attach(page, "[leaderboard/lab]")
        steps = Steps(page, "leaderboard-lab")
        url = f"{lab.url}/lab/tree/{NOTEBOOK}?reset"
        steps.wait(
            f"page {url}", lambda ms: page.goto(url, timeout=ms, wait_until="load"), PAGE_LOAD
        )
        steps.js(f"{NOTEBOOK}: cells shown and kernel idle", _KERNEL_IDLE, NOTEBOOK, PAGE_LOAD)
        menu(page, steps, "Edit", "Clear Outputs of All Cells")
        menu(page, steps, "Run", "Run All Cells")
        state = steps.js(f"{NOTEBOOK}: every code cell ran", _RUN_STATE, NOTEBOOK, RUN_ALL)
        assert not state["errors"], "cells failed in the browser:\n" + "\n".join(state["errors"])

        # the notebook itself selected the best model and clicked (true 0, predicted 1)
        shown = steps.until(
            "the leaderboard's confusion matrix and the notebook's records table rendered",
            lambda: (
                (s := board_state(page)) and len(s["cells"]) == 4 and s["rows"] is not None and s
            ),
            SHORT,
        )
        assert sorted(shown["picks"]) == [
            "scikitdtc",
            "scikitgnb",
            "scikitknn",
            "scikitlor",
            "scikitrfc",
        ]
        best = shown["picks"][0]
        assert best in shown["title"] and "predicted 1" in shown["records"]
        steps.shot("notebook-clicked")

        # a user clicks another model's name: its matrix replaces the first one
        other = "scikitgnb" if best != "scikitgnb" else "scikitknn"
        click(page, steps, f"button.dffml-nb-pick:text-is('{other}')", f"the name {other}")
        selected = steps.until(
            f"{other}'s confusion matrix shown",
            lambda: (
                (s := board_state(page)) and other in (s["title"] or "") and s["rows"] is None and s
            ),
            SHORT,
        )
        counts = {cell["cls"]: int(cell["count"]) for cell in selected["cells"]}
        assert sum(counts.values()) == 569  # every record once, from the fold that held it out

        # ... and a cell of it: true 1 (benign), predicted 0 (malignant)
        click(
            page, steps, "button.dffml-nb-cm-1-0", "the confusion-matrix cell true 1, predicted 0"
        )
        listed = steps.until(
            "the records of that cell listed below the matrix",
            lambda: (
                (s := board_state(page))
                and s["rows"] is not None
                and "predicted 0" in (s["records"] or "")
                and s
            ),
            SHORT,
        )
        expected = counts["dffml-nb-cm-1-0"]
        assert listed["rows"] == min(expected, 200)
        assert (
            f"{expected} records of target = 1 predicted 0 by {other} (wrong)" in listed["records"]
        )
        steps.shot("cell-clicked")
        page.close()
    console.write(artifacts_dir() / "leaderboard-console.log")
    console.check()
