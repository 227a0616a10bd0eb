"""Leaderboard columns: dffml_nb scorers (or scikit-learn scoring names) as scikit-learn scorers.

A dffml_nb :class:`~dffml_nb.scorer.Scorer` becomes ``make_scorer`` of its own
``sklearn.metrics`` function, so a leaderboard's numbers are scikit-learn's.
scikit-learn negates error metrics (``neg_mean_squared_error``); a
:class:`Metric`'s ``sign`` turns them back, so ``mse`` is the error itself,
as everywhere in dffml_nb.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dffml_nb.evaluation.candidates import EvaluationError

#: the scorer used when none is given, per kind of model
DEFAULT_SCORERS = {"classifier": "accuracy", "regressor": "r2", "clusterer": "adjusted_rand"}
#: Scorer.kind that fits each kind of model
SCORER_KINDS = {
    "classifier": "classification",
    "regressor": "regression",
    "clusterer": "clustering",
}


@dataclass(frozen=True)
class Metric:
    """A leaderboard column: the scikit-learn scorer and how to read it."""

    name: str
    scorer: Any  # a scikit-learn scorer (estimator, X, y) -> float
    greater_is_better: bool
    sign: float  # scikit-learn negates error metrics; score * sign is the metric itself


def resolve_scorers(scorers: Any, kind: str, labels: Iterable[str] = ()) -> list[Metric]:
    """Leaderboard columns for ``scorers`` (names, Scorers, or scikit-learn scoring names).

    A dffml_nb scorer must fit the models' kind (a regression scorer on
    classifiers is an error naming the scorers that fit). A scikit-learn scoring
    name (``"roc_auc"``, ``"neg_log_loss"``) is used as scikit-learn defines it.
    """
    if scorers is None:
        scorers = [DEFAULT_SCORERS[kind]]
    elif isinstance(scorers, str) or not isinstance(scorers, Iterable):
        scorers = [scorers]
    metrics = [_metric(scorer, kind, list(labels)) for scorer in scorers]
    if not metrics:
        raise EvaluationError("scorers is empty: give at least one, e.g. scorers=['accuracy']")
    names = [metric.name for metric in metrics]
    if len(set(names)) != len(names):
        raise EvaluationError(f"a scorer is given twice: {', '.join(names)}")
    return metrics


def _metric(scorer: Any, kind: str, labels: list[str]) -> Metric:
    from sklearn.metrics import get_scorer, get_scorer_names, make_scorer

    from dffml_nb.plugins import PluginError

    try:
        found = _load_scorer(scorer)
    except PluginError:
        if isinstance(scorer, str) and scorer in get_scorer_names():
            return Metric(scorer, get_scorer(scorer), True, 1.0)
        raise
    wanted = SCORER_KINDS[kind]
    if found.kind != wanted:
        fitting = _scorers_of_kind(wanted)
        who = ", ".join(labels) or "the models"
        raise EvaluationError(
            f"scorer {found.name!r} is a {found.kind} scorer, but {who} "
            f"{'is a' if len(labels) == 1 else 'are'} {kind}{'' if len(labels) == 1 else 's'}: "
            f"use one of {', '.join(fitting)}"
        )
    if found.options is None:  # the sklearn.metrics function itself: the scores are scikit-learn's
        function = getattr(importlib.import_module("sklearn.metrics"), found.metric)
        sklearn_scorer = make_scorer(function, greater_is_better=found.greater_is_better)
    else:  # options chosen per call from the labels (f1's average): the Scorer decides
        sklearn_scorer = make_scorer(
            _scored_by, greater_is_better=found.greater_is_better, scorer=found
        )
    sign = 1.0 if found.greater_is_better else -1.0
    return Metric(found.name, sklearn_scorer, found.greater_is_better, sign)


def _load_scorer(scorer: Any) -> Any:
    """The Scorer: this package's own from its table (scanning entry points costs ~15 ms
    a time, as much as a fit), any other through the plugin registry."""
    from dffml_nb.scorer import SCORERS, Scorer

    if isinstance(scorer, str) and scorer in SCORERS:
        return SCORERS[scorer]
    return Scorer.load(scorer)


def _scored_by(y_true: Any, y_pred: Any, scorer: Any) -> float:
    """``scorer(y_true, y_pred)`` as a module-level function (picklable for ``n_jobs``)."""
    return scorer(y_true, y_pred)


def _scorers_of_kind(kind: str) -> list[str]:
    from dffml_nb import plugins

    names = []
    for name in plugins.names("scorer"):
        try:
            if plugins.load("scorer", name).kind == kind:
                names.append(name)
        except Exception:  # a broken third-party scorer does not hide the others
            continue
    return names
