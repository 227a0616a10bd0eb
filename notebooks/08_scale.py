# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Scale out: the same flow, from this kernel to a Dask cluster
#
# Plain functions run *inline* in the executor — the fastest way for light
# work. A CPU-heavy Python function would keep one core busy while the others
# sit idle, so mark it `runner="process"`: its calls then run in other
# processes. Where those processes live is one argument of the run:
#
# ```python
# run_sync(flow, inputs)                     # a local process pool, made for the run
# run_sync(flow, inputs, pool=executor)      # a concurrent.futures ProcessPoolExecutor
# run_sync(flow, inputs, pool=client)        # a dask.distributed.Client: a Dask cluster
# %dffml run NAME a=1 -pool client           # the same from the magic
# ```
#
# Nothing else changes: the flow, its results, the live graph. The executor
# stays here, in the kernel (the *driver*): it decides what runs, holds the
# locks and sends the events; each `runner="process"` call travels to a
# worker and its result comes back. Here we start a Dask cluster on this
# machine; [`docs/scaling.md`](../docs/scaling.md) runs the same flow on many
# machines.

# %%
%load_ext dffml_nb
import collections
import time

from dffml_nb import DataFlow, op, run_sync
from dffml_nb.nb import DataFlowGraph

# %% [markdown]
# ## A CPU-bound flow
#
# Counting the primes below a number by trial division: pure Python, about
# 50 ms a call. `count_primes` is marked `runner="process"`; `density` is
# light and stays inline.

# %%
@op(runner="process")
def count_primes(upper: int) -> int:
    """How many primes are below ``upper`` (trial division: CPU-bound on purpose)."""
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


@op
def density(count_primes: int, upper: int) -> float:
    return round(count_primes / upper, 4)


flow = DataFlow(count_primes, density)
inputs = {f"below {upper:,}": {"upper": upper} for upper in range(20_000, 36_000, 1_000)}
len(inputs)

# %% [markdown]
# First, for comparison, the same flow with `count_primes` inline: one core, in
# this kernel.

# %%
inline_flow = DataFlow(op(count_primes, runner="inline"), density)
started = time.perf_counter()
expected = run_sync(inline_flow, inputs)
inline_seconds = time.perf_counter() - started
print(f"inline: {inline_seconds:.2f} s for {len(expected)} contexts")

# %% [markdown]
# ## Start a local Dask cluster
#
# Two worker processes with one thread each. `dashboard_address="127.0.0.1:0"`
# picks a free port for Dask's dashboard: open the link to watch the tasks
# arrive (they are named after the operation's function).

# %%
from dask.distributed import Client, LocalCluster

cluster = LocalCluster(
    n_workers=2, processes=True, threads_per_worker=1, dashboard_address="127.0.0.1:0"
)
client = Client(cluster)
print("Dask dashboard:", client.dashboard_link)

# %% [markdown]
# ## Run the flow on it, with the live graph
#
# `pool=client` is the only change. Click `count_primes` in the graph: its
# details name the worker that ran its last call.

# %%
graph = DataFlowGraph(flow, height="220px")
graph

# %%
started = time.perf_counter()
results = graph.run(inputs, pool=client)
print(f"on the cluster: {time.perf_counter() - started:.2f} s (a first run also warms the workers up)")
print("same results as inline:", results == expected)
graph.status

# %%
details = graph.select("count_primes")  # what a click on the node shows
print("count_primes: last call on", details["last_worker"], "-", details["counts"])

# %% [markdown]
# Every `operation_finished` event names its `worker`, so the spread over the
# cluster is one small subscriber away. (With two workers on two cores, expect
# up to about 2x inline; less on a busy machine.)

# %%
calls_per_worker = collections.Counter()


def tally(event):
    if event.kind == "operation_finished" and event.worker:
        calls_per_worker[event.worker] += 1


started = time.perf_counter()
run_sync(flow, inputs, pool=client, on_event=tally)
cluster_seconds = time.perf_counter() - started
print(f"again: {cluster_seconds:.2f} s, {inline_seconds / cluster_seconds:.1f}x inline")
dict(calls_per_worker)

# %% [markdown]
# ## From the magic: `-pool`
#
# A flow written as a `%%dffml flow` cell takes `-pool VAR`: the name of the
# variable holding the Client (or an executor). Functions defined in a notebook
# reach Dask's workers by value (Dask pickles them with cloudpickle); the
# modules they import must be installed on the workers.

# %%
%%dffml flow primes
from dffml_nb import op


@op(runner="process")
def primes_below(upper: int) -> int:
    return sum(1 for n in range(2, upper) if all(n % d for d in range(2, int(n**0.5) + 1)))


def share(primes_below: int, upper: int) -> float:
    return round(primes_below / upper, 4)

# %%
%dffml run primes upper=30000 -pool client

# %% [markdown]
# ## When a call fails on a worker
#
# A remote failure is reported like any other: the operation, the context and
# its inputs — plus the worker and the traceback from there. With
# `strict=False` the other contexts finish.

# %%
@op(runner="process")
def checked_sqrt(x: float) -> float:
    if x < 0:
        raise ValueError(f"no real square root of {x}")
    return x**0.5


outcome = run_sync(DataFlow(checked_sqrt), [{"x": 16.0}, {"x": -1.0}], pool=client, strict=False)
print(outcome["0"])
print(outcome["1"].errors[0])

# %% [markdown]
# ## Shut the cluster down
#
# The Client and the cluster are yours: a run never closes them.

# %%
client.close()
cluster.close()
print("cluster:", cluster.status.name)
