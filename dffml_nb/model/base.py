"""The :class:`Model` base class: configuration, training, prediction, persistence.

Every model — the scikit-learn registry, ``slr`` and third-party plugins — is a
subclass that implements four small hooks; everything users touch (data
handling, confidence, saving, display, dataflow operation) lives here once::

    class MyModel(Model):
        kind = "regressor"            # or "classifier" / "clusterer"

        def _fit(self, X, y): ...     # X: float matrix; y: targets (None for clusterers)
        def _predict(self, X): ...    # -> (values, confidences or None)
        def _get_state(self): ...     # anything skops can save (arrays, dicts, estimators)
        def _set_state(self, state): ...

Hyperparameters: override the classmethod ``hyperparameters()`` (e.g. return
``dffml_nb.model.config.hyperparameters(SomeEstimator)``); the values given
to the constructor are in ``self.hyperparameter_values``.

Register it with one line of ``pyproject.toml``:
``[project.entry-points."dffml_nb.model"] mymodel = "mypkg:MyModel"``.
"""

from __future__ import annotations

import html
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from dffml_nb.model import persist
from dffml_nb.model.config import Hyperparameter

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from dffml_nb.feature import Features

KINDS = ("regressor", "classifier", "clusterer")


class ModelNotTrainedError(RuntimeError):
    """Predicting (or saving) before the model was trained or loaded."""


class _LoadByName:
    """``Model.load``: the registry lookup on the class.

    ``Model.load("scikitlr")`` returns the model class registered under that name.
    Until dffml_nb 0.1 ``model.load()`` on an instance read the trained model from
    ``model.location``; that is :meth:`Model.restore` now, and the old spelling
    still works, with a DeprecationWarning.
    """

    def __init__(self, lookup: Any) -> None:
        self.lookup = lookup
        self.__doc__ = lookup.__doc__

    def __get__(self, instance: Model | None, owner: type[Model]) -> Any:
        if instance is None:
            return self.lookup.__get__(owner, type(owner))
        model = instance

        def load() -> Model:
            warnings.warn(
                "model.load() (reading the trained model from model.location) is now "
                "model.restore(); Model.load(name) looks a model class up by name",
                DeprecationWarning,
                stacklevel=2,
            )
            return model.restore()

        return load


def feature_text(feature: Any) -> str:
    """``"Years:int:1"`` for a Feature (the form DFFML's command line uses)."""
    return str(feature)


def _parse_feature(value: Any) -> Any:
    from dffml_nb.feature import Feature

    return Feature.parse(value)


def _parse_features(values: Any) -> Any:
    from dffml_nb.feature import Features

    return Features.parse(values)


def _primitive(feature: Any) -> str:
    """The dataflow primitive name for a feature's values."""
    if getattr(feature, "length", 1) != 1:
        return "list"
    name = getattr(feature.dtype, "__name__", "object")
    return name if name in ("int", "float", "str", "bool") else "object"


def _r2(y: np.ndarray, predicted: np.ndarray) -> float:
    """Coefficient of determination, as ``sklearn.metrics.r2_score`` computes it.

    Written out here (three lines of numpy) so that ``slr`` and plugins do not
    pay for importing scikit-learn just to report a confidence.
    """
    import numpy as np

    residual = float(np.sum((y - predicted) ** 2))
    total = float(np.sum((y - np.mean(y)) ** 2))
    if total == 0.0:
        return 1.0 if residual == 0.0 else 0.0
    return 1.0 - residual / total


class Model:
    """A trainable model with DFFML's configuration: features, target, location.

    Keywords: ``features`` (``Feature``s or strings like ``"Years:int:1"``),
    ``predict`` (the target, a ``Feature`` or ``"Salary:float:1"``), ``location``
    (directory to save to and load from) and the model's own hyperparameters
    (see :meth:`hyperparameters`). An unknown keyword is a ``TypeError`` that
    lists the valid ones; hyperparameter values given as text (from a form or a
    command line) are converted to the type the model expects.

    Confidence, per DFFML's convention: classifiers report the probability of
    the predicted class, regressors the R² of the model on its training data
    (the same for every prediction), clusterers ``None``.

    With a ``location``, training saves the model there, and a model that has not
    been trained in this session loads it from there when first asked to predict.
    """

    #: registry name (``"scikitlr"``); defaults to the class name in lowercase
    name: ClassVar[str] = ""
    #: "regressor", "classifier" or "clusterer"
    kind: ClassVar[str] = "regressor"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("name"):
            cls.name = cls.__name__.lower()
        if cls.kind not in KINDS:
            raise TypeError(
                f"{cls.__name__}.kind must be one of {', '.join(KINDS)}, not {cls.kind!r}"
            )

    def __init__(
        self,
        features: Any = None,
        predict: Any = None,
        location: str | os.PathLike[str] | None = None,
        **hyperparameters: Any,
    ) -> None:
        known = type(self)._accepted_hyperparameters()
        unknown = [key for key in hyperparameters if key not in known]
        if unknown:
            valid = ", ".join(["features", "predict", "location", *known])
            raise TypeError(
                f"{self.name}() got unexpected keyword argument{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(map(repr, unknown))}; valid keywords: {valid}"
            )
        self.hyperparameter_values: dict[str, Any] = {
            key: known[key].parse(value) for key, value in hyperparameters.items()
        }
        self.features: Features | None = None if features is None else _parse_features(features)
        if predict is None and self.kind == "clusterer":
            predict = "cluster:int:1"  # what the predicted label is called, as in DFFML
        self.target: Any = None if predict is None else _parse_feature(predict)
        self.location: Path | None = None if location is None else Path(location)
        self.confidence: float | None = None  # training R² of a regressor
        self.last_score: tuple[str, float] | None = None
        #: the sha256 of the state last saved to or restored from ``location`` (None if
        #: neither): which saved version this object is
        self.saved_digest: str | None = None
        self._trained = False

    # -- hooks for subclasses ------------------------------------------------

    @classmethod
    def hyperparameters(cls) -> dict[str, Hyperparameter]:
        """``{name: Hyperparameter(type, default, choices, ...)}`` this model accepts."""
        return {}

    @classmethod
    def _accepted_hyperparameters(cls) -> dict[str, Hyperparameter]:
        """What the constructor accepts (:meth:`hyperparameters`; a subclass may
        return them without the help texts, which are costlier to find)."""
        return cls.hyperparameters()

    def _fit(self, X: np.ndarray, y: np.ndarray | None) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not implement _fit")

    def _predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        raise NotImplementedError(f"{type(self).__name__} does not implement _predict")

    def _get_state(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not implement _get_state")

    def _set_state(self, state: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not implement _set_state")

    # -- configuration -------------------------------------------------------

    def config(self) -> dict[str, Any]:
        """The constructor keywords of this model: ``type(model)(**model.config())`` rebuilds it."""
        return {
            "features": None if self.features is None else [feature_text(f) for f in self.features],
            "predict": None if self.target is None else feature_text(self.target),
            "location": None if self.location is None else str(self.location),
            **self.hyperparameter_values,
        }

    def _require_config(self) -> tuple[Features, Any]:
        if not self.features:
            raise ValueError(
                f"{self.name}: no features configured (pass features=[...] to the model)"
            )
        if self.target is None:
            raise ValueError(
                f"{self.name}: no target configured (pass predict='Name:float:1' to the model)"
            )
        return self.features, self.target

    @property
    def is_trained(self) -> bool:
        """Trained in this session, or a saved model is waiting in ``location``."""
        return self._trained or (
            self.location is not None and persist.has_saved_model(self.location)
        )

    # -- training and prediction --------------------------------------------

    def fit(self, *data: Any) -> Model:
        """Train on the data arguments (rows, Records, files, DataFrames, sources).

        As in DFFML, records missing a feature (or the target) are left out.
        Saves to ``location`` when one is set. Returns the model.
        """
        from dffml_nb.model import data as arrays

        features, target = self._require_config()
        if self.location is not None:
            persist.check_writable(self.location)
        supervised = self.kind != "clusterer"
        wanted = [*features, target] if supervised else list(features)
        frame = arrays.to_frame(data, wanted, allow_empty=True)
        if len(frame) == 0:
            raise ValueError(f"{self.name}: no records to train on in {arrays.describe(data)}")
        X = arrays.matrix(frame, features)
        y = arrays.target(frame, target, numeric=self.kind == "regressor") if supervised else None
        keep = arrays.complete(X, y)
        if keep is not None:
            X, y = X[keep], (None if y is None else y[keep])
            if len(X) == 0:
                raise ValueError(
                    f"{self.name}: no records to train on in {arrays.describe(data)}: "
                    f"every record is missing one of {', '.join(map(str, wanted))}"
                )
        return self.fit_arrays(X, y)

    def fit_arrays(self, X: np.ndarray, y: np.ndarray | None) -> Model:
        """Train on a float feature matrix and its targets (None for a clusterer), rows
        already complete, as :meth:`fit` reads them from data; saves as :meth:`fit` does."""
        if self.location is not None:
            persist.check_writable(self.location)
        self._fit(X, y)
        self._trained = True
        self.last_score = None
        if y is not None and self.kind == "regressor":
            predicted, _ = self._predict(X)
            self.confidence = _r2(y, predicted)
        if self.location is not None:
            self.save()
        return self

    def train(self, *data: Any) -> Model:
        """Same as :meth:`fit` (DFFML's name)."""
        return self.fit(*data)

    def _ensure_trained(self) -> None:
        if self._trained:
            return
        if self.location is not None and persist.has_saved_model(self.location):
            self.restore()
            return
        where = f"; there is no saved model in {str(self.location)!r}" if self.location else ""
        raise ModelNotTrainedError(
            f"{self.name} is not trained: train it first (train(model, data) or model.fit(data)){where}"
        )

    def predict_arrays(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """``(values, confidences)`` for a float feature matrix; confidences may be None."""
        import numpy as np

        self._ensure_trained()
        if len(X) == 0:
            return np.empty(0), (None if self.kind == "clusterer" else np.empty(0))
        values, confidences = self._predict(X)
        if confidences is None and self.kind == "regressor" and self.confidence is not None:
            confidences = np.full(len(values), self.confidence)
        return values, confidences

    def predict(self, *data: Any, as_frame: bool = False) -> list[Any] | pd.DataFrame:
        """Predict the target for each record of the data arguments.

        Returns a list of Records (their features plus a prediction with its
        confidence), or with ``as_frame=True`` a DataFrame of the feature
        columns, a column named after the target and ``<target>_confidence``
        (NaN where a model has no confidence, e.g. clusterers).
        """
        import numpy as np

        from dffml_nb.model import data as arrays
        from dffml_nb.source.resolve import is_frame

        self._ensure_trained()
        features, target = self._require_config()
        frame = arrays.to_frame(data, features, allow_empty=True)
        X = arrays.matrix(frame, features)
        arrays.require_values(frame, X, features)
        values, confidences = self.predict_arrays(X)
        if as_frame:
            result: pd.DataFrame = frame.copy(deep=False)  # new columns go on the copy only
            given = data[0] if len(data) == 1 else None
            if is_frame(given) and len(given.index) == len(result) and given.index.is_unique:
                # one DataFrame in, its own index out: ``df.assign(pred=...)`` lines up, as in pandas
                result.index = given.index
            result[target.name] = values
            result[f"{target.name}_confidence"] = np.nan if confidences is None else confidences
            return result
        return self._records(frame, values, confidences)

    def _records(
        self, frame: pd.DataFrame, values: np.ndarray, confidences: np.ndarray | None
    ) -> list[Any]:
        """One Record per row: its features and the prediction (the slow path: a
        Python object per record; ``as_frame=True`` avoids it)."""
        from dffml_nb.record import Prediction, Record

        name = self.target.name
        columns = list(frame.columns)
        rows = zip(*(frame[column].tolist() for column in columns))
        confidence_list = [None] * len(values) if confidences is None else confidences.tolist()
        return [
            Record(key, dict(zip(columns, row)), {name: Prediction(value, confidence)})
            for key, row, value, confidence in zip(
                frame.index.tolist(), rows, values.tolist(), confidence_list
            )
        ]

    # -- persistence ---------------------------------------------------------

    def _metadata(self) -> dict[str, Any]:
        from dffml_nb._version import __version__

        kind = {"regressor": "training_r2", "classifier": "class_probability"}.get(self.kind)
        cls = type(self)
        return {
            "model": self.name,
            "class": f"{cls.__module__}:{cls.__qualname__}",
            "kind": self.kind,
            "features": [feature_text(f) for f in self.features or []],
            "predict": None if self.target is None else feature_text(self.target),
            "hyperparameters": self.hyperparameter_values,
            "confidence": {"kind": kind, "value": self.confidence},
            "last_score": None if self.last_score is None else list(self.last_score),
            "versions": {
                "dffml_nb": __version__,
                # already imported by whatever made the state; recorded to explain a failed load
                **{
                    name: getattr(sys.modules[name], "__version__", None)
                    for name in ("sklearn", "numpy")
                    if name in sys.modules
                },
            },
        }

    def _remember_score(self, scorer: str, value: float) -> None:
        """Keep the last score for display, and beside the saved model when there is one."""
        self.last_score = (scorer, value)
        if self.location is not None and persist.has_saved_model(self.location):
            persist.update_metadata(self.location, last_score=[scorer, value])

    def save(self) -> Path:
        """Write the trained model to ``location`` (atomically); returns the directory."""
        if self.location is None:
            raise ValueError(
                f"{self.name}: no location to save to (pass location=... to the model)"
            )
        if not self._trained:
            raise ModelNotTrainedError(f"{self.name} is not trained: train it before saving")
        self.saved_digest = persist.save(self.location, self._get_state(), self._metadata())
        return self.location

    def restore(self) -> Model:
        """Read the trained model saved in ``location`` into this model; returns it.

        (Predicting with an untrained model that has a ``location`` does this by
        itself.) The saved model must be of this model's kind and, when this model
        names features or a target, trained on the same ones.
        """
        if self.location is None:
            raise ValueError(
                f"{self.name}: no location to load from (pass location=... to the model)"
            )
        metadata, state = persist.load(self.location)
        self.saved_digest = metadata["state"].get("sha256")
        where = self.location / persist.METADATA
        if metadata.get("model") != self.name:
            raise persist.ModelFileError(
                f"{where} holds a {metadata.get('model')!r} model, not {self.name!r}: "
                f"use Model.open({str(self.location)!r}) or Model.load({metadata.get('model')!r})"
            )
        saved_features = metadata.get("features") or []
        if self.features is None:
            self.features = _parse_features(saved_features)
        elif [f.name for f in self.features] != [_parse_feature(f).name for f in saved_features]:
            raise persist.ModelFileError(
                f"{where} was trained on features {saved_features}, not "
                f"{[feature_text(f) for f in self.features]}"
            )
        saved_target = metadata.get("predict")
        if self.target is None and saved_target:
            self.target = _parse_feature(saved_target)
        elif saved_target and self.target.name != _parse_feature(saved_target).name:
            raise persist.ModelFileError(
                f"{where} predicts {saved_target!r}, not {feature_text(self.target)!r}"
            )
        # the hyperparameters the saved state was trained with are the true ones
        # (_set_state may refine them from the state itself)
        self.hyperparameter_values = dict(metadata.get("hyperparameters") or {})
        self._set_state(state)
        self.confidence = (metadata.get("confidence") or {}).get("value")
        score = metadata.get("last_score")
        self.last_score = tuple(score) if score else None
        self._trained = True
        return self

    @classmethod
    def _load_class(cls, name: str) -> type[Model]:
        """The model class registered as ``name`` (or at ``package.module:Class``).

        An unknown name raises ``dffml_nb.plugins.PluginError`` listing the
        registered model names. (A trained model on disk: :meth:`open`.)
        """
        from dffml_nb import plugins

        found = plugins.load("model", name)  # built-ins: no scan of every package
        if not (isinstance(found, type) and issubclass(found, Model)):
            raise plugins.PluginError(
                f"model plugin {name!r} is {found!r}, not a class: expected a subclass of "
                "dffml_nb.model.Model"
            )
        return found

    load = _LoadByName(_load_class)

    @classmethod
    def open(cls, location: str | os.PathLike[str]) -> Model:
        """The trained model saved in ``location``, whatever its kind.

        ``Model.open("model")`` reads the registered name in ``model.json`` and
        restores that model (only registered names are looked up: a model file
        never makes dffml_nb import a module). On a model class,
        ``SLR.open("model")`` expects that kind.
        """
        if cls is Model:
            from dffml_nb import plugins

            name = persist.read_metadata(location).get("model")
            try:
                found = plugins.registered("model", str(name))
            except plugins.PluginError as error:
                raise persist.ModelFileError(
                    f"{Path(location) / persist.METADATA} holds a {name!r} model, which is "
                    f"not registered ({error}): restore it with its class, "
                    "MyModel(location=...).restore()"
                ) from error
            if not (isinstance(found, type) and issubclass(found, Model)):
                raise persist.ModelFileError(f"registered model {name!r} is not a Model class")
            return found(location=location).restore()
        return cls(location=location).restore()

    # -- dataflow ------------------------------------------------------------

    def as_op(self, name: str | None = None) -> Any:
        """A dataflow operation: inputs named after the features, output after the target.

        The operation predicts one record per run and returns the predicted
        value (its confidence is available from :meth:`predict`).
        """
        import numpy as np

        from dffml_nb.df import Definition, op
        from dffml_nb.model.data import MissingValueError

        features, target = self._require_config()
        model = self

        def predict_one(**values: Any) -> Any:
            row = np.asarray([[values[feature.name] for feature in features]], dtype=np.float64)
            if np.isnan(row).any():
                name = features[int(np.isnan(row[0]).argmax())].name
                raise MissingValueError(
                    f"{model.name}: feature {name!r} is missing ({values[name]!r}): the "
                    "model needs every feature to predict"
                )
            predicted, _ = model.predict_arrays(row)
            value = predicted[0]
            return value.item() if hasattr(value, "item") else value

        predict_one.__name__ = predict_one.__qualname__ = f"{self.name}_predict"
        predict_one.__doc__ = f"Predict {target.name} with {self!r}."
        return op(
            predict_one,
            name=name or f"{self.name}_predict_{target.name}",
            inputs={f.name: Definition(f.name, _primitive(f)) for f in features},
            outputs={target.name: Definition(target.name, _primitive(target))},
        )

    # -- display -------------------------------------------------------------

    def __repr__(self) -> str:
        parts = [f"{key}={value!r}" for key, value in self.config().items() if value is not None]
        return f"{self.name}({', '.join(parts)})"

    def _repr_html_(self) -> str:
        escape = html.escape
        rows = [
            ("model", f"<b>{escape(self.name)}</b> ({escape(self.kind)})"),
            ("features", escape(", ".join(feature_text(f) for f in self.features or []) or "—")),
            ("target", escape(feature_text(self.target)) if self.target is not None else "—"),
            (
                "hyperparameters",
                escape(
                    ", ".join(f"{k}={v!r}" for k, v in self.hyperparameter_values.items())
                    or "defaults"
                ),
            ),
            ("location", escape(str(self.location)) if self.location else "—"),
            ("trained", "yes" if self._trained else ("saved" if self.is_trained else "no")),
        ]
        if self.confidence is not None:
            rows.append(("confidence", f"training R² = {self.confidence:.4g}"))
        if self.last_score is not None:
            rows.append(("last score", f"{escape(self.last_score[0])} = {self.last_score[1]:.4g}"))
        body = "".join(
            f"<tr><th style='text-align:left'>{label}</th><td style='text-align:left'>{value}</td></tr>"
            for label, value in rows
        )
        return f"<table class='dffml-nb-model'>{body}</table>"
