"""``evaluate``: a cross-validated leaderboard of several models, on scikit-learn's own machinery.

Each model is scored by ``sklearn.model_selection.cross_validate`` on the
scikit-learn estimator it trains (:func:`dffml_nb.evaluation.estimator.as_estimator`),
with scikit-learn's splitters: an int ``cv`` becomes a splitter through
``check_cv``, exactly as in ``cross_validate`` (``StratifiedKFold`` for
classifiers, ``KFold`` otherwise). So the numbers are scikit-learn's.

The steps are public for the :class:`~dffml_nb.nb.ml.leaderboard.Leaderboard`
widget, which reuses them: :func:`~dffml_nb.evaluation.candidates.prepare`,
:func:`~dffml_nb.evaluation.metrics.resolve_scorers`, :func:`splitter`,
:func:`leaderboard`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dffml_nb.evaluation.candidates import Entry, EvaluationError, Prepared, prepare
from dffml_nb.evaluation.metrics import Metric, resolve_scorers
from dffml_nb.evaluation.progress import TICK, FitProgress, ProgressArg

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EvaluationError", "FoldWarning", "evaluate", "leaderboard", "splitter"]


# -- folds --------------------------------------------------------------------------


def splitter(cv: Any, prepared: Prepared) -> Any:
    """The scikit-learn splitter for ``cv`` (as ``cross_validate`` picks it), checked on the data.

    Too few records or classes for the folds is an error with scikit-learn's
    message, the models and the data; scikit-learn's warnings about the folds
    (a class with fewer members than folds) are given again with the same context.
    """
    import warnings

    import numpy as np
    from sklearn.model_selection import check_cv

    classifier = prepared.kind == "classifier"
    folds = check_cv(cv, prepared.y, classifier=classifier)
    who = ", ".join(prepared.labels)
    where = f"{prepared.data} ({len(prepared.y)} records"
    if classifier:
        classes = np.unique(prepared.y)
        where += f", {len(classes)} classes"
        if len(classes) < 2:
            raise EvaluationError(
                f"{who}: {where}): a classifier needs at least 2 classes in "
                f"{prepared.target.name!r}, found only {classes.tolist()}"
            )
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # scikit-learn's splitters check the data when the first fold is made
            next(iter(folds.split(prepared.X, prepared.y)), None)
    except ValueError as error:
        raise EvaluationError(
            f"{who}: cannot make the cross-validation folds of {where}) with {folds!r}: {error}"
        ) from None
    for warning in {str(w.message): w for w in caught}.values():
        warnings.warn(FoldWarning(f"{who}: folds of {where}): {warning.message}"), stacklevel=3)
    return folds


class FoldWarning(UserWarning):
    """scikit-learn's warning about the folds (e.g. a small class), with the models and the data."""


#: scikit-learn's fold warnings, already given by :func:`splitter` with more context
_FOLD_WARNINGS = r"The least populated class in y has only"


# -- the leaderboard ----------------------------------------------------------------


def cross_validate_entry(
    entry: Entry,
    prepared: Prepared,
    metrics: list[Metric],
    folds: Any,
    *,
    n_jobs: int | None = None,
    ticker: Any = None,
) -> dict[str, Any]:
    """One leaderboard row: scikit-learn's ``cross_validate``; a failure is the row's ``error``."""
    import numpy as np
    from sklearn.model_selection import cross_validate

    if entry.error is not None:  # the model could not even be built
        return _failed_row(metrics, entry.error)
    scoring = {metric.name: metric.scorer for metric in metrics}
    if ticker is not None:
        scoring[TICK] = ticker
    row: dict[str, Any] = {}
    try:
        result = cross_validate(
            entry.estimator,
            prepared.X,
            prepared.y,
            cv=folds,
            scoring=scoring,
            n_jobs=n_jobs,
            error_score="raise",
        )
    except Exception as error:  # noqa: BLE001 - a failing model is a row, not a failed board
        return _failed_row(metrics, f"{type(error).__name__}: {error}".strip())
    for metric in metrics:
        values = result[f"test_{metric.name}"] * metric.sign
        row[metric.name] = float(np.mean(values))
        row[f"{metric.name}_std"] = float(np.std(values))
    row["fit_time"] = float(np.mean(result["fit_time"]))
    row["error"] = None
    return row


def _failed_row(metrics: list[Metric], error: str) -> dict[str, Any]:
    import numpy as np

    row: dict[str, Any] = {}
    for metric in metrics:
        row[metric.name] = row[f"{metric.name}_std"] = np.nan
    return {**row, "fit_time": np.nan, "error": error}


def leaderboard(
    prepared: Prepared,
    metrics: list[Metric],
    folds: Any,
    *,
    n_jobs: int | None = None,
    progress: ProgressArg = None,
    entries: list[Entry] | None = None,
) -> pd.DataFrame:
    """Cross-validate every entry; a DataFrame sorted best first by the first metric."""
    import warnings

    import pandas as pd

    entries = prepared.entries if entries is None else entries
    total = len(entries) * folds.get_n_splits(prepared.X, prepared.y)
    rows = {}
    with (
        FitProgress(progress, total, n_jobs=n_jobs, text="evaluating") as fits,
        warnings.catch_warnings(),
    ):
        warnings.filterwarnings("ignore", message=_FOLD_WARNINGS, category=UserWarning)
        for entry in entries:
            rows[entry.label] = cross_validate_entry(
                entry, prepared, metrics, folds, n_jobs=n_jobs, ticker=fits.scorer
            )
    columns = [name for metric in metrics for name in (metric.name, f"{metric.name}_std")]
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=[*columns, "fit_time", "error"])
    frame["error"] = frame["error"].astype(object).where(frame["error"].notna(), None)
    frame.index.name = "model"
    return sort_board(frame, metrics[0].name, metrics[0].greater_is_better, prepared, metrics)


def sort_board(
    frame: pd.DataFrame,
    by: str,
    greater_is_better: bool,
    prepared: Prepared | None = None,
    metrics: list[Metric] | None = None,
) -> pd.DataFrame:
    """Best first by ``by`` (highest, or lowest for an error); failed models last."""
    frame = frame.sort_values(
        by, ascending=not greater_is_better, na_position="last", kind="stable"
    )
    if metrics is not None:
        frame.attrs["greater_is_better"] = {m.name: m.greater_is_better for m in metrics}
    if prepared is not None:
        frame.attrs.update(target=prepared.target.name, records=len(prepared.y), kind=prepared.kind)
    return frame


def evaluate(
    models: Any,
    *data: Any,
    scorers: Any = None,
    cv: Any = 5,
    n_jobs: int | None = None,
    features: Any = None,
    predict: Any = None,
    progress: ProgressArg = None,
) -> pd.DataFrame:
    """A cross-validated leaderboard: one row per model, best first.

    ``models``: one or a list of model instances (``Model.load("scikitlor")(features=...,
    predict=...)``), registered names (``"scikitrfc"``) or model classes — built
    with ``features`` / ``predict`` — or scikit-learn estimators; a mix is fine.
    ``(label, model)`` pairs or a ``{label: model}`` dict name the rows (as
    scikit-learn's ``Pipeline`` steps); otherwise a row is named after its model,
    repeats suffixed ``-2``, ``-3``. Every model must use the same features and
    target. ``predict`` may be a bare column name (its type is read from the
    data); without ``features``, every numeric column but the target is one.
    Models given are not trained (like ``cross_validate``, it fits copies).

    ``data``: anything ``train`` accepts (dict rows, Records, files, DataFrames,
    sources). ``scorers``: a name or list (``"accuracy"``, ``"f1"``, ``"mse"``,
    dffml-model-scikit's ``"acscore"``…, or a scikit-learn scoring name such as
    ``"roc_auc"``); default ``accuracy`` for classifiers, ``r2`` for regressors.
    ``cv``: an int (scikit-learn's default splitter for the estimator:
    ``StratifiedKFold`` for classifiers, ``KFold`` otherwise) or any scikit-learn
    splitter. ``n_jobs`` goes to ``cross_validate``. ``progress``: see
    :mod:`dffml_nb.fit_progress` (a bar in Jupyter by default).

    Returns a DataFrame indexed by ``model``: per scorer the mean over the folds
    and ``<scorer>_std``, then ``fit_time`` (mean seconds per fold) and ``error``
    (None, or why that model failed — the others are still evaluated). Sorted
    best first by the first scorer (lowest first for errors such as ``mse``,
    which are reported as the error itself, not negated).

    >>> evaluate(["scikitlor", "scikitrfc", "scikitgnb"], df, predict="target")  # doctest: +SKIP
    """
    prepared = prepare(models, data, features=features, predict=predict)
    metrics = resolve_scorers(scorers, prepared.kind, prepared.labels)
    folds = splitter(cv, prepared)
    return leaderboard(prepared, metrics, folds, n_jobs=n_jobs, progress=progress)
