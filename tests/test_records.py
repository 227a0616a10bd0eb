"""``run_records``: each record one context, the flow's results its new features."""

from __future__ import annotations

import csv
import os
import sqlite3
import warnings

import pandas as pd
import pytest

from dffml_nb import DataFlow, Record, op, run_records
from dffml_nb.df import DataFlowError, Input, OperationError, get_single
from dffml_nb.records import RecordList
from dffml_nb.source import SourceError
from dffml_nb.source.flowrun import FailedRecordsWarning, FlowInputWarning


@op
def bonus(Salary: float) -> float:
    if Salary < 0:
        raise ValueError("a negative salary")
    return Salary / 10


@op
def total(Salary: float, bonus: float) -> float:
    return Salary + bonus


@op
def tagged(key: str) -> str:
    return f"record {key}"


@op
def scaled(Salary: float, factor: float) -> float:
    return Salary * factor


FLOW = DataFlow(bonus, total)


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"Salary": [100.0, 50.0, 20.0], "Name": ["a", "b", "c"]}, index=["x", "y", "z"]
    )


# -- shapes --------------------------------------------------------------------------------


def test_dataframe_in_dataframe_out_same_index_never_modified():
    data = frame()
    original = data.copy()
    out = run_records(FLOW, data)
    pd.testing.assert_frame_equal(data, original)
    assert list(out.index) == ["x", "y", "z"]
    # original columns kept, one column per result (total is the leaf: bonus is consumed)
    assert list(out.columns) == ["Salary", "Name", "total"]
    assert out["total"].tolist() == [110.0, 55.0, 22.0]
    assert out.attrs["errors"] == []


def test_records_in_records_out_in_input_order_features_carried_along():
    records = [Record("b", {"Salary": 10.0, "Extra": [1, 2]}), Record("a", {"Salary": 20.0})]
    out = run_records(FLOW, records)
    assert isinstance(out, RecordList) and out.errors == []
    assert [r.key for r in out] == ["b", "a"]
    assert out[0].features() == {"Salary": 10.0, "Extra": [1, 2], "total": 11.0}
    assert records[0].features() == {"Salary": 10.0, "Extra": [1, 2]}  # inputs untouched


def test_dict_rows_keyed_by_position_and_as_frame():
    out = run_records(FLOW, {"Salary": 10.0}, {"Salary": 30.0})
    assert [(r.key, r.feature("total")) for r in out] == [("0", 11.0), ("1", 33.0)]
    framed = run_records(FLOW, {"Salary": 10.0}, as_frame=True)
    assert framed["total"].tolist() == [11.0]


def test_get_single_results_merge_key_by_key():
    flow = DataFlow(
        bonus,
        total,
        get_single,
        seed=[Input({"B": "bonus", "T": "total"}, get_single.inputs["spec"])],
    )
    out = run_records(flow, frame())
    assert out[["B", "T"]].to_dict("list") == {"B": [10.0, 5.0, 2.0], "T": [110.0, 55.0, 22.0]}


def test_record_def_seeds_the_key():
    out = run_records(
        DataFlow(tagged), [Record("k1", {"x": 1}), Record("k2", {})], record_def="key"
    )
    assert [r.feature("tagged") for r in out] == ["record k1", "record k2"]
    # a DataFrame's keys are its index labels
    assert run_records(DataFlow(tagged), frame(), record_def="key")["tagged"].tolist() == [
        "record x",
        "record y",
        "record z",
    ]


def test_inputs_join_every_context_and_a_records_own_feature_wins():
    rows = [{"Salary": 10.0}, {"Salary": 10.0, "factor": 3.0}]
    out = run_records(DataFlow(scaled), rows, inputs={"factor": 2.0})
    assert [r.feature("scaled") for r in out] == [20.0, 30.0]


def test_events_name_contexts_by_record_key():
    seen = []
    run_records(FLOW, frame(), on_event=seen.append)
    assert {e.context for e in seen if e.kind == "context_finished"} == {"x", "y", "z"}


def test_missing_cells_are_not_seeded():
    data = pd.DataFrame({"Salary": [10.0, None]}, index=["a", "b"])
    out = run_records(FLOW, data)
    assert out.loc["a", "total"] == 11.0 and pd.isna(out.loc["b", "total"])


# -- bad input -----------------------------------------------------------------------------


def test_feature_named_like_a_result_is_replaced_in_the_output_only(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("Salary,total\n100,0\n50,0\n")
    before = path.read_bytes()
    out = run_records(FLOW, str(path))
    assert [r.feature("total") for r in out] == [110.0, 55.0]
    assert path.read_bytes() == before  # never in the source without update=True
    run_records(FLOW, str(path), update=True)
    assert [float(r["total"]) for r in _csv_rows(path)] == [110.0, 55.0]


def test_record_def_naming_no_definition_is_an_error():
    with pytest.raises(DataFlowError, match=r"record_def 'nope' names no definition.*key, tagged"):
        run_records(DataFlow(tagged), frame(), record_def="nope")


def test_inputs_naming_no_definition_is_an_error():
    with pytest.raises(DataFlowError, match="inputs name definition 'factr'"):
        run_records(DataFlow(scaled), frame(), inputs={"factr": 2})


def test_definition_no_record_provides_is_said_once_not_per_record():
    @op
    def other(Years: int) -> int:
        return Years

    rows = [{"Salary": float(i)} for i in range(50)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = run_records(DataFlow(bonus, other), rows)
    said = [w for w in caught if issubclass(w.category, FlowInputWarning)]
    assert len(said) == 1
    assert "'Years'" in str(said[0].message) and "other" in str(said[0].message)
    assert said[0].filename == __file__  # points at the caller's line
    assert out[3].features() == {"Salary": 3.0, "bonus": 0.3}


def test_flow_that_cannot_run_at_all_is_an_error_naming_the_definition():
    with pytest.raises(DataFlowError, match=r"definition 'Salary'.*their features: salary"):
        run_records(FLOW, pd.DataFrame({"salary": [1.0]}))


def test_unreadable_source_names_its_file(tmp_path):
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(Exception, match="nowhere.csv"):
        run_records(FLOW, str(missing))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(SourceError, match="broken.json"):
        run_records(FLOW, str(broken))


def test_duplicate_keys_are_refused():
    with pytest.raises(SourceError, match="key 'x' is used by rows 0 and 1"):
        run_records(FLOW, pd.DataFrame({"Salary": [1.0, 2.0]}, index=["x", "x"]))


# -- failures ------------------------------------------------------------------------------


def test_strict_failure_names_operation_and_record():
    data = frame()
    data.loc["y", "Salary"] = -5.0
    with pytest.raises(OperationError, match="operation 'bonus' failed in context 'y'"):
        run_records(FLOW, data)


def test_non_strict_reports_each_failure_keeps_features_adds_nothing():
    data = frame()
    data.loc["y", "Salary"] = -5.0
    data.loc["z", "Salary"] = -1.0
    with pytest.warns(FailedRecordsWarning, match="2 of 3 records failed"):
        out = run_records(FLOW, data, strict=False)
    assert out.loc["x", "total"] == 110.0
    assert pd.isna(out.loc["y", "total"]) and out.loc["y", "Salary"] == -5.0
    errors = out.attrs["errors"]
    assert [(e.context, e.operation) for e in errors] == [("y", "bonus"), ("z", "bonus")]
    assert "a negative salary" in str(errors[0])
    with pytest.warns(FailedRecordsWarning):
        records = run_records(
            FLOW, [Record("ok", {"Salary": 1.0}), Record("bad", {"Salary": -1})], strict=False
        )
    assert records[1].features() == {"Salary": -1}
    assert [e.context for e in records.errors] == ["bad"]


# -- update=True ---------------------------------------------------------------------------


def _csv_rows(path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_update_writes_results_back_to_a_csv_file(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("key,Salary\na,100\nb,50\n")
    out = run_records(FLOW, str(path), update=True)
    assert [r.feature("total") for r in out] == [110.0, 55.0]
    rows = _csv_rows(path)
    assert [(r["key"], float(r["total"])) for r in rows] == [("a", 110.0), ("b", 55.0)]


def test_update_writes_back_to_a_sqlite_database(tmp_path):
    path = tmp_path / "data.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE records (key TEXT PRIMARY KEY, Salary REAL)")
        db.executemany("INSERT INTO records VALUES (?, ?)", [("a", 100.0), ("b", 50.0)])
    db.close()
    run_records(FLOW, str(path), update=True)
    with sqlite3.connect(path) as db:
        got = db.execute("SELECT key, total FROM records ORDER BY key").fetchall()
    db.close()
    assert got == [("a", 110.0), ("b", 55.0)]


def test_failed_update_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "data.csv"
    path.write_text("key,Salary\na,100\nb,50\n")
    before = path.read_bytes()

    def refuse(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        run_records(FLOW, str(path), update=True)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]  # no temporary left


def test_strict_failure_with_update_writes_nothing(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("key,Salary\na,100\nb,-50\n")
    before = path.read_bytes()
    with pytest.raises(OperationError):
        run_records(FLOW, str(path), update=True)
    assert path.read_bytes() == before


def test_update_without_a_file_source_says_so():
    with pytest.raises(ValueError, match="update=True writes the results back to file"):
        run_records(FLOW, frame(), update=True)


# -- columnar ------------------------------------------------------------------------------


@op
def ratio(Salary: object, Years: object) -> object:
    return Salary / Years


@op
def level(ratio: object) -> object:
    return (ratio > 20).map({True: "high", False: "low"})


def test_columnar_runs_once_with_whole_columns():
    calls = []

    @op
    def seen(Salary: object) -> object:
        calls.append(type(Salary).__name__)
        return Salary.rank()

    data = pd.DataFrame({"Salary": [300.0, 100.0, 200.0], "Years": [10, 10, 5]}, index=list("abc"))
    out = run_records(DataFlow(ratio, level, seen), data, columnar=True)
    assert calls == ["Series"]
    assert out["level"].tolist() == ["high", "low", "high"]
    assert out["seen"].tolist() == [3.0, 1.0, 2.0]
    assert list(out.index) == list("abc") and "ratio" not in out  # ratio is consumed, not a leaf


def test_columnar_result_of_the_wrong_length_names_the_operation():
    @op
    def shrink(Salary: object) -> object:
        return Salary.iloc[:1]

    @op
    def scalar(Salary: object) -> object:
        return Salary.mean()

    data = pd.DataFrame({"Salary": [1.0, 2.0]})
    with pytest.raises(
        DataFlowError, match=r"operation 'shrink' gave result 'shrink' as a Series of 1 rows for 2"
    ):
        run_records(DataFlow(shrink), data, columnar=True)
    with pytest.raises(DataFlowError, match=r"operation 'scalar' .* not a column"):
        run_records(DataFlow(scalar), data, columnar=True)


def test_columnar_dataframe_result_joins_and_records_come_back():
    @op
    def dummies(Name: object) -> object:
        return pd.get_dummies(Name, prefix="Name")

    out = run_records(DataFlow(dummies), [{"Name": "a"}, {"Name": "b"}], columnar=True)
    assert [r.features() for r in out] == [
        {"Name": "a", "Name_a": True, "Name_b": False},
        {"Name": "b", "Name_a": False, "Name_b": True},
    ]


@pytest.mark.slow
def test_memory_beyond_the_data_does_not_grow_with_the_records():
    """Traced peak of a row-wise run, minus its output column: the same for 10,000 and
    50,000 records (contexts, input sets and results are never all held at once)."""
    import gc
    import tracemalloc

    def beyond_data(count: int) -> int:
        data = pd.DataFrame({"Salary": [float(i) for i in range(count)]})
        run_records(FLOW, data.iloc[:10])  # imports and compiled plans, before tracing
        gc.collect()
        tracemalloc.start()
        try:
            out = run_records(FLOW, data)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        return peak - out["total"].to_numpy().nbytes

    small, large = beyond_data(10_000), beyond_data(50_000)
    assert large < small * 1.5 + 256 * 1024, (small, large)
