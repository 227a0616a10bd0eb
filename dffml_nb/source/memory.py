"""MemorySource: records held in a Python dict."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dffml_nb.record import Record
from dffml_nb.source.base import Source
from dffml_nb.source.convert import KEY, by_key, rows_to_records


class MemorySource(Source):
    """Records in memory: ``MemorySource(records=[Record(...), {"Years": 0}, ...])``.

    Dict rows are flat (features plus ``prediction_<t>`` / ``confidence_<t>``);
    a ``"key"`` entry is the key, otherwise rows are keyed by position. Rows
    that all lack keys are key-less data: until a record is updated,
    ``to_frame`` gives them a RangeIndex, as a DataFrame's rows have.
    ``save()`` has nothing to persist.
    """

    kind = "memory"

    def __init__(self, records: Iterable[Record | Mapping[str, Any]] | None = None) -> None:
        super().__init__()
        if isinstance(records, (Record, Mapping)):
            records = [records]  # one row
        rows = list(records or ())
        self._positional = bool(rows) and all(
            isinstance(row, Mapping) and KEY not in row for row in rows
        )
        self._records = by_key(rows_to_records(rows), "memory source", lambda i: f"item {i}")

    @property
    def origin(self) -> str:
        return f"memory source ({len(self._records or ())} records)"

    def _read(self, missing_ok: bool) -> dict[str, Record]:
        return {}

    def _write(self, records: list[Record], changed: set[str]) -> None:
        pass  # the records already live here

    def __repr__(self) -> str:
        return f"MemorySource({len(self._records or ())} records)"
