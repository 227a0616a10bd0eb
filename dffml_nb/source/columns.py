"""Result columns built chunk by chunk into typed arrays, so memory stays flat.

A run over a million records yields a million result values. Kept as Python
lists until the end, they would cost ~40 bytes a record beyond the column they
become; here each chunk of rows is converted to a typed array (float64, int64,
bool, datetime — or object for anything else) as soon as every row of it has
finished, and the arrays are written into one preallocated array per column.
Missing values (rows with no result) become NaN / None; a column that first
held integers is widened to float64 (or object) once, if it must be.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

CHUNK = 8192
_MISSING = object()


class ResultColumns:
    """Values by (column, row position), for ``count`` rows; rows finish in any order."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.columns: dict[str, _Column] = {}
        self._finished: dict[int, int] = {}  # chunk -> rows finished in it

    def put(self, name: str, position: int, value: Any) -> None:
        column = self.columns.get(name)
        if column is None:
            column = self.columns[name] = _Column(self.count)
        chunk, offset = divmod(position, CHUNK)
        values = column.chunks.get(chunk)
        if values is None:
            values = column.chunks[chunk] = [_MISSING] * _size(chunk, self.count)
        values[offset] = value

    def finished(self, position: int) -> None:
        """Row ``position`` is done (with or without results): full chunks are converted."""
        chunk = position // CHUNK
        done = self._finished.get(chunk, 0) + 1
        if done == CHUNK or done == _size(chunk, self.count):
            self._finished.pop(chunk, None)
            for column in self.columns.values():
                column.flush(chunk)
        else:
            self._finished[chunk] = done

    def arrays(self) -> dict[str, np.ndarray]:
        """Every column as an array of ``count`` values (call once every row finished)."""
        for chunk in list(self._finished):  # only if some row never finished
            for column in self.columns.values():
                column.flush(chunk)
        return {name: column.array() for name, column in self.columns.items()}


def _size(chunk: int, count: int) -> int:
    return min(CHUNK, count - chunk * CHUNK)


class _Column:
    __slots__ = ("count", "chunks", "values", "flushed")

    def __init__(self, count: int) -> None:
        self.count = count
        self.chunks: dict[int, list[Any]] = {}
        self.values: np.ndarray | None = None
        self.flushed: list[tuple[int, int]] = []  # (start, stop) of rows written, for missing fill

    def flush(self, chunk: int) -> None:
        import numpy as np

        start = chunk * CHUNK
        stop = start + _size(chunk, self.count)
        values = self.chunks.pop(chunk, None)
        if values is None:
            typed = None  # no row of this chunk has this result
        else:
            typed = _typed([None if v is _MISSING else v for v in values])
        if self.values is None:
            if typed is None:
                return  # nothing yet: the array is made (missing-filled) with the first values
            self.values = np.empty(self.count, dtype=typed.dtype)
            if start:
                self._fill_missing(0, start)
        if typed is None:
            self._fill_missing(start, stop)
            return
        if not np.can_cast(typed.dtype, self.values.dtype, "same_kind") or (
            self.values.dtype.kind in "biu" and typed.dtype.kind == "f"
        ):
            self.values = self.values.astype(_common(self.values.dtype, typed.dtype))
        self.values[start:stop] = typed

    def _fill_missing(self, start: int, stop: int) -> None:
        import numpy as np

        assert self.values is not None
        kind = self.values.dtype.kind
        if kind in "biu":  # integers and booleans cannot hold a missing value
            self.values = self.values.astype(float if kind != "b" else object)
            kind = self.values.dtype.kind
        self.values[start:stop] = {
            "f": np.nan,
            "c": np.nan,
            "M": np.datetime64("NaT"),
            "m": np.timedelta64("NaT"),
        }.get(kind, None)

    def array(self) -> np.ndarray:
        import numpy as np

        if self.values is None:
            return np.full(self.count, None, dtype=object)
        return self.values


def _typed(values: list[Any]) -> np.ndarray:
    """``values`` as the array pandas would make of them (object for anything mixed)."""
    import pandas as pd

    array = pd.Series(values, dtype=None, copy=False).to_numpy()
    if array.dtype.kind not in "biufcmM":
        import numpy as np

        array = np.asarray(values, dtype=object)
        if array.ndim != 1:  # values that are themselves sequences
            array = np.empty(len(values), dtype=object)
            array[:] = values
    typed: np.ndarray = array
    return typed


def _common(current: np.dtype, incoming: np.dtype) -> Any:
    import numpy as np

    if (
        current.kind in "biuf"
        and incoming.kind in "biuf"
        and "b" not in (current.kind, incoming.kind)
    ):
        return np.result_type(current, incoming)
    return object


def to_series(values: np.ndarray, index: pd.Index, name: str) -> pd.Series:
    import pandas as pd

    series: pd.Series = pd.Series(values, index=index, name=name, copy=False)
    return series
