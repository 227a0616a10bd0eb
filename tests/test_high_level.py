"""train / score / predict: the DFFML quickstart in Python, and their errors."""

from __future__ import annotations

import pandas as pd
import pytest

from dffml_nb import plugins
from dffml_nb.high_level import predict, score, train
from dffml_nb.model import Model, ModelNotTrainedError
from dffml_nb.record import Record

FEATURES = ["Years:int:1", "Expertise:int:1", "Trust:float:1"]
TRAINING = [
    {"Years": 0, "Expertise": 1, "Trust": 0.1, "Salary": 10},
    {"Years": 1, "Expertise": 3, "Trust": 0.2, "Salary": 20},
    {"Years": 2, "Expertise": 5, "Trust": 0.3, "Salary": 30},
    {"Years": 3, "Expertise": 7, "Trust": 0.4, "Salary": 40},
]
TEST = [
    {"Years": 4, "Expertise": 9, "Trust": 0.5, "Salary": 50},
    {"Years": 5, "Expertise": 11, "Trust": 0.6, "Salary": 60},
]
PREDICT = [
    {"Years": 6, "Expertise": 13, "Trust": 0.7},
    {"Years": 7, "Expertise": 15, "Trust": 0.8},
]


def write_csv(path, rows):
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture
def files(tmp_path):
    return {
        "training": write_csv(tmp_path / "training.csv", TRAINING),
        "test": write_csv(tmp_path / "test.csv", TEST),
        "predict": write_csv(tmp_path / "predict.csv", PREDICT),
    }


@pytest.mark.parametrize(
    "name, features", [("scikitlr", FEATURES), ("slr", ["Years:int:1"])], ids=["scikitlr", "slr"]
)
def test_quickstart_with_dict_rows(name, features, tmp_path):
    model = Model.load(name)(features=features, predict="Salary:float:1", location=tmp_path)
    assert train(model, *TRAINING) is model
    assert score(model, "mse", "Salary:float:1", *TEST) == pytest.approx(0.0, abs=1e-9)
    records = predict(model, *PREDICT)
    assert [r.prediction("Salary").value for r in records] == pytest.approx([70.0, 80.0])
    assert all(r.prediction("Salary").confidence == pytest.approx(1.0) for r in records)
    # a new instance at the same location predicts without being trained
    reloaded = Model.load(name)(features=features, predict="Salary:float:1", location=tmp_path)
    values = [r.prediction("Salary").value for r in predict(reloaded, *PREDICT)]
    assert values == pytest.approx([70.0, 80.0])


def test_quickstart_with_csv_files(files, tmp_path):
    model = Model.load("scikitlr")(
        features=FEATURES, predict="Salary:float:1", location=tmp_path / "model"
    )
    train(model, files["training"])
    assert score(model, "mse", "Salary:float:1", files["test"]) == pytest.approx(0.0, abs=1e-9)
    assert score(model, "r2", "Salary", str(files["test"])) == pytest.approx(1.0)
    frame = predict(model, files["predict"], as_frame=True)
    assert frame["Salary"].tolist() == pytest.approx([70.0, 80.0])


def test_mixed_data_arguments(files):
    model = Model.load("scikitlr")(features=FEATURES, predict="Salary:float:1")
    train(
        model,
        TRAINING[0],
        Record("r1", features=TRAINING[1]),
        pd.DataFrame(TRAINING[2:3]),
        [TRAINING[3]],
    )
    assert [
        r.prediction("Salary").value for r in predict(model, files["predict"])
    ] == pytest.approx([70.0, 80.0])


def test_predict_as_frame_columns():
    model = train(Model.load("scikitlr")(features=FEATURES, predict="Salary:float:1"), *TRAINING)
    frame = predict(model, *PREDICT, as_frame=True)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["Years", "Expertise", "Trust", "Salary", "Salary_confidence"]
    pd.testing.assert_index_equal(frame.index, pd.RangeIndex(2, name="key"))  # key-less rows
    assert frame["Salary_confidence"].tolist() == pytest.approx([1.0, 1.0])


def test_predict_keys_follow_the_data(files, tmp_path):
    from dffml_nb.high_level import load, save
    from dffml_nb.source import CSVSource

    model = train(Model.load("scikitlr")(features=FEATURES, predict="Salary:float:1"), *TRAINING)
    # a CSV file without a key column: a RangeIndex, records keyed by position
    frame = predict(model, files["predict"], as_frame=True)
    pd.testing.assert_index_equal(frame.index, pd.RangeIndex(2, name="key"))
    assert [r.key for r in predict(model, files["predict"])] == ["0", "1"]
    # several key-less inputs are numbered through, never two rows "0"
    frame = predict(model, files["predict"], pd.DataFrame(PREDICT), as_frame=True)
    pd.testing.assert_index_equal(frame.index, pd.RangeIndex(4, name="key"))
    assert [r.key for r in predict(model, files["predict"], files["predict"])] == [
        "0", "1", "2", "3",
    ]  # fmt: skip
    # a key column: str keys
    keyed = tmp_path / "keyed.csv"
    pd.DataFrame(PREDICT, index=["007", "b"]).to_csv(keyed, index_label="key")
    assert predict(model, keyed, as_frame=True).index.tolist() == ["007", "b"]
    assert [r.key for r in predict(model, keyed)] == ["007", "b"]
    # predictions written back into the key-less file land on the right rows
    written = predict(model, files["predict"], as_frame=True)
    source = CSVSource(files["predict"])
    source.update_frame(written[["Salary"]].rename(columns={"Salary": "prediction_Salary"}))
    source.save()
    assert [r.prediction("Salary").value for r in load(files["predict"])] == pytest.approx(
        [70.0, 80.0]
    )
    assert [r.features()["Years"] for r in load(files["predict"])] == [6, 7]
    # JSON and SQLite round trips of records and of a frame keep the keys
    for name in ("out.json", "out.db"):
        save(tmp_path / name, *predict(model, files["predict"]))
        loaded = load(tmp_path / name)
        assert [r.key for r in loaded] == ["0", "1"]
        assert loaded[1].prediction("Salary").value == pytest.approx(80.0)
        save(tmp_path / f"frame-{name}", predict(model, files["predict"], as_frame=True))
        loaded = load(tmp_path / f"frame-{name}")
        assert [r.key for r in loaded] == ["0", "1"]
        assert loaded[1].features()["Salary"] == pytest.approx(80.0)


def test_predict_records_are_a_list_with_features():
    model = train(Model.load("scikitlr")(features=FEATURES, predict="Salary:float:1"), *TRAINING)
    records = predict(model, *PREDICT)
    assert isinstance(records, list) and all(isinstance(r, Record) for r in records)
    assert records[0].features() == PREDICT[0]


def test_classifier_scores(tmp_path):
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True).frame.sample(frac=1.0, random_state=1)
    iris.iloc[:100].to_csv(tmp_path / "train.csv", index=False)
    iris.iloc[100:].to_csv(tmp_path / "test.csv", index=False)
    features = [f"{column}:float:1" for column in iris.columns[:-1]]
    model = Model.load("scikitknn")(features=features, predict="target:int:1", n_neighbors=5)
    train(model, tmp_path / "train.csv")
    assert score(model, "accuracy", "target:int:1", tmp_path / "test.csv") > 0.8
    assert score(model, "f1", "target:int:1", tmp_path / "test.csv") > 0.8
    frame = predict(model, tmp_path / "test.csv", as_frame=True)
    assert set(frame["target"]) <= {0, 1, 2}
    assert frame["target_confidence"].between(0, 1).all()


def test_empty_training_set_is_an_error(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("Years,Expertise,Trust,Salary\n")
    model = Model.load("scikitlr")(features=FEATURES, predict="Salary:float:1")
    with pytest.raises(ValueError, match=r"no records to train on in .*empty\.csv"):
        train(model, empty)


def test_missing_column_names_column_and_file(files):
    model = Model.load("scikitlr")(features=[*FEATURES, "Age:int:1"], predict="Salary:float:1")
    with pytest.raises(ValueError) as error:
        train(model, files["training"])
    assert "'Age'" in str(error.value) and str(files["training"]) in str(error.value)


def test_non_numeric_value_names_file_line_column_and_value(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Years,Expertise,Trust,Salary\n0,1,0.1,10\n1,three,0.2,20\n")
    model = Model.load("scikitlr")(features=FEATURES, predict="Salary:float:1")
    with pytest.raises(ValueError) as error:
        train(model, path)
    message = str(error.value)
    assert str(path) in message and "line 3" in message
    assert "'Expertise'" in message and "'three'" in message
    # a DataFrame goes the same way: the row's key instead of a line
    frame = pd.read_csv(path)
    with pytest.raises(ValueError, match=r"record '1', column 'Expertise'.*'three'"):
        train(model, frame)
    train(model, *TRAINING)
    with pytest.raises(ValueError, match=r"line 3, column 'Expertise'.*'three'"):
        predict(model, path, as_frame=True)


def test_unknown_names_list_known_ones():
    with pytest.raises(plugins.PluginError, match="scikitlr"):
        Model.load("scikit-nope")
    model = train(Model.load("scikitlr")(features=FEATURES, predict="Salary:float:1"), *TRAINING)
    with pytest.raises(plugins.PluginError) as error:
        score(model, "msee", "Salary", *TEST)
    assert "msee" in str(error.value) and "mse" in str(error.value)


def test_untrained_model_says_to_train_first():
    model = Model.load("scikitlr")(features=FEATURES, predict="Salary:float:1")
    with pytest.raises(ModelNotTrainedError, match="train it first"):
        predict(model, *PREDICT)
    with pytest.raises(ModelNotTrainedError, match="train it first"):
        score(model, "mse", "Salary", *TEST)


def test_model_must_be_an_instance():
    with pytest.raises(TypeError, match="model instance"):
        train(Model.load("scikitlr"), *TRAINING)
    with pytest.raises(TypeError, match="model instance"):
        predict("scikitlr", *PREDICT)


def test_top_level_exports():
    import dffml_nb

    assert dffml_nb.train is train and dffml_nb.score is score and dffml_nb.predict is predict
    assert dffml_nb.Model is Model


def test_predict_as_frame_keeps_a_dataframes_own_index():
    import pandas as pd

    from dffml_nb import Model, predict, train

    frame = pd.DataFrame({"x": [1.0, 2, 3, 4], "y": [2.0, 4, 6, 8]}, index=[10, 11, 12, 13])
    model = train(Model.load("scikitlr")(features=["x:float:1"], predict="y:float:1"), frame)
    result = predict(model, frame, as_frame=True)
    assert list(result.index) == [10, 11, 12, 13]
    assert result.assign(actual=frame["y"])["actual"].tolist() == [2.0, 4, 6, 8]


def test_data_in_place_of_a_model_is_a_clear_error():
    with pytest.raises(TypeError, match="expected a model instance"):
        train({"Years": 1, "Salary": 10}, *TRAINING)
