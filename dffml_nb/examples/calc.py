"""DFFML's calculator: ``parse_line`` decides, ``add`` or ``mult`` (gated by conditions) computes.

dffml-nb dataflow run calc.json -trust -inputs "add 40 and 2"=calc_string
"""

from __future__ import annotations

from dffml_nb.df import DataFlow, Definition, Input, get_single, op

calc_string = Definition("calc_string", "str")
is_add = Definition("is_add", "bool")
is_mult = Definition("is_mult", "bool")
numbers = Definition("numbers", "list")
result = Definition("result", "int")


@op(inputs={"numbers": numbers}, outputs={"sum": result}, conditions=[is_add])
def add(numbers: list[int]) -> int:
    return sum(numbers)


@op(inputs={"numbers": numbers}, outputs={"product": result}, conditions=[is_mult])
def mult(numbers: list[int]) -> int:
    product = 1
    for number in numbers:
        product *= number
    return product


@op(
    inputs={"line": calc_string},
    outputs={"add": is_add, "mult": is_mult, "numbers": numbers},
)
def parse_line(line: str) -> dict:
    return {
        "add": "add" in line,
        "mult": "mult" in line,
        "numbers": [int(item) for item in line.split() if item.isdigit()],
    }


def calc_flow() -> DataFlow:
    """The calculator flow with ``get_single`` returning ``result``."""
    return DataFlow(
        parse_line,
        add,
        mult,
        get_single,
        seed=[Input([result.name], get_single.inputs["spec"])],
    )
