"""``ModelTrainer``: choose data, features, target, model and hyperparameters; train; see scores and plots.

The widget is a form over :func:`dffml_nb.nb.ml.pipeline.train_and_score`
(the high-level ``train``, ``score`` and ``predict`` with checks): what it
does, a script can do with that call. Every part is a public attribute, so the
widget is driven from code the same way as by hand — which is how the tests
drive it.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from dffml_nb.nb.ml.forms import HyperparameterForm
from dffml_nb.nb.ml.pipeline import (
    DEFAULT_SCORERS,
    STEPS,
    TrainingError,
    TrainingResult,
    train_and_score,
)
from dffml_nb.nb.ml.training_data import (
    default_features,
    explain,
    frames_in,
    is_frame,
    shorten,
    string_columns,
    user_namespace,
)
from dffml_nb.nb.ui import reprs
from dffml_nb.nb.ui.progress import Progress
from dffml_nb.nb.ui.status import Reports, StatusLine

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from dffml_nb.model.base import Model

__all__ = ["ModelTrainer", "GIVEN"]

_LABELS = {"description_width": "90px"}  # the width of the inputs' labels
#: the label under which data given to the constructor is offered
GIVEN = "(data)"
_SCORER_KINDS = {
    "regressor": "regression",
    "classifier": "classification",
    "clusterer": "clustering",
}


class ModelTrainer(Reports, widgets.VBox):
    """Train a model on a DataFrame or file, interactively or from code.

    ``ModelTrainer(data=None, namespace=None, *, model="scikitlr", features=None,
    target=None, scorer=None, test_size=0.25, show_plots=True)`` — ``data`` is a DataFrame, a file
    name (``.csv``, ``.json``, ``.sqlite``) or a list of dict rows; the DataFrames
    of ``namespace`` (default: the IPython user namespace) are offered too.

    Inputs (ipywidgets; set ``.value`` from code):

    - ``data_select`` — Dropdown of the data sets (namespace DataFrames by
      variable name, ``"(data)"`` for ``data=``, ``"file: <path>"`` for loaded files);
      ``data_path`` — Text: a file path to load (on Enter, or when set from code);
      ``refresh_button`` — look for new DataFrames in the namespace
    - ``features`` — SelectMultiple of column names (default: the numeric
      columns other than the target); ``target`` — Dropdown of column names
    - ``model_name`` — Dropdown of registered models; changing it rebuilds
      ``form`` (a :class:`~dffml_nb.nb.ml.forms.HyperparameterForm`), whose fields
      are ``hyperparameters`` (``{name: widget}``)
    - ``scorer_name`` — Dropdown of scorers (switches to ``mse`` / ``accuracy`` /
      ``adjusted_rand`` when the model's kind needs it)
    - ``test_size`` — FloatSlider: fraction of rows held out for scoring (split
      with ``random_state=0``; 0 scores on the training rows)
    - ``show_plots`` — Checkbox: draw the plots (off: faster on big data)
    - ``train_button`` — Button: runs :meth:`train`

    Results (plain Python): ``model`` (the trained model), ``score`` (float),
    ``figures`` (``{name: matplotlib Figure}``: ``"predicted_vs_actual"`` for
    regressors, ``"confusion_matrix"`` for classifiers, and
    ``"feature_importances"`` or ``"coefficients"`` when the estimator has
    them), ``train_frame`` / ``test_frame`` (the rows used), ``message`` (status or
    error text), ``error`` (the last exception, or None).

    Display parts: ``progress`` (:class:`~dffml_nb.nb.ui.progress.Progress`),
    ``message_html``, ``score_html``, ``plots`` (a box of PNG images).

    A failed run (bad input, a hyperparameter the estimator rejects, ...)
    shows its message in red and keeps the previous model, score and plots.
    """

    def __init__(
        self,
        data: Any = None,
        namespace: Mapping[str, Any] | None = None,
        *,
        model: str = "scikitlr",
        features: Iterable[str] | None = None,
        target: str | None = None,
        scorer: str | None = None,
        test_size: float = 0.25,
        show_plots: bool = True,
    ) -> None:
        self.namespace: Mapping[str, Any] = user_namespace() if namespace is None else namespace
        self.model: Model | None = None
        self.score: float | None = None
        self.figures: dict[str, Figure] = {}
        self.train_frame: pd.DataFrame | None = None
        self.test_frame: pd.DataFrame | None = None
        #: the last successful run's :class:`~dffml_nb.nb.ml.pipeline.TrainingResult`
        self.result: TrainingResult | None = None
        self.status = StatusLine()  # message / error / message_html
        self._frames: dict[str, pd.DataFrame] = {}
        self._namespace_labels: set[str] = set()
        self._wanted_features = (
            None if features is None else [self._column_name(f) for f in features]
        )
        self._wanted_target = target
        self._features_auto = True  # features follow the target until the user picks them
        self._syncing = False

        self._make_data_inputs()
        self._make_model_inputs(model, test_size, show_plots)
        self._make_outputs()
        super().__init__(
            [
                widgets.HBox([self.data_select, self.refresh_button, self.data_path]),
                self.data_info,
                widgets.HBox(
                    [
                        self.features,
                        widgets.VBox(
                            [self.target, self.model_name, self.scorer_name, self.test_size]
                        ),
                    ]
                ),
                self.form_box,
                widgets.HBox([self.train_button, self.show_plots, self.progress]),
                self.message_html,
                self.score_html,
                self.plots,
            ]
        )

        self._connect()
        self._build_form(model, scorer)
        self.refresh()
        if data is not None:
            self.set_data(data)

    def _make_outputs(self) -> None:
        """The Train button, progress, score, plots and the hyperparameter form's box."""
        self.train_button = widgets.Button(
            description="Train",
            button_style="primary",
            icon="play",
            tooltip="train the model and score it on the held-out rows",
        )
        self.progress = Progress(total=len(STEPS))
        self.score_html = widgets.HTML()
        self.plots = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.form = HyperparameterForm({})
        self.form_box = widgets.Accordion(children=[self.form], titles=("Hyperparameters",))

    def _connect(self) -> None:
        """What each input does when it changes (or is clicked)."""
        self.data_select.observe(self._on_data, names="value")
        self.data_path.observe(self._on_path, names="value")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.target.observe(self._on_target, names="value")
        self.features.observe(self._on_features, names="value")
        self.model_name.observe(self._on_model, names="value")
        self.train_button.on_click(self._on_train_click)

    def _make_data_inputs(self) -> None:
        """The data choice (namespace DataFrames, a file path) and the column pickers."""
        self.data_select = widgets.Dropdown(description="Data", options=[], style=_LABELS)
        self.refresh_button = widgets.Button(
            icon="refresh",
            tooltip="look for DataFrames in the notebook again",
            layout=widgets.Layout(width="40px"),
        )
        self.data_path = widgets.Text(
            placeholder="or a file: data.csv, .json, .sqlite",
            continuous_update=False,
            layout=widgets.Layout(width="280px"),
        )
        self.data_info = widgets.HTML()
        self.features = widgets.SelectMultiple(
            description="Features",
            options=[],
            rows=8,
            style=_LABELS,
            layout=widgets.Layout(width="330px"),
        )
        self.target = widgets.Dropdown(description="Target", options=[], style=_LABELS)

    def _make_model_inputs(self, model: str, test_size: float, show_plots: bool) -> None:
        """The model, scorer, test split and plots choices."""
        from dffml_nb import plugins

        names = plugins.names("model")
        if model not in names:  # an import path ("pkg.mod:Model") is a valid choice too
            names.append(model)
        self.model_name = widgets.Dropdown(
            description="Model", options=names, value=model, style=_LABELS
        )
        self.scorer_name = widgets.Dropdown(
            description="Scorer", options=plugins.names("scorer"), style=_LABELS
        )
        self.test_size = widgets.FloatSlider(
            description="Test split",
            value=test_size,
            min=0.0,
            max=0.9,
            step=0.05,
            readout_format=".2f",
            style=_LABELS,
        )
        self.show_plots = widgets.Checkbox(
            value=show_plots, description="plots", indent=False, layout=widgets.Layout(width="80px")
        )

    # -- reading the choices -------------------------------------------------------

    @property
    def hyperparameters(self) -> dict[str, widgets.Widget]:
        """``{name: widget}`` of the current model's hyperparameter form."""
        return self.form.fields

    @property
    def frame(self) -> pd.DataFrame | None:
        """The DataFrame chosen in ``data_select`` (None when there is none)."""
        return self._frames.get(self.data_select.value)

    @property
    def kind(self) -> str | None:
        """``"regressor"``, ``"classifier"`` or ``"clusterer"`` for the chosen model."""
        return getattr(self._model_class(), "kind", None)

    def _model_class(self) -> type[Model] | None:
        from dffml_nb.model.base import Model

        try:
            return Model.load(self.model_name.value)
        except Exception:
            return None

    @staticmethod
    def _column_name(feature: Any) -> str:
        """A column name from a name, a Feature or ``"Years:int:1"``."""
        name = getattr(feature, "name", feature)
        return name.split(":")[0] if isinstance(name, str) and name.count(":") == 2 else str(name)

    # -- data --------------------------------------------------------------------

    def refresh(self) -> None:
        """Look for DataFrames in the namespace again (given data and loaded files stay)."""
        found = frames_in(self.namespace)
        # data given or loaded by the user stays; namespace variables come and go
        kept = {
            label: frame
            for label, frame in self._frames.items()
            if label not in found and label not in self._namespace_labels
        }
        self._namespace_labels = set(found)
        self._frames = {**found, **kept}
        current = self.data_select.value
        self._select(current if current in self._frames else next(iter(self._frames), None))

    def _select(self, label: str | None) -> None:
        """Show the data sets in ``data_select`` with ``label`` chosen, and its columns."""
        self._syncing = True
        try:
            self.data_select.options = list(self._frames)
            self.data_select.value = label
        finally:
            self._syncing = False
        self._on_data()

    def set_data(self, data: Any, label: str | None = None) -> None:
        """Offer ``data`` (a DataFrame, file name or dict rows) and select it.

        A file name is loaded as if typed into ``data_path``; a DataFrame that
        is a variable of the namespace is selected under that variable's name.
        """
        if isinstance(data, (str, os.PathLike)):
            self.data_path.value = os.fspath(data)
            return
        if is_frame(data) and label is None:
            for name, frame in frames_in(self.namespace).items():
                if frame is data:
                    label = name
                    break
        try:
            frame = data if is_frame(data) else self._load(data)
        except Exception as error:
            self._show_error(explain("load data", error, self.model_name.value), error)
            return
        self._add_frame(label or GIVEN, frame)

    @staticmethod
    def _load(data: Any) -> pd.DataFrame:
        from dffml_nb.source import as_frame

        return as_frame(data)

    def _add_frame(self, label: str, frame: pd.DataFrame) -> None:
        self._frames[label] = string_columns(frame)
        self._select(label)

    def _on_path(self, change: Any = None) -> None:
        path = self.data_path.value.strip()
        if not path:
            return
        try:
            frame = self._load(path)
        except Exception as error:
            self._show_error(f"could not load {path!r}: {shorten(error)}", error)
            return
        self._add_frame(f"file: {path}", frame)
        self.status.clear()

    def _on_data(self, change: Any = None) -> None:
        if self._syncing:
            return
        frame = self.frame
        columns = [] if frame is None else list(frame.columns)
        if frame is None:
            self.data_info.value = reprs.line(
                "no data yet: create a DataFrame and press refresh, or type a file path", "note"
            )
        else:
            self.data_info.value = reprs.line(f"{len(frame)} rows × {len(columns)} columns", "note")
        previous = self.target.value
        wanted = self._wanted_target
        self._syncing = True
        try:
            self.target.options = columns
            self.features.options = columns
            if wanted in columns:
                self.target.value = wanted
            elif previous in columns:
                self.target.value = previous
            else:
                self.target.value = columns[-1] if columns else None
            chosen = self._wanted_features
            if chosen is not None and all(name in columns for name in chosen):
                self.features.value = tuple(chosen)
                self._features_auto = False
            else:
                self.features.value = self._default_features()
                self._features_auto = True
        finally:
            self._syncing = False

    def _default_features(self) -> tuple[str, ...]:
        frame = self.frame
        return () if frame is None else default_features(frame, self.target.value)

    def _on_target(self, change: Any) -> None:
        if self._syncing:
            return
        self._wanted_target = self.target.value
        if self._features_auto:  # the user has not picked features: keep the default in step
            self._syncing = True
            try:
                self.features.value = self._default_features()
            finally:
                self._syncing = False

    def _on_features(self, change: Any) -> None:
        if not self._syncing:
            self._features_auto = False
            self._wanted_features = list(self.features.value)

    # -- model and form --------------------------------------------------------------

    def _on_model(self, change: Any) -> None:
        self._build_form(self.model_name.value)

    def _build_form(self, name: str, scorer: str | None = None) -> None:
        """A fresh form for model ``name``'s hyperparameters; a scorer that fits its kind."""
        cls = self._model_class()
        try:
            if cls is None:
                from dffml_nb.model.base import Model

                cls = Model.load(name)  # raises the registry's message naming the known models
            specs = cls.hyperparameters()
        except Exception as error:
            specs = {}
            self._show_error(f"cannot use model {name!r}: {error}", error)
        old = self.form
        self.form = HyperparameterForm(specs, title=f"{name} hyperparameters")
        self.form_box.children = [self.form]
        self.form_box.set_title(0, f"Hyperparameters ({name})")
        for field in old.fields.values():
            field.close()
        old.close()
        kind = getattr(cls, "kind", "regressor")
        self._choose_scorer(scorer, kind)

    def _choose_scorer(self, scorer: str | None, kind: str) -> None:
        from dffml_nb.scorer import Scorer

        if scorer is not None:
            self.scorer_name.value = scorer
            return
        try:
            fits = Scorer.load(self.scorer_name.value).kind == _SCORER_KINDS[kind]
        except Exception:
            fits = False
        if not fits and DEFAULT_SCORERS[kind] in self.scorer_name.options:
            self.scorer_name.value = DEFAULT_SCORERS[kind]

    # -- training ---------------------------------------------------------------

    def _on_train_click(self, button: Any = None) -> None:
        try:
            self.train()
        except Exception as error:  # never let an exception escape a click handler
            self._show_error(f"unexpected error: {type(error).__name__}: {shorten(error)}", error)

    def train(self) -> Model | None:
        """Train, score and plot with the current choices; returns the model, or None on failure.

        What the Train button does. On failure the message says what to
        change, and ``model``, ``score`` and ``figures`` keep their previous values.
        """
        self.train_button.disabled = True  # no second run while this one goes
        try:
            return self._train()
        finally:
            self.train_button.disabled = False

    def _train(self) -> Model | None:
        self.progress.start(len(STEPS), STEPS[0])
        try:
            try:
                hyperparameters = self.form.values()
            except ValueError as error:
                raise TrainingError(STEPS[0], str(error), error) from error
            result = train_and_score(
                self.frame,
                list(self.features.value),
                self.target.value,
                self.model_name.value,
                hyperparameters=hyperparameters,
                scorer=self.scorer_name.value,
                test_size=float(self.test_size.value),
                plots=bool(self.show_plots.value),
                progress=self.progress.step,
            )
        except TrainingError as error:
            self._show_error(error.message, error.cause)
            return None
        self._show_result(result)
        self.progress.finish("done")
        return result.model

    # -- showing ------------------------------------------------------------------

    def _show_result(self, result: TrainingResult) -> None:
        """A run succeeded: only now replace the previous results, and show them."""
        self.result = result
        self.model, self.score, self.figures = result.model, result.score, result.figures
        self.train_frame, self.test_frame = result.train_frame, result.test_frame
        self.score_html.value = _score_html(result)
        self._show_plots()
        self.status.show(result.summary(), "ok", result.notes)

    def _show_plots(self) -> None:
        from dffml_nb.nb.ml import plots

        old = list(self.plots.children)
        self.plots.children = [plots.image(figure) for figure in self.figures.values()]
        for image in old:
            image.close()

    def _show_error(self, text: str, error: BaseException | None = None) -> None:
        """A red line under the button; the previous results stay as they were."""
        self.status.fail(text, error)
        self.progress.fail("failed: see the message below")

    # -- convenience ---------------------------------------------------------------

    def predictor(self) -> Any:
        """A :class:`~dffml_nb.nb.ml.predictor.Predictor` for the trained model, prefilled from the data."""
        from dffml_nb.nb.ml.predictor import Predictor

        if self.model is None:
            raise ValueError("train a model first (the Train button, or trainer.train())")
        return Predictor(self.model, data=self.train_frame)

    def __repr__(self) -> str:
        parts = [
            f"model={self.model_name.value!r}",
            f"data={self.data_select.value!r}",
            f"features={list(self.features.value)!r}",
            f"target={self.target.value!r}",
        ]
        if self.model is not None and self.score is not None:
            parts.append(f"{self.scorer_name.value}={reprs.number(self.score)}")
        parts.append("trained" if self.model is not None else "not trained")
        return f"ModelTrainer({', '.join(parts)})"


def _score_html(result: TrainingResult) -> str:
    """The score line: the scorer, its value, which rows, and which way is better."""
    from dffml_nb.scorer import Scorer

    name, trained = result.model.name, len(result.train_frame)
    if result.score is None:
        return reprs.line(f"{name} trained on {trained} rows (no target to score against)")
    better = "higher" if Scorer.load(result.scorer).greater_is_better else "lower"
    where = "held-out" if result.held_out else "training (nothing held out)"
    return (
        f"<div style='font-size:1.1em'><b>{html.escape(result.scorer)}</b> on "
        f"{len(result.test_frame)} {where} rows: <b>{reprs.number(result.score)}</b> "
        f"<span style='color:#666'>({better} is better; {html.escape(name)} trained on "
        f"{trained} rows)</span></div>"
    )
