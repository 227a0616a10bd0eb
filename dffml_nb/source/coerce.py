"""Convert DataFrame columns to their features' dtypes, naming any bad value."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from dffml_nb.feature import Feature, Features, FeatureSpec
from dffml_nb.source.convert import check_columns
from dffml_nb.source.errors import SourceError, missing_columns

if TYPE_CHECKING:
    import pandas as pd

_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}


def coerce(
    frame: pd.DataFrame,
    features: Features | Iterable[FeatureSpec],
    origin: str = "data",
    *,
    first_line: int | None = None,
    line_of: Callable[[int], int] | None = None,
) -> pd.DataFrame:
    """``frame`` with each feature's column converted to the feature's dtype.

    int columns become ``int64`` (pandas' nullable ``Int64`` when values are
    missing), float ``float64``, bool ``bool`` (nullable ``boolean`` with
    missing values; "true"/"false", "yes"/"no", 1/0 are understood), str
    strings. Missing cells stay missing. Features longer than one value are left
    as they are.

    A value that cannot be converted is a :class:`SourceError` naming
    ``origin``, where the row is, the column and the value. Where is a line
    number when the frame was read from a text file: ``line_of(position)``, or
    ``first_line + position`` (one line per row); otherwise the record key. A feature with no
    column is a :class:`SourceError` listing the columns there are.
    """
    features = Features.parse(features)
    absent = [name for name in features.names() if name not in frame.columns]
    if absent:
        raise missing_columns(absent, origin, frame.columns)
    if not frame.columns.is_unique:  # frame[name] would be a DataFrame of every "name"
        check_columns(frame.columns, origin)
    converted = {}
    for feature in features:
        if feature.length != 1:
            continue
        column = frame[feature.name]
        result, bad = _convert(column, feature.dtype)
        if bad is not None and bad.any():
            position = int(bad.to_numpy().argmax())
            if line_of is None and first_line is not None:
                line_of = first_line.__add__
            raise _bad_value(frame, feature, position, origin, line_of)
        if result is not column:
            converted[feature.name] = result
    if not converted:
        return frame
    copy: pd.DataFrame = frame.copy(
        deep=False
    )  # setting a column replaces it: the caller's frame is untouched
    for name, values in converted.items():
        copy[name] = values
    return copy


def _convert(column: pd.Series, dtype: type) -> tuple[pd.Series, pd.Series | None]:
    """(converted column, mask of values that could not be converted or None).

    A column that already has the feature's dtype is returned as it is: no
    copy, no scan for missing or bad values.
    """
    import pandas as pd
    from pandas.api import types

    kind = column.dtype
    if dtype is float and kind == "float64":
        return column, None
    if dtype is int and types.is_integer_dtype(kind):
        return column, None
    if dtype is str and types.is_string_dtype(kind) and not types.is_object_dtype(kind):
        return column, None
    if dtype is bool and types.is_bool_dtype(kind):
        return column, None
    missing = column.isna()
    if dtype is str:
        return column.map(str, na_action="ignore").astype(str).where(~missing), None
    if dtype is bool:
        text = column.map(lambda v: str(v).strip().lower(), na_action="ignore")
        true, false = text.isin(_TRUE), text.isin(_FALSE)
        unknown = ~(true | false | missing)
        result = true.astype("boolean").mask(missing) if missing.any() else true
        return result, unknown
    # numbers
    if types.is_bool_dtype(kind):
        return column.astype("float64" if dtype is float else "int64"), None
    bad: pd.Series | None
    if types.is_numeric_dtype(kind):
        numbers, bad = column, None  # numbers already: nothing can fail to parse
    else:
        numbers = pd.to_numeric(column, errors="coerce")
        bad = numbers.isna() & ~missing
    if dtype is float:
        return numbers.astype("float64"), bad
    if types.is_integer_dtype(numbers.dtype):
        return numbers, bad
    fractional = numbers.notna() & (numbers != numbers.round())
    bad = fractional if bad is None else bad | fractional
    if bad.any():
        return numbers, bad
    return numbers.astype("Int64" if missing.any() else "int64"), bad


def _bad_value(
    frame: pd.DataFrame,
    feature: Feature,
    position: int,
    origin: str,
    line_of: Callable[[int], int] | None,
) -> SourceError:
    value = frame[feature.name].iloc[position]
    if hasattr(value, "item") and not hasattr(value, "__len__"):
        value = value.item()  # 2.5, not np.float64(2.5)
    where = (
        f"line {line_of(position)}"
        if line_of is not None
        else f"record {str(frame.index[position])!r}"
    )
    return SourceError(
        f"{origin}, {where}, column {feature.name!r}: cannot convert {value!r} "
        f"to {feature.dtype.__name__} (feature {feature})"
    )
