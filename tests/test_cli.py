"""The dffml-nb command line: DFFML's quickstart with the command name changed, dataflows, errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dffml_nb.examples.calc import calc_flow
from dffml_nb.examples.quickstart import write_data

MODEL = [
    "-model",
    "scikitlr",
    "-model-features",
    "Years:int:1",
    "Expertise:int:1",
    "Trust:float:1",
    "-model-predict",
    "Salary:float:1",
    "-model-location",
    "tempdir",
]


def cli(*args: str, cwd=None, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "dffml_nb", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_dffml_quickstart_through_the_cli(tmp_path):
    write_data(tmp_path)
    cli("train", *MODEL, "-sources", "f=csv", "-source-filename", "training.csv", cwd=tmp_path)
    assert (tmp_path / "tempdir").is_dir()
    mse = json.loads(
        cli(
            "accuracy",
            *MODEL,
            "-features",
            "Salary:float:1",
            "-sources",
            "f=csv",
            "-source-filename",
            "test.csv",
            "-scorer",
            "mse",
            cwd=tmp_path,
        ).stdout
    )
    assert mse == pytest.approx(0, abs=1e-6)
    records = json.loads(
        cli(
            "predict",
            "all",
            *MODEL,
            "-sources",
            "f=csv",
            "-source-filename",
            "predict.csv",
            cwd=tmp_path,
        ).stdout
    )
    values = [r["prediction"]["Salary"]["value"] for r in records]
    assert values == pytest.approx([70, 80], abs=1e-6)
    assert records[0]["features"] == {"Years": 6, "Expertise": 13, "Trust": 0.7}
    assert 0 <= records[0]["prediction"]["Salary"]["confidence"] <= 1


def test_quickstart_command_runs_headless():
    out = json.loads(cli("quickstart").stdout)
    assert out["mse"] == pytest.approx(0, abs=1e-6)
    assert [p["prediction"]["Salary"]["value"] for p in out["predictions"]] == pytest.approx(
        [70, 80], abs=1e-6
    )


def test_dataflow_run_and_diagram(tmp_path):
    path = tmp_path / "calc.json"
    calc_flow().save(path)
    out = json.loads(
        cli("dataflow", "run", str(path), "-trust", "-inputs", "add 40 and 2=calc_string").stdout
    )
    assert out == {"0": {"result": 42}}
    out = json.loads(
        cli(
            "dataflow", "run", str(path), "-trust", "-inputs", "multiply 42 and 10=calc_string"
        ).stdout
    )
    assert out == {"0": {"result": 420}}
    diagram = cli("dataflow", "diagram", str(path), "-trust").stdout
    assert diagram.startswith("flowchart") and "parse_line" in diagram


def test_dataflow_create_then_run(tmp_path):
    created = cli(
        "dataflow",
        "create",
        "dffml_nb.examples.calc:parse_line",
        "dffml_nb.examples.calc:add",
        "dffml_nb.examples.calc:mult",
        "get_single",
        "-seed",
        '["result"]=get_single_spec',
    ).stdout
    path = tmp_path / "flow.json"
    path.write_text(created)
    out = json.loads(
        cli("dataflow", "run", str(path), "-trust", "-inputs", "add 1 and 2=calc_string").stdout
    )
    assert out == {"0": {"result": 3}}


def test_list_models_and_scorers():
    models = json.loads(cli("list", "models").stdout)
    assert {"scikitlr", "scikitrfc", "slr"} <= set(models)
    assert {"mse", "accuracy", "r2"} <= set(json.loads(cli("list", "scorers").stdout))
    assert "get_single" in json.loads(cli("list", "operations").stdout)
    assert {"csv", "json", "sqlite"} <= set(json.loads(cli("list", "sources").stdout))


def test_unknown_model_lists_known_names_without_traceback(tmp_path):
    result = cli(
        "train", "-model", "nosuch", "-sources", "f=csv", "-source-filename", "x.csv", check=False
    )
    assert result.returncode != 0
    assert "nosuch" in result.stderr and "scikitlr" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_log_debug_shows_traceback():
    result = cli(
        "train",
        "-model",
        "nosuch",
        "-sources",
        "f=csv",
        "-source-filename",
        "x.csv",
        "-log",
        "debug",
        check=False,
    )
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_missing_feature_column_names_column_and_file(tmp_path):
    write_data(tmp_path)
    (tmp_path / "bad.csv").write_text("Years,Trust,Salary\n0,0.1,10\n1,0.2,20\n")
    result = cli(
        "train",
        *MODEL,
        "-sources",
        "f=csv",
        "-source-filename",
        "bad.csv",
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 1
    assert "Expertise" in result.stderr and "bad.csv" in result.stderr


def test_bad_dataflow_file_names_position(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "operations": [\n')
    result = cli("dataflow", "run", str(path), check=False)
    assert (
        result.returncode == 1 and f"{path}:" in result.stderr and "malformed JSON" in result.stderr
    )


def test_unknown_definition_in_inputs(tmp_path):
    path = tmp_path / "calc.json"
    calc_flow().save(path)
    result = cli("dataflow", "run", str(path), "-trust", "-inputs", "1=nope", check=False)
    assert (
        result.returncode == 2
        and "no definition 'nope'" in result.stderr
        and "calc_string" in result.stderr
    )


def test_unknown_command_is_usage_error():
    result = cli("frobnicate", check=False)
    assert result.returncode == 2 and "unknown command 'frobnicate'" in result.stderr
