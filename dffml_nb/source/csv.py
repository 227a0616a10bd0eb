"""CSVSource: records in a CSV file, laid out as DFFML's CSV source lays them out.

One row per record; an optional key column (``key`` by default; without one,
rows are keyed ``"0"``, ``"1"``, ... by position); one column per feature; and
``prediction_<target>`` / ``confidence_<target>`` columns for predictions.
Reading goes through ``pandas.read_csv`` (numbers come back as numbers); a file
without a key column keeps pandas' RangeIndex (named ``key``) in ``to_frame``.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from dffml_nb.feature import Features
from dffml_nb.record import Record
from dffml_nb.source.base import Source
from dffml_nb.source.convert import (
    KEY,
    by_key,
    check_columns,
    choose_columns,
    index_to_records,
    positional_index,
    records_to_frame,
)
from dffml_nb.source.errors import SourceError, missing_columns
from dffml_nb.source.stamp import NOT_READ, Stamp, check_unchanged, stamp

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
        self._stamp: Stamp = NOT_READ  # the file as the records were read from it

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
                header = next(csv.reader(handle, delimiter=self.delimiter), None)
        except FileNotFoundError:
            raise FileNotFoundError(f"CSV source file not found: {self.filename}") from None
        except (UnicodeDecodeError, csv.Error) as error:
            raise self._unreadable(error) from error
        if header:
            # pandas would rename the second "x" to "x.1", and a save would drop it
            check_columns(header, str(self.filename))
        return header

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
            if columns:
                raise missing_columns(columns, str(self.filename), [])
            return pd.DataFrame(index=positional_index(0)), self._line_of
        key = self._key_column(header)
        self._positional = key is None
        data_columns = [name for name in header if name != key]
        wanted = choose_columns(data_columns, columns, predictions, str(self.filename))
        needed = [*wanted, key] if key else wanted
        # text stays text for keys and str features ("007" is not 7)
        dtype = {name: str for name in needed if name == key or _is_text(features, name)}
        try:
            frame = pd.read_csv(
                self.filename,
                sep=self.delimiter,
                encoding=self.encoding,
                usecols=needed if _parse_only_needed(needed, header) else None,
                dtype=dtype or None,
            )
        except (pd.errors.ParserError, UnicodeDecodeError) as error:
            raise self._unreadable(error) from error
        if key is not None:
            keys = frame.pop(key)  # the frame is ours: no copy
            if keys.hasnans:
                line = self._line_of(int(keys.isna().to_numpy().argmax()))
                raise SourceError(f"{self.filename}, line {line}: empty key in column {key!r}")
            index = pd.Index(keys, dtype=str, name=KEY)
        else:
            index = positional_index(len(frame))
        if list(frame.columns) != wanted:
            frame = frame[wanted]
        frame.index = index
        return frame, self._line_of

    def _unreadable(self, error: Exception) -> SourceError:
        """The error for a file that does not parse, naming the line at fault.

        pandas' message counts rows rather than lines; reading the file again
        with the ``csv`` module finds the line a bad row starts on.
        """
        if isinstance(error, UnicodeDecodeError):
            return SourceError(
                f"{self.filename}: not {self.encoding} text (byte {error.start}: "
                f"{error.reason}); pass the file's encoding, e.g. encoding='latin-1'"
            )
        with open(self.filename, newline="", encoding=self.encoding) as handle:
            reader = csv.reader(handle, delimiter=self.delimiter, strict=True)
            start = 1
            try:
                width = len(next(reader, []))
                start = reader.line_num + 1
                for row in reader:
                    if len(row) > width:
                        return SourceError(
                            f"{self.filename}, line {start}: {len(row)} fields, but the "
                            f"header names {width} columns: remove the extra fields, or quote "
                            "a field that contains the delimiter"
                        )
                    start = reader.line_num + 1
            except csv.Error as problem:
                return SourceError(
                    f"{self.filename}, line {start}: a quoted field is never closed or is "
                    f"malformed ({problem}): close the quote, and double any quote inside "
                    'a quoted field ("")'
                )
        return SourceError(f"{self.filename}: cannot parse as CSV: {error}")

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
        self._stamp = stamp(self.filename)
        try:
            frame, _ = self._read_frame(None, True, Features())
        except FileNotFoundError:
            if missing_ok:
                return {}
            raise
        line = self._line_of
        return by_key(index_to_records(frame), self.origin, lambda i: f"line {line(i)}")

    def _write(self, records: list[Record], changed: set[str]) -> None:
        from dffml_nb.df.atomic import atomic_write  # the dataflow core loads on first save

        frame = records_to_frame(records, predictions=True, origin=str(self.filename))
        check_unchanged(self.filename, self._stamp, self.origin)
        with atomic_write(self.filename, "w", newline="", encoding=self.encoding) as handle:
            frame.to_csv(handle, sep=self.delimiter, index_label=self.key or KEY)
        self._stamp = stamp(self.filename)


def _parse_only_needed(needed: list[str], header: list[str]) -> bool:
    """Whether ``read_csv`` should parse only the ``needed`` columns (``usecols``).

    Measured with pandas 3.1: ``usecols`` turns off pandas' parallel read of
    large files (5 MB and more) and, keeping most of the columns, is no faster
    than parsing them all even for small files; it pays off only when most
    columns can be skipped. So: every column is parsed and the needed ones
    selected, unless at most a third of the file's columns are needed.
    """
    return len(needed) < len(header) and 3 * len(needed) <= len(header)


def _is_text(features: Features, name: str) -> bool:
    feature = features.get(name)
    return feature is not None and feature.dtype is str
