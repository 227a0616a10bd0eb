"""SQLiteSource: records in a table of an SQLite database file (stdlib ``sqlite3``).

The table has a ``key`` column (TEXT PRIMARY KEY), one column per feature and
``prediction_<target>`` / ``confidence_<target>`` columns. Feature columns are
declared without a type, so SQLite keeps each value's own type (10 stays an
integer, 0.1 a real). A table without a ``key`` column (any table made by
other tools) is read too: its rows are keyed by their ``rowid``, as a CSV file
without a key column is keyed by position.

Several processes may share one database. A save is one transaction that
writes only what this source changed (the columns whose values differ from what
it read), so two writers changing different features of one record both keep
their change; a value that another writer changed since this source read it is
never overwritten: the save raises :class:`WriteConflictError` and writes
nothing. See :mod:`dffml_nb.source.sqlite_store` for the SQL.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dffml_nb.feature import Features
from dffml_nb.record import Record
from dffml_nb.source import sqlite_store as store
from dffml_nb.source.base import Source
from dffml_nb.source.convert import KEY, by_key, choose_columns, record_to_row, row_to_record
from dffml_nb.source.errors import SourceError

if TYPE_CHECKING:
    import pandas as pd

_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

quote = store.quote  # kept importable from here


class SQLiteSource(Source):
    """Records in table ``table`` of the SQLite database file ``filename``."""

    kind = "sqlite"

    def __init__(self, filename: str | os.PathLike[str], table: str = "records") -> None:
        super().__init__()
        if (
            not isinstance(table, str)
            or not _TABLE_NAME.fullmatch(table)
            or table.lower().startswith("sqlite_")
        ):
            raise ValueError(
                f"invalid SQLite table name {table!r}: use letters, digits and underscores, "
                "not starting with a digit or 'sqlite_'"
            )
        self.filename = Path(filename)
        self.table = table
        # each record's values as last read or written, by key: a save writes the
        # columns whose values differ from these, and only where the database still
        # holds these (anything else was changed by another writer meanwhile)
        self._stored: dict[str, dict[str, Any]] = {}
        self._raw_keys: dict[str, Any] = {}  # keys read as other types than str (rowids)
        self._by_rowid = False  # the table has no key column: rows are keyed by rowid

    @property
    def origin(self) -> str:
        return f"{self.filename} (table {self.table!r})"

    def _keys_hint(self) -> str:
        if self._by_rowid:
            return f": its table has no {KEY!r} column, so its rows are keyed by rowid"
        return ""

    # -- reading ----------------------------------------------------------

    def _connect(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        if not self.filename.exists():  # sqlite3.connect would create an empty database
            raise FileNotFoundError(f"SQLite source file not found: {self.filename}")
        return store.connect(self.filename, self.origin)

    def _table(self, connection: sqlite3.Connection) -> store.Table:
        """The table's layout; SourceError listing the tables there are if it is absent."""
        table = store.Table.inspect(connection, self.table, self.origin)
        if table is None:
            tables = store.tables(connection)
            raise SourceError(
                f"{self.filename} has no table {self.table!r}; "
                f"its tables: {', '.join(map(repr, tables)) or '(none)'}"
            )
        return table

    def _read(self, missing_ok: bool) -> dict[str, Record]:
        if missing_ok and not self.filename.exists():
            return {}
        with self._connect() as connection:
            if missing_ok and store.Table.inspect(connection, self.table, self.origin) is None:
                return {}
            table = self._table(connection)
            names = table.data_columns
            selected = ", ".join([table.key_expression, *map(quote, names)])
            query = f"SELECT {selected} FROM {table.sql_name}"
            records, stored, raw_keys = [], {}, {}
            for key, *values in connection.execute(query):
                row = dict(zip(names, values, strict=True))
                text = str(key)
                if type(key) is not str:  # e.g. integer keys: WHERE must use the stored value
                    raw_keys[text] = key
                stored[text] = row
                records.append(row_to_record(text, row))
        self._stored, self._raw_keys = stored, raw_keys
        self._by_rowid = table.by_rowid
        where = "rowid {}" if table.by_rowid else "row {}"
        return by_key(records, self.origin, lambda i: where.format(i + 1))

    def _read_frame(
        self, columns: list[str] | None, predictions: bool, features: Features
    ) -> tuple[pd.DataFrame, None]:
        import pandas as pd

        with self._connect() as connection:
            table = self._table(connection)
            wanted = choose_columns(table.data_columns, columns, predictions, self.origin)
            selected = ", ".join([table.key_expression, *map(quote, wanted)])
            rows = connection.execute(f"SELECT {selected} FROM {table.sql_name}").fetchall()
        frame = pd.DataFrame.from_records(rows, columns=[KEY, *wanted], coerce_float=True)
        frame.index = pd.Index(frame.pop(KEY).astype(str), dtype=str, name=KEY)
        return frame, None

    # -- writing ----------------------------------------------------------

    def _write(self, records: list[Record], changed: set[str]) -> None:
        rows = {
            record.key: {
                name: self._value(record.key, name, value)
                for name, value in record_to_row(record).items()
            }
            for record in records
            if record.key in changed
        }
        if not self.filename.exists():
            written = self._create(rows)
            if written is not None:
                self._stored.update(written)
                return
        with store.connect(self.filename, self.origin) as connection:
            written = store.transaction(connection, lambda: self._write_rows(connection, rows))
        self._stored.update(written)

    def _create(self, rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]] | None:
        """Write a new database file holding ``rows``; None if one appeared meanwhile.

        The database is built under a temporary name beside ``filename`` and
        hard-linked into place, which fails rather than replace a file: so a save
        that fails leaves no file behind, and a database that another process
        created (and wrote to) meanwhile is never replaced or deleted — the rows
        are then written into it like into any existing database.
        """
        temporary = self.filename.with_name(f".{self.filename.name}.{secrets.token_hex(4)}.tmp")
        try:
            with store.connect(temporary, self.origin) as connection:
                written = store.transaction(connection, lambda: self._write_rows(connection, rows))
            try:
                os.link(temporary, self.filename)
            except FileExistsError:
                return None  # created meanwhile by someone else: write into theirs
            except OSError:
                return None  # no hard links on this file system: write in place
            return written
        finally:
            for leftover in (temporary, temporary.with_name(temporary.name + "-journal")):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(leftover)

    def _write_rows(
        self, connection: sqlite3.Connection, rows: dict[str, dict[str, Any]]
    ) -> dict[str, dict[str, Any]]:
        """Write the changed columns of ``rows`` (inside a transaction); returns the
        values now stored for each key written."""
        table = store.Table.create(connection, self.table, self.origin)
        changes = {}
        for key, row in rows.items():
            change = self._changes(key, row)
            if change or key not in self._stored:  # a new record is stored even if empty
                changes[key] = change
        table = table.add_columns(connection, [name for row in changes.values() for name in row])

        def key_value(key: str) -> Any:
            return self._key_value(key, table.by_rowid)

        current = table.fetch(connection, changes, key_value)
        for key, change in changes.items():
            self._check(key, change, current.get(key))
        table.write(connection, changes, current, key_value)
        return {key: {**self._stored.get(key, {}), **change} for key, change in changes.items()}

    def _changes(self, key: str, row: dict[str, Any]) -> dict[str, Any]:
        """The columns of ``row`` whose values differ from those read (all of them
        for a record this source did not read); a column read but no longer in the
        record is cleared."""
        stored = self._stored.get(key)
        if stored is None:
            return row
        names = dict.fromkeys([*row, *stored])
        return {
            name: row.get(name) for name in names if not store.same(row.get(name), stored.get(name))
        }

    def _check(self, key: str, change: dict[str, Any], current: dict[str, Any] | None) -> None:
        """WriteConflictError if another writer changed (or removed) what we change."""
        stored = self._stored.get(key)
        if stored is not None and current is None:
            raise store.conflict(self.origin, key, None, "was removed")
        for name in change:
            expected = None if stored is None else stored.get(name)
            now = None if current is None else current.get(name)
            if not store.same(now, expected):
                raise store.conflict(
                    self.origin, key, name, f"is now {now!r}, read as {expected!r}"
                )

    def _key_value(self, key: str, by_rowid: bool) -> Any:
        """The value of the key column for ``key``: the key itself, or an integer rowid."""
        if key in self._raw_keys:
            return self._raw_keys[key]
        if not by_rowid:
            return key
        try:
            return int(key)
        except ValueError:
            raise SourceError(
                f"{self.origin} has no {KEY!r} column, so its rows are keyed by rowid: "
                f"record {key!r} cannot be stored (a new record's key must be an integer); "
                f"add a {KEY!r} column to the table to store other keys"
            ) from None

    def _value(self, key: str, column: str, value: Any) -> Any:
        """``value`` as a type sqlite3 can store, or a SourceError saying where."""
        if "\x00" in column:
            raise SourceError(
                f"{self.origin}, record {key!r}: column name {column!r} contains a NUL "
                "character, which SQLite cannot store in a name: rename the feature"
            )
        if value is None or isinstance(value, (int, float, str, bytes)):
            return int(value) if isinstance(value, bool) else value
        if hasattr(value, "item") and not hasattr(value, "__len__"):  # numpy scalar
            return self._value(key, column, value.item())
        raise SourceError(
            f"{self.origin}, record {key!r}, column {column!r}: cannot store "
            f"{type(value).__name__} value {value!r} in SQLite"
        )
