"""The flow editor in a real browser: built with mouse clicks only, in JupyterLab, Voilà and Notebook 7.

A small notebook defines three ``@op`` functions and shows ``FlowEditor()``.
Chromium (Playwright, ``/usr/bin/chromium``) then does what a person does:
clicks a palette entry (an operation node appears on the canvas), another,
clicks the first one's output (an oval) and then the second one's input,
types a seed value, clicks Run — and the page must show every operation node
"done" and the result in the results table. Connecting a ``str`` output to an
``int`` parameter must mark the target node and ask. Screenshots of each key
state go to the artifacts folder (``$DFFML_NB_ARTIFACTS``, default
``test-artifacts/``); ``DFFML_NB_UPDATE_DOCS_IMAGES=1`` also copies the
finished editor to ``docs/images/flow-editor.png``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    REPO,
    Server,
    Steps,
    artifacts_dir,
    jupyter_home,
    jupyter_lab,
    lab_page_config,
    voila,
)
from test_browser import (  # the same page helpers as the notebooks' browser tests
    PAGE_LOAD,
    RUN_ALL,
    SHORT,
    Session,
    done_fill,
    open_notebook,
    run_all,
    shutdown_sessions,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "editor_demo.ipynb"
DOCS_IMAGE = REPO / "docs" / "images" / "flow-editor.png"
CELL = '''\
from dffml_nb.df import op
from dffml_nb.nb import FlowEditor


@op
def double(x: int) -> int:
    """Twice x."""
    return 2 * x


@op
def increment(n: int) -> int:
    """One more than n."""
    return n + 1


@op
def label(n: int) -> str:
    """n as words."""
    return f"number {n}"


editor = FlowEditor(registered=False)
editor
'''

# cytoscape.js keeps its instance on its container (``container._cyreg.cy``)
_EDITOR_STATE = """
(index) => {
  const box = document.querySelectorAll('.dffml-flow-editor')[index];
  if (!box) return null;
  const container = box.querySelector('div[class*="cytoscape_container"]');
  const cy = container && container._cyreg && container._cyreg.cy;
  if (!cy) return null;
  const layer = container.querySelector('canvas[data-id="layer2-node"]') || container.querySelector('canvas');
  const rect = (layer || container).getBoundingClientRect();
  const nodes = cy.nodes().map(n => ({id: n.id(), classes: n.classes(), fill: n.style('background-color'),
                                      x: rect.left + n.renderedPosition().x, y: rect.top + n.renderedPosition().y}));
  const edges = cy.edges().map(e => ({id: e.id(), source: e.source().id(), target: e.target().id()}));
  const text = (sel) => { const e = box.querySelector(sel); return e ? e.innerText : ''; };
  const run = [...box.querySelectorAll('button')].find(b => b.textContent.trim() === 'Run');
  const choice = box.querySelector('.dffml-flow-choice');
  return {nodes, edges, message: text('.dffml-flow-editor-message'),
          reason: text('.dffml-flow-editor-run-reason'),
          results: text('.dffml-flow-editor-results'),
          choice: choice && choice.offsetParent !== null ? choice.innerText : '',
          run_disabled: run ? run.disabled : null, width: rect.width, height: rect.height};
}
"""


#: the same, but the canvas lists are rebuilt at the first removal (view.update_elements'
#: other path: emptied, then refilled) instead of keeping removed elements hidden
COMPACT = "editor_compact.ipynb"


def write_notebook(folder: Path, name: str = NOTEBOOK, extra: str = "") -> Path:
    import nbformat

    path = folder / name
    nb = nbformat.v4.new_notebook()
    body, shown = CELL.rstrip("\n").rsplit("\n", 1)  # the last line shows the editor
    nb.cells = [nbformat.v4.new_code_cell(f"{body}\n{extra}{shown}\n")]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("editor-browser-home")
    jupyter_home(path)
    return path


@pytest.fixture(scope="module")
def notebook_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("editor-notebooks")
    write_notebook(folder)
    write_notebook(folder, COMPACT, "editor.graph.view.max_tombstones = 0\n")
    return folder


@pytest.fixture(scope="module")
def lab(notebook_dir: Path, home: Path) -> Iterator[Server]:
    server = jupyter_lab(notebook_dir, home)
    try:
        server.wait_ready("JupyterLab answering /api/status", PAGE_LOAD, "/api/status")
        extensions = {e["name"] for e in lab_page_config(server).get("federated_extensions", [])}
        assert {"@jupyter-widgets/jupyterlab-manager", "jupyter-cytoscape"} <= extensions
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(home: Path) -> Iterator[Any]:
    from browser_support import chromium

    with chromium(home / "chromium-profile") as context:
        yield context


@pytest.fixture
def session(browser: Any, request: pytest.FixtureRequest) -> Iterator[Session]:
    opened = Session(browser, "editor-" + request.node.name.removeprefix("test_"))
    try:
        yield opened
    finally:
        opened.close()


# -- driving the editor ------------------------------------------------------------------------


def state(steps: Steps) -> dict[str, Any] | None:
    return steps.page.evaluate(_EDITOR_STATE, 0)


def wait_for(steps: Steps, what: str, check: str, seconds: float = SHORT) -> dict[str, Any]:
    """Wait until ``check`` (a JS expression over the editor state ``s``) holds; returns the state."""
    return steps.js(
        what,
        f"(index) => {{ const s = ({_EDITOR_STATE})(index); return s && ({check}) ? s : null; }}",
        0,
        seconds,
    )


def palette_click(page: Any, steps: Steps, name: str) -> None:
    entry = page.locator(
        ".dffml-flow-palette button", has_text=re.compile(rf"^\s*{re.escape(name)}\s*$")
    ).first
    steps.wait(f"palette entry {name!r}", lambda ms: entry.click(timeout=ms), SHORT)
    wait_for(steps, f"node op:{name} on the canvas", f"s.nodes.some(n => n.id === 'op:{name}')")


def undo_redo_by_keys(page: Any, steps: Steps) -> None:
    """Ctrl-Z with the pointer over the canvas undoes the last change, Ctrl-Shift-Z redoes it."""
    canvas = page.locator('.dffml-flow-editor div[class*="cytoscape_container"]').first
    box = canvas.bounding_box()
    assert box is not None, "the canvas has no box"
    page.mouse.move(box["x"] + 8, box["y"] + 8)  # a corner: no node there
    page.wait_for_timeout(300)
    page.keyboard.press("Control+z")
    wait_for(steps, "Ctrl-Z undoes the last change", "/^undone: /.test(s.message)")
    page.keyboard.press("Control+Shift+z")
    wait_for(steps, "Ctrl-Shift-Z redoes it", "/^redone: /.test(s.message)")


def settle(page: Any) -> None:
    """Let the view's refits (0.4 s and 1.5 s after it changes) pass before reading positions."""
    page.wait_for_timeout(1800)


def click_node(page: Any, steps: Steps, node_id: str, expect: str, what: str) -> dict[str, Any]:
    """Click a node where the canvas shows it now; wait until ``expect`` (JS over ``s``) holds.

    The view refits itself when nodes come; like a person, click again at the
    node's new place if the first click landed before a refit.
    """
    for _ in range(3):
        settle(page)
        now = state(steps)
        node = next((n for n in (now or {}).get("nodes", []) if n["id"] == node_id), None)
        assert node is not None, f"node {node_id} is not on the canvas: {now}"
        page.mouse.click(node["x"], node["y"])
        page.wait_for_timeout(800)
        done = page.evaluate(
            f"(index) => {{ const s = ({_EDITOR_STATE})(index); return s && ({expect}) ? s : null; }}",
            0,
        )
        if done:
            return done
    return wait_for(steps, what, expect)


def build_by_clicks(page: Any, steps: Steps) -> dict[str, Any]:
    """palette → canvas, output then input, a seed, Run; returns the editor state after the run."""
    wait_for(steps, "the flow editor's canvas", "s.width > 0 && s.height > 0", RUN_ALL)
    palette_click(page, steps, "double")
    palette_click(page, steps, "increment")
    steps.shot("two-operations")
    click_node(
        page,
        steps,
        "def:double",
        "/Connecting 'double'/.test(s.message)",
        "the output 'double' armed for a connection",
    )
    after = click_node(
        page,
        steps,
        "def:n",
        "/connected double/.test(s.message)",
        "double connected to increment's input n",
    )
    assert any(e["source"] == "op:double" and e["target"] == "def:n" for e in after["edges"]), (
        f"no edge double → n on the canvas: {after['edges']}"
    )
    steps.shot("connected")
    tab = page.locator(
        ".dffml-flow-editor .lm-TabBar-tab", has_text=re.compile(r"^\s*Inputs\s*$")
    ).first
    steps.wait("the Inputs tab", lambda ms: tab.click(timeout=ms), SHORT)
    field = page.locator(".dffml-seed-row", has_text=re.compile(r"\bx\b")).locator("input").first
    steps.wait("the seed field of x", lambda ms: field.fill("20", timeout=ms), SHORT)
    field.press("Enter")
    wait_for(steps, "Run enabled once x has a value", "s.run_disabled === false")
    run = page.locator(".dffml-flow-editor button", has_text=re.compile(r"^\s*Run\s*$")).first
    steps.wait("click on Run", lambda ms: run.click(timeout=ms), SHORT)
    fill = done_fill()
    ran = wait_for(
        steps,
        "every operation node done and the result 41 shown",
        f"s.nodes.filter(n => n.id.startsWith('op:')).every(n => n.classes.includes('op-done') "
        f"&& n.fill === '{fill}') && /increment\\s+41/.test(s.results)",
    )
    steps.shot("ran")
    return ran


def invalid_connection_marks_the_node(page: Any, steps: Steps) -> dict[str, Any]:
    palette_click(page, steps, "label")
    click_node(
        page,
        steps,
        "def:label",
        "/Connecting 'label'/.test(s.message)",
        "the output 'label' armed",
    )
    marked = click_node(
        page,
        steps,
        "op:increment",
        "s.choice.includes('expects an int')",
        "the question after connecting a str output to an int parameter",
    )
    node = next(n for n in marked["nodes"] if n["id"] == "op:increment")
    assert "problem" in node["classes"], f"op:increment not marked: {node}"
    assert "is a str" in marked["choice"] and "Connect anyway" in marked["choice"]
    steps.shot("invalid-connection")
    cancel = page.locator(".dffml-flow-choice button", has_text=re.compile(r"^\s*Cancel\s*$")).first
    steps.wait("click on Cancel", lambda ms: cancel.click(timeout=ms), SHORT)
    unmarked = wait_for(
        steps,
        "the mark gone after Cancel",
        "!s.nodes.find(n => n.id === 'op:increment').classes.includes('problem')",
    )
    # what is on the canvas is exactly the flow: removed elements are gone or hidden
    shown = page.evaluate(
        """(index) => {
          const box = document.querySelectorAll('.dffml-flow-editor')[index];
          const cy = box.querySelector('div[class*="cytoscape_container"]')._cyreg.cy;
          return cy.elements(':visible').map(e => e.id()).sort();
        }""",
        0,
    )
    assert shown == sorted(EXPECTED_VISIBLE), f"canvas shows {shown}"
    return unmarked


# nodes and edges the canvas shows at the end (double → n → increment, label reading n)
EXPECTED_VISIBLE = [
    "def:x",
    "op:double",
    "def:n",
    "op:increment",
    "def:increment",
    "op:label",
    "def:label",
    "def:x->op:double:input",
    "op:double->def:n:double",
    "def:n->op:increment:input",
    "op:increment->def:increment:output",
    "def:n->op:label:input",
    "op:label->def:label:output",
]


def editor_screenshot(page: Any, steps: Steps, name: str) -> Path:
    target = artifacts_dir() / f"{name}.png"
    box = page.locator(".dffml-flow-editor").first
    steps.wait(
        "screenshot of the editor", lambda ms: box.screenshot(path=str(target), timeout=ms), SHORT
    )
    return target


# -- tests -----------------------------------------------------------------------------------------


def test_lab_build_run_and_refuse_by_mouse(lab: Server, session: Session) -> None:
    try:
        page, steps = open_notebook(
            session, f"{lab.url}/lab/tree/{NOTEBOOK}?reset", NOTEBOOK, "lab"
        )
        run_all(page, steps, NOTEBOOK)
        build_by_clicks(page, steps)
        target = editor_screenshot(page, steps, "flow-editor-lab")
        if os.environ.get("DFFML_NB_UPDATE_DOCS_IMAGES"):
            DOCS_IMAGE.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(target, DOCS_IMAGE)
        undo_redo_by_keys(page, steps)
        invalid_connection_marks_the_node(page, steps)
        # a second view of the same editor (a new cell showing it): drawn from the
        # widget lists, removed elements (kept hidden in them) included — no clash,
        # the same picture
        page.evaluate(
            """async (path) => {
              const app = window.jupyterapp;
              const panel = [...app.shell.widgets('main')].find(w => w.context && w.context.path === path);
              app.shell.activateById(panel.id);
              await app.commands.execute('notebook:insert-cell-below');
              panel.content.activeCell.model.sharedModel.setSource('editor');
              await app.commands.execute('notebook:run-cell');
            }""",
            NOTEBOOK,
        )
        steps.js(
            "a second view of the editor drawn",
            f"""() => {{ const s = ({_EDITOR_STATE})(1); return s && s.nodes.length > 0 ? s : null; }}""",
            None,
            SHORT,
        )
        settle(page)
        again = page.evaluate(
            """() => {
              const box = document.querySelectorAll('.dffml-flow-editor')[1];
              const cy = box.querySelector('div[class*="cytoscape_container"]')._cyreg.cy;
              return cy.elements(':visible').map(e => e.id()).sort();
            }"""
        )
        assert again == sorted(EXPECTED_VISIBLE), f"the second view shows {again}"
        steps.shot("second-view")
        session.console.check()
    finally:
        session.close()
        shutdown_sessions(lab)


def test_voila_build_run_and_refuse_by_mouse(
    notebook_dir: Path, home: Path, session: Session
) -> None:
    server = voila(notebook_dir / COMPACT, home)
    try:
        server.wait_ready("Voilà listening", PAGE_LOAD)
        page, steps = session.open(server.url + "/", "voila")
        build_by_clicks(page, steps)
        editor_screenshot(page, steps, "flow-editor-voila")
        invalid_connection_marks_the_node(page, steps)
        problems = page.evaluate(
            "() => ['Error displaying widget', 'Traceback'].filter(t => document.body.innerText.includes(t))"
        )
        assert not problems, f"Voilà shows errors: {problems}"
        session.console.check()
    finally:
        session.close()
        server.stop()


def test_notebook7_renders_and_adds_on_click(lab: Server, session: Session) -> None:
    try:
        page, steps = open_notebook(
            session, f"{lab.url}/notebooks/{NOTEBOOK}", NOTEBOOK, "notebook7"
        )
        run_all(page, steps, NOTEBOOK)
        wait_for(steps, "the flow editor's canvas", "s.width > 0 && s.height > 0", RUN_ALL)
        palette_click(page, steps, "double")
        steps.shot("notebook7-added")
        session.console.check()
    finally:
        session.close()
        shutdown_sessions(lab)


def test_voila_no_code_app_over_a_csv(home: Path, session: Session, tmp_path: Path) -> None:
    """notebooks/10_editor under Voilà: pick the CSV, two palette clicks, connect, Run — by mouse."""
    folder = tmp_path / "app"
    shutil.copytree(REPO / "notebooks", folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    server = voila(folder / "10_editor.ipynb", home)
    try:
        server.wait_ready("Voilà listening", PAGE_LOAD)
        page, steps = session.open(server.url + "/", "voila-app")
        wait_for(steps, "the flow editor's canvas", "s.width > 0 && s.height > 0", RUN_ALL)
        picker = page.locator(".dffml-data-picker select").first
        steps.wait(
            "pick houses.csv to run over",
            lambda ms: picker.select_option(label="file houses.csv", timeout=ms),
            SHORT,
        )
        wait_for(steps, "the data chosen", "/runs over file houses.csv/.test(s.message)")
        palette_click(page, steps, "price_per_m2")
        palette_click(page, steps, "rounded")
        click_node(
            page,
            steps,
            "def:price_per_m2",
            "/Connecting 'price_per_m2'/.test(s.message)",
            "the output price_per_m2 armed",
        )
        click_node(
            page,
            steps,
            "def:value",
            "/connected price_per_m2/.test(s.message)",
            "price_per_m2 connected to rounded's input",
        )
        wait_for(steps, "Run enabled (the columns feed the inputs)", "s.run_disabled === false")
        run = page.locator(".dffml-flow-editor button", has_text=re.compile(r"^\s*Run\s*$")).first
        steps.wait("click on Run", lambda ms: run.click(timeout=ms), SHORT)
        fill = done_fill()
        ran = wait_for(
            steps,
            "every operation done and the results table with the rounded prices",
            f"s.nodes.filter(n => n.id.startsWith('op:')).every(n => n.fill === '{fill}') "
            "&& /4000/.test(s.results) && /3250/.test(s.results) && /4500/.test(s.results)",
            60,
        )
        assert "rounded" in ran["results"], ran["results"]
        editor_screenshot(page, steps, "flow-editor-voila-app")
        session.console.check()
    finally:
        session.close()
        server.stop()
