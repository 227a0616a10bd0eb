"""Serialisation round trips, file errors with positions, Mermaid, lineage output ops."""

from __future__ import annotations

import json

import pytest

from dffml_nb.df import (
    DataFlow,
    DataFlowError,
    Definition,
    Input,
    associate_definition,
    group_by,
    op,
    run_sync,
)
from dffml_nb.examples.calc import calc_flow, calc_string

INPUTS = {"a": {"calc_string": "add 40 and 2"}, "m": {"calc_string": "multiply 42 and 10"}}


def test_dict_round_trip_runs_with_identical_results():
    flow = calc_flow()
    data = flow.to_dict()
    json.dumps(data)  # JSON-able
    assert data["operations"]["add"]["func"] == "dffml_nb.examples.calc:add"
    assert data["operations"]["add"]["conditions"] == ["is_add"]
    again = DataFlow.from_dict(data)
    assert again.to_dict() == data
    assert (
        run_sync(again, INPUTS)
        == run_sync(flow, INPUTS)
        == {"a": {"result": 42}, "m": {"result": 420}}
    )


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml"])
def test_file_round_trip(tmp_path, suffix):
    path = tmp_path / f"calc{suffix}"
    calc_flow().save(path)
    loaded = DataFlow.load(path)
    assert loaded.to_dict() == calc_flow().to_dict()
    assert run_sync(loaded, INPUTS) == {"a": {"result": 42}, "m": {"result": 420}}


def test_malformed_json_names_file_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "operations": {\n    "add": ,\n  }\n}\n')
    with pytest.raises(DataFlowError) as info:
        DataFlow.load(path)
    assert f"{path}:3:12: malformed JSON" in str(info.value)


def test_malformed_yaml_names_file_and_position(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("operations:\n  add: {func: x\n  mult: [\n")
    with pytest.raises(DataFlowError, match=rf"{path}:\d+:\d+: malformed YAML"):
        DataFlow.load(path)


def test_unknown_operation_is_named(tmp_path):
    data = calc_flow().to_dict()
    data["operations"]["add"]["func"] = "no_such_package.module:add"
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(data))
    with pytest.raises(DataFlowError) as info:
        DataFlow.load(path)
    message = str(info.value)
    assert (
        str(path) in message
        and "operation 'add'" in message
        and "no_such_package.module:add" in message
    )


def test_operation_by_registered_plugin_name():
    flow = DataFlow.from_dict(
        {
            "definitions": {
                "get_single_spec": {"primitive": "list"},
                "get_single_output": {"primitive": "dict"},
            },
            "operations": {"get_single": {"func": "get_single"}},
        }
    )
    assert flow["get_single"].stage == "output"


def test_unknown_plugin_name_lists_known():
    with pytest.raises(DataFlowError, match="unknown operation 'nope'.*get_single"):
        DataFlow.from_dict({"operations": {"x": {"func": "nope"}}})


def test_unsupported_suffix(tmp_path):
    with pytest.raises(DataFlowError, match="unsupported dataflow file suffix '.txt'"):
        calc_flow().save(tmp_path / "flow.txt")


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DataFlowError, match="no such dataflow file"):
        DataFlow.load(tmp_path / "missing.json")


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "flow.json"
    calc_flow().save(path)
    before = path.read_text()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)  # the rename that would commit the save
    with pytest.raises(OSError):
        DataFlow(op(lambda x: x, name="other")).save(path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["flow.json"]


def test_mermaid_text():
    text = calc_flow().mermaid()
    assert text.startswith("flowchart")
    for name in ("parse_line", "add", "mult", "get_single", "calc_string", "result"):
        assert name in text
    assert "-.->|condition|" in text


def test_associate_definition_follows_parents():
    # DFFML's documented example
    feed_def = Definition(name="feed", primitive="string")
    dead_def = Definition(name="dead", primitive="string")
    output = Definition(name="output", primitive="string")
    feed_input = Input(value="my favorite value", definition=feed_def)
    face_input = Input(value="face", definition=output, parents=[feed_input])
    dead_input = Input(value="my second favorite value", definition=dead_def)
    beef_input = Input(value="beef", definition=output, parents=[dead_input])
    got = []
    for value in ["feed", "dead"]:
        results = run_sync(
            DataFlow.auto(associate_definition),
            [
                feed_input,
                face_input,
                dead_input,
                beef_input,
                Input(value={value: "output"}, definition=associate_definition.op.inputs["spec"]),
            ],
        )
        got.append(results["0"])
    assert got == [{"feed": "face"}, {"dead": "beef"}]


def test_associate_definition_through_a_flow():
    flow = DataFlow(
        *calc_flow(),
        associate_definition,
        seed=[Input({"calc_string": "result"}, associate_definition.inputs["spec"])],
    )
    results = run_sync(flow, {"x": [Input("add 1 and 2", calc_string)]})
    assert results["x"] == {"calc_string": 3}


def test_group_by_ancestor():
    @op(expand=["word"])
    def word(line: str) -> list[str]:
        return line.split()

    @op
    def length(word: str) -> int:
        return len(word)

    flow = DataFlow(
        word,
        length,
        group_by,
        seed=[Input({"lengths": {"group": "length", "by": "line"}}, group_by.inputs["spec"])],
    )
    results = run_sync(flow, {"c": [{"line": "a bb"}, {"line": "ccc"}]})
    assert results["c"] == {"lengths": {"a bb": [1, 2], "ccc": [3]}}
