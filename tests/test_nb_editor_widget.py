"""FlowEditor's clicks from Python (what the browser's clicks call), positions, and patching the view."""

from __future__ import annotations

import contextlib
import html
import json
from collections.abc import Iterator

import comm
import pytest
from comm.base_comm import BaseComm

from dffml_nb.df import DataFlow, Definition, op

pytest.importorskip("ipycytoscape")

from dffml_nb.nb import FlowEditor  # noqa: E402
from dffml_nb.nb.graph.editor.palette import discover, search  # noqa: E402


def number() -> int:
    return 6


def text() -> str:
    return "six"


def times7(n: int) -> int:
    return n * 7


def pair(a: int, b: int) -> int:
    return a * b


@pytest.fixture
def editor() -> Iterator[FlowEditor]:
    made = FlowEditor(operations=[number, text, times7, pair], namespace={})
    yield made
    made.close()


def press(editor: FlowEditor, name: str) -> None:
    """Click a palette entry's button."""
    editor.palette.buttons[f"given:{name}"].click()


def node_classes(editor: FlowEditor) -> dict[str, list[str]]:
    return {n["id"]: n["classes"].split() for n in editor.graph.view.elements()["nodes"]}


def choice_button(editor: FlowEditor, label: str):
    return next(b for b in editor.choice.buttons.children if b.description == label)


def test_palette_click_adds_and_describes(editor: FlowEditor) -> None:
    press(editor, "times7")
    assert "times7" in editor.flow
    assert "times7(n: int) -> times7: int" in html.unescape(editor.palette.info.value)
    assert editor.message == "added 'times7'"
    names = {n["id"] for n in editor.graph.view.elements()["nodes"]}
    assert names == {"op:times7", "def:n", "def:times7"}


def test_palette_groups_search_and_namespace() -> None:
    @op
    def mine(x: int) -> int:
        """Mine: one line of doc."""
        return x

    flow = DataFlow(mine)
    entries = discover({"mine": mine, "flow": flow, "_hidden": mine}, [number])
    groups = {e.name: e.group for e in entries}
    assert groups["number"] == "given" and groups["mine"] == "notebook"
    assert groups["flow"] == "flows" and groups["get_single"] == "output"
    assert [e.name for e in search(entries, "one line")] == ["mine"]
    mine_entry = next(e for e in entries if e.name == "mine")
    assert mine_entry.summary == "Mine: one line of doc."


def test_click_output_then_operation_connects(editor: FlowEditor) -> None:
    press(editor, "number")
    press(editor, "times7")
    editor.click("def:number")  # the output port
    assert "armed" in node_classes(editor)["def:number"]
    assert "Connecting 'number'" in editor.message
    editor.click("op:times7")
    assert "connected number.number" in editor.message
    assert "armed" not in node_classes(editor).get("def:number", [])
    assert editor.run() == {"0": {"times7": 42}}


def test_click_output_then_input_definition_connects(editor: FlowEditor) -> None:
    press(editor, "number")
    press(editor, "times7")
    editor.click("def:number")
    editor.click("def:n")  # the input port of times7
    assert editor.flow["number"].outputs["number"].name == "n"
    assert editor.run() == {"0": {"times7": 42}}


def test_clicking_the_port_again_cancels(editor: FlowEditor) -> None:
    press(editor, "number")
    editor.click("def:number")
    editor.click("def:number")
    assert editor.message == "Connection cancelled."
    assert len(editor.history) == 2


def test_an_invalid_connection_marks_the_node_and_asks(editor: FlowEditor) -> None:
    press(editor, "text")
    press(editor, "times7")
    editor.click("def:text")
    editor.click("op:times7")
    assert editor.choice.is_open
    question = editor.choice.question.value
    assert "is a str" in question and "expects an int" in question
    assert "types differ" in editor.message
    assert "problem" in node_classes(editor)["op:times7"]
    assert len(editor.history) == 3  # nothing connected yet
    choice_button(editor, "Cancel").click()
    assert not editor.choice.is_open and "problem" not in node_classes(editor)["op:times7"]
    editor.click("def:text")
    editor.click("op:times7")
    choice_button(editor, "Connect anyway").click()
    assert "connected anyway" in editor.message
    assert editor.flow["text"].outputs["text"].name == "n"


def test_an_occupied_parameter_asks_replace_or_add(editor: FlowEditor) -> None:
    press(editor, "number")
    press(editor, "times7")
    editor.connect("number", "times7")
    six = op(number, name="other", outputs={"other": Definition("other", "int")})
    editor.add(six)
    editor.click("def:other")
    editor.click("op:times7")
    assert {b.description for b in editor.choice.buttons.children} == {
        "Replace",
        "Add (run for each)",
        "Cancel",
    }
    choice_button(editor, "Replace").click()
    assert "times7.n now reads 'other'" in editor.message


def test_several_parameters_ask_which(editor: FlowEditor) -> None:
    press(editor, "number")
    press(editor, "pair")
    editor.click("def:number")
    editor.click("op:pair")  # a and b are both open ints: which?
    assert editor.choice.is_open and list(editor.choice.options.options) == ["a", "b"]
    editor.choice.options.value = "b"
    choice_button(editor, "Connect").click()
    assert editor.flow["number"].outputs["number"].name == "b"
    press(editor, "times7")
    editor.click("def:times7")
    editor.click("op:pair")  # now only 'a' is open: no question
    assert not editor.choice.is_open
    assert editor.flow["times7"].outputs["times7"].name == "a"


def test_select_an_edge_and_remove_it(editor: FlowEditor) -> None:
    press(editor, "number")
    press(editor, "times7")
    editor.connect("number", "times7")
    edge = next(e for e in editor.graph.geometry.edges if e.target == "op:times7")
    editor.click_edge(edge.id)
    assert "picked" in next(
        e["classes"] for e in editor.graph.view.elements()["edges"] if e["id"] == edge.id
    )
    editor.remove_button.click()
    assert "disconnected 'number' from 'times7'" in editor.message
    assert editor.flow.producers(editor.flow["times7"].inputs["n"].name) == []


def test_select_an_operation_and_remove_it(editor: FlowEditor) -> None:
    press(editor, "number")
    press(editor, "times7")
    editor.connect("number", "times7")
    editor.click("op:times7")
    assert editor.settings_form.operation == "times7" and editor.side.selected_index == 2
    editor.remove_button.click()
    assert editor.message.startswith("removed 'times7' and its 2 edges")
    assert "times7" not in editor.flow


def test_settings_form_applies(editor: FlowEditor) -> None:
    press(editor, "times7")
    editor.click("op:times7")
    form = editor.settings_form
    form.retry.value = 3
    form.runner.value = "thread"
    form.apply.click()
    assert (editor.flow["times7"].retry, editor.flow["times7"].runner) == (3, "thread")
    form.name.value = "seven"
    form.apply.click()
    assert "seven" in editor.flow


def test_outputs_form(editor: FlowEditor) -> None:
    press(editor, "number")
    press(editor, "times7")
    editor.connect("number", "times7")
    assert editor.outputs.definitions.options == ("n", "times7")
    editor.outputs.kind.value = "get_single"
    editor.outputs.definitions.value = ("times7",)
    editor.outputs.apply.click()
    assert "get_single" in editor.flow
    assert editor.run() == {"0": {"times7": 42}}


def test_seed_form_rows_follow_the_flow(editor: FlowEditor) -> None:
    press(editor, "pair")
    rows = [c for c in editor.seeds.children if hasattr(c, "definition")]
    assert [r.definition.name for r in rows] == ["a", "b"]
    editor.seeds.field("a").field.value = "6"
    editor.seeds.field("b").field.value = "7"
    assert editor.run() == {"0": {"pair": 42}}
    editor.undo()
    assert editor.seeds.field("b").field.value == ""  # the form shows the state


def test_positions_are_kept_across_edits_and_drags(editor: FlowEditor) -> None:
    press(editor, "number")
    press(editor, "times7")
    before = {n["id"]: (n["x"], n["y"]) for n in editor.graph.view.elements()["nodes"]}
    # a drag in the browser ends with mouseup carrying the node's new place
    editor.graph.view._released({"data": {"id": "op:times7"}, "position": {"x": 500.0, "y": 40.0}})
    press(editor, "pair")
    editor.connect("number", "times7")
    after = {n["id"]: (n["x"], n["y"]) for n in editor.graph.view.elements()["nodes"]}
    assert after["op:times7"] == (500.0, 40.0)
    assert after["op:number"] == before["op:number"]
    boxes = [
        (n["x"] - n["w"] / 2, n["y"] - n["h"] / 2, n["x"] + n["w"] / 2, n["y"] + n["h"] / 2)
        for n in editor.graph.view.elements()["nodes"]
    ]
    overlaps = [
        (a, b)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]
    assert not overlaps, f"new nodes were placed over others: {overlaps}"


# -- what an edit sends ---------------------------------------------------------------------------


class CountingComm(BaseComm):
    """A comm that counts the messages a widget sends (and their size)."""

    sent: list[int] = []

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        CountingComm.sent.append(len(json.dumps(data, default=str)))


@contextlib.contextmanager
def counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    CountingComm.sent = []
    monkeypatch.setattr(comm, "create_comm", lambda *a, **k: CountingComm(*a, **k))
    yield CountingComm.sent


def chain(length: int) -> DataFlow:
    ops = [
        op(
            lambda x: x,
            name="s0",
            inputs={"x": Definition("v0", "int")},
            outputs={"y": Definition("v1", "int")},
        )
    ]
    for i in range(1, length):
        ops.append(
            op(
                lambda x: x + 1,
                name=f"s{i}",
                inputs={"x": Definition(f"v{i}", "int")},
                outputs={"y": Definition(f"v{i + 1}", "int")},
            )
        )
    return DataFlow(*ops)


def test_an_edit_sends_a_patch_not_a_redraw(monkeypatch: pytest.MonkeyPatch) -> None:
    with counting(monkeypatch) as sent:
        editor = FlowEditor(chain(40), namespace={}, registered=False)
        view = editor.graph.view
        node_widgets = dict(view._nodes)
        edge_widgets = {e.data["id"]: e for e in view._edges}
        sent.clear()
        editor.add(op(lambda y: y, name="tail", inputs={"y": Definition("v40", "int")}))
        messages = len(sent)
    # every node and edge already shown keeps its widget
    assert all(view._nodes[k] is w for k, w in node_widgets.items())
    assert all({e.data["id"]: e for e in view._edges}[k] is w for k, w in edge_widgets.items())
    # a redraw of 81 nodes and 80 edges would open 160+ comms; a patch is a few dozen messages
    assert messages < 40, f"{messages} widget messages for one added operation"
    editor.close()


def test_ctrl_z_undoes_and_ctrl_shift_z_redoes(editor: FlowEditor) -> None:
    pytest.importorskip("ipyevents")
    assert editor._keys is not None and editor._keys.source is editor.graph  # only the canvas
    press(editor, "times7")
    press(editor, "number")
    assert "times7" in editor.flow and "number" in editor.flow
    editor.key_pressed({"key": "z", "ctrlKey": True, "shiftKey": False})
    assert "number" not in editor.flow and editor.message.startswith("undone: ")
    editor.key_pressed({"key": "Z", "ctrlKey": True, "shiftKey": True})
    assert "number" in editor.flow and editor.message.startswith("redone: ")
    editor.key_pressed({"key": "z", "metaKey": True})  # Cmd-Z on macOS
    assert "number" not in editor.flow
    editor.key_pressed({"key": "z"})  # a plain z is typing, not a command
    editor.key_pressed({"key": "y", "ctrlKey": True})
    assert "times7" in editor.flow and "number" not in editor.flow
