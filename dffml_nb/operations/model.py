"""DFFML's ``dffml.model.predict``: a trained model's prediction for one record's features."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dffml_nb.df import Definition, op

RECORD_FEATURES = Definition("record_features", "dict")
MODEL_PREDICTIONS = Definition("model_predictions", "dict")


@dataclass
class ModelPredictConfig:
    """The trained model ``dffml.model.predict`` uses: a model object, or the location
    of one saved by ``train`` (opened once, with :meth:`Model.open`)."""

    model: Any

    def trained(self) -> Any:
        if isinstance(self.model, (str, os.PathLike)):
            from dffml_nb.model import Model

            self.model = Model.open(self.model)
        return self.model


@op(
    name="dffml.model.predict",
    inputs={"features": RECORD_FEATURES},
    outputs={"prediction": MODEL_PREDICTIONS},
    config=ModelPredictConfig,
)
def model_predict(features: Mapping[str, Any], *, config: ModelPredictConfig) -> dict[str, Any]:
    """``{target: {"value": ..., "confidence": ...}}`` for ``features`` (``{name: value}``).

    >>> from dffml_nb import DataFlow, Model, run_sync, train
    >>> slr = train(Model.load("slr")(features=["Years:int:1"], predict="Salary:int:1"),
    ...             {"Years": 0, "Salary": 10}, {"Years": 1, "Salary": 20}, {"Years": 2, "Salary": 30})
    >>> flow = DataFlow(model_predict, configs={"dffml.model.predict": {"model": slr}})
    >>> run_sync(flow, {"c": {"record_features": {"Years": 4}}})
    {'c': {'model_predictions': {'Salary': {'value': 50.0, 'confidence': 1.0}}}}
    """
    [record] = config.trained().predict(dict(features))
    return {name: prediction.export() for name, prediction in record.predictions.items()}
