"""``ModelTrainer``: choose data, features, target, model and hyperparameters; train; see scores and plots.

The widget is a thin layer over the high-level API (``train``, ``score``,
``predict``): what it does, a script can do with those calls. Every part is a
public attribute, so the widget is driven from code the same way as by hand —
which is how the tests drive it.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from dffml_nb.nb.ml.forms import HyperparameterForm
from dffml_nb.nb.ml.training_data import (
    TrainerInputError,
    check_inputs,
    complete_rows,
    default_features,
    explain,
    feature_of,
    frames_in,
    is_frame,
    shorten,
    split,
    string_columns,
    target_of,
    user_namespace,
)
from dffml_nb.nb.ui import reprs
from dffml_nb.nb.ui.progress import Progress

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from dffml_nb.feature import Feature
    from dffml_nb.model.base import Model

#: the steps of one training run, in order (the progress bar advances through them)
STEPS = ("load data", "split", "fit", "score", "plot")
#: the scorer chosen when a model of each kind is picked
DEFAULT_SCORERS = {"regressor": "mse", "classifier": "accuracy", "clusterer": "adjusted_rand"}
#: the label under which data given to the constructor is offered
GIVEN = "(data)"
_SCORER_KINDS = {
    "regressor": "regression",
    "classifier": "classification",
    "clusterer": "clustering",
}


class ModelTrainer(widgets.VBox):
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
        from dffml_nb import plugins

        self.namespace: Mapping[str, Any] = user_namespace() if namespace is None else namespace
        self.model: Model | None = None
        self.score: float | None = None
        self.figures: dict[str, Figure] = {}
        self.train_frame: pd.DataFrame | None = None
        self.test_frame: pd.DataFrame | None = None
        self.message = ""
        self.error: BaseException | None = None
        self._frames: dict[str, pd.DataFrame] = {}
        self._namespace_labels: set[str] = set()
        self._wanted_features = (
            None if features is None else [self._column_name(f) for f in features]
        )
        self._wanted_target = target
        self._features_auto = True  # features follow the target until the user picks them
        self._syncing = False

        label_style = {"description_width": "90px"}
        self.data_select = widgets.Dropdown(description="Data", options=[], style=label_style)
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
            style=label_style,
            layout=widgets.Layout(width="330px"),
        )
        self.target = widgets.Dropdown(description="Target", options=[], style=label_style)
        names = plugins.names("model")
        if model not in names:  # an import path ("pkg.mod:Model") is a valid choice too
            names.append(model)
        self.model_name = widgets.Dropdown(
            description="Model", options=names, value=model, style=label_style
        )
        self.scorer_name = widgets.Dropdown(
            description="Scorer", options=plugins.names("scorer"), style=label_style
        )
        self.test_size = widgets.FloatSlider(
            description="Test split",
            value=test_size,
            min=0.0,
            max=0.9,
            step=0.05,
            readout_format=".2f",
            style=label_style,
        )
        self.show_plots = widgets.Checkbox(
            value=show_plots, description="plots", indent=False, layout=widgets.Layout(width="80px")
        )
        self.train_button = widgets.Button(
            description="Train",
            button_style="primary",
            icon="play",
            tooltip="train the model and score it on the held-out rows",
        )
        self.progress = Progress(total=len(STEPS))
        self.message_html = widgets.HTML()
        self.score_html = widgets.HTML()
        self.plots = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.form = HyperparameterForm({})
        self.form_box = widgets.Accordion(children=[self.form], titles=("Hyperparameters",))

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

        self.data_select.observe(self._on_data, names="value")
        self.data_path.observe(self._on_path, names="value")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.target.observe(self._on_target, names="value")
        self.features.observe(self._on_features, names="value")
        self.model_name.observe(self._on_model, names="value")
        self.train_button.on_click(self._on_train_click)

        self._build_form(model, scorer)
        self.refresh()
        if data is not None:
            self.set_data(data)

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
        self._set_message("", "note")

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

                Model.load(name)  # raises the registry's message naming the known models
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

    def _hyperparameter_values(self) -> dict[str, Any]:
        try:
            return self.form.values()
        except ValueError as error:
            raise TrainerInputError(str(error)) from error

    def _train(self) -> Model | None:
        from dffml_nb import high_level
        from dffml_nb.model.base import Model

        self.progress.start(len(STEPS), STEPS[0])
        step, name = STEPS[0], self.model_name.value
        notes: list[str] = []
        try:
            # load data: the model, the chosen columns, the rows that have every value
            try:
                cls = Model.load(name)
            except Exception as error:
                raise TrainerInputError(f"cannot use model {name!r}: {error}") from error
            frame, features, target = self.frame, list(self.features.value), self.target.value
            check_inputs(frame, features, target, cls.kind)
            rows = complete_rows(frame, [*features] + ([target] if target is not None else []))
            if len(rows) == 0:
                raise TrainerInputError("every row is missing a feature or the target value")
            if len(rows) < len(frame):
                notes.append(
                    f"left out {len(frame) - len(rows)} rows missing a feature or the target"
                )
            feature_specs = [feature_of(rows, column) for column in features]
            target_spec = None if target is None else target_of(rows, target, cls.kind)
            model = cls(
                features=feature_specs,
                predict=target_spec if cls.kind != "clusterer" else None,
                **self._hyperparameter_values(),
            )

            step = STEPS[1]
            self.progress.step(step)
            fraction = float(self.test_size.value)
            train_rows, test_rows = split(
                rows, fraction, target if cls.kind == "classifier" else None
            )

            step = STEPS[2]
            self.progress.step(f"fitting {name} on {len(train_rows)} rows")
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                high_level.train(model, train_rows)
            notes.extend(dict.fromkeys(shorten(w.message, 160) for w in caught))

            step = STEPS[3]
            self.progress.step(step)
            scorer, value = self.scorer_name.value, None
            if target_spec is not None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # e.g. undefined precision: the value says it
                    value = high_level.score(model, scorer, target_spec, test_rows)
        except Exception as error:
            self._show_error(explain(step, error, name), error)
            return None

        self.progress.step(STEPS[4] if self.show_plots.value else "plots skipped")
        try:
            figures = self._figures(model, test_rows, target_spec) if self.show_plots.value else {}
        except Exception as error:  # the model is good; only the pictures failed
            figures = {}
            notes.append(f"plotting failed: {type(error).__name__}: {shorten(error)}")

        # success: only now replace the previous results
        self.model, self.score, self.figures = model, value, figures
        self.train_frame, self.test_frame, self.error = train_rows, test_rows, None
        held_out = fraction > 0
        self._show_score(name, scorer, value, len(train_rows), len(test_rows), held_out)
        self._show_plots()
        summary = f"trained {name} on {len(train_rows)} rows"
        if value is not None:
            where = "held-out" if held_out else "training"
            summary += f"; {scorer} on {len(test_rows)} {where} rows: {reprs.number(value)}"
        self.message = "; ".join([summary, *notes])
        self.message_html.value = reprs.line(summary, "ok") + "".join(
            reprs.line(note, "warning") for note in notes
        )
        self.progress.finish("done")
        return model

    def _figures(
        self, model: Model, rows: pd.DataFrame, target: Feature | None
    ) -> dict[str, Figure]:
        """The figures for a trained model, on the held-out rows."""
        from dffml_nb import high_level
        from dffml_nb.nb.ml import plots

        figures: dict[str, Figure] = {}
        if target is not None and model.kind in ("regressor", "classifier"):
            predicted = high_level.predict(model, rows, as_frame=True)[target.name].to_numpy()
            actual = rows[target.name].to_numpy()
            if model.kind == "regressor":
                figures["predicted_vs_actual"] = plots.predicted_vs_actual(
                    actual, predicted, target.name
                )
            else:
                figures["confusion_matrix"] = plots.confusion_matrix(
                    actual.astype(target.dtype), predicted
                )
        weights = plots.feature_weights(model)
        if weights is not None:
            kind, figure = weights
            figures[kind] = figure
        return figures

    # -- showing ------------------------------------------------------------------

    def _show_score(
        self, name: str, scorer: str, value: float | None, trained: int, scored: int, held_out: bool
    ) -> None:
        import html

        from dffml_nb.scorer import Scorer

        if value is None:
            self.score_html.value = reprs.line(
                f"{name} trained on {trained} rows (no target to score against)"
            )
            return
        better = "higher" if Scorer.load(scorer).greater_is_better else "lower"
        where = "held-out" if held_out else "training (nothing held out)"
        self.score_html.value = (
            f"<div style='font-size:1.1em'><b>{html.escape(scorer)}</b> on {scored} {where} rows: "
            f"<b>{reprs.number(value)}</b> <span style='color:#666'>({better} is better; "
            f"{html.escape(name)} trained on {trained} rows)</span></div>"
        )

    def _show_plots(self) -> None:
        from dffml_nb.nb.ml import plots

        old = list(self.plots.children)
        self.plots.children = [plots.image(figure) for figure in self.figures.values()]
        for image in old:
            image.close()

    def _set_message(self, text: str, kind: str) -> None:
        self.message = text
        self.message_html.value = reprs.line(text, kind)

    def _show_error(self, text: str, error: BaseException | None = None) -> None:
        """A red line under the button; the previous results stay as they were."""
        self.error = error
        self._set_message(text, "error")
        self.progress.fail("failed: see the message below")

    # -- convenience ---------------------------------------------------------------

    def predictor(self) -> Any:
        """A :class:`~dffml_nb.nb.ml.predictor.Predictor` for the trained model, prefilled from the data."""
        from dffml_nb.nb.ml.predictor import Predictor

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
