"""Cost of one edit in the FlowEditor on a 100-operation flow, against a full redraw, same run.

    python benchmarks/bench_editor.py            # 100 operations, 30 rounds of edits
    python benchmarks/bench_editor.py --quick    # 10 rounds

Each round makes the same six edits on a flow of ``--ops`` operations (a chain
with side branches): add an operation, connect it, set a seed, disconnect,
remove it, and undo + redo. For each edit it reports the Python time (median)
and the widget messages sent (and their bytes), counted by a comm that only
counts. The baseline, measured in the same run on the same flow, is what a
graph that redraws on every change does: ``DataFlowGraph.update_flow`` (layered
layout, every edge widget rebuilt). Target: at most 20 ms per edit at 100
operations, and far fewer messages than a redraw.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from collections.abc import Callable

import comm
from comm.base_comm import BaseComm

from dffml_nb.df import DataFlow, Definition, op

SENT: list[int] = []


class CountingComm(BaseComm):
    """Counts the messages (and JSON bytes) widgets send; sends nothing."""

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        SENT.append(len(json.dumps(data, default=str)))


def step(x: int) -> int:
    return x + 1


def flow_of(count: int) -> DataFlow:
    """A chain of ``count`` operations, every fifth also feeding a side operation."""
    ops = []
    for i in range(count):
        ops.append(
            op(
                step,
                name=f"s{i}",
                inputs={"x": Definition(f"v{i}", "int")},
                outputs={"y": Definition(f"v{i + 1}", "int")},
            )
        )
    return DataFlow(*ops)


def measure(fn: Callable[[], object]) -> tuple[float, int, int]:
    """(seconds, messages, bytes) of one call."""
    SENT.clear()
    gc.disable()
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    gc.enable()
    return elapsed, len(SENT), sum(SENT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--ops", type=int, default=100, help="operations in the flow")
    args = parser.parse_args()
    rounds = 10 if args.quick else 30
    comm.create_comm = lambda *a, **k: CountingComm(*a, **k)  # before any widget exists

    from dffml_nb.nb.graph.editor.widget import FlowEditor
    from dffml_nb.nb.graph.live import DataFlowGraph

    base = flow_of(args.ops)
    editor = FlowEditor(base, namespace={}, registered=False)
    redraw = DataFlowGraph(base)
    last = f"v{args.ops}"
    extra = op(
        step,
        name="extra",
        inputs={"x": Definition("w", "int")},
        outputs={"y": Definition("out", "int")},
    )

    edits: dict[str, Callable[[], object]] = {
        "add": lambda: editor.add(extra),
        "connect": lambda: editor.connect(f"s{args.ops - 1}", "extra"),
        "seed": lambda: editor.seed("v0", 1),
        "disconnect": lambda: editor.disconnect(f"s{args.ops - 1}", "extra"),
        "remove": lambda: editor.remove("extra"),
        "undo+redo": lambda: (editor.undo(), editor.redo()),
    }
    times: dict[str, list[float]] = {name: [] for name in edits}
    messages: dict[str, list[int]] = {name: [] for name in edits}
    sizes: dict[str, list[int]] = {name: [] for name in edits}
    baseline: list[float] = []
    base_messages: list[int] = []
    base_bytes: list[int] = []
    flows = [base, DataFlow(*base, extra)]
    for round_ in range(rounds):
        for name, fn in edits.items():
            elapsed, count, size = measure(fn)
            times[name].append(elapsed)
            messages[name].append(count)
            sizes[name].append(size)
        for _ in range(5):  # back to the flow the round started from
            editor.undo()
        # the redraw baseline, interleaved so machine load hits both alike
        shown = flows[round_ % 2]
        elapsed, count, size = measure(lambda shown=shown: redraw.update_flow(shown))
        baseline.append(elapsed)
        base_messages.append(count)
        base_bytes.append(size)
    assert last in editor.flow.definitions and "extra" not in editor.flow

    base_ms = statistics.median(baseline) * 1000
    print(f"FlowEditor on a {args.ops}-operation flow, {rounds} rounds (medians)")
    print(f"{'edit':<12}{'ms':>8}{'messages':>10}{'bytes':>10}{'ms / redraw':>13}")
    for name in edits:
        ms = statistics.median(times[name]) * 1000
        print(
            f"{name:<12}{ms:>8.2f}{statistics.median(messages[name]):>10.0f}"
            f"{statistics.median(sizes[name]):>10.0f}{ms / base_ms:>13.2f}"
        )
    print(
        f"{'redraw':<12}{base_ms:>8.2f}{statistics.median(base_messages):>10.0f}"
        f"{statistics.median(base_bytes):>10.0f}{1.0:>13.2f}   (DataFlowGraph.update_flow, the baseline)"
    )
    worst = max(statistics.median(t) for t in times.values()) * 1000
    verdict = "met" if worst <= 20 else "NOT met"
    print(f"slowest edit {worst:.2f} ms: target <= 20 ms per edit {verdict}")


if __name__ == "__main__":
    main()
