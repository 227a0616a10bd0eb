"""Predictions as the CLI's ``predict all`` JSON: ``[{key, features, prediction}]``.

Two paths give the same answer. The common case — every feature one number, every
record giving it as a JSON number — goes straight from the JSON values to a
matrix and back, without building a DataFrame (10x less work per request: this
is the hot path of every prediction). Anything else (text to convert, missing
features, lists) takes the model's own ``predict``, which converts values and
names whatever does not fit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from dffml_nb.http.encode import jsonable


def predict_records(
    model: Any, records: list[dict[str, Any]], to_records: Callable[[list[dict]], list[Any]]
) -> list[dict[str, Any]]:
    """Predictions for ``records`` (``[{key?, features}]``); ``to_records`` makes Records of
    them for the general path."""
    fast = _predict_plain_numbers(model, records)
    if fast is not None:
        return fast
    return [
        {
            "key": record.key,
            "features": jsonable(record.features()),
            "prediction": {
                target: {"value": jsonable(p.value), "confidence": _confidence(p.confidence)}
                for target, p in record.predictions.items()
            },
        }
        for record in model.predict(to_records(records))
    ]


def _confidence(value: Any) -> float | None:
    value = jsonable(value)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _predict_plain_numbers(model: Any, records: list[dict[str, Any]]) -> list[dict] | None:
    """The fast path, or None when the records do not fit it.

    Column by column: one pass per feature to collect its values and check their
    JSON types (int for an int feature; int or float for a float one), one numpy
    call, one pass to build the answer — reusing each record's own features dict
    when it holds exactly the model's features, in its order, with their types."""
    import numpy as np

    features = model.features
    if not features or model.target is None or not model.is_trained:
        return None
    if any(f.length != 1 or f.dtype not in (int, float) for f in features):
        return None
    names = [feature.name for feature in features]
    given = [record.get("features") or {} for record in records]
    columns = [[values.get(name) for values in given] for name in names]
    reusable = True
    for feature, column in zip(features, columns):
        kinds = set(map(type, column))
        if not kinds <= ({int, float} if feature.dtype is float else {int}):
            return None  # missing, text, bool, or a float for an int feature
        reusable = reusable and (feature.dtype is int or kinds == {float})
    shown = given
    if not (reusable and all(list(values) == names for values in given)):
        casts = [float if feature.dtype is float else int for feature in features]
        shown = [
            {name: cast(value) for name, cast, value in zip(names, casts, row)}
            for row in zip(*columns)
        ]
    matrix = np.asarray(columns, dtype=np.float64).reshape(len(names), len(records)).T
    values, confidences = model.predict_arrays(matrix)
    target = model.target.name
    return [
        {
            "key": str(position) if record.get("key") is None else str(record["key"]),
            "features": features_of,
            "prediction": {target: {"value": value, "confidence": confidence}},
        }
        for position, (record, features_of, value, confidence) in enumerate(
            zip(records, shown, _json_list(values), _confidence_list(confidences, len(records)))
        )
    ]


def _json_list(values: Any) -> list[Any]:
    """A numpy array as a list of JSON values (NaN and infinities as None)."""
    if values.dtype.kind not in "fiub":  # labels: text, objects
        return [jsonable(value) for value in values.tolist()]
    listed = values.tolist()
    # one C-level sum finds any NaN or infinity (a finite overflow only costs the slow path)
    if values.dtype.kind == "f" and not math.isfinite(sum(listed)):
        return [jsonable(value) for value in listed]
    return listed


def _confidence_list(confidences: Any, count: int) -> list[float | None]:
    if confidences is None:
        return [None] * count
    if confidences.dtype.kind == "f":
        return _json_list(confidences)
    return [_confidence(value) for value in confidences.tolist()]
