"""The high-level API: train, score and predict in one call each (sync).

Each data argument is a dict (one row), a ``Record``, a file name (``.csv``,
``.json``, ``.sqlite``/``.db``), a DataFrame, a source, or a list of dicts or
Records; all of them go through ``dffml_nb.source.as_frame``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from dffml_nb.model.base import Model
    from dffml_nb.record import Record
    from dffml_nb.scorer import Scorer
    from dffml_nb.source import Source


def _model(model: Any) -> Model:
    """``model`` itself, once checked to be a model instance (a common slip: a class or name)."""
    from dffml_nb.model.base import Model

    if not isinstance(model, Model):
        raise TypeError(
            f"expected a model instance, got {model!r}: build one first, e.g. "
            "Model.load('scikitlr')(features=['Years:int:1'], predict='Salary:float:1')"
        )
    return model


def train(model: Model, *data: Any) -> Model:
    """Train ``model`` on the data (saving it to its ``location``, if set); returns the model.

    >>> model = train(Model.load("scikitlr")(features=["Years:int:1"], predict="Salary:float:1"),
    ...               {"Years": 0, "Salary": 10}, {"Years": 1, "Salary": 20})
    """
    return _model(model).fit(*data)


def score(model: Model, scorer: Scorer | str, feature: Any, *data: Any) -> float:
    """Score ``model``'s predictions on the data against the true ``feature`` values.

    ``scorer`` is a :class:`~dffml_nb.scorer.Scorer` or a registered name
    (``"mse"``, ``"accuracy"``, ``"r2"``, ...); ``feature`` is the target, as a
    ``Feature`` or a string such as ``"Salary:float:1"``.
    """
    from dffml_nb.scorer import Scorer

    return Scorer.load(scorer).score(_model(model), feature, *data)


def predict(model: Model, *data: Any, as_frame: bool = False) -> list[Any] | pd.DataFrame:
    """Predict the model's target for every record of the data.

    Returns a list of Records with ``record.prediction(target)`` set (value and
    confidence), or, with ``as_frame=True``, a DataFrame of the feature
    columns, the target column and ``<target>_confidence``.
    """
    return _model(model).predict(*data, as_frame=as_frame)


def load(source: Any, **kwargs: Any) -> list[Record]:
    """Every record of ``source`` (a file name, DataFrame, source, dict rows, ...).

    Keywords go to :func:`~dffml_nb.source.open_source` (``name="csv"``,
    ``table="..."``, ...), except ``features``: with it, only those features
    are loaded, each converted to its dtype (a value that does not convert is an
    error naming the file, line, column and value).

    >>> records = load("training.csv", features=["Years:int:1", "Salary:float:1"])
    """
    from dffml_nb.source import frame_to_records, open_source

    features = kwargs.pop("features", None)
    opened = open_source(source, **kwargs)
    if features is None:
        return list(opened.records())
    return frame_to_records(opened.to_frame(features=features, predictions=True))


def save(source: Any, *records: Any, **kwargs: Any) -> Source:
    """Merge ``records`` into ``source`` and write it atomically; returns the source.

    Each of ``records`` is a Record, a dict row, a DataFrame, a source or a list
    of these. Records (and rows with a ``"key"``) merge into the stored record
    with that key; rows without a key are appended under the next free keys.
    A file that does not exist yet is created.

    >>> save("predictions.csv", *predict(model, "test.csv"))
    """
    from dffml_nb.source import open_source
    from dffml_nb.source.save import merge_into

    opened = open_source(source, **kwargs)
    merge_into(opened, records)
    opened.save()
    return opened
