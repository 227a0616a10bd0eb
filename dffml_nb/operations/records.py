"""DFFML's ``convert_list_to_records``: a matrix of rows back into records by key.

With ``convert_records_to_list`` (which reads a source into a matrix; it takes
its source as the operation's configuration) this lets a flow transform a whole
dataset at once — scale it, reduce it — and give records back, as DFFML's data
cleanup example does; a ``df`` source whose flow gives ``records`` yields them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dffml_nb.df import Definition, op

FEATURES = Definition("features", "list")
PREDICT_FEATURES = Definition("predict_features", "list")
MATRIX = Definition("matrix", "list")
KEYS = Definition("keys", "list")
UNPROCESSED_MATRIX = Definition("unprocessed_matrix", "list")
RECORDS = Definition("records", "dict")


@op(
    inputs={
        "matrix": MATRIX,
        "features": FEATURES,
        "keys": KEYS,
        "predict_features": PREDICT_FEATURES,
        "unprocessed_matrix": UNPROCESSED_MATRIX,
    },
    outputs={"records": RECORDS},
)
def convert_list_to_records(
    keys: Sequence[str],
    matrix: Sequence[Sequence[Any]],
    features: Sequence[str],
    unprocessed_matrix: Sequence[Sequence[Any]],
    predict_features: Sequence[str],
) -> dict[str, Any]:
    """``{key: {"features": {feature: value, ...}}}``: row ``i`` of ``matrix`` named by
    ``features`` and row ``i`` of ``unprocessed_matrix`` by ``predict_features``.

    >>> convert_list_to_records(["a"], [[1, 2]], ["x", "y"], [[10]], ["target"])
    {'a': {'features': {'x': 1, 'y': 2, 'target': 10}}}
    """
    if not len(keys) == len(matrix) == len(unprocessed_matrix):
        raise ValueError(
            f"{len(keys)} keys for {len(matrix)} rows of matrix and "
            f"{len(unprocessed_matrix)} of unprocessed_matrix: each key needs one row of each"
        )
    return {
        str(key): {
            "features": {
                **dict(zip(features, row, strict=False)),
                **dict(zip(predict_features, other, strict=False)),
            }
        }
        for key, row, other in zip(keys, matrix, unprocessed_matrix, strict=True)
    }


@dataclass
class SourceOperationConfig:
    """The source ``convert_records_to_list`` reads: a source, anything
    :func:`~dffml_nb.source.open_source` takes (a file name, a DataFrame, ...), or
    DFFML's ``{"plugin": "csv", "config": {"filename": "data.csv"}}``."""

    source: Any

    def opened(self) -> Any:
        from dffml_nb.source import open_source, source_class

        source = self.source
        if isinstance(source, Mapping) and "plugin" in source:
            return source_class(str(source["plugin"]))(**dict(source.get("config") or {}))
        return open_source(source)


@op(
    inputs={"features": FEATURES, "predict_features": PREDICT_FEATURES},
    outputs={"matrix": MATRIX, "keys": KEYS, "unprocessed_matrix": UNPROCESSED_MATRIX},
    config=SourceOperationConfig,
)
def convert_records_to_list(
    features: Sequence[str], predict_features: Sequence[str], *, config: SourceOperationConfig
) -> dict[str, Any]:
    """Every record of the configured source as rows: ``matrix`` (the ``features``),
    ``keys`` and ``unprocessed_matrix`` (the ``predict_features``).

    >>> rows = [{"key": "a", "x": 1, "y": 2, "price": 10}, {"key": "b", "x": 3, "y": 4, "price": 20}]
    >>> convert_records_to_list(["x", "y"], ["price"], config=SourceOperationConfig(rows))
    {'keys': ['a', 'b'], 'matrix': [[1, 2], [3, 4]], 'unprocessed_matrix': [[10], [20]]}
    """
    keys, matrix, unprocessed = [], [], []
    for record in config.opened().records():
        keys.append(record.key)
        matrix.append([record.feature(name) for name in features])
        unprocessed.append([record.feature(name) for name in predict_features])
    return {"keys": keys, "matrix": matrix, "unprocessed_matrix": unprocessed}
