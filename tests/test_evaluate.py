"""evaluate(): a cross-validated leaderboard whose numbers are scikit-learn's own."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from sklearn.naive_bayes import GaussianNB

from dffml_nb import Model, evaluate
from dffml_nb.evaluation.evaluate import EvaluationError, FoldWarning

CANCER = load_breast_cancer(as_frame=True).frame
CANCER_FEATURES = list(CANCER.columns[:6])  # a few columns: fast, and still a real task
DIABETES = load_diabetes(as_frame=True).frame
DIABETES_FEATURES = [c for c in DIABETES.columns if c != "target"]


def cancer_xy():
    return CANCER[CANCER_FEATURES].to_numpy(float), CANCER["target"].to_numpy()


def lor(**hyperparameters):
    return Model.load("scikitlor")(
        features=CANCER_FEATURES, predict="target:int:1", max_iter=5000, **hyperparameters
    )


def test_numbers_equal_cross_validate_on_the_same_estimator_data_and_splitter():
    X, y = cancer_xy()
    folds = StratifiedKFold(4, shuffle=True, random_state=3)
    board = evaluate(
        [lor(), "scikitgnb", "scikitdtc"],
        CANCER,
        features=CANCER_FEATURES,
        scorers=["accuracy", "f1", "balanced_accuracy"],
        cv=folds,
        progress=False,
    )
    expected = {
        "scikitlor": LogisticRegression(max_iter=5000),
        "scikitgnb": GaussianNB(),
    }
    for label, estimator in expected.items():
        truth = cross_validate(
            estimator, X, y, cv=folds, scoring=["accuracy", "f1", "balanced_accuracy"]
        )
        for scorer in ("accuracy", "f1", "balanced_accuracy"):
            values = truth[f"test_{scorer}"]
            assert board.loc[label, scorer] == pytest.approx(values.mean(), abs=1e-9)
            assert board.loc[label, f"{scorer}_std"] == pytest.approx(values.std(), abs=1e-9)
    assert list(board.columns) == [
        "accuracy",
        "accuracy_std",
        "f1",
        "f1_std",
        "balanced_accuracy",
        "balanced_accuracy_std",
        "fit_time",
        "error",
    ]
    assert board.index.name == "model" and set(board.index) == {
        "scikitlor",
        "scikitgnb",
        "scikitdtc",
    }
    assert (board["fit_time"] > 0).all() and board["error"].isna().all()
    # best first by the first scorer
    assert board["accuracy"].tolist() == sorted(board["accuracy"], reverse=True)


def test_error_scorers_are_the_error_itself_and_sort_lowest_first():
    X, y = DIABETES[DIABETES_FEATURES].to_numpy(), DIABETES["target"].to_numpy()
    folds = KFold(5, shuffle=True, random_state=0)
    board = evaluate(
        ["scikitlr", "scikitridge", "scikitknr"],
        DIABETES,
        predict="target",
        scorers=["mse", "r2", "meanabserr"],
        cv=folds,
        progress=False,
    )
    for label, estimator in {"scikitlr": LinearRegression(), "scikitridge": Ridge()}.items():
        truth = cross_validate(
            estimator,
            X,
            y,
            cv=folds,
            scoring=["neg_mean_squared_error", "r2", "neg_mean_absolute_error"],
        )
        assert board.loc[label, "mse"] == pytest.approx(
            -truth["test_neg_mean_squared_error"].mean(), abs=1e-9
        )
        assert board.loc[label, "r2"] == pytest.approx(truth["test_r2"].mean(), abs=1e-9)
        assert board.loc[label, "meanabserr"] == pytest.approx(
            -truth["test_neg_mean_absolute_error"].mean(), abs=1e-9
        )
    assert (board["mse"] > 0).all()
    assert board["mse"].tolist() == sorted(board["mse"])  # lowest error first
    assert board.attrs["greater_is_better"] == {"mse": False, "r2": True, "meanabserr": False}


def test_int_cv_uses_scikit_learns_default_splitter_stratified_for_classifiers():
    # sorted labels: plain KFold would put one class per fold, StratifiedKFold does not
    frame = CANCER.sort_values("target").reset_index(drop=True)
    X, y = frame[CANCER_FEATURES].to_numpy(), frame["target"].to_numpy()
    board = evaluate(
        ["scikitgnb"], frame, features=CANCER_FEATURES, predict="target", cv=5, progress=False
    )
    stratified = cross_validate(GaussianNB(), X, y, cv=StratifiedKFold(5))["test_score"]
    plain = cross_validate(GaussianNB(), X, y, cv=KFold(5))["test_score"]
    assert board.loc["scikitgnb", "accuracy"] == pytest.approx(stratified.mean(), abs=1e-9)
    assert abs(stratified.mean() - plain.mean()) > 1e-3  # so the check above tells them apart
    # and a regressor with an int cv gets KFold
    board = evaluate(["scikitridge"], DIABETES, predict="target", cv=3, progress=False)
    truth = cross_validate(
        Ridge(), DIABETES[DIABETES_FEATURES].to_numpy(), DIABETES["target"].to_numpy(), cv=3
    )
    assert board.loc["scikitridge", "r2"] == pytest.approx(truth["test_score"].mean(), abs=1e-9)


def test_default_scorers_accuracy_for_classifiers_r2_for_regressors():
    board = evaluate("scikitgnb", CANCER, predict="target", cv=3, progress=False)
    assert list(board.columns[:2]) == ["accuracy", "accuracy_std"]
    board = evaluate("scikitlr", DIABETES, predict="target", cv=3, progress=False)
    assert list(board.columns[:2]) == ["r2", "r2_std"]


def test_models_as_instances_names_estimators_and_labels_with_repeats_suffixed():
    board = evaluate(
        [
            lor(),
            lor(C=0.1),
            ("forest", RandomForestClassifier(n_estimators=10, random_state=0)),
            "scikitgnb",
        ],
        CANCER,
        cv=3,
        progress=False,
    )
    assert set(board.index) == {"scikitlor", "scikitlor-2", "forest", "scikitgnb"}
    X, y = cancer_xy()
    truth = cross_validate(LogisticRegression(max_iter=5000, C=0.1), X, y, cv=3)["test_score"]
    assert board.loc["scikitlor-2", "accuracy"] == pytest.approx(truth.mean(), abs=1e-9)
    forest = cross_validate(RandomForestClassifier(n_estimators=10, random_state=0), X, y, cv=3)
    assert board.loc["forest", "accuracy"] == pytest.approx(forest["test_score"].mean(), abs=1e-9)
    # a dict names the rows too
    board = evaluate(
        {"a": "scikitgnb", "b": "scikitdtc"},
        CANCER,
        features=CANCER_FEATURES,
        predict="target",
        cv=3,
        progress=False,
    )
    assert set(board.index) == {"a", "b"}


def test_given_models_are_not_trained():
    model = lor()
    evaluate([model], CANCER, cv=3, progress=False)
    assert not model.is_trained


def test_data_as_a_file_rows_or_a_frame_gives_the_same_board(tmp_path):
    small = CANCER[[*CANCER_FEATURES, "target"]].iloc[:120]
    path = tmp_path / "cancer.csv"
    small.to_csv(path, index=False)
    rows = small.to_dict("records")
    boards = [
        evaluate(
            ["scikitgnb"],
            data,
            features=CANCER_FEATURES,
            predict="target:int:1",
            cv=3,
            progress=False,
        )
        for data in (small, str(path), rows)
    ]
    for board in boards[1:]:
        assert board.loc["scikitgnb", "accuracy"] == pytest.approx(
            boards[0].loc["scikitgnb", "accuracy"], abs=1e-12
        )


def test_a_model_that_is_not_scikit_learns_runs_through_its_own_fit_and_predict():
    one = ["bmi"]
    X, y = DIABETES[one].to_numpy(), DIABETES["target"].to_numpy()
    folds = KFold(4, shuffle=True, random_state=1)
    board = evaluate(
        ["slr", "scikitlr"],
        DIABETES,
        features=one,
        predict="target",
        cv=folds,
        scorers=["mse"],
        progress=False,
    )
    truth = cross_validate(LinearRegression(), X, y, cv=folds, scoring="neg_mean_squared_error")
    # slr (numpy least squares) and LinearRegression agree on one feature
    assert board.loc["slr", "mse"] == pytest.approx(-truth["test_score"].mean(), rel=1e-9)
    assert board.loc["scikitlr", "mse"] == pytest.approx(-truth["test_score"].mean(), abs=1e-9)


def test_scikit_learn_scoring_names_are_accepted():
    X, y = cancer_xy()
    board = evaluate(
        ["scikitgnb"],
        CANCER,
        features=CANCER_FEATURES,
        predict="target",
        scorers=["roc_auc", "accuracy"],
        cv=4,
        progress=False,
    )
    truth = cross_validate(GaussianNB(), X, y, cv=4, scoring="roc_auc")["test_score"]
    assert board.loc["scikitgnb", "roc_auc"] == pytest.approx(truth.mean(), abs=1e-9)


def test_dffml_model_scikit_scorer_names_score_like_ours():
    board = evaluate(
        ["scikitgnb"],
        CANCER,
        features=CANCER_FEATURES,
        predict="target",
        scorers=["acscore", "accuracy", "f1score", "f1"],
        cv=3,
        progress=False,
    )
    row = board.loc["scikitgnb"]
    assert row["acscore"] == row["accuracy"] and row["f1score"] == row["f1"]


def test_n_jobs_gives_the_same_numbers_and_every_fit_ticks():
    ticks = []
    one = evaluate(
        ["scikitgnb", "scikitdtc"],
        CANCER,
        features=CANCER_FEATURES,
        predict="target",
        cv=4,
        progress=False,
    )
    two = evaluate(
        ["scikitgnb", "scikitdtc"],
        CANCER,
        features=CANCER_FEATURES,
        predict="target",
        cv=4,
        n_jobs=2,
        progress=lambda done, total: ticks.append((done, total)),
    )
    assert two.loc["scikitgnb", "accuracy"] == pytest.approx(
        one.loc["scikitgnb", "accuracy"], abs=1e-12
    )
    assert ticks[0] == (0, 8) and ticks[-1] == (8, 8) and len(ticks) == 9


def test_progress_ticks_once_per_fit_in_process():
    ticks = []
    evaluate(
        ["scikitgnb", "scikitdtc", "scikitknn"],
        CANCER,
        features=CANCER_FEATURES,
        predict="target",
        cv=3,
        progress=lambda d, t: ticks.append(d),
    )
    assert ticks == list(range(10))


# -- bad input ----------------------------------------------------------------------


def test_too_few_rows_for_the_folds_names_the_models_the_data_and_says_scikit_learns_message():
    rows = [{"x": float(i), "y": float(i)} for i in range(3)]
    with pytest.raises(EvaluationError) as error:
        evaluate(
            ["scikitlr", "scikitridge"], rows, features=["x"], predict="y", cv=5, progress=False
        )
    message = str(error.value)
    assert "scikitlr, scikitridge" in message and "3 records" in message
    assert "n_splits=5" in message  # scikit-learn's own words


def test_too_few_members_of_every_class_or_one_class_only_is_an_error():
    rows = [{"x": float(i), "label": "a" if i < 3 else "b"} for i in range(6)]
    with pytest.raises(EvaluationError) as error:
        evaluate(["scikitgnb"], rows, features=["x"], predict="label", cv=5, progress=False)
    message = str(error.value)
    assert message.startswith("scikitgnb: ") and "a list of 6" in message
    assert "6 records, 2 classes" in message
    assert "n_splits=5 cannot be greater than the number of members in each class" in message
    rows = [{"x": float(i), "label": "a"} for i in range(10)]
    with pytest.raises(EvaluationError, match="at least 2 classes.*'label'.*found only \\['a'\\]"):
        evaluate(["scikitgnb"], rows, features=["x"], predict="label", cv=5, progress=False)


def test_a_class_smaller_than_the_folds_warns_once_with_the_models_and_data():
    rows = [{"x": float(i), "label": "a" if i < 8 else "b"} for i in range(10)]
    with pytest.warns(FoldWarning) as caught:
        board = evaluate(["scikitgnb"], rows, features=["x"], predict="label", cv=5, progress=False)
    assert len(caught) == 1
    assert "scikitgnb: folds of a list of 10 (10 records, 2 classes)" in str(caught[0].message)
    assert "least populated class in y has only 2 members" in str(caught[0].message)
    assert board.loc["scikitgnb", "error"] is None


def test_a_scorer_that_does_not_fit_the_task_is_named_with_the_ones_that_do():
    with pytest.raises(EvaluationError) as error:
        evaluate(
            ["scikitgnb"], CANCER, predict="target", scorers=["accuracy", "mse"], progress=False
        )
    message = str(error.value)
    assert "'mse' is a regression scorer" in message and "scikitgnb is a classifier" in message
    assert "accuracy" in message.split("use one of")[1] and "f1" in message.split("use one of")[1]
    with pytest.raises(EvaluationError, match="'accuracy' is a classification scorer.*r2"):
        evaluate(["scikitlr"], DIABETES, predict="target", scorers="accuracy", progress=False)


def test_unknown_scorer_lists_the_known_ones():
    with pytest.raises(LookupError, match="unknown scorer 'acuracy'.*accuracy"):
        evaluate(["scikitgnb"], CANCER, predict="target", scorers="acuracy", progress=False)


def test_models_with_different_features_or_targets_are_refused_naming_them():
    a = Model.load("scikitgnb")(features=["mean radius"], predict="target:int:1")
    b = Model.load("scikitdtc")(features=["mean area"], predict="target:int:1")
    with pytest.raises(EvaluationError) as error:
        evaluate([a, b], CANCER, progress=False)
    message = str(error.value)
    assert "scikitgnb: features ['mean radius']" in message
    assert "scikitdtc: features ['mean area']" in message
    c = Model.load("scikitdtc")(features=["mean radius"], predict="other:int:1")
    with pytest.raises(EvaluationError, match="scikitdtc: features \\['mean radius'\\] → other"):
        evaluate([a, c], CANCER, progress=False)


def test_models_of_different_kinds_are_refused():
    with pytest.raises(
        EvaluationError, match="scikitgnb \\(classifier\\), scikitlr \\(regressor\\)"
    ):
        evaluate(["scikitgnb", "scikitlr"], CANCER, predict="target", progress=False)


def test_a_failing_model_is_a_row_with_its_error_and_the_others_are_evaluated():
    bad = lor(C=-1.0)  # scikit-learn refuses it when fitting
    board = evaluate(["scikitgnb", bad], CANCER, cv=3, progress=False)
    assert board.loc["scikitgnb", "error"] is None and board.loc["scikitgnb", "accuracy"] > 0.8
    assert (
        "The 'C' parameter" in board.loc["scikitlor", "error"]
        and "Got -1.0" in board.loc["scikitlor", "error"]
    )
    assert np.isnan(board.loc["scikitlor", "accuracy"])
    assert board.index.tolist() == ["scikitgnb", "scikitlor"]  # failed rows last
    # a model that cannot even be built with these features: slr takes one
    board = evaluate(["slr", "scikitlr"], DIABETES, predict="target", cv=3, progress=False)
    assert "slr regresses on exactly one feature" in board.loc["slr", "error"]
    assert board.loc["scikitlr", "r2"] > 0.3 and board.index[0] == "scikitlr"


def test_top_level_names_stay_functions_whatever_was_imported_first():
    import subprocess
    import sys

    code = (
        "import dffml_nb.cli.evaluate, dffml_nb.nb.magics.evaluate, dffml_nb.evaluation.tune\n"
        "import dffml_nb.evaluation.evaluate\n"
        "from dffml_nb import evaluate, tune\n"
        "assert callable(evaluate) and callable(tune), (evaluate, tune)\n"
        "import dffml_nb\n"
        "assert dffml_nb.evaluate is evaluate and dffml_nb.tune is tune\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
