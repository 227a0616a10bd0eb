"""Values of flows and models as JSON, on the server and in the client.

Flow results can be anything Python holds; JSON has six kinds of value. The
mapping: numpy and pandas scalars become Python numbers, arrays and Series
lists, sets and tuples lists, NaN and infinities ``null`` (JSON has no NaN),
Records their export dict, and anything else its ``repr`` — so a response is
always valid JSON and never fails to encode. Standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

_PLAIN = (str, int, bool, type(None))


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data (see the module docstring for the mapping)."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(item) for item in value]
    export = getattr(value, "export", None)
    if callable(export) and type(value).__name__ == "Record":
        return jsonable(export())
    tolist = getattr(value, "tolist", None)  # numpy scalars and arrays, pandas Series
    if callable(tolist):
        try:
            return jsonable(tolist())
        except Exception:  # a tolist that is not numpy's: fall back to repr
            pass
    return repr(value)


def error_text(error: BaseException) -> str:
    """One line for an error: its message, or its type when it has none."""
    text = str(error).strip()
    return text or type(error).__name__
