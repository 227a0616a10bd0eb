"""The Leaderboard's figures that :mod:`dffml_nb.nb.ml.plots` does not have: ROC curves and residuals.

Made like those (``matplotlib.figure.Figure``, no pyplot) and shown with
:func:`dffml_nb.nb.ml.plots.image`. The predicted-vs-actual scatter is
:func:`dffml_nb.nb.ml.plots.predicted_vs_actual` itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_SIZE = (4.6, 3.8)


def roc_figure(curves: Sequence[tuple[str, Any, Any, float]], model: str = "") -> Figure:
    """ROC curves (false positive rate against true positive rate), AUC in the legend."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=_SIZE, layout="constrained")
    ax = fig.add_subplot()
    for name, fpr, tpr, auc in curves:
        ax.plot(fpr, tpr, label=f"{name} (AUC {auc:.3f})")
    ax.plot([0, 1], [0, 1], "--", color="grey", label="chance")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title(f"ROC{' — ' + model if model else ''} (cross-validated)")
    ax.legend(loc="lower right", fontsize="small")
    return fig


def residual_figure(actual: Any, residuals: Any, target: str = "target") -> Figure:
    """Residuals (predicted − actual) against the actual value, with the zero line."""
    import numpy as np
    from matplotlib.figure import Figure

    fig = Figure(figsize=_SIZE, layout="constrained")
    ax = fig.add_subplot()
    ax.scatter(np.asarray(actual, dtype=float), residuals, s=22, alpha=0.7)
    ax.axhline(0, color="grey", linestyle="--")
    ax.set_xlabel(f"actual {target}")
    ax.set_ylabel("predicted − actual")
    ax.set_title("Residuals (cross-validated)")
    return fig
