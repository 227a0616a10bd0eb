"""SQLite sources shared by several processes: no lost update, no lost file.

Each writer is a real Python process with its own SQLiteSource on one real
database file; the test tells each when to read and when to write (one line on
its stdin per step), so the interleaving is exact and nothing depends on timing.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from dffml_nb.high_level import load, save
from dffml_nb.record import Record
from dffml_nb.source import SourceError, SQLiteSource, WriteConflictError, as_frame

WRITER = textwrap.dedent(
    """
    import json, sys
    from dffml_nb.record import Record
    from dffml_nb.source import SQLiteSource

    source = SQLiteSource(sys.argv[1])
    for line in sys.stdin:
        step = json.loads(line)
        try:
            if step["do"] == "read":
                record = source.record(step["key"])  # every record is read into memory
                print(json.dumps({"read": record.features()}), flush=True)
            elif step["do"] == "change":  # the usual pattern: change the record read, update
                record = source.record(step["key"])
                record.evaluated(step["features"])
                source.update(record)
                source.save()
                print(json.dumps({"saved": True}), flush=True)
            elif step["do"] == "update":  # update with a new Record holding only the change
                source.update(Record(step["key"], step["features"]))
                source.save()
                print(json.dumps({"saved": True}), flush=True)
        except Exception as error:
            print(json.dumps({"error": type(error).__name__, "message": str(error)}), flush=True)
    """
)


class Writer:
    """A process holding one SQLiteSource, driven step by step."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def step(self, **step: object) -> dict[str, object]:
        import json

        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(step) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the writer process died"
        return json.loads(line)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


@pytest.fixture
def writers(tmp_path: Path) -> Iterator[tuple[Path, Writer, Writer]]:
    path = tmp_path / "shared.sqlite"
    save(path, Record("0", {"x": 1, "y": 1}), Record("1", {"x": 5, "y": 5}))
    first, second = Writer(path), Writer(path)
    try:
        yield path, first, second
    finally:
        for writer in (first, second):
            if writer.process.poll() is None:
                writer.process.kill()
                writer.process.wait(timeout=30)


def row(path: Path, key: str) -> tuple[object, ...]:
    with sqlite3.connect(path) as connection:
        found = connection.execute('SELECT x, y FROM records WHERE "key" = ?', (key,)).fetchone()
    connection.close()
    return tuple(found)


@pytest.mark.parametrize("how", ["change", "update"])
def test_two_writers_changing_different_features_both_keep_their_change(
    writers: tuple[Path, Writer, Writer], how: str
) -> None:
    path, a, b = writers
    assert a.step(do="read", key="0") == {"read": {"x": 1, "y": 1}}
    assert b.step(do="read", key="0") == {"read": {"x": 1, "y": 1}}
    assert a.step(do=how, key="0", features={"x": 2}) == {"saved": True}
    # b's copy of record "0" still says x = 1: saving its change of y must not undo a's x
    assert b.step(do=how, key="0", features={"y": 3}) == {"saved": True}
    a.close()
    b.close()
    assert row(path, "0") == (2, 3)
    assert row(path, "1") == (5, 5)


def test_two_writers_changing_the_same_feature_is_a_named_conflict(
    writers: tuple[Path, Writer, Writer],
) -> None:
    path, a, b = writers
    a.step(do="read", key="0")
    b.step(do="read", key="0")
    assert a.step(do="change", key="0", features={"x": 2, "y": 2}) == {"saved": True}
    answer = b.step(do="change", key="0", features={"x": 9, "y": 1})
    a.close()
    b.close()
    assert answer["error"] == "WriteConflictError"
    message = str(answer["message"])
    assert str(path) in message and "'0'" in message and "'x'" in message
    assert "another" in message and "read" in message  # says what happened and what to do
    assert row(path, "0") == (2, 2)  # a's committed values stand; nothing of b's was written


def test_conflict_is_detected_within_one_process(tmp_path: Path) -> None:
    path = tmp_path / "one.db"
    save(path, Record("k", {"x": 1}))
    first, second = SQLiteSource(path), SQLiteSource(path)
    first.record("k"), second.record("k")
    first.update(Record("k", {"x": 2}))
    first.save()
    second.update(Record("k", {"x": 3, "new": 1}))
    with pytest.raises(WriteConflictError, match="'x'"):
        second.save()
    assert [r.features() for r in load(path)] == [{"x": 2}]
    assert isinstance(WriteConflictError("m"), SourceError)


def test_saving_twice_from_one_source_is_not_a_conflict(tmp_path: Path) -> None:
    path = tmp_path / "one.db"
    source = SQLiteSource(path)
    source.update(Record("k", {"x": 1}))
    source.save()
    source.update(Record("k", {"x": 2}))
    source.save()
    record = source.record("k")
    record.evaluated({"x": 3})
    source.update(record)
    source.save()
    assert load(path) == [Record("k", {"x": 3})]


def test_only_changed_features_are_written(tmp_path: Path) -> None:
    path = tmp_path / "one.db"
    save(path, Record("k", {"x": 1, "y": 1}))
    source = SQLiteSource(path)
    source.record("k")
    with sqlite3.connect(path) as connection:  # someone else changes y meanwhile
        connection.execute('UPDATE records SET y = 7 WHERE "key" = ?', ("k",))
    connection.close()
    source.update(Record("k", {"x": 2}))
    source.save()
    assert row(path, "k") == (2, 7)


# -- creating the database file -------------------------------------------------------

OTHER_CREATOR = textwrap.dedent(
    """
    import sqlite3, sys
    connection = sqlite3.connect(sys.argv[1])
    connection.execute('CREATE TABLE records ("key" TEXT PRIMARY KEY, x)')
    connection.execute("INSERT INTO records VALUES ('theirs', 42)")
    connection.commit()
    connection.close()
    """
)


class DiskFull(sqlite3.Connection):
    """A connection whose writes of rows fail as on a full disk."""

    def executemany(self, *args: object, **kwargs: object) -> sqlite3.Cursor:
        raise sqlite3.OperationalError("database or disk is full")


def another_process_creates(
    path: Path, monkeypatch: pytest.MonkeyPatch, *, disk_full: bool = False
) -> None:
    """Make another process create and commit to ``path`` just before this process
    first connects to any database: inside the window between "the file does not
    exist" and the save's own writes. With ``disk_full``, this process's writes of
    rows then fail."""
    real_connect = sqlite3.connect
    done: list[bool] = []

    def connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        if not done:
            done.append(True)
            subprocess.run([sys.executable, "-c", OTHER_CREATOR, str(path)], check=True)
        if disk_full:
            kwargs["factory"] = DiskFull
        return real_connect(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlite3, "connect", connect)


def test_a_failed_first_save_never_deletes_a_database_another_process_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "race.sqlite"
    another_process_creates(path, monkeypatch, disk_full=True)
    source = SQLiteSource(path)
    source.update(Record("mine", {"x": 1}))
    with pytest.raises(SourceError, match="disk is full"):
        source.save()
    monkeypatch.undo()
    assert path.exists(), "the other process's database was deleted"
    assert load(path) == [Record("theirs", {"x": 42})]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.sqlite"]


def test_a_first_save_racing_another_creator_writes_into_its_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "race.sqlite"
    another_process_creates(path, monkeypatch)
    save(path, Record("mine", {"x": 1, "y": 2}))
    monkeypatch.undo()
    assert {r.key: r.features() for r in load(path)} == {
        "theirs": {"x": 42},
        "mine": {"x": 1, "y": 2},
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.sqlite"]


def test_a_failed_first_save_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    source = SQLiteSource(path)
    source.update(Record("a", {"bad\x00name": 1}))  # SQLite cannot store this column name
    with pytest.raises(SourceError, match="NUL"):
        source.save()
    assert list(tmp_path.iterdir()) == []


# -- tables without a key column ------------------------------------------------------


def keyless_table(path: Path, extra: str = "") -> None:
    with sqlite3.connect(path) as connection:
        connection.execute(f"CREATE TABLE records (Years INTEGER, Salary REAL{extra})")
        connection.executemany(
            "INSERT INTO records (Years, Salary) VALUES (?, ?)", [(0, 10), (1, 20), (2, 30)]
        )
        connection.execute("DELETE FROM records WHERE Years = 1")  # rowids 1 and 3 remain
        connection.execute("INSERT INTO records (Years, Salary) VALUES (3, 40)")
    connection.close()


def test_a_table_without_key_column_is_keyed_by_rowid(tmp_path: Path) -> None:
    path = tmp_path / "plain.sqlite"
    keyless_table(path)
    assert {r.key: r.features() for r in load(path)} == {
        "1": {"Years": 0, "Salary": 10.0},
        "3": {"Years": 2, "Salary": 30.0},
        "4": {"Years": 3, "Salary": 40.0},
    }
    frame = as_frame(path)
    assert frame.index.tolist() == ["1", "3", "4"]
    assert frame["Salary"].tolist() == [10.0, 30.0, 40.0]
    assert SQLiteSource(path).record(3).feature("Years") == 2


def test_a_table_without_key_column_trains_a_model(tmp_path: Path) -> None:
    from dffml_nb.high_level import predict, train
    from dffml_nb.model import Model

    path = tmp_path / "plain.sqlite"
    keyless_table(path)
    model = train(Model.load("scikitlr")(features=["Years:int:1"], predict="Salary:float:1"), path)
    (record,) = predict(model, {"Years": 5})
    assert round(record.prediction("Salary").value) == 60


def test_a_table_without_key_column_is_updated_by_rowid(tmp_path: Path) -> None:
    path = tmp_path / "plain.sqlite"
    keyless_table(path)
    save(path, Record("3", {"Salary": 33.0, "Note": "x"}), Record("9", {"Years": 9}))
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT rowid, * FROM records ORDER BY rowid").fetchall()
        columns = [row[1] for row in connection.execute("PRAGMA table_info(records)")]
    connection.close()
    assert "key" not in columns  # the user's table keeps its layout (plus the new feature)
    assert rows == [
        (1, 0, 10.0, None),
        (3, 2, 33.0, "x"),
        (4, 3, 40.0, None),
        (9, 9, None, None),
    ]
    with pytest.raises(SourceError) as raised:
        save(path, Record("alice", {"Years": 1}))
    message = str(raised.value)
    assert "'alice'" in message and "rowid" in message and "'key' column" in message


def test_a_column_named_rowid_does_not_hide_the_rows_keys(tmp_path: Path) -> None:
    path = tmp_path / "odd.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE records (rowid TEXT, x)")
        connection.execute("INSERT INTO records VALUES ('not a key', 1)")
    connection.close()
    assert load(path) == [Record("1", {"rowid": "not a key", "x": 1})]


def test_a_without_rowid_table_without_key_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "odd.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE records (id TEXT PRIMARY KEY, x) WITHOUT ROWID")
    connection.close()
    with pytest.raises(SourceError, match="no 'key' column") as raised:
        load(path)
    assert str(path) in str(raised.value)


def test_a_missing_rowid_key_says_how_rows_are_keyed(tmp_path: Path) -> None:
    path = tmp_path / "plain.sqlite"
    keyless_table(path)
    with pytest.raises(KeyError, match="no record with key '2'.*keyed by rowid"):
        SQLiteSource(path).record(2)
