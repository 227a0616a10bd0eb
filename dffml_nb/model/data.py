"""From the data arguments of train / score / predict to numpy arrays.

Every data argument goes through :func:`dffml_nb.source.as_frame` with the
model's features, so columns arrive converted to their dtypes, and a missing
column or a value that does not convert is already an error naming the file,
line, column and value. What is left here is column-wise numpy work: no Python
loop over rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from dffml_nb.feature import Feature


class MissingValueError(ValueError):
    """A record lacks a value the model needs (a feature to predict from, or the
    true value to score against). The message names the record and the feature."""


def to_frame(
    data: Sequence[Any], features: Iterable[Feature], *, allow_empty: bool
) -> pd.DataFrame:
    """One DataFrame of the data arguments, holding the ``features`` converted to their dtypes."""
    from dffml_nb.source import as_frame

    if not data:
        raise ValueError(
            "no data given: pass rows (dicts), Records, a file name, a DataFrame or a source"
        )
    return as_frame(*data, features=list(features), allow_empty=allow_empty)


def describe(data: Sequence[Any]) -> str:
    """A short description of data arguments for error messages (file names as given)."""
    import os

    parts = []
    for item in data:
        if isinstance(item, (str, os.PathLike)):
            parts.append(os.fspath(item))
        elif hasattr(item, "origin"):  # a source
            parts.append(str(item.origin))
        else:
            size = f" of {len(item)}" if hasattr(item, "__len__") else ""
            parts.append(f"a {type(item).__name__}{size}")
    return ", ".join(parts)


def _not_numeric(frame: pd.DataFrame, feature: Feature) -> ValueError:
    """The error for a column a model cannot read as numbers (e.g. a ``str`` feature)."""
    import pandas as pd

    series = frame[feature.name]
    bad = pd.to_numeric(series, errors="coerce").isna() & series.notna()
    position = int(bad.to_numpy().argmax())
    return ValueError(
        f"feature {feature} must be numeric for this model: column {feature.name!r} has "
        f"{series.iloc[position]!r} (record {str(frame.index[position])!r})"
    )


def matrix(frame: pd.DataFrame, features: Iterable[Feature]) -> np.ndarray:
    """A float matrix of the features (missing values become NaN).

    A feature of length > 1 (a list per record) spans ``length`` columns.
    """
    import numpy as np

    features = list(features)
    if all(feature.length == 1 for feature in features):
        try:
            # one conversion for the usual all-numeric frame
            matrix: np.ndarray = frame[[f.name for f in features]].to_numpy(
                dtype=np.float64, na_value=np.nan
            )
            return matrix
        except (TypeError, ValueError):
            for feature in features:
                try:
                    frame[feature.name].to_numpy(dtype=np.float64, na_value=np.nan)
                except (TypeError, ValueError):
                    raise _not_numeric(frame, feature) from None
            raise
    return np.hstack([_block(frame, feature) for feature in features])


def _block(frame: pd.DataFrame, feature: Feature) -> np.ndarray:
    """The ``(rows, length)`` block of one feature."""
    import numpy as np

    if feature.length == 1:
        return matrix(frame, [feature])
    try:
        block = np.asarray(frame[feature.name].tolist(), dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"feature {feature}: expected {feature.length} numbers per record ({error})"
        ) from None
    if block.ndim != 2 or block.shape[1] != feature.length:
        raise ValueError(
            f"feature {feature}: expected {feature.length} numbers per record, "
            f"got shape {block.shape[1:] or 'scalar'}"
        )
    return block


def target(frame: pd.DataFrame, feature: Feature, numeric: bool) -> np.ndarray:
    """The target column: floats for regressors, labels as they are for classifiers."""
    import numpy as np

    if numeric:
        return matrix(frame, [feature]).ravel()
    return np.asarray(frame[feature.name].to_numpy())


def require_values(
    frame: pd.DataFrame, X: np.ndarray, features: Iterable[Feature], what: str = "predict"
) -> None:
    """:class:`MissingValueError` naming the first record and feature without a
    value in ``X`` (NaN), since a model cannot ``what`` from a missing value."""
    import numpy as np

    missing = np.isnan(X)
    if not missing.any():
        return
    row, column = (int(i) for i in np.argwhere(missing)[0])
    owners = [feature for feature in features for _ in range(feature.length)]
    raise MissingValueError(
        f"record {str(frame.index[row])!r} has no value for feature {owners[column].name!r}: "
        f"the model needs every feature to {what}; fill it in or leave the record out"
    )


def require_truth(frame: pd.DataFrame, truth: np.ndarray, feature: Feature) -> None:
    """:class:`MissingValueError` naming the first record whose true value is missing."""
    import pandas as pd

    missing = pd.isna(truth)
    if missing.any():
        row = int(missing.argmax())
        raise MissingValueError(
            f"record {str(frame.index[row])!r} has no true value for {feature.name!r} to "
            "score against: fill it in or leave the record out"
        )


def complete(X: np.ndarray, y: np.ndarray | None) -> np.ndarray | None:
    """Rows with every feature (and target) present, or None when all rows are.

    As DFFML skips records that lack a feature, training leaves such rows out.
    """
    import numpy as np
    import pandas as pd

    missing = np.isnan(X).any(axis=1)
    if y is not None:
        missing |= pd.isna(y)
    return None if not missing.any() else ~missing
