"""Scale-out speed, as ratios against baselines measured in the same run.

    python benchmarks/bench_scale.py             # full run (3 rounds)
    python benchmarks/bench_scale.py --quick     # 1 round, fewer calls
    python benchmarks/bench_scale.py --rounds 5

1. CPU-bound: 32 contexts of a pure-Python operation of about 50 ms, inline
   (one core) against ``runner="process"`` on a ``ProcessPoolExecutor(2)`` and
   on a 2-worker process Dask ``LocalCluster`` (1 thread each). Targets:
   ≥ 1.7× and ≥ 1.6× faster than inline.
2. Overhead: a two-operation chain of trivial process operations over many
   contexts on the local Dask cluster, against a hand-written ``client.map``
   chain making the same calls (``client.map(g, client.map(f, xs))`` and one
   ``gather``: Dask's own best case, where the intermediate values never come
   back to the driver). Target: ≤ 1.5×.
3. Per call: the driver's CPU time and the wall time per trivial call, the
   figures docs/scaling.md projects throughput from.

The machine may be shared: each measurement is repeated over ``--rounds``
rounds (interleaved, so a busy spell hits every variant), and the best and the
spread of the ratios are printed with the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from dffml_nb.df import DataFlow, op, run_sync

# -- the work --------------------------------------------------------------------------


def count_primes(upper: int) -> int:
    """Primes below ``upper`` by trial division: pure Python, CPU-bound."""
    count = 0
    for n in range(2, upper):
        d = 2
        while d * d <= n:
            if n % d == 0:
                break
            d += 1
        else:
            count += 1
    return count


def inc(x: int) -> int:
    return x + 1


def double(inc: int) -> int:
    return inc * 2


def calibrate(target: float = 0.05) -> int:
    """The ``upper`` for which one count_primes call takes about ``target`` seconds here."""
    upper = 5_000
    while True:
        started = time.perf_counter()
        count_primes(upper)
        took = time.perf_counter() - started
        if took >= target / 2:
            return int(upper * target / took)
        upper *= 2


def _spin(seconds: float) -> float:
    """Busy for ``seconds`` of wall time; returns the CPU time this process got."""
    started, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        pass
    return time.process_time() - cpu


def cores_free(seconds: float = 0.5) -> float:
    """How many of the machine's cores two busy processes get now (2.0 on an idle
    2-core machine): a parallel speedup cannot exceed it."""
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_spin, [0.01, 0.01]))
        return sum(pool.map(_spin, [seconds, seconds])) / seconds


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, this process's CPU seconds) of ``fn()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return (
        f"best {max(values):.2f}, median {statistics.median(values):.2f}, worst {min(values):.2f}"
    )


def spread_low(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return (
        f"best {min(values):.2f}, median {statistics.median(values):.2f}, worst {max(values):.2f}"
    )


# -- the measurements ------------------------------------------------------------------


def cpu_bound(client, rounds: int, contexts: int) -> dict[str, list[float]]:
    upper = calibrate()
    inputs = [{"upper": upper + i} for i in range(contexts)]
    inline = DataFlow(op(count_primes, runner="inline"))
    remote = DataFlow(op(count_primes, runner="process"))
    ratios: dict[str, list[float]] = {"process pool": [], "dask": [], "cores free": []}
    with ProcessPoolExecutor(2) as pool:
        run_sync(remote, inputs[:4], pool=pool)  # workers started
        run_sync(remote, inputs[:4], pool=client)  # workers have imported what they run
        for _ in range(rounds):
            free = cores_free()
            base, _ = timed(lambda: run_sync(inline, inputs))
            on_pool, _ = timed(lambda: run_sync(remote, inputs, pool=pool))
            on_dask, _ = timed(lambda: run_sync(remote, inputs, pool=client))
            ratios["process pool"].append(base / on_pool)
            ratios["dask"].append(base / on_dask)
            ratios["cores free"].append(free)
            print(
                f"  inline {base:.2f} s · ProcessPoolExecutor(2) {on_pool:.2f} s "
                f"({base / on_pool:.2f}x) · Dask LocalCluster(2) {on_dask:.2f} s "
                f"({base / on_dask:.2f}x) · cores free before: {free:.2f}"
            )
    return ratios


def overhead(client, rounds: int, contexts: int) -> dict[str, list[float]]:
    flow = DataFlow(op(inc, runner="process"), op(double, runner="process"))
    inputs = [{"x": i} for i in range(contexts)]
    expected = {str(i): {"double": (i + 1) * 2} for i in range(contexts)}

    def hand() -> None:
        firsts = client.map(inc, range(contexts), pure=False)
        seconds = client.map(double, firsts, pure=False)
        assert client.gather(seconds) == [(i + 1) * 2 for i in range(contexts)]

    def ours() -> None:
        assert run_sync(flow, inputs, pool=client) == expected

    hand()
    ours()  # warm both paths up
    found: dict[str, list[float]] = {"ratio": [], "driver cpu per call": [], "wall per call": []}
    for _ in range(rounds):
        (hand_wall, _), (our_wall, our_cpu) = timed(hand), timed(ours)
        calls = 2 * contexts
        found["ratio"].append(our_wall / hand_wall)
        found["driver cpu per call"].append(our_cpu / calls)
        found["wall per call"].append(our_wall / calls)
        print(
            f"  client.map chain {hand_wall:.2f} s · dffml_nb flow {our_wall:.2f} s "
            f"({our_wall / hand_wall:.2f}x) · {calls} calls: {our_wall / calls * 1e3:.2f} ms "
            f"wall, {our_cpu / calls * 1e3:.2f} ms driver CPU (scheduler included) per call"
        )
    return found


def driver_cost(rounds: int, contexts: int) -> dict[str, list[float]]:
    """The driver's CPU per call with the scheduler and workers in processes of their own
    (``dask scheduler`` / ``dask worker``, as on a real cluster): what limits throughput."""
    import socket
    import subprocess
    import sys

    from distributed import Client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    here = os.path.dirname(os.path.abspath(__file__))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([here, *sys.path])}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port)]
        + ["--no-dashboard"],
        env=env,  # the scheduler reads the task graph: it imports what it names, like workers
        **quiet,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "dask", "worker", address, "--nworkers", "2", "--nthreads", "1"]
        + ["--no-dashboard"],
        env=env,
        **quiet,
    )
    flow = DataFlow(op(inc, runner="process"), op(double, runner="process"))
    inputs = [{"x": i} for i in range(contexts)]
    found: dict[str, list[float]] = {"driver cpu": [], "wall": [], "hand cpu": [], "single": []}
    from dffml_nb.scale import dask as dask_pool

    def one_per_task() -> None:
        """As calls of 20 ms or more go: one call per Dask task (quick ones share tasks)."""
        saved, dask_pool._TASK_SECONDS = dask_pool._TASK_SECONDS, 0.0
        try:
            run_sync(flow, inputs, pool=client)
        finally:
            dask_pool._TASK_SECONDS = saved

    try:
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
            run_sync(flow, inputs[:50], pool=client)

            def hand() -> None:
                firsts = client.map(inc, range(contexts), pure=False)
                client.gather(client.map(double, firsts, pure=False))

            for _ in range(rounds):
                calls = 2 * contexts
                wall, cpu = timed(lambda: run_sync(flow, inputs, pool=client))
                _, single_cpu = timed(one_per_task)
                _, hand_cpu = timed(hand)
                found["driver cpu"].append(cpu / calls)
                found["wall"].append(wall / calls)
                found["hand cpu"].append(hand_cpu / calls)
                found["single"].append(single_cpu / calls)
                print(
                    f"  {calls} calls: {wall / calls * 1e3:.2f} ms wall, {cpu / calls * 1e3:.3f} "
                    f"ms driver CPU per call ({single_cpu / calls * 1e3:.3f} ms one call per task; "
                    f"a client.map chain: {hand_cpu / calls * 1e3:.3f} ms)"
                )
    finally:
        for process in (worker, scheduler):
            process.kill()
            process.wait(timeout=30)
    return found


def process_pool_overhead(rounds: int, contexts: int) -> list[float]:
    flow = DataFlow(op(inc, runner="process"), op(double, runner="process"))
    inputs = [{"x": i} for i in range(contexts)]
    per_call = []
    with ProcessPoolExecutor(2) as pool:
        run_sync(flow, inputs[:10], pool=pool)
        for _ in range(rounds):
            wall, _ = timed(lambda: run_sync(flow, inputs, pool=pool))
            per_call.append(wall / (2 * contexts))
    return per_call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one round, fewer calls")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    trivial = 200 if args.quick else 500

    from distributed import Client, LocalCluster

    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"cores two busy processes get now: {cores_free():.2f} of 2 (the ceiling of a 2x speedup)"
    )
    with (
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address="127.0.0.1:0"
        ) as cluster,
        Client(cluster) as client,
    ):
        print(
            "\n1. CPU-bound: 32 contexts x ~50 ms of pure Python (faster than inline: higher is better)"
        )
        cpu = cpu_bound(client, rounds, 32)
        print(f"\n2. Overhead: {trivial} contexts x 2 trivial process operations on Dask")
        over = overhead(client, rounds, trivial)
    print("\n3. The driver's own cost: scheduler and 2 workers in processes of their own")
    driver = driver_cost(rounds, trivial)
    pool_call = process_pool_overhead(rounds, trivial)
    print(f"\nload average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"cores two busy processes get now: {cores_free():.2f} of 2")
    print("\nSummary (ratios over the rounds):")
    print(f"  ProcessPoolExecutor(2) vs inline: {spread(cpu['process pool'])}x   (target >= 1.7x)")
    print(f"  Dask LocalCluster(2) vs inline:   {spread(cpu['dask'])}x   (target >= 1.6x)")
    print(f"  (cores two busy processes got before each round: {spread(cpu['cores free'])})")
    print(f"  flow / hand-written client.map:   {spread_low(over['ratio'])}x   (target <= 1.5x)")
    cpu_ms = [x * 1e3 for x in over["driver cpu per call"]]
    wall_ms = [x * 1e3 for x in over["wall per call"]]
    pool_ms = [x * 1e3 for x in pool_call]
    print(
        f"  Dask, per trivial call: {spread_low(wall_ms)} ms wall, {spread_low(cpu_ms)} ms driver CPU"
    )
    print(f"  ProcessPoolExecutor(2), per trivial call: {spread_low(pool_ms)} ms wall")
    own = [x * 1e3 for x in driver["driver cpu"]]
    single = [x * 1e3 for x in driver["single"]]
    hand = [x * 1e3 for x in driver["hand cpu"]]
    print(
        f"  driver CPU per call, scheduler elsewhere: quick calls (sharing tasks) "
        f"{spread_low(own)} ms; one call per task {spread_low(single)} ms; client.map chain "
        f"{spread_low(hand)} ms"
    )
    print(
        f"  -> one driver carries at most ~{1 / statistics.median(driver['single']):,.0f} calls/s "
        f"of 20 ms or more, ~{1 / statistics.median(driver['driver cpu']):,.0f} calls/s of quick ones"
    )


if __name__ == "__main__":
    main()
