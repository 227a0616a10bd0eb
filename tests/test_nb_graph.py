"""DataFlowGraph: nodes, edges, layout, live state, throttling, details, update_flow."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from dffml_nb.df import DataFlow, Definition, OperationError, op, run, run_sync
from dffml_nb.nb.graph.layout import flow_layout, layered_positions

pytest.importorskip("ipycytoscape")

from dffml_nb.nb.graph.live import DataFlowGraph  # noqa: E402


def add(a: int, b: int) -> int:
    return a + b


def double(add: int) -> int:
    return add * 2


def total(double: int, add: int) -> int:
    return double + add


def boom(add: int) -> int:
    raise ValueError(f"no thanks: {add}")


def after_boom(boom: int) -> int:
    return boom


@op(
    inputs={"x": Definition("value", int)},
    outputs={"y": Definition("scaled", int)},
    conditions=[Definition("go", bool)],
)
def scale(x: int) -> int:
    return x * 10


def f1(x: int) -> int:
    return x + 1


def f2(f1: int) -> int:
    return f1 * 2


def f3(f2: int) -> int:
    return f2 - 3


CALC = DataFlow(add, double, total)
CHAIN = DataFlow(f1, f2, f3)


def nodes_by_id(graph: DataFlowGraph) -> dict[str, dict]:
    return {n["id"]: n for n in graph.view.elements()["nodes"]}


# -- structure and layout --------------------------------------------------------------


def test_nodes_and_edges_of_a_flow():
    graph = DataFlowGraph(CALC)
    nodes = nodes_by_id(graph)
    assert set(nodes) == {
        "op:add",
        "op:double",
        "op:total",
        "def:a",
        "def:b",
        "def:add",
        "def:double",
        "def:total",
    }
    assert nodes["op:add"]["kind"] == "operation" and "operation" in nodes["op:add"]["classes"]
    assert nodes["def:a"]["kind"] == "definition"
    # flow inputs and leaves are marked
    assert nodes["def:a"]["classes"] == "definition def-input"
    assert nodes["def:total"]["classes"] == "definition def-leaf"
    assert nodes["def:add"]["classes"] == "definition def-intermediate"
    assert nodes["op:add"]["classes"] == "operation op-idle"
    assert nodes["def:a"]["label"] == "a: int"
    edges = {(e["source"], e["target"]) for e in graph.view.elements()["edges"]}
    assert edges == {
        ("def:a", "op:add"),
        ("def:b", "op:add"),
        ("op:add", "def:add"),
        ("def:add", "op:double"),
        ("op:double", "def:double"),
        ("def:double", "op:total"),
        ("def:add", "op:total"),
        ("op:total", "def:total"),
    }


def test_layout_is_layered_left_to_right():
    graph = DataFlowGraph(CALC)
    nodes = nodes_by_id(graph)
    for edge in graph.view.elements()["edges"]:
        assert nodes[edge["source"]]["x"] < nodes[edge["target"]]["x"], edge
    # same layer, same column; no two nodes overlap within a column
    columns: dict[float, list[dict]] = {}
    for node in nodes.values():
        columns.setdefault(round(node["x"], 3), []).append(node)
    for column in columns.values():
        column.sort(key=lambda n: n["y"])
        for upper, lower in zip(column, column[1:]):
            assert upper["y"] + upper["h"] / 2 <= lower["y"] - lower["h"] / 2
    # flow inputs sit in the first column, just before the operation that reads them
    assert nodes["def:a"]["x"] == nodes["def:b"]["x"] < nodes["op:add"]["x"]


def test_edge_labels_and_condition_edges():
    flow = DataFlow(scale)
    layout = flow_layout(flow)
    by_target = {(e.source, e.target): e for e in layout.edges}
    assert by_target[("def:value", "op:scale")].label == "x"  # parameter differs from definition
    assert by_target[("op:scale", "def:scaled")].label == "y"
    assert by_target[("def:go", "op:scale")].kind == "condition"
    graph = DataFlowGraph(flow)
    classes = {(e["source"], e["target"]): e["classes"] for e in graph.view.elements()["edges"]}
    assert classes[("def:go", "op:scale")] == "condition"
    # an edge whose parameter has the definition's name carries no label
    assert all(e.label == "" for e in flow_layout(CALC).edges)


def test_long_edges_get_bend_points_and_layout_reduces_crossings():
    layout = flow_layout(CALC)
    long_edge = next(e for e in layout.edges if (e.source, e.target) == ("def:add", "op:total"))
    assert len(long_edge.points) == 2  # it crosses the op:double and def:double columns
    # K(2,2) drawn with a twist in the given order: ordering must untangle it
    nodes = ["a", "b", "c", "d", "e", "f"]
    edges = [("a", "d"), ("b", "c"), ("c", "e"), ("d", "f")]
    placed = layered_positions(nodes, edges).nodes
    (ya, yb), (yc, yd) = (placed["a"][1], placed["b"][1]), (placed["c"][1], placed["d"][1])
    assert (ya < yb) == (yd < yc)  # a-d and b-c do not cross


def test_cycles_and_disconnected_nodes_are_laid_out():
    placed = layered_positions(
        ["a", "b", "c", "lonely"], [("a", "b"), ("b", "c"), ("c", "a")]
    ).nodes
    assert set(placed) == {"a", "b", "c", "lonely"}
    assert placed["a"][0] < placed["b"][0] < placed["c"][0]


# -- live state --------------------------------------------------------------------------


def test_state_after_a_successful_run():
    graph = DataFlowGraph(CALC)
    assert graph.status == {"add": "idle", "double": "idle", "total": "idle"}
    results = graph.run([{"a": 1, "b": 2}, {"a": 3, "b": 4}, {"a": 5, "b": 6}])
    assert results["0"] == {"total": 9}
    assert graph.status == {"add": "done", "double": "done", "total": "done"}
    assert graph.counts["add"] == {"started": 3, "finished": 3, "failed": 0}
    nodes = nodes_by_id(graph)
    # what the nodes show agrees with graph.status, counts included
    assert nodes["op:add"]["classes"] == "operation op-done"
    assert nodes["op:add"]["label"] == "add ×3"
    assert nodes["def:a"]["label"] == "a: int"


def test_state_after_a_failing_run_strict():
    graph = DataFlowGraph(DataFlow(add, boom, after_boom))
    with pytest.raises(OperationError) as caught:
        graph.run({"a": 1, "b": 2})
    assert caught.value.operation == "boom"
    assert graph.status == {"add": "done", "boom": "failed", "after_boom": "idle"}
    assert graph.counts["boom"]["failed"] == 1
    nodes = nodes_by_id(graph)
    assert nodes["op:boom"]["classes"] == "operation op-failed"
    assert nodes["op:after_boom"]["classes"] == "operation op-idle"
    details = graph.details("boom")
    assert details["status"] == "failed"
    assert details["error"] == "ValueError: no thanks: 3"
    assert details["last_inputs"] == {"add": "3"}


def test_state_after_a_failing_run_not_strict():
    graph = DataFlowGraph(DataFlow(add, boom, after_boom))
    results = graph.run([{"a": 1, "b": 2}, {"a": 2, "b": 2}], strict=False)
    assert len(results) == 2 and all(len(r.errors) == 1 for r in results.values())
    assert graph.status == {"add": "done", "boom": "failed", "after_boom": "idle"}
    assert graph.counts["boom"] == {"started": 2, "finished": 0, "failed": 2}
    assert "2 with errors" in graph.status_line.value
    assert graph.progress.text == "2 contexts, 2 with errors"  # the bar says it too


def test_subscribing_directly_and_reset():
    graph = DataFlowGraph(CHAIN)
    run_sync(CHAIN, [{"x": 1}, {"x": 2}], on_event=graph.on_event)
    graph.flush()
    assert graph.status == {"f1": "done", "f2": "done", "f3": "done"}
    assert nodes_by_id(graph)["op:f3"]["label"] == "f3 ×2"
    graph.reset()
    assert graph.status == {"f1": "idle", "f2": "idle", "f3": "idle"}
    assert graph.counts["f1"] == {"started": 0, "finished": 0, "failed": 0}
    assert nodes_by_id(graph)["op:f3"] == {
        **nodes_by_id(graph)["op:f3"],
        "label": "f3",
        "classes": "operation op-idle",
    }


def test_throttle_bounds_widget_updates_for_a_large_run():
    graph = DataFlowGraph(CHAIN)
    pushed: list[str] = []
    original = graph.view.update_node

    def counting(node_id, **kw):
        pushed.append(node_id)
        original(node_id, **kw)

    graph.view.update_node = counting
    results = graph.run([{"x": i} for i in range(10_000)])
    assert len(results) == 10_000
    assert graph.counts["f2"]["finished"] == 10_000
    assert 1 <= graph.widget_updates < 50
    assert len(pushed) < 50 * 3
    # the final state reached the widget
    assert nodes_by_id(graph)["op:f3"]["label"] == "f3 ×10000"
    assert nodes_by_id(graph)["op:f3"]["classes"] == "operation op-done"


async def test_trailing_flush_in_a_running_loop():
    """Subscribed to an async run in a running loop: the last state arrives without flush()."""
    graph = DataFlowGraph(CHAIN, interval=0.05)
    async for _ in run(CHAIN, [{"x": i} for i in range(200)], on_event=graph.on_event):
        pass
    assert nodes_by_id(graph)["op:f3"]["label"] != "f3 ×200"  # not pushed yet: throttled
    # the run ended between two pushes: timers on the loop push the rest (a live
    # push, then the exact state once nothing more happens)
    await asyncio.sleep(0.4)
    assert nodes_by_id(graph)["op:f3"]["label"] == "f3 ×200"
    assert nodes_by_id(graph)["op:f3"]["classes"] == "operation op-done"


def test_nodes_light_up_while_a_run_goes():
    graph = DataFlowGraph(CHAIN, interval=0)  # push on every event
    shown: list[tuple[str, str]] = []
    original = graph.view.update_node

    def record(node_id, **kw):
        shown.append((node_id, kw.get("classes")))
        original(node_id, **kw)

    graph.view.update_node = record
    graph.run([{"x": 1}, {"x": 2}])
    for node_id in ("op:f1", "op:f2", "op:f3"):
        assert (node_id, "operation op-running") in shown
    last = {n: c for n, c in shown}
    assert last == {
        "op:f1": "operation op-done",
        "op:f2": "operation op-done",
        "op:f3": "operation op-done",
    }
    assert {n["classes"] for n in nodes_by_id(graph).values() if n["kind"] == "operation"} == {
        "operation op-done"
    }


def test_run_with_async_operations_and_extra_subscriber():
    @op
    async def fetch(x: int) -> int:
        await asyncio.sleep(0)
        return x * 3

    graph = DataFlowGraph(DataFlow(fetch))
    seen = []
    results = graph.run([{"x": 1}, {"x": 2}], on_event=seen.append)
    assert results["1"] == {"fetch": 6}
    assert graph.status == {"fetch": "done"}
    assert {e.kind for e in seen} >= {"operation_started", "operation_finished"}


# -- details and clicks --------------------------------------------------------------------


def test_select_and_details():
    graph = DataFlowGraph(CALC)
    graph.run({"a": 2, "b": 5})
    info = graph.details("double")
    assert info["kind"] == "operation"
    assert info["signature"] == "double(add: int) -> double: int"
    assert info["last_inputs"] == {"add": "7"}
    assert info["last_outputs"] == {"double": "14"}
    assert info["counts"] == {"started": 1, "finished": 1, "failed": 0}
    assert info["last_duration"] >= 0 and info["error"] is None
    # an operation wins over a definition of the same name; def: reaches the definition
    assert graph.details("add")["kind"] == "operation"
    value = graph.details("def:add")
    assert value == {
        "kind": "definition",
        "name": "add",
        "primitive": "int",
        "role": "intermediate",
        "produced_by": ["add"],
        "consumed_by": ["double", "total"],
        "last_value": "7",
    }
    assert graph.details("a")["role"] == "input" and graph.details("a")["last_value"] == "2"
    shown = graph.select("double")
    assert shown == info
    assert "double(add: int) -&gt; double: int" in graph.details_panel.value
    assert nodes_by_id(graph)["op:double"]["classes"] == "operation op-done picked"
    # a click in the browser arrives as the node's JSON; it does what select() does
    graph.view._clicked({"data": {"id": "def:total"}, "group": "nodes"})
    assert graph.selected == "def:total"
    assert "definition <b>total</b>" in graph.details_panel.value
    assert nodes_by_id(graph)["op:double"]["classes"] == "operation op-done"
    assert nodes_by_id(graph)["def:total"]["classes"] == "definition def-leaf picked"
    with pytest.raises(KeyError, match="operations: add, double, total"):
        graph.select("nope")


@pytest.mark.parametrize("interval", [0.0, 60.0])
def test_details_after_a_large_run_are_the_last_contexts(interval):
    """However few batches the live view reads details from, the state after the run is exact."""
    graph = DataFlowGraph(CALC, interval=interval)
    graph.run([{"a": i, "b": 1} for i in range(3000)])
    details = graph.details("double")
    assert details["last_context"] == "2999"
    assert details["last_inputs"] == {"add": "3000"} and details["last_outputs"] == {
        "double": "6000"
    }
    assert graph.details("def:a")["last_value"] == "2999"
    assert graph.counts["total"] == {"started": 3000, "finished": 3000, "failed": 0}
    # a run subscribed from outside (its size unknown to the graph): every batch is read
    run_sync(CALC, [{"a": i, "b": 2} for i in range(700)], on_events=graph.on_events)
    assert graph.details("add")["last_outputs"] == {"add": "701"}


def _what_the_graph_shows(graph: DataFlowGraph) -> dict:
    """Every node's details and look, the status line; durations only as 'measured or not'."""
    details = {}
    for node_id in graph.geometry.nodes:
        info = graph.details(node_id)
        if "last_duration" in info:
            duration = info.pop("last_duration")
            info["measured"] = duration if duration is None else duration >= 0
        details[node_id] = info
    looks = {n["id"]: (n["classes"], n["label"]) for n in nodes_by_id(graph).values()}
    status = graph.status_line.value.rsplit(" · ", 1)[0]  # without the elapsed time
    return {"details": details, "looks": looks, "status": status, "counts": graph.counts}


def picky(total: int) -> int:
    if total == 900:
        raise ValueError("not 900")
    return total


def bonus(picky: int, extra: int) -> int:
    return picky + extra


@pytest.mark.parametrize("strict", [True, False])
def test_the_fast_path_and_the_general_path_show_the_same_graph(strict):
    """A run of plain functions takes the executor's fast path, where the graph hears most
    contexts only as counts; what it shows afterwards is what the general path shows."""
    from dffml_nb.df import compiled

    # a chain (the two paths order a context's operations alike only along dependencies)
    flow = DataFlow(add, double, total, picky, bonus)
    inputs = [{"a": i, "b": 1, "extra": i} for i in range(600)] + [{"a": 1, "b": 1}]
    shown = []
    for general in (False, True):
        graph = DataFlowGraph(flow)
        with compiled.disabled() if general else contextlib.nullcontext():
            try:
                graph.run(inputs, strict=strict)
            except OperationError:
                assert strict
        shown.append(_what_the_graph_shows(graph))
    assert shown[0] == shown[1]
    fast = shown[0]["details"]
    assert fast["op:picky"]["error"] == "ValueError: not 900"
    assert fast["op:total"]["measured"] is True and fast["op:bonus"]["measured"] is True
    if strict:  # the run stopped at the failure
        assert fast["op:total"]["last_context"] == "299"
        assert fast["op:bonus"]["last_context"] == "298"
        assert shown[0]["counts"]["add"] == {"started": 300, "finished": 300, "failed": 0}
    else:  # 'bonus' did not run in the last context: its newest call is from the row
        assert fast["op:bonus"]["last_context"] == "599"
        assert fast["op:bonus"]["last_outputs"] == {"bonus": "2399"}
        assert fast["op:total"]["last_context"] == "600"


def test_details_panel_follows_a_run():
    graph = DataFlowGraph(CALC)
    graph.select("total")
    graph.run({"a": 1, "b": 1})
    assert "add=2" in graph.details_panel.value and "done" in graph.details_panel.value


# -- update_flow ------------------------------------------------------------------------------


def test_update_flow_keeps_the_same_widget():
    graph = DataFlowGraph(CALC)
    view_widget = graph.view.widget
    kept_node = graph.view._nodes["op:add"]
    graph.run({"a": 1, "b": 2})
    graph.select("add")
    graph.update_flow(DataFlow(add, boom))
    assert graph.view.widget is view_widget
    assert graph.children[0] is view_widget
    assert graph.view._nodes["op:add"] is kept_node  # same node widget, moved in place
    assert set(nodes_by_id(graph)) == {"op:add", "op:boom", "def:a", "def:b", "def:add", "def:boom"}
    assert graph.status == {"add": "idle", "boom": "idle"}
    assert graph.selected == "op:add"
    assert len(graph.view.widget.graph.nodes) == 6
    assert {e.data["target"] for e in graph.view.widget.graph.edges} == {
        "op:add",
        "def:add",
        "op:boom",
        "def:boom",
    }
    with pytest.raises(OperationError):
        graph.run({"a": 1, "b": 2})
    assert graph.status == {"add": "done", "boom": "failed"}


def test_graph_is_a_widget_with_static_fallbacks():
    import ipywidgets

    graph = DataFlowGraph(CALC)
    assert isinstance(graph, ipywidgets.VBox)
    bundle = graph._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == graph.model_id
    for name in ("add", "double", "total"):
        assert f">{name}</text>" in bundle["image/svg+xml"]
    assert "mermaid" in bundle["text/markdown"]
    assert bundle["text/plain"] == "DataFlowGraph(DataFlow(add, double, total); 3 idle)"


def test_stylesheet_uses_single_class_selectors():
    """The cytoscape.js bundled with ipycytoscape 1.3.3 ignores compound class selectors."""
    import re

    from dffml_nb.nb.graph.view import STYLE

    for rule in STYLE:
        assert not re.search(r"\.[\w-]+\.[\w-]+", rule["selector"]), rule["selector"]
        assert "'" not in str(rule["style"].get("font-family", ""))  # rejected by cytoscape.js
    graph = DataFlowGraph(CALC)
    selectors = {rule["selector"] for rule in STYLE}
    for node in graph.view.elements()["nodes"]:
        # every node carries a class that some rule styles by itself
        assert any(f".{c}" in selectors for c in node["classes"].split()), node


def test_view_height_follows_the_flow():
    wide = DataFlowGraph(CHAIN)
    tall = DataFlow(
        *[
            op(lambda x: x, name=f"id{i}", inputs={"x": Definition(f"in{i}", int)})
            for i in range(12)
        ]
    )
    height = int(wide.view.widget.layout.height.removesuffix("px"))
    assert 180 <= height <= 600
    wide.update_flow(tall)
    assert int(wide.view.widget.layout.height.removesuffix("px")) > height
    assert DataFlowGraph(CALC, height="250px").view.widget.layout.height == "250px"


def test_a_run_of_many_contexts_shows_a_progress_bar():
    from dffml_nb.df import DataFlow, op

    @op
    def inc(x: int) -> int:
        return x + 1

    graph = DataFlowGraph(DataFlow(inc))
    graph.run([{"x": i} for i in range(500)])
    assert graph.progress.layout.display == ""
    assert (graph.progress.value, graph.progress.total, graph.progress.state) == (500, 500, "done")
    graph.run({"one": {"x": 1}})
    assert graph.progress.layout.display == "none"  # one context: no bar
