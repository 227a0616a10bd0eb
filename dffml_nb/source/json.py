"""JSONSource: records in a JSON file, in DFFML's layout.

DFFML writes ``{"<tag>": {"<key>": {"features": {...}, "predictions": {...}}}}``;
that is what we read and write (tag ``records`` by default; other tags in the
file are kept). A plain list of flat row objects, ``[{"Years": 0, ...}, ...]``,
is read too (rows without a ``"key"`` are keyed by position, as a CSV file's).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dffml_nb.record import Record
from dffml_nb.source.base import Source
from dffml_nb.source.convert import KEY, rows_to_records
from dffml_nb.source.errors import SourceError


class JSONSource(Source):
    """Records in the JSON file ``filename``, under ``tag`` (DFFML's layout)."""

    kind = "json"

    def __init__(self, filename: str | os.PathLike[str], tag: str = "records") -> None:
        super().__init__()
        self.filename = Path(filename)
        self.tag = tag
        self._other_tags: dict[str, Any] = {}  # written back untouched

    @property
    def origin(self) -> str:
        return str(self.filename)

    def _read(self, missing_ok: bool) -> dict[str, Record]:
        try:
            with open(self.filename, encoding="utf-8") as handle:
                text = handle.read()
        except FileNotFoundError:
            if missing_ok:
                return {}
            raise FileNotFoundError(f"JSON source file not found: {self.filename}") from None
        if not text.strip():
            return {}
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise SourceError(
                f"{self.filename}: malformed JSON at line {error.lineno}, column {error.colno} "
                f"(character {error.pos}): {error.msg}"
            ) from error
        if isinstance(data, list):
            try:
                records = rows_to_records(data)
            except TypeError as error:
                raise SourceError(f"{self.filename}: {error}") from None
            self._positional = bool(records) and not any(KEY in row for row in data)
        else:
            records = self._tagged(data)
        return {record.key: record for record in records}

    def _tagged(self, data: Any) -> list[Record]:
        """Records from DFFML's ``{tag: {key: record}}`` layout."""
        if not isinstance(data, Mapping):
            raise SourceError(
                f"{self.filename}: expected a JSON object {{tag: {{key: record}}}} "
                f"or a list of rows, not {type(data).__name__}"
            )
        tag = self.tag
        if tag not in data and len(data) == 1:
            tag = next(iter(data))  # a DFFML file with another tag ("untagged")
        self._other_tags = {name: value for name, value in data.items() if name != tag}
        tagged = data.get(tag, {})
        if not isinstance(tagged, Mapping) or not all(
            isinstance(value, Mapping) for value in tagged.values()
        ):
            raise SourceError(
                f"{self.filename}: expected {{{tag!r}: {{key: {{'features': ...}}}}}}; "
                f"the value under {tag!r} is not an object of record objects"
            )
        if tag != self.tag:
            self.tag = tag  # save under the tag the file uses
        return [Record.from_dict(value, key=key) for key, value in tagged.items()]

    def _write(self, records: list[Record], changed: set[str]) -> None:
        from dffml_nb.df.atomic import atomic_write  # the dataflow core loads on first save

        data = dict(self._other_tags)
        data[self.tag] = {record.key: record.export() for record in records}
        with atomic_write(self.filename, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, default=_plain)
            handle.write("\n")


def _plain(value: Any) -> Any:
    """JSON for numpy scalars and arrays (``json`` only knows Python types)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} {value!r} to JSON")
