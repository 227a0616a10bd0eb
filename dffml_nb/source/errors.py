"""Errors raised by sources, with messages that say where the problem is."""

from __future__ import annotations

from collections.abc import Iterable


class SourceError(ValueError):
    """Data a source cannot read or write: a missing column, a bad value,
    malformed file contents, or no rows where rows are required."""


def missing_columns(missing: Iterable[str], origin: str, available: Iterable[str]) -> SourceError:
    """The error for columns asked for but absent, listing the columns that exist."""
    missing = list(missing)
    names = ", ".join(repr(name) for name in missing)
    existing = ", ".join(repr(name) for name in available) or "(none)"
    noun = "column" if len(missing) == 1 else "columns"
    verb = "is" if len(missing) == 1 else "are"
    return SourceError(f"{noun} {names} {verb} missing from {origin}; its columns are: {existing}")


class DuplicateKeyError(SourceError):
    """A key used by two records of one source: records are found by key, so
    reading on would drop one of them. The message names the key and both places."""


def duplicate_key(key: str, origin: str, first: str, second: str) -> DuplicateKeyError:
    """The error for ``key`` found at ``first`` and again at ``second`` ("line 2", ...)."""
    return DuplicateKeyError(
        f"{origin}: key {key!r} is used twice, at {first} and at {second}; keys must be "
        "unique, since records are found by key and one would be lost: give one of "
        "them another key or remove it (training reads every row and is not affected)"
    )


def duplicate_column(name: str, origin: str, first: int, second: int) -> SourceError:
    """The error for column ``name`` at positions ``first`` and ``second`` (from 1)."""
    return SourceError(
        f"{origin}: column {name!r} appears twice, as columns {first} and {second}; "
        "column names must be unique (one column would be lost): rename one of them"
    )


class WriteConflictError(SourceError):
    """A save that would overwrite a value another writer stored after this
    source read it. Nothing of the save is written; read again and redo the change."""
