"""Write the tutorial notebooks in this folder (without outputs).

    python notebooks/_build.py            # all of them
    python notebooks/_build.py 02         # the ones whose file name contains "02"

The notebooks are plain data built here, so that their prose and code are easy
to review and edit; the committed .ipynb files are what users open. Each one
runs top to bottom on a fresh kernel with no network (tests/test_notebooks.py).
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
NOTEBOOKS: dict[str, list] = {}


def md(text: str):
    return new_markdown_cell(textwrap.dedent(text).strip("\n"))


def code(text: str, **metadata):
    cell = new_code_cell(textwrap.dedent(text).strip("\n"))
    cell.metadata.update(metadata)
    return cell


def notebook(name: str):
    """Register the decorated function's list of cells as notebook ``name``."""

    def register(build):
        NOTEBOOKS[name] = build
        return build

    return register


def write(name: str, cells: list) -> Path:
    nb = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "pygments_lexer": "ipython3"},
        },
    )
    # stable cell ids, so that rebuilding an unchanged notebook changes nothing
    stem = name.split("_")[0]
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"nb{stem}-{index:03d}"
    nbformat.validate(nb)
    path = HERE / name
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return path


# -- 02: dataflows -------------------------------------------------------------------


@notebook("02_dataflows.ipynb")
def dataflows():
    return [
        md(
            """
            # Dataflows: say *what*, not *how*

            A **dataflow** is a graph of small functions linked by the data they pass
            around. You write the functions; dffml_nb works out the order to call them,
            calls them concurrently where it can, and shows you what happened.

            Three words to know:

            * a **definition** names a kind of data (`quantity`, `subtotal`, …);
            * an **operation** is a function that consumes some definitions and produces others;
            * a **context** is one run of the flow with its own inputs (one order, one file, one customer…).

            Let's start in the notebook, then look at the Python API underneath.
            """
        ),
        code(
            """
            %load_ext dffml_nb
            """
        ),
        md(
            """
            ## Plain functions become a flow

            Put `%%dffml flow NAME` on the first line of a cell and every function in the
            cell becomes an operation. They connect **by name**: a parameter called
            `subtotal` receives what the function `subtotal` returns. The type
            annotations say what kind of data each one is.

            The cell shows the flow as a live graph: operations are boxes, definitions
            are ovals. Flow inputs (data nothing produces) are on the left, results on
            the right.
            """
        ),
        code(
            """
            %%dffml flow order
            def subtotal(quantity: int, unit_price: float) -> float:
                return quantity * unit_price

            def discount(subtotal: float) -> float:
                return round(0.1 * subtotal, 2) if subtotal >= 100 else 0.0

            def total(subtotal: float, discount: float) -> float:
                return round((subtotal - discount) * 1.2, 2)   # with 20% tax
            """
        ),
        md(
            """
            ## Run it

            `%dffml run NAME definition=value …` runs the flow once. Watch the graph
            above: each operation lights up while it runs and turns green when it is
            done (the **×1** says how many times it ran). The results come back as a
            table — and as a plain dict if you assign them.

            **Click a node** in the graph to see its details: the signature, the last
            inputs and outputs, and how long it took.
            """
        ),
        code(
            """
            %dffml run order quantity=12 unit_price=9.5
            """
        ),
        code(
            """
            r = %dffml run order quantity=3 unit_price=2.5
            r["total"]
            """
        ),
        md(
            """
            The graph is readable from Python too: `graph.status` is what the nodes
            show, and `graph.details(name)` is what a click shows.
            """
        ),
        code(
            """
            from dffml_nb.nb.graph.display import graph_for

            graph = graph_for(order)          # the widget drawn above (the flow is bound as `order`)
            graph.status
            """
        ),
        code(
            """
            graph.details("total")
            """
        ),
        md(
            """
            `%dffml list` shows the flows of this kernel, and `%dffml help` every subcommand.
            """
        ),
        code(
            """
            %dffml list
            """
        ),
        md(
            """
            ## The Python API

            The magic is a thin layer over three names: `op` turns a function into an
            operation (inferring its inputs and output from the signature), `DataFlow`
            links operations, and `run_sync` runs a flow and returns
            `{context: results}`. Several contexts run concurrently; each has its own
            inputs.
            """
        ),
        code(
            """
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
            """
        ),
        md(
            """
            The decorated functions are still plain functions — handy for testing them:
            """
        ),
        code(
            """
            area(2, 3)
            """
        ),
        md(
            """
            A `DataFlow` displays as its graph. To animate a flow you built in Python,
            make its `DataFlowGraph` and call `graph.run(...)` (or pass
            `on_event=graph.on_event` to `run_sync`).
            """
        ),
        code(
            """
            from dffml_nb.nb import DataFlowGraph

            walls_graph = DataFlowGraph(walls, height="220px")
            display(walls_graph)
            walls_graph.run([{"width": w, "height": 2.5} for w in range(1, 51)])   # 50 contexts
            walls_graph.status
            """
        ),
        md(
            """
            ## Conditions: DFFML's calculator

            An operation with `conditions=[definition]` runs only when an input of that
            (boolean) definition is true. In DFFML's calculator, `parse_line` reads a
            sentence and says whether it asks to add or to multiply; `add` and `mult`
            are each gated by one of those answers (dashed edges in the graph).

            The calculator also uses explicit `Definition`s shared between operations —
            the DFFML style for a common vocabulary — and the built-in output operation
            `get_single`, which picks the `result` for each context.
            """
        ),
        code(
            """
            from dffml_nb.examples.calc import calc_flow

            calc = calc_flow()
            calc_graph = DataFlowGraph(calc, height="260px")
            calc_graph
            """
        ),
        code(
            """
            import pandas as pd

            questions = ["add 40 and 2", "multiply 42 and 10", "add 1 and 2 and 3", "multiply 6 and 7"]
            answers = calc_graph.run({q: {"calc_string": q} for q in questions})
            pd.DataFrame({"question": list(answers), "result": [a["result"] for a in answers.values()]})
            """
        ),
        code(
            """
            calc_graph.counts      # each question ran parse_line; only the matching operation ran after it
            """
        ),
        md(
            """
            ## Locking: one user of a shared resource at a time

            Operations run concurrently. That is fast, and usually what you want — but
            not when two of them change the same thing. Here three deposits into one
            bank account each *read* the balance, wait for a slow bank, then *write* it
            back:
            """
        ),
        code(
            """
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
            """
        ),
        md(
            """
            The deposits overlapped, each overwrote the others' work, and money was
            lost. Mark the definition with `lock=True` and the executor hands one
            account input to one running operation at a time:
            """
        ),
        code(
            """
            balance, table = three_deposits(lock=True)
            print("balance with a lock:", balance)
            overlaps = (table["start ms"].iloc[1:].to_numpy() < table["end ms"].iloc[:-1].to_numpy()).any()
            assert balance == 135 and not overlaps
            table
            """
        ),
        md(
            """
            Each deposit now starts after the previous one ended. Only operations that
            share the locked input wait; everything else still runs concurrently.

            ## `expand`: one input per item

            An operation that returns a list normally produces *one* input holding the
            list. With `expand=[output]`, each item becomes its own input, and each one
            triggers the operations downstream. A result produced several times comes
            back as a list.
            """
        ),
        code(
            """
            @op(expand=["word"])
            def word(sentence: str) -> list[str]:
                return sentence.split()

            @op
            def shout(word: str) -> str:
                return word.upper() + "!"

            words = DataFlow(word, shout)
            run_sync(words, {"s": {"sentence": "flows are fun"}})
            """
        ),
        md(
            """
            ## Async operations and async generators

            `async def` functions are operations too; while one waits (on the network,
            a database, a sleep) the others run. Five contexts that each wait 0.2 s
            finish in about 0.2 s, not 1 s:
            """
        ),
        code(
            """
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
            """
        ),
        md(
            """
            An **async generator** produces a stream: every value it yields is a new
            input, and downstream operations start on it straight away, while the
            generator is still running. Annotate it with `AsyncIterator[type]`.
            """
        ),
        code(
            """
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
            """
        ),
        md(
            """
            ## The event stream

            Everything the graph shows comes from one stream of events: context
            started, operation started / finished (with its duration and a short repr of
            its outputs) / failed, context finished. Pass `on_event=` any callable and
            you get the same information — for logs, progress bars or a quick table.
            """
        ),
        code(
            """
            events = []
            run_sync(calc, {q: {"calc_string": q} for q in questions}, on_event=events.append)

            finished = pd.DataFrame(
                {"context": e.context, "operation": e.operation, "ms": e.duration * 1000, "outputs": e.outputs}
                for e in events if e.kind == "operation_finished"
            )
            finished
            """
        ),
        code(
            """
            finished.groupby("operation")["ms"].agg(["count", "mean"]).round(3)
            """
        ),
        md(
            """
            The same stream is an async iterator, and IPython lets you `await` at the top
            level of a cell:
            """
        ),
        code(
            """
            from dffml_nb.df import events as event_stream

            kinds = [event.kind async for event in event_stream(walls, {"shed": {"width": 2, "height": 2}})]
            kinds
            """
        ),
        md(
            """
            ## Export the flow and run it anywhere

            `%dffml export NAME --format json|yaml|mermaid|python` turns a flow into
            text. Mermaid draws on GitHub and in Markdown; YAML and JSON are what the
            `dffml-nb` command runs.
            """
        ),
        code(
            """
            %dffml export order --format mermaid
            """
        ),
        code(
            """
            %dffml export order --format yaml
            """
        ),
        md(
            """
            The functions of a `%%dffml flow` cell live in the notebook. To run the flow
            outside it, save the JSON with `-o`, pointing it (`--module`) at a Python
            module, and export the functions as that module (`--format python`):
            """
        ),
        code(
            """
            %dffml export order --format json --module order_flow -o order.json
            %dffml export order --format python -o order_flow.py
            """
        ),
        code(
            """
            import json

            print(json.dumps(json.load(open("order.json"))["operations"]["total"], indent=2))
            """
        ),
        md(
            """
            Now run it with the command line, as an MLOps engineer or a scheduler would.
            (`{sys.executable} -m dffml_nb` is the `dffml-nb` command of this very
            Python, whatever your `PATH` says.) `-inputs VALUE=DEFINITION` gives the
            inputs, converted to each definition's type; the results are JSON.
            """
        ),
        code(
            """
            import sys

            !{sys.executable} -m dffml_nb dataflow run order.json -inputs 12=quantity 9.5=unit_price
            """
        ),
        md(
            """
            Flows built in Python save the same way. The calculator's operations live in
            an importable module, so its file runs as it is:
            """
        ),
        code(
            """
            calc.save("calc.json")
            !{sys.executable} -m dffml_nb dataflow run calc.json -inputs "multiply 6 and 7=calc_string"
            """
        ),
        code(
            """
            !{sys.executable} -m dffml_nb dataflow diagram calc.json
            """
        ),
        md(
            """
            ## Where next

            * `03_models.ipynb` — models: train, compare, plot, save.
            * `04_shouldi.ipynb` — a bigger flow: static analysis of a Python package.
            * `05_plugins.ipynb` — share operations and models as installable plugins.
            """
        ),
    ]


# -- 03: models ------------------------------------------------------------------------


@notebook("03_models.ipynb")
def models():
    return [
        md(
            """
            # Models: train, compare, plot, save

            dffml_nb puts many models — the scikit-learn family under
            [dffml-model-scikit](https://intel.github.io/dffml/)'s names, plus your own —
            behind one small API:

            ```python
            model = Model.load("scikitrfr")(features=[...], predict="target:float:1")
            train(model, data)                   # data: DataFrames, files, dict rows, sources
            score(model, "mse", "target:float:1", test_data)
            predict(model, new_data, as_frame=True)
            ```

            Because every model is configured the same way, comparing them is a loop.
            All the data here ships with scikit-learn: no download needed.
            """
        ),
        code(
            """
            %matplotlib inline
            import tempfile
            import time
            from pathlib import Path

            import pandas as pd
            from sklearn.datasets import load_diabetes, load_wine
            from sklearn.model_selection import train_test_split

            from dffml_nb import Model, predict, score, train
            from dffml_nb.nb.ml import plots
            """
        ),
        md(
            """
            ## Regression: the diabetes data

            442 patients, ten baseline measurements (age, sex, body-mass index, blood
            pressure and six blood serum values, already centred and scaled), and the
            `target`: a measure of how far the disease progressed one year later.
            We keep a quarter of the patients aside to test on.
            """
        ),
        code(
            """
            diabetes = load_diabetes(as_frame=True).frame
            train_rows, test_rows = train_test_split(diabetes, test_size=0.25, random_state=0)
            print(len(train_rows), "training rows,", len(test_rows), "test rows")
            diabetes.head()
            """
        ),
        md(
            """
            A model needs its **features** and the value to **predict**, written as DFFML
            writes them: `name:type:length`.
            """
        ),
        code(
            """
            features = [f"{column}:float:1" for column in diabetes.columns if column != "target"]
            target = "target:float:1"
            features
            """
        ),
        md(
            """
            A small helper trains each model on the same rows and scores it on the same
            test rows, with several scorers. `mse` and `mae` are errors (lower is
            better); `r2` is the share of the variance explained (higher is better).
            """
        ),
        code(
            """
            def compare(names, train_rows, test_rows, features, target, scorers, options=None):
                \"\"\"Train each model, score it on the test rows; returns (table, {name: model}).\"\"\"
                rows, trained = [], {}
                for name in names:
                    model = Model.load(name)(features=features, predict=target, **(options or {}).get(name, {}))
                    start = time.perf_counter()
                    train(model, train_rows)
                    seconds = time.perf_counter() - start
                    row = {"model": name}
                    row.update({scorer: score(model, scorer, target, test_rows) for scorer in scorers})
                    row["train (s)"] = seconds
                    rows.append(row)
                    trained[name] = model
                return pd.DataFrame(rows).set_index("model").round(3), trained

            regression, regressors = compare(
                ["scikitlr", "scikitridge", "scikitrfr", "scikitgbr", "scikitknr"],
                train_rows, test_rows, features, target, ["mse", "mae", "r2"],
                options={"scikitrfr": {"random_state": 0}, "scikitgbr": {"random_state": 0}},
            )
            regression.sort_values("r2", ascending=False)
            """
        ),
        md(
            """
            On this small data set the plain linear models win: the forests and boosted
            trees have more freedom than 330 patients can justify.

            ### Predicted vs actual

            Each dot is a test patient; a perfect model puts every dot on the dashed
            line. `dffml_nb.nb.ml.plots` makes the figures the training widget shows
            (`%matplotlib inline`, in the first cell, lets a figure show itself).
            """
        ),
        code(
            """
            best = regressors["scikitlr"]
            predicted = predict(best, test_rows, as_frame=True)
            predicted.head()
            """
        ),
        code(
            """
            plots.predicted_vs_actual(test_rows["target"], predicted["target"], "target")
            """
        ),
        md(
            """
            ### What the models look at

            Linear models have coefficients; tree ensembles have feature importances.
            `plots.feature_weights` draws whichever the model has.
            """
        ),
        code(
            """
            kind, figure = plots.feature_weights(regressors["scikitrfr"])
            figure
            """
        ),
        md(
            """
            Body-mass index (`bmi`) and `s5` (a blood serum measurement) carry most of
            the signal.

            ## Classification: the wine data

            178 wines from three cultivars (growers), thirteen chemical measurements
            each. The cultivar names make readable labels; a classifier predicts a
            `str` here. We split *stratified*, so each cultivar is in both halves.
            """
        ),
        code(
            """
            wine_data = load_wine(as_frame=True)
            wine = wine_data.frame.rename(columns={"od280/od315_of_diluted_wines": "od280_od315"})
            wine["cultivar"] = wine_data.target_names[wine_data.target]
            wine = wine.drop(columns="target")

            wine_train, wine_test = train_test_split(wine, test_size=0.3, random_state=0, stratify=wine["cultivar"])
            wine_features = [f"{column}:float:1" for column in wine.columns if column != "cultivar"]
            wine_target = "cultivar:str:1"
            wine.sample(5, random_state=0)
            """
        ),
        code(
            """
            raw, _ = compare(
                ["scikitrfc", "scikitgnb", "scikitknn", "scikitsvc"],
                wine_train, wine_test, wine_features, wine_target, ["accuracy", "f1"],
                options={"scikitrfc": {"random_state": 0}},
            )
            raw
            """
        ),
        md(
            """
            The forest and naive Bayes do well; k-nearest-neighbours and the support
            vector machine do not. Both measure *distances* between wines, and
            `proline` (in the hundreds) drowns out `hue` (around 1). Scale every feature
            to mean 0 and standard deviation 1 — with the training rows' statistics
            only, so nothing leaks from the test rows — and try again, this time with
            logistic regression too:
            """
        ),
        code(
            """
            columns = [column for column in wine.columns if column != "cultivar"]
            mean, std = wine_train[columns].mean(), wine_train[columns].std()
            scaled_train, scaled_test = wine_train.copy(), wine_test.copy()
            scaled_train[columns] = (wine_train[columns] - mean) / std
            scaled_test[columns] = (wine_test[columns] - mean) / std

            scaled, classifiers = compare(
                ["scikitlor", "scikitrfc", "scikitgnb", "scikitknn", "scikitsvc"],
                scaled_train, scaled_test, wine_features, wine_target, ["accuracy", "f1"],
                options={"scikitrfc": {"random_state": 0}},
            )
            pd.concat({"raw": raw["accuracy"], "scaled": scaled["accuracy"]}, axis=1)
            """
        ),
        md(
            """
            ### The confusion matrix

            Rows are the true cultivar, columns the predicted one: everything off the
            diagonal is a mistake. Here is k-nearest-neighbours on the scaled data:
            """
        ),
        code(
            """
            knn_predicted = predict(classifiers["scikitknn"], scaled_test, as_frame=True)
            plots.confusion_matrix(scaled_test["cultivar"], knn_predicted["cultivar"])
            """
        ),
        md(
            """
            Classifiers report a **confidence** with each prediction: the probability
            of the class they chose. The least confident predictions are the ones to
            look at first:
            """
        ),
        code(
            """
            knn_predicted.assign(actual=scaled_test["cultivar"].to_numpy()).sort_values("cultivar_confidence")[
                ["cultivar", "cultivar_confidence", "actual"]
            ].head()
            """
        ),
        code(
            """
            kind, figure = plots.feature_weights(classifiers["scikitrfc"])
            figure
            """
        ),
        md(
            """
            ## Save a model, load it back

            Give a model a `location` (a directory) and training saves it there. A new
            model object with the same location predicts straight away, without
            retraining — in another notebook, a script, or `dffml-nb predict`.

            The files are written with [skops](https://skops.readthedocs.io/) and an
            allow-list of scikit-learn types: unlike pickle, loading a model file cannot
            run arbitrary code.
            """
        ),
        code(
            """
            location = Path(tempfile.mkdtemp()) / "wine_forest"

            forest = Model.load("scikitrfc")(
                features=wine_features, predict=wine_target, location=location, n_estimators=50, random_state=0
            )
            train(forest, scaled_train)
            sorted(path.name for path in location.iterdir())
            """
        ),
        code(
            """
            reloaded = Model.load("scikitrfc")(location=location)     # no features, no training: all read from disk
            again = predict(reloaded, scaled_test, as_frame=True)
            first = predict(forest, scaled_test, as_frame=True)
            assert (again["cultivar"] == first["cultivar"]).all()
            print("same predictions; accuracy", score(reloaded, "accuracy", wine_target, scaled_test))
            """
        ),
        md(
            """
            ## Rich display

            Models, records and scorers show themselves as small tables in a notebook.
            The reloaded model knows its features, target, hyperparameters and last
            score:
            """
        ),
        code(
            """
            reloaded
            """
        ),
        code(
            """
            [record] = predict(reloaded, scaled_test.head(1))
            record
            """
        ),
        code(
            """
            from dffml_nb.scorer import Scorer

            Scorer.load("f1")
            """
        ),
        md(
            """
            ## Next

            * `01_quickstart.ipynb` has the `ModelTrainer` and `Predictor` widgets: the
              same models from forms, with these plots.
            * A trained model is also a dataflow operation (`model.as_op()`), so it can
              sit in a flow beside the functions that compute its features — see
              `02_dataflows.ipynb` for flows.
            """
        ),
    ]


# -- 04: shouldi ------------------------------------------------------------------------


@notebook("04_shouldi.ipynb")
def shouldi():
    return [
        md(
            """
            # Should I use this package? A static-analysis flow

            DFFML's [shouldi](https://intel.github.io/dffml/main/examples/shouldi.html)
            example answers "should I install this package?" by running analysis tools
            over its code as a dataflow. This notebook builds an offline cousin: given
            the name of an installed package, a flow finds its source files, analyses
            each one **concurrently**, and gathers a report with a verdict per file.

            It looks for calls that deserve a second look in code you are about to
            trust: `eval` / `exec`, unpickling (`pickle.loads`, `marshal.loads`), shell
            commands (`os.system`, `subprocess` with `shell=True`) and `yaml.load`
            without a safe loader. Nothing is run or imported: the files are only read
            and parsed with `ast`.

            **Change the package name below** and run the notebook again.
            """
        ),
        code(
            """
            PACKAGE = "dffml_nb"      # any installed package or module: "json", "logging", "email", ...
            """
        ),
        code(
            """
            import ast
            import importlib.util
            import os
            from pathlib import Path

            import pandas as pd

            from dffml_nb import DataFlow, op
            from dffml_nb.df import Context
            from dffml_nb.nb import DataFlowGraph
            """
        ),
        md(
            """
            ## The checks

            First, plain Python: a visitor that walks a module's syntax tree, works out
            what each call refers to (following `import x as y` and
            `from x import y`), and reports the risky ones with their line numbers.
            """
        ),
        code(
            """
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
                \"\"\"Collects {line, call, severity, why} for the risky calls of one module.\"\"\"

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
                    \"\"\"`p.loads` -> "pickle.loads" after `import pickle as p`; None for `f()()` etc.\"\"\"
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
            """
        ),
        md(
            """
            ## The operations

            Five small operations, wired by name as in `02_dataflows.ipynb`:

            * `source_file` finds the package's `.py` files. With `expand`, each file
              becomes its own input, so everything downstream runs once per file.
            * `source` reads and parses one file. Reading files blocks, so it runs in
              a worker thread (`runner="thread"`): many files are read at once.
            * `metrics` (size, functions, classes) and `risky_calls` both consume the
              parsed source, so they run side by side; `risky_calls` is a coroutine.
            * `report` is an **output** operation: it runs once at the end of each
              context, reads every value the flow produced (`ctx.values(...)`), and
              builds the table.
            """
        ),
        code(
            """
            @op(expand=["source_file"])
            def source_file(package: str) -> list[str]:
                \"\"\"The .py files of an installed package (or the file of a single module).\"\"\"
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


            @op(runner="thread")
            def source(source_file: str) -> dict:
                \"\"\"Read and parse one file (blocking I/O: in a worker thread).\"\"\"
                text = Path(source_file).read_text(encoding="utf-8", errors="replace")
                try:
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
                \"\"\"One row per file: size, risky calls and a verdict, the riskiest first.\"\"\"
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
            """
        ),
        md(
            """
            ## The flow

            Here is the graph. Run the next cell and watch it: `source`, `metrics` and
            `risky_calls` run once per file (the **×n** counts), and `report` once at the
            end. Click a node for its details.
            """
        ),
        code(
            """
            graph = DataFlowGraph(shouldi, height="300px")
            graph
            """
        ),
        code(
            """
            results = graph.run({PACKAGE: {"package": PACKAGE}})
            report_table = results[PACKAGE]["report"]
            print(f"{PACKAGE}: {len(report_table)} files, {report_table['lines'].sum():,} lines")
            report_table
            """
        ),
        md(
            """
            A `review` verdict is not an accusation: a notebook extension that runs the
            cells you give it *has* to call `exec`. The point is to know where such
            calls are, and to read those lines before trusting the package.
            """
        ),
        code(
            """
            graph.counts
            """
        ),
        md(
            """
            ## Several packages at once

            Each package is one **context**; contexts run concurrently, and the graph
            counts every run. The answer to "should I?" is the verdict of the worst
            file.
            """
        ),
        code(
            """
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
            """
        ),
        md(
            """
            ## Where next

            * Add a check: e.g. count `TODO` comments, or flag `assert` used to
              validate input. Write an operation with a `source: dict` parameter, add it
              to `DataFlow(...)`: the flow wires it in by name, and `report` can read
              its values with `ctx.values("its_name")`.
            * Move the functions into a module, save the flow
              (`shouldi.save("shouldi.json")`) and run it from the command line:
              `dffml-nb dataflow run shouldi.json -inputs json=package`.
            """
        ),
    ]



# -- 05: plugins ------------------------------------------------------------------------


@notebook("05_plugins.ipynb")
def plugins_notebook():
    return [
        md(
            """
            # Plugins: share operations and models by name

            Everything dffml_nb finds by name — models (`scikitlr`), operations
            (`get_single`), sources (`csv`) and scorers (`mse`) — is a **plugin**. The
            built-ins are registered exactly the way your own package would register
            its plugins: one line each in `pyproject.toml`, under the entry-point groups
            `dffml_nb.model`, `dffml_nb.operation`, `dffml_nb.source` and
            `dffml_nb.scorer`.

            In this notebook we write a tiny package with one model and two
            operations, install it (offline), use its plugins by name from Python, a
            dataflow file and the command line — and uninstall it at the end.
            """
        ),
        code(
            """
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
            """
        ),
        md(
            """
            A small helper runs pip **with this kernel's Python** (so the package lands
            where this notebook can import it), offline. If the tutorial package is
            still installed from an earlier run, we remove it first, so the notebook
            can be run again and again.
            """
        ),
        code(
            """
            DIST = "dffml-nb-tutorial-plugins"     # the distribution name pip knows


            def pip(*args):
                done = subprocess.run(
                    [sys.executable, "-m", "pip", *args, "--disable-pip-version-check", "--quiet"],
                    capture_output=True, text=True,
                )
                if done.returncode != 0:
                    raise RuntimeError(f"pip {' '.join(args)} failed:\\n{done.stderr}")


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
            """
        ),
        md(
            """
            ## A package with a model and two operations

            The package lives in a temporary folder. `%%writefile` saves a cell as a
            file (`{package}` in its first line is this notebook's variable).
            """
        ),
        code(
            """
            package = Path(tempfile.mkdtemp()) / "dffml-nb-tutorial-plugins"
            (package / "nbtutorial").mkdir(parents=True)
            (package / "nbtutorial" / "__init__.py").write_text('\"\"\"Tutorial plugins for dffml_nb.\"\"\"\\n')
            package
            """
        ),
        md(
            """
            **The model** is the one every project should start with: a *baseline*
            that ignores the features and predicts the average of the training target.
            Any real model has to beat it. A model subclasses `Model` and implements four
            small hooks; data arrives as numpy arrays, and saving, loading, scoring and
            display come for free.
            """
        ),
        code(
            """
            %%writefile {package}/nbtutorial/models.py
            import numpy as np

            from dffml_nb import Model


            class Baseline(Model):
                \"\"\"Predicts the training mean of the target, whatever the features.\"\"\"

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
            """
        ),
        md(
            """
            **The operations** are plain functions decorated with `@op`, as in
            `02_dataflows.ipynb`:
            """
        ),
        code(
            """
            %%writefile {package}/nbtutorial/ops.py
            import re

            from dffml_nb import op


            @op
            def slug(title: str) -> str:
                \"\"\"'Hello, World!' -> 'hello-world'\"\"\"
                return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


            @op
            def words(title: str) -> int:
                return len(title.split())
            """
        ),
        md(
            """
            **The registration** is the `[project.entry-points."…"]` tables: the name on
            the left is the plugin's name, the right side says where it lives.
            """
        ),
        code(
            """
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
            """
        ),
        md(
            """
            ## Install it

            `--no-index --no-build-isolation --no-deps` keep pip offline: it builds the
            package with the `hatchling` already installed and fetches nothing. (For a
            package you are still editing, add `--editable`.)

            Python caches what it knows about installed packages, so after installing
            from a running kernel, `importlib.invalidate_caches()` makes it look again.
            """
        ),
        code(
            """
            pip("install", "--no-index", "--no-build-isolation", "--no-deps", str(package))
            importlib.invalidate_caches()
            assert installed()
            print("models:", [n for n in plugins.names("model") if not n.startswith("scikit")])
            print("operations:", plugins.names("operation"))
            """
        ),
        md(
            """
            ## The model, by name

            `Model.load("baseline")` finds the class through its entry point, exactly
            like `Model.load("scikitlr")`. Let's see how much a linear model beats
            the baseline on the diabetes data:
            """
        ),
        code(
            """
            diabetes = load_diabetes(as_frame=True).frame
            train_rows, test_rows = train_test_split(diabetes, test_size=0.25, random_state=0)
            features = [f"{column}:float:1" for column in diabetes.columns if column != "target"]

            scores = {}
            for name in ["baseline", "scikitlr"]:
                model = Model.load(name)(features=features, predict="target:float:1")
                train(model, train_rows)
                scores[name] = {scorer: score(model, scorer, "target:float:1", test_rows) for scorer in ["mae", "r2"]}
            pd.DataFrame(scores).T.round(3)
            """
        ),
        md(
            """
            An `r2` of about 0 is what "predicting the average" means; the linear model
            explains about a third of the variance. The plugin behaves like any built-in
            model — here it is saved and reloaded:
            """
        ),
        code(
            """
            location = Path(tempfile.mkdtemp()) / "baseline"
            train(Model.load("baseline")(features=features, predict="target:float:1", location=location), train_rows)
            reloaded = Model.load("baseline")(location=location)
            predicted = predict(reloaded, test_rows.head(3), as_frame=True)
            display(reloaded)       # read from disk when it first predicted
            predicted[["target", "target_confidence"]]
            """
        ),
        md(
            """
            The command line finds it too — it is a separate process, reading the same
            entry points:
            """
        ),
        code(
            """
            !{sys.executable} -m dffml_nb list models | grep -i baseline
            """
        ),
        md(
            """
            ## The operations, by name, in a dataflow file

            A dataflow file names each operation's function either by import path
            (`package.module:function`) or by its plugin name. Here, by plugin name:
            """
        ),
        code(
            """
            %%writefile titles.yaml
            operations:
              slug:
                func: slug          # the plugin names from pyproject.toml
              words:
                func: words
            """
        ),
        code(
            """
            titles = DataFlow.load("titles.yaml")
            display(titles)
            run_sync(titles, {"post": {"title": "Dataflows in Jupyter, with DFFML"}})
            """
        ),
        code(
            """
            !{sys.executable} -m dffml_nb dataflow run titles.yaml -inputs "Hello, World=title"
            """
        ),
        md(
            """
            ## Without packaging: import paths

            Wherever a plugin name goes, a `module:attribute` path works too — for code
            that is importable but not (yet) packaged. For instance a module in a folder
            on `sys.path`:
            """
        ),
        code(
            """
            folder = Path(tempfile.mkdtemp())
            (folder / "textops.py").write_text(
                "from dffml_nb import op\\n\\n"
                "@op\\n"
                "def shout(slug: str) -> str:\\n"
                "    return slug.upper() + '!'\\n"
            )
            sys.path.insert(0, str(folder))

            Model.load("nbtutorial.models:Baseline")       # the same class as "baseline"
            """
        ),
        code(
            """
            %%writefile shout.yaml
            operations:
              slug:
                func: slug               # a plugin name ...
              shout:
                func: textops:shout      # ... and an import path, in one flow
            """
        ),
        code(
            """
            run_sync(DataFlow.load("shout.yaml"), {"post": {"title": "Plugins are just entry points"}})
            """
        ),
        md(
            """
            ## Clean up

            Uninstall the tutorial package; its names disappear from the registry.
            """
        ),
        code(
            """
            pip("uninstall", "--yes", DIST)
            importlib.invalidate_caches()
            sys.path.remove(str(folder))
            assert not installed()
            "baseline" in plugins.names("model"), "slug" in plugins.names("operation")
            """
        ),
        md(
            """
            ## Publishing your own

            * Put the entry-point lines in your package's `pyproject.toml`.
            * `pip install` it (or publish it to an index): `Model.load("yourmodel")`,
              `dffml-nb train -model yourmodel …` and dataflow files that name your
              operations all find them.
            * Sources (`dffml_nb.source`) and scorers (`dffml_nb.scorer`) register the
              same way.
            """
        ),
    ]


# -- 06: dashboard ----------------------------------------------------------------------


@notebook("06_dashboard.ipynb")
def dashboard():
    return [
        md(
            """
            # dffml_nb dashboard

            Train a model on the iris flowers or the diabetes patients, predict with it,
            and watch a dataflow run — all from widgets.
            """
        ),
        code(
            """
            # A dashboard: run every cell, or open it with Voilà to see only the widgets
            # (Voilà hides the code):
            #
            #     voila notebooks/06_dashboard.ipynb
            #
            # Every cell but the last only sets things up and shows nothing.
            import html

            import ipywidgets as widgets
            import pandas as pd
            from sklearn.datasets import load_diabetes, load_iris

            from dffml_nb import Model, train
            from dffml_nb.examples.calc import calc_flow
            from dffml_nb.nb import DataFlowGraph, ModelTrainer, Predictor
            """
        ),
        code(
            """
            # the data: iris flowers (classification) and diabetes patients (regression)
            iris_data = load_iris(as_frame=True)
            iris = iris_data.frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
            iris["species"] = iris_data.target_names[iris_data.target]
            iris = iris.drop(columns="target")
            diabetes = load_diabetes(as_frame=True).frame
            """
        ),
        code(
            """
            # Train tab: the trainer offers both data sets, starting with iris and a random forest
            trainer = ModelTrainer(
                data=iris,
                namespace={"iris": iris, "diabetes": diabetes},
                model="scikitrfc",
                target="species",
                test_size=0.3,
            )
            """
        ),
        code(
            """
            # Predict tab: a model to start with; it follows the trainer after each training
            starter = Model.load("scikitrfc")(
                features=[f"{c}:float:1" for c in iris.columns if c != "species"],
                predict="species:str:1",
                n_estimators=50,
                random_state=0,
            )
            train(starter, iris)
            predict_tab = widgets.VBox([Predictor(starter, data=iris)])
            predict_note = widgets.HTML(
                "<i>Predicting with a random forest trained on all of iris. "
                "Train a model in the <b>Train</b> tab and it is used here.</i>"
            )


            def use_trained_model(button):
                if trainer.model is not None and trainer.error is None:
                    predict_tab.children = [trainer.predictor()]
                    predict_note.value = (
                        f"<i>Predicting with the {html.escape(trainer.model_name.value)} model "
                        f"trained in the <b>Train</b> tab.</i>"
                    )


            trainer.train_button.on_click(use_trained_model)   # runs after the trainer's own handler
            """
        ),
        code(
            """
            # Dataflow tab: DFFML's calculator, with a text box and a Run button
            calc_graph = DataFlowGraph(calc_flow(), height="300px")
            question = widgets.Text(
                value="multiply 6 and 7", description="Ask", continuous_update=False, layout=widgets.Layout(width="360px")
            )
            run_button = widgets.Button(description="Run", button_style="primary", icon="play")
            answer = widgets.HTML()


            def run_flow(_=None):
                try:
                    results = calc_graph.run({question.value: {"calc_string": question.value}})
                except Exception as error:  # show, don't raise: this is a dashboard
                    answer.value = f"<span style='color:#b00020'>{html.escape(str(error))}</span>"
                    return
                result = results[question.value].get("result", "no answer (try 'add 1 and 2')")
                answer.value = f"<b>{html.escape(question.value)}</b> = <b>{html.escape(str(result))}</b>"


            run_button.on_click(run_flow)
            question.observe(run_flow, "value")     # Enter in the text box runs it too
            """
        ),
        code(
            """
            tabs = widgets.Tab(
                children=[
                    trainer,
                    widgets.VBox([predict_note, predict_tab]),
                    widgets.VBox([widgets.HBox([question, run_button]), answer, calc_graph]),
                ],
                titles=["Train", "Predict", "Dataflow"],
            )
            tabs
            """
        ),
    ]


# -- 01: quickstart ---------------------------------------------------------------------


@notebook("01_quickstart.ipynb")
def quickstart():
    return [
        md(
            """
            # Quickstart: predict a salary

            This is [DFFML's quickstart](https://intel.github.io/dffml/main/quickstart/model.html)
            in a notebook. We have a few people's **years** of experience, level of
            **expertise** and the **trust** their colleagues place in them, and their
            **salary**. We will train a model on four of them, check it on two more, and
            predict the salary of two newcomers.

            You will see the same steps three ways: the Python API, the `%dffml` magics
            (DFFML's command line, inside the notebook) and widgets.
            """
        ),
        code(
            """
            %load_ext dffml_nb

            import tempfile

            import numpy as np
            import pandas as pd

            from dffml_nb import Model, predict, score, train
            """
        ),
        md(
            """
            ## The data

            Plain pandas DataFrames: one row per person, one column per feature.
            """
        ),
        code(
            """
            training = pd.DataFrame({
                "Years":     [0, 1, 2, 3],
                "Expertise": [1, 3, 5, 7],
                "Trust":     [0.1, 0.2, 0.3, 0.4],
                "Salary":    [10, 20, 30, 40],
            })
            test = pd.DataFrame({
                "Years": [4, 5], "Expertise": [9, 11], "Trust": [0.5, 0.6], "Salary": [50, 60],
            })
            predict_df = pd.DataFrame({"Years": [6, 7], "Expertise": [13, 15], "Trust": [0.7, 0.8]})
            training
            """
        ),
        md(
            """
            ## A model

            `Model.load(name)` gives a model class; its keywords say what to learn.
            Features and the value to predict are written the way DFFML writes them:
            `name:type:length`. With a `location`, the trained model is saved there.
            """
        ),
        code(
            """
            location = tempfile.mkdtemp(prefix="quickstart_model_")

            model = Model.load("scikitlr")(
                features=["Years:int:1", "Expertise:int:1", "Trust:float:1"],
                predict="Salary:float:1",
                location=location,
            )
            model
            """
        ),
        md(
            """
            ## Train, score, predict

            Three functions, each taking the model and the data. `score` needs a
            scorer — `mse`, the mean squared error, is 0 for a perfect model — and the
            feature to compare the predictions with.
            """
        ),
        code(
            """
            train(model, training)
            """
        ),
        code(
            """
            mse = score(model, "mse", "Salary:float:1", test)
            print(f"mean squared error on the test rows: {mse:.2g}")
            """
        ),
        code(
            """
            predictions = predict(model, predict_df, as_frame=True)
            predictions
            """
        ),
        md(
            """
            The newcomers get 70 and 80: the salary grows by 10 a year. The
            `Salary_confidence` column is the model's R² on its training data (DFFML's
            convention for regressors: 1 means a perfect fit).

            `predict` can also give you DFFML's **records**, each with its features and
            its prediction:
            """
        ),
        code(
            """
            for record in predict(model, predict_df):
                print(record.key, record.features(), "->", round(record.prediction("Salary").value, 2))
            """
        ),
        md(
            """
            ## The same with `%dffml` magics

            If you know DFFML's command line, you already know these: `%dffml train`,
            `%dffml accuracy` and `%dffml predict` take the same flags as `dffml-nb`
            (and `dffml`). The one twist: a **DataFrame variable** can be the source —
            `-sources training` reads the `training` DataFrame above.
            """
        ),
        code(
            """
            %dffml help
            """
        ),
        md(
            """
            DFFML's quickstart trains, scores and predicts with three commands that share
            the model's flags; each command finds the trained model in
            `-model-location`. (`$magic_location` is this notebook's variable: IPython
            puts its value into the line.)
            """
        ),
        code(
            """
            magic_location = tempfile.mkdtemp(prefix="quickstart_magic_")

            %dffml train -model scikitlr -model-features Years:int:1 Expertise:int:1 Trust:float:1 -model-predict Salary:float:1 -model-location $magic_location -sources training
            """
        ),
        code(
            """
            %dffml accuracy -model scikitlr -model-features Years:int:1 Expertise:int:1 Trust:float:1 -model-predict Salary:float:1 -model-location $magic_location -features Salary:float:1 -scorer mse -sources test
            """
        ),
        code(
            """
            %dffml predict all -model scikitlr -model-features Years:int:1 Expertise:int:1 Trust:float:1 -model-predict Salary:float:1 -model-location $magic_location -sources predict_df
            """
        ),
        md(
            """
            Each magic returns what it made — the model, the score, a DataFrame of
            predictions — so `scores = %dffml accuracy ...` works. And a model variable
            can stand in for the `-model…` flags:
            """
        ),
        code(
            """
            magic_predictions = %dffml predict all -model model -sources predict_df
            magic_predictions["Salary"].round().tolist()
            """
        ),
        md(
            """
            ### …and in a terminal

            The model saved by the magics is an ordinary model directory: the
            `dffml-nb` command (here run from the notebook with `!`) predicts with it
            from a CSV file. That is how a model trained in a notebook goes to
            production.
            """
        ),
        code(
            """
            import sys

            csv_folder = tempfile.mkdtemp()
            predict_df.to_csv(f"{csv_folder}/predict.csv", index=False)

            !{sys.executable} -m dffml_nb predict all -model scikitlr -model-features Years:int:1 Expertise:int:1 Trust:float:1 -model-predict Salary:float:1 -model-location $magic_location -sources f=csv -source-filename $csv_folder/predict.csv
            """
        ),
        md(
            """
            ## Widgets

            ### Train from a form

            A `ModelTrainer` does the same from a form: pick the data (any DataFrame in
            the notebook, or a file), the features, the target, a model and its
            hyperparameters, then press **Train**. It holds some rows out for testing,
            and shows the score and plots.

            Four rows are too few to hold any out, so here is a bigger (made-up)
            salary survey of 60 people, a little noisy, as real data is:
            """
        ),
        code(
            """
            rng = np.random.default_rng(0)
            years = rng.integers(0, 20, size=60)
            survey = pd.DataFrame({
                "Years": years,
                "Expertise": 2 * years + 1 + rng.integers(-2, 3, size=60),
                "Trust": np.round(0.1 * (years + 1) + rng.normal(0, 0.05, size=60), 2),
                "Salary": np.round(10 * (years + 1) + rng.normal(0, 4, size=60), 1),
            })
            survey.head()
            """
        ),
        md(
            """
            Press **Train** below. Then try another model (`scikitrfr`, a random forest,
            or `scikitknr`), change a hyperparameter, or pick the `training` data from the
            list, and train again.
            """
        ),
        code(
            """
            from dffml_nb.nb import ModelTrainer, Predictor

            trainer = ModelTrainer(survey, model="scikitlr", target="Salary", test_size=0.25)
            trainer
            """
        ),
        md(
            """
            Everything in the widget is reachable from code: `trainer.train()` does what
            the button does, and afterwards `trainer.model`, `trainer.score` and
            `trainer.figures` hold the results.

            ### Predict from a form

            A `Predictor` has a field per feature of a trained model. Here it uses the
            quickstart model; `data=` fills the fields with typical values. Set the
            fields and press **Predict** — or predict a whole DataFrame at once with
            `predict_frame`.
            """
        ),
        code(
            """
            predictor = Predictor(model, data=training)
            predictor.inputs["Years"].value = 6
            predictor.inputs["Expertise"].value = 13
            predictor.inputs["Trust"].value = 0.7
            predictor.predict()
            predictor
            """
        ),
        code(
            """
            predictor.predict_frame(predict_df)
            """
        ),
        md(
            """
            ## Where next

            * `02_dataflows.ipynb` — functions become live dataflow graphs.
            * `03_models.ipynb` — compare models on real data, plots, saving.
            * `06_dashboard.ipynb` — these widgets as a Voilà dashboard.
            """
        ),
    ]



def main(argv: list[str]) -> None:
    wanted = argv[1:]
    for name, build in NOTEBOOKS.items():
        if wanted and not any(w in name for w in wanted):
            continue
        print("wrote", write(name, build()).relative_to(HERE.parent))


if __name__ == "__main__":
    main(sys.argv)
