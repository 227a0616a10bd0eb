"""%dffml train / accuracy / predict through a real IPython shell, DataFrames as sources."""

from __future__ import annotations

import pytest

pytest.importorskip("IPython")
from IPython.core.error import UsageError  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from dffml_nb.examples.quickstart import write_data  # noqa: E402

MODEL = "-model scikitlr -model-features Years:int:1 Expertise:int:1 Trust:float:1 -model-predict Salary:float:1"


@pytest.fixture
def shell():
    sh = InteractiveShell.instance()
    sh.run_cell("%load_ext dffml_nb")
    sh.run_cell(
        "import pandas as pd\n"
        "training = pd.DataFrame({'Years': [0, 1, 2, 3], 'Expertise': [1, 3, 5, 7],"
        " 'Trust': [0.1, 0.2, 0.3, 0.4], 'Salary': [10, 20, 30, 40]})\n"
        "test = pd.DataFrame({'Years': [4, 5], 'Expertise': [9, 11], 'Trust': [0.5, 0.6], 'Salary': [50, 60]})\n"
        "new = pd.DataFrame({'Years': [6, 7], 'Expertise': [13, 15], 'Trust': [0.7, 0.8]})\n"
    )
    yield sh
    InteractiveShell.clear_instance()


def run(sh, code):
    result = sh.run_cell(code)
    return result


def test_train_score_predict_from_dataframes(shell):
    assert run(shell, f"model = %dffml train {MODEL} -sources training").success
    assert shell.user_ns["model"].is_trained
    assert run(
        shell, "s = %dffml accuracy -model model -features Salary:float:1 -scorer mse -sources test"
    ).success
    score = shell.user_ns["s"]
    assert (
        score == pytest.approx(0, abs=1e-6)
        and score.scorer == "mse"
        and "mse" in score._repr_html_()
    )
    assert run(shell, "p = %dffml predict all -model model -sources new").success
    frame = shell.user_ns["p"]
    assert frame["Salary"].round().tolist() == [70, 80]
    assert "Salary_confidence" in frame.columns


def test_cli_flags_with_files_and_location(shell, tmp_path):
    write_data(tmp_path)
    loc = tmp_path / "model"
    assert run(
        shell,
        f"%dffml train {MODEL} -model-location {loc} -sources f=csv -source-filename {tmp_path / 'training.csv'}",
    ).success
    assert run(
        shell,
        f"r = %dffml predict all {MODEL} -model-location {loc} -sources f=csv -source-filename {tmp_path / 'predict.csv'}",
    ).success
    assert shell.user_ns["r"]["Salary"].round().tolist() == [70, 80]


@pytest.mark.parametrize(
    "line, message",
    [
        ("%dffml train -model nosuch -sources training", "unknown model 'nosuch'; known models:"),
        (f"%dffml train {MODEL} -sources nosuchvar", "no variable 'nosuchvar' in the notebook"),
        (f"%dffml train {MODEL} -model-bogus 3 -sources training", "bogus"),
        (
            "%dffml train -model scikitlr -model-features Nope:int:1 -model-predict Salary:float:1 -sources training",
            "Nope",
        ),
        (
            "%dffml accuracy -model model -features Salary:float:1 -scorer nosuch -sources test",
            "unknown scorer 'nosuch'",
        ),
    ],
)
def test_mistakes_are_short_usage_messages(shell, capsys, line, message):
    run(shell, f"model = %dffml train {MODEL} -sources training")
    before = shell.user_ns["model"]
    result = run(shell, line)
    assert not result.success
    out = capsys.readouterr()
    text = out.out + out.err
    assert "UsageError" in text and message in text
    assert "Traceback" not in text
    assert shell.user_ns["model"] is before  # nothing finished is lost


def _one_line_error(shell, capsys, line):
    """Run ``line`` as a cell: it must fail with a one-line UsageError and no traceback."""
    result = run(shell, line)
    assert isinstance(result.error_in_exec, UsageError), result.error_in_exec
    message = str(result.error_in_exec)
    assert len(message.splitlines()) == 1, message
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return message


def test_training_into_an_unwritable_location_is_one_line(shell, capsys, tmp_path):
    # a regular file where the location's folder should be: unwritable even for root
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    location = blocker / "model"
    message = _one_line_error(
        shell, capsys, f"m = %dffml train {MODEL} -model-location {location} -sources training"
    )
    assert message.startswith("%dffml train: ") and str(location) in message, message
    assert "m" not in shell.user_ns
    assert blocker.read_text() == "not a folder"  # nothing lost


def test_a_file_that_is_not_a_database_is_one_line_naming_it(shell, capsys, tmp_path):
    bogus = tmp_path / "data.sqlite"
    bogus.write_text("Years,Salary\n1,10\n")
    message = _one_line_error(
        shell, capsys, f"%dffml train {MODEL} -sources f=sqlite -source-filename {bogus}"
    )
    assert message.startswith("%dffml train: ") and str(bogus) in message, message
    assert "not a database" in message
    run(shell, f"model = %dffml train {MODEL} -sources training")
    message = _one_line_error(
        shell, capsys, f"%dffml predict all -model model -sources f=sqlite -source-filename {bogus}"
    )
    assert message.startswith("%dffml predict: ") and str(bogus) in message, message


def test_results_are_returned_not_displayed(shell, monkeypatch):
    """Each ML magic returns its value; IPython echoes a cell's last expression only, once."""
    shown = []  # everything display() publishes (the echo goes through the display hook)
    monkeypatch.setattr(shell.display_pub, "publish", lambda data, **kw: shown.append(data))
    shell.user_ns["here"] = "training"
    echoed = run(shell, f"%dffml train {MODEL} -sources $here").result
    assert echoed is not None and echoed.is_trained
    assert run(shell, f"model = %dffml train {MODEL} -sources $here").result is None
    score = run(shell, "%dffml accuracy -model model -features Salary:float:1 -sources test")
    assert score.result == pytest.approx(0, abs=1e-6)
    assert run(shell, "p = %dffml predict all -model model -sources new").result is None
    assert run(shell, "%dffml predict all -model model -sources new;").result is None
    assert shown == []
