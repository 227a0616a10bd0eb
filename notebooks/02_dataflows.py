# ---
# jupyter:
#   jupytext:
#     comment_magics: false
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
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
# # Dataflows: say *what*, not *how*
#
# A **dataflow** is a graph of small functions linked by the data they pass
# around. You write the functions; dffml_nb works out the order to call them,
# calls them concurrently where it can, and shows you what happened.
#
# Three words to know:
#
# * a **definition** names a kind of data (`quantity`, `subtotal`, …);
# * an **operation** is a function that consumes some definitions and produces others;
# * a **context** is one run of the flow with its own inputs (one order, one file, one customer…).
#
# Let's start in the notebook, then look at the Python API underneath.

# %%
%load_ext dffml_nb

# %% [markdown]
# ## Plain functions become a flow
#
# Put `%%dffml flow NAME` on the first line of a cell and every function in the
# cell becomes an operation. They connect **by name**: a parameter called
# `subtotal` receives what the function `subtotal` returns. The type
# annotations say what kind of data each one is.
#
# The cell shows the flow as a live graph: operations are boxes, definitions
# are ovals. Flow inputs (data nothing produces) are on the left, results on
# the right.

# %%
%%dffml flow order
def subtotal(quantity: int, unit_price: float) -> float:
    return quantity * unit_price

def discount(subtotal: float) -> float:
    return round(0.1 * subtotal, 2) if subtotal >= 100 else 0.0

def total(subtotal: float, discount: float) -> float:
    return round((subtotal - discount) * 1.2, 2)   # with 20% tax


# %% [markdown]
# ## Run it
#
# `%dffml run NAME definition=value …` runs the flow once. Watch the graph
# above: each operation lights up while it runs and turns green when it is
# done (the **×1** says how many times it ran). The results come back as a
# table — and as a plain dict if you assign them.
#
# **Click a node** in the graph to see its details: the signature, the last
# inputs and outputs, and how long it took.

# %%
%dffml run order quantity=12 unit_price=9.5

# %%
r = %dffml run order quantity=3 unit_price=2.5
r["total"]

# %% [markdown]
# The graph is readable from Python too: `graph.status` is what the nodes
# show, and `graph.details(name)` is what a click shows.

# %%
from dffml_nb.nb.graph.display import graph_for

graph = graph_for(order)          # the widget drawn above (the flow is bound as `order`)
graph.status

# %%
graph.details("total")

# %% [markdown]
# `%dffml list` shows the flows of this kernel, and `%dffml help` every subcommand.

# %%
%dffml list

# %% [markdown]
# ## The Python API
#
# The magic is a thin layer over three names: `op` turns a function into an
# operation (inferring its inputs and output from the signature), `DataFlow`
# links operations, and `run_sync` runs a flow and returns
# `{context: results}`. Several contexts run concurrently; each has its own
# inputs.

# %%
from dffml_nb import DataFlow, Definition, Input, op, run_sync

@op
def area(width: float, height: float) -> float:
    return width * height

@op
def paint(area: float) -> float:
    return round(area / 10, 1)      # litres: 1 litre covers 10 m²

walls = DataFlow(area, paint)
print("inputs:", walls.flow_inputs, "results:", walls.leaves, "problems:", walls.validate())

run_sync(walls, {"kitchen": {"width": 4, "height": 2.5},
                 "hall":    {"width": 9, "height": 2.5}})

# %% [markdown]
# The decorated functions are still plain functions — handy for testing them:

# %%
area(2, 3)

# %% [markdown]
# A `DataFlow` displays as its graph. To animate a flow you built in Python,
# make its `DataFlowGraph` and call `graph.run(...)` (or pass
# `on_event=graph.on_event` to `run_sync`).

# %%
from dffml_nb.nb import DataFlowGraph

walls_graph = DataFlowGraph(walls, height="220px")
display(walls_graph)
walls_graph.run([{"width": w, "height": 2.5} for w in range(1, 51)])   # 50 contexts
walls_graph.status

# %% [markdown]
# ## Conditions: DFFML's calculator
#
# An operation with `conditions=[definition]` runs only when an input of that
# (boolean) definition is true. In DFFML's calculator, `parse_line` reads a
# sentence and says whether it asks to add or to multiply; `add` and `mult`
# are each gated by one of those answers (dashed edges in the graph).
#
# The calculator also uses explicit `Definition`s shared between operations —
# the DFFML style for a common vocabulary — and the built-in output operation
# `get_single`, which picks the `result` for each context.

# %%
from dffml_nb.examples.calc import calc_flow

calc = calc_flow()
calc_graph = DataFlowGraph(calc, height="260px")
calc_graph

# %%
import pandas as pd

questions = ["add 40 and 2", "multiply 42 and 10", "add 1 and 2 and 3", "multiply 6 and 7"]
answers = calc_graph.run({q: {"calc_string": q} for q in questions})
pd.DataFrame({"question": list(answers), "result": [a["result"] for a in answers.values()]})

# %%
calc_graph.counts      # each question ran parse_line; only the matching operation ran after it

# %% [markdown]
# ## Locking: one user of a shared resource at a time
#
# Operations run concurrently. That is fast, and usually what you want — but
# not when two of them change the same thing. Here three deposits into one
# bank account each *read* the balance, wait for a slow bank, then *write* it
# back:

# %%
import asyncio
import time

def bank_flow(lock: bool):
    account = Definition("account", "object", lock=lock)
    amount = Definition("amount", int)
    timeline = []

    @op(inputs={"account": account, "amount": amount}, outputs={})
    async def deposit(account, amount):
        start = time.perf_counter()
        balance = account["balance"]          # read ...
        await asyncio.sleep(0.05)             # ... talk to a slow bank ...
        account["balance"] = balance + amount # ... write
        timeline.append({"amount": amount, "start": start, "end": time.perf_counter()})

    return DataFlow(deposit), account, timeline

def three_deposits(lock: bool):
    flow, account, timeline = bank_flow(lock)
    bank = {"balance": 100}
    run_sync(flow, {"bank": [Input(bank, account), {"amount": 10}, {"amount": 20}, {"amount": 5}]})
    table = pd.DataFrame(timeline).sort_values("start")
    t0 = table["start"].min()
    table["start ms"] = ((table["start"] - t0) * 1000).round(1)
    table["end ms"] = ((table["end"] - t0) * 1000).round(1)
    return bank["balance"], table[["amount", "start ms", "end ms"]]

balance, table = three_deposits(lock=False)
print("balance without a lock:", balance, "(expected 135)")
table

# %% [markdown]
# The deposits overlapped, each overwrote the others' work, and money was
# lost. Mark the definition with `lock=True` and the executor hands one
# account input to one running operation at a time:

# %%
balance, table = three_deposits(lock=True)
print("balance with a lock:", balance)
overlaps = (table["start ms"].iloc[1:].to_numpy() < table["end ms"].iloc[:-1].to_numpy()).any()
assert balance == 135 and not overlaps
table


# %% [markdown]
# Each deposit now starts after the previous one ended. Only operations that
# share the locked input wait; everything else still runs concurrently.
#
# ## `expand`: one input per item
#
# An operation that returns a list normally produces *one* input holding the
# list. With `expand=[output]`, each item becomes its own input, and each one
# triggers the operations downstream. A result produced several times comes
# back as a list.

# %%
@op(expand=["word"])
def word(sentence: str) -> list[str]:
    return sentence.split()

@op
def shout(word: str) -> str:
    return word.upper() + "!"

words = DataFlow(word, shout)
run_sync(words, {"s": {"sentence": "flows are fun"}})


# %% [markdown]
# ## Async operations and async generators
#
# `async def` functions are operations too; while one waits (on the network,
# a database, a sleep) the others run. Five contexts that each wait 0.2 s
# finish in about 0.2 s, not 1 s:

# %%
@op
async def fetch(url: str) -> str:
    await asyncio.sleep(0.2)            # pretend to download it
    return f"<html>{url}</html>"

@op
def size(fetch: str) -> int:
    return len(fetch)

pages = DataFlow(fetch, size)
start = time.perf_counter()
sizes = run_sync(pages, [{"url": f"https://example.com/{i}"} for i in range(5)])
print(f"5 downloads in {time.perf_counter() - start:.2f} s")
sizes

# %% [markdown]
# An **async generator** produces a stream: every value it yields is a new
# input, and downstream operations start on it straight away, while the
# generator is still running. Annotate it with `AsyncIterator[type]`.

# %%
from collections.abc import AsyncIterator

@op
async def reading(sensor: str, count: int) -> AsyncIterator[float]:
    for i in range(count):
        await asyncio.sleep(0.01)
        yield round(20 + 0.5 * i, 1)

@op
def fahrenheit(reading: float) -> float:
    return round(reading * 9 / 5 + 32, 1)

sensors = DataFlow(reading, fahrenheit)
run_sync(sensors, {"kitchen": {"sensor": "kitchen", "count": 4}})

# %% [markdown]
# ## The event stream
#
# Everything the graph shows comes from one stream of events: context
# started, operation started / finished (with its duration and a short repr of
# its outputs) / failed, context finished. Pass `on_event=` any callable and
# you get the same information — for logs, progress bars or a quick table.

# %%
events = []
run_sync(calc, {q: {"calc_string": q} for q in questions}, on_event=events.append)

finished = pd.DataFrame(
    {"context": e.context, "operation": e.operation, "ms": e.duration * 1000, "outputs": e.outputs}
    for e in events if e.kind == "operation_finished"
)
finished

# %%
finished.groupby("operation")["ms"].agg(["count", "mean"]).round(3)

# %% [markdown]
# The same stream is an async iterator, and IPython lets you `await` at the top
# level of a cell:

# %%
from dffml_nb.df import events as event_stream

kinds = [event.kind async for event in event_stream(walls, {"shed": {"width": 2, "height": 2}})]
kinds

# %% [markdown]
# ## Export the flow and run it anywhere
#
# `%dffml export NAME --format json|yaml|mermaid|python` turns a flow into
# text. Mermaid draws on GitHub and in Markdown; YAML and JSON are what the
# `dffml-nb` command runs.

# %%
%dffml export order --format mermaid

# %%
%dffml export order --format yaml

# %% [markdown]
# The functions of a `%%dffml flow` cell live in the notebook. To run the flow
# outside it, save the JSON with `-o`, pointing it (`--module`) at a Python
# module, and export the functions as that module (`--format python`):

# %%
%dffml export order --format json --module order_flow -o order.json
%dffml export order --format python -o order_flow.py

# %%
import json

print(json.dumps(json.load(open("order.json"))["operations"]["total"], indent=2))

# %% [markdown]
# Now run it with the command line, as an MLOps engineer or a scheduler would.
# (`{sys.executable} -m dffml_nb` is the `dffml-nb` command of this very
# Python, whatever your `PATH` says.) `-inputs VALUE=DEFINITION` gives the
# inputs, converted to each definition's type; the results are JSON.
#
# A flow file is data: loading it never imports the modules it names unless you
# say you trust it (`-trust`, or `DataFlow.load(path, trust=True)`) — only
# registered plugin names resolve without it. Nor does `dffml-nb` import from
# the current folder by accident: `PYTHONPATH=.` says that `order_flow.py`
# here may be imported.

# %%
import sys

!PYTHONPATH=. {sys.executable} -m dffml_nb dataflow run order.json -trust -inputs 12=quantity 9.5=unit_price

# %% [markdown]
# Flows built in Python save the same way. The calculator's operations live in
# an installed module (`dffml_nb.examples.calc`), which `-trust` lets the
# command import:

# %%
calc.save("calc.json")
!{sys.executable} -m dffml_nb dataflow run calc.json -trust -inputs "multiply 6 and 7=calc_string"

# %%
!{sys.executable} -m dffml_nb dataflow diagram calc.json -trust

# %% [markdown]
# ## Where next
#
# * `03_models.ipynb` — models: train, compare, plot, save.
# * `04_shouldi.ipynb` — a bigger flow: static analysis of a Python package.
# * `05_plugins.ipynb` — share operations and models as installable plugins.
