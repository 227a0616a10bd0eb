"""DFFML's documented command lines, verbatim, with only the program name changed.

Each script below is copied from DFFML's repository (github.com/dffml/dffml, the
file named above it) and run by bash with ``dffml`` replaced by ``dffml-nb``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# examples/quickstart/{train_data,test_data,predict_data}.sh
QUICKSTART_DATA = """\
cat > training.csv << EOF
Years,Expertise,Trust,Salary
0,1,0.1,10
1,3,0.2,20
2,5,0.3,30
3,7,0.4,40
EOF
cat > test.csv << EOF
Years,Expertise,Trust,Salary
4,9,0.5,50
5,11,0.6,60
EOF
cat > predict.csv << EOF
Years,Expertise,Trust
6,13,0.7
7,15,0.8
EOF
"""

# examples/quickstart/train.sh
QUICKSTART_TRAIN = """\
dffml train \\
  -model scikitlr \\
  -model-features Years:int:1 Expertise:int:1 Trust:float:1 \\
  -model-predict Salary:float:1 \\
  -model-location tempdir \\
  -sources f=csv \\
  -source-filename training.csv
"""

# examples/quickstart/accuracy.sh
QUICKSTART_ACCURACY = """\
dffml accuracy \\
  -model scikitlr \\
  -model-features Years:int:1 Expertise:int:1 Trust:float:1 \\
  -model-predict Salary:float:1 \\
  -model-location tempdir \\
  -features Salary:float:1 \\
  -sources f=csv \\
  -source-filename test.csv \\
  -scorer mse
"""

# examples/quickstart/predict.sh
QUICKSTART_PREDICT = """\
dffml predict all \\
  -model scikitlr \\
  -model-features Years:int:1 Expertise:int:1 Trust:float:1 \\
  -model-predict Salary:float:1 \\
  -model-location tempdir \\
  -sources f=csv \\
  -source-filename predict.csv
"""

# examples/model/slr/{dataset,train,accuracy,predict}.sh (docs/cli.rst, "Model")
SLR_DATA = """\
cat > dataset.csv << EOF
f1,ans
0.1,0
0.7,1
0.6,1
0.2,0
0.8,1
EOF
"""
SLR_TRAIN = """\
dffml train \\
  -model slr \\
  -model-features f1:float:1 \\
  -model-predict ans:int:1 \\
  -model-location tempdir \\
  -sources f=csv \\
  -source-filename dataset.csv \\
  -log debug
"""
SLR_ACCURACY = """\
dffml accuracy \\
  -model slr \\
  -model-features f1:float:1 \\
  -model-predict ans:int:1 \\
  -model-location tempdir \\
  -features ans:int:1 \\
  -sources f=csv \\
  -source-filename dataset.csv \\
  -scorer mse \\
  -log debug
"""
SLR_PREDICT = """\
echo -e 'f1,ans\\n0.8,0\\n' | \\
  dffml predict all \\
  -model slr \\
  -model-features f1:float:1 \\
  -model-predict ans:int:1 \\
  -model-location tempdir \\
  -sources f=csv \\
  -source-filename /dev/stdin \\
  -log debug
"""

# docs/cli.rst, "Record" (images.csv) and the list commands after the edits
IMAGES = """\
key,image
four,image1.mnistpng
five,image2.mnistpng
three,image3.mnistpng
two,image4.mnistpng
"""
LIST_IMAGES = "dffml list records -sources f=csv -source-filename images.csv -source-readwrite\n"


def bash(script: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run a DFFML script with ``dffml`` renamed ``dffml-nb`` (found beside this Python)."""
    renamed = script.replace("dffml ", "dffml-nb ")
    assert renamed.count("dffml-nb ") == script.count("dffml "), "only the program name changes"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", "-e", "-c", renamed], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_dffml_quickstart_scripts_verbatim(tmp_path):
    bash(QUICKSTART_DATA, tmp_path)
    bash(QUICKSTART_TRAIN, tmp_path)
    assert (tmp_path / "tempdir" / "model.json").is_file()
    assert json.loads(bash(QUICKSTART_ACCURACY, tmp_path).stdout) == pytest.approx(0, abs=1e-6)
    records = json.loads(bash(QUICKSTART_PREDICT, tmp_path).stdout)
    assert [round(r["prediction"]["Salary"]["value"]) for r in records] == [70, 80]
    # the docs' alternative: "-source-f-filename $stage.csv, since we tagged it as f"
    labelled = QUICKSTART_PREDICT.replace("-source-filename", "-source-f-filename")
    assert json.loads(bash(labelled, tmp_path).stdout) == records


def test_dffml_cli_model_slr_scripts_verbatim(tmp_path):
    bash(SLR_DATA, tmp_path)
    train = bash(SLR_TRAIN, tmp_path)
    assert "DEBUG" in train.stderr  # -log debug reaches the logging configuration
    assert isinstance(json.loads(bash(SLR_ACCURACY, tmp_path).stdout), float)
    (record,) = json.loads(bash(SLR_PREDICT, tmp_path).stdout)
    assert record["features"] == {"f1": 0.8} and "ans" in record["prediction"]


def test_dffml_list_records_verbatim(tmp_path):
    (tmp_path / "images.csv").write_text(IMAGES)
    records = json.loads(bash(LIST_IMAGES, tmp_path).stdout)
    assert [(r["key"], r["features"]) for r in records] == [
        ("four", {"image": "image1.mnistpng"}),
        ("five", {"image": "image2.mnistpng"}),
        ("three", {"image": "image3.mnistpng"}),
        ("two", {"image": "image4.mnistpng"}),
    ]
