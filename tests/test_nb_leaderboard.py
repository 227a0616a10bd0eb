"""The Leaderboard widget, driven from Python: table, sorting, confusion cells, records, ROC, models."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.metrics import confusion_matrix, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.naive_bayes import GaussianNB

pytest.importorskip("ipywidgets")

from dffml_nb import Model, evaluate  # noqa: E402
from dffml_nb.nb import Leaderboard  # noqa: E402
from dffml_nb.nb.ml.leaderboard import registered_models  # noqa: E402

CANCER = load_breast_cancer(as_frame=True).frame
FEATURES = list(CANCER.columns[:8])
# deterministic models only: the board and evaluate() must agree exactly, order included
MODELS = ["scikitgnb", "scikitknn", "scikitlda"]


@pytest.fixture(scope="module")
def board():
    return Leaderboard(
        MODELS,
        CANCER,
        features=FEATURES,
        predict="target",
        scorers=["accuracy", "f1"],
        progress=False,
    )


def gnb_predictions():
    X, y = CANCER[FEATURES].to_numpy(), CANCER["target"].to_numpy()
    proba = cross_val_predict(GaussianNB(), X, y, cv=StratifiedKFold(5), method="predict_proba")
    return y, proba.argmax(axis=1), proba


def test_the_table_is_evaluates_leaderboard_and_the_best_model_is_selected(board):
    expected = evaluate(
        MODELS,
        CANCER,
        features=FEATURES,
        predict="target",
        scorers=["accuracy", "f1"],
        progress=False,
    )
    assert board.results.index.tolist() == expected.index.tolist()
    assert np.allclose(board.results["accuracy"], expected["accuracy"], atol=1e-12)
    # header buttons, then one row per model: name button, a cell per scorer, fit time, error
    descriptions = [child.description for child in board.table.children[:4]]
    assert descriptions == ["model", "accuracy ▼", "f1", "fit_time"]
    picks = [c.description for c in board.table.children if "dffml-nb-pick" in c._dom_classes]
    assert picks == board.results.index.tolist()
    assert board.selected == board.results.index[0]
    assert board.progress.state == "done"


def test_the_confusion_matrix_is_cross_val_predicts_and_its_cells_are_buttons(board):
    board.select("scikitgnb")
    y, predicted, _ = gnb_predictions()
    counts = confusion_matrix(y, predicted)
    cells = board.confusion.cells
    assert sorted(cells) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    for (true, guess), button in cells.items():
        assert button.description == str(counts[true, guess])
        assert f"dffml-nb-cm-{true}-{guess}" in button._dom_classes
    # darker blue for more records
    biggest = max(cells, key=lambda key: int(cells[key].description))
    assert cells[biggest].style.button_color == "rgb(37, 99, 235)"


def test_clicking_a_cell_lists_exactly_those_records(board):
    board.select("scikitgnb")
    y, predicted, proba = gnb_predictions()
    records = board.click_cell(1, 0)
    wanted = np.flatnonzero((y == 1) & (predicted == 0))
    assert len(records) == len(wanted) > 0
    assert records.index.tolist() == CANCER.index[wanted].tolist()
    assert (records["target"] == 1).all() and (records["predicted"] == 0).all()
    assert np.allclose(records["confidence"], proba[wanted].max(axis=1))
    assert (
        f"{len(wanted)} records" in board.records_view.value
        and "(wrong)" in board.records_view.value
    )
    assert "dffml-nb-records-table" in board.records_view.value
    assert "dffml-nb-cm-selected" in board.confusion.cells[(1, 0)]._dom_classes
    # the button does the same as the call
    board.confusion.cells[(0, 0)].click()
    assert board.cell == (0, 0) and len(board.records) == int(
        board.confusion.cells[(0, 0)].description
    )
    assert "(right)" in board.records_view.value
    assert "dffml-nb-cm-selected" not in board.confusion.cells[(1, 0)]._dom_classes
    with pytest.raises(KeyError, match="no cell \\(1, 7\\); labels: 0, 1"):
        board.click_cell(1, 7)


def test_binary_roc_is_the_positive_class_from_cross_validated_probabilities(board):
    board.select("scikitgnb")
    y, _, proba = gnb_predictions()
    ((name, fpr, tpr, auc),) = board.roc
    assert name == "1 vs 0" and auc == pytest.approx(roc_auc_score(y, proba[:, 1]), abs=1e-12)
    images = [c for c in board.details.children[1].children if c.__class__.__name__ == "Image"]
    assert len(images) == 1 and images[0].value[:4] == b"\x89PNG"


def test_multiclass_roc_is_one_vs_rest():
    iris = load_iris(as_frame=True).frame
    board = Leaderboard(["scikitgnb"], iris, predict="target", progress=False)
    assert [curve[0] for curve in board.roc] == ["0 vs rest", "1 vs rest", "2 vs rest"]
    assert len(board.confusion.cells) == 9


def test_clicking_headers_sorts_and_clicking_a_name_selects():
    board = Leaderboard(MODELS, CANCER, features=FEATURES, predict="target", progress=False)
    header = {c.description.split(" ")[0]: c for c in board.table.children[:4]}
    header["fit_time"].click()
    assert board.results["fit_time"].tolist() == sorted(board.results["fit_time"])
    header = {c.description.split(" ")[0]: c for c in board.table.children[:4]}
    assert header["fit_time"].description == "fit_time ▲"
    header["fit_time"].click()  # again: the other way
    assert board.results["fit_time"].tolist() == sorted(board.results["fit_time"], reverse=True)
    board.sort("accuracy")
    assert board.results["accuracy"].tolist() == sorted(board.results["accuracy"], reverse=True)
    pick = next(
        c
        for c in board.table.children
        if "dffml-nb-pick" in c._dom_classes and c.description == "scikitlda"
    )
    pick.click()
    assert board.selected == "scikitlda" and board.outcome.label == "scikitlda"
    with pytest.raises(KeyError, match="cannot sort by 'speed'"):
        board.sort("speed")


def test_models_are_added_from_the_dropdown_removed_and_re_evaluated():
    board = Leaderboard(["scikitgnb"], CANCER, features=FEATURES, predict="target", progress=False)
    assert (
        "scikitknn" in board.model_picker.options and "scikitlr" not in board.model_picker.options
    )
    board.model_picker.value = "scikitknn"
    board.add_button.click()
    assert set(board.results.index) == {"scikitgnb", "scikitknn"} and board.message.value == ""
    assert board.progress.state == "done" and board.progress.value == board.progress.total == 5
    board.select("scikitknn")
    board.remove_button.click()  # removes the selected model
    assert board.results.index.tolist() == ["scikitgnb"] and board.selected is None
    assert board.details.children == ()
    board.add(Model.load("scikitlor")(max_iter=5000), label="logistic")
    seen = []
    board.progress.bar.observe(lambda change: seen.append(change["new"]), "value")
    before = board.results.copy()
    board.evaluate_button.click()
    assert board.results.index.tolist() == before.index.tolist()
    assert np.allclose(board.results["accuracy"], before["accuracy"])
    assert board.progress.value == 10 and board.progress.state == "done"
    assert seen[0] == 0 and seen[-1] == 10 and len(seen) >= 10  # a tick per fit on the way


def test_mistakes_in_the_widget_are_shown_not_raised():
    board = Leaderboard(["scikitgnb"], CANCER, features=FEATURES, predict="target", progress=False)
    board.add(Model.load("scikitlor")(C=-1.0))  # fails to fit: a row with its error
    assert "The 'C' parameter" in board.results.loc["scikitlor", "error"]
    assert "The &#x27;C&#x27; parameter" in "".join(
        getattr(c, "value", "") for c in board.table.children
    )
    pick = next(c for c in board.table.children if getattr(c, "description", "") == "scikitlor")
    pick.click()
    assert "scikitlor failed, so it has no predictions to show" in board.message.value
    with pytest.raises(ValueError, match="this leaderboard compares classifiers"):
        board.add("scikitlr")


def test_a_regressor_shows_predicted_vs_actual_and_residuals():
    diabetes = load_diabetes(as_frame=True).frame
    board = Leaderboard(
        ["scikitridge", "scikitlr"], diabetes, predict="target", scorers=["mse"], progress=False
    )
    assert board.results["mse"].tolist() == sorted(board.results["mse"])  # lowest error first
    images = board.details.children[1].children
    assert [image.__class__.__name__ for image in images] == ["Image", "Image"]
    assert board.outcome.kind == "regressor" and len(board.outcome.y_pred) == len(diabetes)
    with pytest.raises(ValueError, match="select a classifier first"):
        board.click_cell(1, 2)


def test_registered_models_by_kind():
    classifiers = registered_models("classifier")
    assert {"scikitlor", "scikitrfc", "scikitgnb"} <= set(classifiers)
    assert "scikitlr" not in classifiers and "slr" in registered_models("regressor")
