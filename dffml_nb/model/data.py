"""From the data arguments of train / score / predict to numpy arrays.

Every data argument goes through :func:`dffml_nb.source.as_frame`; a single
DataFrame is used as is (no copy), which keeps the common notebook case and the
file case free of per-row Python work. Conversion errors name the column, the
record, and — when the frame came from a file — the file and line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


def to_frame(data: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    """One DataFrame holding at least ``columns`` from the data arguments."""
    import pandas as pd

    if not data:
        raise ValueError(
            "no data given: pass rows (dicts), Records, a file name, a DataFrame or a source"
        )
    if len(data) == 1 and isinstance(data[0], pd.DataFrame):
        frame = data[0]
        require_columns(frame, columns)
        return frame
    from dffml_nb.source import as_frame

    frame = as_frame(*data, columns=columns)
    require_columns(frame, columns)
    return frame


def _origin(frame: pd.DataFrame) -> str:
    """`` in FILE`` when the frame remembers the file it was read from."""
    for key in ("filename", "source", "path"):
        value = frame.attrs.get(key)
        if isinstance(value, (str,)) or hasattr(value, "__fspath__"):
            return f" in {str(value)}"
    return ""


def require_columns(frame: pd.DataFrame, columns: Iterable[str]) -> None:
    """Raise ``KeyError`` naming each missing column (and the file, when known)."""
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        have = ", ".join(map(str, frame.columns)) or "none"
        raise KeyError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}"
            f"{_origin(frame)}; columns present: {have}"
        )


def _line(frame: pd.DataFrame, position: int) -> str:
    """``, line N`` for a row of a CSV-like file (header on line 1), when known."""
    lines = frame.attrs.get("lines")
    if lines is not None:
        return f", line {lines[position]}"
    if _origin(frame):
        return f", line {position + 2}"
    return ""


def _bad_value(frame: pd.DataFrame, column: str) -> ValueError | None:
    """The first value of ``column`` that is not a number, as an error to raise."""
    import pandas as pd

    series = frame[column]
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna() & series.notna()
    if not bad.any():
        return None
    position = int(bad.to_numpy().argmax())
    key = frame.index[position]
    value = series.iloc[position]
    return ValueError(
        f"non-numeric value {value!r} in column {column!r}{_origin(frame)}"
        f"{_line(frame, position)} (record {key!r})"
    )


def matrix(frame: pd.DataFrame, features: Iterable[Any]) -> np.ndarray:
    """A float matrix of the features; a feature of length > 1 spans several columns."""
    import numpy as np

    features = list(features)
    names = [feature.name for feature in features]
    if all(getattr(feature, "length", 1) == 1 for feature in features):
        try:
            # one C-level conversion for the usual all-numeric frame
            return frame[names].to_numpy(dtype=np.float64)
        except (TypeError, ValueError):
            for name in names:
                error = _bad_value(frame, name)
                if error is not None:
                    raise error from None
            raise
    blocks = [_column_block(frame, feature) for feature in features]
    return np.hstack(blocks) if blocks else np.empty((len(frame), 0))


def _column_block(frame: pd.DataFrame, feature: Any) -> np.ndarray:
    """The ``(rows, length)`` block of one feature whose values are lists."""
    import numpy as np

    length = getattr(feature, "length", 1)
    series = frame[feature.name]
    if length == 1:
        try:
            return series.to_numpy(dtype=np.float64).reshape(-1, 1)
        except (TypeError, ValueError):
            raise _bad_value(frame, feature.name) from None
    try:
        block = np.asarray(series.tolist(), dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"column {feature.name!r}{_origin(frame)}: expected {length} numbers per record ({error})"
        ) from None
    if block.ndim != 2 or block.shape[1] != length:
        raise ValueError(
            f"column {feature.name!r}{_origin(frame)}: expected {length} numbers per record, "
            f"got shape {block.shape[1:] or 'scalar'}"
        )
    return block


def target(frame: pd.DataFrame, feature: Any, numeric: bool) -> np.ndarray:
    """The target column: floats for regressors, labels as they are for classifiers."""
    import numpy as np

    if numeric:
        return matrix(frame, [feature]).ravel()
    values = frame[feature.name].to_numpy()
    if values.dtype == object:
        missing = frame[feature.name].isna().to_numpy()
        if missing.any():
            position = int(missing.argmax())
            raise ValueError(
                f"missing value in target column {feature.name!r}{_origin(frame)}"
                f"{_line(frame, position)} (record {frame.index[position]!r})"
            )
    return np.asarray(values)
