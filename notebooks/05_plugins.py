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
# # Plugins: share operations and models by name
#
# Everything dffml_nb finds by name — models (`scikitlr`), operations
# (`get_single`), sources (`csv`) and scorers (`mse`) — is a **plugin**. The
# built-ins are registered exactly the way your own package would register
# its plugins: one line each in `pyproject.toml`, under the entry-point groups
# `dffml_nb.model`, `dffml_nb.operation`, `dffml_nb.source` and
# `dffml_nb.scorer`.
#
# In this notebook we write a tiny package with one model and two
# operations, install it (offline), use its plugins by name from Python, a
# dataflow file and the command line — and uninstall it at the end.

# %%
import importlib
import subprocess
import sys
import tempfile
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pandas as pd
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

from dffml_nb import DataFlow, Model, plugins, predict, run_sync, score, train

print("models:", ", ".join(plugins.names("model")[:8]), "...")
print("operations:", ", ".join(plugins.names("operation")))

# %% [markdown]
# A small helper runs pip **with this kernel's Python** (so the package lands
# where this notebook can import it), offline. If the tutorial package is
# still installed from an earlier run, we remove it first, so the notebook
# can be run again and again.

# %%
DIST = "dffml-nb-tutorial-plugins"     # the distribution name pip knows


def pip(*args):
    done = subprocess.run(
        [sys.executable, "-m", "pip", *args, "--disable-pip-version-check", "--quiet"],
        capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pip {' '.join(args)} failed:\n{done.stderr}")


def installed(dist=DIST):
    try:
        distribution(dist)
        return True
    except PackageNotFoundError:
        return False


if installed():
    pip("uninstall", "--yes", DIST)
sys.modules.pop("nbtutorial", None)          # forget a version imported by an earlier run
sys.modules.pop("nbtutorial.models", None)
sys.modules.pop("nbtutorial.ops", None)
importlib.invalidate_caches()
installed()

# %% [markdown]
# ## A package with a model and two operations
#
# The package lives in a temporary folder. `%%writefile` saves a cell as a
# file (`{package}` in its first line is this notebook's variable).

# %%
package = Path(tempfile.mkdtemp()) / "dffml-nb-tutorial-plugins"
(package / "nbtutorial").mkdir(parents=True)
(package / "nbtutorial" / "__init__.py").write_text('"""Tutorial plugins for dffml_nb."""\n')
package

# %% [markdown]
# **The model** is the one every project should start with: a *baseline*
# that ignores the features and predicts the average of the training target.
# Any real model has to beat it. A model subclasses `Model` and implements four
# small hooks; data arrives as numpy arrays, and saving, loading, scoring and
# display come for free.

# %%
%%writefile {package}/nbtutorial/models.py
import numpy as np

from dffml_nb import Model


class Baseline(Model):
    """Predicts the training mean of the target, whatever the features."""

    name = "baseline"
    kind = "regressor"

    def _fit(self, X, y):
        self.mean = float(np.mean(y))

    def _predict(self, X):
        return np.full(len(X), self.mean), None    # values, confidences

    def _get_state(self):
        return {"mean": self.mean}

    def _set_state(self, state):
        self.mean = state["mean"]


# %% [markdown]
# **The operations** are plain functions decorated with `@op`, as in
# `02_dataflows.ipynb`:

# %%
%%writefile {package}/nbtutorial/ops.py
import re

from dffml_nb import op


@op
def slug(title: str) -> str:
    """'Hello, World!' -> 'hello-world'"""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


@op
def words(title: str) -> int:
    return len(title.split())


# %% [markdown]
# **The registration** is the `[project.entry-points."…"]` tables: the name on
# the left is the plugin's name, the right side says where it lives.

# %%
%%writefile {package}/pyproject.toml
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "dffml-nb-tutorial-plugins"
version = "0.1.0"
dependencies = ["dffml_nb"]

[project.entry-points."dffml_nb.model"]
baseline = "nbtutorial.models:Baseline"

[project.entry-points."dffml_nb.operation"]
slug = "nbtutorial.ops:slug"
words = "nbtutorial.ops:words"

[tool.hatch.build.targets.wheel]
packages = ["nbtutorial"]

# %% [markdown]
# ## Install it
#
# `--no-index --no-build-isolation --no-deps` keep pip offline: it builds the
# package with the `hatchling` already installed and fetches nothing. (For a
# package you are still editing, add `--editable`.)
#
# Python caches what it knows about installed packages, so after installing
# from a running kernel, `importlib.invalidate_caches()` makes it look again.

# %%
pip("install", "--no-index", "--no-build-isolation", "--no-deps", str(package))
importlib.invalidate_caches()
assert installed()
print("models:", [n for n in plugins.names("model") if not n.startswith("scikit")])
print("operations:", plugins.names("operation"))

# %% [markdown]
# ## The model, by name
#
# `Model.load("baseline")` finds the class through its entry point, exactly
# like `Model.load("scikitlr")`. Let's see how much a linear model beats
# the baseline on the diabetes data:

# %%
diabetes = load_diabetes(as_frame=True).frame
train_rows, test_rows = train_test_split(diabetes, test_size=0.25, random_state=0)
features = [f"{column}:float:1" for column in diabetes.columns if column != "target"]

scores = {}
for name in ["baseline", "scikitlr"]:
    model = Model.load(name)(features=features, predict="target:float:1")
    train(model, train_rows)
    scores[name] = {scorer: score(model, scorer, "target:float:1", test_rows) for scorer in ["mae", "r2"]}
pd.DataFrame(scores).T.round(3)

# %% [markdown]
# An `r2` of about 0 is what "predicting the average" means; the linear model
# explains about a third of the variance. The plugin behaves like any built-in
# model — here it is saved and reloaded:

# %%
location = Path(tempfile.mkdtemp()) / "baseline"
train(Model.load("baseline")(features=features, predict="target:float:1", location=location), train_rows)
reloaded = Model.load("baseline")(location=location)
predicted = predict(reloaded, test_rows.head(3), as_frame=True)
display(reloaded)       # read from disk when it first predicted
predicted[["target", "target_confidence"]]

# %% [markdown]
# The command line finds it too — it is a separate process, reading the same
# entry points:

# %%
!{sys.executable} -m dffml_nb list models | grep -i baseline

# %% [markdown]
# ## The operations, by name, in a dataflow file
#
# A dataflow file names each operation's function either by import path
# (`package.module:function`) or by its plugin name. Here, by plugin name:

# %%
%%writefile titles.yaml
operations:
  slug:
    func: slug          # the plugin names from pyproject.toml
  words:
    func: words

# %%
titles = DataFlow.load("titles.yaml")
display(titles)
run_sync(titles, {"post": {"title": "Dataflows in Jupyter, with DFFML"}})

# %%
!{sys.executable} -m dffml_nb dataflow run titles.yaml -inputs "Hello, World=title"

# %% [markdown]
# ## Without packaging: import paths
#
# Wherever a plugin name goes, a `module:attribute` path works too — for code
# that is importable but not (yet) packaged. For instance a module in a folder
# on `sys.path`:

# %%
folder = Path(tempfile.mkdtemp())
(folder / "textops.py").write_text(
    "from dffml_nb import op\n\n"
    "@op\n"
    "def shout(slug: str) -> str:\n"
    "    return slug.upper() + '!'\n"
)
sys.path.insert(0, str(folder))

Model.load("nbtutorial.models:Baseline")       # the same class as "baseline"

# %%
%%writefile shout.yaml
operations:
  slug:
    func: slug               # a plugin name ...
  shout:
    func: textops:shout      # ... and an import path, in one flow

# %% [markdown]
# A plugin name is safe to resolve; an import path runs the module it names, so
# loading such a file needs your word that you trust it (`trust=True`, or
# `-trust` on the command line). Without it the error says exactly that.

# %%
try:
    DataFlow.load("shout.yaml")
except Exception as error:
    print(error)

# %%
run_sync(DataFlow.load("shout.yaml", trust=True), {"post": {"title": "Plugins are just entry points"}})

# %% [markdown]
# ## Clean up
#
# Uninstall the tutorial package; its names disappear from the registry.

# %%
pip("uninstall", "--yes", DIST)
importlib.invalidate_caches()
sys.path.remove(str(folder))
assert not installed()
"baseline" in plugins.names("model"), "slug" in plugins.names("operation")

# %% [markdown]
# ## Publishing your own
#
# * Put the entry-point lines in your package's `pyproject.toml`.
# * `pip install` it (or publish it to an index): `Model.load("yourmodel")`,
#   `dffml-nb train -model yourmodel …` and dataflow files that name your
#   operations all find them.
# * Sources (`dffml_nb.source`) and scorers (`dffml_nb.scorer`) register the
#   same way.
