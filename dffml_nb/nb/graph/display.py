"""Rich display of a DataFlow: the live graph where widgets run, a picture everywhere else.

``DataFlow._repr_mimebundle_`` calls :func:`dataflow_mimebundle`. In a live
kernel with ipywidgets the bundle carries the flow's :class:`DataFlowGraph`
widget view *and* static fallbacks; a front end picks what it can render:

- JupyterLab / Notebook 7 / Voilà: the widget;
- GitHub, nbviewer, an HTML export of a notebook saved without widget state:
  ``text/html`` (an inline SVG) or ``image/svg+xml``;
- Markdown renderers: a ```` ```mermaid ```` block; terminals: ``text/plain``.

Without a kernel (plain Python, a terminal IPython) only the static ones.
"""

from __future__ import annotations

import sys
import weakref
from typing import Any

__all__ = ["dataflow_mimebundle", "graph_for", "register_graph", "static_mimebundle", "in_kernel"]

# One graph per flow object, so displaying a flow twice shows one widget (two views
# of the same model, kept in sync). The magics register the graph of each named flow.
_GRAPHS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def in_kernel() -> bool:
    """True inside a Jupyter kernel (where widgets can render), without importing IPython."""
    ipython_module = sys.modules.get("IPython")
    if ipython_module is None:
        return False
    shell = ipython_module.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def register_graph(flow: Any, graph: Any) -> None:
    """Make ``graph`` the widget shown when ``flow`` is displayed."""
    _GRAPHS[flow] = graph


def graph_for(flow: Any) -> Any:
    """The :class:`DataFlowGraph` of ``flow`` (built on first use)."""
    graph = _GRAPHS.get(flow)
    if graph is None:
        from dffml_nb.nb.graph.live import DataFlowGraph

        graph = _GRAPHS[flow] = DataFlowGraph(flow)
    return graph


def static_mimebundle(flow: Any, svg: str | None = None) -> dict[str, Any]:
    """Pictures that need no widget: SVG (as ``image/svg+xml`` and inline HTML), Mermaid, text."""
    if svg is None:
        from dffml_nb.nb.graph.svg import flow_svg

        svg = flow_svg(flow)
    return {
        "text/html": f'<div class="dffml-dataflow" style="overflow-x:auto;max-width:100%">{svg}</div>',
        "image/svg+xml": svg,
        "text/markdown": f"```mermaid\n{flow.mermaid().rstrip()}\n```\n",
        "text/plain": repr(flow),
    }


def dataflow_mimebundle(flow: Any, *, widget: bool | None = None) -> dict[str, Any]:
    """The display bundle of a ``DataFlow``.

    ``widget=None`` decides by environment (a live kernel with ipywidgets);
    ``True`` / ``False`` force it.
    """
    if widget is None:
        widget = in_kernel()
    if widget:
        try:
            graph = graph_for(flow)
        except ImportError:  # ipywidgets / ipycytoscape not installed: a picture still works
            return static_mimebundle(flow)
        return graph._repr_mimebundle_()
    return static_mimebundle(flow)
