"""notebooks/11_evaluate runs top to bottom on a fresh kernel and shows what it promises.

The notebook runs with nbclient on a fresh ``python3`` kernel in a temporary
folder (no network). A check cell appended to the copy then reads the kernel's
objects — the leaderboards, the tuned model, the clicked confusion-matrix
cell — and the test compares them with scikit-learn's own numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from notebook_support import execute_with_check, pair_cells

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "11_evaluate.ipynb"
PAIRED = ROOT / "notebooks" / "11_evaluate.py"
WIDGET = "application/vnd.jupyter.widget-view+json"

CHECK = """
import json
from sklearn.base import clone
from sklearn.model_selection import ParameterGrid, StratifiedKFold, cross_val_predict
out = leaderboard.outcome
X, y = cancer.drop(columns="target").to_numpy(), cancer["target"].to_numpy()
# the same estimator, cross-validated by scikit-learn alone
estimator = clone(leaderboard.prepared.entry(best).estimator)
proba = cross_val_predict(estimator, X, y, cv=StratifiedKFold(5), method="predict_proba")
independent = proba.argmax(axis=1)
print("CHECK " + json.dumps({
    "board": board.index.tolist(),
    "board_columns": board.columns.tolist(),
    "best": best,
    "tuned_params": {k: str(v) for k, v in tuned.tuning.attrs["best_params"].items()},
    "tuned_hyperparameters": {k: str(v) for k, v in tuned.hyperparameter_values.items()},
    "tuning_rows": len(tuned.tuning),
    "grid_size": len(ParameterGrid(grids[best])),
    "selected": leaderboard.selected,
    "cell": list(leaderboard.cell),
    "records": len(leaderboard.records),
    "records_keys": [str(k) for k in leaderboard.records.index],
    "cell_button": leaderboard.confusion.cells[(0, 1)].description,
    "wrong_keys": [str(k) for k in cancer.index[(y == 0) & (independent == 1)]],
    "records_html": "dffml-nb-records-table" in leaderboard.records_view.value,
    "magic_board": leaderboard.results.index.tolist(),
    "regression": scores.index.tolist(),
    "regression_mse": scores["mse"].tolist(),
    "regression_selected": regression_board.selected,
}))
"""


def run_notebook(workdir: Path):
    nb, _ = execute_with_check(NOTEBOOK, workdir, CHECK, timeout=600)
    return nb


def test_the_pair_is_in_sync():
    """The .ipynb holds the cells of its jupytext .py (the file edited)."""
    from_py, saved = pair_cells(NOTEBOOK, PAIRED)
    assert from_py == saved


@pytest.mark.slow
def test_notebook_compares_tunes_and_clicks_a_confusion_cell(tmp_path):
    nb = run_notebook(tmp_path)
    texts = [
        output.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream"
    ]
    line = next(text for text in texts if text.startswith("CHECK "))
    check = json.loads(line.split("CHECK ", 1)[1])
    # five classifiers, best first by accuracy, with f1 and roc_auc beside
    assert sorted(check["board"]) == [
        "scikitdtc",
        "scikitgnb",
        "scikitknn",
        "scikitlor",
        "scikitrfc",
    ]
    assert check["board_columns"][:6] == [
        "accuracy",
        "accuracy_std",
        "f1",
        "f1_std",
        "roc_auc",
        "roc_auc_std",
    ]
    assert check["best"] == check["board"][0]
    # the best was tuned over its whole grid, and carries the best hyperparameters
    assert check["tuning_rows"] == check["grid_size"] > 1
    for name, value in check["tuned_params"].items():
        assert check["tuned_hyperparameters"][name] == value
    # the magic's leaderboard: the same five, the best selected, cell (0, 1) clicked
    assert sorted(check["magic_board"]) == sorted(check["board"])
    assert check["selected"] == check["best"] and check["cell"] == [0, 1]
    assert check["records"] == int(check["cell_button"]) == len(check["wrong_keys"])
    assert check["records_keys"] == check["wrong_keys"] and check["records_html"]
    # the regressors: lowest error first, the best one selected
    assert check["regression_mse"] == sorted(check["regression_mse"])
    assert check["regression_selected"] == check["regression"][0]
    # the leaderboards are widgets in the saved outputs
    widgets = [
        output
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if WIDGET in output.get("data", {})
    ]
    assert len(widgets) >= 2
