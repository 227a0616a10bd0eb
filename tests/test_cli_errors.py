"""Every ``dffml-nb`` error is one line on stderr with a non-zero exit code, no traceback.

Exit code 2 is a command line that does not make sense (found before any
work), 1 anything else. ``-log debug`` adds the traceback.
"""

from __future__ import annotations

import pytest
from cli_support import MODEL, cli, one_line_error

from dffml_nb.examples.quickstart import write_data

NO_LOCATION = MODEL[:-2]
CSV = ["-sources", "f=csv", "-source-filename"]


def files(folder):
    write_data(folder)
    (folder / "bad.json").write_text('{\n  "operations": [\n')
    (folder / "bad.yaml").write_text("operations:\n  - [\n")
    (folder / "wrong_type.json").write_text('{"operations": 5}')
    (folder / "not_a_db.sqlite").write_text("Years,Salary\n1,2\n")
    (folder / "a_file").write_text("not a folder")


CASES = {
    "dataflow file missing": (["dataflow", "run", "nosuch.json"], 1, "nosuch.json"),
    "dataflow -dataflow file missing": (
        ["dataflow", "diagram", "-dataflow", "nosuch.yaml"],
        1,
        "nosuch.yaml",
    ),
    "dataflow JSON malformed": (["dataflow", "run", "bad.json"], 1, "bad.json:3"),
    "dataflow YAML malformed": (["dataflow", "run", "bad.yaml"], 1, "bad.yaml"),
    "dataflow of the wrong shape": (
        ["dataflow", "diagram", "wrong_type.json"],
        1,
        "wrong_type.json",
    ),
    "source not a database": (
        ["train", *MODEL, "-sources", "f=sqlite", "-source-filename", "not_a_db.sqlite"],
        1,
        "not a database",
    ),
    "model location under a file": (
        ["train", *NO_LOCATION, "-model-location", "a_file/model", *CSV, "training.csv"],
        2,
        "-model-location a_file/model: cannot save a model there (Not a directory)",
    ),
    "model location is a file": (
        ["train", *NO_LOCATION, "-model-location", "a_file", *CSV, "training.csv"],
        2,
        "-model-location a_file is a file",
    ),
    "sources file missing": (["train", *MODEL, *CSV, "nosuch.csv"], 1, "nosuch.csv"),
    "no -sources": (["train", *MODEL], 2, "missing -sources"),
    "no trained model at the location": (
        ["predict", "all", *NO_LOCATION, "-model-location", "empty", *CSV, "predict.csv"],
        1,
        "no saved model in 'empty'",
    ),
    "unknown source kind": (
        ["train", *MODEL, "-sources", "f=nosuch"],
        1,
        "unknown source 'nosuch'",
    ),
    "unknown scorer": (
        ["accuracy", *MODEL, "-scorer", "nosuch", *CSV, "test.csv"],
        1,
        "unknown scorer 'nosuch'",
    ),
    "source needs its file": (["train", *MODEL, "-sources", "f=csv"], 2, "needs -source-filename"),
    "create an unsound flow": (
        ["dataflow", "create", "dffml_nb.examples.calc:add", "dffml_nb.examples.calc:add"],
        2,
        "the flow is not sound",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_error_is_one_line_naming_the_fault(tmp_path, case):
    argv, code, message = CASES[case]
    files(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    line = one_line_error(cli(*argv, cwd=tmp_path, check=False), code)
    assert message in line
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing made, nothing lost


def test_log_debug_adds_the_traceback(tmp_path):
    files(tmp_path)
    result = cli("dataflow", "run", "wrong_type.json", "-log", "debug", cwd=tmp_path, check=False)
    assert result.returncode == 1 and "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("dffml-nb: error: wrong_type.json")
