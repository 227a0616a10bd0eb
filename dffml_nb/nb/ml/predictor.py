"""``Predictor``: a form per feature of a trained model, a Predict button, and batch prediction.

A thin layer over :func:`dffml_nb.high_level.predict`: one record from the
form, or a whole DataFrame / file at once.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from dffml_nb.nb.ui import reprs
from dffml_nb.nb.ui.status import Reports, StatusLine

if TYPE_CHECKING:
    import pandas as pd

    from dffml_nb.feature import Feature
    from dffml_nb.model.base import Model

_STYLE = {"description_width": "130px"}


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value (``np.float64(70.0)`` → ``70.0``)."""
    return (
        value.item() if hasattr(value, "item") and not isinstance(value, (list, tuple)) else value
    )


def _typical(frame: pd.DataFrame | None, feature: Feature) -> Any:
    """A sensible starting value for a feature: the median (numbers) or most common value of the data."""
    import pandas as pd

    default: Any = {int: 0, float: 0.0, bool: False, str: ""}.get(feature.dtype, "")
    if frame is None or feature.name not in frame or feature.length != 1:
        return default
    column = frame[feature.name].dropna()
    if column.empty:
        return default
    if feature.dtype in (int, float) and pd.api.types.is_numeric_dtype(column):
        middle = float(column.median())
        return round(middle) if feature.dtype is int else middle
    return feature.dtype(column.mode().iloc[0])


def input_for(feature: Feature, value: Any) -> widgets.Widget:
    """The input widget for one feature, by its dtype (a list feature is comma-separated text)."""
    common = {"description": feature.name, "style": _STYLE, "tooltip": str(feature)}
    if feature.length != 1:
        return widgets.Text(
            value="", placeholder=f"{feature.length} numbers, comma-separated", **common
        )
    if feature.dtype is bool:
        return widgets.Checkbox(value=bool(value), **common)
    if feature.dtype is int:
        return widgets.IntText(value=int(value), **common)
    if feature.dtype is float:
        return widgets.FloatText(value=float(value), **common)
    return widgets.Text(value=str(value), **common)


class Predictor(Reports, widgets.VBox):
    """Predict with a trained model from a form, or for a whole DataFrame.

    ``Predictor(model, data=None)`` — ``data`` (a DataFrame, e.g. the training
    rows) prefills the form with typical values (median / most common);
    otherwise fields start at 0 or empty.

    Inputs (set ``.value`` from code): ``inputs`` (``{feature name: widget}``:
    IntText / FloatText / Checkbox / Text by the feature's dtype),
    ``predict_button``; for batch prediction ``batch_path`` (a file name) and
    ``batch_button``, or call :meth:`predict_frame`.

    Results: ``result`` (``{"value": ..., "confidence": ...}`` of the last
    single prediction), ``predictions`` (the DataFrame of the last batch),
    ``message`` (status or error text), ``error`` (the last exception or None).
    Shown in ``result_html``, ``table_html`` and ``message_html``.

    Errors (an untrained model, a value the model cannot use) are shown in
    red; the methods return None rather than raise, as the buttons do.
    """

    def __init__(self, model: Model, data: Any = None) -> None:
        self.model = model
        self.result: dict[str, Any] | None = None
        self.predictions: pd.DataFrame | None = None
        self.status = StatusLine()  # message / error / message_html
        self.result_html = widgets.HTML()
        self.table_html = widgets.HTML()
        self.predict_button = widgets.Button(
            description="Predict", button_style="primary", icon="play"
        )
        self.batch_path = widgets.Text(
            placeholder="a file to predict: data.csv, .json, .sqlite",
            layout=widgets.Layout(width="320px"),
        )
        self.batch_button = widgets.Button(description="Predict file", icon="table")
        self.inputs: dict[str, widgets.Widget] = {}

        features = self._features()
        frame = self._frame(data)
        for feature in features:
            self.inputs[feature.name] = input_for(feature, _typical(frame, feature))
        target = getattr(model, "target", None)
        title = f"<b>{getattr(model, 'name', type(model).__name__)}</b>"
        if target is not None:
            title += f" predicts <b>{target.name}</b> from {len(features)} features"
        super().__init__(
            [
                widgets.HTML(title),
                widgets.VBox(list(self.inputs.values())),
                self.predict_button,
                self.result_html,
                widgets.HBox([self.batch_path, self.batch_button]),
                self.message_html,
                self.table_html,
            ]
        )
        self.predict_button.on_click(self._on_predict)
        self.batch_button.on_click(self._on_batch)
        if not self.message and not getattr(model, "is_trained", False):
            self._show_error(self._untrained())

    # -- set-up --------------------------------------------------------------------

    def _features(self) -> list[Feature]:
        """The model's features; a saved model is read from its location to learn them."""
        model = self.model
        if getattr(model, "features", None) is None and getattr(model, "is_trained", False):
            try:
                model.restore()  # a saved model knows its features
            except Exception as error:
                self._show_error(f"could not load the saved model: {error}", error)
        features = list(getattr(model, "features", None) or [])
        if not features and not self.message:
            self._show_error(
                f"{getattr(model, 'name', model)!r} has no features configured: "
                "build the model with features=[...] (or use a ModelTrainer)"
            )
        return features

    @staticmethod
    def _frame(data: Any) -> pd.DataFrame | None:
        if data is None:
            return None
        from dffml_nb.source import as_frame

        try:
            return as_frame(data, allow_empty=True)
        except Exception:  # prefilling is a convenience: start from zeros instead
            return None

    def _untrained(self) -> str:
        name = getattr(self.model, "name", type(self.model).__name__)
        return (
            f"{name} is not trained yet: train it first (train(model, data) or a "
            "ModelTrainer), then press Predict"
        )

    # -- predicting -------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The form's values as one record ``{feature name: value}``."""
        record = {}
        features: Any = self.model.features or {}
        for name, field in self.inputs.items():
            value = field.value
            feature = features.get(name)
            if feature is not None and feature.length != 1:
                value = [float(part) for part in value.replace(",", " ").split()]
            record[name] = value
        return record

    def predict(self) -> dict[str, Any] | None:
        """Predict for the form's values: ``{"value", "confidence"}``, or None on failure."""
        from dffml_nb import high_level
        from dffml_nb.model.base import ModelNotTrainedError

        try:
            record = self.values()
            if not record:
                raise ValueError("the model has no features to fill in")
            predicted: Any
            (predicted,) = high_level.predict(self.model, record)
            target = self.model.target.name
            prediction = predicted.prediction(target)
        except ModelNotTrainedError as error:
            self._show_error(self._untrained(), error)
            return None
        except Exception as error:
            self._show_error(f"prediction failed: {error}", error)
            return None
        self.result = {
            "value": _plain(prediction.value),
            "confidence": _plain(prediction.confidence),
        }
        confidence = self.result["confidence"]
        shown = f" (confidence {reprs.number(confidence)})" if confidence is not None else ""
        self.result_html.value = (
            f"<div style='font-size:1.2em'>{reprs.html_text(target)} = "
            f"<b>{reprs.html_text(reprs.number(self.result['value']))}</b>{shown}</div>"
        )
        self.status.clear()
        return self.result

    def predict_frame(self, data: Any) -> pd.DataFrame | None:
        """Predict every row of ``data`` (a DataFrame, file name, dict rows, ...).

        Returns ``predict(model, data, as_frame=True)`` — the feature columns,
        the target column and ``<target>_confidence`` — and shows it as a
        table; None on failure (the message says why).
        """
        from dffml_nb import high_level
        from dffml_nb.model.base import ModelNotTrainedError

        try:
            frame: Any = high_level.predict(self.model, data, as_frame=True)
        except ModelNotTrainedError as error:
            self._show_error(self._untrained(), error)
            return None
        except Exception as error:
            self._show_error(f"batch prediction failed: {error}", error)
            return None
        self.predictions = frame
        self.table_html.value = reprs.table(frame)
        self.status.show(f"predicted {len(frame)} rows", "ok")
        return frame

    def _on_predict(self, button: Any = None) -> None:
        try:
            self.predict()
        except Exception as error:  # never let an exception escape a click handler
            self._show_error(f"unexpected error: {type(error).__name__}: {error}", error)

    def _on_batch(self, button: Any = None) -> None:
        path = self.batch_path.value.strip()
        if not path:
            self._show_error("type the name of a file to predict (.csv, .json, .sqlite)")
            return
        try:
            self.predict_frame(os.path.expanduser(path))
        except Exception as error:
            self._show_error(f"unexpected error: {type(error).__name__}: {error}", error)

    # -- showing ------------------------------------------------------------------

    def _show_error(self, text: str, error: BaseException | None = None) -> None:
        self.status.fail(text, error)

    def __repr__(self) -> str:
        name = getattr(self.model, "name", type(self.model).__name__)
        target = getattr(getattr(self.model, "target", None), "name", "?")
        state = "trained" if getattr(self.model, "is_trained", False) else "not trained"
        result = f", last={self.result['value']!r}" if self.result else ""
        return f"Predictor({name}: {', '.join(self.inputs)} -> {target}, {state}{result})"
