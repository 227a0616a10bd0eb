"""What the Leaderboard widget shows, computed without a widget: cross-validated predictions,
the confusion matrix, the records behind one of its cells, ROC curves and residuals.

Every number comes from scikit-learn: ``cross_val_predict`` (the prediction each
record got from the model fitted without it), ``confusion_matrix``,
``roc_curve`` / ``roc_auc_score``. A classifier with ``predict_proba`` is
asked for probabilities once, and its predicted class is the most probable one
— what dffml_nb's own ``predict`` reports — so the matrix and the ROC curves
come from the same fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from dffml_nb.evaluation.candidates import Entry, Prepared

#: the columns added to a record in the records table
PREDICTED, CONFIDENCE = "predicted", "confidence"


@dataclass
class Outcome:
    """The cross-validated predictions of one model on every record of a leaderboard."""

    label: str
    kind: str
    target: str
    y_true: np.ndarray
    y_pred: np.ndarray
    proba: np.ndarray | None  # (records, classes) for classifiers with predict_proba
    classes: list[Any]  # sorted labels (the proba columns' order); [] for regressors
    frame: pd.DataFrame  # the records, in the order of y_true


def cross_validated(
    prepared: Prepared, entry: Entry, folds: Any, *, n_jobs: int | None = None
) -> Outcome:
    """Each record's prediction from the fold that held it out (``cross_val_predict``)."""
    import numpy as np
    from sklearn.model_selection import cross_val_predict

    if entry.estimator is None:
        raise ValueError(f"{entry.label} could not be built: {entry.error}")
    X, y = prepared.X, prepared.y
    classifier = prepared.kind == "classifier"
    proba = None
    classes: list[Any] = []
    if classifier and hasattr(entry.estimator, "predict_proba"):
        proba = cross_val_predict(
            entry.estimator, X, y, cv=folds, n_jobs=n_jobs, method="predict_proba"
        )
        labels = np.unique(y)  # cross_val_predict orders the columns by the sorted labels
        predicted = labels[proba.argmax(axis=1)]
        classes = labels.tolist()
    else:
        predicted = cross_val_predict(entry.estimator, X, y, cv=folds, n_jobs=n_jobs)
        if classifier:
            classes = np.unique(np.concatenate([y, predicted])).tolist()
    return Outcome(
        entry.label,
        prepared.kind,
        prepared.target.name,
        y,
        predicted,
        proba,
        classes,
        prepared.frame,
    )


def confusion(outcome: Outcome) -> tuple[list[Any], np.ndarray]:
    """``(labels, counts)``: counts[i, j] records of true label i predicted as label j."""
    from sklearn.metrics import confusion_matrix

    labels = outcome.classes
    return labels, confusion_matrix(outcome.y_true, outcome.y_pred, labels=labels)


def records_of(outcome: Outcome, true: Any, predicted: Any) -> pd.DataFrame:
    """The records whose true label is ``true`` and predicted label ``predicted``.

    Their features and target, then ``predicted`` and ``confidence`` (the
    probability of the predicted class, when the model gives one), indexed by key.
    """
    import numpy as np

    chosen = (outcome.y_true == true) & (outcome.y_pred == predicted)
    rows = outcome.frame.loc[chosen].copy()
    rows[PREDICTED] = outcome.y_pred[chosen]
    if outcome.proba is not None:
        rows[CONFIDENCE] = outcome.proba[chosen].max(axis=1)
    else:
        rows[CONFIDENCE] = np.nan
    return rows


def roc_curves(outcome: Outcome) -> list[tuple[str, np.ndarray, np.ndarray, float]]:
    """``[(name, false positive rates, true positive rates, AUC)]``; [] without probabilities.

    Binary: one curve, for the second (positive) class. More classes: one per
    class against the rest (one-vs-rest).
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    if outcome.proba is None or len(outcome.classes) < 2:
        return []
    classes = outcome.classes
    if len(classes) == 2:
        positive = classes[1]
        scores = outcome.proba[:, 1]
        fpr, tpr, _ = roc_curve(outcome.y_true, scores, pos_label=positive)
        auc = roc_auc_score(outcome.y_true == positive, scores)
        return [(f"{positive} vs {classes[0]}", fpr, tpr, float(auc))]
    curves = []
    for index, label in enumerate(classes):
        truth = outcome.y_true == label
        if truth.all() or not truth.any():
            continue  # a class in no record (or in all): no curve
        fpr, tpr, _ = roc_curve(truth, outcome.proba[:, index])
        curves.append(
            (f"{label} vs rest", fpr, tpr, float(roc_auc_score(truth, outcome.proba[:, index])))
        )
    return curves


def residuals(outcome: Outcome) -> np.ndarray:
    """Predicted minus actual, per record (regressors)."""
    import numpy as np

    return np.asarray(outcome.y_pred, dtype=float) - np.asarray(outcome.y_true, dtype=float)
