"""The training pipeline behind :class:`ModelTrainer`, with no widget: data → split → fit → scores → figures.

    result = train_and_score(frame, ["Years", "Expertise"], "Salary", "scikitlr")
    result.model, result.score, result.figures, result.summary()

Each step is the high-level API (``train``, ``score``, ``predict``) plus the
checks of :mod:`.training_data`, so a script gets exactly what the form shows.
A step that fails raises :class:`TrainingError` naming the step and saying what
to change; a failure while drawing figures is only a note (the model is good).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dffml_nb.nb.ml.training_data import (
    TrainerInputError,
    check_inputs,
    complete_rows,
    explain,
    feature_of,
    shorten,
    split,
    target_of,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from dffml_nb.feature import Feature
    from dffml_nb.model.base import Model

__all__ = ["DEFAULT_SCORERS", "STEPS", "TrainingError", "TrainingResult", "train_and_score"]

#: the steps of one training run, in order (a progress bar advances through them)
STEPS = ("load data", "split", "fit", "score", "plot")
#: the scorer used for a model of each kind when none is named
DEFAULT_SCORERS = {"regressor": "mse", "classifier": "accuracy", "clusterer": "adjusted_rand"}


class TrainingError(Exception):
    """A step of :func:`train_and_score` failed; ``str()`` says what to change.

    ``step`` is one of :data:`STEPS`; the original exception is chained
    (``__cause__``) and kept as ``cause``.
    """

    def __init__(self, step: str, message: str, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.step = step
        self.message = message
        self.cause = cause


@dataclass
class TrainingResult:
    """What one training run made: the model, its score on the held-out rows, figures, notes."""

    model: Model
    scorer: str
    score: float | None  # None: nothing to score against (a clusterer with no target)
    train_frame: pd.DataFrame
    test_frame: pd.DataFrame
    held_out: bool  # False: scored on the training rows (test_size 0)
    figures: dict[str, Figure] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # rows left out, estimator warnings, ...

    def summary(self) -> str:
        """``"trained scikitlr on 4 rows; mse on 2 held-out rows: 1.2e-29"``."""
        from dffml_nb.nb.ui.reprs import number

        text = f"trained {self.model.name} on {len(self.train_frame)} rows"
        if self.score is not None:
            where = "held-out" if self.held_out else "training"
            text += f"; {self.scorer} on {len(self.test_frame)} {where} rows: {number(self.score)}"
        return text


Progress = Callable[[str], Any]


def _no_progress(text: str) -> None:
    return None


def train_and_score(
    frame: pd.DataFrame | None,
    features: Sequence[str],
    target: str | None,
    model: str = "scikitlr",
    *,
    hyperparameters: Mapping[str, Any] | None = None,
    scorer: str | None = None,
    test_size: float = 0.25,
    plots: bool = True,
    progress: Progress = _no_progress,
) -> TrainingResult:
    """Train model ``model`` (a registered name) on ``features`` → ``target`` of ``frame``; score; plot.

    Rows missing a chosen value are left out (with a note). ``test_size`` of
    the rows are held out for scoring (``random_state=0``, stratified for
    classifiers); 0 scores on the training rows. ``scorer`` defaults by the
    model's kind (:data:`DEFAULT_SCORERS`). ``progress(text)`` is called as
    each step after the first begins. Raises :class:`TrainingError`.
    """
    step = STEPS[0]
    try:
        built, rows, target_spec, notes = _prepare(
            frame, list(features), target, model, hyperparameters or {}
        )
        step = STEPS[1]
        progress(step)
        train_rows, test_rows = split(
            rows, float(test_size), target if built.kind == "classifier" else None
        )
        step = STEPS[2]
        progress(f"fitting {model} on {len(train_rows)} rows")
        notes += _fit(built, train_rows)
        step = STEPS[3]
        progress(step)
        scorer = scorer or DEFAULT_SCORERS.get(built.kind, "mse")
        value = _score(built, scorer, target_spec, test_rows)
    except TrainingError:
        raise
    except Exception as error:
        raise TrainingError(step, explain(step, error, model), error) from error
    progress(STEPS[4] if plots else "plots skipped")
    figures: dict[str, Figure] = {}
    if plots:
        try:
            figures = figures_for(built, test_rows, target_spec)
        except Exception as error:  # the model is good; only the pictures failed
            notes.append(f"plotting failed: {type(error).__name__}: {shorten(error)}")
    return TrainingResult(
        built, scorer, value, train_rows, test_rows, float(test_size) > 0, figures, notes
    )


def _prepare(
    frame: pd.DataFrame | None,
    features: list[str],
    target: str | None,
    name: str,
    hyperparameters: Mapping[str, Any],
) -> tuple[Model, pd.DataFrame, Feature | None, list[str]]:
    """The model, the rows that have every chosen value, the target feature, notes."""
    from dffml_nb.model.base import Model

    try:
        cls = Model.load(name)
    except Exception as error:
        raise TrainerInputError(f"cannot use model {name!r}: {error}") from error
    check_inputs(frame, features, target, cls.kind)
    assert frame is not None  # check_inputs refuses None
    rows = complete_rows(frame, [*features] + ([target] if target is not None else []))
    if len(rows) == 0:
        raise TrainerInputError("every row is missing a feature or the target value")
    notes = []
    if len(rows) < len(frame):
        notes.append(f"left out {len(frame) - len(rows)} rows missing a feature or the target")
    target_spec = None if target is None else target_of(rows, target, cls.kind)
    model = cls(
        features=[feature_of(rows, column) for column in features],
        predict=target_spec if cls.kind != "clusterer" else None,
        **hyperparameters,
    )
    return model, rows, target_spec, notes


def _fit(model: Model, rows: pd.DataFrame) -> list[str]:
    """Train ``model`` on ``rows``; the estimator's warnings (once each) become notes."""
    from dffml_nb import high_level

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        high_level.train(model, rows)
    return list(dict.fromkeys(shorten(w.message, 160) for w in caught))


def _score(model: Model, scorer: str, target: Feature | None, rows: pd.DataFrame) -> float | None:
    if target is None:
        return None
    from dffml_nb import high_level

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. undefined precision: the value says it
        return high_level.score(model, scorer, target, rows)


def figures_for(model: Model, rows: pd.DataFrame, target: Feature | None) -> dict[str, Figure]:
    """The figures for a trained model, on ``rows`` (the held-out ones).

    ``predicted_vs_actual`` (regressors), ``confusion_matrix`` (classifiers),
    and ``feature_importances`` or ``coefficients`` when the estimator has them.
    """
    from dffml_nb import high_level
    from dffml_nb.nb.ml import plots

    figures: dict[str, Figure] = {}
    if target is not None and model.kind in ("regressor", "classifier"):
        frame: Any = high_level.predict(model, rows, as_frame=True)
        predicted = frame[target.name].to_numpy()
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
