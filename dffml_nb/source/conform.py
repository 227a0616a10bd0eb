"""Feature values to the primitive of the definition they seed (``str``, ``int``, ``float``).

A CSV column of digits is read as numbers, but an operation that declares
``def zip_area(zip: str)`` must get text. Values already of the declared type
pass untouched (no cost); a whole column is converted at once; a value that
does not convert is an error naming the record, the feature and the definition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dffml_nb.df import Definition

if TYPE_CHECKING:
    import pandas as pd

#: the primitives converted; others (list, dict, object, ...) are passed as they are
SCALARS = ("str", "int", "float")


def conform_value(value: Any, definition: Definition, key: str) -> Any:
    """``value`` as ``definition``'s primitive (records: one value at a time)."""
    kind = definition.type
    if definition.primitive not in SCALARS or (
        isinstance(value, kind) and not isinstance(value, bool)
    ):
        return value
    try:
        return definition.convert(value)
    except ValueError as error:
        raise ValueError(f"record {key!r}, feature {definition.name!r}: {error}") from None


def conform_column(column: pd.Series, definition: Definition) -> pd.Series:
    """``column`` as ``definition``'s primitive, missing values kept missing."""
    primitive, kind = definition.primitive, column.dtype.kind
    if primitive == "str" and kind in "biuf":
        present = column.notna()
        text: pd.Series = column.astype(object).where(~present, column[present].map(_text))
        return text
    if primitive == "float" and kind in "iu":
        return column.astype(float)
    if primitive == "int" and kind == "f":
        present = column.dropna()
        fractional = present[present % 1 != 0]
        if len(fractional):
            position = column.index.get_loc(fractional.index[0])
            raise ValueError(
                f"row {position} (key {fractional.index[0]!r}), feature {definition.name!r}: "
                f"{fractional.iloc[0]!r} is not a valid int for definition {definition.name!r}"
            )
        return column.astype("Int64") if len(present) != len(column) else column.astype("int64")
    if primitive in ("int", "float") and kind in "OUS":
        return column.map(lambda v: v if v is None or v != v else definition.convert(v))
    return column


def _text(value: Any) -> str:
    """3.0 -> "3" (a whole float read from a CSV column of numbers), else str(value)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
