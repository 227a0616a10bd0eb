"""Flow files of any shape give a DataFlowError naming the file and what was expected."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dffml_nb.examples.calc  # noqa: F401 - imported: its operations resolve untrusted
from dffml_nb.df import DataFlow, DataFlowError
from dffml_nb.examples.calc import calc_flow

# -- deeply nested files ---------------------------------------------------------------------


def test_deeply_nested_json_names_the_file(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"operations": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(DataFlowError, match="nested too deeply") as info:
        DataFlow.load(path)
    assert str(path) in str(info.value)


def test_deeply_nested_yaml_names_the_file(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("operations: " + "[" * 20_000 + "]" * 20_000 + "\n")
    with pytest.raises(DataFlowError, match="nested too deeply") as info:
        DataFlow.load(path)
    assert str(path) in str(info.value)


def test_binary_file_names_the_file(tmp_path):
    path = tmp_path / "flow.json"
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(DataFlowError, match="not a text file"):
        DataFlow.load(path)


# -- sections and fields of the wrong type ------------------------------------------------------


def calc() -> dict:
    return calc_flow().to_dict()


def with_change(change) -> dict:
    data = calc()
    change(data)
    return data


WRONG = {
    "operations is a list": (
        lambda d: d.update(operations=["add"]),
        "'operations': must be a mapping {name: operation}, got list",
    ),
    "operations is text": (
        lambda d: d.update(operations="add"),
        "'operations': must be a mapping {name: operation}, got str",
    ),
    "definitions is a list": (
        lambda d: d.update(definitions=["a"]),
        "'definitions': must be a mapping {name: definition}, got list",
    ),
    "a definition is a list": (
        lambda d: d["definitions"].update(numbers=["int"]),
        "definition 'numbers': must be a primitive name or a mapping of its fields, got list",
    ),
    "a definition's primitive is a number": (
        lambda d: d["definitions"].update(numbers={"primitive": 5}),
        "definition 'numbers': 'primitive' must be a str, got int",
    ),
    "lock is text": (
        lambda d: d["definitions"].update(numbers={"primitive": "list", "lock": "yes"}),
        "definition 'numbers': 'lock' must be a bool, got str",
    ),
    "inputs is a list": (
        lambda d: d["operations"]["add"].update(inputs=["numbers"]),
        "operation 'add': 'inputs' must be a mapping {parameter: definition}, got list",
    ),
    "an input is a number": (
        lambda d: d["operations"]["add"]["inputs"].update(numbers=3),
        "operation 'add' input 'numbers': must name a definition, got int",
    ),
    "an input names nothing known": (
        lambda d: d["operations"]["add"]["inputs"].update(numbers="nope"),
        "operation 'add' input 'numbers': names definition 'nope', which is not under",
    ),
    "conditions is text": (
        lambda d: d["operations"]["add"].update(conditions="is_add"),
        "operation 'add': 'conditions' must be a list of definition names, got str",
    ),
    "expand is a number": (
        lambda d: d["operations"]["add"].update(expand=1),
        "operation 'add': 'expand' must be a list of output names, got int",
    ),
    "retry is text": (
        lambda d: d["operations"]["add"].update(retry="3"),
        "operation 'add': 'retry' must be a whole number, got str",
    ),
    "retry is a bool": (
        lambda d: d["operations"]["add"].update(retry=True),
        "operation 'add': 'retry' must be a whole number, got bool",
    ),
    "stage is unknown": (
        lambda d: d["operations"]["add"].update(stage="later"),
        "operation 'add': stage must be one of",
    ),
    "an operation is a number": (
        lambda d: d["operations"].update(add=7),
        "operation 'add': must be an import path or a mapping of fields, got int",
    ),
    "func is a list": (
        lambda d: d["operations"]["add"].update(func=["x"]),
        "operation 'add': 'func' must be an import path or registered name, got list",
    ),
    "seed is a mapping": (
        lambda d: d.update(seed={"value": 1}),
        "'seed': must be a list of {value, definition}, got dict",
    ),
    "a seed is text": (
        lambda d: d.update(seed=["result"]),
        "seed #0: must be {'value': ..., 'definition': name}, got str",
    ),
    "format version is text": (
        lambda d: d.update(dffml_nb="one"),
        "'dffml_nb': format version 'one' is not one this dffml_nb reads",
    ),
    "format version from the future": (
        lambda d: d.update(dffml_nb=99),
        "'dffml_nb': format version 99 is not one this dffml_nb reads",
    ),
}


@pytest.mark.parametrize("case", list(WRONG))
def test_wrong_types_name_the_file_the_place_and_what_was_expected(case, tmp_path):
    change, expected = WRONG[case]
    data = with_change(change)
    with pytest.raises(DataFlowError) as info:
        DataFlow.from_dict(data, origin="calc.json")
    assert str(info.value).startswith("calc.json: ") and expected in str(info.value)
    for suffix in (".json", ".yaml"):
        path = tmp_path / f"calc{suffix}"
        path.write_text(json.dumps(data))  # JSON is YAML too
        with pytest.raises(DataFlowError) as info:
            DataFlow.load(path)
        assert str(info.value).startswith(f"{path}: ") and expected in str(info.value)


def test_operation_names_must_be_text():
    data = calc()
    data["operations"][5] = data["operations"].pop("add")
    with pytest.raises(DataFlowError, match="operation 5: a name must be a non-empty string"):
        DataFlow.from_dict(data)


# -- fuzz: whatever the dict, only DataFlowError ---------------------------------------------

leaves = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
json_values = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
names = st.sampled_from(["add", "numbers", "is_add", "calc_string", "result", "x", ""])
funcs = st.sampled_from(
    [
        "get_single",
        "dffml_nb.examples.calc:add",
        "dffml_nb.examples.calc:parse_line",
        "os:system",
        "no.such.module:f",
        "nope",
        ":",
        "a.b",
    ]
)
fields = st.fixed_dictionaries(
    {},
    optional={
        "func": funcs | json_values,
        "inputs": st.dictionaries(names, names | json_values, max_size=3) | json_values,
        "outputs": st.dictionaries(names, names | json_values, max_size=3) | json_values,
        "conditions": st.lists(names | json_values, max_size=3) | json_values,
        "expand": st.lists(names, max_size=2) | json_values,
        "stage": st.sampled_from(["processing", "cleanup", "output", "x"]) | json_values,
        "retry": st.integers(-2, 3) | json_values,
        "runner": st.sampled_from(["inline", "thread", "x"]) | json_values,
    },
)
definitions = st.dictionaries(
    names | leaves,
    st.sampled_from(["int", "str", "list", "bool"])
    | st.fixed_dictionaries(
        {},
        optional={
            "primitive": st.sampled_from(["int", "dict"]) | json_values,
            "lock": st.booleans() | json_values,
            "default": json_values,
            "validate": funcs | json_values,
            "spec": funcs | json_values,
        },
    )
    | json_values,
    max_size=4,
)
flows = st.fixed_dictionaries(
    {"operations": st.dictionaries(names | leaves, fields | funcs | json_values, max_size=4)},
    optional={
        "definitions": definitions | json_values,
        "seed": st.lists(
            st.fixed_dictionaries(
                {"definition": names | json_values}, optional={"value": json_values}
            )
            | json_values,
            max_size=3,
        )
        | json_values,
        "dffml_nb": st.integers(-1, 2) | json_values,
    },
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=flows | json_values)
def test_from_dict_raises_only_dataflow_error(data):
    try:
        flow = DataFlow.from_dict(data, origin="fuzz.json")
    except DataFlowError as error:
        assert str(error).startswith("fuzz.json")
    else:
        assert isinstance(flow, DataFlow)
        flow.validate()  # a flow that loads can always say what is wrong with it
        flow.to_dict()
