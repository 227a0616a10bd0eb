"""Real-browser tests: the notebooks in JupyterLab, Notebook 7 and Voilà, driven by Chromium.

One JupyterLab server (on a free loopback port, with its own Jupyter folders,
serving a temporary copy of ``notebooks/``) and one Chromium are shared by the
tests of this module. Each test opens a notebook the way a user does — the Run
menu, a click on the graph, a click on Train — and reads what the page shows.
Every wait is a named, time-boxed step that saves a screenshot when it times
out; screenshots of the key states, the server logs and the browser console go
to ``$DFFML_NB_ARTIFACTS`` (default ``test-artifacts/``).

Browser console errors fail the test unless they are on the short allow-list
in ``browser_support`` (each entry says why it is harmless).

``DFFML_NB_UPDATE_DOCS_IMAGES=1`` also writes the screenshot of the live graph
to ``docs/images/live-graph.png`` (the README's picture).
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
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
    voila,
)

pytestmark = pytest.mark.browser

#: the notebooks under test; DFFML_NB_BROWSER_NOTEBOOKS points elsewhere (e.g. drafts)
NOTEBOOKS = Path(os.environ.get("DFFML_NB_BROWSER_NOTEBOOKS") or REPO / "notebooks")
DATAFLOWS = "02_dataflows.ipynb"
QUICKSTART = "01_quickstart.ipynb"
DASHBOARD = "06_dashboard.ipynb"
DOCS_IMAGE = REPO / "docs" / "images" / "live-graph.png"

#: first load of Lab headless takes 10–20 s here; a run of a notebook a few more
PAGE_LOAD = 90
RUN_ALL = 180
SHORT = 30

# -- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Jupyter's config / data / runtime folders and Chromium's profile, for this module only."""
    path = tmp_path_factory.mktemp("browser-home")
    jupyter_home(path)
    return path


@pytest.fixture(scope="module")
def notebook_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary copy of ``notebooks/`` (runs write nothing into the repository)."""
    target = tmp_path_factory.mktemp("notebooks") / "notebooks"
    shutil.copytree(NOTEBOOKS, target)
    missing = [name for name in (QUICKSTART, DATAFLOWS, DASHBOARD) if not (target / name).is_file()]
    if missing:
        pytest.fail(f"notebooks missing from {NOTEBOOKS}: {', '.join(missing)}", pytrace=False)
    return target


@pytest.fixture(scope="module")
def lab(notebook_dir: Path, home: Path) -> Iterator[Server]:
    """JupyterLab on a free loopback port, serving the copy of the notebooks; stopped by PID."""
    server = jupyter_lab(notebook_dir, home)
    try:
        server.wait_ready("JupyterLab answering /api/status", PAGE_LOAD, "/api/status")
        extensions = {e["name"] for e in lab_page_config(server).get("federated_extensions", [])}
        needed = {"@jupyter-widgets/jupyterlab-manager", "jupyter-cytoscape"}
        assert needed <= extensions, (
            f"labextensions not visible to the test server: {sorted(needed - extensions)} "
            f"(seen: {sorted(extensions)})"
        )
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(home: Path) -> Iterator[Any]:
    """One Chromium (``/usr/bin/chromium``) for the whole module."""
    with chromium(home / "chromium-profile") as context:
        yield context


class Session:
    """The pages one test opens: console collection, named steps, closed at the end."""

    def __init__(self, browser: Any, name: str) -> None:
        self.browser = browser
        self.name = name
        self.console = ConsoleLog()
        self.pages: list[Any] = []

    def open(self, url: str, label: str) -> tuple[Any, Steps]:
        page = self.browser.new_page()
        self.pages.append(page)
        self.console.attach(page, f"[{self.name}/{label}]")
        steps = Steps(page, f"{self.name}-{label}")
        steps.wait(
            f"page {url} to load",
            lambda ms: page.goto(url, timeout=ms, wait_until="load"),
            PAGE_LOAD,
        )
        return page, steps

    def close(self) -> None:
        pages, self.pages = self.pages, []
        for page in pages:
            try:
                page.close()
            except Exception:
                pass
        self.console.write(artifacts_dir() / f"{self.name}-console.log")


@pytest.fixture
def session(browser: Any, request: pytest.FixtureRequest) -> Iterator[Session]:
    """Pages of one test; closed (and their console written to the artifacts) at its end."""
    opened = Session(browser, request.node.name.removeprefix("test_"))
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def lab_session(lab: Server, browser: Any, request: pytest.FixtureRequest) -> Iterator[Session]:
    """A :func:`session` on the Lab server; afterwards every kernel is shut down (fresh ones per test)."""
    opened = Session(browser, request.node.name.removeprefix("test_"))
    try:
        yield opened
    finally:
        opened.close()
        shutdown_sessions(lab)


def shutdown_sessions(server: Server) -> None:
    """Delete every session of the server (which shuts its kernel down)."""
    for item in json.loads(server.get("/api/sessions")):
        request = urllib.request.Request(f"{server.url}/api/sessions/{item['id']}", method="DELETE")
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 204, f"DELETE session {item['id']}: HTTP {response.status}"


# -- the notebook front ends (Lab and Notebook 7 share the menus and the app object) --------

# The notebook panel of ``path`` in ``window.jupyterapp`` (exposed by
# ``expose_app_in_browser``): its model says which cells ran and what the kernel does.
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

# Run state: null while running; {errors: [...], cells: n} when every non-empty code
# cell has run or a cell failed (Run All stops at a failing cell).
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


def menu(page: Any, steps: Steps, top: str, item: str) -> None:
    """Click ``top`` in the menu bar, then ``item`` in its menu."""
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


def open_notebook(session: Session, url: str, path: str, label: str) -> tuple[Any, Steps]:
    """Open a notebook page and wait for its cells and an idle, connected kernel."""
    page, steps = session.open(url, label)
    steps.js(f"{path}: notebook cells shown and its kernel idle", _KERNEL_IDLE, path, PAGE_LOAD)
    return page, steps


def run_all(page: Any, steps: Steps, path: str) -> dict[str, Any]:
    """Clear the saved outputs, then Run → Run All Cells; wait until every cell ran; no errors."""
    menu(page, steps, "Edit", "Clear Outputs of All Cells")
    menu(page, steps, "Run", "Run All Cells")
    state = steps.js(f"{path}: every code cell executed (Run All Cells)", _RUN_STATE, path, RUN_ALL)
    assert not state["errors"], f"{path}: cells failed in the browser run:\n" + "\n".join(
        state["errors"]
    )
    assert state["cells"] > 0, f"{path}: no code cell ran"
    return state


# -- the graph in the page -------------------------------------------------------------

# cytoscape.js keeps its instance on its container: ``container._cyreg.cy``.
# ipycytoscape's container carries the class "__________cytoscape_container".
_GRAPH = """
(index) => {
  const box = document.querySelectorAll('.dffml-dataflow-graph')[index];
  if (!box) return null;
  const container = box.querySelector('div[class*="cytoscape_container"]');
  const cy = container && container._cyreg && container._cyreg.cy;
  return {box, container, cy};
}
"""

# What the first graph shows: canvas layers, pixels drawn on the node layer, nodes
# with their classes, colour and box on screen, the status line.
_GRAPH_STATE = f"""
(index) => {{
  const g = ({_GRAPH})(index);
  if (!g || !g.container || !g.cy) return null;
  const canvases = [...g.container.querySelectorAll('canvas')];
  const layer = g.container.querySelector('canvas[data-id="layer2-node"]') || canvases[canvases.length - 1];
  let drawn = 0;
  if (layer && layer.width && layer.height) {{
    const data = layer.getContext('2d').getImageData(0, 0, layer.width, layer.height).data;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn++;
  }}
  // rendered positions are relative to the canvases (inside the container's border)
  const rect = (layer || g.container).getBoundingClientRect();
  const nodes = g.cy.nodes().map(n => {{
    const bb = n.renderedBoundingBox({{includeLabels: false}});
    const pos = n.renderedPosition();
    return {{id: n.id(), name: n.data('name'), kind: n.data('kind'), label: n.data('label'),
             classes: n.classes(), fill: n.style('background-color'),
             x: pos.x, y: pos.y, x1: bb.x1, y1: bb.y1, x2: bb.x2, y2: bb.y2}};
  }});
  const html = [...g.box.querySelectorAll('.widget-html-content')].map(e => e.innerText);
  return {{canvases: canvases.length, drawn, width: rect.width, height: rect.height,
           left: rect.left, top: rect.top, nodes, html}};
}}
"""


def _rgb(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    return "rgb({},{},{})".format(*(int(value[i : i + 2], 16) for i in (0, 2, 4)))


def done_fill() -> str:
    """The fill of a done operation node, as cytoscape reports it (``rgb(r,g,b)``)."""
    from dffml_nb.nb.graph.svg import COLOURS

    return _rgb(COLOURS["done"][0])


def graph_state(steps: Steps, index: int = 0, seconds: float = SHORT) -> dict[str, Any]:
    """Wait until graph ``index`` has its canvas layers, pixels on the node layer and nodes."""
    steps.wait(
        f"graph #{index} scrolled into view",
        lambda ms: (
            steps.page.locator(".dffml-dataflow-graph")
            .nth(index)
            .scroll_into_view_if_needed(timeout=ms)
        ),
        seconds,
    )
    check = f"""
    (index) => {{
      const s = ({_GRAPH_STATE})(index);
      return s && s.canvases >= 3 && s.drawn > 0 && s.nodes.length > 0 ? s : null;
    }}
    """
    return steps.js(
        f"graph #{index}: ipycytoscape container with 3 canvas layers, nodes drawn on the node layer",
        check,
        index,
        seconds,
    )


def outside_view(state: dict[str, Any]) -> dict[str, str]:
    """``{node id: its box}`` for the nodes not wholly inside the visible graph view."""
    return {
        n["id"]: f"({n['x1']:.0f},{n['y1']:.0f})-({n['x2']:.0f},{n['y2']:.0f})"
        for n in state["nodes"]
        if n["x1"] < -1
        or n["y1"] < -1
        or n["x2"] > state["width"] + 1
        or n["y2"] > state["height"] + 1
    }


def not_fitted_message(state: dict[str, Any], where: str) -> str:
    outside = outside_view(state)
    return (
        f"{where}: {len(outside)} of {len(state['nodes'])} nodes outside the "
        f"{state['width']:.0f}×{state['height']:.0f} graph view (not fitted to its box): "
        + ", ".join(f"{k} at {v}" for k, v in outside.items())
    )


def assert_fitted(state: dict[str, Any], where: str) -> None:
    """Every node is inside the visible canvas (the view was fitted to its box)."""
    assert not outside_view(state), not_fitted_message(state, where)


def wait_all_done(steps: Steps, index: int = 0) -> dict[str, Any]:
    """Wait until every operation node of graph ``index`` has the done class and colour."""
    fill = done_fill()
    check = f"""
    ([index, fill]) => {{
      const s = ({_GRAPH_STATE})(index);
      if (!s) return null;
      const ops = s.nodes.filter(n => n.kind === 'operation');
      const done = ops.filter(n => n.fill === fill && n.classes.some(c => /(^|-)done$/.test(c)));
      return ops.length && done.length === ops.length ? s : null;
    }}
    """
    try:
        return steps.js(
            f"graph #{index}: every operation node done (fill {fill})", check, [index, fill], SHORT
        )
    except AssertionError as error:
        state = steps.page.evaluate(_GRAPH_STATE, index)
        ops = [
            (n["name"], n["classes"], n["fill"])
            for n in (state or {}).get("nodes", [])
            if n["kind"] == "operation"
        ]
        raise AssertionError(f"{error}\noperation nodes (name, classes, fill): {ops}") from error


def function_params(notebook: Path, name: str) -> list[str] | None:
    """The parameter names of ``def name(...)`` in the notebook's code cells (magic lines dropped)."""
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        code = "\n".join(
            "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
        )
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                args = node.args
                return [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    return None


def click_node_and_read_details(
    page: Any, steps: Steps, state: dict[str, Any], node: dict[str, Any]
) -> str:
    """Click ``node`` at its rendered position on the canvas; return the signature the panel shows.

    The view refits itself shortly after it appears (see DataFlowGraph._fit_when_shown),
    which can move a node between reading its position and clicking it; like a
    person, click again at its new position (a few tries, then the timed wait).
    """
    x, y = state["left"] + node["x"], state["top"] + node["y"]
    expect = f"""
    ([index, name]) => {{
      const g = ({_GRAPH})(index);
      if (!g) return null;
      const text = g.box.innerText;
      if (!text.includes('operation ' + name) && !text.includes('operation\\n' + name)) return null;
      for (const row of g.box.querySelectorAll('tr')) {{
        if (row.cells.length > 1 && row.cells[0].textContent.trim() === 'signature') return row.cells[1].textContent;
      }}
      return null;
    }}
    """
    for _ in range(3):
        page.mouse.click(x, y)
        page.wait_for_timeout(1500)
        shown = page.evaluate(expect, [0, node["name"]])
        if shown:
            return shown
        now = graph_state(steps, 0)  # where the node is now
        moved = next((n for n in now["nodes"] if n["id"] == node["id"]), node)
        x, y = now["left"] + moved["x"], now["top"] + moved["y"]
    page.mouse.click(x, y)
    return steps.js(
        f"details panel of operation {node['name']!r} (with its signature) after clicking it at ({x:.0f},{y:.0f})",
        expect,
        [0, node["name"]],
        SHORT,
    )


# -- tests ---------------------------------------------------------------------------------


def test_lab_dataflow_graph_runs_and_shows_details(
    lab: Server, lab_session: Session, notebook_dir: Path
) -> None:
    """02_dataflows in JupyterLab: Run All draws the graph, its nodes end done, a click shows details."""
    page, steps = open_notebook(
        lab_session, f"{lab.url}/lab/tree/{DATAFLOWS}?reset", DATAFLOWS, "lab"
    )
    steps.shot("opened")
    run_all(page, steps, DATAFLOWS)

    state = graph_state(steps)
    assert state["canvases"] == 3, (
        f"expected ipycytoscape's 3 canvas layers, found {state['canvases']}"
    )
    assert state["drawn"] > 500, f"only {state['drawn']} non-transparent pixels on the node layer"
    ops = [n for n in state["nodes"] if n["kind"] == "operation"]
    assert ops, f"no operation node in the first graph: {[n['id'] for n in state['nodes']]}"

    wait_all_done(steps)
    # the status line is another widget: its update may reach the page after the nodes'
    expected = f"operations: {len(ops)} done, 0 running, 0 failed"
    state = steps.js(
        f"graph #0's status line: {expected}",
        f"""(expected) => {{
          const s = ({_GRAPH_STATE})(0);
          return s && s.html.some(t => t.includes(expected)) ? s : null;
        }}""",
        expected,
        SHORT,
    )
    steps.shot("graph-done")

    # a user clicks a node they can see
    visible = [n for n in ops if n["id"] not in outside_view(state)]
    assert visible, (
        f"no operation node inside the graph view to click: {not_fitted_message(state, DATAFLOWS)}"
    )
    node = visible[0]
    signature = click_node_and_read_details(page, steps, state, node)
    assert signature.startswith(f"{node['name']}(") and ") -> " in signature, (
        f"details panel signature of {node['name']!r} looks wrong: {signature!r}"
    )
    params = function_params(notebook_dir / DATAFLOWS, node["name"])
    if params is not None:  # defined in the notebook itself: its parameters are the inputs
        shown = re.findall(r"(\w+): ", signature.split(") -> ")[0])
        assert shown == params, (
            f"signature {signature!r} does not list the parameters {params} of def {node['name']}"
        )
    steps.shot("node-clicked")
    graph = page.locator(".dffml-dataflow-graph").first
    target = artifacts_dir() / "live-graph.png"
    steps.wait(
        "screenshot of the graph widget",
        lambda ms: graph.screenshot(path=str(target), timeout=ms),
        SHORT,
    )

    assert_fitted(state, DATAFLOWS)
    if os.environ.get("DFFML_NB_UPDATE_DOCS_IMAGES"):
        DOCS_IMAGE.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, DOCS_IMAGE)
    lab_session.console.check()


# The trainer: the VBox holding the HBox of the Train button (see ModelTrainer).
_TRAINER = """
(index) => {
  const buttons = [...document.querySelectorAll('button.jupyter-widgets')]
    .filter(b => b.textContent.trim() === 'Train');
  const button = buttons[index];
  if (!button) return null;
  const row = button.closest('.widget-hbox');
  return row && row.parentElement && row.parentElement.closest('.widget-vbox');
}
"""

_TRAINER_RESULT = f"""
(index) => {{
  const trainer = ({_TRAINER})(index);
  if (!trainer) return null;
  const score = [...trainer.querySelectorAll('.widget-html-content')]
    .map(e => e.innerText).find(t => / on \\d+ .*rows: .*is better/.test(t));
  const images = [...trainer.querySelectorAll('img')]
    .filter(i => !i.dataset.dffmlBefore && i.complete && i.naturalWidth > 0 && i.naturalHeight > 0)
    .map(i => ({{w: i.naturalWidth, h: i.naturalHeight}}));
  const button = [...trainer.querySelectorAll('button')].find(b => b.textContent.trim() === 'Train');
  const messages = [...trainer.querySelectorAll('.widget-html-content')].map(e => e.innerText).filter(t => t.trim());
  const failed = messages.find(t => /failed|error/i.test(t));
  if (failed && button && !button.disabled) return {{failed, messages}};
  if (!score || !images.length || !button || button.disabled) return null;
  return {{score, images, messages}};
}}
"""


def test_lab_quickstart_trainer_trains_from_a_click(lab: Server, lab_session: Session) -> None:
    """01_quickstart in JupyterLab: after Run All, a click on Train shows a score and a plot image."""
    page, steps = open_notebook(
        lab_session, f"{lab.url}/lab/tree/{QUICKSTART}?reset", QUICKSTART, "lab"
    )
    run_all(page, steps, QUICKSTART)
    steps.js(
        "the trainer's Train button (enabled)",
        f"() => {{ const t = ({_TRAINER})(0); "
        "const b = t && [...t.querySelectorAll('button')].find(b => b.textContent.trim() === 'Train'); "
        "return !!(b && !b.disabled); }",
        None,
        SHORT,
    )
    # plots from an earlier run of the notebook don't count: only images made by this click
    page.evaluate(
        f"() => {{ const t = ({_TRAINER})(0); t.querySelectorAll('img').forEach(i => i.dataset.dffmlBefore = '1'); }}"
    )
    button = page.locator("button.jupyter-widgets", has_text=re.compile(r"^\s*Train\s*$")).first
    steps.wait(
        "Train button scrolled into view",
        lambda ms: button.scroll_into_view_if_needed(timeout=ms),
        SHORT,
    )
    steps.shot("before-train")
    steps.wait("click on Train", lambda ms: button.click(timeout=ms), SHORT)
    try:
        result = steps.js(
            "a score and a rendered plot image in the trainer after Train", _TRAINER_RESULT, 0, 120
        )
    except AssertionError as error:
        texts = page.evaluate(
            f"() => {{ const t = ({_TRAINER})(0); return t ? t.innerText : null; }}"
        )
        raise AssertionError(f"{error}\ntrainer text: {texts!r}") from error
    assert "failed" not in result, f"the trainer shows an error after Train: {result['messages']}"
    score = re.search(r"rows: (\S+)", result["score"]).group(1)
    assert re.fullmatch(r"-?\d+(\.\d+)?(e[-+]?\d+)?|nan|inf", score), (
        f"score is not a number: {result['score']!r}"
    )
    assert all(i["w"] > 0 and i["h"] > 0 for i in result["images"])
    steps.shot("trained")
    lab_session.console.check()


def test_notebook7_renders_the_graph(lab: Server, lab_session: Session) -> None:
    """02_dataflows in Notebook 7: Run All draws the graph, fitted, its operations done."""
    page, steps = open_notebook(
        lab_session, f"{lab.url}/notebooks/{DATAFLOWS}", DATAFLOWS, "notebook7"
    )
    run_all(page, steps, DATAFLOWS)
    graph_state(steps)
    state = wait_all_done(steps)
    assert state["canvases"] == 3 and state["drawn"] > 500
    steps.shot("graph-done")
    lab_session.console.check()
    assert_fitted(state, f"Notebook 7 {DATAFLOWS}")


def button(page: Any, text: str) -> Any:
    """The visible widget button whose label is exactly ``text``."""
    return page.locator(
        "button.jupyter-widgets:visible", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$")
    ).first


def test_voila_dashboard_renders(notebook_dir: Path, home: Path, session: Session) -> None:
    """06_dashboard in Voilà (own server, own port): the widgets render; the graph draws and runs."""
    server = voila(notebook_dir / DASHBOARD, home)
    try:
        server.wait_ready("Voilà listening", PAGE_LOAD)
        # Voilà runs the whole notebook before it shows the page
        page, steps = session.open(server.url + "/", "voila")
        steps.wait(
            "the dashboard's tabs (Voilà ran the notebook)",
            lambda ms: page.locator(".widget-tab .lm-TabBar-tab").first.wait_for(timeout=ms),
            RUN_ALL,
        )
        steps.wait(
            "the trainer's Train button",
            lambda ms: button(page, "Train").wait_for(timeout=ms),
            SHORT,
        )
        widgets = page.evaluate(
            """() => [...document.querySelectorAll('.jp-OutputArea-output > .jupyter-widgets')].length"""
        )
        assert widgets > 0, "no widget view in Voilà's outputs"
        # the repository's voila.json keeps JupyterLab-only extensions off the page
        loaded = page.evaluate(
            """() => JSON.parse(document.getElementById('jupyter-config-data').textContent)
                 .federated_extensions.map(e => e.name)"""
        )
        assert "jupyter-cytoscape" in loaded, loaded
        assert not {"jupyterlab-jupytext", "@jupyter-notebook/lab-extension"} & set(loaded), loaded
        steps.shot("dashboard")

        tab = page.locator(
            ".widget-tab .lm-TabBar-tab", has_text=re.compile(r"^\s*Dataflow\s*$")
        ).first
        steps.wait("click on the Dataflow tab", lambda ms: tab.click(timeout=ms), SHORT)
        index = (
            steps.js(
                "a visible graph in the Dataflow tab",
                """() => [...document.querySelectorAll('.dffml-dataflow-graph')]
                     .findIndex(g => g.offsetWidth > 0 && g.offsetHeight > 0) + 1""",
                None,
                SHORT,
            )
            - 1
        )
        state = graph_state(steps, index)
        assert state["canvases"] == 3 and state["drawn"] > 500
        steps.shot("dataflow-tab")

        run = button(page, "Run")
        steps.wait("click on Run in the Dataflow tab", lambda ms: run.click(timeout=ms), SHORT)
        fill = done_fill()
        ran = steps.js(
            "the calculator's answer and done operations after Run",
            f"""([index, fill]) => {{
              const s = ({_GRAPH_STATE})(index);
              const tab = document.querySelectorAll('.dffml-dataflow-graph')[index].parentElement;
              const answer = [...tab.querySelectorAll('.widget-html-content')].map(e => e.innerText)
                .find(t => / = /.test(t));
              const done = s ? s.nodes.filter(n => n.kind === 'operation' && n.fill === fill).map(n => n.name) : [];
              return answer && done.length ? {{answer, done, state: s}} : null;
            }}""",
            [index, fill],
            SHORT,
        )
        assert ran["answer"].strip(), "no answer after Run"
        state = ran["state"]
        steps.shot("dataflow-run")

        problems = page.evaluate(
            """() => {
              const text = document.body.innerText;
              const shown = ['Error displaying widget', 'Loading widget', 'model not found', 'Traceback']
                .filter(t => text.includes(t));
              const errors = [...document.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')]
                .map(e => e.innerText).filter(t => /Error|Traceback/.test(t));
              return [...shown, ...errors];
            }"""
        )
        assert not problems, f"Voilà shows widget or notebook errors: {problems}"
        session.console.check()
        assert_fitted(state, f"Voilà {DASHBOARD}, Dataflow tab")
    finally:
        session.close()  # before the server goes: no refused reconnections in the log
        server.stop()


def test_voila_fits_a_graph_shown_as_a_cell_output(
    notebook_dir: Path, home: Path, session: Session
) -> None:
    """A graph that is a cell's own output is fitted in Voilà too (its views appear after every cell ran)."""
    import nbformat

    path = notebook_dir / "graph_only.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext dffml_nb"),
        nbformat.v4.new_code_cell(
            "%%dffml flow calc\n"
            "def add(a: int, b: int) -> int:\n    return a + b\n\n"
            "def double(add: int) -> int:\n    return 2 * add\n"
        ),
    ]
    nbformat.write(nb, path)
    server = voila(path, home)
    try:
        server.wait_ready("Voilà listening", PAGE_LOAD)
        page, steps = session.open(server.url + "/", "voila-graph")
        state = graph_state(steps, 0, RUN_ALL)
        deadline = 20  # the refit follows the view's creation by about a second
        for _ in range(deadline * 4):
            if not outside_view(state):
                break
            page.wait_for_timeout(250)
            state = graph_state(steps, 0)
        steps.shot("voila-graph-only")
        session.console.check()
        assert_fitted(state, "Voilà, a graph as a cell's output")
    finally:
        session.close()
        server.stop()
