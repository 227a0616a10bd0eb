"""JSONSource: records in a JSON file, in DFFML's layout.

DFFML writes ``{"<tag>": {"<key>": {"features": {...}, "predictions": {...}}}}``;
that is what we read and write (tag ``records`` by default; other tags in the
file are kept). A plain list of flat row objects, ``[{"Years": 0, ...}, ...]``,
is read too (rows without a ``"key"`` are keyed by position, as a CSV file's).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from dffml_nb.record import Record
from dffml_nb.source.base import Source
from dffml_nb.source.convert import KEY, by_key, is_exported_record, rows_to_records
from dffml_nb.source.errors import SourceError, duplicate_key
from dffml_nb.source.stamp import NOT_READ, Stamp, check_unchanged, stamp


class JSONSource(Source):
    """Records in the JSON file ``filename``, under ``tag`` (DFFML's layout)."""

    kind = "json"

    def __init__(self, filename: str | os.PathLike[str], tag: str = "records") -> None:
        super().__init__()
        self.filename = Path(filename)
        self.tag = tag
        self._other_tags: dict[str, Any] = {}  # written back untouched
        self._stamp: Stamp = NOT_READ  # the file as the records were read from it

    @property
    def origin(self) -> str:
        return str(self.filename)

    def _read(self, missing_ok: bool) -> dict[str, Record]:
        self._stamp = stamp(self.filename)
        try:
            with open(self.filename, encoding="utf-8") as handle:
                text = handle.read()
        except FileNotFoundError:
            if missing_ok:
                return {}
            raise FileNotFoundError(f"JSON source file not found: {self.filename}") from None
        if not text.strip():
            return {}
        data, repeated = self._parse(text)
        if isinstance(data, list):
            return self._rows(data, text, repeated)
        return self._tagged(data, text, repeated)

    def _parse(self, text: str) -> tuple[Any, list[_Repeat]]:
        """The JSON document, and every name that an object of it holds twice
        (``json`` keeps the last silently: we refuse instead)."""
        repeated: list[_Repeat] = []

        def pairs_to_dict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            result = dict(pairs)
            if len(result) != len(pairs):
                names = [name for name, _ in pairs]
                name = next(name for i, name in enumerate(names) if name in names[:i])
                first = names.index(name)
                repeated.append(_Repeat(name, first, names.index(name, first + 1), result))
            return result

        try:
            return json.loads(text, object_pairs_hook=pairs_to_dict), repeated
        except json.JSONDecodeError as error:
            raise SourceError(
                f"{self.filename}: malformed JSON at line {error.lineno}, column {error.colno} "
                f"(character {error.pos}): {error.msg}"
            ) from error
        except RecursionError:
            # raised without its cause chained: a RecursionError traceback is long
            raise SourceError(
                f"{self.filename}: JSON nested too deeply for Python to read (arrays or "
                f"objects more than about {sys.getrecursionlimit()} levels inside one "
                "another): records are at most a few levels deep"
            ) from None

    def _rows(self, data: list[Any], text: str, repeated: list[_Repeat]) -> dict[str, Record]:
        """Records from a list of flat rows (or exported records)."""
        if repeated:
            raise self._repeated_name(repeated[0])
        try:
            records = rows_to_records(data)
        except TypeError as error:
            raise SourceError(f"{self.filename}: {error}") from None
        self._positional = bool(records) and not any(KEY in row for row in data)

        def where(position: int) -> str:
            line = _line(text, _entries(text, _skip_space(text, 0))[position][0])
            row = data[position]
            if isinstance(row, Mapping) and KEY not in row and not is_exported_record(row):
                return f"line {line} (an item with no 'key', keyed by its position {position})"
            return f"line {line}"

        return by_key(records, self.origin, where)

    def _tagged(self, data: Any, text: str, repeated: list[_Repeat]) -> dict[str, Record]:
        """Records from DFFML's ``{tag: {key: record}}`` layout."""
        if not isinstance(data, Mapping):
            raise SourceError(
                f"{self.filename}: expected a JSON object {{tag: {{key: record}}}} "
                f"or a list of rows, not {type(data).__name__}"
            )
        tag = self.tag
        if tag not in data and len(data) == 1:
            tag = next(iter(data))  # a DFFML file with another tag ("untagged")
        tagged = data.get(tag, {})
        for repeat in repeated:
            if repeat.holder is tagged:  # a record key used twice
                top = _entries(text, _skip_space(text, 0))
                value_start = next(value for start, value, name in top if name == tag)
                entries = _entries(text, value_start)
                raise duplicate_key(
                    repeat.name,
                    self.origin,
                    f"line {_line(text, entries[repeat.first][0])}",
                    f"line {_line(text, entries[repeat.second][0])}",
                )
        if repeated:
            raise self._repeated_name(repeated[0])
        if not isinstance(tagged, Mapping) or not all(
            isinstance(value, Mapping) for value in tagged.values()
        ):
            raise SourceError(
                f"{self.filename}: expected {{{tag!r}: {{key: {{'features': ...}}}}}}; "
                f"the value under {tag!r} is not an object of record objects"
            )
        self._other_tags = {name: value for name, value in data.items() if name != tag}
        if tag != self.tag:
            self.tag = tag  # save under the tag the file uses
        return {key: Record.from_dict(value, key=key) for key, value in tagged.items()}

    def _repeated_name(self, repeat: _Repeat) -> SourceError:
        shown = ", ".join(map(repr, list(repeat.holder)[:5]))
        return SourceError(
            f"{self.filename}: name {repeat.name!r} appears twice in one JSON object (entries "
            f"{repeat.first + 1} and {repeat.second + 1} of the object with names {shown}); "
            "names in an object must be unique (the first value would be lost): rename or "
            "remove one of them"
        )

    def _write(self, records: list[Record], changed: set[str]) -> None:
        from dffml_nb.df.atomic import atomic_write  # the dataflow core loads on first save

        data = dict(self._other_tags)
        data[self.tag] = {record.key: record.export() for record in records}
        check_unchanged(self.filename, self._stamp, self.origin)
        with atomic_write(self.filename, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, default=_plain)
            handle.write("\n")
        self._stamp = stamp(self.filename)


class _Repeat(NamedTuple):
    """A name that the object ``holder`` was given twice, at entries ``first`` and ``second``."""

    name: str
    first: int
    second: int
    holder: dict[str, Any]


_SPACE = re.compile(r"[ \t\n\r]*")


def _skip_space(text: str, index: int) -> int:
    match = _SPACE.match(text, index)
    return index if match is None else match.end()


def _entries(text: str, start: int) -> list[tuple[int, int, str | None]]:
    """``(entry start, value start, name or None)`` for each entry of the JSON array
    or object beginning at ``text[start]``. Only used to report an error, on text
    that already parsed, so it can be simple."""
    decoder = json.JSONDecoder()
    is_object = text[start] == "{"
    closer = "}" if is_object else "]"
    index = _skip_space(text, start + 1)
    entries: list[tuple[int, int, str | None]] = []
    while text[index] != closer:
        entry, name = index, None
        if is_object:
            name, index = decoder.raw_decode(text, index)
            index = _skip_space(text, _skip_space(text, index) + 1)  # past the ':'
        entries.append((entry, index, name))
        _, index = decoder.raw_decode(text, index)
        index = _skip_space(text, index)
        if text[index] == ",":
            index = _skip_space(text, index + 1)
    return entries


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _plain(value: Any) -> Any:
    """JSON for numpy scalars and arrays (``json`` only knows Python types)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} {value!r} to JSON")
