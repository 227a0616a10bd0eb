"""Scorers: how well a model's predictions match a feature's true values.

Each scorer is a :class:`Scorer` wrapping a ``sklearn.metrics`` function (never
a hand-written formula), registered under the ``dffml_nb.scorer`` entry point
group like any plugin. Values are the metric itself: ``mse`` is the error
(lower is better), ``accuracy`` the fraction right (higher is better);
``Scorer.greater_is_better`` says which.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dffml_nb.model.base import Model


def _average(y_true: Any, y_pred: Any) -> dict[str, Any]:
    """``average="binary"`` for 0/1 labels, ``"weighted"`` otherwise (multiclass, strings)."""
    import numpy as np

    labels = set(
        np.unique(np.concatenate([np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()])).tolist()
    )
    return {"average": "binary" if labels <= {0, 1} else "weighted", "zero_division": 0}


class Score(float):
    """A score: a plain ``float`` that also knows its scorer, so it shows itself well.

    ``score(...) < 0.1`` and ``json.dumps(score)`` work as for any float.
    """

    scorer: str
    greater_is_better: bool | None
    rows: int | None
    model: str | None

    def __new__(
        cls,
        value: float,
        scorer: str = "",
        greater_is_better: bool | None = None,
        rows: int | None = None,
        model: str | None = None,
    ) -> Score:
        self = super().__new__(cls, value)
        self.scorer, self.greater_is_better, self.rows, self.model = (
            scorer,
            greater_is_better,
            rows,
            model,
        )
        return self

    def _repr_html_(self) -> str:
        import html

        better = {True: "higher is better", False: "lower is better", None: ""}[
            self.greater_is_better
        ]
        detail = ", ".join(
            part
            for part in (
                f"{self.model}" if self.model else "",
                f"{self.rows} rows" if self.rows is not None else "",
                better,
            )
            if part
        )
        return (
            '<div class="dffml-nb-score" style="font-family: sans-serif">'
            f"<b>{html.escape(self.scorer or 'score')}</b> "
            f'<span style="font-size: 1.3em">{float(self):.6g}</span>'
            + (f' <span style="color: #6b7280">({html.escape(detail)})</span>' if detail else "")
            + "</div>"
        )


@dataclass(frozen=True)
class Scorer:
    """A named metric: ``scorer(y_true, y_pred) -> float`` and ``scorer.score(model, feature, *data)``."""

    name: str
    metric: str  # function name in sklearn.metrics
    greater_is_better: bool
    kind: str  # "regression", "classification" or "clustering"
    options: Callable[[Any, Any], dict[str, Any]] | None = field(default=None, repr=False)

    def __call__(self, y_true: Any, y_pred: Any) -> float:
        metric = getattr(importlib.import_module("sklearn.metrics"), self.metric)
        options = self.options(y_true, y_pred) if self.options else {}
        return float(metric(y_true, y_pred, **options))

    def score(self, model: Model, feature: Any, *data: Any) -> Score:
        """Predict with ``model`` on the data and compare with the ``feature`` column."""
        from dffml_nb.model import data as arrays
        from dffml_nb.model.base import _parse_feature

        truth = _parse_feature(feature)
        model._ensure_trained()  # first: loading from location may fill in the features
        features, _ = model._require_config()
        wanted = [f for f in features if f.name != truth.name] + [truth]
        frame = arrays.to_frame(data, wanted, allow_empty=False)
        X = arrays.matrix(frame, features)
        arrays.require_values(frame, X, features, "predict")
        expected = arrays.target(frame, truth, numeric=self.kind == "regression")
        arrays.require_truth(frame, expected, truth)
        predicted, _ = model.predict_arrays(X)
        value = self(expected, predicted)
        model._remember_score(self.name, value)
        return Score(value, self.name, self.greater_is_better, len(frame), model.name)

    @staticmethod
    def load(name: str | Scorer) -> Scorer:
        """The scorer registered as ``name`` (a Scorer passes through).

        An unknown name raises ``dffml_nb.plugins.PluginError`` listing the known ones.
        """
        if not isinstance(name, str):
            return name
        from dffml_nb import plugins

        found = plugins.load("scorer", name)
        if not isinstance(found, Scorer):
            raise plugins.PluginError(
                f"scorer plugin {name!r} is {found!r}, not a dffml_nb.scorer.Scorer"
            )
        return found

    def _repr_html_(self) -> str:
        better = "higher" if self.greater_is_better else "lower"
        return (
            f"<b>{self.name}</b>: sklearn.metrics.{self.metric} ({self.kind}, {better} is better)"
        )


SCORERS: dict[str, Scorer] = {
    scorer.name: scorer
    for scorer in [
        # regression
        Scorer("mse", "mean_squared_error", False, "regression"),
        Scorer("rmse", "root_mean_squared_error", False, "regression"),
        Scorer("mae", "mean_absolute_error", False, "regression"),
        Scorer("median_ae", "median_absolute_error", False, "regression"),
        Scorer("mape", "mean_absolute_percentage_error", False, "regression"),
        Scorer("max_error", "max_error", False, "regression"),
        Scorer("r2", "r2_score", True, "regression"),
        Scorer("explained_variance", "explained_variance_score", True, "regression"),
        # classification
        Scorer("clf", "accuracy_score", True, "classification"),
        Scorer("accuracy", "accuracy_score", True, "classification"),
        Scorer("balanced_accuracy", "balanced_accuracy_score", True, "classification"),
        Scorer("f1", "f1_score", True, "classification", _average),
        Scorer("precision", "precision_score", True, "classification", _average),
        Scorer("recall", "recall_score", True, "classification", _average),
        # clustering, against true labels
        Scorer("adjusted_rand", "adjusted_rand_score", True, "clustering"),
        Scorer("nmi", "normalized_mutual_info_score", True, "clustering"),
    ]
}


# -- dffml-model-scikit's scorer names (its scikit_scorers.py), so DFFML command lines keep working.
# Each computes what DFFML computes: the sklearn.metrics function on the true values and the
# predicted values (for roc_auc, average precision, Brier and log loss: predicted labels, not
# probabilities — evaluate() also takes scikit-learn's "roc_auc" / "neg_log_loss", which use them).
_DFFML_SCIKIT_ALIASES = {
    "acscore": "accuracy",
    "bacscore": "balanced_accuracy",
    "f1score": "f1",
    "prescore": "precision",
    "recallscore": "recall",
    "adjrandscore": "adjusted_rand",
    "normmutinfoscore": "nmi",
    "exvscore": "explained_variance",
    "maxerr": "max_error",
    "meanabserr": "mae",
    "meansqrerr": "mse",
    "medabserr": "median_ae",
    "r2score": "r2",
    "meanabspererr": "mape",
}
SCORERS.update(
    {alias: replace(SCORERS[name], name=alias) for alias, name in _DFFML_SCIKIT_ALIASES.items()}
)
SCORERS.update(
    {
        scorer.name: scorer
        for scorer in [
            Scorer("topkscore", "top_k_accuracy_score", True, "classification"),
            Scorer("avgprescore", "average_precision_score", True, "classification"),
            Scorer("brierscore", "brier_score_loss", False, "classification"),
            Scorer("logloss", "log_loss", False, "classification"),
            Scorer("jacscore", "jaccard_score", True, "classification", _average),
            Scorer("rocaucscore", "roc_auc_score", True, "classification"),
            Scorer("adjmutinfoscore", "adjusted_mutual_info_score", True, "clustering"),
            Scorer("complscore", "completeness_score", True, "clustering"),
            Scorer("fowlmalscore", "fowlkes_mallows_score", True, "clustering"),
            Scorer("homoscore", "homogeneity_score", True, "clustering"),
            Scorer("mutinfoscore", "mutual_info_score", True, "clustering"),
            Scorer("randscore", "rand_score", True, "clustering"),
            Scorer("vmscore", "v_measure_score", True, "clustering"),
            Scorer("meansqrlogerr", "mean_squared_log_error", False, "regression"),
            Scorer("meanpoidev", "mean_poisson_deviance", False, "regression"),
            Scorer("meangammadev", "mean_gamma_deviance", False, "regression"),
        ]
    }
)


def __getattr__(attr: str) -> Scorer:
    # entry points name "dffml_nb.scorer:mse"
    try:
        return SCORERS[attr]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {attr!r}") from None
