"""DFFML's ``convert_list_to_records``: a matrix of rows back into records by key.

With ``convert_records_to_list`` (which reads a source into a matrix; it takes
its source as the operation's configuration) this lets a flow transform a whole
dataset at once — scale it, reduce it — and give records back, as DFFML's data
cleanup example does; a ``df`` source whose flow gives ``records`` yields them.
"""

from __future__ import annotations

from collections.abc import Sequence
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
