"""Conversions between records, flat rows and pandas DataFrames.

A *flat row* is how every tabular source (CSV, SQLite, DataFrame) stores a
record, following DFFML's CSV source: one column per feature plus
``prediction_<target>`` and ``confidence_<target>`` for each prediction.
pandas is imported inside the functions that need it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from dffml_nb.record import Prediction, Record
from dffml_nb.source.errors import duplicate_column, duplicate_key, missing_columns

if TYPE_CHECKING:
    import pandas as pd

PREDICTION_PREFIX = "prediction_"
CONFIDENCE_PREFIX = "confidence_"
KEY = "key"


def is_missing(value: Any) -> bool:
    """True for None, NaN and pandas' NA / NaT: a cell with no value."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


def is_prediction_column(name: Any) -> bool:
    """True for ``prediction_<target>`` / ``confidence_<target>`` columns."""
    return isinstance(name, str) and (
        name.startswith(PREDICTION_PREFIX) or name.startswith(CONFIDENCE_PREFIX)
    )


def record_to_row(record: Record) -> dict[str, Any]:
    """The flat row for ``record`` (features, then prediction/confidence columns)."""
    row = record.features()
    for target, prediction in record.predictions.items():
        row[PREDICTION_PREFIX + target] = prediction.value
        row[CONFIDENCE_PREFIX + target] = prediction.confidence
    return row


def row_to_record(key: Any, row: Mapping[str, Any]) -> Record:
    """The record for a flat row; missing cells (None/NaN) are left out."""
    features: dict[str, Any] = {}
    values: dict[str, Any] = {}
    confidences: dict[str, Any] = {}
    for name, value in row.items():
        if is_missing(value):
            continue
        if isinstance(name, str) and name.startswith(PREDICTION_PREFIX):
            values[name[len(PREDICTION_PREFIX) :]] = value
        elif isinstance(name, str) and name.startswith(CONFIDENCE_PREFIX):
            confidences[name[len(CONFIDENCE_PREFIX) :]] = value
        else:
            features[str(name)] = value
    predictions = {
        target: Prediction(values.get(target), confidences.get(target))
        for target in {**values, **confidences}
    }
    return Record(key, features, predictions)


def rows_to_records(rows: Iterable[Record | Mapping[str, Any]]) -> list[Record]:
    """Records from Records and/or flat dict rows.

    A row's ``"key"`` entry is its key; rows without one are keyed by position
    (``"0"``, ``"1"``, ...), as DFFML keys a CSV without a key column. A dict
    shaped like :meth:`Record.export` (``{"key", "features", ...}``) is read as one.
    """
    records = []
    for position, row in enumerate(rows):
        if isinstance(row, Record):
            records.append(row)
        elif isinstance(row, Mapping):
            if is_exported_record(row):
                records.append(Record.from_dict(row, key=position))
            else:
                data = dict(row)
                key = data.pop(KEY, position)
                records.append(row_to_record(key, data))
        else:
            raise TypeError(f"expected a Record or a dict row, not {type(row).__name__}: {row!r}")
    return records


def by_key(
    records: Sequence[Record], origin: str, where: Callable[[int], str]
) -> dict[str, Record]:
    """``{key: record}``, refusing a key used twice (:class:`DuplicateKeyError`).

    ``where(position)`` says where the record at ``position`` is stored ("line
    4", "row 2"): only called to report a duplicate.
    """
    found = {record.key: record for record in records}
    if len(found) != len(records):
        first: dict[str, int] = {}
        for position, record in enumerate(records):
            if record.key in first:
                raise duplicate_key(record.key, origin, where(first[record.key]), where(position))
            first[record.key] = position
    return found


def check_columns(names: Iterable[Any], origin: str) -> None:
    """Refuse a column name that appears twice (the second would be lost)."""
    names = list(names)
    if len(set(names)) != len(names):
        first: dict[Any, int] = {}
        for position, name in enumerate(names, start=1):
            if name in first:
                raise duplicate_column(str(name), origin, first[name], position)
            first[name] = position


def is_exported_record(row: Mapping[str, Any]) -> bool:
    """True for a dict shaped like :meth:`Record.export` rather than a flat row."""
    allowed = {"key", "features", "predictions", "prediction", "extra"}
    return isinstance(row.get("features"), Mapping) and set(row) <= allowed


def positional_index(count: int) -> pd.RangeIndex:
    """The index of ``count`` key-less rows: ``RangeIndex(count)`` named ``key``.

    Data without keys (a CSV file with no key column, a DataFrame with its
    default index, dict rows without a ``"key"``) keeps pandas' RangeIndex:
    no key is made until a :class:`Record` is, and then the key of the row at
    position ``i`` is ``str(i)`` ("0", "1", ..., as DFFML keys such a file).
    """
    import pandas as pd

    index: pd.RangeIndex = pd.RangeIndex(count, name=KEY)
    return index


def is_positional(index: pd.Index) -> bool:
    """True for the index of key-less rows: a RangeIndex 0, 1, ..., n - 1."""
    import pandas as pd

    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


def key_index(values: Iterable[Any]) -> pd.Index:
    """An index of record keys, each as str."""
    import pandas as pd

    index: pd.Index = pd.Index([str(value) for value in values], dtype=str, name=KEY)
    return index


def records_to_frame(
    records: Iterable[Record],
    columns: list[str] | None = None,
    *,
    predictions: bool = False,
    origin: str = "records",
    positional: bool = False,
) -> pd.DataFrame:
    """A DataFrame with one row per record, indexed by key (see :func:`select`).

    ``positional``: the records are key-less rows keyed "0", "1", ... by
    position; the frame then gets a :func:`positional_index` instead of str keys.
    """
    import pandas as pd

    records = list(records)
    index: pd.Index
    if positional:
        index = positional_index(len(records))
    else:
        index = key_index(record.key for record in records)
    rows = [record_to_row(record) for record in records]
    if not rows:  # no records: the columns asked for, with no rows
        empty: pd.DataFrame = pd.DataFrame(index=index, columns=columns or [])
        return empty
    frame = pd.DataFrame(rows, index=index)
    return select(frame, columns, predictions=predictions, origin=origin)


def select(
    frame: pd.DataFrame,
    columns: list[str] | None = None,
    *,
    predictions: bool = False,
    origin: str = "data",
) -> pd.DataFrame:
    """``frame`` restricted to ``columns`` (default: every feature column).

    Prediction / confidence columns are included only when ``predictions`` is
    true. A requested column that is absent is a :class:`SourceError` naming it
    and ``origin`` and listing the columns that exist.
    """
    present = list(frame.columns)
    wanted = choose_columns(present, columns, predictions, origin)
    return frame if wanted == present else frame[wanted]


def choose_columns(
    present: list[str], columns: list[str] | None, predictions: bool, origin: str
) -> list[str]:
    """The columns to read out of ``present``: ``columns`` (all must exist) or
    every feature column, plus prediction / confidence columns if ``predictions``."""
    if columns is None:
        return [name for name in present if predictions or not is_prediction_column(name)]
    absent = [name for name in columns if name not in present]
    if absent:
        raise missing_columns(absent, origin, present)
    wanted = list(columns)
    if predictions:
        wanted += [name for name in present if is_prediction_column(name) and name not in wanted]
    return wanted


def frame_to_records(frame: pd.DataFrame, key: str | None = None) -> list[Record]:
    """Records from a DataFrame's rows.

    Keys come from column ``key`` if given, else a ``"key"`` column if there is
    one, else the index; ``prediction_<t>`` / ``confidence_<t>`` columns become
    predictions; missing cells are left out of the record.
    """
    if key is None and KEY in frame.columns:
        key = KEY
    if key is not None:
        if key not in frame.columns:
            raise missing_columns([key], "the DataFrame (as its key column)", frame.columns)
        frame = frame.set_index(key)
    return index_to_records(frame)


def index_to_records(frame: pd.DataFrame) -> list[Record]:
    """Records from a DataFrame's rows, keyed by its index: each label as str,
    so the RangeIndex of key-less rows keys them "0", "1", ... by position."""
    keys = frame.index.tolist()
    # native Python scalars, not numpy's; column names are str in the fast path below
    rows = cast("list[dict[str, Any]]", frame.to_dict(orient="records"))
    plain = (
        all(isinstance(name, str) for name in frame.columns)
        and not any(map(is_prediction_column, frame.columns))
        and not frame.isna().to_numpy().any()
    )
    if plain:  # every cell is a feature value under a str name: no per-cell checks needed
        return [Record(key, row) for key, row in zip(keys, rows, strict=True)]
    # row_to_record leaves missing cells out and names features by str (0 -> "0")
    return [row_to_record(key, row) for key, row in zip(keys, rows, strict=True)]
