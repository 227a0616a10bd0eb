"""%dffml evaluate / %dffml tune through a real IPython shell, DataFrames as sources."""

from __future__ import annotations

import pytest

pytest.importorskip("IPython")
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from dffml_nb import evaluate  # noqa: E402


@pytest.fixture
def shell():
    sh = InteractiveShell.instance()
    sh.run_cell("%load_ext dffml_nb")
    sh.run_cell(
        "from sklearn.datasets import load_breast_cancer\n"
        "cancer = load_breast_cancer(as_frame=True).frame.iloc[:, [0, 1, 2, 3, 30]]\n"
        "cancer.columns = ['radius', 'texture', 'perimeter', 'area', 'diagnosis']\n"
        "from dffml_nb import Model\n"
        "lda = Model.load('scikitlda')()\n"
    )
    yield sh
    InteractiveShell.clear_instance()


def test_evaluate_returns_a_leaderboard_of_the_dataframe(shell):
    result = shell.run_cell(
        "board = %dffml evaluate -models scikitgnb lda scikitknn -model-predict diagnosis"
        " -sources cancer -cv 4 -scorers accuracy f1"
    )
    assert result.success, result.error_in_exec
    board = shell.user_ns["board"]
    assert type(board).__name__ == "Leaderboard"
    expected = evaluate(
        ["scikitgnb", ("lda", shell.user_ns["lda"]), "scikitknn"],
        shell.user_ns["cancer"],
        predict="diagnosis",
        cv=4,
        scorers=["accuracy", "f1"],
        progress=False,
    )
    assert board.results.index.tolist() == expected.index.tolist()
    assert board.results["f1"].tolist() == pytest.approx(expected["f1"].tolist(), abs=1e-12)
    assert board.selected == expected.index[0]


def test_the_value_is_returned_once_not_also_displayed(shell):
    shown = []
    shell.display_pub.publish = lambda data, **kwargs: shown.append(data)
    result = shell.run_cell(
        "board = %dffml evaluate -models scikitgnb -model-predict diagnosis -sources cancer -cv 3"
    )
    assert result.success and shown == []  # assigned: nothing shown
    result = shell.run_cell(
        "%dffml evaluate -models scikitgnb -model-predict diagnosis -sources cancer -cv 3"
    )
    assert result.success and type(result.result).__name__ == "Leaderboard"  # IPython echoes it


def test_tune_returns_the_tuned_model(shell):
    result = shell.run_cell(
        "tuned = %dffml tune -model scikitknn -model-predict diagnosis -grid n_neighbors=1,5,15"
        " -sources cancer -cv 3"
    )
    assert result.success, result.error_in_exec
    tuned = shell.user_ns["tuned"]
    assert tuned.is_trained and tuned.hyperparameter_values["n_neighbors"] in (1, 5, 15)
    assert len(tuned.tuning) == 3 and tuned.tuning.attrs["scorer"] == "accuracy"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "%dffml evaluate -models scikitgnb -model-predict diagnosis -sources nothere",
            "no variable 'nothere' in the notebook",
        ),
        (
            "%dffml evaluate -models scikitgnb -model-predict diagnosis -sources cancer -bogus",
            "unknown flag -bogus",
        ),
        (
            "%dffml evaluate -models scikitgnb scikitlr -model-predict diagnosis -sources cancer",
            "scikitgnb (classifier), scikitlr (regressor)",
        ),
        (
            "%dffml evaluate -models scikitgnb -model-predict diagnosis -sources cancer -scorers r2",
            "'r2' is a regression scorer",
        ),
        (
            "%dffml tune -model scikitknn -model-predict diagnosis -sources cancer -grid k=1,2",
            "scikitknn has no hyperparameter 'k'",
        ),
        (
            "%dffml tune -model scikitknn -model-predict diagnosis -sources cancer -grid n_neighbors=",
            "-grid takes HYPERPARAMETER=VALUE,VALUE",
        ),
    ],
)
def test_mistakes_are_short_messages(shell, line, message, capsys):
    result = shell.run_cell(line)
    assert not result.success
    error = result.error_in_exec
    assert type(error).__name__ == "UsageError" and message in str(error)
