"""``dffml-nb dataflow run records``, ``merge``, ``list records`` and the ``df`` source's
nested flags — DFFML's commands, flags and defaults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import cli_here, one_line_error

from dffml_nb import DataFlow, op
from dffml_nb.operations import literal_eval


def bash(script: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """A DFFML script with ``dffml`` renamed ``dffml-nb`` (and nothing else changed)."""
    renamed = script.replace("dffml ", "dffml-nb ")
    assert renamed.count("dffml-nb ") == script.count("dffml ")
    env = {
        **os.environ,
        **(env or {}),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    result = subprocess.run(
        ["bash", "-e", "-c", renamed], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


# docs/cli.rst, "DataFlow" > "Create" and "Run" (github.com/dffml/dffml), verbatim
DFFML_CREATE_HELLO = """\
dffml dataflow create \\
    -configloader yaml \\
    -flow '[{"dffml.mapping.create": "mapping"}]'=print_output.inputs.data \\
    -- \\
      dffml.mapping.create \\
      print_output \\
    | tee hello.yaml
"""
DFFML_RUN_RECORDS = """\
dffml dataflow run records all \\
    -no-echo \\
    -record-def value \\
    -inputs hello=key \\
    -dataflow hello.yaml \\
    -sources m=memory \\
    -source-records world $USER
"""


def test_dffml_docs_dataflow_run_records_verbatim(tmp_path):
    created = bash(DFFML_CREATE_HELLO, tmp_path)
    assert "dffml.mapping.create" in created.stdout and (tmp_path / "hello.yaml").is_file()
    ran = bash(DFFML_RUN_RECORDS, tmp_path, env={"USER": "user"})
    # the output DFFML's docs show
    assert ran.stdout == "{'hello': 'world'}\n{'hello': 'user'}\n"


TRAIN = "key,Text,Salary\na,1 years,20\nb,2 years,40\nc,3 years,60\n"


@op
def years(Text: str) -> int:
    return int(Text.split()[0])


@op
def bonus(Salary: float) -> float:
    if Salary < 0:
        raise ValueError("a negative salary")
    return Salary / 10


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    (tmp_path / "data.csv").write_text(TRAIN)
    DataFlow(years, bonus).save(tmp_path / "flow.json")
    return tmp_path


RUN = [
    "dataflow",
    "run",
    "records",
    "all",
    "-dataflow",
    "flow.json",
    "-sources",
    "f=csv",
    "-source-filename",
    "data.csv",
]


def test_run_records_prints_records_and_writes_back_by_default(files, capsys):
    ran = cli_here(capsys, *RUN)
    assert ran.returncode == 0, ran.stderr
    records = json.loads(ran.stdout)
    assert [(r["key"], r["features"]["years"], r["features"]["bonus"]) for r in records] == [
        ("a", 1, 2.0),
        ("b", 2, 4.0),
        ("c", 3, 6.0),
    ]
    assert (files / "data.csv").read_text().splitlines()[0] == "key,Text,Salary,years,bonus"


def test_no_update_leaves_the_source_and_no_echo_prints_nothing(files, capsys):
    before = (files / "data.csv").read_bytes()
    ran = cli_here(capsys, *RUN, "-no-update")
    assert json.loads(ran.stdout)[0]["features"]["years"] == 1
    assert (files / "data.csv").read_bytes() == before
    quiet = cli_here(capsys, *RUN, "-no-update", "-no-echo")
    assert quiet.returncode == 0 and quiet.stdout == ""


def test_run_records_set_runs_only_the_keys(files, capsys):
    ran = cli_here(capsys, "dataflow", "run", "records", "set", "-keys", "b", *RUN[4:])
    assert [r["key"] for r in json.loads(ran.stdout)] == ["b"]
    rows = (files / "data.csv").read_text().splitlines()
    assert rows[1:] == ["a,1 years,20,,", "b,2 years,40,2.0,4.0", "c,3 years,60,,"]
    missing = cli_here(capsys, "dataflow", "run", "records", "set", "-keys", "zz", *RUN[4:])
    assert "no record with key 'zz'" in one_line_error(missing, 2)


def test_strict_failure_is_one_line_and_writes_nothing(files, capsys):
    (files / "data.csv").write_text("key,Salary\na,10\nb,-1\n")
    before = (files / "data.csv").read_bytes()
    failed = cli_here(capsys, *RUN)
    line = one_line_error(failed, 1)
    assert "operation 'bonus' failed in context 'b'" in line and "a negative salary" in line
    assert (files / "data.csv").read_bytes() == before


def test_no_strict_says_each_failure_and_updates_the_rest(files, capsys):
    (files / "data.csv").write_text("key,Salary\na,10\nb,-1\n")
    ran = cli_here(capsys, *RUN, "-no-strict")
    assert ran.returncode == 0
    # each failure said once, on one line (no Python warning on top)
    [line] = [line for line in ran.stderr.splitlines() if "warning" not in line]
    assert line.startswith("dffml-nb: record 'b': operation 'bonus' failed")
    assert "a negative salary" in line
    assert [r["features"].get("bonus") for r in json.loads(ran.stdout)] == [1.0, None]
    assert (files / "data.csv").read_text().splitlines() == [
        "key,Salary,bonus",
        "a,10,1.0",
        "b,-1,",
    ]


@op
def greet(name: str, greeting: str) -> str:
    return f"{greeting} {name}"


def test_record_def_inputs_and_unknown_definitions(files, capsys):
    DataFlow(greet).save(files / "greet.json")
    args = [
        "dataflow",
        "run",
        "records",
        "all",
        "-no-update",
        "-dataflow",
        "greet.json",
        "-sources",
        "f=csv",
        "-source-filename",
        "data.csv",
        "-record-def",
        "name",
    ]
    ran = cli_here(capsys, *args, "-inputs", "hi=greeting")
    assert [r["features"]["greet"] for r in json.loads(ran.stdout)] == ["hi a", "hi b", "hi c"]
    bad = cli_here(capsys, *args, "-inputs", "hi=greet_ing")
    assert "no definition 'greet_ing'" in one_line_error(bad, 2)
    wrong_def = cli_here(capsys, *args[:-1], "nope", "-inputs", "hi=greeting")
    assert "record_def 'nope' names no definition" in one_line_error(wrong_def, 1)


def test_a_definition_no_record_gives_is_one_warning_line(files, capsys):
    (files / "data.csv").write_text("key,Salary\na,10\nb,20\n")
    ran = cli_here(capsys, *RUN, "-no-update")
    assert ran.returncode == 0
    [line] = ran.stderr.splitlines()
    assert line.startswith("dffml-nb: warning: the flow consumes definition 'Text'")


def test_unknown_flag_is_refused(files, capsys):
    bad = cli_here(capsys, *RUN, "-no-updat")
    assert "did you mean -no-update?" in one_line_error(bad, 2)


# -- merge ---------------------------------------------------------------------------------


def test_merge_src_into_dest_in_dffmls_order(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dest.csv").write_text("key,Salary,Team\na,999,red\n")
    # tests/integration/test_cli.py (DFFML): merge memory into a new file, its flags verbatim
    ran = cli_here(
        capsys,
        "merge",
        "src=memory",
        "dest=csv",
        "-source-src-records",
        "A",
        "B",
        "-source-dest-filename",
        "new.csv",
        "-source-src-allowempty",
        "-source-dest-allowempty",
        "-source-src-readwrite",
        "-source-dest-readwrite",
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == {"merged": 2, "destination": "new.csv"}
    assert (tmp_path / "new.csv").read_text().split() == ["key", "A", "B"]
    (tmp_path / "src.csv").write_text("key,Salary,Years\na,10,1\nb,20,2\n")
    cli_here(
        capsys,
        "merge",
        "s=csv",
        "d=csv",
        "-source-s-filename",
        "src.csv",
        "-source-d-filename",
        "dest.csv",
    )
    # a record DEST has keeps its values and gains SRC's new features; new records are added
    assert (tmp_path / "dest.csv").read_text().splitlines() == [
        "key,Salary,Team,Years",
        "a,999,red,1",
        "b,20,,2",
    ]


def test_merge_through_a_df_source_with_nested_flags(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    DataFlow(literal_eval).save(tmp_path / "flow.json")
    (tmp_path / "raw.csv").write_text('key,InputStr,Other\na,"[1, 2]",x\nb,"{\'k\': 3}",y\n')
    ran = cli_here(
        capsys,
        "merge",
        "text=df",
        "temp=json",
        "-source-text-dataflow",
        "flow.json",
        "-source-text-features",
        "InputStr:str:1",
        "-source-text-source",
        "csv",
        "-source-text-source-filename",
        "raw.csv",
        "-source-temp-filename",
        "out.json",
        "-source-temp-allowempty",
        "-source-temp-readwrite",
    )
    assert ran.returncode == 0, ran.stderr
    listed = cli_here(
        capsys, "list", "records", "-sources", "o=json", "-source-filename", "out.json"
    )
    features = {r["key"]: r["features"] for r in json.loads(listed.stdout)}
    assert features["a"]["EvaluatedStr"] == [1, 2] and features["b"]["EvaluatedStr"] == {"k": 3}
    assert features["a"]["Other"] == "x"


def test_df_source_flags_are_checked(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    DataFlow(literal_eval).save(tmp_path / "flow.json")
    (tmp_path / "raw.csv").write_text("InputStr\n1\n")
    base = [
        "list",
        "records",
        "-sources",
        "t=df",
        "-source-t-dataflow",
        "flow.json",
        "-source-t-source",
        "csv",
    ]
    ran = cli_here(capsys, *base, "-source-t-source-filename", "raw.csv")
    assert json.loads(ran.stdout)[0]["features"] == {"InputStr": 1, "EvaluatedStr": 1}
    typo = cli_here(capsys, *base, "-source-t-source-filenam", "raw.csv")
    assert "did you mean -source-t-source-filename?" in one_line_error(typo, 2)
    no_flow = cli_here(
        capsys,
        "list",
        "records",
        "-sources",
        "t=df",
        "-source-t-source",
        "csv",
        "-source-t-source-filename",
        "raw.csv",
    )
    assert "needs -source-t-dataflow FILE" in one_line_error(no_flow, 2)


def test_train_and_predict_through_a_df_source(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    (tmp_path / "train.csv").write_text(TRAIN)
    (tmp_path / "new.csv").write_text("Text\n10 years\n")
    DataFlow(years).save(tmp_path / "flow.json")
    model = [
        "-model",
        "scikitlr",
        "-model-features",
        "years:int:1",
        "-model-predict",
        "Salary:float:1",
        "-model-location",
        "m",
    ]
    source = ["-sources", "f=df", "-source-f-dataflow", "flow.json", "-source-f-source", "csv"]
    trained = cli_here(capsys, "train", *model, *source, "-source-f-source-filename", "train.csv")
    assert trained.returncode == 0, trained.stderr
    predicted = cli_here(
        capsys, "predict", "all", *model, *source, "-source-f-source-filename", "new.csv"
    )
    [record] = json.loads(predicted.stdout)
    assert round(record["prediction"]["Salary"]["value"], 6) == 200.0


# docs/examples/data_cleanup/data_cleanup.rst (github.com/dffml/dffml), verbatim: the
# cleanup flow made by `dataflow create`, run by `merge` through a `df` source (DFFML's
# dataset-making flow: it reads the file itself and gives `records`), then trained on.
# The one change: kc_house_data.csv (Kaggle's house sales, downloaded by the docs with
# curl) is a small stand-in with the same columns, made here (no network).
DFFML_CLEANUP_CREATE = """\
dffml dataflow create \\
    -config \\
        "kc_house_data.csv"=convert_records_to_list.source.config.filename \\
        csv=convert_records_to_list.source.plugin \\
    -inputs \\
        '["records"]'=get_single_spec \\
        '["bedrooms", "bathrooms", "sqft_living", "sqft_lot", "floors", "waterfront", "view", "condition", "grade", "sqft_above", "sqft_basement", "yr_built", "yr_renovated", "zipcode", "lat", "long", "sqft_living15", "sqft_lot15"]'=features \\
        '["price"]'=predict_features \\
        None=n_components \\
    -flow \\
        '[{"convert_records_to_list": "matrix"}]'=standard_scaler.inputs.data \\
        '[{"standard_scaler": "result"}]'=principal_component_analysis.inputs.data \\
        '[{"seed": ["n_components"]}]'=principal_component_analysis.inputs.n_components \\
        '[{"principal_component_analysis": "result"}]'=convert_list_to_records.inputs.matrix \\
        '[{"convert_records_to_list": "keys"}]'=convert_list_to_records.inputs.keys \\
        --\\
            convert_list_to_records \\
            convert_records_to_list \\
            principal_component_analysis \\
            standard_scaler \\
            get_single | \\
    tee clean_ops.json
"""
DFFML_CLEANUP_MERGE = """\
dffml merge text=df temp=csv \\
    -source-text-dataflow clean_ops.json \\
    -source-text-features price:float:1 bedrooms:float:1 bathrooms:float:1 sqft_living:float:1 sqft_lot:float:1 floors:str:1 waterfront:float:1 view:float:1 condition:float:1 grade:float:1 sqft_above:float:1 sqft_basement:float:1 yr_built:float:1 yr_renovated:float:1 zipcode:str:1 lat:float:1 long:float:1 sqft_living15:float:1 sqft_lot15:float:1 \\
    -source-text-source csv \\
    -source-text-source-filename kc_house_data.csv \\
    -source-temp-filename preprocessed.csv \\
    -source-temp-allowempty \\
    -source-temp-readwrite \\
    -log debug

cat preprocessed.csv
"""
DFFML_CLEANUP_TRAIN = """\
dffml train \\
    -model scikiteln \\
    -model-features bedrooms:float:1 bathrooms:float:1 sqft_living:float:1 sqft_lot:float:1 floors:str:1 waterfront:float:1 view:float:1 condition:float:1 grade:float:1 sqft_above:float:1 sqft_basement:float:1 yr_built:float:1 yr_renovated:float:1 zipcode:str:1 lat:float:1 long:float:1 sqft_living15:float:1 sqft_lot15:float:1 \\
    -model-predict price:float:1 \\
    -model-location tempdir \\
    -sources f=csv \\
    -source-filename preprocessed.csv \\
    -log debug
"""
KC_COLUMNS = (
    "id,date,price,bedrooms,bathrooms,sqft_living,sqft_lot,floors,waterfront,view,condition,"
    "grade,sqft_above,sqft_basement,yr_built,yr_renovated,zipcode,lat,long,sqft_living15,"
    "sqft_lot15"
)


def _kc_house_data(path: Path, rows: int = 30) -> None:
    import random

    rng = random.Random(3)
    lines = [KC_COLUMNS]
    for i in range(rows):
        living = rng.randint(600, 4000)
        values = [
            7129300520 + i,
            "20141013T000000",
            100_000 + 200 * living + rng.gauss(0, 1e4),
            rng.randint(1, 5),
            rng.choice([1, 1.5, 2, 2.5]),
            living,
            rng.randint(1000, 20000),
            rng.choice([1, 1.5, 2]),
            rng.randint(0, 1),
            rng.randint(0, 4),
            rng.randint(1, 5),
            rng.randint(5, 11),
            int(living * 0.8),
            int(living * 0.2),
            rng.randint(1900, 2014),
            0,
            rng.choice([98178, 98125, 98028]),
            47.5 + rng.random() / 5,
            -122.3 + rng.random() / 5,
            rng.randint(1000, 4000),
            rng.randint(1000, 20000),
        ]
        lines.append(",".join(str(v) for v in values))
    path.write_text("\n".join(lines) + "\n")


def test_dffml_data_cleanup_example_verbatim(tmp_path):
    import numpy as np
    import pandas as pd
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    _kc_house_data(tmp_path / "kc_house_data.csv")
    created = bash(DFFML_CLEANUP_CREATE, tmp_path)
    assert json.loads(created.stdout)["configs"]["convert_records_to_list"] == {
        "source": {"config": {"filename": "kc_house_data.csv"}, "plugin": "csv"}
    }
    merged = bash(DFFML_CLEANUP_MERGE, tmp_path)
    assert "DEBUG" in merged.stderr
    out = pd.read_csv(tmp_path / "preprocessed.csv")
    raw = pd.read_csv(tmp_path / "kc_house_data.csv")
    features = KC_COLUMNS.split(",")[3:]
    # the records DFFML's flow makes: each row's features standard-scaled, then projected
    # on all their principal components (named like the features, as DFFML does), the
    # price kept as it was
    expected = PCA().fit_transform(StandardScaler().fit_transform(raw[features].to_numpy()))
    assert np.allclose(out[features].to_numpy(), expected)
    assert np.allclose(out["price"], raw["price"]) and len(out) == 30
    trained = bash(DFFML_CLEANUP_TRAIN, tmp_path)
    assert json.loads(trained.stdout)["trained"] is True
