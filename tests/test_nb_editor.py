"""FlowEditor from Python: building DFFML's calculator, undo / redo, export round trips, bad input."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest
import yaml

from dffml_nb.df import DataFlow, DataFlowError, Definition, OperationError, op, run_sync
from dffml_nb.examples import calc
from dffml_nb.nb.graph.editor import model
from dffml_nb.nb.graph.editor.model import (
    AmbiguousConnection,
    EditError,
    IncompatibleConnection,
    OccupiedParameter,
)

pytest.importorskip("ipycytoscape")

from dffml_nb.nb import FlowEditor  # noqa: E402

CALC_LINES = ["add 40 and 2", "multiply 6 and 7"]

# DFFML's calculator functions, each with definitions of its own: nothing links by
# name, so the flow is only what connect() makes of it
parse_line = op(
    calc.parse_line.func,
    inputs={"line": Definition("calc_string", "str")},
    outputs={
        "add": Definition("add_flag", "bool"),
        "mult": Definition("mult_flag", "bool"),
        "numbers": Definition("parsed", "list"),
    },
)
add = op(
    calc.add.func,
    inputs={"numbers": Definition("to_add", "list")},
    outputs={"sum": Definition("result", "int")},
    conditions=[Definition("do_add", "bool")],
)
mult = op(
    calc.mult.func,
    inputs={"numbers": Definition("factors", "list")},
    outputs={"product": Definition("result", "int")},
    conditions=[Definition("do_mult", "bool")],
)


def answers(flow: DataFlow, lines=CALC_LINES) -> list:
    """The calculator's results for each line, run in a context of its own."""
    results = run_sync(flow, [{"calc_string": line} for line in lines])
    return [results[str(i)] for i in range(len(lines))]


def build_calc(editor: FlowEditor) -> None:
    """DFFML's calculator, from an empty editor, with the Python API only."""
    for operation in (parse_line, add, mult):
        editor.add(operation)
    assert editor.flow.flow_inputs.keys() == {
        "calc_string",
        "to_add",
        "factors",
        "do_add",
        "do_mult",
    }, "nothing may be linked before connect"
    editor.connect("parse_line", "add", "numbers", output="numbers")
    editor.connect("parse_line", "mult", "numbers", output="numbers")
    editor.connect("parse_line", "add", "do_add", output="add")
    editor.connect("parse_line", "mult", "do_mult", output="mult")
    editor.set_outputs(["result"], "get_single")


@pytest.fixture
def editor() -> FlowEditor:
    made = FlowEditor(namespace={})
    yield made
    made.close()


def test_calculator_from_an_empty_editor_runs_to_42(editor: FlowEditor) -> None:
    assert len(editor.flow) == 0 and editor.run_blockers == [
        "the flow is empty: add an operation from the palette"
    ]
    build_calc(editor)
    assert editor.problems == []
    assert editor.flow.flow_inputs.keys() == {"calc_string", "get_single_spec"}
    assert editor.run_blockers == ["input 'calc_string' (str) has no value: fill it in"]
    assert editor.run_button.disabled and "calc_string" in editor.run_reason.value
    editor.seed("calc_string", "add 40 and 2")
    assert not editor.run_button.disabled and editor.run_reason.value == ""
    assert editor.run() == {"0": {"result": 42}}
    assert editor.graph.status == {
        "parse_line": "done",
        "add": "done",
        "mult": "idle",
        "get_single": "done",
    }
    assert "42" in editor.results_panel.value
    # a node click shows its last inputs and outputs (as the events' short reprs)
    assert editor.select("add")["last_outputs"] == {"sum": "42"}
    assert editor.select("add")["last_inputs"] == {"numbers": "[40, 2]"}
    # the same answers as DFFML's own calculator flow
    assert answers(editor.flow) == answers(calc.calc_flow()) == [{"result": 42}] * 2
    # run inputs win over nothing: a flat {definition: value} is one context
    assert editor.run({"calc_string": "multiply 6 and 7"}) == {"0": {"result": 42}}


def test_undo_to_empty_and_redo_to_the_whole_flow(editor: FlowEditor) -> None:
    build_calc(editor)
    editor.seed("calc_string", "multiply 6 and 7")
    whole = editor.export("json")
    steps = 0
    while editor.history.can_undo:
        editor.undo()
        steps += 1
    assert steps == 9  # 3 adds, 4 connects, outputs, the seed
    assert len(editor.flow) == 0 and editor.graph.view.elements()["nodes"] == []
    assert editor.undo_button.disabled and not editor.redo_button.disabled
    with pytest.raises(EditError, match="nothing to undo"):
        editor.undo()
    for _ in range(steps):
        editor.redo()
    assert editor.export("json") == whole
    assert editor.run() == {"0": {"result": 42}}
    assert editor.redo_button.disabled
    # a new edit after an undo drops what could be redone
    editor.undo()
    editor.seed("calc_string", "add 1 and 2")
    assert not editor.history.can_redo
    assert editor.run() == {"0": {"result": 3}}


@pytest.mark.parametrize("fmt", ["json", "yaml", "python"])
def test_export_reload_runs_the_same(editor: FlowEditor, fmt: str, tmp_path: Path) -> None:
    build_calc(editor)
    text = editor.export(fmt)
    if fmt == "json":
        again = DataFlow.from_dict(json.loads(text))
    elif fmt == "yaml":
        again = DataFlow.from_dict(yaml.safe_load(text))
    else:
        namespace: dict = {}
        exec(compile(text, "exported.py", "exec"), namespace)
        again = namespace["flow"]
    assert answers(again) == answers(editor.flow) == [{"result": 42}] * 2
    # and into an editor again, from a file
    path = tmp_path / ("flow.py" if fmt == "python" else f"flow.{fmt}")
    editor.save(path)
    assert path.read_text() == text
    if fmt != "python":
        other = FlowEditor(namespace={})
        other.load(path)
        assert answers(other.flow) == [{"result": 42}] * 2
        assert other.export(fmt) == text
        other.close()


def test_mermaid_export(editor: FlowEditor) -> None:
    build_calc(editor)
    text = editor.export("mermaid")
    assert text.startswith("flowchart")
    assert all(name in text for name in ("parse_line", "add", "mult", "get_single"))


def test_python_export_copies_notebook_functions(tmp_path: Path) -> None:
    """A function defined in the notebook (module __main__) is copied, not imported."""
    source = "def twice(x: int) -> int:\n    return 2 * x\n"
    path = tmp_path / "cell.py"
    path.write_text(source)
    namespace: dict = {"__name__": "__main__"}
    exec(compile(source, str(path), "exec"), namespace)
    editor = FlowEditor(namespace={})
    editor.add(namespace["twice"])
    editor.seed("x", "21")
    text = editor.export("python")
    assert "def twice(x: int) -> int:" in text and "import twice" not in text
    ran: dict = {}
    exec(compile(text, "exported.py", "exec"), ran)
    assert run_sync(ran["flow"], [{}]) == {"0": {"twice": 42}}
    editor.close()


# -- connections ----------------------------------------------------------------------------------


def words(x: int) -> str:
    return str(x)


def square(n: int) -> int:
    return n * n


def one() -> int:
    return 1


def two() -> int:
    return 2


def cube(m: int) -> int:
    return m * m * m


def test_connect_gives_the_output_the_parameters_definition(editor: FlowEditor) -> None:
    editor.add(one)
    editor.add(square)
    note = editor.connect("one", "square")
    assert editor.flow["one"].outputs["one"].name == "n"
    assert "one.one now produces 'n'" in note
    assert editor.run() == {"0": {"square": 1}}


def test_connect_keeps_existing_links_when_the_output_already_feeds_others(
    editor: FlowEditor,
) -> None:
    editor.add(one)
    editor.add(square)
    editor.connect("one", "square")
    editor.add(cube)
    note = editor.connect("one", "cube")
    assert "cube.m now reads 'n'" in note
    assert editor.run() == {"0": {"square": 1, "cube": 1}}


def test_incompatible_types_are_refused_naming_both_unless_forced(editor: FlowEditor) -> None:
    editor.add(words)
    editor.add(square)
    before = editor.state
    with pytest.raises(IncompatibleConnection) as caught:
        editor.connect("words", "square")
    assert "(str)" in str(caught.value) and "expects int" in str(caught.value)
    assert (caught.value.source_type, caught.value.target_type) == ("str", "int")
    assert editor.state is before
    note = editor.connect("words", "square", force=True)
    assert "connected anyway" in note
    assert editor.problems == []


def test_a_parameter_with_a_source_asks_replace_or_add(editor: FlowEditor) -> None:
    for item in (one, two, square):
        editor.add(item)
    editor.connect("one", "square")
    with pytest.raises(OccupiedParameter) as caught:
        editor.connect("two", "square")
    message = str(caught.value)
    assert "already receives 'n' from 'one'" in message
    assert "mode='replace'" in message and "mode='add'" in message
    assert caught.value.sources == ["one"]
    editor.connect("two", "square", mode="add")
    assert sorted(editor.run()["0"]["square"]) == [1, 4]  # ran for each value
    assert editor.graph.counts["square"]["finished"] == 2
    editor.undo()
    editor.connect("two", "square", mode="replace")
    assert editor.run() == {"0": {"n": 1, "square": 4}}  # one's output is a leaf now
    assert editor.graph.counts["square"]["finished"] == 1


def test_ambiguous_and_unknown_names_are_explained(editor: FlowEditor) -> None:
    editor.add(parse_line)
    editor.add(square)
    with pytest.raises(AmbiguousConnection, match="has 3 outputs") as caught:
        editor.connect("parse_line", "square")
    assert caught.value.choices == ["add", "mult", "numbers"]
    with pytest.raises(EditError, match="has no output 'nope'; outputs: add"):
        editor.connect("parse_line", "square", output="nope")
    with pytest.raises(EditError, match="no parameter 'k'; parameters: n: int"):
        editor.connect("parse_line", "square", "k", output="numbers")
    with pytest.raises(
        EditError, match="no operation 'ghost' in this flow; operations: parse_line, square"
    ):
        editor.connect("ghost", "square")
    with pytest.raises(EditError, match="to itself"):
        editor.connect("square", "square")


def test_disconnect_makes_the_parameter_a_flow_input(editor: FlowEditor) -> None:
    editor.add(one)
    editor.add(square)
    editor.connect("one", "square")
    note = editor.disconnect("one", "square")
    assert "now the flow input" in note
    assert "n" in editor.flow.flow_inputs or any(n.startswith("n") for n in editor.flow.flow_inputs)
    assert editor.flow.producers(editor.flow["square"].inputs["n"].name) == []
    with pytest.raises(EditError, match="'one' does not feed 'square'"):
        editor.disconnect("one", "square")


def test_remove_says_which_links_went(editor: FlowEditor) -> None:
    build_calc(editor)
    note = editor.remove("parse_line")
    assert note.startswith("removed 'parse_line' and its 4 edges")
    assert "parse_line.numbers → add.numbers" in note
    assert "add now needs 'to_add' as an input" in note
    assert "parse_line" not in editor.flow
    assert not any("parse_line" in e["id"] for e in editor.graph.view.elements()["edges"])
    editor.undo()
    assert "parse_line" in editor.flow


def test_adding_a_name_twice_makes_it_unique(editor: FlowEditor) -> None:
    assert editor.add(square) == "square"
    assert editor.add(square) == "square_2"
    assert "'square' was taken" in editor.message


def test_add_by_registered_name_and_unknown_name(editor: FlowEditor) -> None:
    assert editor.add("get_single") == "get_single"
    with pytest.raises(
        EditError, match="no operation 'nonesuch' to add .*the palette has: .*get_single"
    ):
        editor.add("nonesuch")


# -- values, problems, runs ---------------------------------------------------------------------------


def test_a_seed_that_does_not_parse_names_the_definition_and_changes_nothing(
    editor: FlowEditor,
) -> None:
    editor.add(square)
    before = editor.state
    with pytest.raises(EditError, match="'abc' is not a valid int for definition 'n'"):
        editor.seed("n", "abc")
    assert editor.state is before
    # the form marks the field instead
    field = editor.seeds.field("n")
    field.field.value = "abc"
    assert "dffml-bad" in field.field._dom_classes
    assert "not a valid int" in field.status.value
    assert editor.run_button.disabled
    field.field.value = "7"
    assert "dffml-bad" not in field.field._dom_classes and field.status.value == ""
    assert editor.run() == {"0": {"square": 49}}
    with pytest.raises(EditError, match="no definition 'm' in this flow; definitions: n, square"):
        editor.seed("m", 1)


def test_problems_are_marked_on_their_nodes(editor: FlowEditor) -> None:
    editor.add(square)
    clash = op(lambda n: n, name="echo", inputs={"n": Definition("n", "str")})
    editor.add(clash)
    assert editor.problems and "definition 'n' is used with 2 primitives" in editor.problems[0]
    classes = {n["id"]: n["classes"] for n in editor.graph.view.elements()["nodes"]}
    assert "problem" in classes["def:n"].split()
    assert "problem" in classes["op:square"].split() and "problem" in classes["op:echo"].split()
    assert editor.run_button.disabled and "primitives" in editor.run_reason.value
    assert "primitives" in editor.problems_panel.value
    with pytest.raises(DataFlowError, match="cannot run"):
        editor.run()
    editor.undo()
    classes = {n["id"]: n["classes"] for n in editor.graph.view.elements()["nodes"]}
    assert "problem" not in classes["op:square"].split()
    assert "missing" in classes["def:n"].split()  # no value yet


def fails(n: int) -> int:
    raise ZeroDivisionError("no")


def test_a_failed_run_loses_nothing(editor: FlowEditor) -> None:
    editor.add(fails)
    editor.seed("n", 1)
    state, steps = editor.state, len(editor.history)
    with pytest.raises(OperationError, match="'fails' failed"):
        editor.run()
    assert editor.state is state and len(editor.history) == steps
    assert editor.graph.status == {"fails": "failed"}
    assert "failed" in editor.results_panel.value
    editor.run_button.click()  # the button says it in the message, no traceback
    assert editor.message_kind == "error" and "The run failed" in editor.message


def test_a_bad_file_changes_nothing(editor: FlowEditor, tmp_path: Path) -> None:
    build_calc(editor)
    state = editor.state
    bad = tmp_path / "bad.json"
    bad.write_text('{"operations": {,}}')
    with pytest.raises(DataFlowError, match=r"bad\.json:1:17"):
        editor.load(bad)
    assert editor.state is state
    editor.path.value = str(bad)
    editor.load_button.click()
    assert editor.message_kind == "error" and "bad.json" in editor.message
    assert editor.state is state
    with pytest.raises(EditError, match="unknown suffix '.txt'"):
        editor.save(tmp_path / "flow.txt")


def test_save_is_atomic(
    editor: FlowEditor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_calc(editor)
    path = tmp_path / "flow.json"
    path.write_text("old")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        editor.save(path)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["flow.json"]  # no temporary file left
    monkeypatch.undo()
    editor.save(path)
    assert json.loads(path.read_text())["operations"].keys() == {
        "parse_line",
        "add",
        "mult",
        "get_single",
    }


def test_settings_and_rename(editor: FlowEditor) -> None:
    editor.add(square)
    editor.settings("square", retry=2, runner="thread")
    assert (editor.flow["square"].retry, editor.flow["square"].runner) == (2, "thread")
    with pytest.raises(EditError, match="stage must be one of"):
        editor.settings("square", stage="later")
    with pytest.raises(EditError, match="unknown setting colour"):
        editor.settings("square", colour="red")
    position = editor.graph.positions["op:square"]
    editor.rename("square", "sq")
    assert "sq" in editor.flow and editor.graph.positions["op:sq"] == position
    editor.seed("n", 3)
    assert editor.run() == {"0": {"square": 9}}


def test_to_cell_without_a_notebook_returns_the_text(editor: FlowEditor, monkeypatch) -> None:
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    build_calc(editor)
    cell = editor.to_cell("calc")
    assert not cell.placed and cell.kind == "python"
    assert "no notebook" in editor.message
    namespace: dict = {}
    exec(compile(cell, "cell.py", "exec"), namespace)
    assert answers(namespace["calc"]) == [{"result": 42}] * 2


def test_model_is_pure() -> None:
    """The state and its edits need no widget: a History is enough."""
    history = model.History()
    state, name = model.add(history.current, square)
    history.push(state)
    history.push(model.seed(history.current, "n", "5"))
    assert run_sync(history.current.flow, [{}]) == {"0": {"square": 25}}
    history.undo()
    assert model.missing_inputs(history.current.flow) == ["n"]


def test_to_cell_in_a_shell_places_a_dffml_flow_cell_that_makes_the_same_flow() -> None:
    """Notebook functions wired by their own names: the cell is `%%dffml flow`, and running it
    in the shell gives a flow that runs the same."""
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    start_ipython()
    shell = get_ipython()
    shell.run_line_magic("load_ext", "dffml_nb")
    shell.run_cell(
        "def add(a: int, b: int) -> int:\n    return a + b\n\n"
        "def double(add: int) -> int:\n    return add * 2\n"
    )
    editor = FlowEditor(namespace={})
    editor.add(shell.user_ns["add"])
    editor.add(shell.user_ns["double"])
    shell.rl_next_input = None
    cell = editor.to_cell("edited")
    assert cell.placed and cell.kind == "magic"
    # (a kernel's shell sends it to the front end as a set_next_input payload)
    assert shell.rl_next_input == cell and cell.startswith("%%dffml flow edited\n")
    result = shell.run_cell(cell)
    assert result.success, result.error_in_exec
    made = shell.user_ns["edited"]
    inputs = {"0": {"a": 1, "b": 2}}
    assert run_sync(made, inputs) == run_sync(editor.flow, inputs) == {"0": {"double": 6}}
    # with a seed the magic cannot say it all: a Python cell instead, which runs the same
    editor.seed("a", 20)
    editor.seed("b", 1)
    cell = editor.to_cell("seeded")
    assert cell.kind == "python"
    assert shell.run_cell(cell).success
    assert run_sync(shell.user_ns["seeded"], [{}]) == {"0": {"double": 42}}
    editor.close()


def test_load_a_notebook_flow_by_name_and_undo_the_load() -> None:
    editor = FlowEditor(namespace={"calc": calc.calc_flow()})
    editor.add(square)
    note = editor.load("calc")
    assert note == "loaded flow 'calc': 4 operation(s)"
    editor.seed("calc_string", "multiply 6 and 7")
    assert editor.run() == {"0": {"result": 42}}
    editor.undo()
    editor.undo()
    assert [o.name for o in editor.flow] == ["square"]
    with pytest.raises(EditError, match="name a flow to load"):
        editor.load("  ")
    editor.close()


def test_a_trained_model_in_the_notebook_is_a_palette_operation(tmp_path: Path) -> None:
    from dffml_nb import train
    from dffml_nb.model import Model

    model = Model.load("scikitlr")(
        features=["Years:int:1"], predict="Salary:float:1", location=str(tmp_path / "model")
    )
    train(model, [{"Years": y, "Salary": 10.0 * y + 10} for y in range(5)])
    untrained = Model.load("scikitlr")()  # no features yet: listed, not addable
    editor = FlowEditor(namespace={"salary": model, "blank": untrained})
    groups = {e.name: (e.group, e.unavailable) for e in editor.entries}
    assert groups["salary"] == ("models", "")
    assert groups["blank"][0] == "models" and "not usable as an operation yet" in groups["blank"][1]
    assert editor.palette.buttons["models:blank"].disabled
    editor.palette.buttons["models:salary"].click()
    assert "salary" in editor.flow
    editor.seed("Years", 7)
    assert editor.run()["0"]["Salary"] == pytest.approx(80.0)
    editor.close()


def test_records_mode_runs_over_a_dataframe_and_a_csv(tmp_path: Path) -> None:
    import pandas as pd

    frame = pd.DataFrame({"n": [1, 2, 3], "note": ["a", "b", "c"]}, index=["x", "y", "z"])
    csv = tmp_path / "numbers.csv"
    csv.write_text("key,n\nr1,4\nr2,5\n")
    editor = FlowEditor(namespace={"frame": frame})
    editor.add(square)
    assert editor.run_blockers == ["input 'n' (int) has no value: fill it in"]
    editor.use_data("frame:frame")
    assert editor.data is frame and editor.run_blockers == []
    assert "from a column of the data" in editor.seeds.field("n").status.value
    classes = {n["id"]: n["classes"].split() for n in editor.graph.view.elements()["nodes"]}
    assert "missing" not in classes["def:n"]  # the column gives it
    result = editor.run_records()
    assert result["square"].tolist() == [1, 4, 9] and list(result.index) == ["x", "y", "z"]
    assert list(frame.columns) == ["n", "note"]  # the notebook's frame is not changed
    assert editor.graph.counts["square"]["finished"] == 3
    editor.use_data(str(csv))
    assert editor.run_records()["square"].tolist() == [16, 25]
    editor.use_data(None)
    assert editor.run_blockers == ["input 'n' (int) has no value: fill it in"]
    with pytest.raises(EditError, match="no such data file"):
        editor.use_data(str(tmp_path / "missing.csv"))
    editor.close()


def test_loading_a_file_follows_the_trust_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file naming a module not yet imported loads only with trust (the box in the toolbar)."""
    import sys

    (tmp_path / "editor_trust_module.py").write_text(
        "def tripled(x: int) -> int:\n    return 3 * x\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "editor_trust_module", raising=False)
    path = tmp_path / "flow.json"
    path.write_text(
        json.dumps(
            {
                "definitions": {"x": {"primitive": "int"}, "tripled": {"primitive": "int"}},
                "operations": {
                    "tripled": {
                        "func": "editor_trust_module:tripled",
                        "inputs": {"x": "x"},
                        "outputs": {"tripled": "tripled"},
                    }
                },
                "seed": [{"value": 14, "definition": "x"}],
            }
        )
    )
    editor = FlowEditor(namespace={})
    editor.path.value = str(path)
    editor.load_button.click()
    assert editor.message_kind == "error" and "trust" in editor.message
    assert "editor_trust_module" not in sys.modules and len(editor.flow) == 0
    editor.trust.value = True
    editor.load_button.click()
    assert editor.message.startswith("loaded"), editor.message
    assert editor.run() == {"0": {"tripled": 42}}
    editor.close()


@dataclasses.dataclass
class Scale:
    factor: int


@op(config=Scale)
def scaled(x: int, config: Scale) -> int:
    return x * config.factor


def test_operation_configuration_is_set_kept_and_exported(tmp_path: Path) -> None:
    editor = FlowEditor(namespace={})
    editor.add(scaled)
    editor.seed("x", 6)
    assert any("needs config field 'factor'" in p for p in editor.problems)
    assert (
        "problem"
        in {n["id"]: n["classes"] for n in editor.graph.view.elements()["nodes"]}[
            "op:scaled"
        ].split()
    )
    with pytest.raises(EditError, match="Scale has no field 'size'; its fields: factor"):
        editor.configure("scaled", size=2)
    # the side panel's field, as a person types it
    editor.click("op:scaled")
    form = editor.settings_form
    assert list(form.config_fields) == ["factor"]
    form.config_fields["factor"].value = "7"
    form.apply.click()
    assert editor.flow.configs == {"scaled": {"factor": 7}} and editor.problems == []
    assert editor.run() == {"0": {"scaled": 42}}
    # kept by renames, exports and files; a load brings them back
    editor.rename("scaled", "times")
    assert editor.flow.configs == {"times": {"factor": 7}}
    namespace: dict = {}
    exec(compile(editor.export("python"), "exported.py", "exec"), namespace)
    assert run_sync(namespace["flow"], [{}]) == {"0": {"scaled": 42}}
    editor.save(tmp_path / "flow.json")
    other = FlowEditor(namespace={})
    other.load(tmp_path / "flow.json")
    assert other.flow.configs == {"times": {"factor": 7}} and other.run() == editor.run()
    editor.undo()  # the rename
    editor.undo()  # the configuration
    assert editor.flow.configs == {} and editor.problems
    editor.close()
    other.close()
