"""DFFML's quickstart: predict Salary from Years, Expertise and Trust.

The same data and steps as DFFML's documentation, through dffml_nb's API.
``dffml-nb quickstart`` runs it headless.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

FEATURES = ["Years:int:1", "Expertise:int:1", "Trust:float:1"]
PREDICT = "Salary:float:1"

TRAINING_CSV = """\
Expertise,Trust,Years,Salary
1,0.1,0,10
3,0.2,1,20
5,0.3,2,30
7,0.4,3,40
"""
TEST_CSV = """\
Expertise,Trust,Years,Salary
9,0.5,4,50
11,0.6,5,60
"""
PREDICT_CSV = """\
Expertise,Trust,Years
13,0.7,6
15,0.8,7
"""


def write_data(directory: str | Path) -> dict[str, Path]:
    """Write training.csv, test.csv and predict.csv into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, text in (("training", TRAINING_CSV), ("test", TEST_CSV), ("predict", PREDICT_CSV)):
        files[name] = directory / f"{name}.csv"
        files[name].write_text(text)
    return files


def run_quickstart(directory: str | Path, model_name: str = "scikitlr") -> dict[str, Any]:
    """Train, score (MSE) and predict as the quickstart does; return what it printed."""
    from dffml_nb.high_level import predict, score, train
    from dffml_nb.model import Model

    files = write_data(directory)
    model = Model.load(model_name)(
        features=FEATURES, predict=PREDICT, location=str(Path(directory) / "model")
    )
    train(model, str(files["training"]))
    mse = score(model, "mse", PREDICT, str(files["test"]))
    predictions = [
        {
            "key": record.key,
            "features": record.features(),
            "prediction": {
                "Salary": {
                    "value": record.prediction("Salary").value,
                    "confidence": record.prediction("Salary").confidence,
                }
            },
        }
        # records in (a file), records out
        for record in cast("list[Any]", predict(model, str(files["predict"])))
    ]
    return {"model": model_name, "mse": mse, "predictions": predictions}
