"""DFFML's ``db_query_*`` operations, on an SQLite database file.

Each is configured with ``DatabaseQueryConfig(database="file.sqlite")`` — per
flow with ``DataFlow(..., configs={"db_query_insert": {"database": "x.sqlite"}})``
or bound with ``db_query_insert.configure(database="x.sqlite")`` — and takes
DFFML's inputs: ``table_name`` (definition ``query_table``), ``data``
(``query_data``, ``{column: value}``), ``cols`` (``query_cols``: ``{column:
type}`` to create a table, a list of columns to look up) and ``conditions``
(``query_conditions``, DFFML's nested lists; see :mod:`dffml_nb.operations.sql`).
Every statement is parameterised; table and column names are checked. Each
call is one transaction.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dffml_nb.df import Definition, op
from dffml_nb.operations import sql

QUERY_TABLE = Definition("query_table", "str")
QUERY_DATA = Definition("query_data", "dict")
QUERY_CONDITIONS = Definition("query_conditions", "list")
QUERY_COLS = Definition("query_cols", "object")
QUERY_LOOKUPS = Definition("query_lookups", "list")


@dataclass(frozen=True)
class DatabaseQueryConfig:
    """Which SQLite database file the ``db_query_*`` operations work on (created if missing)."""

    database: str

    def __post_init__(self) -> None:
        if not isinstance(self.database, (str, Path)) or not str(self.database):
            raise TypeError(f"database must be the path of an SQLite file, got {self.database!r}")


@contextlib.contextmanager
def _connection(config: DatabaseQueryConfig) -> Iterator[sqlite3.Connection]:
    """One transaction on the configured file: committed on success, rolled back on error."""
    try:
        db = sqlite3.connect(str(config.database))
    except sqlite3.Error as error:
        raise sqlite3.OperationalError(
            f"{config.database}: cannot open the database: {error}"
        ) from None
    try:
        with db:
            yield db
    except sqlite3.Error as error:
        raise type(error)(f"{config.database}: {error}") from error
    finally:
        db.close()


@op(
    inputs={"table_name": QUERY_TABLE, "cols": QUERY_COLS},
    outputs={},
    config=DatabaseQueryConfig,
)
def db_query_create_table(
    table_name: str, cols: Mapping[str, str], *, config: DatabaseQueryConfig
) -> None:
    """``CREATE TABLE IF NOT EXISTS table_name (column type, ...)`` for ``cols``.

    >>> import os, tempfile
    >>> from dffml_nb import DataFlow, run_sync
    >>> path = os.path.join(tempfile.mkdtemp(), "examples.db")
    >>> flow = DataFlow(db_query_create_table.configure(database=path))
    >>> _ = run_sync(flow, {"c": {"query_table": "myTable",
    ...     "query_cols": {"key": "INTEGER PRIMARY KEY", "firstName": "text", "age": "real"}}})
    >>> db_query_lookup("myTable", config=DatabaseQueryConfig(path))
    []
    """
    with _connection(config) as db:
        db.execute(sql.create_table(table_name, cols))


@op(
    inputs={"table_name": QUERY_TABLE, "data": QUERY_DATA},
    outputs={},
    config=DatabaseQueryConfig,
)
def db_query_insert(
    table_name: str, data: Mapping[str, Any], *, config: DatabaseQueryConfig
) -> None:
    """Insert one row: ``data`` maps columns to values.

    >>> import os, tempfile
    >>> from dffml_nb import DataFlow, run_sync
    >>> config = DatabaseQueryConfig(os.path.join(tempfile.mkdtemp(), "examples.db"))
    >>> db_query_create_table("myTable", {"key": "INTEGER PRIMARY KEY", "name": "text"}, config=config)
    >>> flow = DataFlow(db_query_insert, configs={"db_query_insert": {"database": config.database}})
    >>> _ = run_sync(flow, {"c": {"query_table": "myTable", "query_data": {"key": 10, "name": "John"}}})
    >>> db_query_lookup("myTable", config=config)
    [{'key': 10, 'name': 'John'}]
    """
    with _connection(config) as db:
        db.execute(*sql.insert(table_name, data))


@op(
    inputs={"table_name": QUERY_TABLE, "data": QUERY_DATA, "conditions": QUERY_CONDITIONS},
    outputs={},
    config=DatabaseQueryConfig,
)
def db_query_update(
    table_name: str,
    data: Mapping[str, Any],
    conditions: Sequence[Any] = (),
    *,
    config: DatabaseQueryConfig,
) -> None:
    """Set ``data``'s columns in the rows that meet ``conditions`` (all rows without any).

    >>> import os, tempfile
    >>> config = DatabaseQueryConfig(os.path.join(tempfile.mkdtemp(), "examples.db"))
    >>> db_query_create_table("t", {"name": "text", "age": "real"}, config=config)
    >>> db_query_insert("t", {"name": "John", "age": 16}, config=config)
    >>> db_query_update("t", {"age": 17}, [[["name", "=", "John"]]], config=config)
    >>> db_query_lookup("t", ["age"], config=config)
    [{'age': 17.0}]
    """
    with _connection(config) as db:
        db.execute(*sql.update(table_name, data, list(conditions)))


@op(
    inputs={"table_name": QUERY_TABLE, "cols": QUERY_COLS, "conditions": QUERY_CONDITIONS},
    outputs={"lookups": QUERY_LOOKUPS},
    config=DatabaseQueryConfig,
)
def db_query_lookup(
    table_name: str,
    cols: Sequence[str] = (),
    conditions: Sequence[Any] = (),
    *,
    config: DatabaseQueryConfig,
) -> list[dict[str, Any]]:
    """The rows that meet ``conditions``, each ``{column: value}`` for ``cols`` (all without).

    >>> import os, tempfile
    >>> from dffml_nb import DataFlow, run_sync
    >>> config = DatabaseQueryConfig(os.path.join(tempfile.mkdtemp(), "examples.db"))
    >>> db_query_create_table("t", {"name": "text", "age": "real"}, config=config)
    >>> db_query_insert("t", {"name": "John", "age": 39}, config=config)
    >>> flow = DataFlow(db_query_lookup.configure(database=config.database))
    >>> run_sync(flow, {"c": {"query_table": "t", "query_cols": ["name"],
    ...                       "query_conditions": [[["age", ">", 20]]]}})
    {'c': {'query_lookups': [{'name': 'John'}]}}
    """
    with _connection(config) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(*sql.lookup(table_name, list(cols), list(conditions))).fetchall()
    return [dict(row) for row in rows]


@op(
    inputs={"table_name": QUERY_TABLE, "conditions": QUERY_CONDITIONS},
    outputs={},
    config=DatabaseQueryConfig,
)
def db_query_remove(
    table_name: str, conditions: Sequence[Any] = (), *, config: DatabaseQueryConfig
) -> None:
    """Delete the rows that meet ``conditions`` (every row without any).

    >>> import os, tempfile
    >>> config = DatabaseQueryConfig(os.path.join(tempfile.mkdtemp(), "examples.db"))
    >>> db_query_create_table("t", {"name": "text"}, config=config)
    >>> db_query_insert("t", {"name": "John"}, config=config)
    >>> db_query_remove("t", [[["name", "=", "John"]]], config=config)
    >>> db_query_lookup("t", config=config)
    []
    """
    with _connection(config) as db:
        db.execute(*sql.remove(table_name, list(conditions)))


@op(
    inputs={"table_name": QUERY_TABLE, "data": QUERY_DATA},
    outputs={},
    config=DatabaseQueryConfig,
)
def db_query_insert_or_update(
    table_name: str, data: Mapping[str, Any], *, config: DatabaseQueryConfig
) -> None:
    """Insert ``data``; if a row with the same primary key (or unique column) exists,
    update that row instead — in one transaction.

    >>> import os, tempfile
    >>> config = DatabaseQueryConfig(os.path.join(tempfile.mkdtemp(), "examples.db"))
    >>> db_query_create_table("t", {"key": "INTEGER PRIMARY KEY", "age": "real"}, config=config)
    >>> db_query_insert_or_update("t", {"key": 11, "age": 38}, config=config)
    >>> db_query_insert_or_update("t", {"key": 11, "age": 39}, config=config)
    >>> db_query_lookup("t", config=config)
    [{'key': 11, 'age': 39.0}]
    """
    with _connection(config) as db:
        try:
            db.execute(*sql.insert(table_name, data))  # a failed statement changes nothing
            return
        except sqlite3.IntegrityError:
            keys = _unique_columns(db, table_name)
            present = [k for k in keys if k in data]
            if not present:
                raise
            conditions = [[[key, "=", data[key]]] for key in present]
            rest = {k: v for k, v in data.items() if k not in present} or dict(data)
            db.execute(*sql.update(table_name, rest, conditions))


def _unique_columns(db: sqlite3.Connection, table: str) -> list[str]:
    """The primary key columns of ``table`` (else its single-column unique indexes)."""
    quoted = sql.identifier(table, "table")
    info = db.execute(f"PRAGMA table_info({quoted})").fetchall()
    primary = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
    if primary:
        return primary
    unique = []
    for index in db.execute(f"PRAGMA index_list({quoted})").fetchall():
        if index[2]:  # unique
            columns = db.execute(
                f"PRAGMA index_info({sql.identifier(index[1], 'index')})"
            ).fetchall()
            if len(columns) == 1:
                unique.append(columns[0][2])
    return unique
