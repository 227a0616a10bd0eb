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
