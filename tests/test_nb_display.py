"""Rich display of a DataFlow: static SVG / HTML / Mermaid fallbacks, the widget in a kernel."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from dffml_nb.df import DataFlow, Definition, op
from dffml_nb.nb.graph.display import dataflow_mimebundle, static_mimebundle
from dffml_nb.nb.graph.svg import flow_svg


def add(a: int, b: int) -> int:
    return a + b


def double(add: int) -> int:
    return add * 2


@op(inputs={"text": Definition("<b>&'quoted\"</b>", str)}, outputs={"out": Definition("x<y", str)})
def shout(text: str) -> str:
    return text.upper()


CALC = DataFlow(add, double)
SVG_NS = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    return [t.text for t in ET.fromstring(svg).iter(f"{SVG_NS}text")]


def test_static_svg_has_every_node_and_edge():
    svg = flow_svg(CALC)
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag == f"{SVG_NS}svg"
    labels = texts(svg)
    for name in ("add", "double"):
        assert name in labels
    assert {"a: int", "b: int", "add: int", "double: int"} <= set(labels)
    assert len(list(root.iter(f"{SVG_NS}path"))) >= 5  # 5 edges (+ the arrow head)
    # operations are boxes, definitions ovals
    assert len(list(root.iter(f"{SVG_NS}rect"))) == 2
    assert len(list(root.iter(f"{SVG_NS}ellipse"))) == 4


def test_static_svg_escapes_user_text():
    svg = flow_svg(DataFlow(shout))
    assert "<b>" not in svg and "x<y" not in svg
    labels = texts(svg)  # parses: everything was escaped
    assert "<b>&'quoted\"</b>: str" in labels
    assert "x<y: str" in labels
    assert "text" in labels and "out" in labels  # edge labels: parameter and output key


def test_static_svg_shows_run_state():
    svg = flow_svg(CALC, status={"add": "failed", "double": "done"})
    root = ET.fromstring(svg)
    groups = {g.get("data-id"): g.get("class") for g in root.iter(f"{SVG_NS}g")}
    assert groups["op:add"] == "node operation failed"
    assert groups["op:double"] == "node operation done"
    assert groups["def:a"] == "node definition input"


def test_bundle_without_a_kernel_is_static():
    bundle = dataflow_mimebundle(CALC)
    assert "application/vnd.jupyter.widget-view+json" not in bundle
    assert set(bundle) == {"text/html", "image/svg+xml", "text/markdown", "text/plain"}
    assert (
        bundle["text/html"].startswith('<div class="dffml-dataflow"')
        and "<svg" in bundle["text/html"]
    )
    assert bundle["text/markdown"].startswith("```mermaid\nflowchart")
    assert bundle["text/plain"] == "DataFlow(add, double)"
    # DataFlow's own rich display delegates here
    assert CALC._repr_mimebundle_() == bundle
    assert static_mimebundle(CALC) == bundle


def test_bundle_with_widgets_has_the_graph_and_fallbacks():
    pytest.importorskip("ipycytoscape")
    from dffml_nb.nb.graph.display import graph_for

    bundle = dataflow_mimebundle(CALC, widget=True)
    graph = graph_for(CALC)
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == graph.model_id
    assert {"text/html", "image/svg+xml", "text/markdown", "text/plain"} <= set(bundle)
    # displaying the same flow again shows the same widget
    assert (
        dataflow_mimebundle(CALC, widget=True)["application/vnd.jupyter.widget-view+json"]
        == (bundle["application/vnd.jupyter.widget-view+json"])
    )


NOTEBOOK_CELLS = [
    "%load_ext dffml_nb",
    "%%dffml flow calc\ndef add(a: int, b: int) -> int:\n    return a + b\n\n"
    "def double(add: int) -> int:\n    return add * 2\n",
    "r = %dffml run calc a=1 b=2\nr",  # the results table: the cell's last value
    "from dffml_nb.df import DataFlow\n\ndef subtract(a: int, b: int) -> int:\n    return a - b\n\n"
    "DataFlow(subtract)",
]


@pytest.mark.slow
def test_nbconvert_html_export_shows_the_static_picture(tmp_path):
    """A real `jupyter nbconvert --to html --execute`: every operation is in the static SVG.

    nbconvert's HTML prefers the widget view when the notebook carries widget
    state (its --execute stores it by default); notebooks saved without it —
    JupyterLab's default, and what GitHub and nbviewer usually get — show the
    static picture, as here.
    """
    nbformat = pytest.importorskip("nbformat")
    if shutil.which("jupyter") is None:
        pytest.skip("jupyter is not installed")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(c) for c in NOTEBOOK_CELLS]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = tmp_path / "flow.ipynb"
    nbformat.write(notebook, path)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "html",
            "--execute",
            "--ExecutePreprocessor.store_widget_state=False",
            "--ExecutePreprocessor.timeout=120",
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=300,
        cwd=tmp_path,
    )
    html = (tmp_path / "flow.html").read_text(encoding="utf-8")
    # one static picture per displayed flow: the %%dffml cell's graph and the DataFlow
    # (nbconvert re-serialises the HTML, so attributes may come in another order)
    assert len(re.findall(r'<svg [^>]*class="dffml-flow"', html)) == 2
    for name in ("add", "double", "subtract"):
        assert f'data-id="op:{name}"' in html
        assert f">{name}</text>" in html
    assert "<td><b>double</b></td>" in html  # the %dffml run results table
