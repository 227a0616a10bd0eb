"""Predictor: one field per feature, Predict button, batch prediction — driven from code."""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import pandas as pd  # noqa: E402

from dffml_nb.high_level import train  # noqa: E402
from dffml_nb.model.base import Model  # noqa: E402
from dffml_nb.nb.ml.predictor import Predictor  # noqa: E402

TRAINING = [(0, 1, 0.1, 10), (1, 3, 0.2, 20), (2, 5, 0.3, 30), (3, 7, 0.4, 40)]
FEATURES = ["Years:int:1", "Expertise:int:1", "Trust:float:1"]
RED = "#b00020"


@pytest.fixture
def training() -> pd.DataFrame:
    return pd.DataFrame(TRAINING, columns=["Years", "Expertise", "Trust", "Salary"])


@pytest.fixture
def untrained() -> Model:
    return Model.load("scikitlr")(features=FEATURES, predict="Salary:float:1")


@pytest.fixture
def model(untrained: Model, training: pd.DataFrame) -> Model:
    return train(untrained, training)


def test_predicts_quickstart_salary_with_confidence(model):
    predictor = Predictor(model)
    assert predictor.message == ""
    predictor.inputs["Years"].value = 6
    predictor.inputs["Expertise"].value = 13
    predictor.inputs["Trust"].value = 0.7
    predictor.predict_button.click()

    assert predictor.result["value"] == pytest.approx(70.0)
    assert isinstance(predictor.result["value"], float)  # plain Python, not numpy
    assert predictor.result["confidence"] == pytest.approx(1.0)  # training R² of exact data
    assert "Salary" in predictor.result_html.value and "70" in predictor.result_html.value
    assert "confidence" in predictor.result_html.value


def test_inputs_by_dtype_prefilled_from_data(training):
    training["Level"] = ["a", "b", "b", "c"]
    model = Model.load("scikitlr")(features=["Years:int:1", "Trust:float:1", "Level:str:1"])
    predictor = Predictor(model, data=training)
    assert isinstance(predictor.inputs["Years"], widgets.IntText)
    assert isinstance(predictor.inputs["Trust"], widgets.FloatText)
    assert isinstance(predictor.inputs["Level"], widgets.Text)
    assert predictor.inputs["Years"].value == 2  # median 1.5, as an int
    assert predictor.inputs["Trust"].value == pytest.approx(0.25)
    assert predictor.inputs["Level"].value == "b"  # most common
    assert Predictor(model).inputs["Years"].value == 0  # no data: zero


def test_batch_prediction_of_a_dataframe(model):
    predictor = Predictor(model)
    frame = predictor.predict_frame(
        pd.DataFrame({"Years": [6, 7], "Expertise": [13, 15], "Trust": [0.7, 0.8]})
    )
    assert frame["Salary"].tolist() == pytest.approx([70.0, 80.0])
    assert list(frame.columns) == ["Years", "Expertise", "Trust", "Salary", "Salary_confidence"]
    assert frame["Salary_confidence"].notna().all()
    assert predictor.predictions is frame
    assert "<table" in predictor.table_html.value and "80" in predictor.table_html.value
    assert predictor.message == "predicted 2 rows"


def test_batch_prediction_of_a_file_from_the_button(model, tmp_path):
    path = tmp_path / "new.csv"
    path.write_text("Years,Expertise,Trust\n6,13,0.7\n7,15,0.8\n")
    predictor = Predictor(model)
    predictor.batch_path.value = str(path)
    predictor.batch_button.click()
    assert predictor.predictions["Salary"].tolist() == pytest.approx([70.0, 80.0])


def test_bad_batch_is_a_message_and_keeps_the_last_predictions(model):
    predictor = Predictor(model)
    first = predictor.predict_frame([{"Years": 6, "Expertise": 13, "Trust": 0.7}])
    assert predictor.predict_frame(pd.DataFrame({"Years": [1]})) is None
    assert "Expertise" in predictor.message and RED in predictor.message_html.value
    assert predictor.predictions is first
    predictor.batch_path.value = "/no/such/file.csv"
    predictor.batch_button.click()
    assert "file.csv" in predictor.message
    predictor.batch_path.value = ""
    predictor.batch_button.click()
    assert "type the name of a file" in predictor.message


def test_untrained_model_is_a_clear_message(untrained):
    predictor = Predictor(untrained)
    assert "not trained" in predictor.message and RED in predictor.message_html.value
    predictor.predict_button.click()  # must not raise
    assert predictor.result is None
    assert "not trained" in predictor.message
    assert predictor.predict_frame([{"Years": 1, "Expertise": 1, "Trust": 0.1}]) is None
    assert "not trained" in predictor.message
    assert "not trained" in repr(predictor)


def test_training_the_same_model_later_makes_it_work(untrained, training):
    predictor = Predictor(untrained)
    train(untrained, training)
    predictor.inputs["Years"].value = 6
    predictor.inputs["Expertise"].value = 13
    predictor.inputs["Trust"].value = 0.7
    predictor.predict_button.click()
    assert predictor.result["value"] == pytest.approx(70.0)
    assert predictor.message == ""


def test_model_without_features():
    predictor = Predictor(Model.load("scikitlr")())
    assert predictor.inputs == {}
    assert "no features" in predictor.message


def test_classifier_prediction_is_a_label_with_its_probability():
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True).frame
    features = [f"{name}:float:1" for name in iris.columns[:4]]
    model = train(
        Model.load("scikitrfc")(
            features=features, predict="target:int:1", n_estimators=5, random_state=0
        ),
        iris,
    )
    predictor = Predictor(model, data=iris)
    predictor.predict_button.click()  # the medians of iris: a versicolor-like flower
    assert predictor.result["value"] in (0, 1, 2)
    assert isinstance(predictor.result["value"], int)
    assert 0 < predictor.result["confidence"] <= 1


def test_from_a_trainer(training):
    from dffml_nb.nb.ml.trainer import ModelTrainer

    trainer = ModelTrainer(training, namespace={}, test_size=0.0, show_plots=False)
    trainer.train_button.click()
    predictor = trainer.predictor()
    assert predictor.model is trainer.model
    assert predictor.inputs["Years"].value == 2  # prefilled from the training rows
    predictor.inputs["Years"].value = 6
    predictor.inputs["Expertise"].value = 13
    predictor.inputs["Trust"].value = 0.7
    assert predictor.predict()["value"] == pytest.approx(70.0)


def test_lazy_exports_and_repr(model):
    from dffml_nb import nb

    assert nb.Predictor is Predictor
    predictor = nb.Predictor(model)
    assert repr(predictor) == "Predictor(scikitlr: Years, Expertise, Trust -> Salary, trained)"
