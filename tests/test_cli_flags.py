"""Every command declares its flags: anything else is an error naming the flag and the closest valid one.

``-model-<keyword>`` is checked against the chosen model's constructor and
hyperparameters, ``-source-[<label>-]<keyword>`` against the chosen source's
constructor. The ``%dffml`` magics share the same functions, so the same errors.
"""

from __future__ import annotations

import csv
import json

import pytest
from cli_support import MODEL, cli, cli_here, one_line_error

from dffml_nb.cli import args as cli_args
from dffml_nb.cli import ml as cli_ml
from dffml_nb.examples.calc import calc_flow
from dffml_nb.examples.quickstart import write_data

NO_LOCATION = MODEL[:-2]  # the quickstart's model flags without -model-location
TRAIN = ["-sources", "f=csv", "-source-filename", "training.csv"]
TEST = ["-features", "Salary:float:1", "-sources", "f=csv", "-source-filename", "test.csv"]
PREDICT = ["-sources", "f=csv", "-source-filename", "predict.csv"]


@pytest.fixture
def data(tmp_path, monkeypatch):
    write_data(tmp_path)
    calc_flow().save(tmp_path / "calc.json")
    monkeypatch.chdir(tmp_path)
    return tmp_path


UNKNOWN = [
    (["accuracy", *MODEL, *TEST, "-scorr", "mae"], "unknown flag -scorr; did you mean -scorer?"),
    (
        ["accuracy", *MODEL, "-features", "Salary:float:1", "-sourcess", "f=csv"],
        "unknown flag -sourcess; did you mean -sources?",
    ),
    (
        [
            "train",
            *NO_LOCATION[:3],
            "-model-featurs",
            "Years:int:1",
            "-model-location",
            "m",
            *TRAIN,
        ],
        "unknown flag -model-featurs for model scikitlr; did you mean -model-features?",
    ),
    (  # a hyperparameter: the keywords come from the estimator's constructor
        ["train", "-model", "scikitrfc", "-model-n_estimator", "5", *MODEL[2:], *TRAIN],
        "unknown flag -model-n_estimator for model scikitrfc; did you mean -model-n_estimators?",
    ),
    (
        ["train", *NO_LOCATION, "-modl-location", "m", *TRAIN],
        "unknown flag -modl-location; did you mean -model-location?",
    ),
    (
        ["train", *MODEL, "-sources", "f=csv", "-source-filenme", "training.csv"],
        "unknown flag -source-filenme for source f=csv; did you mean -source-filename?",
    ),
    (
        ["train", *MODEL, "-sources", "f=csv", "-source-f-filenme", "training.csv"],
        "unknown flag -source-f-filenme for source f=csv; did you mean -source-f-filename?",
    ),
    (  # a CSV keyword given to an SQLite source: the source's own keywords are listed
        [
            "train",
            *MODEL,
            "-sources",
            "f=sqlite",
            "-source-filename",
            "x.db",
            "-source-delimiter",
            ";",
        ],
        "unknown flag -source-delimiter for source f=sqlite; valid: ",
    ),
    (
        ["train", *MODEL, *TRAIN, "-scorer", "mse"],
        "unknown flag -scorer;",
    ),  # accuracy's, not train's
    (["predict", "all", *MODEL, *PREDICT, "-updte"], "unknown flag -updte; did you mean -update?"),
    (
        ["dataflow", "run", "calc.json", "-input", "1=calc_string"],
        "unknown flag -input; did you mean -inputs?",
    ),
    (["dataflow", "create", "get_single", "-sed", "x=y"], "unknown flag -sed; did you mean -seed?"),
    (
        ["list", "records", "-sources", "f=csv", "-source-filename", "test.csv", "-prety"],
        "unknown flag -prety; did you mean -pretty?",
    ),
    (["list", "models", "-pretty"], "unknown flag -pretty; this command takes no flags"),
    (["quickstart", "-mdoel", "slr"], "unknown flag -mdoel; did you mean -model?"),
]


@pytest.mark.parametrize(
    "argv, message", UNKNOWN, ids=[" ".join(a[:1] + a[-2:]) for a, _ in UNKNOWN]
)
def test_unknown_flag_is_a_usage_error_suggesting_the_closest(data, capsys, argv, message):
    line = one_line_error(cli_here(capsys, *argv), code=2)
    assert message in line
    assert not (data / "tempdir").exists() and not (data / "m").exists()  # refused before any work


def test_unknown_flag_through_the_console_script(data):
    """Today's main prints the MSE and exits 0 here."""
    cli("train", *MODEL, *TRAIN, cwd=data)
    result = cli("accuracy", *MODEL, *TEST, "-scorr", "mae", cwd=data, check=False)
    assert one_line_error(result, code=2) == "dffml-nb: unknown flag -scorr; did you mean -scorer?"


def test_magic_functions_raise_the_same_usage_error(data):
    """``%dffml train|accuracy|predict`` call these with the notebook's namespace."""
    namespace = {"training": [{"Years": 0, "Salary": 1}]}
    _, options = cli_args.parse([*NO_LOCATION, "-sourcess", "training"])
    for run in (cli_ml.run_train, cli_ml.run_accuracy, cli_ml.run_predict, cli_ml._trained):
        # (_trained + build_sources are what %dffml predict builds its DataFrame from)
        with pytest.raises(
            cli_args.UsageError, match="unknown flag -sourcess; did you mean -sources"
        ):
            run(options, namespace)
    _, options = cli_args.parse([*NO_LOCATION, "-sources", "training", "-scorr", "mae"])
    with pytest.raises(cli_args.UsageError, match="unknown flag -scorr; did you mean -scorer"):
        cli_ml.run_accuracy(options, namespace)
    # -update / -keys are applied by run_predict only: refused, not ignored, on their own
    _, options = cli_args.parse(["-model", "m", "-sources", "training", "-update"])
    with pytest.raises(cli_args.UsageError, match="unknown flag -update"):
        cli_ml._trained(options, {"m": object(), **namespace})
    # a trained model variable takes no -model-* configuration
    _, options = cli_args.parse(["-model", "m", "-model-location", "x", "-sources", "training"])
    with pytest.raises(cli_args.UsageError, match="-model-location does not apply"):
        cli_ml.run_accuracy(options, {"m": object(), **namespace})
    # -source-* keywords with only notebook variables as sources apply to nothing
    _, options = cli_args.parse([*NO_LOCATION, "-sources", "training", "-source-filename", "x"])
    with pytest.raises(cli_args.UsageError, match="-source-filename applies to no source"):
        cli_ml.run_train(options, namespace)


def test_magic_shows_the_suggestion(data, capsys):
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.run_cell("%load_ext dffml_nb")
        shell.run_cell("rows = [{'Years': i, 'Salary': 10 * i} for i in range(4)]")
        trained = shell.run_cell(
            "model = %dffml train -model scikitlr -model-features Years:int:1 "
            "-model-predict Salary:float:1 -sources rows"
        )
        assert trained.success
        capsys.readouterr()
        result = shell.run_cell(
            "%dffml accuracy -model model -features Salary:float:1 -scorr mae -sources rows"
        )
        text = "".join(capsys.readouterr())
        assert not result.success
        assert "UsageError" in text and "unknown flag -scorr; did you mean -scorer?" in text
        assert "Traceback" not in text
        result = shell.run_cell("%dffml train -h")  # the usage, as a short message
        text = "".join(capsys.readouterr())
        assert not result.success and "usage: dffml-nb train" in text and "Traceback" not in text
    finally:
        InteractiveShell.clear_instance()


@pytest.mark.parametrize("flag", ["-model-location", "-model-directory"])
def test_dffml_model_location_and_its_former_name(data, capsys, flag):
    model = [*NO_LOCATION, flag, "saved"]
    assert cli_here(capsys, "train", *model, *TRAIN).returncode == 0
    assert (data / "saved" / "model.json").is_file()
    result = cli_here(capsys, "accuracy", *model, *TEST)
    assert result.returncode == 0 and json.loads(result.stdout) == pytest.approx(0, abs=1e-6)
    twice = cli_here(capsys, "train", *model, flag, "x", *TRAIN)
    assert "takes one value, got 2: saved x" in one_line_error(twice, code=2)
    both = ["-model-directory", "a", "-model-location", "b"]
    assert "not both" in one_line_error(cli_here(capsys, "train", *NO_LOCATION, *both, *TRAIN))


def test_labelled_source_flags_and_several_sources(data, capsys):
    assert (
        cli_here(
            capsys, "train", *MODEL, "-sources", "f=csv", "-source-f-filename", "training.csv"
        ).returncode
        == 0
    )
    result = cli_here(
        capsys,
        "list",
        "records",
        "-sources",
        "a=csv",
        "b=csv",
        "-source-a-filename",
        "training.csv",
        "-source-b-filename",
        "test.csv",
        "-source-b-key",
        "Years",
    )
    assert result.returncode == 0
    records = json.loads(result.stdout)
    assert [r["key"] for r in records] == ["0", "1", "2", "3", "4", "5"]
    assert records[4]["features"]["Salary"] == 50


def test_a_bare_boolean_hyperparameter_is_true(data, capsys):
    result = cli_here(capsys, "train", *MODEL, "-model-fit_intercept", *TRAIN)
    assert result.returncode == 0, result.stderr
    saved = json.loads((data / "tempdir" / "model.json").read_text())
    assert "fit_intercept" in json.dumps(saved)
    needs = cli_here(capsys, "train", *MODEL, "-model-n_jobs", *TRAIN)
    assert "-model-n_jobs needs a value" in one_line_error(needs, code=2)


def test_predict_record_keys_update_and_pretty(data, capsys):
    assert cli_here(capsys, "train", *MODEL, *TRAIN).returncode == 0
    result = cli_here(capsys, "predict", "record", "-keys", "1", *MODEL, *PREDICT)
    assert result.returncode == 0, result.stderr
    (record,) = json.loads(result.stdout)
    assert record["key"] == "1" and round(record["prediction"]["Salary"]["value"]) == 80
    missing = cli_here(capsys, "predict", "record", "-keys", "9", *MODEL, *PREDICT)
    assert "no record with key '9'" in one_line_error(missing, code=2)
    assert "needs -keys" in one_line_error(cli_here(capsys, "predict", "record", *MODEL, *PREDICT))

    before = (data / "predict.csv").read_text()
    pretty = cli_here(capsys, "predict", "all", "-pretty", *MODEL, *PREDICT)
    header, *rows = pretty.stdout.splitlines()
    assert header.split()[:4] == ["key", "Years", "Expertise", "Trust"] and len(rows) == 2
    assert rows[0].split()[:5] == ["0", "6", "13", "0.7", "70.0"]
    assert (data / "predict.csv").read_text() == before  # written only with -update

    updated = cli_here(capsys, "predict", "all", "-update", *MODEL, *PREDICT)
    assert updated.returncode == 0, updated.stderr
    with open(data / "predict.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [round(float(r["prediction_Salary"])) for r in rows] == [70, 80]
    assert [r["Years"] for r in rows] == ["6", "7"]  # the features are kept


def test_parse_switches_and_double_dash():
    assert cli_args.parse(["-no-strict", "flow.json", "-inputs", "1=a"], {"no-strict"}) == (
        ["flow.json"],
        {"no-strict": [], "inputs": ["1=a"]},
    )
    assert cli_args.parse(["-seed", "1=a", "--", "op1", "-op2"]) == (
        ["op1", "-op2"],
        {"seed": ["1=a"]},
    )
    assert cli_args.parse(["-model-n", "-1"]) == ([], {"model-n": ["-1"]})  # a number, not a flag


def test_every_command_answers_help(capsys):
    for argv in (
        ["train"],
        ["accuracy"],
        ["predict", "all"],
        ["list", "records"],
        ["quickstart"],
        ["lab"],
        ["dataflow"],
    ):
        result = cli_here(capsys, *argv, "-h")
        assert result.returncode == 0 and result.stdout.startswith("usage: dffml-nb"), argv


def test_log_flag_is_checked(capsys):
    assert "-log takes one of debug" in one_line_error(
        cli_here(capsys, "-log", "loud", "list", "models")
    )
    result = cli_here(capsys, "list", "models", "-log", "DEBUG")
    assert result.returncode == 0 and "scikitlr" in json.loads(result.stdout)
