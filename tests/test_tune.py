"""tune(): scikit-learn's grid search over a model's hyperparameters, checked first, with progress."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, KFold, StratifiedKFold
from sklearn.tree import DecisionTreeClassifier

from dffml_nb import Model, predict, tune
from dffml_nb.evaluation.evaluate import EvaluationError

CANCER = load_breast_cancer(as_frame=True).frame
FEATURES = list(CANCER.columns[:6])
DIABETES = load_diabetes(as_frame=True).frame


def lor(**hyperparameters):
    return Model.load("scikitlor")(
        features=FEATURES, predict="target:int:1", max_iter=5000, **hyperparameters
    )


def test_tune_finds_what_grid_search_cv_finds_and_trains_on_all_the_data(tmp_path):
    grid = {"C": [0.01, 0.1, 1.0, 10.0]}
    ticks = []
    tuned = tune(
        Model.load("scikitlor")(
            features=FEATURES, predict="target:int:1", max_iter=5000, location=tmp_path / "m"
        ),
        grid,
        CANCER,
        cv=4,
        progress=lambda done, total: ticks.append((done, total)),
    )
    X, y = CANCER[FEATURES].to_numpy(), CANCER["target"].to_numpy()
    search = GridSearchCV(LogisticRegression(max_iter=5000), grid, cv=4).fit(X, y)
    assert tuned.hyperparameter_values["C"] == search.best_params_["C"]
    assert tuned.hyperparameter_values["max_iter"] == 5000  # kept from the model given
    tuning = tuned.tuning
    assert len(tuning) == 4 and list(tuning.columns) == [
        "C",
        "accuracy",
        "accuracy_std",
        "rank",
        "fit_time",
    ]
    assert tuning["rank"].tolist() == sorted(tuning["rank"])  # best first
    by_c = tuning.set_index("C")["accuracy"]
    for c, mean in zip(search.cv_results_["param_C"], search.cv_results_["mean_test_score"]):
        assert by_c[c] == pytest.approx(mean, abs=1e-9)
    assert tuning.attrs["best_params"] == {"C": search.best_params_["C"]}
    assert tuning.attrs["best_score"] == pytest.approx(search.best_score_, abs=1e-9)
    # trained on all the data with the best C: the same predictions as GridSearchCV's refit
    frame = predict(tuned, CANCER.iloc[:50], as_frame=True)
    assert (frame["target"].to_numpy() == search.best_estimator_.predict(X[:50])).all()
    assert tuned.is_trained and (tmp_path / "m").is_dir()  # saved to its location
    # one tick per fit: 4 candidates x 4 folds, then the final training
    assert ticks[0] == (0, 17) and ticks[-1] == (17, 17) and len(ticks) == 18


def test_error_scorers_choose_the_lowest_error_and_report_the_error_itself():
    grid = {"alpha": [0.01, 1.0, 100.0]}
    folds = KFold(5, shuffle=True, random_state=0)
    tuned = tune(
        "scikitridge", grid, DIABETES, predict="target", scorer="mse", cv=folds, progress=False
    )
    features = [c for c in DIABETES.columns if c != "target"]
    search = GridSearchCV(Ridge(), grid, cv=folds, scoring="neg_mean_squared_error").fit(
        DIABETES[features].to_numpy(), DIABETES["target"].to_numpy()
    )
    assert tuned.hyperparameter_values["alpha"] == search.best_params_["alpha"]
    assert (tuned.tuning["mse"] > 0).all()
    assert tuned.tuning["mse"].iloc[0] == pytest.approx(-search.best_score_, abs=1e-9)
    assert tuned.tuning["mse"].iloc[0] == tuned.tuning["mse"].min()


def test_several_hyperparameters_text_values_and_a_list_of_grids():
    tuned = tune(
        "scikitdtc",
        [{"max_depth": ["2", "4"], "criterion": ["gini", "entropy"]}, {"min_samples_leaf": [5]}],
        CANCER,
        features=FEATURES,
        predict="target",
        cv=StratifiedKFold(3),
        progress=False,
    )
    assert len(tuned.tuning) == 5
    assert set(tuned.tuning.columns[:3]) == {"max_depth", "criterion", "min_samples_leaf"}
    assert tuned.tuning["max_depth"].dropna().isin([2, 4]).all()  # text became ints
    search = GridSearchCV(
        DecisionTreeClassifier(),
        [{"max_depth": [2, 4], "criterion": ["gini", "entropy"]}, {"min_samples_leaf": [5]}],
        cv=StratifiedKFold(3),
    ).fit(CANCER[FEATURES].to_numpy(), CANCER["target"].to_numpy())
    assert tuned.tuning.attrs["best_params"] == search.best_params_


def test_calibrated_svc_grid_reaches_the_wrapped_svc():
    tuned = tune(
        "scikitsvc",
        {"C": [0.5, 2.0]},
        CANCER,
        features=FEATURES,
        predict="target",
        cv=3,
        progress=False,
    )
    assert tuned.hyperparameter_values["C"] in (0.5, 2.0)
    assert tuned.estimator.estimator.C == tuned.hyperparameter_values["C"]


def test_n_jobs_ticks_every_fit_from_worker_processes():
    ticks = []
    serial = tune(lor(), {"C": [0.1, 1.0]}, CANCER, cv=3, progress=False)
    parallel = tune(
        lor(), {"C": [0.1, 1.0]}, CANCER, cv=3, n_jobs=2, progress=lambda d, t: ticks.append(d)
    )
    assert parallel.hyperparameter_values == serial.hyperparameter_values
    assert np.allclose(parallel.tuning["accuracy"], serial.tuning["accuracy"])
    assert ticks[-1] == 2 * 3 + 1 and sorted(ticks) == ticks


def test_halving_grid_search():
    grid = {"max_depth": [1, 2, 3, 4, 5, 6]}
    ticks = []
    tuned = tune(
        "scikitdtc",
        grid,
        CANCER,
        features=FEATURES,
        predict="target",
        cv=3,
        halving=True,
        progress=lambda d, t: ticks.append((d, t)),
    )
    search = HalvingGridSearchCV(DecisionTreeClassifier(random_state=0), grid, cv=3, refit=False)
    search.fit(CANCER[FEATURES].to_numpy(), CANCER["target"].to_numpy())
    assert "iter" in tuned.tuning.columns and "n_resources" in tuned.tuning.columns
    assert len(tuned.tuning) == len(search.cv_results_["params"])
    fits = len(search.cv_results_["params"]) * 3
    assert ticks[-1] == (fits + 1, fits + 1)


# -- bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ({}, "the grid is empty: give at least one hyperparameter of scikitlor"),
        ([], "the grid is empty"),
        ({"C": []}, "hyperparameter 'C' has no values to try"),
        ({"Cee": [1]}, "scikitlor has no hyperparameter 'Cee'; its hyperparameters: C, "),
        ({"C": ["abc"]}, "grid: hyperparameter 'C': cannot use 'abc'; expected float"),
        ({"max_iter": [1.5]}, "hyperparameter 'max_iter' cannot be 1.5 \\(float\\); expected int"),
        ({"solver": ["sgd"]}, "hyperparameter 'solver': cannot use 'sgd'; expected .*'lbfgs'"),
        ({"C": [-1]}, "hyperparameter 'C' cannot be -1; expected a value at least 0"),
        ({"fit_intercept": ["maybe"]}, "hyperparameter 'fit_intercept': cannot use 'maybe'"),
    ],
)
def test_bad_grids_are_errors_naming_the_hyperparameter(grid, message):
    with pytest.raises(EvaluationError, match=message):
        tune(lor(), grid, CANCER, progress=False)


def test_a_scorer_that_does_not_fit_is_named():
    with pytest.raises(EvaluationError, match="'r2' is a regression scorer.*use one of accuracy"):
        tune(lor(), {"C": [1.0]}, CANCER, scorer="r2", progress=False)


def test_tune_takes_one_model():
    with pytest.raises(EvaluationError, match="tune takes one dffml_nb model"):
        tune(["scikitlor", "scikitgnb"], {"C": [1.0]}, CANCER, progress=False)
