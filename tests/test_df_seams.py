"""The executor's seams: stages are an enum, the raw event layout lives in events.py alone."""

from __future__ import annotations

import ast
import importlib
import inspect

from dffml_nb.df import DataFlow, EventBatch, get_single, op
from dffml_nb.df.events import KINDS
from dffml_nb.df.plan import Stage, plan_of

# (``dffml_nb.df.events`` the attribute is the events() function: import the modules by name)
events_module = importlib.import_module("dffml_nb.df.events")
executor = importlib.import_module("dffml_nb.df.executor")


def test_stages_are_an_int_enum_in_order():
    @op(stage="cleanup")
    def tidy(x: int) -> None:
        return None

    plans = {p.name: p for p in plan_of(DataFlow(tidy, get_single)).ops}
    assert plans["tidy"].stage is Stage.CLEANUP and plans["get_single"].stage is Stage.OUTPUT
    assert Stage.PROCESSING < Stage.CLEANUP < Stage.OUTPUT < Stage.SETTLED < Stage.FINISHED


def test_only_events_py_spells_the_raw_record():
    """The executor records events through events.py's constructors, never by literal."""
    tree = ast.parse(inspect.getsource(executor))
    literals = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert not literals & {*KINDS, "operation_ran"}


def test_raw_records_build_the_events_they_stand_for():
    @op
    def double(x: int) -> int:
        return x * 2

    plan = plan_of(DataFlow(double)).ops[0]
    from dffml_nb.df import Input

    args = (Input(2, double.inputs["x"]),)
    batch = EventBatch(
        [
            events_module.context_started("c"),
            events_module.operation_ran("c", plan, 0.5, args, 4),
            events_module.context_finished("c", {"double": 4}),
        ]
    )
    assert [e.kind for e in batch] == [
        "context_started",
        "operation_started",
        "operation_finished",
        "context_finished",
    ]
    assert batch[1].inputs == {"x": "2"} and batch[2].outputs == {"double": "4"}
    assert batch[2].duration == 0.5 and batch[3].results == {"double": 4}
    assert batch.tally()[("operation_finished", "double")] == 1


def test_dataflow_operations_keyword_names_each_operation_as_dffml_does():
    @op
    def double(x: int) -> int:
        return x * 2

    flow = DataFlow(operations={"twice": double, "again": double})
    assert [o.name for o in flow] == ["twice", "again"] and double.name == "double"
    assert DataFlow(double, operations={"double": double}).validate() == [
        "operation name 'double' is used by 2 operations; names must be unique"
    ]
