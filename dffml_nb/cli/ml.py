"""``dffml-nb train | accuracy | predict all|record`` with DFFML's flags.

    -model NAME -model-features F:int:1 ... -model-predict T:float:1 -model-location DIR
    -model-<hyperparameter> VALUE      (e.g. -model-n_estimators 50)
    -sources LABEL=KIND ... -source-filename FILE   (or -source-LABEL-filename FILE)
    -features T:float:1 -scorer mse     (accuracy)
    -keys K ... -update -pretty         (predict)

Shared with the ``%dffml`` magics, which also accept a Python variable (a
DataFrame, a list of dicts) as a source: ``-sources frame`` or ``-sources f=dataframe``
with ``-source-frame frame``. Every flag is checked: a command's own flags by its
:class:`~dffml_nb.cli.args.Flags`, ``-model-<keyword>`` against the chosen
model's constructor and hyperparameters, ``-source-<keyword>`` against the
chosen source's constructor.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from dffml_nb.cli.args import (
    Flag,
    Flags,
    UsageError,
    check_keywords,
    flag,
    keywords,
    one,
    prefixed,
    unknown_flag,
)

_MODEL_FLAGS = (
    "-model NAME -model-features F:int:1 ... -model-predict T:float:1 -model-location DIR"
)
_SOURCE_FLAGS = "-sources f=csv -source-filename FILE"
USAGE = f"""\
usage: dffml-nb train    {_MODEL_FLAGS}
                         {_SOURCE_FLAGS}
       dffml-nb accuracy {_MODEL_FLAGS}
                         -features T:float:1 -scorer mse {_SOURCE_FLAGS}
       dffml-nb predict all|record {_MODEL_FLAGS}
                         {_SOURCE_FLAGS} [-keys KEY ...] [-update] [-pretty]

  -model-<keyword> VALUE      any keyword of the model: features, predict, location and its
                              hyperparameters (-model-n_estimators 50)
  -source-<keyword> VALUE     any keyword of the source (-source-table records); with several
                              sources, -source-<label>-<keyword> (-sources a=csv b=json
                              -source-a-filename a.csv -source-b-filename b.json)
  -keys KEY ...               predict record: only the records with these keys
  -update                     predict: write the predictions back to the sources
  -pretty                     predict: a table instead of JSON
"""

_FAMILIES = ("model", "source")
_MODEL_AND_SOURCES = (Flag("model"), Flag("sources", "+"))
TRAIN = Flags(USAGE, _MODEL_AND_SOURCES, _FAMILIES)
ACCURACY = Flags(USAGE, (*_MODEL_AND_SOURCES, Flag("features"), Flag("scorer")), _FAMILIES)
PREDICT = Flags(
    USAGE,
    (*_MODEL_AND_SOURCES, Flag("keys", "+"), Flag("update", 0), Flag("pretty", 0)),
    _FAMILIES,
)
# What `_trained` checks when it is called on its own (the `%dffml predict` magic
# builds its DataFrame from `_trained` + `build_sources`): -keys / -update /
# -pretty are refused there rather than silently ignored — only run_predict applies them.
_PREDICT_MODEL = Flags(USAGE, _MODEL_AND_SOURCES, _FAMILIES)

_MODEL_LISTS = ("features",)
#: DFFML's former names of model keywords (``-model-directory`` before 0.4)
_MODEL_ALIASES = {"directory": "location"}
#: DFFML's source switches, accepted for its documented commands: dffml_nb's
#: file sources always write back, and saving creates a file that is missing
_SOURCE_SWITCHES = ("readwrite", "allowempty")


def model_keywords(cls: type) -> list[str]:
    """What ``-model-<keyword>`` may name: the constructor's keywords and the hyperparameters."""
    names = keywords(cls)
    hyperparameters = getattr(cls, "hyperparameters", None)
    if callable(hyperparameters):
        names += [name for name in hyperparameters() if name not in names]
    return names


def _model_options(options: dict[str, list[str]]) -> dict[str, list[str]]:
    given = prefixed(options, "model")
    for old, new in _MODEL_ALIASES.items():
        if old in given:
            if new in given:
                raise UsageError(f"give -model-{new} or -model-{old} (its former name), not both")
            given[new] = given.pop(old)
    return given


def build_model(options: dict[str, list[str]]) -> Any:
    """A model from ``-model`` and its ``-model-*`` keywords (each checked against the model)."""
    from dffml_nb.model import Model

    name = one(options, "model")
    if not name:
        raise UsageError("missing -model NAME (dffml-nb list models shows the names)")
    cls = Model.load(name)
    given = _model_options(options)
    check_keywords("model", given, model_keywords(cls), f" for model {name}")
    hyperparameters = cls.hyperparameters() if hasattr(cls, "hyperparameters") else {}
    kwargs: dict[str, Any] = {}
    for key, values in given.items():
        if key in _MODEL_LISTS:
            kwargs[key] = values
        elif len(values) == 1:
            kwargs[key] = values[0]
        elif not values:  # a bare switch, as in DFFML: True for a boolean hyperparameter
            known = hyperparameters.get(key)
            if known is None or bool not in (known.types or (known.type,)):
                raise UsageError(f"-model-{key} needs a value")
            kwargs[key] = True
        elif key in hyperparameters:
            kwargs[key] = ",".join(values)  # tuples such as hidden_layer_sizes
        else:
            raise UsageError(f"-model-{key} takes one value, got {len(values)}: {' '.join(values)}")
    return cls(**kwargs)


def _source_options(
    options: dict[str, list[str]], labels: list[str]
) -> tuple[dict[str, list[str]], dict[str, dict[str, list[str]]]]:
    """``-source-<kw>`` (for every source) and ``-source-<label>-<kw>`` (for one)."""
    shared: dict[str, list[str]] = {}
    own: dict[str, dict[str, list[str]]] = {label: {} for label in labels}
    for name, values in options.items():
        if not name.startswith("source-"):
            continue
        rest = name[len("source-") :]
        label = next(
            (lb for lb in sorted(labels, key=len, reverse=True) if rest.startswith(lb + "-")), None
        )
        # keywords keep their spelling: in DFFML a further dash nests (-source-LABEL-source-filename)
        if label is None:
            shared[rest] = values
        else:
            own[label][rest[len(label) + 1 :]] = values
    return shared, own


def build_sources(
    options: dict[str, list[str]], namespace: dict[str, Any] | None = None
) -> list[Any]:
    """Sources from ``-sources LABEL=KIND`` and ``-source[-LABEL]-KEYWORD VALUE``."""
    specs = options.get("sources")
    if not specs:
        raise UsageError("missing -sources (e.g. -sources f=csv -source-filename data.csv)")
    labels = [spec.partition("=")[0] for spec in specs if "=" in spec]
    shared, own = _source_options(options, labels)
    if shared and not labels:
        raise UsageError(
            f"-source-{next(iter(shared))} applies to no source: -sources {' '.join(specs)} "
            "names notebook variables, which take no source keywords"
        )
    sources = []
    for spec in specs:
        label, sep, kind = spec.partition("=")
        if sep:
            sources.append(_labelled_source(label, kind, shared, own[label], labels, namespace))
        elif namespace is not None and label in namespace:
            from dffml_nb.source import open_source

            sources.append(open_source(namespace[label]))
        elif namespace is not None:
            raise UsageError(
                f"-sources {spec}: no variable {spec!r} in the notebook; give a DataFrame "
                "(or list of dicts) variable, or LABEL=KIND with -source-filename FILE"
            )
        else:
            raise UsageError(f"-sources takes LABEL=KIND (e.g. f=csv), got {spec!r}")
    return sources


def _labelled_source(
    label: str,
    kind: str,
    shared: dict[str, list[str]],
    own: dict[str, list[str]],
    labels: list[str],
    namespace: dict[str, Any] | None,
) -> Any:
    """The source ``label=kind`` configured by its flags, each checked against its constructor."""
    import inspect

    from dffml_nb.source import source_class

    cls = source_class(kind)
    if getattr(cls, "kind", None) == "df":  # a flow over another source: nested flags
        from dffml_nb.cli.records import dataflow_source

        return dataflow_source(label, {**shared, **own}, labels, namespace)
    parameters = inspect.signature(cls).parameters
    valid = [*keywords(cls), *_SOURCE_SWITCHES]
    config = {**shared, **own}
    for key in config:
        if key not in valid:
            written = f"source-{label}-{key}" if key in own else f"source-{key}"
            candidates = [f"source-{v}" for v in valid]
            candidates += [f"source-{lb}-{v}" for lb in labels for v in valid]
            raise unknown_flag(written, candidates, f" for source {label}={kind}")
    kwargs: dict[str, Any] = {}
    for key, values in config.items():
        if key in _SOURCE_SWITCHES:
            if values:
                raise UsageError(f"-source-{key} takes no value, got: {' '.join(values)}")
            continue
        if key in ("frame", "records") and namespace is not None and len(values) == 1:
            if values[0] in namespace:  # a notebook variable
                kwargs[key] = namespace[values[0]]
                continue
        if key == "records":  # DFFML: -source-records K1 K2 makes records with those keys
            kwargs[key] = [{"key": value} for value in values]
        elif len(values) == 1:
            kwargs[key] = values[0]
        else:
            got = f"{len(values)}: {' '.join(values)}" if values else "none"
            raise UsageError(f"-source-{key} takes one value, got {got}")
    if "filename" in kwargs:
        kwargs["filename"] = _seekable(kwargs["filename"])
    for name, parameter in parameters.items():
        if parameter.default is inspect.Parameter.empty and name not in kwargs:
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            raise UsageError(
                f"source {label}={kind} needs -source-{name} (or -source-{label}-{name})"
            )
    return cls(**kwargs)


def _seekable(filename: str) -> str:
    """``filename``, or for a pipe or device (``/dev/stdin``, as in DFFML's docs) a
    temporary copy of what it holds: sources may read a file more than once."""
    import atexit
    import shutil
    import stat

    try:
        mode = os.stat(filename).st_mode
    except OSError:
        return filename  # missing: the source says so, naming it
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return filename
    suffix = os.path.splitext(filename)[1]
    with (
        open(filename, "rb") as stream,
        tempfile.NamedTemporaryFile(
            "wb", prefix="dffml_nb-stream-", suffix=suffix, delete=False
        ) as copy,
    ):
        shutil.copyfileobj(stream, copy)
    atexit.register(_remove, copy.name)
    return copy.name


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def records_json(records: Any) -> list[dict[str, Any]]:
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


def records_table(records: Any) -> str:
    """DFFML's ``-pretty``: one row per record, features then predictions and confidences."""
    import pandas as pd

    rows = []
    for record in records:
        row = {"key": record.key, **record.features()}
        for name, prediction in record.predictions.items():
            row[f"prediction {name}"] = prediction.value
            row[f"confidence {name}"] = prediction.confidence
        rows.append(row)
    return pd.DataFrame(rows).to_string(index=False) + "\n"


def dump_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, default=_default)
    sys.stdout.write("\n")


def _default(value: Any) -> Any:
    try:
        return value.item()  # numpy scalars
    except AttributeError:
        return repr(value)


def _check_writable(location: Path) -> None:
    """Fail before training, not after it, when the model cannot be saved to ``location``.

    Folders made for the probe are removed again: saving makes them for real.
    """
    if location.exists() and not location.is_dir():
        raise UsageError(f"-model-location {location} is a file; give a directory to save to")
    missing = [p for p in (location, *location.parents) if not p.exists()]  # deepest first
    try:
        location.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=location):
            pass
    except OSError as error:
        reason = error.strerror or str(error)
        raise UsageError(
            f"-model-location {location}: cannot save a model there ({reason})"
        ) from None
    finally:
        for path in missing:
            with contextlib.suppress(OSError):
                path.rmdir()


def run_train(options: dict[str, list[str]], namespace: dict[str, Any] | None = None) -> Any:
    from dffml_nb.high_level import train

    TRAIN.check(options)
    model = build_model(options)
    if model.location is None and namespace is None:
        raise UsageError("train needs -model-location DIR to save the trained model to")
    sources = build_sources(options, namespace)
    if model.location is not None:
        _check_writable(model.location)
    return train(model, *sources)


def run_accuracy(options: dict[str, list[str]], namespace: dict[str, Any] | None = None) -> float:
    from dffml_nb.high_level import score

    ACCURACY.check(options)
    model = _trained(options, namespace, flags=None)
    feature = one(options, "features") or (str(model.target) if model.target is not None else None)
    if feature is None:
        raise UsageError("accuracy needs -features TARGET:type:1 (the feature to score against)")
    return score(model, one(options, "scorer", "mse"), feature, *build_sources(options, namespace))


def run_predict(
    options: dict[str, list[str]], namespace: dict[str, Any] | None = None, as_frame: bool = False
) -> Any:
    """Predictions for the sources' records (only ``-keys`` ones, if given): a list of
    Records, or a DataFrame with ``as_frame``; ``-update`` writes them back."""
    from dffml_nb.high_level import predict

    PREDICT.check(options)
    model = _trained(options, namespace, flags=None)
    sources = build_sources(options, namespace)
    data = [_with_keys(sources, options["keys"])] if "keys" in options else sources
    if not flag(options, "update"):
        return predict(model, *data, as_frame=as_frame)
    records = list(predict(model, *data))
    _write_back(sources, records)
    return predict(model, *data, as_frame=True) if as_frame else records


def _with_keys(sources: list[Any], keys: list[str]) -> list[Any]:
    """The records with ``keys`` (DFFML's ``predict record -keys``), from the first source holding each."""
    found = {}
    for key in keys:
        holder = next((source for source in sources if key in source), None)
        if holder is None:
            raise UsageError(f"-keys {key}: no record with key {key!r} in the sources")
        found[key] = holder.record(key)
    return list(found.values())


def _write_back(sources: list[Any], records: list[Any]) -> None:
    """``-update``: each prediction goes to the source holding its record, saved atomically."""
    from dffml_nb.record import Record

    for source in sources:
        mine = [record for record in records if record.key in source]
        for record in mine:
            source.update(Record(record.key, predictions=record.predictions))
        if mine:
            source.save()


def _trained(
    options: dict[str, list[str]],
    namespace: dict[str, Any] | None,
    flags: Flags | None = _PREDICT_MODEL,
) -> Any:
    """The trained model ``-model`` names: a notebook variable, or ``-model-location``'s."""
    if flags is not None:
        flags.check(options)
    name = one(options, "model")
    if namespace is not None and name in namespace:
        stray = prefixed(options, "model")
        if stray:
            raise UsageError(
                f"-model-{next(iter(stray))} does not apply: -model {name} is a trained model "
                "of the notebook, configured already"
            )
        return namespace[name]  # a trained model object from the notebook
    model = build_model(options)
    if model.location is None:
        raise UsageError("name the trained model with -model-location DIR (where train saved it)")
    return model


def train(tokens: list[str]) -> int:
    positional, options = TRAIN.parse(tokens)
    _no_positional("train", positional)
    model = run_train(options)
    dump_json({"model": model.name, "location": str(model.location), "trained": True})
    return 0


def accuracy(tokens: list[str]) -> int:
    positional, options = ACCURACY.parse(tokens)
    _no_positional("accuracy", positional)
    dump_json(run_accuracy(options))
    return 0


def predict(tokens: list[str]) -> int:
    positional, options = PREDICT.parse(tokens)
    if positional == ["all"] and "keys" in options:
        raise UsageError("-keys selects records for predict record, not predict all")
    if positional == ["record"] and "keys" not in options:
        raise UsageError("predict record needs -keys KEY ... (the records to predict)")
    if positional not in (["all"], ["record"]):
        raise UsageError("usage: dffml-nb predict all|record ... (dffml-nb predict -h for more)")
    records = run_predict(options)
    if flag(options, "pretty"):
        sys.stdout.write(records_table(records))
    else:
        dump_json(records_json(records))
    return 0


def _no_positional(command: str, positional: list[str]) -> None:
    if positional:
        raise UsageError(
            f"{command} takes only flags, got {' '.join(positional)!r} (dffml-nb {command} -h)"
        )
