"""``DataFlowSource``: train, score and predict on engineered features with the same flow."""

from __future__ import annotations

import pandas as pd
import pytest

from dffml_nb import DataFlow, DataFlowSource, Model, op, predict, score, train
from dffml_nb.source import SourceError, open_source, source_class


@op
def years(Text: str) -> int:
    """``"7 years"`` -> 7: a feature parsed from raw text."""
    return int(Text.split()[0])


@op
def double(years: int) -> float:
    return 2.0 * years


FLOW = DataFlow(years, double)
TRAIN = "Text,Salary\n1 years,20\n2 years,40\n3 years,60\n4 years,80\n"


def model(tmp_path):
    return Model.load("scikitlr")(
        features=["double:float:1"], predict="Salary:float:1", location=tmp_path / "m"
    )


def test_train_score_predict_through_the_same_flow(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text(TRAIN)
    before = path.read_bytes()
    trained = train(model(tmp_path), DataFlowSource(FLOW, str(path)))
    assert score(trained, "mse", "Salary:float:1", DataFlowSource(FLOW, str(path))) < 1e-9
    new = pd.DataFrame({"Text": ["10 years", "6 years"]}, index=["p", "q"])
    out = predict(trained, DataFlowSource(FLOW, new), as_frame=True)
    assert list(out.index) == ["p", "q"]
    assert out["Salary"].round(6).tolist() == [200.0, 120.0]
    assert path.read_bytes() == before  # read-only: the file is never written


def test_records_have_the_flows_results_and_keep_their_keys():
    source = DataFlowSource(FLOW, [{"key": "a", "Text": "3 years", "Other": "x"}])
    [record] = source.records()
    assert record.key == "a"
    assert record.features() == {"Text": "3 years", "Other": "x", "double": 6.0}
    assert source.to_frame(["double"]).to_dict("list") == {"double": [6.0]}


def test_read_only():
    source = DataFlowSource(FLOW, [{"Text": "3 years"}])
    with pytest.raises(SourceError, match="read-only"):
        source.update(next(iter(source.records())))


@op
def shout(name: str, suffix: str) -> str:
    return name.upper() + suffix


def test_flow_from_a_file_record_def_inputs_and_columnar(tmp_path):
    flow_file = tmp_path / "flow.json"
    DataFlow(shout).save(flow_file)
    source = DataFlowSource(
        str(flow_file), [{"key": "ann"}, {"key": "bo"}], record_def="name", inputs={"suffix": "!"}
    )
    assert [r.feature("shout") for r in source.records()] == ["ANN!", "BO!"]

    @op
    def tenfold(Salary: object) -> object:
        return Salary * 10

    columnar = DataFlowSource(DataFlow(tenfold), pd.DataFrame({"Salary": [1, 2]}), columnar=True)
    assert columnar.to_frame()["tenfold"].tolist() == [10, 20]


def test_registered_as_df_dataflow_and_dfpreprocess():
    for name in ("df", "dataflow", "dfpreprocess"):
        assert source_class(name) is DataFlowSource
    assert type(open_source(pd.DataFrame({"a": [1]}))).kind == "dataframe"


def test_non_strict_errors_are_kept():
    @op
    def fragile(Text: str) -> int:
        return int(Text)

    source = DataFlowSource(DataFlow(fragile), [{"Text": "1"}, {"Text": "x"}], strict=False)
    with pytest.warns(UserWarning, match="1 of 2 records failed"):
        records = list(source.records())
    assert records[1].features() == {"Text": "x"}
    assert [(e.context, e.operation) for e in source.errors] == [("1", "fragile")]


def test_model_trainer_picks_a_dataflow_source_from_the_notebook():
    from dffml_nb.nb.ml.trainer import ModelTrainer

    raw = pd.DataFrame(
        {"Text": [f"{n} years" for n in range(1, 9)], "Salary": [20.0 * n for n in range(1, 9)]}
    )
    engineered = DataFlowSource(FLOW, raw)
    trainer = ModelTrainer(
        namespace={"raw": raw, "engineered": engineered},
        show_plots=False,
        features=["double"],
        target="Salary",
    )
    assert set(trainer.data_select.options) == {"raw", "engineered"}
    trainer.data_select.value = "engineered"
    assert "double" in trainer.features.options  # the flow's result is a column to choose
    trainer.features.value = ("double",)
    trainer.target.value = "Salary"
    trainer.train_button.click()
    assert trainer.model is not None, trainer.message
    assert trainer.model.features.names() == ["double"]
    # given directly, as data
    direct = ModelTrainer(DataFlowSource(FLOW, raw), namespace={}, show_plots=False)
    assert "double" in direct.frame.columns


def test_a_flow_that_takes_nothing_from_the_records_runs_once_and_may_make_them():
    from dffml_nb.operations import convert_list_to_records

    calls = []

    @op
    def rows(n: int) -> list:
        calls.append(n)
        return [[i, i * i] for i in range(n)]

    @op
    def names(n: int) -> list:
        return [f"r{i}" for i in range(n)]

    made = convert_list_to_records.replace(
        inputs={**convert_list_to_records.inputs, "matrix": "rows", "keys": "names"}
    )
    flow = DataFlow(
        rows,
        names,
        made,
        seed=[{"features": ["x", "x2"], "predict_features": [], "unprocessed_matrix": [[]] * 3}],
    )
    source = DataFlowSource(flow, [{"ignored": 1}, {"ignored": 2}], inputs={"n": 3})
    assert [(r.key, r.features()) for r in source.records()] == [
        ("r0", {"x": 0, "x2": 0}),
        ("r1", {"x": 1, "x2": 1}),
        ("r2", {"x": 2, "x2": 4}),
    ]
    assert calls == [3]
    # results other than records are added to every record, the flow still run once
    constant = DataFlowSource(DataFlow(names), [{"a": 1}, {"a": 2}], inputs={"n": 1})
    assert [r.features() for r in constant.records()] == [
        {"a": 1, "names": ["r0"]},
        {"a": 2, "names": ["r0"]},
    ]
