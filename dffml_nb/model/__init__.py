"""Models: one :class:`Model` API over scikit-learn, ``slr`` and plugins.

``Model.load("scikitlr")`` returns a model class by registered name. Importing
this package does not import scikit-learn; that happens when a scikit-learn
model class is first used.
"""

from dffml_nb.model.base import Model, ModelNotTrainedError
from dffml_nb.model.config import Hyperparameter
from dffml_nb.model.data import MissingValueError
from dffml_nb.model.persist import TRUSTED_TYPES, ModelFileError

__all__ = [
    "TRUSTED_TYPES",
    "Hyperparameter",
    "MissingValueError",
    "Model",
    "ModelFileError",
    "ModelNotTrainedError",
]
