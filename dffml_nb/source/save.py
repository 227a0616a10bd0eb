"""Merging loose data (records, dict rows, frames, sources) into a source."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from dffml_nb.record import Record
from dffml_nb.source.base import Source
from dffml_nb.source.convert import KEY, is_exported_record, rows_to_records
from dffml_nb.source.resolve import is_frame


def merge_into(source: Source, items: Iterable[Any]) -> None:
    """``source.update`` with every record in ``items``.

    Items are Records, dict rows, DataFrames, sources or lists of these. Dict
    rows without a ``"key"`` get the next keys not yet used ("4", "5", ... after
    four records), so they are appended rather than merged into records "0", "1".
    """
    stored = source._loaded(missing_ok=True)  # saving may create the file: absent is fine
    next_key = len(stored)
    for item in _flatten(items):
        if isinstance(item, Record):
            source.update(item)
        elif isinstance(item, Mapping):
            if KEY not in item and not is_exported_record(item):
                stored = source._loaded(missing_ok=True)
                while str(next_key) in stored:
                    next_key += 1
                item = {KEY: next_key, **item}
            source.update(rows_to_records([item])[0])
        elif isinstance(item, Source):
            for record in item.records():
                source.update(record)
        elif is_frame(item):
            source.update_frame(item)
        else:
            raise TypeError(
                f"cannot save {type(item).__name__}: expected Records, dict rows, "
                "DataFrames, sources or lists of them"
            )


def _flatten(items: Iterable[Any]) -> Iterator[Any]:
    for item in items:
        if isinstance(item, (list, tuple)):
            yield from _flatten(item)
        else:
            yield item
