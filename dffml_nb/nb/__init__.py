"""The notebook layer: ``%dffml`` magics, live graph and ML widgets, rich display.

Names load lazily so that ``import dffml_nb.nb`` stays cheap: ipywidgets load
when a widget is first used, ipycytoscape (and pandas) when a graph is built.

- :class:`DataFlowGraph` — the live graph of a dataflow (``dffml_nb.nb.graph``)
- :class:`ModelTrainer` — train a model from a form (``dffml_nb.nb.trainer``)
- :class:`Predictor` — predict from a form per feature (``dffml_nb.nb.predictor``)
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "DataFlowGraph": "dffml_nb.nb.graph",
    "ModelTrainer": "dffml_nb.nb.trainer",
    "Predictor": "dffml_nb.nb.predictor",
    "Leaderboard": "dffml_nb.nb.leaderboard",
    "dataflow_mimebundle": "dffml_nb.nb.display",
    "load_ipython_extension": "dffml_nb.nb.magics",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dffml_nb.nb' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
