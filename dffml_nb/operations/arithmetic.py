"""DFFML's ``multiply``."""

from __future__ import annotations

from typing import Any

from dffml_nb.df import Definition, op

MULTIPLICAND = Definition("multiplicand_def", "generic")
MULTIPLIER = Definition("multiplier_def", "generic")
PRODUCT = Definition("product", "generic")


@op(
    name="multiply",
    inputs={"multiplicand": MULTIPLICAND, "multiplier": MULTIPLIER},
    outputs={"product": PRODUCT},
)
def multiply(multiplicand: Any, multiplier: Any) -> Any:
    """``multiplicand * multiplier`` (numbers, or whole columns in a columnar run).

    >>> from dffml_nb import DataFlow, run_sync
    >>> run_sync(DataFlow(multiply), {"c": {"multiplicand_def": 12, "multiplier_def": 3}})
    {'c': {'product': 36}}
    """
    return multiplicand * multiplier
