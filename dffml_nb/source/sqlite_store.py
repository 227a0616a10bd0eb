"""The SQL behind :class:`~dffml_nb.source.sqlite.SQLiteSource`.

Connections whose errors name the file, one transaction per save, a table's
layout (its key column, or its rowid), and per-column writes: a save updates
only the columns it changes, and checks first that the database still holds
the values the source read, so no other writer's change is ever overwritten.
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from dffml_nb.source.convert import KEY
from dffml_nb.source.errors import SourceError, WriteConflictError

T = TypeVar("T")

#: names SQLite accepts for a table's rowid, unless a column takes the name
_ROWID_NAMES = ("rowid", "_rowid_", "oid")
#: keys per ``IN (...)`` query: far below SQLite's limit on parameters
_CHUNK = 500


def quote(identifier: str) -> str:
    """``identifier`` as an SQL quoted identifier (so a name is never SQL)."""
    return '"' + identifier.replace('"', '""') + '"'


def _error(error: sqlite3.Error, path: Path, origin: str) -> SourceError:
    """A sqlite3 error as a SourceError naming the file (and what was expected)."""
    text = str(error)
    if "not a database" in text:  # "file is not a database", "file is encrypted or ..."
        return SourceError(
            f"{path} is not an SQLite database ({text}): an SQLite source expects an "
            "SQLite 3 database file, as written by sqlite3 or a save of this source; for "
            "CSV or JSON data use a .csv or .json file name (or name='csv' / name='json')"
        )
    return SourceError(f"{origin}: {text}")


@contextlib.contextmanager
def connect(path: Path, origin: str) -> Iterator[sqlite3.Connection]:
    """A connection to ``path`` (created if absent) in autocommit mode (we BEGIN
    ourselves); any sqlite3 error inside becomes a SourceError naming the file."""
    try:
        connection = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error as error:
        raise _error(error, path, origin) from error
    try:
        yield connection
    except sqlite3.Error as error:
        raise _error(error, path, origin) from error
    finally:
        connection.close()


def transaction(connection: sqlite3.Connection, work: Callable[[], T]) -> T:
    """``work()`` in one immediate transaction: all of it is committed, or none."""
    connection.execute("BEGIN IMMEDIATE")  # take the write lock first: no deadlock later
    try:
        result = work()
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return result


def tables(connection: sqlite3.Connection) -> list[str]:
    """The names of the database's tables."""
    query = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    return [row[0] for row in connection.execute(query)]


def same(left: Any, right: Any) -> bool:
    """Whether two cell values are equal, a missing value (None, NaN) equal to another."""
    if _missing(left) or _missing(right):
        return _missing(left) and _missing(right)
    return bool(left == right)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def conflict(origin: str, key: str, column: str | None, what: str) -> WriteConflictError:
    """The error for a value (or, with ``column`` None, a record) another writer changed."""
    where = f"record {key!r}" if column is None else f"record {key!r}, column {column!r}"
    return WriteConflictError(
        f"{origin}, {where}: another writer changed it since this source read it "
        f"(it {what}); nothing was saved: read the source again (a new source), "
        "apply your change and save"
    )


@dataclass(frozen=True)
class Table:
    """A table's layout: its columns, and how its rows are keyed."""

    sql_name: str  # quoted
    columns: tuple[str, ...]
    #: the SQL for a row's key: the ``key`` column, or the rowid when there is none
    key_expression: str

    @property
    def by_rowid(self) -> bool:
        return self.key_expression in _ROWID_NAMES

    @property
    def data_columns(self) -> list[str]:
        """Every column but the key column."""
        return [name for name in self.columns if name != KEY]

    @classmethod
    def inspect(cls, connection: sqlite3.Connection, name: str, origin: str) -> Table | None:
        """The layout of table ``name``, or None if there is no such table."""
        rows = connection.execute(f"PRAGMA table_info({quote(name)})").fetchall()
        if not rows:
            return None
        columns = tuple(row[1] for row in rows)
        if KEY in columns:
            return cls(quote(name), columns, quote(KEY))
        taken = {column.lower() for column in columns}
        rowid = next((alias for alias in _ROWID_NAMES if alias not in taken), None)
        try:
            if rowid is None:
                raise sqlite3.OperationalError("every name for the rowid is a column's name")
            connection.execute(f"SELECT {rowid} FROM {quote(name)} LIMIT 0")
        except sqlite3.OperationalError as error:  # a WITHOUT ROWID table
            raise SourceError(
                f"{origin} has no {KEY!r} column and its rows have no rowid to key them by "
                f"({error}); add a {KEY!r} column; its columns: {', '.join(columns)}"
            ) from error
        return cls(quote(name), columns, rowid)

    @classmethod
    def create(cls, connection: sqlite3.Connection, name: str, origin: str) -> Table:
        """The layout of table ``name``, created (with a ``key`` column) if absent."""
        connection.execute(
            f"CREATE TABLE IF NOT EXISTS {quote(name)} ({quote(KEY)} TEXT PRIMARY KEY)"
        )
        table = cls.inspect(connection, name, origin)
        assert table is not None
        return table

    def add_columns(self, connection: sqlite3.Connection, names: Iterable[str]) -> Table:
        """Add the ``names`` the table lacks; returns the new layout."""
        new = [name for name in dict.fromkeys(names) if name not in self.columns]
        for name in new:
            connection.execute(f"ALTER TABLE {self.sql_name} ADD COLUMN {quote(name)}")
        return Table(self.sql_name, (*self.columns, *new), self.key_expression)

    def fetch(
        self,
        connection: sqlite3.Connection,
        changes: dict[str, dict[str, Any]],
        key_value: Callable[[str], Any],
    ) -> dict[str, dict[str, Any]]:
        """The stored values of the changed columns, for each changed key that has a row."""
        names = [name for name in dict.fromkeys(n for c in changes.values() for n in c)]
        selected = ", ".join([self.key_expression, *map(quote, names)])
        keys = list(changes)
        current: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = [key_value(key) for key in keys[start : start + _CHUNK]]
            query = (
                f"SELECT {selected} FROM {self.sql_name} "
                f"WHERE {self.key_expression} IN ({', '.join('?' for _ in chunk)})"
            )
            for key, *values in connection.execute(query, chunk):
                current[str(key)] = dict(zip(names, values, strict=True))
        return current

    def write(
        self,
        connection: sqlite3.Connection,
        changes: dict[str, dict[str, Any]],
        existing: Iterable[str],
        key_value: Callable[[str], Any],
    ) -> None:
        """UPDATE the changed columns of rows that exist, INSERT the others, in
        order (consecutive rows changing the same columns share one executemany)."""
        existing = set(existing)
        batches: list[tuple[str, list[list[Any]]]] = []
        for key, change in changes.items():
            names = list(change)
            if key in existing:
                if not names:
                    continue
                assignments = ", ".join(f"{quote(name)} = ?" for name in names)
                statement = (
                    f"UPDATE {self.sql_name} SET {assignments} WHERE {self.key_expression} = ?"
                )
                values = [*change.values(), key_value(key)]
            else:
                columns = ", ".join([self.key_expression, *map(quote, names)])
                marks = ", ".join("?" for _ in range(len(names) + 1))
                statement = f"INSERT INTO {self.sql_name} ({columns}) VALUES ({marks})"
                values = [key_value(key), *change.values()]
            if batches and batches[-1][0] == statement:
                batches[-1][1].append(values)
            else:
                batches.append((statement, [values]))
        for statement, rows in batches:
            connection.executemany(statement, rows)
