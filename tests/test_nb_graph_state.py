"""The graph's run-state bookkeeping (``nb/graph/state.py``): pure Python, no widget."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from dffml_nb.df import DataFlow, Input, OperationError, op, run_sync
from dffml_nb.df.types import Definition
from dffml_nb.nb.graph.state import RunState, context_total


def add(a: int, b: int) -> int:
    return a + b


def double(add: int) -> int:
    return add * 2


def halve(add: int) -> int:
    if add == 3:
        raise ValueError("three is odd")
    return add // 2


FLOW = DataFlow(add, double)


def test_absorb_counts_a_run_by_operation_and_context():
    state = RunState(FLOW)
    assert state.idle and state.status() == {"add": "idle", "double": "idle"}
    run_sync(FLOW, [{"a": i, "b": 1} for i in range(250)], on_events=state.absorb)
    state.settle()
    assert state.status() == {"add": "done", "double": "done"}
    assert state.counts() == {
        "add": {"started": 250, "finished": 250, "failed": 0},
        "double": {"started": 250, "finished": 250, "failed": 0},
    }
    assert (state.contexts_started, state.contexts_finished) == (250, 250)
    assert state.elapsed() is not None and not state.idle


def test_details_come_from_the_newest_events():
    state = RunState(FLOW)
    run_sync(FLOW, {"first": {"a": 1, "b": 2}}, on_events=state.absorb)
    run_sync(FLOW, {"second": {"a": 5, "b": 6}}, on_events=state.absorb)
    details = state.op_details("double")
    assert details["last_context"] == "second"
    assert details["last_inputs"] == {"add": "11"} and details["last_outputs"] == {"double": "22"}
    assert details["counts"] == {"started": 2, "finished": 2, "failed": 0}
    assert state.def_details("add", "intermediate")["last_value"] == "11"
    assert state.def_details("a", "input")["last_value"] == "5"  # read by its consumer


def test_failures_are_counted_by_context_and_explained():
    flow = DataFlow(add, halve)
    state = RunState(flow)
    inputs = {"ok": {"a": 1, "b": 1}, "bad": {"a": 1, "b": 2}}
    run_sync(flow, inputs, on_events=state.absorb, strict=False)
    state.settle()
    assert state.status()["halve"] == "failed"
    assert state.failed_contexts == {"bad"} and state.contexts_failed == 1
    assert state.op_details("halve")["error"] == "ValueError: three is odd"
    state.reset()
    assert state.idle and state.status()["halve"] == "idle"
    with pytest.raises(OperationError):
        run_sync(flow, inputs, on_events=state.absorb)


def test_bookkeeping_needs_no_widget_library():
    code = textwrap.dedent(
        """
        import sys
        from dffml_nb.df import DataFlow, run_sync
        from dffml_nb.nb.graph.state import RunState

        def inc(x: int) -> int:
            return x + 1

        flow = DataFlow(inc)
        state = RunState(flow)
        run_sync(flow, [{"x": 1}, {"x": 2}], on_events=state.absorb)
        assert state.counts()["inc"]["finished"] == 2, state.counts()
        heavy = [m for m in ("ipywidgets", "ipycytoscape", "IPython") if m in sys.modules]
        assert not heavy, heavy
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


X = Definition("x", int)


@op(inputs={"x": X})
def show(x: int) -> int:
    return x


CASES = [
    {"a": Input(1, X), "b": Input(2, X)},  # two contexts of one Input each
    [Input(1, X), Input(2, X)],  # one context of two Inputs (DFFML style)
    {"a": {"x": 1}, "b": [Input(2, X)]},
    {"x": 1},  # one context given bare
    [{"x": 1}, {"x": 2}, {"x": 3}],
    Input(4, X),
    None,
]


@pytest.mark.parametrize("inputs", CASES, ids=range(len(CASES)))
def test_context_total_agrees_with_the_executor(inputs):
    flow = DataFlow(show, seed=[Input(0, X)]) if inputs is None else DataFlow(show)
    assert context_total(inputs) == len(run_sync(flow, inputs))
