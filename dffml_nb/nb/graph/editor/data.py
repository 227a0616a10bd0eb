"""Data the editor's flow can run over (records mode): what there is, and which columns it has.

Pure Python. Data is a pandas DataFrame of the notebook, or a data file in
its folder (a CSV, JSON or SQLite file: the sources dffml_nb opens by suffix).
Running over it is ``dffml_nb.run_records``: one context per record, the
columns named like the flow's inputs feed them, the results become columns.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["DATA_SUFFIXES", "choices", "columns_of", "is_frame", "resolve"]

DATA_SUFFIXES = (".csv", ".json", ".sqlite", ".db")


def is_frame(value: Any) -> bool:
    """A pandas DataFrame (checked without importing pandas)."""
    kind = type(value)
    return kind.__name__ == "DataFrame" and kind.__module__.startswith("pandas")


def choices(namespace: Mapping[str, Any] | None, folder: str | Path = ".") -> list[tuple[str, str]]:
    """``(label, token)`` for the DataFrames in ``namespace`` and the data files in ``folder``.

    A token is ``"frame:NAME"`` or ``"file:PATH"``; :func:`resolve` turns it into data.
    """
    found = []
    for name, value in (namespace or {}).items():
        if not name.startswith("_") and is_frame(value):
            found.append((f"DataFrame {name} ({len(value)} rows)", f"frame:{name}"))
    try:
        files = sorted(
            entry.name
            for entry in os.scandir(folder)
            if entry.is_file() and Path(entry.name).suffix.lower() in DATA_SUFFIXES
        )
    except OSError:
        files = []
    found += [(f"file {name}", f"file:{Path(folder) / name}") for name in files]
    return found


def resolve(token: Any, namespace: Mapping[str, Any] | None) -> tuple[Any, str]:
    """``(data, label)`` for a choice token, a DataFrame, or a file name; ``(None, "")`` for None."""
    if token is None:
        return None, ""
    if is_frame(token):
        return token, f"a DataFrame of {len(token)} rows"
    text = str(token)
    if text.startswith("frame:"):
        name = text.split(":", 1)[1]
        value = (namespace or {}).get(name)
        if not is_frame(value):
            raise LookupError(f"no DataFrame {name!r} in the notebook (any more)")
        return value, f"DataFrame {name}"
    path = Path(text.split(":", 1)[1] if text.startswith("file:") else text)
    if not path.is_file():
        raise LookupError(f"{path}: no such data file")
    return str(path), f"file {path.name}"


def columns_of(data: Any) -> list[str]:
    """The column (feature) names of ``data``: a DataFrame's, a CSV's header, else the first record's."""
    if data is None:
        return []
    if is_frame(data):
        return [str(c) for c in data.columns]
    path = Path(str(data))
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            return next(csv.reader(handle), [])
    from dffml_nb.high_level import load

    records = load(str(path))
    return list(records[0].features()) if records else []
