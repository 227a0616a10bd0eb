"""A dffml_nb model as the scikit-learn estimator that ``cross_validate`` and ``GridSearchCV`` take.

- A scikit-learn model (``scikitlr``, ``scikitrfc``, …) is its own estimator:
  :func:`as_estimator` returns ``model.make_estimator(y)`` — the very
  ``LogisticRegression(...)`` that training fits — so scores equal scikit-learn's.
- Any other model (``slr``, a plugin) is wrapped in :class:`ModelEstimator`,
  which fits and predicts through the model's own ``_fit`` / ``_predict`` hooks.

:func:`param_name` maps a hyperparameter to the estimator's parameter
(``C``, or ``estimator__C`` for the calibrated ``scikitsvc``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sklearn.base import BaseEstimator

if TYPE_CHECKING:
    from dffml_nb.model.base import Model


class ModelEstimator(BaseEstimator):
    """Any :class:`~dffml_nb.model.base.Model` behind scikit-learn's estimator API.

    ``set_params(name=value)`` sets a hyperparameter of the model (so grid
    search works); fitting never saves to the model's ``location``.
    """

    def __init__(self, model: Model | None = None) -> None:
        self.model = model

    def set_params(self, **params: Any) -> ModelEstimator:
        model = params.pop("model", self.model)
        if params:
            config = {**model.config(), "location": None, **params}
            model = type(model)(**config)
        self.model = model
        return self

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import ClassifierTags, RegressorTags

        tags = super().__sklearn_tags__()
        kind = getattr(self.model, "kind", "regressor")
        tags.estimator_type = {"classifier": "classifier", "clusterer": "clusterer"}.get(
            kind, "regressor"
        )
        if kind == "classifier":
            tags.classifier_tags = ClassifierTags()
        elif kind == "regressor":
            tags.regressor_tags = RegressorTags()
        return tags

    def fit(self, X: Any, y: Any = None) -> ModelEstimator:
        import numpy as np

        model = self.model
        if model is None:
            raise ValueError("ModelEstimator(model=...) needs a dffml_nb model to fit")
        fitted = type(model)(**{**model.config(), "location": None})
        fitted._fit(np.asarray(X, dtype=np.float64), y)
        self.model_ = fitted
        if model.kind == "classifier":
            self.classes_ = np.unique(y)
        return self

    def predict(self, X: Any) -> Any:
        import numpy as np

        values, _ = self.model_._predict(np.asarray(X, dtype=np.float64))
        return values


def as_estimator(model: Model, y: Any = None) -> Any:
    """An unfitted scikit-learn estimator for ``model`` (``y``: the targets it will see)."""
    make = getattr(model, "make_estimator", None)
    if make is not None:
        return make(y)
    return ModelEstimator(model)


def param_name(estimator: Any, name: str) -> str:
    """The estimator's parameter for hyperparameter ``name`` (through a calibration wrapper)."""
    if isinstance(estimator, ModelEstimator):
        return name
    params = estimator.get_params(deep=True)
    if name in params:
        return name
    if f"estimator__{name}" in params:
        return f"estimator__{name}"
    return name
