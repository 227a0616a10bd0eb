"""The Source API every kind of source shares.

A source holds records by key. It reads them on first use, keeps changes in
memory (``update``) and writes them with ``save``. Subclasses implement three
hooks: ``_read`` (all records), ``_write`` (persist) and optionally
``_read_frame`` (a fast columnar read straight from storage, used by
``to_frame`` while nothing has been changed in memory).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar

from dffml_nb.feature import Features, FeatureSpec
from dffml_nb.record import Record
from dffml_nb.source.coerce import coerce
from dffml_nb.source.convert import by_key, check_columns, frame_to_records, records_to_frame

if TYPE_CHECKING:
    import pandas as pd


class Source:
    """Records by key, with one API for every storage.

    ``records()``, ``record(key)``, ``update(record)``, ``save()``, ``len()``,
    iteration, ``with source:`` (saves on a clean exit if anything changed),
    and a columnar path for models: ``to_frame()`` / ``update_frame()``.
    """

    #: plugin name the source is registered under (entry point ``dffml_nb.source``)
    kind: ClassVar[str] = "source"

    def __init__(self) -> None:
        self._records: dict[str, Record] | None = None
        self._dirty: set[str] = set()  # keys changed in memory since the last save
        # the records were read (or given) as key-less rows, keyed "0", "1", ... by
        # position: their frame gets a RangeIndex (subclasses set it when they read
        # such rows; update clears it)
        self._positional = False

    # -- hooks for subclasses --------------------------------------------

    @property
    def origin(self) -> str:
        """Where the data lives, for error messages (a file name, "DataFrame", ...)."""
        return type(self).__name__

    def _read(self, missing_ok: bool) -> dict[str, Record]:
        """Every stored record by key. If storage does not exist: ``{}`` when
        ``missing_ok`` (we are about to create it), else FileNotFoundError."""
        raise NotImplementedError

    def _write(self, records: list[Record], changed: set[str]) -> None:
        """Persist ``records`` (all of them; ``changed`` are the keys updated since
        the last save). Must be all-or-nothing."""
        raise NotImplementedError

    def _read_frame(
        self, columns: list[str] | None, predictions: bool, features: Features
    ) -> tuple[pd.DataFrame, Callable[[int], int] | None] | None:
        """Optionally, (frame, None or a function from a row's position to its
        line in a text file) read straight from storage; None to build the frame
        from records instead. Key-less storage gives the frame a
        :func:`~dffml_nb.source.convert.positional_index`, anything else str keys."""
        return None

    # -- records ----------------------------------------------------------

    def _loaded(self, missing_ok: bool = False) -> dict[str, Record]:
        if self._records is None:
            records = self._read(missing_ok)
            if missing_ok and not records:
                return records  # storage absent: keep asking until something is there
            self._records = records
        return self._records

    @property
    def modified(self) -> bool:
        """True when records were updated since they were read or last saved."""
        return bool(self._dirty)

    def records(self) -> Iterator[Record]:
        """Every record, in storage order."""
        return iter(list(self._loaded().values()))

    def record(self, key: Any) -> Record:
        """The record with ``key``; KeyError naming the key and the source if none.

        Rows stored without keys are keyed by position: ``record("5")`` (or
        ``record(5)``) is the sixth row.
        """
        key = str(key)
        records = self._loaded()
        try:
            return records[key]
        except KeyError:
            raise KeyError(
                f"no record with key {key!r} in {self.origin}{self._keys_hint()}"
            ) from None

    def _keys_hint(self) -> str:
        """How this source's records are keyed, when that is not obvious (error messages)."""
        if not self._positional:
            return ""
        records = self._loaded()
        if not records:
            return ": it has no rows"
        return (
            f": its rows have no keys, so they are keyed by position, '0' to '{len(records) - 1}'"
        )

    def update(self, record: Record) -> None:
        """Insert ``record``, or merge it into the stored record with its key
        (its features and predictions win). Call ``save()`` to persist."""
        if not isinstance(record, Record):
            raise TypeError(f"update() takes a Record, not {type(record).__name__}")
        records = self._loaded(missing_ok=True)
        if self._records is None:  # storage absent: this is the first record
            self._records = records
        self._positional = False  # keys now matter: frames are keyed by str
        existing = records.get(record.key)
        if existing is None:
            records[record.key] = record.copy()
        else:
            existing.merge(record)
        self._dirty.add(record.key)

    def save(self) -> None:
        """Persist every record, atomically (a temporary file renamed into place;
        SQLite: one transaction). A missing file is created."""
        records = self._loaded(missing_ok=True)
        self._write(list(records.values()), set(self._dirty))
        self._dirty.clear()

    def __len__(self) -> int:
        return len(self._loaded())

    def __iter__(self) -> Iterator[Record]:
        return self.records()

    def __contains__(self, key: object) -> bool:
        return str(key) in self._loaded()

    def __enter__(self) -> Source:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None and self.modified:
            self.save()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.origin!r})"

    # -- columnar path ----------------------------------------------------

    def to_frame(
        self,
        columns: list[str] | None = None,
        *,
        features: Features | Iterable[FeatureSpec] | None = None,
        predictions: bool = False,
    ) -> pd.DataFrame:
        """The records as a DataFrame, one column per feature.

        The index holds the keys as str, or, for rows stored without keys (a CSV
        file with no key column, a DataFrame with its default index, dict rows
        without a ``"key"``), pandas' RangeIndex named ``key``: their records
        are keyed ``str(position)``. (Once records are updated in memory, the
        frame is built from them, keyed by str.)

        ``columns`` picks columns (default: every feature, or the ``features``'
        names); ``features`` also converts those columns to the features' dtypes
        (see :func:`~dffml_nb.source.coerce.coerce`); ``predictions`` adds the
        ``prediction_<t>`` / ``confidence_<t>`` columns. A missing column is a
        SourceError naming it and this source.
        """
        features = Features.parse(features)
        if columns is None and features:
            columns = features.names()
        result = None if self.modified else self._read_frame(columns, predictions, features)
        if result is None:
            records = self._loaded().values()
            frame = records_to_frame(
                records,
                columns,
                predictions=predictions,
                origin=self.origin,
                positional=self._positional,
            )
            line_of = None
        else:
            frame, line_of = result
        if features:
            frame = coerce(frame, features, self.origin, line_of=line_of)
        return frame

    def update_frame(self, frame: pd.DataFrame, key: str | None = None) -> None:
        """``update`` with every row of ``frame`` (see
        :func:`~dffml_nb.source.convert.frame_to_records`): this is how a model
        writes ``prediction_<t>`` / ``confidence_<t>`` columns back."""
        if not frame.columns.is_unique:
            check_columns(frame.columns, "the DataFrame")
        records = frame_to_records(frame, key)
        # two rows with one key would merge into one record: refuse, as pandas'
        # verify_integrity does
        by_key(records, "the DataFrame", lambda i: f"row {i}")
        for record in records:
            self.update(record)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *args: Any, **kwargs: Any) -> Source:
        """``cls(*args, **kwargs)`` updated with the rows of ``frame`` (not saved)."""
        source = cls(*args, **kwargs)
        source.update_frame(frame)
        return source
