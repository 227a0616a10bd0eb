"""Scorers: registered by name, computed by sklearn.metrics, used on models."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics

from dffml_nb import plugins
from dffml_nb.model import Model
from dffml_nb.scorer import SCORERS, Scorer

Y_TRUE = np.array([3.0, -0.5, 2.0, 7.0, 4.2])
Y_PRED = np.array([2.5, 0.0, 2.0, 8.0, 4.0])
LABELS_TRUE = np.array([0, 1, 2, 2, 1, 0, 2])
LABELS_PRED = np.array([0, 2, 2, 2, 1, 0, 1])

REGRESSION = {
    "mse": metrics.mean_squared_error,
    "rmse": metrics.root_mean_squared_error,
    "mae": metrics.mean_absolute_error,
    "median_ae": metrics.median_absolute_error,
    "r2": metrics.r2_score,
    "explained_variance": metrics.explained_variance_score,
    "max_error": metrics.max_error,
}
CLASSIFICATION = {
    "clf": metrics.accuracy_score,
    "accuracy": metrics.accuracy_score,
    "balanced_accuracy": metrics.balanced_accuracy_score,
}


def test_every_scorer_is_a_registered_plugin():
    assert set(SCORERS) <= set(plugins.names("scorer"))
    for name in SCORERS:
        scorer = Scorer.load(name)
        assert isinstance(scorer, Scorer) and scorer.name == name


@pytest.mark.parametrize("name", sorted(REGRESSION))
def test_regression_scorers_match_sklearn(name):
    assert Scorer.load(name)(Y_TRUE, Y_PRED) == pytest.approx(REGRESSION[name](Y_TRUE, Y_PRED))


@pytest.mark.parametrize("name", sorted(CLASSIFICATION))
def test_classification_scorers_match_sklearn(name):
    expected = CLASSIFICATION[name](LABELS_TRUE, LABELS_PRED)
    assert Scorer.load(name)(LABELS_TRUE, LABELS_PRED) == pytest.approx(expected)


@pytest.mark.parametrize("name", ["f1", "precision", "recall"])
def test_averaged_scorers_weighted_for_multiclass_binary_for_two(name):
    function = {
        "f1": metrics.f1_score,
        "precision": metrics.precision_score,
        "recall": metrics.recall_score,
    }[name]
    scorer = Scorer.load(name)
    weighted = function(LABELS_TRUE, LABELS_PRED, average="weighted")
    assert scorer(LABELS_TRUE, LABELS_PRED) == pytest.approx(weighted)
    binary_true, binary_pred = np.array([0, 1, 1, 0, 1]), np.array([0, 1, 0, 0, 1])
    assert scorer(binary_true, binary_pred) == pytest.approx(function(binary_true, binary_pred))
    words_true, words_pred = np.array(["a", "b", "b"]), np.array(["a", "b", "a"])
    assert scorer(words_true, words_pred) == pytest.approx(
        function(words_true, words_pred, average="weighted")
    )


def test_mse_is_the_error_itself_lower_is_better():
    mse = Scorer.load("mse")
    assert mse([1.0, 2.0], [1.0, 4.0]) == pytest.approx(2.0)
    assert not mse.greater_is_better and Scorer.load("accuracy").greater_is_better


def test_clustering_scorers_compare_labellings():
    assert Scorer.load("adjusted_rand")([0, 0, 1, 1], [1, 1, 0, 0]) == pytest.approx(1.0)
    assert Scorer.load("nmi")([0, 0, 1, 1], [5, 5, 3, 3]) == pytest.approx(1.0)


def test_unknown_scorer_lists_known_ones():
    with pytest.raises(plugins.PluginError) as error:
        Scorer.load("accuracyy")
    assert (
        "accuracyy" in str(error.value) and "mse" in str(error.value) and "f1" in str(error.value)
    )


def test_scorer_object_passes_through_load():
    scorer = Scorer("custom", "mean_absolute_error", False, "regression")
    assert Scorer.load(scorer) is scorer
    assert scorer([1.0], [3.0]) == pytest.approx(2.0)


def test_score_a_model_and_remember_it(tmp_path):
    train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "y": [1.0, 3.0, 5.0, 7.0]})
    test = pd.DataFrame({"x": [4.0, 5.0], "y": [9.0, 12.0]})
    model = Model.load("scikitlr")(features=["x"], predict="y", location=tmp_path).fit(train)
    value = Scorer.load("mae").score(model, "y:float:1", test)
    assert value == pytest.approx(0.5)
    assert model.last_score == ("mae", pytest.approx(0.5))
    assert "mae = 0.5" in model._repr_html_()
    saved = json.loads((tmp_path / "model.json").read_text())
    assert saved["last_score"] == ["mae", pytest.approx(0.5)]
    assert Model.load("scikitlr")(location=tmp_path).restore().last_score == (
        "mae",
        pytest.approx(0.5),
    )


def test_score_a_classifier_by_accuracy():
    data = pd.DataFrame(
        {"x": [0.0, 0.1, 0.2, 0.8, 0.9, 1.0], "label": ["a", "a", "a", "b", "b", "b"]}
    )
    model = Model.load("scikitdtc")(features=["x"], predict="label:str:1").fit(data)
    assert Scorer.load("accuracy").score(model, "label:str:1", data) == 1.0


def test_a_scorer_plugin_that_is_not_a_scorer_is_refused():
    from dffml_nb import plugins

    with pytest.raises(plugins.PluginError, match="not a dffml_nb.scorer.Scorer"):
        Scorer.load("dffml_nb.model.slr:SLR")
