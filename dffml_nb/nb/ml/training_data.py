"""Training data for the trainer widget: find it, check it, split it.

Pure pandas / scikit-learn helpers with no widget in sight, so each check is
testable on its own and the widget stays a thin layer over them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from dffml_nb.source.resolve import is_frame

if TYPE_CHECKING:
    import pandas as pd

    from dffml_nb.feature import Feature

#: the test split is the same on every run, so scores are comparable between runs
RANDOM_STATE = 0


class TrainerInputError(ValueError):
    """Something about the chosen data, features or target that training cannot use."""


# -- data: finding, checking, splitting ---------------------------------------


def user_namespace() -> Mapping[str, Any]:
    """The IPython user namespace when running in IPython, else an empty one."""
    ipython = sys.modules.get("IPython")  # not imported: we are not in IPython
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "user_ns", None) or {}


def frames_in(namespace: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """``{variable name: DataFrame}`` for the public DataFrames of a namespace, and the
    frames of its sources (a ``DataFlowSource``: the records with the flow's features)."""
    from dffml_nb.source import Source

    found = {}
    for name, value in list(namespace.items()):
        if name.startswith("_"):
            continue
        if is_frame(value):
            found[name] = value
        elif isinstance(value, Source):
            try:
                found[name] = value.to_frame()
            except Exception:  # noqa: BLE001 - a source that cannot be read is not offered
                continue
    return found


def string_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column name a string (features are named by strings)."""
    if all(isinstance(column, str) for column in frame.columns):
        return frame
    return frame.rename(columns=str)


def _numeric(series: pd.Series) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def _first_non_number(series: pd.Series) -> tuple[Any, Any] | None:
    """``(row key, value)`` of the first value that is not a number, or None."""
    import pandas as pd

    if _numeric(series):
        return None
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna() & series.notna()
    if not bad.any():
        return None
    position = int(bad.to_numpy().argmax())
    return series.index[position], series.iloc[position]


def default_features(frame: pd.DataFrame, target: str | None) -> tuple[str, ...]:
    """The numeric columns of ``frame`` other than the target."""
    return tuple(c for c in frame.columns if c != target and _numeric(frame[c]))


def feature_of(frame: pd.DataFrame, name: str) -> Feature:
    """A Feature for a column, typed by the column (numeric text becomes float)."""
    import pandas as pd

    from dffml_nb.feature import Feature

    series = frame[name]
    if pd.api.types.is_bool_dtype(series):
        return Feature(name, bool)
    if pd.api.types.is_integer_dtype(series):
        return Feature(name, int)
    return Feature(name, float)


def target_of(frame: pd.DataFrame, name: str, kind: str) -> Feature:
    """The target Feature: float for a regressor, the labels' own type for a classifier."""
    import pandas as pd

    from dffml_nb.feature import Feature

    series = frame[name]
    if kind == "regressor":
        return Feature(name, float)
    if pd.api.types.is_bool_dtype(series):
        return Feature(name, bool)
    if pd.api.types.is_integer_dtype(series):
        return Feature(name, int)
    if pd.api.types.is_float_dtype(series):
        whole = series.dropna()
        return Feature(name, int if bool((whole == whole.round()).all()) else float)
    return Feature(name, str)


def check_inputs(
    frame: pd.DataFrame | None, features: Iterable[str], target: str | None, kind: str
) -> None:
    """Raise :class:`TrainerInputError` with a message a user can act on, if training can't work."""
    features = list(features)
    if frame is None:
        raise TrainerInputError(
            "choose the data first: a DataFrame from the list, or a file path (.csv, .json, .sqlite)"
        )
    if len(frame) == 0 or len(frame.columns) == 0:
        raise TrainerInputError("the data is empty (no rows): there is nothing to train on")
    if not features:
        raise TrainerInputError("choose at least one feature column to train on")
    if target is None and kind != "clusterer":
        raise TrainerInputError("choose the target column: the value the model should predict")
    missing = [name for name in [*features, target] if name is not None and name not in frame]
    if missing:
        raise TrainerInputError(f"the data has no column {', '.join(map(repr, missing))}")
    if target in features:
        raise TrainerInputError(
            f"the target {target!r} is also chosen as a feature: remove it from the features "
            "(a model that is given the answer learns nothing)"
        )
    for name in features:
        found = _first_non_number(frame[name])
        if found is not None:
            key, value = found
            raise TrainerInputError(
                f"feature column {name!r} is not numeric (e.g. {value!r} in row {key!r}): "
                f"drop it from the features, or encode it as numbers first, e.g. "
                f"df[{name!r}].astype('category').cat.codes or pd.get_dummies(df, columns=[{name!r}])"
            )
    if target is None:
        return
    labels = frame[target]
    if kind == "regressor":
        found = _first_non_number(labels)
        if found is not None:
            raise TrainerInputError(
                f"the target {target!r} is not numeric (e.g. {found[1]!r} in row {found[0]!r}), "
                "so a regressor cannot learn it: choose a classifier (e.g. scikitrfc) or another target"
            )
    elif kind == "classifier" and _numeric(labels):
        values = labels.dropna().astype(float)
        fractional = values[values != values.round()]
        if len(fractional):
            raise TrainerInputError(
                f"the target {target!r} has continuous values (e.g. {fractional.iloc[0]!r}): "
                "a classifier needs classes; choose a regressor (e.g. scikitlr) or another target"
            )


def complete_rows(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The rows with a value in every one of ``columns``."""
    return frame.dropna(subset=columns)


def split(
    frame: pd.DataFrame, fraction: float, stratify: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(training rows, held-out rows)``; with ``fraction`` 0 both are all the rows.

    Classifiers split stratified by their target when every class has enough
    members, so each class shows up in the held-out rows.
    """
    if fraction <= 0:
        return frame, frame
    from sklearn.model_selection import train_test_split

    if len(frame) < 2:
        raise TrainerInputError(
            f"{len(frame)} row cannot be split into training and held-out rows: "
            "set the test fraction to 0 to score on the training rows"
        )
    if stratify is not None:
        try:
            return tuple(
                train_test_split(
                    frame, test_size=fraction, random_state=RANDOM_STATE, stratify=frame[stratify]
                )
            )
        except ValueError:
            pass  # a class too small to stratify: a plain split still works
    return tuple(train_test_split(frame, test_size=fraction, random_state=RANDOM_STATE))


def shorten(message: Any, limit: int = 240) -> str:
    text = " ".join(str(message).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def explain(step: str, error: BaseException, model_name: str) -> str:
    """The message for a failed step."""
    if isinstance(error, TrainerInputError):
        return str(error)
    detail = shorten(error) or type(error).__name__
    if type(error).__name__ == "InvalidParameterError":  # scikit-learn's parameter validation
        return f"{model_name} rejected a hyperparameter: {detail}"
    if step == "fit" and isinstance(error, (TypeError, ValueError)) and "hyperparameter" in detail:
        return f"{model_name}: {detail}"
    prefix = {
        "load data": "could not use the data",
        "split": "could not split the data",
        "fit": f"training {model_name} failed",
        "score": "scoring failed",
    }.get(step, f"{step} failed")
    if not isinstance(error, (ValueError, TypeError, LookupError, OSError)):
        detail = f"{type(error).__name__}: {detail}"
    return f"{prefix}: {detail}"
