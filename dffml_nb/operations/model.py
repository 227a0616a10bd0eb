"""DFFML's ``dffml.model.predict``: a trained model's prediction for one record's features."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dffml_nb.df import Definition

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


def model_predict(features: Mapping[str, Any], *, config: ModelPredictConfig) -> dict[str, Any]:
    """``{target: {"value": ..., "confidence": ...}}`` for ``features`` (``{name: value}``)."""
    [record] = config.trained().predict(dict(features))
    return {name: prediction.export() for name, prediction in record.predictions.items()}
