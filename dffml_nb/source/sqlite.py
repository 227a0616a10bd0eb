"""SQLiteSource: records in a table of an SQLite database file (stdlib ``sqlite3``).

The table has a ``key`` column (TEXT PRIMARY KEY), one column per feature and
``prediction_<target>`` / ``confidence_<target>`` columns. Feature columns are
declared without a type, so SQLite keeps each value's own type (10 stays an
integer, 0.1 a real). A save is one transaction.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dffml_nb.feature import Features
from dffml_nb.record import Record
from dffml_nb.source.base import Source
from dffml_nb.source.convert import KEY, by_key, choose_columns, record_to_row, row_to_record
from dffml_nb.source.errors import SourceError

if TYPE_CHECKING:
    import pandas as pd

_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def quote(identifier: str) -> str:
    """``identifier`` as an SQL quoted identifier (so a name is never SQL)."""
    return '"' + identifier.replace('"', '""') + '"'


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

    @property
    def origin(self) -> str:
        return f"{self.filename} (table {self.table!r})"

    # -- reading ----------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if not self.filename.exists():  # sqlite3.connect would create an empty database
            raise FileNotFoundError(f"SQLite source file not found: {self.filename}")
        return sqlite3.connect(self.filename, isolation_level=None)

    def _columns(self, connection: sqlite3.Connection) -> list[str] | None:
        """The table's column names, or None if there is no such table."""
        rows = connection.execute(f"PRAGMA table_info({quote(self.table)})").fetchall()
        return [row[1] for row in rows] or None

    def _require_columns(self, connection: sqlite3.Connection) -> list[str]:
        columns = self._columns(connection)
        if columns is None:
            tables = [
                row[0]
                for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                )
            ]
            raise SourceError(
                f"{self.filename} has no table {self.table!r}; "
                f"its tables: {', '.join(map(repr, tables)) or '(none)'}"
            )
        if KEY not in columns:
            raise SourceError(f"{self.origin} has no {KEY!r} column; its columns: {columns}")
        return columns

    def _read(self, missing_ok: bool) -> dict[str, Record]:
        try:
            connection = self._connect()
        except FileNotFoundError:
            if missing_ok:
                return {}
            raise
        with contextlib.closing(connection):
            if missing_ok and self._columns(connection) is None:
                return {}
            self._require_columns(connection)
            cursor = connection.execute(f"SELECT * FROM {quote(self.table)}")
            names = [column[0] for column in cursor.description]
            records = []
            for values in cursor:
                row = dict(zip(names, values, strict=True))
                records.append(row_to_record(str(row.pop(KEY)), row))
        return by_key(records, self.origin, lambda i: f"row {i + 1}")

    def _read_frame(
        self, columns: list[str] | None, predictions: bool, features: Features
    ) -> tuple[pd.DataFrame, None]:
        import pandas as pd

        with contextlib.closing(self._connect()) as connection:
            present = [name for name in self._require_columns(connection) if name != KEY]
            wanted = choose_columns(present, columns, predictions, self.origin)
            names = [KEY, *wanted]
            query = f"SELECT {', '.join(map(quote, names))} FROM {quote(self.table)}"
            rows = connection.execute(query).fetchall()
        frame = pd.DataFrame.from_records(rows, columns=names, coerce_float=True)
        frame.index = pd.Index(frame.pop(KEY).astype(str), dtype=str, name=KEY)
        return frame, None

    # -- writing ----------------------------------------------------------

    def _write(self, records: list[Record], changed: set[str]) -> None:
        rows = [(record.key, record_to_row(record)) for record in records if record.key in changed]
        columns = list(dict.fromkeys(name for _, row in rows for name in row))
        created = not self.filename.exists()
        connection = sqlite3.connect(self.filename, isolation_level=None)  # we BEGIN ourselves
        try:
            # one transaction for schema changes and rows alike: all or nothing
            connection.execute("BEGIN IMMEDIATE")
            try:
                self._write_rows(connection, rows, columns)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        except BaseException:
            connection.close()
            if created:
                with contextlib.suppress(OSError):
                    os.unlink(self.filename)
            raise
        connection.close()

    def _write_rows(
        self,
        connection: sqlite3.Connection,
        rows: list[tuple[str, dict[str, Any]]],
        columns: list[str],
    ) -> None:
        table = quote(self.table)
        connection.execute(f"CREATE TABLE IF NOT EXISTS {table} ({quote(KEY)} TEXT PRIMARY KEY)")
        existing = set(self._require_columns(connection))
        for name in columns:
            if name not in existing:
                connection.execute(f"ALTER TABLE {table} ADD COLUMN {quote(name)}")
        if not rows:
            return
        names = [KEY, *columns]
        updates = ", ".join(f"{quote(name)} = excluded.{quote(name)}" for name in columns)
        statement = (
            f"INSERT INTO {table} ({', '.join(map(quote, names))}) "
            f"VALUES ({', '.join('?' for _ in names)}) "
            + (
                f"ON CONFLICT({quote(KEY)}) DO UPDATE SET {updates}"
                if columns
                else "ON CONFLICT DO NOTHING"
            )
        )
        values = (
            [key, *(self._value(key, name, row.get(name)) for name in columns)] for key, row in rows
        )
        try:
            connection.executemany(statement, values)
        except sqlite3.OperationalError as error:
            raise SourceError(f"{self.origin}: cannot write records: {error}") from error

    def _value(self, key: str, column: str, value: Any) -> Any:
        """``value`` as a type sqlite3 can store, or a SourceError saying where."""
        if value is None or isinstance(value, (int, float, str, bytes)):
            return int(value) if isinstance(value, bool) else value
        if hasattr(value, "item") and not hasattr(value, "__len__"):  # numpy scalar
            return self._value(key, column, value.item())
        raise SourceError(
            f"{self.origin}, record {key!r}, column {column!r}: cannot store "
            f"{type(value).__name__} value {value!r} in SQLite"
        )
