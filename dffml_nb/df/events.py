"""The executor's event stream: one small frozen record per thing that happens.

Progress bars, logs and live graphs are all built on this one stream.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from typing import Any

KINDS = (
    "context_started",
    "operation_started",
    "operation_finished",
    "operation_failed",
    "context_finished",
)

_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 6
_repr.maxlevel = 3


def short_repr(value: Any) -> str:
    """A bounded repr, so events stay small whatever the data is."""
    try:
        return _repr.repr(value)
    except Exception:  # a broken __repr__ must not break a run
        return f"<{type(value).__name__}>"


@dataclass(frozen=True, slots=True)
class Event:
    """``kind`` is one of :data:`KINDS`; fields that don't apply are ``None``.

    ``inputs`` / ``outputs`` map parameter / output names to short reprs;
    ``duration`` is in seconds; ``results`` is set on ``context_finished``.
    """

    kind: str
    context: str
    operation: str | None = None
    duration: float | None = None
    inputs: dict[str, str] | None = None
    outputs: dict[str, str] | None = None
    error: BaseException | None = None
    results: dict[str, Any] | None = None
