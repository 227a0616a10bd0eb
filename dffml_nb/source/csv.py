"""CSVSource: records in a CSV file, laid out as DFFML's CSV source lays them out.

One row per record; an optional key column (``key`` by default; without one,
rows are keyed ``"0"``, ``"1"``, ... by position); one column per feature; and
``prediction_<target>`` / ``confidence_<target>`` columns for predictions.
Reading goes through ``pandas.read_csv`` (numbers come back as numbers).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from dffml_nb.feature import Features
from dffml_nb.record import Record
from dffml_nb.source.atomic import atomic_write
from dffml_nb.source.base import Source
from dffml_nb.source.convert import (
    KEY,
    choose_columns,
    index_to_records,
    positional_keys,
    records_to_frame,
)
from dffml_nb.source.errors import SourceError, missing_columns

if TYPE_CHECKING:
    import pandas as pd


class CSVSource(Source):
    """Records in the CSV file ``filename``.

    ``key`` names the key column; by default it is ``"key"`` if the file has
    such a column, and rows are keyed by position otherwise. Saving always
    writes the key column (named ``key`` or as given).
    """

    kind = "csv"

    def __init__(
        self,
        filename: str | os.PathLike[str],
        key: str | None = None,
        *,
        delimiter: str = ",",
        encoding: str = "utf-8",
    ) -> None:
        super().__init__()
        self.filename = Path(filename)
        self.key = key
        self.delimiter = delimiter
        self.encoding = encoding

    @property
    def origin(self) -> str:
        return str(self.filename)

    def _header(self) -> list[str] | None:
        """The column names (None for an empty file); FileNotFoundError if absent."""
        try:
            # utf-8-sig: the BOM a spreadsheet may write is not part of the first name
            encoding = (
                "utf-8-sig" if self.encoding.lower().replace("_", "-") == "utf-8" else self.encoding
            )
            with open(self.filename, newline="", encoding=encoding) as handle:
                return next(csv.reader(handle, delimiter=self.delimiter), None)
        except FileNotFoundError:
            raise FileNotFoundError(f"CSV source file not found: {self.filename}") from None

    def _key_column(self, header: list[str]) -> str | None:
        if self.key is None:
            return KEY if KEY in header else None
        if self.key not in header:
            raise missing_columns([self.key], f"{self.filename} (as its key column)", header)
        return self.key

    def _read_frame(
        self, columns: list[str] | None, predictions: bool, features: Features
    ) -> tuple[pd.DataFrame, Callable[[int], int]]:
        import pandas as pd

        header = self._header()
        if not header:
            frame = pd.DataFrame(index=positional_keys(0))
            if columns:
                raise missing_columns(columns, str(self.filename), [])
            return frame, self._line_of
        key = self._key_column(header)
        data_columns = [name for name in header if name != key]
        wanted = choose_columns(data_columns, columns, predictions, str(self.filename))
        usecols = wanted + [key] if key else wanted
        # text stays text for keys and str features ("007" is not 7)
        dtype = {name: str for name in usecols if name == key or _is_text(features, name)}
        frame = pd.read_csv(
            self.filename,
            sep=self.delimiter,
            encoding=self.encoding,
            usecols=None if len(usecols) == len(header) else usecols,
            dtype=dtype or None,
        )
        if key is not None:
            keys = frame.pop(key)
            if keys.hasnans:
                line = self._line_of(int(keys.isna().to_numpy().argmax()))
                raise SourceError(f"{self.filename}, line {line}: empty key in column {key!r}")
            frame.index = pd.Index(keys, dtype=str, name=KEY)
        else:
            frame.index = positional_keys(len(frame))
        if list(frame.columns) != wanted:
            frame = frame[wanted]
        return frame, self._line_of

    def _line_of(self, position: int) -> int:
        """The line on which data row ``position`` starts.

        Only called to report an error, so it may scan the file: rows can span
        lines (quoted newlines) and pandas skips blank lines.
        """
        with open(self.filename, newline="", encoding=self.encoding) as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            next(reader, None)  # the header
            row_start = reader.line_num + 1
            count = 0
            for row in reader:
                if row:
                    if count == position:
                        return row_start
                    count += 1
                row_start = reader.line_num + 1
        return position + 2  # not found (the file changed): assume one line per row

    def _read(self, missing_ok: bool) -> dict[str, Record]:
        try:
            frame, _ = self._read_frame(None, True, Features())
        except FileNotFoundError:
            if missing_ok:
                return {}
            raise
        return {record.key: record for record in index_to_records(frame)}

    def _write(self, records: list[Record], changed: set[str]) -> None:
        frame = records_to_frame(records, predictions=True, origin=str(self.filename))
        with atomic_write(self.filename, "w", newline="", encoding=self.encoding) as handle:
            frame.to_csv(handle, sep=self.delimiter, index_label=self.key or KEY)


def _is_text(features: Features, name: str) -> bool:
    feature = features.get(name)
    return feature is not None and feature.dtype is str
