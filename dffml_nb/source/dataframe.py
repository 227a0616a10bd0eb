"""DataFrameSource: records in a pandas DataFrame (one row per record)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dffml_nb.feature import Features
from dffml_nb.record import Record
from dffml_nb.source.base import Source
from dffml_nb.source.convert import (
    KEY,
    by_key,
    check_columns,
    frame_to_records,
    is_positional,
    key_index,
    records_to_frame,
    select,
)
from dffml_nb.source.errors import missing_columns

if TYPE_CHECKING:
    import pandas as pd


class DataFrameSource(Source):
    """Records in ``frame``: keys from column ``key`` if given, else a ``"key"``
    column if there is one, else the index (the default RangeIndex keys rows
    by position, "0", "1", ..., and ``to_frame`` keeps it); columns as in a CSV
    file (features, ``prediction_<t>``, ``confidence_<t>``).

    ``save()`` sets ``source.frame`` to a new DataFrame holding every record; the
    DataFrame passed in is never modified.
    """

    kind = "dataframe"

    def __init__(self, frame: pd.DataFrame | None = None, key: str | None = None) -> None:
        super().__init__()
        if frame is None:
            import pandas as pd

            frame = pd.DataFrame()
        self.frame = frame
        self.key = key

    @property
    def origin(self) -> str:
        return f"DataFrame ({len(self.frame)} rows)"

    def _key_column(self) -> str | None:
        if not self.frame.columns.is_unique:
            check_columns(self.frame.columns, self.origin)
        if self.key is not None:
            if self.key not in self.frame.columns:
                raise missing_columns(
                    [self.key], f"{self.origin} (as its key column)", self.frame.columns
                )
            return self.key
        return KEY if KEY in self.frame.columns else None

    def _read(self, missing_ok: bool) -> dict[str, Record]:
        key = self._key_column()
        self._positional = key is None and is_positional(self.frame.index)
        records = frame_to_records(self.frame, key)
        return by_key(records, self.origin, lambda i: f"row {i}")

    def _read_frame(
        self, columns: list[str] | None, predictions: bool, features: Features
    ) -> tuple[pd.DataFrame, None]:
        key = self._key_column()
        frame = self.frame
        if key is not None:
            index = key_index(frame[key])
            frame = frame.drop(columns=[key])
        elif is_positional(frame.index) or _is_text(frame.index):
            index = frame.index.rename(KEY)  # key-less rows, or keys already text: no copy
        else:
            index = key_index(frame.index)
        frame = select(frame, columns, predictions=predictions, origin=self.origin)
        frame = frame.set_axis(index, axis=0)
        return frame, None

    def _write(self, records: list[Record], changed: set[str]) -> None:
        frame = records_to_frame(records, predictions=True, origin=self.origin)
        if self.key is not None:
            frame = frame.rename_axis(self.key).reset_index()
        self.frame = frame

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *args: Any, **kwargs: Any) -> DataFrameSource:
        """A source over ``frame`` itself."""
        return cls(frame, *args, **kwargs)


def _is_text(index: pd.Index) -> bool:
    from pandas.api.types import infer_dtype

    return infer_dtype(index, skipna=False) == "string"
