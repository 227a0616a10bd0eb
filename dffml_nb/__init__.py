"""dffml_nb: DFFML's dataflows and machine learning, Jupyter-first.

``import dffml_nb`` stays light: the dataflow core is standard library only and
everything heavier (pandas, scikit-learn, Jupyter) loads on first use.
"""

from __future__ import annotations

from typing import Any

from dffml_nb._lazy import lazy_exports
from dffml_nb._version import __version__ as __version__
from dffml_nb.df.display import set_mimebundle_hook

# public name -> module that defines it; resolved lazily by __getattr__
_LAZY = {
    # dataflow core
    "Definition": "dffml_nb.df",
    "Input": "dffml_nb.df",
    "Operation": "dffml_nb.df",
    "op": "dffml_nb.df",
    "DataFlow": "dffml_nb.df",
    "run": "dffml_nb.df",
    "run_sync": "dffml_nb.df",
    "Event": "dffml_nb.df",
    "OperationError": "dffml_nb.df",
    "DataFlowError": "dffml_nb.df",
    "NO_DEFAULT": "dffml_nb.df",
    "get_single": "dffml_nb.df",
    "get_multi": "dffml_nb.df",
    "group_by": "dffml_nb.df",
    "associate_definition": "dffml_nb.df",
    # records, sources, models
    "Record": "dffml_nb.record",
    "Feature": "dffml_nb.feature",
    "Features": "dffml_nb.feature",
    "Model": "dffml_nb.model",
    "train": "dffml_nb.high_level",
    "score": "dffml_nb.high_level",
    "predict": "dffml_nb.high_level",
    "load": "dffml_nb.high_level",
    "save": "dffml_nb.high_level",
    "evaluate": "dffml_nb.evaluation.evaluate",
    "tune": "dffml_nb.evaluation.tune",
    # dataflows over records
    "run_records": "dffml_nb.records",
    "DataFlowSource": "dffml_nb.source",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _LAZY)


def _dataflow_mimebundle(flow: Any) -> Any:
    """How a DataFlow displays: the notebook layer's picture, loaded on first display."""
    from dffml_nb.nb import dataflow_mimebundle

    return dataflow_mimebundle(flow)


# The package root sits above every layer: it connects the dataflow core's display
# hook to the notebook layer, so a DataFlow shows as its graph without %load_ext.
# (Cheap: dffml_nb.df loads its names on first use.)
set_mimebundle_hook(_dataflow_mimebundle)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext dffml_nb``: register the ``%dffml`` magics."""
    from dffml_nb.nb.magics import load_ipython_extension as _load

    _load(ipython)
