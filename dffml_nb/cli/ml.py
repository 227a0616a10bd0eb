"""``dffml-nb train | accuracy | predict all`` with DFFML's flags.

    -model NAME -model-features F:int:1 ... -model-predict T:float:1 -model-location DIR
    -model-<hyperparameter> VALUE      (e.g. -model-n_estimators 50)
    -sources LABEL=KIND ... -source-filename FILE   (or -source-LABEL-filename FILE)
    -features T:float:1 -scorer mse     (accuracy)

Shared with the ``%dffml`` magics, which also accept a Python variable (a
DataFrame, a list of dicts) as a source: ``-sources df`` or ``-sources f=df``
with ``-source-frame df``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from dffml_nb.cli.args import UsageError, one, parse, prefixed

USAGE = """\
usage: dffml-nb train    -model NAME -model-features F:int:1 ... -model-predict T:float:1
                         -model-location DIR -sources f=csv -source-filename FILE
       dffml-nb accuracy -model NAME ... -model-location DIR -features T:float:1 -scorer mse
                         -sources f=csv -source-filename FILE
       dffml-nb predict all -model NAME ... -model-location DIR -sources f=csv -source-filename FILE
"""

_MODEL_LISTS = ("features",)


def build_model(options: dict[str, list[str]]) -> Any:
    """A model from ``-model`` and its ``-model-*`` keywords."""
    from dffml_nb.model import Model

    name = one(options, "model")
    if not name:
        raise UsageError(f"missing -model NAME\n{USAGE}")
    cls = Model.load(name)
    kwargs: dict[str, Any] = {}
    for key, values in prefixed(options, "model").items():
        if key in _MODEL_LISTS:
            kwargs[key] = values
        elif len(values) == 1:
            kwargs[key] = values[0]
        elif not values:
            raise UsageError(f"-model-{key.replace('_', '-')} needs a value")
        else:
            kwargs[key] = ",".join(values)  # tuples such as hidden_layer_sizes
    return cls(**kwargs)


def build_sources(
    options: dict[str, list[str]], namespace: dict[str, Any] | None = None
) -> list[Any]:
    """Sources from ``-sources LABEL=KIND`` and ``-source[-LABEL]-KEYWORD VALUE``."""
    from dffml_nb.source import open_source

    specs = options.get("sources")
    if not specs:
        raise UsageError(
            f"missing -sources (e.g. -sources f=csv -source-filename data.csv)\n{USAGE}"
        )
    shared = {k: v for k, v in prefixed(options, "source").items()}
    sources = []
    for spec in specs:
        label, sep, kind = spec.partition("=")
        if not sep:
            if namespace is not None and label in namespace:
                sources.append(open_source(namespace[label]))
                continue
            if namespace is not None:
                raise UsageError(
                    f"-sources {spec}: no variable {spec!r} in the notebook; give a DataFrame "
                    "(or list of dicts) variable, or LABEL=KIND with -source-filename FILE"
                )
            raise UsageError(f"-sources takes LABEL=KIND (e.g. f=csv), got {spec!r}")
        own = {k[len(label) + 1 :]: v for k, v in shared.items() if k.startswith(label + "_")}
        general = {
            k: v
            for k, v in shared.items()
            if not any(k.startswith(s.partition("=")[0] + "_") for s in specs)
        }
        config = {**general, **own}
        kwargs = {}
        for key, values in config.items():
            if len(values) != 1:
                raise UsageError(f"-source-{key} takes one value, got {len(values)}")
            value: Any = values[0]
            if namespace is not None and key in ("frame", "records") and value in namespace:
                value = namespace[value]
            kwargs[key] = value
        target = kwargs.pop("filename", None)
        if target is None:
            target = kwargs.pop("frame", None)
        if target is None:
            target = kwargs.pop("records", None)
        if target is None:
            raise UsageError(f"source {label!r} ({kind}) needs -source-filename FILE")
        sources.append(open_source(target, name=kind, **kwargs))
    return sources


def _records_json(records: Any) -> list[dict[str, Any]]:
    out = []
    for record in records:
        out.append(
            {
                "key": record.key,
                "features": record.features(),
                "prediction": {name: p.export() for name, p in record.predictions.items()},
                "extra": dict(getattr(record, "extra", {}) or {}),
            }
        )
    return out


def _dump(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, default=_default)
    sys.stdout.write("\n")


def _default(value: Any) -> Any:
    try:
        return value.item()  # numpy scalars
    except AttributeError:
        return repr(value)


def run_train(options: dict[str, list[str]], namespace: dict[str, Any] | None = None) -> Any:
    from dffml_nb.high_level import train

    model = build_model(options)
    if model.location is None and namespace is None:
        raise UsageError("train needs -model-location DIR to save the trained model to")
    return train(model, *build_sources(options, namespace))


def run_accuracy(options: dict[str, list[str]], namespace: dict[str, Any] | None = None) -> float:
    from dffml_nb.high_level import score

    model = _trained(options, namespace)
    feature = one(options, "features") or (str(model.target) if model.target is not None else None)
    if feature is None:
        raise UsageError("accuracy needs -features TARGET:type:1 (the feature to score against)")
    return score(model, one(options, "scorer", "mse"), feature, *build_sources(options, namespace))


def run_predict(
    options: dict[str, list[str]], namespace: dict[str, Any] | None = None
) -> list[Any]:
    from dffml_nb.high_level import predict

    model = _trained(options, namespace)
    return list(predict(model, *build_sources(options, namespace)))


def _trained(options: dict[str, list[str]], namespace: dict[str, Any] | None) -> Any:
    if namespace is not None and one(options, "model") in namespace:
        return namespace[one(options, "model")]  # a trained model object from the notebook
    model = build_model(options)
    if model.location is None:
        raise UsageError("name the trained model with -model-location DIR (where train saved it)")
    return model


def train(tokens: list[str]) -> int:
    _, options = parse(tokens)
    model = run_train(options)
    _dump({"model": model.name, "location": str(model.location), "trained": True})
    return 0


def accuracy(tokens: list[str]) -> int:
    _, options = parse(tokens)
    _dump(run_accuracy(options))
    return 0


def predict(tokens: list[str]) -> int:
    positional, options = parse(tokens)
    if positional[:1] != ["all"]:
        raise UsageError(f"usage: dffml-nb predict all ...\n{USAGE}")
    _dump(_records_json(run_predict(options)))
    return 0
