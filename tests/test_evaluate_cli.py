"""dffml-nb evaluate / tune: DFFML's flags in, JSON out, a text progress bar on stderr."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sklearn.datasets import load_breast_cancer

from dffml_nb import Model, evaluate

FEATURES = ["radius", "texture", "perimeter", "area", "smoothness"]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    frame = load_breast_cancer(as_frame=True).frame.iloc[:, [0, 1, 2, 3, 4, 30]]
    frame.columns = [*FEATURES, "diagnosis"]
    frame.to_csv(folder / "cancer.csv", index=False)
    return folder


def cli(*args: str, cwd, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "dffml_nb", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )
    if check:
        assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


SOURCES = ["-sources", "f=csv", "-source-filename", "cancer.csv"]


def test_evaluate_prints_the_leaderboard_as_json_equal_to_python(data):
    result = cli(
        "evaluate",
        "-models",
        "scikitgnb",
        "scikitdtc",
        "scikitlor",
        "-model-features",
        *[f"{name}:float:1" for name in FEATURES],
        "-model-predict",
        "diagnosis:int:1",
        "-model-scikitdtc-max_depth",
        "3",
        "-model-max_iter",
        "5000",
        *SOURCES,
        "-cv",
        "4",
        "-scorers",
        "accuracy",
        "f1",
        cwd=data,
    )
    rows = json.loads(result.stdout)
    assert [set(row) for row in rows] == [
        {"model", "accuracy", "accuracy_std", "f1", "f1_std", "fit_time", "error"}
    ] * 3
    board = evaluate(
        [
            "scikitgnb",
            Model.load("scikitdtc")(max_depth=3),
            Model.load("scikitlor")(max_iter=5000),
        ],
        data / "cancer.csv",
        features=[f"{name}:float:1" for name in FEATURES],
        predict="diagnosis:int:1",
        cv=4,
        scorers=["accuracy", "f1"],
        progress=False,
    )
    assert [row["model"] for row in rows] == board.index.tolist()  # best first
    for row in rows:
        if row["model"] != "scikitdtc":  # a tree breaks ties at random
            assert row["accuracy"] == pytest.approx(board.loc[row["model"], "accuracy"], abs=1e-12)
        assert row["error"] is None
    # a text progress bar on stderr, one tick per fit: 3 models x 4 folds
    assert "evaluating" in result.stderr and "12/12" in result.stderr


def test_evaluate_reads_features_and_target_type_from_the_data_without_progress(data):
    result = cli(
        "evaluate",
        "-models",
        "scikitgnb",
        "-model-predict",
        "diagnosis",
        *SOURCES,
        "-cv",
        "3",
        "-no-progress",
        cwd=data,
    )
    (row,) = json.loads(result.stdout)
    assert row["model"] == "scikitgnb" and 0.8 < row["accuracy"] <= 1
    assert "evaluating" not in result.stderr


def test_tune_prints_the_best_and_every_candidate_and_saves_the_model(data):
    result = cli(
        "tune",
        "-model",
        "scikitdtc",
        "-model-predict",
        "diagnosis:int:1",
        "-model-random_state",
        "0",
        "-grid",
        "max_depth=1,2,4",
        "-grid",
        "criterion=gini,entropy",
        "-model-location",
        "tuned",
        *SOURCES,
        "-cv",
        "3",
        cwd=data,
    )
    out = json.loads(result.stdout)
    assert out["model"] == "scikitdtc" and out["location"] == "tuned"
    assert out["scorer"] == "accuracy" and set(out["hyperparameters"]) == {"max_depth", "criterion"}
    assert len(out["tuning"]) == 6 and out["tuning"][0]["rank"] == 1
    assert out["tuning"][0]["accuracy"] == pytest.approx(out["score"])
    assert "19/19" in result.stderr  # 6 candidates x 3 folds, then the final training
    # the tuned model was saved where -model-location says: DFFML's predict finds it
    predicted = cli(
        "predict", "all", "-model", "scikitdtc", "-model-location", "tuned", *SOURCES, cwd=data
    )
    assert len(json.loads(predicted.stdout)) == 569


def test_tuple_values_in_a_grid(data):
    from dffml_nb.cli.evaluate import parse_grid

    assert parse_grid(["hidden_layer_sizes=(10,),(20,10)", "alpha=0.1,1"]) == {
        "hidden_layer_sizes": ["(10,)", "(20,10)"],
        "alpha": ["0.1", "1"],
    }


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["evaluate", "-models", "scikitgnb", "-model-predict", "diagnosis", "-bogus", "1"],
            2,
            "unknown flag -bogus; valid: -cv",
        ),
        (["evaluate", "-model-predict", "diagnosis"], 2, "missing -models"),
        (["evaluate", "-models", "scikitgnb"], 2, "missing -model-predict"),
        (
            ["evaluate", "-models", "scikitgnb", "-model-predict", "diagnosis", "-cv", "five"],
            2,
            "-cv takes a whole number, got 'five'",
        ),
        (
            [
                "evaluate",
                "-models",
                "scikitgnb",
                "-model-predict",
                "diagnosis",
                "-model-max_iter",
                "9",
            ],
            2,
            "-model-max-iter: no model here has a hyperparameter 'max_iter'",
        ),
        (
            ["evaluate", "-models", "scikitgnb", "scikitlr", "-model-predict", "diagnosis"],
            1,
            "scikitgnb (classifier), scikitlr (regressor)",
        ),
        (
            ["evaluate", "-models", "scikitgnb", "-model-predict", "diagnosis", "-scorers", "mse"],
            1,
            "'mse' is a regression scorer, but scikitgnb is a classifier: use one of",
        ),
        (
            ["evaluate", "-models", "scikitgnb", "-model-predict", "diagnosis", "-cv", "1000"],
            1,
            "scikitgnb: cannot make the cross-validation folds of cancer.csv (569 records",
        ),
        (
            ["tune", "-model", "scikitgnb", "-model-predict", "diagnosis", "-grid", "smoothing"],
            2,
            "-grid takes HYPERPARAMETER=VALUE,VALUE",
        ),
        (["tune", "-model", "scikitgnb", "-model-predict", "diagnosis"], 2, "missing -grid"),
        (
            ["tune", "-model", "scikitgnb", "-model-predict", "diagnosis", "-grid", "alpha=1"],
            1,
            "grid: scikitgnb has no hyperparameter 'alpha'; its hyperparameters: priors, var_smoothing",
        ),
        (
            [
                "tune",
                "-model",
                "scikitgnb",
                "-model-predict",
                "diagnosis",
                "-grid",
                "var_smoothing=tiny",
            ],
            1,
            "hyperparameter 'var_smoothing': cannot use 'tiny'",
        ),
    ],
)
def test_mistakes_are_one_clear_line_and_a_non_zero_exit(data, args, code, message):
    result = cli(*args, *SOURCES, cwd=data, check=False)
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert result.stdout == ""
