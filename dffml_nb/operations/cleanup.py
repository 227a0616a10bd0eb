"""DFFML's data cleanup operations, on columns: impute missing values, scale, one-hot encode.

DFFML (``dffml-operations-data``) names them ``simple_imputer``,
``standard_scaler`` and ``one_hot_encoder``; they take ``data`` (definition
``input_data``) and give ``result`` (``output_data``). Here ``data`` is what a
columnar run seeds — a pandas Series (one column) or DataFrame — or, as in
DFFML, a matrix (a list of rows); the result has the same shape and index. The
statistics are scikit-learn's (``SimpleImputer``, ``StandardScaler``,
``OneHotEncoder``), computed with pandas. To apply one to a column, give the
operation that column's name as its input definition::

    impute_age = simple_imputer.replace(
        name="impute_age", inputs={"data": "Age"}, outputs={"result": "Age_filled"}
    )
    run_records(DataFlow(impute_age), frame, columnar=True)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from dffml_nb.df import Definition, op

if TYPE_CHECKING:
    import pandas as pd

INPUT_DATA = Definition("input_data", "generic")
OUTPUT_DATA = Definition("output_data", "generic")
MISSING_VALUES = Definition("missing_values", "generic")
STRATEGY = Definition("strategy", "str")
CATEGORIES = Definition("categories", "list")

STRATEGIES = ("mean", "median", "most_frequent", "constant")


def _frame(data: Any) -> tuple[pd.DataFrame, str]:
    """``data`` as a DataFrame, and what it was ("series", "frame", "matrix")."""
    import pandas as pd

    if isinstance(data, pd.Series):
        return data.to_frame(), "series"
    if isinstance(data, pd.DataFrame):
        return data, "frame"
    rows = data.tolist() if hasattr(data, "tolist") else list(data)
    if rows and not isinstance(rows[0], (list, tuple)):
        return pd.DataFrame({0: rows}), "column"
    return pd.DataFrame(rows), "matrix"


def _back(frame: pd.DataFrame, kind: str) -> Any:
    if kind == "series":
        return frame.iloc[:, 0]
    if kind == "frame":
        return frame
    if kind == "column":
        return frame.iloc[:, 0].tolist()
    return frame.values.tolist()


@op(
    inputs={"data": INPUT_DATA, "missing_values": MISSING_VALUES, "strategy": STRATEGY},
    outputs={"result": OUTPUT_DATA},
)
def simple_imputer(data: Any, missing_values: Any = math.nan, strategy: str = "mean") -> Any:
    """``data`` with missing values replaced, column by column (scikit-learn's SimpleImputer).

    ``strategy``: ``"mean"``, ``"median"``, ``"most_frequent"`` (the smallest of
    equally frequent values) or ``"constant"`` (0 for numbers, ``"missing_value"``
    for text). ``missing_values``: what counts as missing (NaN/None by default,
    or a value such as ``-1`` or ``"?"``).

    >>> import pandas as pd
    >>> from dffml_nb import DataFlow, run_records
    >>> impute = simple_imputer.replace(inputs={"data": "Age"}, outputs={"result": "Age_filled"})
    >>> run_records(DataFlow(impute), pd.DataFrame({"Age": [20.0, None, 40.0]}), columnar=True)
        Age  Age_filled
    0  20.0        20.0
    1   NaN        30.0
    2  40.0        40.0
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    frame, kind = _frame(data)
    if not _is_nan(missing_values):
        frame = frame.mask(frame == missing_values)
    filled = {}
    for column in frame.columns:
        values = frame[column]
        present = values.dropna()
        if present.empty and strategy != "constant":
            raise ValueError(
                f"column {column!r} has no values to compute the {strategy} of "
                "(every one is missing): use strategy='constant'"
            )
        fill: Any
        if strategy == "mean":
            fill = present.mean()
        elif strategy == "median":
            fill = present.median()
        elif strategy == "most_frequent":
            fill = present.mode().iloc[0]
        else:
            numeric = present.empty or values.dtype.kind in "biuf"
            fill = 0 if numeric else "missing_value"
        filled[column] = values.fillna(fill)
    import pandas as pd

    return _back(pd.DataFrame(filled, index=frame.index), kind)


def _is_nan(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@op(inputs={"data": INPUT_DATA}, outputs={"result": OUTPUT_DATA})
def standard_scaler(data: Any) -> Any:
    """Each column minus its mean, divided by its standard deviation (scikit-learn's
    StandardScaler: population deviation; a constant column becomes 0).

    >>> standard_scaler([[1.0, 10.0], [3.0, 10.0]])
    [[-1.0, 0.0], [1.0, 0.0]]
    """
    frame, kind = _frame(data)
    numeric = frame.apply(_numeric)
    scale = numeric.std(ddof=0).replace(0.0, 1.0)
    return _back((numeric - numeric.mean()) / scale, kind)


def _numeric(column: pd.Series) -> pd.Series:
    import pandas as pd

    try:
        return pd.to_numeric(column).astype(float)
    except (TypeError, ValueError):
        raise ValueError(
            f"column {column.name!r} is not numeric (e.g. {column.iloc[0]!r}): scale numbers only"
        ) from None


@op(inputs={"data": INPUT_DATA, "categories": CATEGORIES}, outputs={"result": OUTPUT_DATA})
def one_hot_encoder(data: Any, categories: list[list[Any]] | None = None) -> Any:
    """One 0/1 column per category of each column (scikit-learn's OneHotEncoder).

    ``categories``: per column, the list of its categories (DFFML's input); by
    default each column's distinct values, sorted. A value outside them is an
    error naming it. A Series or DataFrame gives a DataFrame with columns named
    ``<column>_<category>``; a matrix gives rows of 0.0 / 1.0.

    >>> one_hot_encoder([["red"], ["blue"], ["red"]])
    [[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]
    """
    import pandas as pd

    frame, kind = _frame(data)
    if categories is not None and len(categories) != len(frame.columns):
        raise ValueError(
            f"categories lists {len(categories)} columns' categories, the data has "
            f"{len(frame.columns)} columns"
        )
    parts = []
    for position, column in enumerate(frame.columns):
        values = frame[column]
        known = (
            sorted(values.dropna().unique()) if categories is None else list(categories[position])
        )
        unknown = sorted(set(values.dropna()) - set(known), key=str)
        if unknown:
            raise ValueError(
                f"column {column!r} holds {unknown[0]!r}, which is not one of its categories "
                f"{known}"
            )
        prefix = "" if kind in ("matrix", "column") else f"{column}_"
        parts.append(
            pd.DataFrame(
                {f"{prefix}{category}": (values == category).astype(float) for category in known},
                index=frame.index,
            )
        )
    encoded = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=frame.index)
    return encoded if kind in ("series", "frame") else encoded.values.tolist()


N_COMPONENTS = Definition("n_components", "int")


@op(
    inputs={"data": INPUT_DATA, "n_components": N_COMPONENTS},
    outputs={"result": OUTPUT_DATA},
)
def principal_component_analysis(data: Any, n_components: int | None = None) -> Any:
    """``data`` projected on its ``n_components`` principal components (scikit-learn's PCA;
    all of them when None): ``(rows, n_components)``, as a matrix (a list of rows) or,
    for a DataFrame, a DataFrame with columns ``pc1``, ``pc2``, ... and the same index.

    >>> rows = principal_component_analysis([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]], 1)
    >>> first = [round(abs(row[0]), 6) for row in rows]
    >>> first == [2.236068, 0.0, 2.236068]
    True
    """
    import pandas as pd
    from sklearn.decomposition import PCA

    frame, kind = _frame(data)
    projected = PCA(n_components=n_components).fit_transform(frame.apply(_numeric).to_numpy())
    if kind in ("series", "frame"):
        columns = [f"pc{i + 1}" for i in range(projected.shape[1])]
        return pd.DataFrame(projected, index=frame.index, columns=columns)
    return projected.tolist()
