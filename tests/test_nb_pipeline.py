"""The training pipeline behind ModelTrainer (``nb/ml/pipeline.py``), used with no widget."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import matplotlib
import pytest

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from dffml_nb.high_level import predict  # noqa: E402
from dffml_nb.nb.ml.pipeline import STEPS, TrainingError, train_and_score  # noqa: E402

SALARIES = pd.DataFrame(
    [(0, 1, 10), (1, 3, 20), (2, 5, 30), (3, 7, 40), (4, 9, 50), (5, 11, 60), (6, None, 70)],
    columns=["Years", "Expertise", "Salary"],
)


def test_regression_data_split_fit_score_figures():
    said: list[str] = []
    result = train_and_score(
        SALARIES, ["Years", "Expertise"], "Salary", "scikitlr", progress=said.append
    )
    assert said == ["split", "fitting scikitlr on 4 rows", "score", "plot"]
    assert result.model.is_trained and result.scorer == "mse"  # the regressors' default
    assert result.score == pytest.approx(0, abs=1e-9)
    assert (len(result.train_frame), len(result.test_frame), result.held_out) == (4, 2, True)
    assert result.notes == ["left out 1 rows missing a feature or the target"]
    assert set(result.figures) == {"predicted_vs_actual", "coefficients"}
    assert result.summary().startswith("trained scikitlr on 4 rows; mse on 2 held-out rows: ")
    (row,) = predict(result.model, {"Years": 7, "Expertise": 15})
    assert row.prediction("Salary").value == pytest.approx(80)


def test_classifier_splits_by_class_and_draws_a_confusion_matrix():
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True).frame
    features = [c for c in iris.columns if c != "target"]
    result = train_and_score(
        iris, features, "target", "scikitrfc", hyperparameters={"n_estimators": 10}
    )
    assert result.scorer == "accuracy" and result.score > 0.8
    assert set(result.test_frame["target"]) == {0, 1, 2}  # stratified
    assert result.figures["confusion_matrix"].axes[0].images[0].get_array().sum() == 38


def test_no_hold_out_scores_on_the_training_rows_and_plots_can_be_skipped():
    result = train_and_score(
        SALARIES, ["Years"], "Salary", "scikitlr", scorer="r2", test_size=0, plots=False
    )
    assert result.held_out is False and len(result.test_frame) == 7  # Expertise not used
    assert result.figures == {} and "r2 on 7 training rows" in result.summary()


@pytest.mark.parametrize(
    ("features", "target", "model", "options", "step", "words"),
    [
        (["Years"], "Salary", "nosuchmodel", {}, "load data", ["nosuchmodel", "scikitlr"]),
        ([], "Salary", "scikitlr", {}, "load data", ["at least one feature"]),
        (["Salary"], "Salary", "scikitlr", {}, "load data", ["also chosen as a feature"]),
        (["Years"], "Salary", "scikitlr", {"test_size": 0.9}, "split", []),
        (
            ["Years"],
            "Salary",
            "scikitridge",
            {"hyperparameters": {"alpha": -1.0}},
            "fit",
            ["scikitridge rejected a hyperparameter", "alpha"],
        ),
    ],
)
def test_a_failing_step_is_named_with_what_to_change(features, target, model, options, step, words):
    frame = SALARIES.head(2) if step == "split" else SALARIES
    with pytest.raises(TrainingError) as caught:
        train_and_score(frame, features, target, model, **options)
    error = caught.value
    assert error.step == step and step in STEPS
    for word in words:
        assert word in str(error), str(error)
    assert error.cause is not None and error.__cause__ is error.cause


def test_the_pipeline_needs_no_widget_library():
    code = textwrap.dedent(
        """
        import sys
        import pandas as pd
        from dffml_nb.nb.ml.pipeline import train_and_score

        frame = pd.DataFrame({"x": [1, 2, 3, 4], "y": [2, 4, 6, 8]})
        result = train_and_score(frame, ["x"], "y", "scikitlr", test_size=0, plots=False)
        assert result.score < 1e-9, result.score
        heavy = [m for m in ("ipywidgets", "IPython", "ipycytoscape") if m in sys.modules]
        assert not heavy, heavy
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
