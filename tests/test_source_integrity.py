"""Nothing read from a source is dropped: duplicate keys and duplicate column
names are refused with an error naming them and where they are, and good files
survive load -> update -> save round trips with every row."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from dffml_nb.high_level import load, save
from dffml_nb.record import Record
from dffml_nb.source import (
    CSVSource,
    DataFrameSource,
    DuplicateKeyError,
    JSONSource,
    MemorySource,
    SourceError,
    WriteConflictError,
    as_frame,
    open_source,
)

DUPLICATE_CSV = "key,x,y\na,1,10\nb,2,20\na,3,30\n"


def assert_refused(error: pytest.ExceptionInfo[BaseException], *parts: str) -> None:
    message = str(error.value)
    for part in parts:
        assert part in message, (part, message)
    assert "unique" in message  # says what would be right


# -- duplicate keys ------------------------------------------------------------------


def test_csv_duplicate_key_is_refused_naming_key_and_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(DUPLICATE_CSV)
    with pytest.raises(DuplicateKeyError) as raised:
        load(path)
    assert_refused(raised, str(path), "'a'", "line 2", "line 4")
    # every record-level access refuses alike, and the file is never rewritten
    source = CSVSource(path)
    with pytest.raises(DuplicateKeyError):
        source.record("b")
    with pytest.raises(DuplicateKeyError):
        save(path, Record("b", {"x": 5}))
    assert path.read_text() == DUPLICATE_CSV


def test_csv_duplicate_key_lines_count_quoted_newlines_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text('key,note\na,"two\nlines"\n\nb,x\na,y\n')
    with pytest.raises(DuplicateKeyError) as raised:
        load(path)
    assert_refused(raised, "'a'", "line 2", "line 6")


def test_csv_with_duplicate_keys_still_trains_on_every_row(tmp_path: Path) -> None:
    # the columnar path keeps every row (keys do not need to be unique to train)
    path = tmp_path / "dup.csv"
    path.write_text(DUPLICATE_CSV)
    frame = as_frame(path)
    assert frame.index.tolist() == ["a", "b", "a"]
    assert frame["x"].tolist() == [1, 2, 3]


def test_json_rows_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    rows = [{"key": "a", "x": 1}, {"key": "b", "x": 2}, {"key": "a", "x": 3}]
    path.write_text("[\n" + ",\n".join(json.dumps(row) for row in rows) + "\n]\n")
    original = path.read_text()
    with pytest.raises(DuplicateKeyError) as raised:
        load(path)
    assert_refused(raised, str(path), "'a'", "line 2", "line 4")
    with pytest.raises(DuplicateKeyError):
        save(path, Record("b", {"x": 5}))
    assert path.read_text() == original


def test_json_rows_key_colliding_with_a_position_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text('[{"key": "1", "x": 1},\n {"x": 2}]')
    with pytest.raises(DuplicateKeyError) as raised:
        load(path)
    assert_refused(raised, "'1'", "line 1", "line 2", "position")


def test_json_dffml_layout_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text(
        '{"records": {\n'
        '  "a": {"features": {"x": 1}},\n'
        '  "b": {"features": {"x": 2}},\n'
        '  "a": {"features": {"x": 3}}\n'
        "}}\n"
    )
    with pytest.raises(DuplicateKeyError) as raised:
        load(path)
    assert_refused(raised, str(path), "'a'", "line 2", "line 4")


def test_json_duplicate_name_inside_a_record_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text('{"records": {"a": {"features": {"x": 1, "x": 2}}}}')
    with pytest.raises(SourceError) as raised:
        load(path)
    message = str(raised.value)
    assert str(path) in message and "'x'" in message and "twice" in message


def test_dataframe_with_duplicate_index_is_refused_for_records() -> None:
    frame = pd.DataFrame({"x": [1, 2, 3]}, index=["a", "b", "a"])
    with pytest.raises(DuplicateKeyError) as raised:
        load(frame)
    assert_refused(raised, "'a'", "row 0", "row 2")
    assert as_frame(frame)["x"].tolist() == [1, 2, 3]  # training reads every row
    keyed = pd.DataFrame({"id": ["a", "a"], "x": [1, 2]})
    with pytest.raises(DuplicateKeyError, match="'a'"):
        DataFrameSource(keyed, key="id").record("a")


def test_saving_a_frame_with_duplicate_index_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    save(path, Record("z", {"x": 0}))
    original = path.read_text()
    frame = pd.DataFrame({"x": [1, 2]}, index=["a", "a"])
    with pytest.raises(DuplicateKeyError) as raised:
        save(path, frame)
    assert_refused(raised, "'a'", "row 0", "row 1")
    assert path.read_text() == original


def test_memory_source_with_duplicate_records_is_refused() -> None:
    with pytest.raises(DuplicateKeyError) as raised:
        MemorySource([Record("a", {"x": 1}), Record("b", {"x": 2}), Record("a", {"x": 3})])
    assert_refused(raised, "'a'", "item 0", "item 2")
    with pytest.raises(DuplicateKeyError):
        open_source([{"key": "k", "x": 1}, {"key": "k", "x": 2}])


@pytest.mark.parametrize("suffix", [".csv", ".json", ".sqlite"])
def test_load_update_save_round_trip_keeps_every_row(suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"data{suffix}"
    rows = [Record(key, {"x": i, "y": 10 * i}) for i, key in enumerate(["a", "b", "c"])]
    save(path, *rows)
    records = load(path)
    assert len(records) == len(as_frame(path)) == 3
    changed = records[1]
    changed.evaluated({"y": -1})
    save(path, changed, Record("d", {"x": 4}))
    again = {record.key: record.features() for record in load(path)}
    assert again == {
        "a": {"x": 0, "y": 0},
        "b": {"x": 1, "y": -1},
        "c": {"x": 2, "y": 20},
        "d": {"x": 4},
    }
    assert len(as_frame(path)) == 4


# -- duplicate column names -----------------------------------------------------------


def test_csv_duplicate_column_is_refused_naming_column_and_file(tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("key,x,y,x\na,1,2,3\n")
    for attempt in (load, as_frame, lambda p: save(p, Record("b", {"y": 1}))):
        with pytest.raises(SourceError) as raised:
            attempt(path)
        message = str(raised.value)
        assert str(path) in message and "'x'" in message
        assert "columns 2 and 4" in message
    assert path.read_text() == "key,x,y,x\na,1,2,3\n"  # nothing was rewritten


def test_dataframe_duplicate_column_is_refused(tmp_path: Path) -> None:
    frame = pd.DataFrame([[1, 2]], columns=["x", "x"])
    with pytest.raises(SourceError, match="'x'"):
        load(frame)
    with pytest.raises(SourceError, match="'x'"):
        as_frame(frame)
    with pytest.raises(SourceError, match="'x'"):
        save(tmp_path / "out.csv", frame)
    assert not (tmp_path / "out.csv").exists()


def test_json_source_is_not_confused_by_a_missing_file(tmp_path: Path) -> None:
    # the duplicate checks must not get in the way of creating a file
    path = tmp_path / "new.json"
    source = JSONSource(path)
    source.update(Record("a", {"x": 1}))
    source.save()
    assert load(path) == [Record("a", {"x": 1})]


# -- files rewritten by another writer meanwhile ------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_a_file_changed_since_it_was_read_is_not_overwritten(suffix: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / f"data{suffix}"
    save(path, Record("a", {"x": 1}))
    mine = open_source(path)
    assert mine.record("a").features() == {"x": 1}
    # another process saves a new record meanwhile
    code = (
        "import sys\nfrom dffml_nb.high_level import save\nfrom dffml_nb.record import Record\n"
        "save(sys.argv[1], Record('theirs', {'x': 2}))\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    after_theirs = path.read_text()
    mine.update(Record("mine", {"x": 3}))
    with pytest.raises(WriteConflictError) as raised:
        mine.save()  # would write back its stale copy without "theirs"
    message = str(raised.value)
    assert str(path) in message and "changed by another writer" in message
    assert path.read_text() == after_theirs
    fresh = open_source(path)  # what the message says to do
    fresh.update(Record("mine", {"x": 3}))
    fresh.save()
    assert {r.key for r in load(path)} == {"a", "theirs", "mine"}


def test_a_file_created_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "new.csv"
    mine = CSVSource(path)
    mine.update(Record("mine", {"x": 1}))  # read: no file yet
    save(path, Record("theirs", {"x": 2}))  # someone else creates it
    with pytest.raises(WriteConflictError, match="created by another writer"):
        mine.save()
    assert [r.key for r in load(path)] == ["theirs"]


def test_saving_again_from_the_same_source_is_not_a_conflict(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    source = JSONSource(path)
    for i in range(3):
        source.update(Record(str(i), {"x": i}))
        source.save()
    assert [r.key for r in load(path)] == ["0", "1", "2"]
