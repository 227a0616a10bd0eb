"""Cost of a live DataFlowGraph on a large run, as ratios measured in the same run.

    python benchmarks/bench_graph.py            # 10,000 contexts, best of 15
    python benchmarks/bench_graph.py --quick    # best of 3

The same 10,000-context run of a 3-operation chain, six ways, interleaved
(so that load on a shared machine hits them alike), best of N:

- bare:       run_sync(flow, inputs)
- subscribed: run_sync(flow, inputs, on_events=lambda batch: None)  (every event recorded)
- tallied:    on_events=lambda batch: batch.tally()
- summary:    on_events=a no-op marked @summary_subscriber  (complete contexts counted)
- state:      on_events=RunState(flow).absorb    (the graph's bookkeeping, a summary subscriber)
- graph:      graph.run(inputs)       (a DataFlowGraph subscribed, throttled widget updates)

``graph / bare`` is the target: at most 1.2x. The lines between say where
the time goes. This flow takes the executor's fast path (df/compiled.py,
about 2.5 us per context here). A plain batch subscriber costs one record per
context (``events.context_steps``); a summary subscriber, which reads only
tallies, newest events and failures (``events.summary_subscriber``), gets the
contexts that ran every step counted in one row that keeps only the newest,
so what is left per context is a clock reading per call and at its start
(the durations a node's details show) and a little bookkeeping.
"""

from __future__ import annotations

import argparse
import gc
import time

from dffml_nb.df import DataFlow, run_sync
from dffml_nb.df.events import summary_subscriber


def f1(x: int) -> int:
    return x + 1


def f2(f1: int) -> int:
    return f1 * 2


def f3(f2: int) -> int:
    return f2 - 3


FLOW = DataFlow(f1, f2, f3)


@summary_subscriber
def ignore(batch: object) -> None:
    """A summary subscriber that does nothing: what the executor's side costs."""


# CPU time of this process, not wall time: on a shared machine other processes
# stretch wall time at random, while the run (all inline, one thread) costs the
# same CPU whatever else runs. On an idle machine the two agree.
CLOCK = time.process_time


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = CLOCK()
        fn()
        times.append(CLOCK() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--contexts", type=int, default=10_000)
    parser.add_argument("--wall", action="store_true", help="wall time instead of CPU time")
    args = parser.parse_args()
    if args.wall:
        global CLOCK
        CLOCK = time.perf_counter
    repeat = 3 if args.quick else 15
    inputs = [{"x": i} for i in range(args.contexts)]

    from dffml_nb.nb.graph.live import DataFlowGraph
    from dffml_nb.nb.graph.state import RunState

    graph = DataFlowGraph(FLOW)
    state = RunState(FLOW)
    expected = run_sync(FLOW, inputs)
    assert graph.run(inputs) == expected  # same run, same results

    runs = {
        "bare": lambda: run_sync(FLOW, inputs),
        "subscribed": lambda: run_sync(FLOW, inputs, on_events=lambda batch: None),
        "tallied": lambda: run_sync(FLOW, inputs, on_events=lambda batch: batch.tally()),
        "summary": lambda: run_sync(FLOW, inputs, on_events=ignore),
        "state": lambda: run_sync(FLOW, inputs, on_events=state.absorb),
        "graph": lambda: graph.run(inputs),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, fn in runs.items():
            times[name].append(best(fn, 1))
    low = {name: min(values) for name, values in times.items()}
    bare = low["bare"]
    before = graph.widget_updates
    graph.run(inputs)
    updates = graph.widget_updates - before

    clock = "wall" if args.wall else "CPU"
    print(
        f"{args.contexts:,} contexts, 3-operation chain, best of {repeat} (interleaved), {clock} time"
    )
    rows = (
        ("bare run", "bare", ""),
        ("events, no-op subscriber", "subscribed", "recording every event (the executor)"),
        ("events + batch.tally()", "tallied", "+ counting them"),
        ("summary, no-op subscriber", "summary", "counting complete contexts (the executor)"),
        ("summary + RunState.absorb", "state", "+ the graph's bookkeeping"),
        ("DataFlowGraph.run", "graph", f"+ the widget ({updates} updates per run)"),
    )
    for label, name, note in rows:
        print(f"  {label:26} {low[name]:7.3f} s  {low[name] / bare:5.2f}x  {note}")
    print(f"  graph / bare {low['graph'] / bare:.2f}x   (target <= 1.2x)")


if __name__ == "__main__":
    main()
