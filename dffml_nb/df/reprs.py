"""Text about values and errors that can never raise, whatever the data is.

Error messages and events describe user data; a value whose ``__repr__`` (or an
exception whose ``__str__``) raises must not turn a reported failure into a
different, unreported one.
"""

from __future__ import annotations

import reprlib
from typing import Any

__all__ = ["describe_error", "safe_repr", "safe_str", "short_repr"]

_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 6
_repr.maxlevel = 3


def _broken(value: Any, what: str, error: BaseException) -> str:
    return f"<{type(value).__name__} object; {what}() raised {type(error).__name__}>"


def short_repr(value: Any) -> str:
    """A bounded repr (long strings, lists and nesting are cut), so events stay small."""
    try:
        return _repr.repr(value)
    except Exception as error:  # noqa: BLE001 - a broken __repr__ must not break a run
        return _broken(value, "repr", error)


def safe_repr(value: Any, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters; never raises."""
    try:
        text = repr(value)
    except Exception as error:  # noqa: BLE001
        text = _broken(value, "repr", error)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def safe_str(value: Any) -> str:
    """``str(value)``; never raises."""
    try:
        return str(value)
    except Exception as error:  # noqa: BLE001
        return _broken(value, "str", error)


def describe_error(error: BaseException) -> str:
    """``"ValueError: message"``; never raises."""
    return f"{type(error).__name__}: {safe_str(error)}"
