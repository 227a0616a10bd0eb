"""Sources: memory, CSV, JSON, DataFrame and SQLite behind one API;
open_source / as_frame / coerce; atomic writes; high-level load and save."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from dffml_nb import plugins
from dffml_nb.high_level import load, save
from dffml_nb.record import Prediction, Record
from dffml_nb.source import (
    CSVSource,
    DataFlowSource,
    DataFrameSource,
    JSONSource,
    MemorySource,
    Source,
    SourceError,
    SQLiteSource,
    as_frame,
    coerce,
    open_source,
    source_class,
)

# DFFML's quickstart training data
QUICKSTART = [
    {"Years": 0, "Expertise": 1, "Trust": 0.1, "Salary": 10},
    {"Years": 1, "Expertise": 3, "Trust": 0.2, "Salary": 20},
    {"Years": 2, "Expertise": 5, "Trust": 0.3, "Salary": 30},
    {"Years": 3, "Expertise": 7, "Trust": 0.4, "Salary": 40},
]
QUICKSTART_CSV = "Years,Expertise,Trust,Salary\n0,1,0.1,10\n1,3,0.2,20\n2,5,0.3,30\n3,7,0.4,40\n"
TYPES = {"Years": int, "Expertise": int, "Trust": float, "Salary": int}


def quickstart_records() -> list[Record]:
    return [Record(str(i), row) for i, row in enumerate(QUICKSTART)]


def write_quickstart(kind: str, directory: Path) -> object:
    """The quickstart data as ``kind``: a file path, a DataFrame or dict rows."""
    if kind == "csv":
        path = directory / "training.csv"
        path.write_text(QUICKSTART_CSV)
        return path
    if kind == "json":
        path = directory / "training.json"
        records = {str(i): {"features": row} for i, row in enumerate(QUICKSTART)}
        path.write_text(json.dumps({"records": records}))
        return path
    if kind == "json-rows":
        path = directory / "rows.json"
        path.write_text(json.dumps(QUICKSTART))
        return path
    if kind == "sqlite":
        path = directory / "training.sqlite"
        with sqlite3.connect(path) as connection:
            connection.execute(
                'CREATE TABLE records ("key" TEXT PRIMARY KEY, Years, Expertise, Trust, Salary)'
            )
            connection.executemany(
                "INSERT INTO records VALUES (?, ?, ?, ?, ?)",
                [(str(i), *row.values()) for i, row in enumerate(QUICKSTART)],
            )
        connection.close()
        return path
    if kind == "dataframe":
        return pd.DataFrame(QUICKSTART)
    if kind == "dicts":
        return [dict(row) for row in QUICKSTART]
    if kind == "records":
        return quickstart_records()
    raise AssertionError(kind)


KINDS = ["csv", "json", "json-rows", "sqlite", "dataframe", "dicts", "records"]


# -- the quickstart data loads the same from everywhere --------------------


@pytest.mark.parametrize("kind", KINDS)
def test_quickstart_loads_the_same(kind: str, tmp_path: Path) -> None:
    records = load(write_quickstart(kind, tmp_path))
    assert records == quickstart_records()
    for record in records:
        for name, value in record.features().items():
            assert type(value) is TYPES[name], (kind, name, value)


#: data stored without keys: frames keep a RangeIndex (keys are positions)
KEYLESS = {"csv", "json-rows", "dataframe", "dicts"}


@pytest.mark.parametrize("kind", KINDS)
def test_quickstart_frame_is_the_same(kind: str, tmp_path: Path) -> None:
    frame = as_frame(write_quickstart(kind, tmp_path))
    assert frame.index.name == "key"
    if kind in KEYLESS:
        pd.testing.assert_index_equal(frame.index, pd.RangeIndex(4, name="key"))
    else:
        assert frame.index.tolist() == ["0", "1", "2", "3"]
    assert list(frame.columns) == ["Years", "Expertise", "Trust", "Salary"]
    assert {name: frame[name].dtype.kind for name in frame.columns} == {
        "Years": "i",
        "Expertise": "i",
        "Trust": "f",
        "Salary": "i",
    }
    assert frame["Trust"].tolist() == [0.1, 0.2, 0.3, 0.4]


# -- round trips through every source --------------------------------------


def sample_records() -> list[Record]:
    records = quickstart_records()
    records[1].predicted("Salary", 21.5, 0.75)
    records[2].predicted("Salary", 29.0, None)
    records.append(Record("extra key", {"Years": 9, "Name": 'O\'Brien, "Bob"'}))
    return records


SOURCES = {
    "csv": lambda d: CSVSource(d / "data.csv"),
    "json": lambda d: JSONSource(d / "data.json"),
    "sqlite": lambda d: SQLiteSource(d / "data.db"),
    "sqlite-table": lambda d: SQLiteSource(d / "data.sqlite3", table="salaries"),
}


@pytest.mark.parametrize("kind", SOURCES)
def test_round_trip(kind: str, tmp_path: Path) -> None:
    with SOURCES[kind](tmp_path) as source:
        for record in sample_records():
            source.update(record)
    reopened = SOURCES[kind](tmp_path)
    assert list(reopened.records()) == sample_records()
    assert reopened.record("1").prediction("Salary") == Prediction(21.5, 0.75)
    assert reopened.record("2").prediction("Salary") == Prediction(29.0, None)
    assert len(reopened) == 5
    assert "extra key" in reopened
    assert [record.key for record in reopened] == ["0", "1", "2", "3", "extra key"]


def test_round_trip_memory_and_dataframe() -> None:
    memory = MemorySource(sample_records())
    assert list(memory.records()) == sample_records()
    frame_source = DataFrameSource()
    for record in sample_records():
        frame_source.update(record)
    frame_source.save()
    assert list(DataFrameSource(frame_source.frame).records()) == sample_records()


def test_dataframe_source_keys_and_no_mutation() -> None:
    frame = pd.DataFrame(QUICKSTART, index=["a", "b", "c", "d"])
    original = frame.copy()
    source = DataFrameSource(frame)
    assert [record.key for record in source.records()] == ["a", "b", "c", "d"]
    record = source.record("b")
    record.predicted("Salary", 19.0, 0.5)
    source.update(record)
    source.save()
    pd.testing.assert_frame_equal(frame, original)  # the caller's DataFrame is untouched
    assert source.frame.loc["b", "prediction_Salary"] == 19.0
    keyed = DataFrameSource(pd.DataFrame({"id": ["x", "y"], "a": [1, 2]}), key="id")
    assert keyed.record("y").features() == {"a": 2}
    assert keyed.to_frame().index.tolist() == ["x", "y"]
    keyed.update(Record("z", {"a": 3}))
    keyed.save()
    assert keyed.frame["id"].tolist() == ["x", "y", "z"]


def test_predictions_in_csv_columns(tmp_path: Path) -> None:
    path = tmp_path / "predictions.csv"
    save(path, *sample_records())
    header = path.read_text().splitlines()[0].split(",")
    assert header[0] == "key"
    assert "prediction_Salary" in header and "confidence_Salary" in header
    frame = pd.read_csv(path)
    assert frame.loc[1, "prediction_Salary"] == 21.5
    assert frame.loc[1, "confidence_Salary"] == 0.75
    # a file written by something else, in DFFML's layout, reads back as predictions
    path.write_text("Years,Salary,prediction_Salary,confidence_Salary\n1,20,19.5,0.5\n")
    (record,) = load(path)
    assert record.features() == {"Years": 1, "Salary": 20}
    assert record.prediction("Salary") == Prediction(19.5, 0.5)
    frame = CSVSource(path).to_frame()
    assert list(frame.columns) == ["Years", "Salary"]  # predictions are not features
    frame = CSVSource(path).to_frame(predictions=True)
    assert list(frame.columns) == ["Years", "Salary", "prediction_Salary", "confidence_Salary"]


def test_predictions_in_sqlite_columns(tmp_path: Path) -> None:
    path = tmp_path / "predictions.db"
    save(path, *sample_records())
    connection = sqlite3.connect(path)
    columns = [row[1] for row in connection.execute("PRAGMA table_info(records)")]
    row = connection.execute(
        'SELECT "prediction_Salary", "confidence_Salary", Years FROM records WHERE "key" = ?',
        ("1",),
    ).fetchone()
    connection.close()
    assert columns[0] == "key"
    assert "prediction_Salary" in columns and "confidence_Salary" in columns
    assert row == (21.5, 0.75, 1)  # Years stays an integer: no column type forces REAL
    frame = SQLiteSource(path).to_frame(["Years", "Trust"], predictions=True)
    assert list(frame.columns) == ["Years", "Trust", "prediction_Salary", "confidence_Salary"]
    assert frame.loc["1", "prediction_Salary"] == 21.5


# -- CSV conventions ----------------------------------------------------------


def test_csv_keys(tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text("a,b\n1,x\n2,y\n")
    assert [r.key for r in CSVSource(plain).records()] == ["0", "1"]
    keyed = tmp_path / "keyed.csv"
    keyed.write_text("key,a\n007,1\nabc,2\n")
    assert [r.key for r in CSVSource(keyed).records()] == ["007", "abc"]  # text, not 7
    assert CSVSource(keyed).to_frame().index.tolist() == ["007", "abc"]
    custom = tmp_path / "custom.csv"
    custom.write_text("id,a\n10,1\n20,2\n")
    source = CSVSource(custom, key="id")
    assert source.record(20).features() == {"a": 2}
    source.update(Record("30", {"a": 3}))
    source.save()
    assert custom.read_text().splitlines()[0] == "id,a"
    with pytest.raises(SourceError, match="'nokey'"):
        CSVSource(custom, key="nokey").to_frame()


def test_csv_numbers_and_missing_cells(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("a,b,c\n1,2.5,x\n2,,y\n")
    first, second = load(path)
    assert first.features() == {"a": 1, "b": 2.5, "c": "x"}
    assert type(first.feature("a")) is int
    assert second.features() == {"a": 2, "c": "y"}  # an empty cell is a missing feature


def test_csv_empty_and_header_only(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert load(empty) == []
    header = tmp_path / "header.csv"
    header.write_text("a,b\n")
    assert load(header) == []
    assert list(CSVSource(header).to_frame().columns) == ["a", "b"]


def test_keyless_csv_keeps_range_index_and_keys_records_by_position(tmp_path: Path) -> None:
    path = write_quickstart("csv", tmp_path)
    frame = CSVSource(path).to_frame()
    pd.testing.assert_index_equal(frame.index, pd.RangeIndex(4, name="key"))
    source = CSVSource(path)
    assert source.record("2").features()["Years"] == 2
    assert source.record(3).key == "3"
    assert [record.key for record in source.records()] == ["0", "1", "2", "3"]
    for key in ("nope", "4", "02", "-1"):
        with pytest.raises(KeyError) as raised:
            source.record(key)
        message = str(raised.value)
        assert repr(key) in message and str(path) in message
        assert "keyed by position, '0' to '3'" in message
    keyed = tmp_path / "keyed.csv"
    keyed.write_text("key,a\n0,1\n1,2\n")
    assert CSVSource(keyed).to_frame().index.tolist() == ["0", "1"]  # a key column: str keys
    with pytest.raises(KeyError) as raised:
        CSVSource(keyed).record("2")
    assert "position" not in str(raised.value)


def test_keyless_dataframe_and_dict_rows_keep_range_index() -> None:
    frame = pd.DataFrame(QUICKSTART)
    result = DataFrameSource(frame).to_frame(["Years"])
    pd.testing.assert_index_equal(result.index, pd.RangeIndex(4, name="key"))
    assert frame.index.name is None  # the caller's frame is untouched
    assert DataFrameSource(frame).record("1").features() == QUICKSTART[1]
    with pytest.raises(KeyError, match="'x' in DataFrame.*keyed by position"):
        DataFrameSource(frame).record("x")
    shifted = frame.iloc[2:]  # not positions any more: its labels are the keys
    assert DataFrameSource(shifted).to_frame().index.tolist() == ["2", "3"]
    memory = MemorySource(QUICKSTART)
    pd.testing.assert_index_equal(memory.to_frame().index, pd.RangeIndex(4, name="key"))
    memory.update(Record("new", {"Years": 9}))
    assert memory.to_frame().index.tolist() == ["0", "1", "2", "3", "new"]
    assert MemorySource(quickstart_records()).to_frame().index.tolist() == ["0", "1", "2", "3"]


# -- JSON conventions -----------------------------------------------------------


def test_json_dffml_layout_and_other_tags(tmp_path: Path) -> None:
    path = tmp_path / "tagged.json"
    path.write_text(
        json.dumps(
            {
                "untagged": {
                    "a": {"key": "a", "features": {"x": 1}, "prediction": {"y": {"value": 2}}}
                }
            }
        )
    )
    (record,) = load(path)
    assert record == Record("a", {"x": 1}, {"y": Prediction(2, None)})
    source = JSONSource(path)
    source.update(Record("b", {"x": 2}))
    source.save()
    data = json.loads(path.read_text())
    assert list(data) == ["untagged"]  # written back under the tag the file uses
    assert data["untagged"]["b"]["features"] == {"x": 2}
    path.write_text(json.dumps({"records": {"k": {"features": {"x": 1}}}, "notes": [1, 2]}))
    source = JSONSource(path)
    source.update(Record("k", {"x": 5}))
    source.save()
    data = json.loads(path.read_text())
    assert data["notes"] == [1, 2]  # other tags are kept
    assert data["records"]["k"]["features"] == {"x": 5}


def test_json_writes_numpy_values(tmp_path: Path) -> None:
    import numpy as np

    path = tmp_path / "numpy.json"
    save(path, Record("k", {"a": np.int64(3), "b": np.float32(0.5)}))
    assert load(path)[0].features() == {"a": 3, "b": 0.5}


# -- open_source ------------------------------------------------------------------


def test_open_source_by_object_and_suffix(tmp_path: Path) -> None:
    source = MemorySource()
    assert open_source(source) is source
    assert isinstance(open_source(pd.DataFrame(QUICKSTART)), DataFrameSource)
    assert isinstance(open_source(QUICKSTART), MemorySource)
    assert isinstance(open_source(quickstart_records()), MemorySource)
    assert list(open_source({"a": 1}).records()) == [Record("0", {"a": 1})]
    assert list(open_source(Record("r", {"a": 1})).records()) == [Record("r", {"a": 1})]
    expected = {
        "a.csv": CSVSource,
        "a.json": JSONSource,
        "a.sqlite": SQLiteSource,
        "a.db": SQLiteSource,
        "a.sqlite3": SQLiteSource,
        "A.CSV": CSVSource,
    }
    for name, cls in expected.items():
        assert type(open_source(tmp_path / name)) is cls
        assert type(open_source(str(tmp_path / name))) is cls
    assert open_source(tmp_path / "x.db", table="salaries").table == "salaries"
    with pytest.raises(TypeError, match="int"):
        open_source(42)


def test_open_source_by_name(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_text("a\n1\n")
    source = open_source(path, name="csv")
    assert isinstance(source, CSVSource)
    assert load(path, name="csv") == [Record("0", {"a": 1})]
    assert isinstance(open_source(QUICKSTART, name="memory"), MemorySource)
    assert isinstance(open_source(name="json", filename=tmp_path / "x.json"), JSONSource)
    with pytest.raises(
        plugins.PluginError,
        match="known sources: csv, dataflow, dataframe, df, dfpreprocess, json, memory, sqlite",
    ):
        open_source(path, name="parquet")


def test_unsupported_suffix(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as raised:
        open_source(tmp_path / "data.parquet")
    message = str(raised.value)
    assert "data.parquet" in message
    assert "'.parquet'" in message
    for suffix in (".csv", ".json", ".sqlite", ".db", ".sqlite3"):
        assert suffix in message


def test_sources_registered_as_entry_points() -> None:
    builtin = {"memory", "csv", "json", "dataframe", "sqlite", "df"}
    assert set(plugins.names("source")) >= builtin | {"dataflow", "dfpreprocess"}
    assert plugins.load("source", "csv") is CSVSource
    assert plugins.load("source", "dataframe") is DataFrameSource  # DFFML's name
    assert plugins.load("source", "df") is DataFlowSource  # DFFML's df: a flow over a source
    assert plugins.load("source", "dataflow") is DataFlowSource
    assert plugins.load("source", "dfpreprocess") is DataFlowSource  # DFFML's later name
    assert plugins.load("source", "sqlite") is SQLiteSource
    for name in builtin:
        cls = plugins.load("source", name)
        assert issubclass(cls, Source) and cls.kind == name
        assert source_class(name) is cls
    # pyproject.toml: the one list
    assert set(plugins.builtins("source")) == builtin | {"dataflow", "dfpreprocess"}


# -- as_frame ---------------------------------------------------------------------


def test_as_frame_combines_everything(tmp_path: Path) -> None:
    csv_path = write_quickstart("csv", tmp_path)
    frame = as_frame(
        {"Years": 10, "Salary": 100},
        Record("r", {"Years": 11, "Salary": 110}),
        csv_path,
        pd.DataFrame({"Years": [12], "Salary": [120]}, index=["df"]),
        MemorySource([{"key": "m", "Years": 13, "Salary": 130}]),
        [{"Years": 14, "Salary": 140}],
        columns=["Years", "Salary"],
    )
    assert frame["Years"].tolist() == [10, 11, 0, 1, 2, 3, 12, 13, 14]
    # keys given by the data stay; key-less rows (the CSV file, the last dict
    # row) are keyed by their position in the result
    assert frame.index.tolist() == ["0", "r", "2", "3", "4", "5", "df", "m", "8"]
    assert frame.index.name == "key"
    assert list(frame.columns) == ["Years", "Salary"]


def test_as_frame_single_rows_are_keyed_in_order() -> None:
    frame = as_frame({"Years": 6}, {"Years": 7})
    pd.testing.assert_index_equal(frame.index, pd.RangeIndex(2, name="key"))
    assert frame["Years"].tolist() == [6, 7]


def test_as_frame_renumbers_several_keyless_inputs(tmp_path: Path) -> None:
    path = write_quickstart("csv", tmp_path)
    frame = as_frame(path, pd.DataFrame(QUICKSTART[:2]), path, columns=["Years"])
    pd.testing.assert_index_equal(frame.index, pd.RangeIndex(10, name="key"))
    assert frame["Years"].tolist() == [0, 1, 2, 3, 0, 1, 0, 1, 2, 3]
    assert not frame.index.has_duplicates
    empty = as_frame(allow_empty=True, columns=["Years"])
    assert len(empty) == 0 and empty.index.name == "key"


def test_as_frame_missing_column_names_column_and_file(tmp_path: Path) -> None:
    good = write_quickstart("csv", tmp_path)
    bad = tmp_path / "other.csv"
    bad.write_text("Years,Trust\n1,0.5\n")
    with pytest.raises(SourceError) as raised:
        as_frame(good, bad, columns=["Years", "Salary"])
    message = str(raised.value)
    assert "'Salary'" in message
    assert str(bad) in message
    assert "'Years', 'Trust'" in message
    for data in (pd.DataFrame({"Years": [1]}), [{"Years": 1}], tmp_path / "x.json"):
        if isinstance(data, Path):
            save(data, Record("0", {"Years": 1}))
        with pytest.raises(SourceError, match="'Salary' is missing from .*'Years'"):
            as_frame(data, columns=["Salary"])


def test_as_frame_requires_rows(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no data given"):
        as_frame()
    header = tmp_path / "header.csv"
    header.write_text("Years,Salary\n")
    with pytest.raises(SourceError, match=f"no rows in {header}"):
        as_frame(header)
    with pytest.raises(SourceError, match="no rows"):
        as_frame([])
    with pytest.raises(SourceError, match="no rows in memory source"):
        as_frame([], columns=["Years"])
    assert len(as_frame(header, allow_empty=True)) == 0


def test_as_frame_features_convert(tmp_path: Path) -> None:
    path = write_quickstart("csv", tmp_path)
    frame = as_frame(path, features=["Years:float:1", "Salary:int:1", "Trust:str:1"])
    assert list(frame.columns) == ["Years", "Salary", "Trust"]
    assert frame["Years"].dtype == "float64"
    assert frame["Salary"].dtype == "int64"
    assert frame["Trust"].tolist() == ["0.1", "0.2", "0.3", "0.4"]


def test_to_frame_keys(tmp_path: Path) -> None:
    for kind in ("csv", "json", "sqlite", "dataframe", "dicts", "records"):
        frame = open_source(write_quickstart(kind, tmp_path)).to_frame(["Salary"])
        expected = list(range(4)) if kind in KEYLESS else ["0", "1", "2", "3"]
        assert frame.index.tolist() == expected, kind
        assert frame.index.name == "key"
        assert list(frame.columns) == ["Salary"]


# -- converting values ------------------------------------------------------------------


def test_unconvertible_value_names_file_line_column_value(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("Years,Salary\n1,10\n2,20\nabc,30\n")
    with pytest.raises(SourceError) as raised:
        as_frame(path, features=["Years:int:1", "Salary:float:1"])
    message = str(raised.value)
    assert str(path) in message
    assert "line 4" in message
    assert "'Years'" in message
    assert "'abc'" in message
    with pytest.raises(SourceError, match="line 4.*'abc'"):
        load(path, features=["Years:int:1"])


def test_unconvertible_value_line_counts_multiline_rows_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "multiline.csv"
    path.write_text('Note,Years\n"two\nlines",1\n\n"ok",2\n"x",abc\n')
    assert as_frame(path)["Note"].tolist() == ["two\nlines", "ok", "x"]
    with pytest.raises(SourceError, match=r"line 6, column 'Years': cannot convert 'abc'"):
        as_frame(path, features=["Years:int"])


def test_empty_key_names_line(tmp_path: Path) -> None:
    path = tmp_path / "keys.csv"
    path.write_text("key,a\nx,1\n,2\n")
    with pytest.raises(SourceError, match=r"keys.csv, line 3: empty key"):
        load(path)


def test_unconvertible_value_outside_files_names_record() -> None:
    frame = pd.DataFrame({"Years": [1, 2.5]}, index=["a", "b"])
    with pytest.raises(
        SourceError, match=r"record 'b', column 'Years': cannot convert 2\.5 to int"
    ):
        coerce(frame, ["Years:int:1"], "my frame")


def test_coerce_dtypes() -> None:
    frame = pd.DataFrame(
        {
            "i": ["1", "2", None],
            "f": [1, 2, 3],
            "s": [1, "x", None],
            "b": ["yes", "False", "1"],
            "v": [[1, 2], [3, 4], [5, 6]],
        },
        index=["a", "b", "c"],
    )
    original = frame.copy()
    result = coerce(frame, ["i:int", "f:float", "s:str", "b:bool", "v:float:2"])
    assert result["i"].dtype == "Int64" and result["i"].tolist()[:2] == [1, 2]
    assert result["f"].dtype == "float64"
    assert result["s"].tolist()[:2] == ["1", "x"] and pd.isna(result["s"].iloc[2])
    assert result["b"].tolist() == [True, False, True]
    assert result["v"].tolist() == [[1, 2], [3, 4], [5, 6]]  # vectors are left alone
    pd.testing.assert_frame_equal(frame, original)  # the input is untouched
    with pytest.raises(SourceError, match="'maybe'"):
        coerce(pd.DataFrame({"b": ["maybe"]}), ["b:bool"])
    with pytest.raises(SourceError, match="'missing' is missing from here"):
        coerce(frame, ["missing:int"], "here")


def test_coerce_leaves_columns_of_the_right_dtype_alone() -> None:
    frame = pd.DataFrame({"f": [0.5, None], "i": [1, 2], "s": ["a", "b"]})
    assert coerce(frame, ["f:float", "i:int", "s:str"]) is frame  # no copy, nothing converted
    converted = coerce(frame, ["i:float"])
    assert converted["i"].dtype == "float64" and frame["i"].dtype == "int64"


def test_csv_column_subsets_read_alike(tmp_path: Path) -> None:
    """Few of many columns are parsed alone (usecols); most are read whole and
    selected: the frame, dtypes, keys and error lines are the same either way."""
    path = tmp_path / "wide.csv"
    names = [f"c{i}" for i in range(9)]
    rows = [",".join(str(10 * row + i) for i in range(9)) for row in range(3)]
    path.write_text(",".join(names) + "\n" + "\n".join(rows) + "\n")
    for wanted in (["c7", "c1"], names[:8]):
        frame = CSVSource(path).to_frame(wanted)
        assert list(frame.columns) == wanted
        assert frame["c1"].tolist() == [1, 11, 21] and frame["c1"].dtype == "int64"
        pd.testing.assert_index_equal(frame.index, pd.RangeIndex(3, name="key"))
    path.write_text(path.read_text().replace("\n20,", "\n20x,"))
    for wanted in (["c1", "c0"], names[:8]):
        with pytest.raises(SourceError, match=r"line 4, column 'c0': cannot convert '20x'"):
            as_frame(path, features=[f"{name}:int" for name in wanted])


def test_str_features_keep_text(tmp_path: Path) -> None:
    path = tmp_path / "zip.csv"
    path.write_text("zip,n\n01234,1\n")
    frame = as_frame(path, features=["zip:str", "n:int"])
    assert frame["zip"].tolist() == ["01234"]


# -- errors: missing keys, files, malformed data ---------------------------------


@pytest.mark.parametrize("kind", SOURCES)
def test_missing_record_key(kind: str, tmp_path: Path) -> None:
    source = SOURCES[kind](tmp_path)
    save(source, Record("a", {"x": 1}))
    with pytest.raises(KeyError) as raised:
        SOURCES[kind](tmp_path).record("nope")
    assert "'nope'" in str(raised.value)
    assert source.origin in str(raised.value)


def test_missing_record_key_in_memory() -> None:
    with pytest.raises(KeyError, match="'nope' in memory source"):
        MemorySource(QUICKSTART).record("nope")


@pytest.mark.parametrize("kind", SOURCES)
def test_missing_file_to_read_is_an_error(kind: str, tmp_path: Path) -> None:
    source = SOURCES[kind](tmp_path)
    with pytest.raises(FileNotFoundError, match=str(source.filename)):
        list(source.records())
    with pytest.raises(FileNotFoundError, match=str(source.filename)):
        source.to_frame()
    assert not source.filename.exists()


@pytest.mark.parametrize("kind", SOURCES)
def test_missing_file_is_created_on_save(kind: str, tmp_path: Path) -> None:
    source = SOURCES[kind](tmp_path)
    source.update(Record("a", {"x": 1}))
    source.save()
    assert source.filename.exists()
    assert list(SOURCES[kind](tmp_path).records()) == [Record("a", {"x": 1})]


def test_malformed_json_names_file_and_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"records": {\n  "a": {"features": {"x": 1,}}\n}}')
    with pytest.raises(SourceError) as raised:
        load(path)
    message = str(raised.value)
    assert str(path) in message
    assert "line 2" in message and "column" in message


def test_unrecognised_json_layout(tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    path.write_text("[1, 2]")
    with pytest.raises(SourceError, match="odd.json"):
        load(path)
    path.write_text('{"records": [1, 2]}')
    with pytest.raises(SourceError, match="odd.json"):
        load(path)


def test_sqlite_table_names_cannot_inject(tmp_path: Path) -> None:
    for table in ('x"; DROP TABLE records; --', "1abc", "sqlite_master", "a b", ""):
        with pytest.raises(ValueError, match="invalid SQLite table name"):
            SQLiteSource(tmp_path / "x.db", table=table)


def test_sqlite_odd_column_names_and_missing_table(tmp_path: Path) -> None:
    path = tmp_path / "odd.db"
    record = Record("k", {'we"ird name': 1, "select": "x", "key2": None})
    save(path, record)
    assert load(path) == [Record("k", {'we"ird name': 1, "select": "x"})]
    assert SQLiteSource(path).to_frame(['we"ird name'])['we"ird name'].tolist() == [1]
    with pytest.raises(SourceError, match="no table 'other'.*'records'"):
        list(SQLiteSource(path, table="other").records())
    save(SQLiteSource(path, table="other"), Record("o", {"y": 2}))  # a second table
    assert load(path, table="other") == [Record("o", {"y": 2})]
    assert load(path) == [Record("k", {'we"ird name': 1, "select": "x"})]


# -- update, save, context manager --------------------------------------------------


def test_update_merges(tmp_path: Path) -> None:
    path = write_quickstart("csv", tmp_path)
    source = CSVSource(path)
    source.update(Record("1", {"Years": 100}, {"Salary": (25.0, 0.5)}))
    source.update(Record("new", {"Years": 5}))
    assert source.record("1").features() == {
        "Years": 100,
        "Expertise": 3,
        "Trust": 0.2,
        "Salary": 20,
    }
    source.save()
    reloaded = CSVSource(path)
    assert reloaded.record("1").prediction("Salary") == Prediction(25.0, 0.5)
    assert reloaded.record("new").features() == {"Years": 5}
    assert len(reloaded) == 5
    with pytest.raises(TypeError):
        source.update({"Years": 1})  # type: ignore[arg-type]


def test_context_manager_saves_only_when_modified_and_clean(tmp_path: Path) -> None:
    path = tmp_path / "cm.csv"
    with CSVSource(path) as source:
        assert not source.modified
    assert not path.exists()  # unmodified: nothing written
    with pytest.raises(RuntimeError), CSVSource(path) as source:
        source.update(Record("a", {"x": 1}))
        raise RuntimeError("boom")
    assert not path.exists()  # an exception: nothing written
    with CSVSource(path) as source:
        source.update(Record("a", {"x": 1}))
    assert load(path) == [Record("a", {"x": 1})]
    before = path.stat().st_mtime_ns
    with CSVSource(path) as source:
        list(source.records())
    assert path.stat().st_mtime_ns == before


def test_update_frame_writes_predictions_back(tmp_path: Path) -> None:
    path = write_quickstart("csv", tmp_path)
    source = CSVSource(path)
    predictions = pd.DataFrame(
        {"prediction_Salary": [11.0, 19.0], "confidence_Salary": [0.9, 0.8]}, index=["0", "1"]
    )
    source.update_frame(predictions)
    source.save()
    frame = CSVSource(path).to_frame(predictions=True)
    assert frame.loc["1", "prediction_Salary"] == 19.0
    assert frame.loc["1", "Salary"] == 20
    assert load(path)[0].prediction("Salary") == Prediction(11.0, 0.9)
    assert pd.isna(frame.loc["3", "prediction_Salary"])
    built = MemorySource.from_frame(pd.DataFrame(QUICKSTART))
    assert list(built.records()) == quickstart_records()


def test_to_frame_after_update_reflects_memory(tmp_path: Path) -> None:
    source = CSVSource(write_quickstart("csv", tmp_path))
    source.update(Record("0", {"Years": 50}))
    assert source.to_frame(["Years"])["Years"].tolist() == [50, 1, 2, 3]


# -- atomic writes --------------------------------------------------------------------


def leftovers(directory: Path) -> list[str]:
    return sorted(name for name in os.listdir(directory) if name.endswith(".tmp"))


def test_csv_write_failing_halfway_keeps_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_quickstart("csv", tmp_path)
    original = path.read_text()
    source = CSVSource(path)
    source.update(Record("new", {"Years": 5}))

    def half_then_fail(self: pd.DataFrame, handle: object, **kwargs: object) -> None:
        handle.write("key,Years\n0,0\n")  # type: ignore[attr-defined]
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        source.save()
    assert path.read_text() == original
    assert leftovers(tmp_path) == []


def test_json_write_failing_halfway_keeps_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_quickstart("json", tmp_path)
    original = path.read_text()
    source = JSONSource(path)
    source.update(Record("new", {"Years": 5}))

    def half_then_fail(data: object, handle: object, **kwargs: object) -> None:
        handle.write('{"records": {')  # type: ignore[attr-defined]
        raise OSError("disk full")

    monkeypatch.setattr("dffml_nb.source.json.json.dump", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        source.save()
    assert path.read_text() == original
    assert leftovers(tmp_path) == []


def test_sqlite_write_failing_halfway_rolls_back(tmp_path: Path) -> None:
    path = write_quickstart("sqlite", tmp_path)
    source = SQLiteSource(path)
    source.update(Record("0", {"Years": 100}))
    source.update(Record("new", {"Years": 5, "Fresh": 1}))
    source.update(Record("bad", {"Years": object()}))  # sqlite3 cannot store this
    with pytest.raises(SourceError, match="record 'bad', column 'Years'"):
        source.save()
    assert load(path) == quickstart_records()  # row "0" unchanged, "new" not added
    columns = [row[1] for row in sqlite3.connect(path).execute("PRAGMA table_info(records)")]
    assert "Fresh" not in columns  # the schema change was rolled back too


def test_sqlite_failed_first_save_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with pytest.raises(SourceError):
        save(path, Record("bad", {"x": object()}))
    assert not path.exists()


def test_atomic_write_keeps_permissions(tmp_path: Path) -> None:
    path = write_quickstart("csv", tmp_path)
    path.chmod(0o640)
    save(path, Record("n", {"Years": 1}))
    assert path.stat().st_mode & 0o777 == 0o640


# -- high level -----------------------------------------------------------------------


def test_save_merges_and_appends(tmp_path: Path) -> None:
    path = write_quickstart("csv", tmp_path)
    source = save(path, {"Years": 4, "Salary": 50}, Record("0", {"Salary": 11}))
    assert isinstance(source, CSVSource)
    records = {record.key: record for record in load(path)}
    assert records["4"].features() == {"Years": 4, "Salary": 50}  # appended, not merged into "0"
    assert records["0"].features()["Salary"] == 11
    assert records["0"].features()["Years"] == 0
    save(path, [{"key": "1", "Years": 99}], pd.DataFrame({"Years": [7]}, index=["df"]))
    assert load(path, features=["Years:int"])[1].features() == {"Years": 99}
    assert CSVSource(path).record("df").feature("Years") == 7
    frame_source = save(pd.DataFrame(QUICKSTART), Record("0", {"Years": 42}))
    assert frame_source.frame.loc["0", "Years"] == 42


def test_load_with_features_converts(tmp_path: Path) -> None:
    path = write_quickstart("csv", tmp_path)
    records = load(path, features=["Years:float:1", "Salary:str:1"])
    assert records[0].features() == {"Years": 0.0, "Salary": "10"}
    assert type(records[0].feature("Years")) is float


def test_frame_columns_that_are_not_text_name_features_as_text() -> None:
    # a DataFrame without a header row: columns 0, 1 (found by mypy: the fast path kept ints)
    records = load(pd.DataFrame([[1, 2], [3, 4]]))
    assert records[0].features() == {"0": 1, "1": 2}
    assert records[1].feature("1") == 4


def test_coerce_refuses_duplicate_columns() -> None:
    frame = pd.DataFrame([[1, 2]], columns=["x", "x"])
    with pytest.raises(SourceError, match="'x' appears twice"):
        coerce(frame, ["x:int"], "frame")
