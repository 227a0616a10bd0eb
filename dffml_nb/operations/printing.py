"""DFFML's ``print_output``: print a value (the flow's way to say something on stdout)."""

from __future__ import annotations

from typing import Any

from dffml_nb.df import Definition, op

DATA_TO_PRINT = Definition("DataToPrint", "generic")


@op(inputs={"data": DATA_TO_PRINT}, outputs={})
def print_output(data: Any) -> None:
    """Print ``data`` on stdout, as Python's ``print`` shows it.

    >>> from dffml_nb import DataFlow, run_sync
    >>> _ = run_sync(DataFlow(print_output), {"c": {"DataToPrint": {"hello": "world"}}})
    {'hello': 'world'}
    """
    print(data, flush=True)
