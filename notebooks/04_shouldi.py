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
# # Should I use this package? A static-analysis flow
#
# DFFML's [shouldi](https://intel.github.io/dffml/main/examples/shouldi.html)
# example answers "should I install this package?" by running analysis tools
# over its code as a dataflow. This notebook builds an offline cousin: given
# the name of an installed package, a flow finds its source files, analyses
# each one **concurrently**, and gathers a report with a verdict per file.
#
# It looks for calls that deserve a second look in code you are about to
# trust: `eval` / `exec`, unpickling (`pickle.loads`, `marshal.loads`), shell
# commands (`os.system`, `subprocess` with `shell=True`) and `yaml.load`
# without a safe loader. Nothing is run or imported: the files are only read
# and parsed with `ast`.
#
# **Change the package name below** and run the notebook again.

# %%
PACKAGE = "dffml_nb"      # any installed package or module: "json", "logging", "email", ...

# %%
import ast
import importlib.util
import os
import threading
from pathlib import Path

import pandas as pd

from dffml_nb import DataFlow, op
from dffml_nb.df import Context
from dffml_nb.nb import DataFlowGraph

# %% [markdown]
# ## The checks
#
# First, plain Python: a visitor that walks a module's syntax tree, works out
# what each call refers to (following `import x as y` and
# `from x import y`), and reports the risky ones with their line numbers.

# %%
# call -> (severity, why)
RISKY = {
    "eval": ("medium", "evaluates a string as code"),
    "exec": ("medium", "executes a string as code"),
    "pickle.load": ("high", "unpickling runs code from the data"),
    "pickle.loads": ("high", "unpickling runs code from the data"),
    "marshal.load": ("high", "unmarshalling untrusted data is unsafe"),
    "marshal.loads": ("high", "unmarshalling untrusted data is unsafe"),
    "os.system": ("high", "runs a shell command"),
    "os.popen": ("high", "runs a shell command"),
    "yaml.unsafe_load": ("high", "YAML that can build any object"),
}
SAFE_LOADERS = ("SafeLoader", "CSafeLoader", "BaseLoader")


class RiskyCalls(ast.NodeVisitor):
    """Collects {line, call, severity, why} for the risky calls of one module."""

    def __init__(self):
        self.aliases = {}      # local name -> the module or object it was imported as
        self.found = []

    def visit_Import(self, node):
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name

    def visit_ImportFrom(self, node):
        for alias in node.names:
            if node.module and not node.level:
                self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def qualified(self, func):
        """`p.loads` -> "pickle.loads" after `import pickle as p`; None for `f()()` etc."""
        parts = []
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        if not isinstance(func, ast.Name):
            return None
        parts.append(self.aliases.get(func.id, func.id))
        return ".".join(reversed(parts))

    def visit_Call(self, node):
        name = self.qualified(node.func)
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        if name in RISKY:
            self.report(node, name, *RISKY[name])
        elif name and name.startswith("subprocess."):
            shell = keywords.get("shell")
            if isinstance(shell, ast.Constant) and shell.value is True:
                self.report(node, f"{name}(shell=True)", "high", "runs a shell command")
        elif name == "yaml.load":
            loader = keywords.get("Loader", node.args[1] if len(node.args) > 1 else None)
            if loader is None or not any(safe in ast.unparse(loader) for safe in SAFE_LOADERS):
                self.report(node, "yaml.load", "high", "no SafeLoader: YAML can build any object")
        self.generic_visit(node)

    def report(self, node, call, severity, why):
        self.found.append({"line": node.lineno, "call": call, "severity": severity, "why": why})


example = '''
import pickle as p, subprocess
from yaml import load, SafeLoader
data = p.loads(blob)
subprocess.run(command, shell=True)
subprocess.run(["ls", "-l"])          # fine: no shell
config = load(text)                   # no Loader: unsafe
config = load(text, Loader=SafeLoader)  # fine
'''
checker = RiskyCalls()
checker.visit(ast.parse(example))
pd.DataFrame(checker.found)


# %% [markdown]
# ## The operations
#
# Five small operations, wired by name as in `02_dataflows.ipynb`:
#
# * `source_file` finds the package's `.py` files. With `expand`, each file
#   becomes its own input, so everything downstream runs once per file.
# * `source` reads and parses one file. Reading files blocks, so it runs in
#   a worker thread (`runner="thread"`): many files are read at once.
# * `metrics` (size, functions, classes) and `risky_calls` both consume the
#   parsed source, so they run side by side; `risky_calls` is a coroutine.
# * `report` is an **output** operation: it runs once at the end of each
#   context, reads every value the flow produced (`ctx.values(...)`), and
#   builds the table.

# %%
@op(expand=["source_file"])
def source_file(package: str) -> list[str]:
    """The .py files of an installed package (or the file of a single module)."""
    spec = importlib.util.find_spec(package)
    if spec is None:
        raise ModuleNotFoundError(f"no installed package or module called {package!r}")
    if spec.submodule_search_locations:              # a package: every .py file in it
        return sorted(
            str(path)
            for folder in spec.submodule_search_locations
            for path in Path(folder).rglob("*.py")
            if "__pycache__" not in path.parts
        )
    if spec.origin and spec.origin.endswith(".py"):  # a single module
        return [spec.origin]
    return []                                         # compiled or built in: no source


# ast.parse in two threads at once can fail on Python 3.11 ("AST constructor
# recursion depth mismatch", CPython gh-106905): files are read side by side,
# parsed one at a time.
PARSING = threading.Lock()


@op(runner="thread")
def source(source_file: str) -> dict:
    """Read and parse one file (blocking I/O: in a worker thread)."""
    text = Path(source_file).read_text(encoding="utf-8", errors="replace")
    try:
        with PARSING:
            tree = ast.parse(text)
    except SyntaxError:
        tree = None
    return {"file": source_file, "text": text, "tree": tree}


@op
def metrics(source: dict) -> dict:
    lines = source["text"].splitlines()
    nodes = list(ast.walk(source["tree"])) if source["tree"] is not None else []
    return {
        "file": source["file"],
        "lines": len(lines),
        "functions": sum(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) for n in nodes),
        "classes": sum(isinstance(n, ast.ClassDef) for n in nodes),
    }


@op
async def risky_calls(source: dict) -> dict:
    checker = RiskyCalls()
    if source["tree"] is not None:
        checker.visit(source["tree"])
    return {"file": source["file"], "findings": checker.found}


VERDICTS = ("risky", "review", "ok")     # worst first


@op(stage="output")
def report(ctx: Context) -> pd.DataFrame:
    """One row per file: size, risky calls and a verdict, the riskiest first."""
    sizes = pd.DataFrame(ctx.values("metrics"), columns=["file", "lines", "functions", "classes"])
    risks = pd.DataFrame(ctx.values("risky_calls"), columns=["file", "findings"])
    table = sizes.merge(risks, on="file")
    table["risky calls"] = table["findings"].map(
        lambda found: ", ".join(f"{f['call']} (line {f['line']})" for f in found)
    )
    table["verdict"] = table["findings"].map(
        lambda found: "risky" if any(f["severity"] == "high" for f in found)
        else "review" if found else "ok"
    )
    if len(table) > 1:          # paths relative to the package's folder
        root = os.path.commonpath(list(table["file"]))
        table["file"] = table["file"].map(lambda f: os.path.relpath(f, root))
    elif len(table) == 1:
        table["file"] = table["file"].map(os.path.basename)
    table["rank"] = table["verdict"].map(VERDICTS.index)
    table = table.sort_values(["rank", "lines"], ascending=[True, False])
    return table.drop(columns=["findings", "rank"]).reset_index(drop=True)


shouldi = DataFlow(source_file, source, metrics, risky_calls, report)
assert shouldi.validate() == []

# %% [markdown]
# ## The flow
#
# Here is the graph. Run the next cell and watch it: `source`, `metrics` and
# `risky_calls` run once per file (the **×n** counts), and `report` once at the
# end. Click a node for its details.

# %%
graph = DataFlowGraph(shouldi, height="300px")
graph

# %%
results = graph.run({PACKAGE: {"package": PACKAGE}})
report_table = results[PACKAGE]["report"]
print(f"{PACKAGE}: {len(report_table)} files, {report_table['lines'].sum():,} lines")
report_table

# %% [markdown]
# A `review` verdict is not an accusation: a notebook extension that runs the
# cells you give it *has* to call `exec`. The point is to know where such
# calls are, and to read those lines before trusting the package.

# %%
graph.counts

# %% [markdown]
# ## Several packages at once
#
# Each package is one **context**; contexts run concurrently, and the graph
# counts every run. The answer to "should I?" is the verdict of the worst
# file.

# %%
packages = list(dict.fromkeys([PACKAGE, "json", "csv", "logging", "pydoc", "webbrowser"]))
everything = graph.run({name: {"package": name} for name in packages})

summary = pd.DataFrame(
    {
        "package": name,
        "files": len(table),
        "lines": int(table["lines"].sum()),
        "risky calls": sum(calls.count("(line") for calls in table["risky calls"]),
        "should I?": min(table["verdict"], key=VERDICTS.index, default="ok"),
    }
    for name, result in everything.items()
    for table in [result["report"]]
)
summary.sort_values("should I?", key=lambda column: column.map(VERDICTS.index))

# %% [markdown]
# ## Where next
#
# * Add a check: e.g. count `TODO` comments, or flag `assert` used to
#   validate input. Write an operation with a `source: dict` parameter, add it
#   to `DataFlow(...)`: the flow wires it in by name, and `report` can read
#   its values with `ctx.values("its_name")`.
# * Move the functions into a module, save the flow
#   (`shouldi.save("shouldi.json")`) and run it from the command line:
#   `dffml-nb dataflow run shouldi.json -trust -inputs json=package`
#   (`-trust`: the file names your module, which the command must import).
