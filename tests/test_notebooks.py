"""Every notebook in notebooks/ runs top to bottom on a fresh kernel, and shows what it promises.

Each notebook runs with nbclient on a fresh ``python3`` kernel, in a temporary
copy of the notebooks folder (so files a notebook writes never land in the
repository), with no network needed — once per test session, shared by the
tests that read its outputs. A failing cell fails the test with the
notebook's name, the cell's number and first lines, and the error. Then:

- a few outputs that matter are checked: the quickstart predicts 70 and 80,
  the dataflow notebook's first output widget is the graph of a flow that ran, ...
- no cell shows the same output twice (a magic that displays its result *and*
  returns it to be echoed, say);
- each ``.ipynb`` and its jupytext ``.py`` script have the same cells.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_http_notebook import check_serve  # the HTTP notebook's own checks

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "notebooks"
NOTEBOOKS = sorted(path.name for path in FOLDER.glob("*.ipynb"))
CELL_TIMEOUT = 300  # seconds per cell
WIDGET = "application/vnd.jupyter.widget-view+json"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# -- running a notebook ------------------------------------------------------------------


def _first_lines(source: str, count: int = 6) -> str:
    lines = source.splitlines()
    shown = "\n".join(f"    {line}" for line in lines[:count])
    return shown + (f"\n    ... ({len(lines) - count} more lines)" if len(lines) > count else "")


def _failure(name: str, nb: Any, index: int | None, error: BaseException) -> str:
    """The message for a notebook that failed: notebook, cell, source, error."""
    where = f"{name}: cell {index}" if index is not None else f"{name}: before the first cell"
    parts = [f"{where} failed"]
    if index is not None:
        cell = nb.cells[index]
        count = cell.get("execution_count")
        parts[0] += f" (execution count {count})" if count else ""
        parts.append(_first_lines(cell.source))
    ename = getattr(error, "ename", None) or type(error).__name__
    evalue = getattr(error, "evalue", None)
    if evalue is None:
        evalue = str(error).strip().splitlines()[-1] if str(error).strip() else ""
    parts.append(f"{ename}: {evalue}")
    traceback = getattr(error, "traceback", None) or ""
    if isinstance(traceback, list):
        traceback = "\n".join(traceback)
    tail = _ANSI.sub("", traceback).strip().splitlines()[-15:]
    if tail:
        parts.append("traceback (last lines):\n" + "\n".join(f"    {line}" for line in tail))
    return "\n".join(parts)


def execute(name: str, workdir: Path, source: Path = FOLDER) -> Any:
    """Run notebook ``name`` from a copy of the notebooks folder in ``workdir``; returns it with outputs.

    Any failure (an exception in a cell, a timeout, a dead kernel) raises an
    AssertionError naming the notebook and the cell. ``source``: the folder to copy.
    """
    folder = workdir / "notebooks"
    shutil.copytree(
        source, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    )
    nb = nbformat.read(folder / name, as_version=4)
    running: dict[str, int] = {}

    def on_cell_start(cell: Any, cell_index: int) -> None:
        running["index"] = cell_index

    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
        on_cell_start=on_cell_start,
    )
    try:
        client.execute()
    except (
        nbclient.exceptions.CellExecutionError,
        nbclient.exceptions.CellTimeoutError,
        nbclient.exceptions.DeadKernelError,
        TimeoutError,
        RuntimeError,
    ) as error:
        raise AssertionError(_failure(name, nb, running.get("index"), error)) from None
    return nb


# -- reading outputs ---------------------------------------------------------------------


def outputs(nb: Any) -> Iterator[tuple[int, Any]]:
    """``(cell index, output)`` for every output of every code cell."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                yield index, output


def text_of(output: Any) -> str:
    """The readable text of one output: stream text, text/plain and text/html."""
    if output.output_type == "stream":
        return output.text
    data = output.get("data", {})
    return "\n".join(str(data.get(kind, "")) for kind in ("text/plain", "text/html"))


def cell_text(nb: Any, starts: str, *, exact: bool = False) -> str:
    """The text of every output of the first code cell whose source starts with ``starts``
    (``exact``: is ``starts``)."""
    for cell in nb.cells:
        source = cell.source.strip()
        if cell.cell_type == "code" and (source == starts if exact else source.startswith(starts)):
            return "\n".join(text_of(output) for output in cell.get("outputs", []))
    raise AssertionError(f"no code cell starts with {starts!r}")


def widgets(nb: Any) -> list[tuple[int, str]]:
    """``(cell index, text/plain)`` of every widget view shown, in page order."""
    return [
        (index, output["data"].get("text/plain", ""))
        for index, output in outputs(nb)
        if WIDGET in output.get("data", {})
    ]


def pngs(nb: Any) -> int:
    return sum("image/png" in output.get("data", {}) for _, output in outputs(nb))


# -- what each notebook must show --------------------------------------------------------


def check_quickstart(nb: Any) -> None:
    table = cell_text(nb, "predictions = predict(")
    assert re.search(r"\b70\.0\b", table) and re.search(r"\b80\.0\b", table), table
    records = cell_text(nb, "for record in predict(")
    assert "-> 70.0" in records and "-> 80.0" in records, records
    shown = widgets(nb)
    assert any(text.startswith("ModelTrainer(") for _, text in shown), shown
    assert any(text.startswith("Predictor(") and "last=70" in text for _, text in shown), shown
    # the same through %dffml train / accuracy / predict, and the dffml-nb command
    assert "%dffml train" in cell_text(nb, "%dffml help")
    assert "location=" in cell_text(nb, "magic_location = ")  # the trained model
    assert float(cell_text(nb, "%dffml accuracy").splitlines()[0]) < 1e-6
    magic = cell_text(nb, "%dffml predict all -model scikitlr")
    assert re.search(r"\b70\.0\b", magic) and re.search(r"\b80\.0\b", magic), magic
    assert "[70.0, 80.0]" in cell_text(nb, "magic_predictions = ")
    cli = json.loads(cell_text(nb, "import sys"))
    assert [round(r["prediction"]["Salary"]["value"]) for r in cli] == [70, 80], cli


def check_dataflows(nb: Any) -> None:
    shown = widgets(nb)
    assert shown, "no widget view in the outputs"
    first_cell, first = shown[0]
    assert nb.cells[first_cell].source.startswith("%%dffml flow order"), nb.cells[first_cell].source
    assert first.startswith("DataFlowGraph(DataFlow(subtotal, discount, total)"), first
    status = cell_text(nb, "from dffml_nb.nb.graph.display import graph_for")
    assert status.count("'done'") == 3, status  # the first graph ended with every node done
    assert "123.12" in cell_text(nb, "%dffml run order quantity=12")
    assert "balance with a lock: 135" in cell_text(nb, "balance, table = three_deposits(lock=True)")
    cli = cell_text(nb, "import sys")
    assert json.loads(cli[cli.index("{") :]) == {"0": {"total": 123.12}}, cli


def check_models(nb: Any) -> None:
    regression = cell_text(nb, "def compare(")
    for name in ("scikitlr", "scikitridge", "scikitrfr", "scikitgbr", "<th>r2</th>"):
        assert name in regression, name
    assert "same predictions" in cell_text(nb, "reloaded = Model.load(")
    assert "<table class='dffml-nb-model'>" in cell_text(nb, "reloaded", exact=True)  # HTML repr
    assert pngs(nb) >= 4  # predicted vs actual, importances (x2), confusion matrix


def check_shouldi(nb: Any) -> None:
    report = cell_text(nb, "results = graph.run(")
    for column in ("<th>verdict</th>", "<th>risky calls</th>", "<th>lines</th>"):
        assert column in report, column
    assert "exec (line" in report  # the magics run cells: the one call dffml_nb makes
    summary = cell_text(nb, "packages = list(")
    assert "<th>should I?</th>" in summary and "risky" in summary and "ok" in summary, summary
    assert any(text.startswith("DataFlowGraph(DataFlow(source_file") for _, text in widgets(nb))


def check_plugins(nb: Any) -> None:
    assert "'baseline'" in cell_text(nb, 'pip("install"')
    assert "baseline" in cell_text(nb, "!{sys.executable} -m dffml_nb list models")
    assert "hello-world" in cell_text(nb, "!{sys.executable} -m dffml_nb dataflow run titles.yaml")
    # an import path in a flow file is refused until the user says trust=True
    assert "trust=True" in cell_text(nb, 'try:\n    DataFlow.load("shout.yaml")')
    assert "PLUGINS-ARE-JUST-ENTRY-POINTS!" in cell_text(
        nb, 'run_sync(DataFlow.load("shout.yaml", trust=True)'
    )
    assert "(False, False)" in cell_text(nb, 'pip("uninstall"')  # uninstalled: the names are gone


def check_dashboard(nb: Any) -> None:
    code = [(index, cell) for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    *setup, (last_index, last) = code
    noisy = [
        (index, [text_of(o)[:200] for o in cell.outputs]) for index, cell in setup if cell.outputs
    ]
    assert not noisy, f"setup cells should show nothing under Voilà: {noisy}"
    assert [index for index, _ in widgets(nb)] == [last_index]


def check_datasets(nb: Any) -> None:
    # tests/test_records_notebook.py checks the numbers against features computed directly
    built = cell_text(nb, "dataset = run_records(features, raw)")
    for column in ("years", "senior", "skill_count"):
        assert column in built, column
    assert "R² on held-out adverts: 0." in cell_text(nb, "train_rows, test_rows")
    assert "new1" in cell_text(nb, "new_adverts = pd.DataFrame(")
    assert "City_Paris" in cell_text(nb, "cleanup = DataFlow(")
    assert "skill_count" in cell_text(nb, 'save("adverts.sqlite", raw)')
    assert any(text.startswith("DataFlowGraph(DataFlow(years") for _, text in widgets(nb))
    assert "senior" in cell_text(nb, "levels = %dffml run seniority -sources dataset")


def check_editor(nb: Any) -> None:
    """A no-code app: the setup cells show nothing, the last one the editor (driven by mouse
    in tests/test_nb_editor_notebook.py and the Voilà browser test)."""
    code = [(index, cell) for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    *setup, (last_index, _) = code
    noisy = [
        (index, [text_of(o)[:200] for o in cell.outputs]) for index, cell in setup if cell.outputs
    ]
    assert not noisy, f"setup cells should show nothing under Voilà: {noisy}"
    shown = widgets(nb)
    assert [index for index, _ in shown] == [last_index], shown
    assert shown[0][1].startswith("FlowEditor(DataFlow()"), shown


def check_evaluate(nb: Any) -> None:
    # tests/test_evaluate_notebook.py checks the numbers against scikit-learn
    board = cell_text(nb, "models = {")
    for name in (
        "scikitlor",
        "scikitrfc",
        "scikitgnb",
        "scikitknn",
        "scikitdtc",
        "<th>roc_auc</th>",
    ):
        assert name in board, name
    assert "tuned:" in cell_text(nb, "best = board.index[0]")
    assert "malignant tumours predicted benign" in cell_text(nb, "leaderboard.select(best)")
    assert sum(text.startswith("Leaderboard(") for _, text in widgets(nb)) == 2


def check_scale(nb: Any) -> None:
    # tests/test_scale_notebook.py reads the kernel's graph, cluster and results
    assert "Dask dashboard: http://127.0.0.1:" in cell_text(nb, "from dask.distributed import")
    ran = cell_text(nb, "started = time.perf_counter()\nresults = graph.run(inputs, pool=client)")
    assert "same results as inline: True" in ran and "'done'" in ran
    assert "last call on tcp://" in cell_text(nb, 'details = graph.select("count_primes")')
    assert "Remote traceback" in cell_text(nb, '@op(runner="process")\ndef checked_sqrt(')
    assert "cluster: closed" in cell_text(nb, "client.close()")


CHECKS: dict[str, Callable[[Any], None]] = {
    "01_quickstart.ipynb": check_quickstart,
    "02_dataflows.ipynb": check_dataflows,
    "03_models.ipynb": check_models,
    "04_shouldi.ipynb": check_shouldi,
    "05_plugins.ipynb": check_plugins,
    "06_dashboard.ipynb": check_dashboard,
    "07_datasets.ipynb": check_datasets,
    "08_scale.ipynb": check_scale,
    "09_serve.ipynb": check_serve,
    "10_editor.ipynb": check_editor,
    "11_evaluate.ipynb": check_evaluate,
}


# -- the tests -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Any]:
    """``executed(name)``: the notebook run once with nbclient (its failure, re-raised, too)."""
    runs: dict[str, Any] = {}

    def get(name: str) -> Any:
        if name not in runs:
            try:
                runs[name] = execute(name, tmp_path_factory.mktemp(name.split(".")[0]))
            except AssertionError as error:
                runs[name] = error
        if isinstance(runs[name], AssertionError):
            raise runs[name]
        return runs[name]

    return get


def test_every_notebook_is_checked():
    assert NOTEBOOKS, f"no notebooks in {FOLDER}"
    assert sorted(CHECKS) == NOTEBOOKS


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_without_outputs(name):
    nb = nbformat.read(FOLDER / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    stale = [
        index
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not stale, f"{name}: cells {stale} carry outputs; commit notebooks without them"


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(name, executed):
    CHECKS[name](executed(name))


def shown_twice(nb: Any) -> list[str]:
    """Cells that show the same rich output more than once (compared by output data)."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        seen: dict[str, int] = {}
        for output in cell.get("outputs", []):
            if output.output_type not in ("display_data", "execute_result"):
                continue
            key = json.dumps(output.get("data", {}), sort_keys=True)
            seen[key] = seen.get(key, 0) + 1
        for key, count in seen.items():
            if count > 1:
                data = json.loads(key)
                shown = str(data.get("text/plain") or next(iter(data), ""))[:120]
                found.append(
                    f"cell {index} shows {shown!r} {count} times:\n{_first_lines(cell.source, 3)}"
                )
    return found


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_cell_shows_the_same_output_twice(name, executed):
    twice = shown_twice(executed(name))
    assert not twice, f"{name}:\n" + "\n".join(twice)


def test_shown_twice_finds_an_output_displayed_and_echoed():
    """The check itself: a display() of a value that is also the cell's echoed result."""
    bundle = {"text/plain": "{'total': 1}", "text/html": "<table></table>"}
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "display(r)\nr",
                outputs=[
                    nbformat.v4.new_output("display_data", data=bundle),
                    nbformat.v4.new_output("execute_result", data=bundle, execution_count=1),
                ],
            ),
            nbformat.v4.new_code_cell(
                "r",
                outputs=[nbformat.v4.new_output("execute_result", data=bundle, execution_count=2)],
            ),
        ]
    )
    (problem,) = shown_twice(nb)
    assert problem.startswith("cell 0 shows \"{'total': 1}\" 2 times"), problem


# -- each notebook is a pair: .ipynb and a jupytext percent script ------------------------------


SCRIPTS = sorted(path.name for path in FOLDER.glob("[0-9]*.py"))


def test_every_notebook_has_its_script_and_the_folder_pairs_them():
    from jupytext.config import load_jupytext_config

    assert [n.removesuffix(".ipynb") for n in NOTEBOOKS] == [s.removesuffix(".py") for s in SCRIPTS]
    for name in NOTEBOOKS:  # the configuration jupytext finds for each notebook pairs it
        config = load_jupytext_config(str(FOLDER / name))
        assert config is not None and config.formats == ["ipynb,py:percent"], name


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_and_script_have_the_same_cells(name):
    import jupytext

    nb = nbformat.read(FOLDER / name, as_version=4)
    script = FOLDER / name.replace(".ipynb", ".py")
    text = jupytext.read(script)
    fix = f"edit one, then run: jupytext --sync notebooks/{name}"
    ours = [(c.cell_type, c.source) for c in nb.cells]
    theirs = [(c.cell_type, c.source) for c in text.cells]
    for index, (a, b) in enumerate(zip(ours, theirs)):
        assert a == b, (
            f"{name} cell {index} differs from {script.name}:\n"
            f"  .ipynb {a[0]}:\n{_first_lines(a[1], 4)}\n  .py {b[0]}:\n{_first_lines(b[1], 4)}\n{fix}"
        )
    assert len(ours) == len(theirs), (
        f"{name} has {len(ours)} cells, {script.name} {len(theirs)}; {fix}"
    )
    assert text.metadata.get("kernelspec") == nb.metadata.get("kernelspec"), fix


def test_failure_message_names_notebook_cell_and_error(tmp_path):
    """A broken cell is reported with the notebook, the cell number, its source and the error."""
    broken = tmp_path / "src"
    broken.mkdir()
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# title"),
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_code_cell("def f():\n    return 1 / 0\n\nf()"),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(nb, broken / "broken.ipynb")
    with pytest.raises(AssertionError) as caught:
        execute("broken.ipynb", tmp_path / "run", source=broken)
    message = str(caught.value)
    assert message.startswith("broken.ipynb: cell 2 failed"), message
    assert "    def f():" in message and "ZeroDivisionError: division by zero" in message, message
    assert "\x1b[" not in message and "1 / 0" in message.split("traceback")[-1], message
