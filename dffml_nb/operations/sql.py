"""SQL for DFFML's ``db_query_*`` operations on SQLite: parameterised, identifiers checked.

Values always travel as ``?`` parameters. Table and column names cannot be
parameters, so each is checked to be a plain identifier (letters, digits and
``_``, not starting with a digit) and quoted; a column type in ``CREATE TABLE``
may only be words and ``(n)`` sizes (``INTEGER PRIMARY KEY``, ``VARCHAR(20)``);
a condition's operator is one of :data:`OPERATORS`. Anything else is a
``ValueError`` naming what is wrong — never text pasted into SQL.

Conditions are DFFML's: a list of groups, each a list of ``[column, operator,
value]``; the conditions of a group are joined by OR, the groups by AND::

    [[["firstName", "=", "John"], ["lastName", "=", "Miles"]], [["age", "<", 38]]]
    -> ("firstName" = ? OR "lastName" = ?) AND ("age" < ?), ["John", "Miles", 38]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

OPERATORS = ("=", "==", "!=", "<>", "<", ">", "<=", ">=", "LIKE", "NOT LIKE", "IS", "IS NOT")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TYPE = re.compile(r"^[A-Za-z][A-Za-z ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?[A-Za-z ]*$")


def identifier(name: Any, what: str) -> str:
    """``name`` quoted for SQL, once checked to be a plain identifier."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise ValueError(
            f"{what} {name!r} is not a plain name (letters, digits and _, not starting with "
            "a digit): table and column names cannot be query parameters, so only such "
            "names are accepted"
        )
    return f'"{name}"'


def column_type(text: Any, column: str) -> str:
    """A column's type for CREATE TABLE, once checked to be words and sizes only."""
    if not isinstance(text, str) or not _TYPE.match(text.strip()):
        raise ValueError(
            f"column {column!r}: type {text!r} is not a column type (words and sizes only, "
            "e.g. 'real', 'text', 'INTEGER PRIMARY KEY', 'VARCHAR(20)')"
        )
    return text.strip()


def where(conditions: Sequence[Sequence[Sequence[Any]]] | None) -> tuple[str, list[Any]]:
    """``(" WHERE ...", parameters)`` for DFFML's conditions; ``("", [])`` for none."""
    if not conditions:
        return "", []
    groups, values = [], []
    for group in conditions:
        if not isinstance(group, (list, tuple)) or not group:
            raise ValueError(
                f"conditions are a list of groups, each a non-empty list of "
                f"[column, operator, value]; got group {group!r}"
            )
        parts = []
        for condition in group:
            if not isinstance(condition, (list, tuple)) or len(condition) != 3:
                raise ValueError(f"a condition is [column, operator, value], got {condition!r}")
            column, operator, value = condition
            operator = str(operator).upper().strip()
            if operator not in OPERATORS:
                raise ValueError(
                    f"condition {list(condition)!r}: operator {condition[1]!r} is not one of "
                    f"{', '.join(OPERATORS)}"
                )
            parts.append(f"{identifier(column, 'column')} {operator} ?")
            values.append(value)
        groups.append("(" + " OR ".join(parts) + ")")
    return " WHERE " + " AND ".join(groups), values


def create_table(table: str, cols: Mapping[str, str]) -> str:
    if not isinstance(cols, Mapping) or not cols:
        raise ValueError(
            f"cols must map column names to types, e.g. {{'key': 'real'}}, got {cols!r}"
        )
    columns = ", ".join(
        f"{identifier(name, 'column')} {column_type(kind, name)}" for name, kind in cols.items()
    )
    return f"CREATE TABLE IF NOT EXISTS {identifier(table, 'table')} ({columns})"


def insert(table: str, data: Mapping[str, Any]) -> tuple[str, list[Any]]:
    _data(data)
    names = ", ".join(identifier(name, "column") for name in data)
    marks = ", ".join("?" for _ in data)
    return f"INSERT INTO {identifier(table, 'table')} ({names}) VALUES ({marks})", list(
        data.values()
    )


def update(table: str, data: Mapping[str, Any], conditions: Any = None) -> tuple[str, list[Any]]:
    _data(data)
    sets = ", ".join(f"{identifier(name, 'column')} = ?" for name in data)
    clause, values = where(conditions)
    return f"UPDATE {identifier(table, 'table')} SET {sets}{clause}", [*data.values(), *values]


def lookup(table: str, cols: Iterable[str] | None, conditions: Any = None) -> tuple[str, list[Any]]:
    names = ", ".join(identifier(name, "column") for name in cols or ()) or "*"
    clause, values = where(conditions)
    return f"SELECT {names} FROM {identifier(table, 'table')}{clause}", values


def remove(table: str, conditions: Any = None) -> tuple[str, list[Any]]:
    clause, values = where(conditions)
    return f"DELETE FROM {identifier(table, 'table')}{clause}", values


def _data(data: Any) -> None:
    if not isinstance(data, Mapping) or not data:
        raise ValueError(f"data must map column names to values, got {data!r}")
