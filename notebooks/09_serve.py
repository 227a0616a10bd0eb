# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Serve a model and a flow over HTTP
#
# A model trained in a notebook, and a dataflow drawn in one, are useful to other
# programs too: a web page, a service, a scheduled job. `dffml_nb.http` serves them
# with a small HTTP API (FastAPI + uvicorn), **while this notebook keeps working**.
#
# We will train DFFML's quickstart model, define a flow, serve both, call them
# with `dffml_nb.http.Client` and with plain `httpx`, watch a run's events stream
# in, serve a model trained to a folder with the `dffml-nb serve` command, and stop.
#
# Everything runs on this machine (`127.0.0.1`), and every request carries the
# server's **token**, as Jupyter's own server does.

# %%
# %load_ext dffml_nb

import tempfile
from pathlib import Path

import httpx
import pandas as pd

import dffml_nb
from dffml_nb.http import Client

work = Path(tempfile.mkdtemp(prefix="dffml-nb-serve-"))

training = pd.DataFrame(
    {
        "Years": [0, 1, 2, 3],
        "Expertise": [1, 3, 5, 7],
        "Trust": [0.1, 0.2, 0.3, 0.4],
        "Salary": [10, 20, 30, 40],
    }
)
newcomers = pd.DataFrame(
    {"Years": [6, 7], "Expertise": [13, 15], "Trust": [0.7, 0.8]}, index=["ana", "ben"]
)

model = dffml_nb.Model.load("scikitlr")(
    features=["Years:int:1", "Expertise:int:1", "Trust:float:1"],
    predict="Salary:float:1",
    location=work / "salary-model",
)
dffml_nb.train(model, training)

# %% [markdown]
# And a flow: DFFML's calculator, written as plain functions. Each function's
# parameters name what it consumes, its name what it produces.

# %%
# %%dffml flow calc
def parse(calc_string: str) -> list:
    return [int(word) for word in calc_string.split() if word.isdigit()]


def total(parse: list) -> int:
    return sum(parse)


# %% [markdown]
# ## Serve them
#
# `serve()` starts a server in a background thread and returns at once. Its
# `url` and `token` are all a client needs. (`%dffml serve calc model` does the
# same from a magic.)

# %%
server = dffml_nb.http.serve(flows={"calc": calc}, models={"salary": model})
server

# %% [markdown]
# ## Call them with the Python client
#
# `Client` speaks the same shapes as the Python API: a DataFrame in, a DataFrame out.

# %%
client = Client(server.url, server.token)
predicted = client.predict("salary", newcomers)
predicted

# %%
client.run("calc", {"calc_string": "add 40 and 2"})

# %% [markdown]
# ## Call them with plain HTTP
#
# Any language can: JSON in, JSON out, the token in the `Authorization` header.
# This is exactly what `dffml-nb predict all` prints for the same records.

# %%
headers = {"Authorization": f"Bearer {server.token}"}
records = [{"key": key, "features": row} for key, row in newcomers.to_dict("index").items()]
response = httpx.post(f"{server.url}/v1/models/salary/predict", headers=headers, json={"records": records})
response.json()

# %% [markdown]
# Mistakes are answered with a `application/problem+json` document that names
# what is at fault — never a traceback:

# %%
wrong = httpx.post(f"{server.url}/v1/models/salery/predict", headers=headers, json={"records": records})
wrong.status_code, wrong.json()["detail"]

# %% [markdown]
# ## Stream a run's events
#
# With `?stream=true` a run answers with a `text/event-stream`: every event of
# the run as it happens, then the results — enough for a web page to animate a
# live graph of a remote run. The client hands them to `on_event`:

# %%
client.run(
    "calc",
    {"first": {"calc_string": "add 1 and 2"}, "second": {"calc_string": "add 30 and 12"}},
    on_event=lambda event: print(f"{event.context:>6}  {event.kind:<18} {event.operation or ''}"),
)

# %% [markdown]
# The raw stream, read with `httpx`:

# %%
body = {"inputs": {"calc_string": "add 2 and 2"}}
with httpx.stream(
    "POST", f"{server.url}/v1/flows/calc/run?stream=true", headers=headers, json=body
) as stream:
    for line in stream.iter_lines():
        if line.startswith("event:"):
            print(line)
        elif line.startswith("data:"):
            data = line
print(data)  # the last event's data: the results

# %% [markdown]
# ## Serve a model trained anywhere, from the command line
#
# `train` saved the model to its `location`. `dffml-nb serve -model NAME=DIR`
# serves it from there, in its own process, and prints its URL with the token
# (here on any free port, `-port 0`). The URL is all `Client` needs.

# %%
import subprocess
import sys
import time

log = work / "serve.log"
model_dir = work / "salary-model"
command = [sys.executable, "-m", "dffml_nb", "serve", "-model", f"salary={model_dir}", "-port", "0"]
process = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT)
try:
    deadline = time.monotonic() + 120
    printed = None
    while printed is None and time.monotonic() < deadline and process.poll() is None:
        lines = log.read_text().splitlines()
        printed = next((line.strip() for line in lines if "?token=" in line), None)
        time.sleep(0.1)
    print(log.read_text().splitlines()[0])
    remote = Client(printed)
    while not remote.healthy() and time.monotonic() < deadline:
        time.sleep(0.1)
    from_the_command = remote.predict("salary", newcomers)
finally:
    process.terminate()  # stop the server we started, by its process
    process.wait(30)
from_the_command

# %% [markdown]
# ## Stop
#
# `server.stop()` stops the background server (so does leaving a
# `with dffml_nb.http.serve(...) as server:` block).

# %%
server.stop()
server
