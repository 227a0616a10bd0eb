"""Turning "some data" into a source or a DataFrame.

``open_source`` picks the source for an object (a source, a DataFrame, dict
rows, Records) or a file name (by suffix); ``as_frame`` combines several such
arguments into one DataFrame — what ``train`` / ``score`` / ``predict`` call.
Source classes are looked up through the ``dffml_nb.source`` entry points, as a
third-party source would be (this package's own without scanning every package:
see :mod:`dffml_nb.plugins`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeGuard

from dffml_nb import plugins
from dffml_nb.feature import Features, FeatureSpec
from dffml_nb.record import Record
from dffml_nb.source.base import Source
from dffml_nb.source.convert import KEY, is_positional, key_index, positional_index
from dffml_nb.source.errors import SourceError

if TYPE_CHECKING:
    import pandas as pd

#: file suffix -> source plugin name
SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".json": "json",
    ".sqlite": "sqlite",
    ".sqlite3": "sqlite",
    ".db": "sqlite",
}


def source_class(name: str) -> type[Source]:
    """The source class registered as ``name`` (or at import path ``name``).

    This package's own sources are registered in its ``pyproject.toml`` like any
    plugin's; :mod:`dffml_nb.plugins` finds them without scanning every package.
    """
    cls = plugins.load("source", name)
    if not (isinstance(cls, type) and issubclass(cls, Source)):
        raise plugins.PluginError(
            f"source plugin {name!r} is {cls!r}, not a class: expected a subclass of "
            "dffml_nb.source.Source"
        )
    return cls


def _make(name: str, *args: Any, **kwargs: Any) -> Source:
    """An instance of the source class registered as ``name`` (each takes its own
    constructor arguments, which the Source base class does not know)."""
    factory: Callable[..., Source] = source_class(name)
    return factory(*args, **kwargs)


def is_frame(obj: Any) -> TypeGuard[pd.DataFrame]:
    """Whether ``obj`` is a pandas DataFrame, without importing pandas to find out."""
    pandas = sys.modules.get("pandas")  # no pandas imported: obj cannot be a DataFrame
    return pandas is not None and isinstance(obj, pandas.DataFrame)


def _suffix_kind(path: str | os.PathLike[str]) -> str:
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix not in SUFFIXES:
        supported = ", ".join(sorted(SUFFIXES))
        raise ValueError(
            f"cannot open {os.fspath(path)!r}: unsupported file suffix {suffix or '(none)'!r}; "
            f"supported suffixes: {supported} (or pass name= one of: "
            f"{', '.join(plugins.names('source'))})"
        )
    return SUFFIXES[suffix]


def open_source(obj: Any = None, **kwargs: Any) -> Source:
    """The source for ``obj``.

    - a :class:`Source`: itself
    - a pandas DataFrame: :class:`DataFrameSource`
    - a dict (one row), a :class:`Record`, or a list / tuple of them: :class:`MemorySource`
    - a file name or path: chosen by suffix (``.csv``, ``.json``, ``.sqlite``,
      ``.sqlite3``, ``.db``)

    ``name="csv"`` (any registered source name, or an import path) forces the
    kind: ``open_source("data.txt", name="csv")``. Other keywords go to the
    source's constructor, e.g. ``open_source("data.db", table="salaries")``.
    """
    name = kwargs.pop("name", None)
    if name is not None:
        return _make(name, **kwargs) if obj is None else _make(name, obj, **kwargs)
    if isinstance(obj, Source):
        if kwargs:
            raise TypeError(f"options {sorted(kwargs)} cannot be applied to an existing {obj!r}")
        return obj
    if is_frame(obj):
        return _make("dataframe", obj, **kwargs)
    if isinstance(obj, (Record, Mapping)):
        return _make("memory", [obj], **kwargs)
    if isinstance(obj, (str, os.PathLike)):
        return _make(_suffix_kind(obj), obj, **kwargs)
    if isinstance(obj, (list, tuple)):
        return _make("memory", obj, **kwargs)
    raise TypeError(
        f"cannot make a source from {type(obj).__name__}: expected a Source, a DataFrame, "
        "a dict or Record, a list of them, or a file name"
    )


def _groups(data: Iterable[Any]) -> list[Any]:
    """``data`` with each run of single dicts / Records gathered into one list, so
    that ``predict(model, {...}, {...})`` keys its rows "0", "1" rather than "0", "0"."""
    groups: list[Any] = []
    run: list[Any] = []
    for item in data:
        if isinstance(item, (Record, Mapping)):
            run.append(item)
            continue
        if run:
            groups.append(run)
            run = []
        groups.append(item)
    if run:
        groups.append(run)
    return groups


def as_frame(
    *data: Any,
    columns: list[str] | None = None,
    features: Features | Iterable[FeatureSpec] | None = None,
    allow_empty: bool = False,
) -> pd.DataFrame:
    """One DataFrame from every argument in ``data``, indexed by record key.

    Each argument is anything :func:`open_source` takes: a dict (one row), a
    Record, a file name, a DataFrame, a source, or a list of dicts / Records.
    ``columns`` picks columns (default: every feature column, or the names of
    ``features``); ``features`` converts columns to their dtypes, naming the
    file, line, column and value of anything that does not convert. A missing
    column names itself and where it is missing. No rows at all is a
    :class:`SourceError` unless ``allow_empty``.

    Keys: data stored without keys (a CSV file with no key column, a DataFrame
    with its default index, dict rows without ``"key"``) keeps a RangeIndex
    named ``key`` (a record's key is then ``str(position)``); other data is
    keyed by str. With several arguments, key-less rows are keyed by their
    position in the result, so that two key-less files never share a key: if
    every argument is key-less the result has a RangeIndex over all rows;
    otherwise key-less rows get ``str(position)`` keys beside the others'
    keys, which are kept as given (two keyed inputs may share a key).

    Files are read column-wise by pandas (no Python loop over rows).
    """
    import pandas as pd

    features = Features.parse(features)
    sources = [open_source(item) for item in _groups(data)]
    frames = [source.to_frame(columns, features=features) for source in sources]
    if not frames:
        if allow_empty:
            empty: pd.DataFrame = pd.DataFrame(
                columns=columns or features.names(), index=positional_index(0)
            )
            return empty
        raise SourceError("no data given: pass dict rows, Records, files, DataFrames or sources")
    frame = frames[0] if len(frames) == 1 else _concat(frames)
    if not allow_empty and len(frame) == 0:
        where = ", ".join(source.origin for source in sources)
        raise SourceError(f"no rows in {where}: rows are required here")
    return frame


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The rows of ``frames`` in order, key-less rows keyed by position in the result."""
    import pandas as pd

    if all(is_positional(frame.index) for frame in frames):
        combined = pd.concat(frames, ignore_index=True)
        combined.index = positional_index(len(combined))
        return combined
    parts, offset = [], 0
    for frame in frames:
        if is_positional(frame.index):
            keys = key_index(range(offset, offset + len(frame)))
            frame = frame.set_axis(keys, axis=0)
        parts.append(frame)
        offset += len(frame)
    combined = pd.concat(parts)
    combined.index = combined.index.rename(KEY)
    return combined
