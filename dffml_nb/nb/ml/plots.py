"""Matplotlib figures for trained models, built without pyplot.

Figures are made with ``matplotlib.figure.Figure`` directly, so they work under
any backend (Agg in tests and on servers), are never registered with pyplot's
global state (no leaks, no duplicate display in notebooks), and render to PNG
for an ipywidgets ``Image``:

- :func:`predicted_vs_actual` — regression: a scatter with the ``y = x`` line
- :func:`confusion_matrix` — classification: counts per (true, predicted) label
- :func:`feature_weights` — ``feature_importances_`` or ``coef_`` as bars, when
  the estimator has them

matplotlib is imported when a figure is made, never at module import.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_SIZE = (4.6, 3.8)


def _figure(size: tuple[float, float] = _SIZE) -> Figure:
    from matplotlib.figure import Figure

    _show_figures_as_png()
    return Figure(figsize=size, layout="constrained")


def _show_figures_as_png() -> None:
    """In IPython, show a bare ``Figure`` as a picture even without ``%matplotlib inline``."""
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return
    from matplotlib.figure import Figure

    formatter = shell.display_formatter.formatters["image/png"]
    if not _registered(formatter, Figure):  # keep %matplotlib inline's own, if set
        formatter.for_type(Figure, to_png)


def _registered(formatter: Any, kind: type) -> bool:
    try:
        formatter.lookup_by_type(kind)
    except KeyError:
        return False
    return True


def predicted_vs_actual(actual: Any, predicted: Any, target: str = "target") -> Figure:
    """A scatter of predicted against actual values, with the ``y = x`` line of a perfect model."""
    import numpy as np

    actual = np.asarray(actual, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    fig = _figure()
    ax = fig.add_subplot()
    ax.scatter(actual, predicted, s=28, alpha=0.8, label="records")
    both = np.concatenate([actual, predicted])
    both = both[np.isfinite(both)]
    low, high = (float(both.min()), float(both.max())) if both.size else (0.0, 1.0)
    pad = (high - low) * 0.05 or 1.0
    ax.plot([low - pad, high + pad], [low - pad, high + pad], "--", color="grey", label="y = x")
    ax.set_xlabel(f"actual {target}")
    ax.set_ylabel(f"predicted {target}")
    ax.set_title("Predicted vs actual")
    ax.legend(loc="upper left", fontsize="small")
    return fig


def confusion_matrix(actual: Any, predicted: Any, labels: Sequence[Any] | None = None) -> Figure:
    """The confusion matrix (rows: true label, columns: predicted), each cell annotated."""
    import numpy as np
    from sklearn.metrics import confusion_matrix as counts_of

    actual, predicted = np.asarray(actual), np.asarray(predicted)
    if labels is None:
        labels = sorted(set(actual.tolist()) | set(predicted.tolist()), key=str)
    counts = counts_of(actual, predicted, labels=list(labels))
    size = max(3.8, 0.55 * len(labels) + 2.2)
    fig = _figure((size + 0.8, size))
    ax = fig.add_subplot()
    image = ax.imshow(counts, cmap="Blues")
    fig.colorbar(image, ax=ax, shrink=0.8)
    ticks = range(len(labels))
    ax.set_xticks(ticks, [str(label) for label in labels], rotation=45, ha="right")
    ax.set_yticks(ticks, [str(label) for label in labels])
    ax.set_xlabel("predicted")
    ax.set_ylabel("actual")
    ax.set_title("Confusion matrix")
    threshold = counts.max() / 2 if counts.size else 0
    for (row, column), count in np.ndenumerate(counts):
        colour = "white" if count > threshold else "black"
        ax.text(column, row, str(count), ha="center", va="center", color=colour)
    return fig


def _candidates(estimator: Any) -> list[Any]:
    """The estimator, then the fitted estimators it wraps (calibration, RANSAC)."""
    found = [estimator]
    calibrated = getattr(estimator, "calibrated_classifiers_", None)
    if calibrated:
        found.append(calibrated[0].estimator)
    inner = getattr(estimator, "estimator_", None)  # RANSAC's fitted model (forests: a template)
    if inner is not None:
        found.append(inner)
    return found


def _weights(estimator: Any) -> tuple[str, Any] | None:
    """``(kind, values)`` from ``feature_importances_`` or ``coef_``, or None."""
    for attribute, kind in (
        ("feature_importances_", "feature_importances"),
        ("coef_", "coefficients"),
    ):
        try:  # some estimators raise for an attribute that does not apply (SVC's coef_)
            values = getattr(estimator, attribute, None)
        except (AttributeError, ValueError):
            values = None
        if values is not None:
            return kind, values
    return None


def weights_of(model: Any) -> tuple[str, Any, list[str]] | None:
    """``(kind, weights, row labels)`` of a trained model, or None when it has none.

    ``kind`` is ``"feature_importances"`` or ``"coefficients"``; ``weights`` is
    a ``(rows, features)`` array — one row, or one per class for a multiclass
    linear model.
    """
    import numpy as np

    estimator = getattr(model, "estimator", None)
    if estimator is None:
        return None
    for candidate in _candidates(estimator):
        found = _weights(candidate)
        if found is None:
            continue
        kind, values = found
        values = np.atleast_2d(np.asarray(values, dtype=float))
        classes = getattr(candidate, "classes_", None)
        classes = [] if classes is None else list(classes)
        if hasattr(candidate, "dual_coef_") and values.shape[0] > 1:
            # libsvm: one row per pair of classes (one-vs-one), in this order
            pairs = [(a, b) for i, a in enumerate(classes) for b in classes[i + 1 :]]
            labels = [f"{a} vs {b}" for a, b in pairs][: values.shape[0]]
        elif values.shape[0] > 1 and len(classes) == values.shape[0]:
            labels = [f"class {label}" for label in classes]
        else:
            labels = [kind.replace("_", " ")] * values.shape[0]
        return kind, values, labels
    return None


def feature_weights(model: Any, features: Sequence[str] | None = None) -> tuple[str, Figure] | None:
    """``(kind, figure)`` — a bar chart of the model's importances or coefficients — or None."""
    import numpy as np

    found = weights_of(model)
    if found is None:
        return None
    kind, values, labels = found
    names = list(features or getattr(getattr(model, "features", None), "names", lambda: [])())
    if len(names) != values.shape[1]:
        names = [f"x{i}" for i in range(values.shape[1])]
    fig = _figure((5.2, max(2.6, 0.45 * len(names) + 1.6)))
    ax = fig.add_subplot()
    positions = np.arange(len(names))
    rows = values.shape[0]
    height = 0.8 / rows
    for row in range(rows):
        offset = (row - (rows - 1) / 2) * height
        ax.barh(positions + offset, values[row], height=height, label=labels[row])
    ax.set_yticks(positions, names)
    ax.invert_yaxis()  # first feature on top, as in the feature list
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_title("Feature importances" if kind == "feature_importances" else "Coefficients")
    if rows > 1:
        ax.legend(fontsize="small")
    return kind, fig


def to_png(fig: Figure, dpi: int = 90) -> bytes:
    """The figure as PNG bytes (rendered by Agg whatever the backend)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def image(fig: Figure) -> Any:
    """An ipywidgets ``Image`` showing the figure (works without a live matplotlib backend)."""
    import ipywidgets as widgets

    return widgets.Image(value=to_png(fig), format="png", layout=widgets.Layout(max_width="100%"))
