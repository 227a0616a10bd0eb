"""DFFML's ``literal_eval``: text to the Python literal it spells (never running code)."""

from __future__ import annotations

import ast
from typing import Any

from dffml_nb.df import Definition, op

INPUT_STR = Definition("InputStr", "str")
EVALUATED_STR = Definition("EvaluatedStr", "generic")


@op(inputs={"str_to_eval": INPUT_STR}, outputs={"str_after_eval": EVALUATED_STR})
def literal_eval(str_to_eval: str) -> Any:
    """The literal ``str_to_eval`` spells (numbers, strings, lists, dicts, ...), by
    :func:`ast.literal_eval`: an expression that is not a literal is an error, never run.

    >>> from dffml_nb import DataFlow, run_sync
    >>> run_sync(DataFlow(literal_eval), {"c": {"InputStr": "[1, 2, 3]"}})
    {'c': {'EvaluatedStr': [1, 2, 3]}}
    """
    try:
        return ast.literal_eval(str_to_eval)
    except (ValueError, SyntaxError, TypeError) as error:
        raise ValueError(
            f"{str_to_eval!r} is not a Python literal (a number, string, list, dict, tuple, set, "
            f"True/False/None): {error}"
        ) from None
