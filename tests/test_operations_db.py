"""DFFML's db_query_* operations on a real SQLite file: parameterised SQL, names checked."""

from __future__ import annotations

import sqlite3

import pytest

from dffml_nb.operations import db, sql


@pytest.fixture
def config(tmp_path):
    config = db.DatabaseQueryConfig(str(tmp_path / "examples.db"))
    db.db_query_create_table(
        "myTable",
        {
            "key": "INTEGER NOT NULL PRIMARY KEY",
            "firstName": "text",
            "lastName": "text",
            "age": "real",
        },
        config=config,
    )
    return config


def test_insert_lookup_update_remove_as_in_dffmls_examples(config):
    db.db_query_insert(
        "myTable", {"key": 10, "firstName": "John", "lastName": "Doe", "age": 16}, config=config
    )
    db.db_query_insert(
        "myTable", {"key": 11, "firstName": "John", "lastName": "Wick", "age": 39}, config=config
    )
    cols = ["firstName", "lastName", "age"]
    assert db.db_query_lookup("myTable", cols, [], config=config) == [
        {"firstName": "John", "lastName": "Doe", "age": 16},
        {"firstName": "John", "lastName": "Wick", "age": 39},
    ]
    db.db_query_update("myTable", {"age": 17}, [[["lastName", "=", "Doe"]]], config=config)
    assert db.db_query_lookup("myTable", ["age"], [[["key", "=", 10]]], config=config) == [
        {"age": 17}
    ]
    # OR inside a group, AND between groups (DFFML's make_condition_expression)
    either = [[["lastName", "=", "Doe"], ["lastName", "=", "Wick"]], [["age", ">", 20]]]
    assert db.db_query_lookup("myTable", ["lastName"], either, config=config) == [
        {"lastName": "Wick"}
    ]
    db.db_query_remove("myTable", [], config=config)
    assert db.db_query_lookup("myTable", cols, [], config=config) == []


def test_insert_or_update_uses_the_primary_key(config):
    person = {"key": 11, "firstName": "John", "lastName": "Wick", "age": 38}
    db.db_query_insert_or_update("myTable", person, config=config)
    db.db_query_insert_or_update("myTable", {**person, "age": 39}, config=config)
    assert db.db_query_lookup("myTable", ["age"], [], config=config) == [{"age": 39}]


@pytest.mark.parametrize(
    "call, fault",
    [
        (
            lambda c: db.db_query_lookup("myTable; DROP TABLE myTable", config=c),
            "table 'myTable; DROP",
        ),
        (
            lambda c: db.db_query_lookup("myTable", ['age" FROM x --'], config=c),
            "column 'age\" FROM x --'",
        ),
        (
            lambda c: db.db_query_remove("myTable", [[["age", "= 1 OR 1 =", 1]]], config=c),
            "operator",
        ),
        (lambda c: db.db_query_insert("myTable", {"key; --": 1}, config=c), "column 'key; --'"),
        (
            lambda c: db.db_query_create_table(
                "t", {"a": "real); DROP TABLE myTable; --"}, config=c
            ),
            "type",
        ),
    ],
)
def test_names_and_operators_are_checked_never_pasted(config, call, fault):
    with pytest.raises(ValueError, match=fault.replace("(", r"\(").replace(";", ";")):
        call(config)
    with sqlite3.connect(config.database) as connection:  # the table is still there
        assert connection.execute("SELECT count(*) FROM myTable").fetchone() == (0,)
    connection.close()


def test_values_are_parameters():
    statement, values = sql.insert("t", {"a": "x'); DROP TABLE t; --"})
    assert statement == 'INSERT INTO "t" ("a") VALUES (?)' and values == ["x'); DROP TABLE t; --"]


def test_errors_name_the_database_file(config):
    with pytest.raises(sqlite3.OperationalError, match=r"examples.db: no such table: nope"):
        db.db_query_lookup("nope", config=config)
