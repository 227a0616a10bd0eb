"""The scikit-learn models: one table, one class, a subclass made per name on demand.

Names follow dffml-model-scikit (``scikitlr``, ``scikitrfc``, …). Each row of
:data:`ESTIMATORS` is ``name -> (import path of the estimator, kind)``; reading
``dffml_nb.model.sklearn.scikitlr`` (which is what the ``dffml_nb.model`` entry
point does) builds the ``Model`` subclass for that row. scikit-learn itself is
imported only when an estimator is built or its hyperparameters are read.

Confidence: classifiers report the probability of the predicted class
(``predict_proba``); regressors the R² on the training data (DFFML's convention,
the same for every prediction); clusterers ``None``. ``scikitsvc`` wraps the
SVC in ``CalibratedClassifierCV(SVC(...), ensemble=False)`` to get probabilities
(``SVC(probability=True)`` is deprecated in scikit-learn 1.9).

Clusterers that cannot label new data (spectral, agglomerative, OPTICS) and
``Birch`` (which skops cannot save) are not registered.
"""

from __future__ import annotations

import importlib
from typing import Any, ClassVar

from dffml_nb.model.base import Model
from dffml_nb.model.config import Hyperparameter
from dffml_nb.model.config import hyperparameters as introspect

# name -> ("module:Estimator", kind)
ESTIMATORS: dict[str, tuple[str, str]] = {
    # linear models
    "scikitlr": ("sklearn.linear_model:LinearRegression", "regressor"),
    "scikitlor": ("sklearn.linear_model:LogisticRegression", "classifier"),
    "scikitridge": ("sklearn.linear_model:Ridge", "regressor"),
    "scikitlas": ("sklearn.linear_model:Lasso", "regressor"),
    "scikiteln": ("sklearn.linear_model:ElasticNet", "regressor"),
    "scikitbyr": ("sklearn.linear_model:BayesianRidge", "regressor"),
    "scikitard": ("sklearn.linear_model:ARDRegression", "regressor"),
    "scikitrsc": ("sklearn.linear_model:RANSACRegressor", "regressor"),
    "scikitomp": ("sklearn.linear_model:OrthogonalMatchingPursuit", "regressor"),
    "scikitlars": ("sklearn.linear_model:Lars", "regressor"),
    # trees and ensembles
    "scikitdtc": ("sklearn.tree:DecisionTreeClassifier", "classifier"),
    "scikitdtr": ("sklearn.tree:DecisionTreeRegressor", "regressor"),
    "scikitrfc": ("sklearn.ensemble:RandomForestClassifier", "classifier"),
    "scikitrfr": ("sklearn.ensemble:RandomForestRegressor", "regressor"),
    "scikitetc": ("sklearn.ensemble:ExtraTreesClassifier", "classifier"),
    "scikitetr": ("sklearn.ensemble:ExtraTreesRegressor", "regressor"),
    "scikitgbc": ("sklearn.ensemble:GradientBoostingClassifier", "classifier"),
    "scikitgbr": ("sklearn.ensemble:GradientBoostingRegressor", "regressor"),
    "scikitadaboost": ("sklearn.ensemble:AdaBoostClassifier", "classifier"),
    "scikitada": ("sklearn.ensemble:AdaBoostClassifier", "classifier"),  # short alias
    "scikitbgc": ("sklearn.ensemble:BaggingClassifier", "classifier"),
    # neighbours, SVMs, naive Bayes, discriminant analysis, Gaussian processes, MLP
    "scikitknn": ("sklearn.neighbors:KNeighborsClassifier", "classifier"),
    "scikitknr": ("sklearn.neighbors:KNeighborsRegressor", "regressor"),
    "scikitsvc": ("sklearn.svm:SVC", "classifier"),
    "scikitsvr": ("sklearn.svm:SVR", "regressor"),
    "scikitgnb": ("sklearn.naive_bayes:GaussianNB", "classifier"),
    "scikitbnb": ("sklearn.naive_bayes:BernoulliNB", "classifier"),
    "scikitmnb": ("sklearn.naive_bayes:MultinomialNB", "classifier"),
    "scikitlda": ("sklearn.discriminant_analysis:LinearDiscriminantAnalysis", "classifier"),
    "scikitqda": ("sklearn.discriminant_analysis:QuadraticDiscriminantAnalysis", "classifier"),
    "scikitgpc": ("sklearn.gaussian_process:GaussianProcessClassifier", "classifier"),
    "scikitgpr": ("sklearn.gaussian_process:GaussianProcessRegressor", "regressor"),
    "scikitmlp": ("sklearn.neural_network:MLPClassifier", "classifier"),
    "scikitmlpr": ("sklearn.neural_network:MLPRegressor", "regressor"),
    # clusterers
    "scikitkmeans": ("sklearn.cluster:KMeans", "clusterer"),
    "scikitmbkmeans": ("sklearn.cluster:MiniBatchKMeans", "clusterer"),
    "scikitap": ("sklearn.cluster:AffinityPropagation", "clusterer"),
    "scikims": ("sklearn.cluster:MeanShift", "clusterer"),
}

# estimators whose probabilities come from calibration rather than predict_proba
CALIBRATED = frozenset({"scikitsvc"})


class ScikitModel(Model):
    """A scikit-learn estimator behind the :class:`Model` API.

    Subclasses (made from :data:`ESTIMATORS`) set ``name``, ``kind`` and
    ``estimator_path``; hyperparameters are the estimator's constructor
    arguments, with types, defaults and choices from its own parameter
    constraints.
    """

    estimator_path: str = ""
    #: the fitted scikit-learn estimator (None until trained or loaded)
    estimator: Any = None

    @classmethod
    def estimator_class(cls) -> type:
        """The scikit-learn estimator class (imports scikit-learn)."""
        module, _, attr = cls.estimator_path.partition(":")
        estimator: type = getattr(importlib.import_module(module), attr)
        return estimator

    #: per class, once computed: with help texts / without (see _accepted_hyperparameters)
    _hyperparameters: ClassVar[dict[str, Hyperparameter] | None] = None
    _accepted: ClassVar[dict[str, Hyperparameter] | None] = None

    @classmethod
    def hyperparameters(cls) -> dict[str, Hyperparameter]:
        """The estimator's constructor arguments: ``{name: Hyperparameter}``."""
        cached = cls.__dict__.get("_hyperparameters")
        if cached is None:
            cached = introspect(cls.estimator_class())
            cls._hyperparameters = cached
        return cached

    @classmethod
    def _accepted_hyperparameters(cls) -> dict[str, Hyperparameter]:
        # building a model checks its keywords: no need to parse the documentation
        # (docstring_parser) for help texts only forms and --help show
        cached = cls.__dict__.get("_hyperparameters") or cls.__dict__.get("_accepted")
        if cached is None:
            cached = introspect(cls.estimator_class(), help=False)
            cls._accepted = cached
        return cached

    def make_estimator(self, y: Any = None) -> Any:
        """A fresh, unfitted estimator with this model's hyperparameters."""
        estimator = self.estimator_class()(**self.hyperparameter_values)
        if self.name in CALIBRATED:
            from sklearn.calibration import CalibratedClassifierCV

            folds = 5
            if y is not None:  # small data sets: one fold per member of the rarest class
                import numpy as np

                folds = max(2, min(5, int(np.unique(y, return_counts=True)[1].min())))
            estimator = CalibratedClassifierCV(estimator, ensemble=False, cv=folds)
        return estimator

    def _fit(self, X: Any, y: Any) -> None:
        estimator = self.make_estimator(y)
        if y is None:
            estimator.fit(X)
        else:
            estimator.fit(X, y)
        self.estimator = estimator

    def _predict(self, X: Any) -> tuple[Any, Any]:
        estimator = self.estimator
        if self.kind == "classifier" and hasattr(estimator, "predict_proba"):
            import numpy as np

            # one pass: the predicted class is the most probable one
            probabilities = estimator.predict_proba(X)
            best = probabilities.argmax(axis=1)
            return estimator.classes_[best], probabilities[np.arange(len(best)), best]
        return estimator.predict(X), None

    def _get_state(self) -> Any:
        return self.estimator

    def _set_state(self, state: Any) -> None:
        expected: Any = self.estimator_class()  # a scikit-learn class: untyped
        inner: Any = getattr(state, "estimator", None) if self.name in CALIBRATED else state
        if not isinstance(inner, expected):
            raise TypeError(f"saved state is a {type(state).__name__}, not a {expected.__name__}")
        self.estimator = state
        # values from the estimator itself: model.json holds only a text form of
        # objects such as a Gaussian process kernel
        params = inner.get_params(deep=False)
        self.hyperparameter_values = {
            key: params.get(key, value) for key, value in self.hyperparameter_values.items()
        }


def model_class(name: str) -> type[ScikitModel]:
    """The :class:`ScikitModel` subclass registered as ``name`` (built once)."""
    cached = _CLASSES.get(name)
    if cached is not None:
        return cached
    try:
        path, kind = ESTIMATORS[name]
    except KeyError:
        raise AttributeError(
            f"no scikit-learn model named {name!r}; known: {', '.join(ESTIMATORS)}"
        ) from None
    estimator = path.partition(":")[2]
    doc = (
        f"``{name}``: scikit-learn's ``{estimator}`` as a dffml_nb {kind}.\n\n"
        f"Hyperparameters are those of ``{path.replace(':', '.')}``; see "
        f"``{name}.hyperparameters()``.\n\n" + (ScikitModel.__doc__ or "")
    )
    if name in CALIBRATED:
        doc += (
            "\nConfidence is the probability of the predicted class from "
            "``CalibratedClassifierCV(SVC(...), ensemble=False)`` (not ``probability=True``, "
            "deprecated in scikit-learn 1.9).\n"
        )
    cls = type(
        f"{estimator}Model",
        (ScikitModel,),
        {
            "name": name,
            "kind": kind,
            "estimator_path": path,
            "__doc__": doc,
            "__module__": __name__,
        },
    )
    cls.__qualname__ = name  # so "dffml_nb.model.sklearn:<qualname>" finds it again
    _CLASSES[name] = cls
    return cls


_CLASSES: dict[str, type[ScikitModel]] = {}


def __getattr__(attr: str) -> Any:
    # entry points name "dffml_nb.model.sklearn:scikitlr": build that class on first access
    if attr in ESTIMATORS:
        cls = model_class(attr)
        globals()[attr] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(ESTIMATORS))
