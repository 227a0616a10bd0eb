"""Models and data made ready to compare: one feature matrix and target for every model.

:func:`prepare` checks that the models can share a leaderboard (one kind, the
same features and target — anything else is refused, naming each model's),
loads the data once as ``train`` does (:mod:`dffml_nb.model.data`: records
missing a value are left out) and makes each model's unfitted scikit-learn
estimator. A model that cannot even be built keeps its row, with the error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from dffml_nb.feature import Feature, Features
    from dffml_nb.model.base import Model


class EvaluationError(ValueError):
    """Models, data, scorers or folds that cannot make a leaderboard; the message says why."""


@dataclass
class Entry:
    """One row of a leaderboard: its label, the model and the estimator cross-validated.

    ``error`` is set (and ``estimator`` None) when the model could not be built.
    """

    label: str
    model: Any  # a dffml_nb Model, or None for a bare scikit-learn estimator
    estimator: Any
    kind: str
    error: str | None = None


@dataclass
class Prepared:
    """Models and data ready to cross-validate: one matrix ``X`` and target ``y`` for all."""

    entries: list[Entry]
    frame: pd.DataFrame  # the records used (complete ones), indexed by key
    X: np.ndarray
    y: np.ndarray
    features: Features
    target: Feature
    kind: str
    data: str  # the data, described for messages

    @property
    def labels(self) -> list[str]:
        return [entry.label for entry in self.entries]

    def entry(self, label: str) -> Entry:
        for entry in self.entries:
            if entry.label == label:
                return entry
        raise KeyError(f"no model {label!r} in this leaderboard; models: {', '.join(self.labels)}")


# -- models ---------------------------------------------------------------------------


def _is_model(obj: Any) -> bool:
    from dffml_nb.model.base import Model

    return isinstance(obj, Model)


def _is_model_class(obj: Any) -> bool:
    from dffml_nb.model.base import Model

    return isinstance(obj, type) and issubclass(obj, Model)


def _labelled(models: Any) -> list[tuple[str | None, Any]]:
    """``[(label or None, model spec)]`` from one model, a list, ``(label, model)`` pairs or a dict."""
    if isinstance(models, Mapping):
        return [(str(label), spec) for label, spec in models.items()]
    if isinstance(models, (str, type)) or _is_model(models) or hasattr(models, "get_params"):
        models = [models]
    out: list[tuple[str | None, Any]] = []
    for item in models:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            out.append((item[0], item[1]))
        else:
            out.append((None, item))
    if not out:
        raise EvaluationError("no models given: pass model instances, names or classes")
    return out


def _described(label: str, spec: Any) -> tuple[str, list[str] | None, str | None]:
    """``(label, feature names or None, target name or None)`` of a model instance."""
    features, target = getattr(spec, "features", None), getattr(spec, "target", None)
    return (
        label,
        None if not features else features.names(),
        None if target is None else target.name,
    )


def _check_same(seen: list[tuple[str, list[str] | None, str | None]]) -> None:
    """Refuse models whose features or targets differ, naming each model's."""
    feature_sets = {tuple(names) for _, names, _ in seen if names is not None}
    targets = {target for _, _, target in seen if target is not None}
    if len(feature_sets) <= 1 and len(targets) <= 1:
        return
    described = "; ".join(
        f"{label}: features {names if names is not None else '(not set)'} → "
        f"{target if target is not None else '(not set)'}"
        for label, names, target in seen
    )
    raise EvaluationError(
        "models in one leaderboard must use the same features and target, but they differ: "
        f"{described}. Evaluate them separately, or give every model the same features and predict"
    )


def _agreed_config(
    specs: list[tuple[str | None, Any]], features: Any, predict: Any
) -> tuple[Any, Any]:
    """The features and target every model shares; refuses models that disagree, naming them."""
    from dffml_nb.feature import Feature, Features

    given_features = None if features is None else Features.parse(features)
    given_target = None if predict is None else Feature.parse(predict)
    seen = [_described(label or spec.name, spec) for label, spec in specs if _is_model(spec)]
    if given_features is not None:
        seen.insert(0, ("features=", given_features.names(), None))
    if given_target is not None:
        seen.insert(0, ("predict=", None, given_target.name))
    _check_same(seen)
    models = [spec for _, spec in specs if _is_model(spec)]
    if given_features is None:
        given_features = next((m.features for m in models if m.features), None)
    if given_target is None:
        given_target = next((m.target for m in models if m.target is not None), None)
    return given_features, given_target


def _kind_of(spec: Any) -> str:
    if _is_model(spec) or _is_model_class(spec):
        return spec.kind
    from sklearn.base import is_classifier, is_regressor

    if is_classifier(spec):
        return "classifier"
    if is_regressor(spec):
        return "regressor"
    return "clusterer"


def _resolve_spec(spec: Any) -> Any:
    """A model name becomes its class; instances, classes and estimators stay."""
    if isinstance(spec, str):
        from dffml_nb.model.base import Model

        return Model.load(spec)
    if _is_model(spec) or _is_model_class(spec) or hasattr(spec, "get_params"):
        return spec
    raise EvaluationError(
        f"cannot evaluate {spec!r}: expected a model instance (Model.load('scikitlr')(...)), "
        "a registered model name ('scikitrfc'), a model class or a scikit-learn estimator"
    )


# -- data ---------------------------------------------------------------------------


def _infer_features(frame: pd.DataFrame, target: str) -> list[Any]:
    """The numeric columns other than the target, as float features (what a model can read)."""
    import pandas as pd

    from dffml_nb.feature import Feature

    found = []
    for column in frame.columns:
        if column == target:
            continue
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            found.append(Feature(str(column), float))
        elif pd.to_numeric(series, errors="coerce").notna().sum() == series.notna().sum() > 0:
            found.append(Feature(str(column), float))  # numbers read as text, e.g. from a file
    if not found:
        raise EvaluationError(
            f"no numeric feature columns besides the target {target!r}: pass features=[...]"
        )
    return found


def _infer_target(frame: pd.DataFrame, name: str, kind: str) -> Feature:
    """A target given by bare name: float for regressors, the labels' own type for classifiers."""
    import pandas as pd

    from dffml_nb.feature import Feature

    if name not in frame.columns:
        raise EvaluationError(
            f"predict={name!r}: the data has no such column; columns: {', '.join(map(str, frame.columns))}"
        )
    series = frame[name].dropna()
    if kind == "regressor":
        return Feature(name, float)
    if pd.api.types.is_bool_dtype(series):
        return Feature(name, bool)
    numbers = pd.to_numeric(series, errors="coerce")
    if numbers.notna().all() and len(series):
        return Feature(name, int if bool((numbers == numbers.round()).all()) else float)
    return Feature(name, str)


def _load(
    data: tuple[Any, ...], features: Any, target: Any, bare_target: str | None, kind: str
) -> tuple[pd.DataFrame, Any, Any]:
    """The data as one DataFrame of the features and target, converted to their dtypes."""
    from dffml_nb.model import data as arrays

    if features is not None and target is not None and bare_target is None:
        return arrays.to_frame(data, [*features, target], allow_empty=False), features, target
    raw = arrays.to_frame(data, [], allow_empty=False)
    name = bare_target or (target.name if target is not None else None)
    if name is None:
        raise EvaluationError("no target: pass predict='column' (or give the models predict=...)")
    if bare_target is not None:
        target = _infer_target(raw, bare_target, kind)
    if features is None:
        features = _infer_features(raw, name)
    from dffml_nb.feature import Features
    from dffml_nb.source import as_frame

    features = Features.parse(features)
    return as_frame(raw, features=[*features, target]), features, target


def prepare(
    models: Any, data: tuple[Any, ...], *, features: Any = None, predict: Any = None
) -> Prepared:
    """Check the models against each other and load the data once for all of them."""
    import numpy as np

    from dffml_nb.feature import Feature
    from dffml_nb.model import data as arrays

    specs = [(label, _resolve_spec(spec)) for label, spec in _labelled(models)]
    kinds = {_kind_of(spec) for _, spec in specs}
    if len(kinds) > 1:
        described = ", ".join(f"{label or _name(spec)} ({_kind_of(spec)})" for label, spec in specs)
        raise EvaluationError(
            f"models of different kinds cannot share a leaderboard (their scorers differ): "
            f"{described}. Compare classifiers and regressors separately"
        )
    kind = kinds.pop()
    bare = predict if isinstance(predict, str) and ":" not in predict else None
    shared_features, shared_target = _agreed_config(
        specs, features, None if bare is not None else predict
    )
    if not data:
        raise EvaluationError(
            "no data given: pass rows (dicts), Records, a file name, a DataFrame or a source"
        )
    frame, shared_features, shared_target = _load(data, shared_features, shared_target, bare, kind)
    X = arrays.matrix(frame, shared_features)
    y = arrays.target(frame, shared_target, numeric=kind == "regressor")
    keep = arrays.complete(X, y)
    if keep is not None:  # as training does: records missing a feature or the target are left out
        frame, X, y = frame[keep], X[keep], y[keep]
    described = arrays.describe(data)
    if len(X) == 0:
        raise EvaluationError(f"no complete records to evaluate on in {described}")
    entries = [
        _entry(label, spec, shared_features, shared_target, y, kind) for label, spec in specs
    ]
    _suffix_repeats(entries)
    target = shared_target if isinstance(shared_target, Feature) else Feature.parse(shared_target)
    return Prepared(entries, frame, X, np.asarray(y), shared_features, target, kind, described)


def _entry(label: str | None, spec: Any, features: Any, target: Any, y: Any, kind: str) -> Entry:
    """The row of one model; a model that cannot be built is a row with its error."""
    from dffml_nb.evaluation.estimator import as_estimator

    try:
        model = _configured(spec, features, target)
        estimator = as_estimator(model, y) if model is not None else _clone(spec)
    except (ValueError, TypeError, LookupError) as error:
        return Entry(label or _name(spec), None, None, kind, f"{type(error).__name__}: {error}")
    return Entry(label or _name(spec), model, estimator, kind)


def _configured(spec: Any, features: Any, target: Any) -> Model | None:
    """The model for a spec, with the shared features and target (None for an estimator)."""
    if _is_model_class(spec):
        return spec(features=features, predict=target)
    if _is_model(spec):
        if spec.features and spec.target is not None:
            return spec
        return type(spec)(**{**spec.config(), "features": features, "predict": target})
    return None


def _clone(estimator: Any) -> Any:
    from sklearn.base import clone

    return clone(estimator)


def _name(spec: Any) -> str:
    if _is_model(spec) or _is_model_class(spec):
        return spec.name
    return type(spec).__name__


def _suffix_repeats(entries: list[Entry]) -> None:
    """``scikitlor``, ``scikitlor-2``, ``scikitlor-3``: each row's label is unique."""
    seen: dict[str, int] = {}
    taken = {entry.label for entry in entries}
    for entry in entries:
        count = seen.get(entry.label, 0) + 1
        seen[entry.label] = count
        if count > 1:
            label = f"{entry.label}-{count}"
            while label in taken:
                count += 1
                label = f"{entry.label}-{count}"
            taken.add(label)
            entry.label = label


def add_entry(prepared: Prepared, spec: Any, label: str | None = None) -> Entry:
    """Add a model (name, class, instance or estimator) to a prepared leaderboard; returns its row."""

    spec = _resolve_spec(spec)
    if _kind_of(spec) != prepared.kind:
        raise EvaluationError(
            f"{label or _name(spec)} is a {_kind_of(spec)}; this leaderboard compares "
            f"{prepared.kind}s"
        )
    if _is_model(spec):
        _check_same(
            [
                ("the leaderboard", prepared.features.names(), prepared.target.name),
                _described(label or spec.name, spec),
            ]
        )
    entry = _entry(label, spec, prepared.features, prepared.target, prepared.y, prepared.kind)
    prepared.entries.append(entry)
    _suffix_repeats(prepared.entries)
    return entry
