"""Cost of a live DataFlowGraph on a large run, as ratios measured in the same run.

    python benchmarks/bench_graph.py            # 10,000 contexts, best of 5
    python benchmarks/bench_graph.py --quick    # best of 2

The same 10,000-context run of a 3-operation chain, four ways:

- bare:       run_sync(flow, inputs)
- subscribed: run_sync(flow, inputs, on_events=lambda batch: None)  (the executor records events)
- graph:      graph.run(inputs)       (a DataFlowGraph subscribed, throttled widget updates)

``graph / bare`` is the target: at most 1.2x.
"""

from __future__ import annotations

import argparse
import gc
import time

from dffml_nb.df import DataFlow, run_sync


def f1(x: int) -> int:
    return x + 1


def f2(f1: int) -> int:
    return f1 * 2


def f3(f2: int) -> int:
    return f2 - 3


FLOW = DataFlow(f1, f2, f3)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--contexts", type=int, default=10_000)
    args = parser.parse_args()
    repeat = 3 if args.quick else 15
    inputs = [{"x": i} for i in range(args.contexts)]

    from dffml_nb.nb.graph.live import DataFlowGraph

    graph = DataFlowGraph(FLOW)
    expected = run_sync(FLOW, inputs)
    assert graph.run(inputs) == expected  # same run, same results

    # interleave the three so that load on a shared machine hits them alike
    times: dict[str, list[float]] = {"bare": [], "subscribed": [], "graph": []}
    runs = {
        "bare": lambda: run_sync(FLOW, inputs),
        "subscribed": lambda: run_sync(FLOW, inputs, on_events=lambda batch: None),
        "graph": lambda: graph.run(inputs),
    }
    for _ in range(repeat):
        for name, fn in runs.items():
            times[name].append(best(fn, 1))
    bare, subscribed, with_graph = (min(times[n]) for n in ("bare", "subscribed", "graph"))
    before = graph.widget_updates
    graph.run(inputs)
    updates = graph.widget_updates - before

    print(f"{args.contexts:,} contexts, 3-operation chain, best of {repeat} (interleaved)")
    print(f"  bare run                      {bare:8.3f} s")
    print(f"  with a no-op batch subscriber {subscribed:8.3f} s")
    print(
        f"  with a DataFlowGraph          {with_graph:8.3f} s   ({updates} widget updates per run)"
    )
    print(f"  graph / bare                  {with_graph / bare:8.2f}x   (target <= 1.2x)")
    print(f"  events alone / bare           {subscribed / bare:8.2f}x")


if __name__ == "__main__":
    main()
