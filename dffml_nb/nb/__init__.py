"""The notebook layer: ``%dffml`` magics, live graph and ML widgets, rich display.

Names load lazily so that ``import dffml_nb.nb`` stays cheap: ipywidgets load
when a widget is first used, ipycytoscape (and pandas) when a graph is built.

Rooms (imports point from the widgets down to the pure modules beside them):

- ``graph/`` — the dataflow graph: ``layout`` (positions), ``svg`` (static
  picture), ``view`` (the only ipycytoscape importer), ``state`` (a run's
  bookkeeping, no widget), ``live`` (:class:`DataFlowGraph`), ``display`` (a
  ``DataFlow``'s rich display), ``editor/`` (:class:`FlowEditor`: a pure
  ``model``, ``palette``, ``placement``, ``data``, ``export``, ``canvas``,
  ``forms``, ``widget``)
- ``ml/`` — the ML widgets: ``pipeline`` (training without a widget),
  ``trainer`` (:class:`ModelTrainer`), ``predictor`` (:class:`Predictor`),
  ``leaderboard`` (:class:`Leaderboard`, over ``leaderboard_data`` and
  ``leaderboard_plots``), ``forms``, ``plots``, ``training_data``
- ``magics/`` — ``%dffml``: the dispatcher (``__init__``), ``flows``, ``ml``,
  ``evaluate``, ``serve``
- ``ui/`` — small shared parts: ``progress``, ``reprs``, ``status``
"""

from __future__ import annotations

from dffml_nb._lazy import lazy_exports

_LAZY = {
    "DataFlowGraph": "dffml_nb.nb.graph.live",
    "FlowEditor": "dffml_nb.nb.graph.editor.widget",
    "ModelTrainer": "dffml_nb.nb.ml.trainer",
    "Predictor": "dffml_nb.nb.ml.predictor",
    "Leaderboard": "dffml_nb.nb.ml.leaderboard",
    "dataflow_mimebundle": "dffml_nb.nb.graph.display",
    "load_ipython_extension": "dffml_nb.nb.magics",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _LAZY)
