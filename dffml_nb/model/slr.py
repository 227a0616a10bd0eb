"""``slr``: simple linear regression on one feature, in numpy.

DFFML's first example model: ``y = slope * x + intercept`` by least squares.
Its confidence is the R² of the fit on the training data (as in DFFML), the
same for every prediction. No scikit-learn import is needed to train or predict.
"""

from __future__ import annotations

from typing import Any

from dffml_nb.model.base import Model, ModelNotTrainedError


class SLR(Model):
    """Simple linear regression: one numeric feature, one numeric target.

    ``slope`` and ``intercept`` come from ordinary least squares; with a
    constant feature the slope is 0 and the intercept the mean target.
    """

    name = "slr"
    kind = "regressor"

    def __init__(
        self,
        features: Any = None,
        predict: Any = None,
        location: Any = None,
        **hyperparameters: Any,
    ):
        super().__init__(features=features, predict=predict, location=location, **hyperparameters)
        if self.features is not None and len(self.features) != 1:
            names = ", ".join(feature.name for feature in self.features)
            raise ValueError(
                f"slr regresses on exactly one feature, got {len(self.features)}: {names}"
            )
        self.slope: float | None = None
        self.intercept: float | None = None

    def _fit(self, X: Any, y: Any) -> None:
        import numpy as np

        x = X[:, 0]
        centred = x - x.mean()
        spread = float(np.dot(centred, centred))
        self.slope = float(np.dot(centred, y - y.mean()) / spread) if spread else 0.0
        self.intercept = float(y.mean() - self.slope * x.mean())

    def _predict(self, X: Any) -> tuple[Any, None]:
        return self.slope * X[:, 0] + self.intercept, None

    def _get_state(self) -> dict[str, float]:
        if self.slope is None or self.intercept is None:
            raise ModelNotTrainedError("slr is not trained: train it before saving")
        return {"slope": self.slope, "intercept": self.intercept}

    def _set_state(self, state: dict[str, float]) -> None:
        self.slope, self.intercept = float(state["slope"]), float(state["intercept"])
