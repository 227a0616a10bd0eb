"""notebooks/07_datasets runs top to bottom on a fresh kernel and does what it says.

The notebook runs with nbclient on a fresh ``python3`` kernel in a temporary
folder (no network). A check cell appended to the copy then reads the kernel's
objects — the dataset built by the flow, the trained model, the predictions,
the columnar cleanup, the SQLite file — and the test compares them with the same
features computed independently, by plain Python and pandas.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from notebook_support import execute_with_check, pair_cells

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "07_datasets.ipynb"
PAIRED = ROOT / "notebooks" / "07_datasets.py"

CHECK = """
import ast, json, sqlite3
# the features, computed here without the flow
expected = pd.DataFrame({
    "years": [int(e.split()[0]) if isinstance(e, str) else 0 for e in raw["Experience"]],
    "senior": [int(t.lower().startswith("senior")) for t in raw["Title"]],
    "skill_count": [len(ast.literal_eval(s)) for s in raw["Skills"]],
}, index=raw.index)
X_new = pd.DataFrame({"years": [10, 1], "senior": [1, 0], "skill_count": [3, 1]})
direct = model.predict(X_new, as_frame=True)["Salary"].tolist()
with sqlite3.connect("adverts.sqlite") as db:
    table = pd.read_sql("SELECT * FROM records ORDER BY key", db).set_index("key")
db.close()
filled = with_gaps["years"].fillna(with_gaps["years"].mean())
print("CHECK " + json.dumps({
    "raw_columns": list(raw.columns),
    "dataset_columns": list(dataset.columns),
    "dataset_equal": bool((dataset[["years", "senior", "skill_count"]] == expected).all().all()),
    "same_index": list(dataset.index) == list(raw.index),
    "r2": r2,
    "predicted_index": list(predicted.index),
    "predicted": predicted["Salary"].tolist(),
    "direct": direct,
    "scaled": ((filled - filled.mean()) / filled.std(ddof=0)).round(9).tolist(),
    "scaled_flow": clean["years_scaled"].round(9).tolist(),
    "onehot_rows": clean[["City_Berlin", "City_Oslo", "City_Paris"]].sum(axis=1).tolist(),
    "onehot_paris": (clean["City_Paris"] == (raw["City"] == "Paris")).all().item(),
    "table_columns": sorted(table.columns),
    "table_equal": bool((table[["years", "senior", "skill_count"]] == expected).all().all()),
    "table_rows": len(table),
    "levels": levels["level"].tolist(),
    "levels_expected": [
        "senior" if t.lower().startswith("senior") else ("mid" if y >= 5 else "junior")
        for t, y in zip(raw["Title"], expected["years"])
    ],
    "levels_graph": get_ipython()._dffml_magics.graphs["seniority"].status,
}))
"""


def run_notebook(workdir: Path):
    return execute_with_check(NOTEBOOK, workdir, CHECK, timeout=600)


def test_the_pair_is_in_sync():
    """The .ipynb holds the cells of its jupytext .py (the file edited), without outputs."""
    from_py, saved = pair_cells(NOTEBOOK, PAIRED)
    assert from_py == saved
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert not any(c.get("outputs") for c in notebook.cells if c.cell_type == "code")


@pytest.mark.slow
def test_notebook_builds_trains_predicts_and_writes_sqlite(tmp_path):
    nb, folder = run_notebook(tmp_path)
    texts = [
        output.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream"
    ]
    line = next(text for text in texts if text.startswith("CHECK "))
    check = json.loads(line.split("CHECK ", 1)[1])
    # 1. the dataset: the raw columns plus the flow's results, equal to the features computed
    #    directly; the raw frame untouched
    assert check["raw_columns"] == ["Title", "Experience", "Skills", "City", "Salary"]
    assert check["dataset_columns"] == check["raw_columns"] + ["years", "senior", "skill_count"]
    assert check["dataset_equal"] and check["same_index"]
    # 2. trained on the engineered features: a real fit
    assert check["r2"] > 0.7
    # 3. new adverts through the same flow: the model's predictions on those features
    assert check["predicted_index"] == ["new1", "new2"]
    assert check["predicted"] == pytest.approx(check["direct"])
    assert check["predicted"][0] > check["predicted"][1]
    # 4. columnar cleanup: imputed, scaled, one-hot (one 1 per row)
    assert check["scaled_flow"] == pytest.approx(check["scaled"], abs=1e-9)
    assert check["onehot_rows"] == [1.0] * 200 and check["onehot_paris"]
    # 5. the enriched dataset is in SQLite, next to the raw columns
    assert {"years", "senior", "skill_count", "Experience"} <= set(check["table_columns"])
    assert check["table_equal"] and check["table_rows"] == 200
    assert (folder / "adverts.sqlite").is_file()
    # %dffml run seniority -sources dataset: the magic over records, its graph done
    assert check["levels"] == check["levels_expected"]
    assert check["levels_graph"] == {"level": "done"}
    assert "R² on held-out adverts" in "".join(texts)
