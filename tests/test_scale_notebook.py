"""notebooks/08_scale runs top to bottom on a fresh kernel: a LocalCluster, a live graph, shut down.

The notebook runs with nbclient on a fresh ``python3`` kernel in a temporary
folder (no network). A check cell appended to the copy reads the kernel's
objects — the graph, the cluster, the results — and the test checks them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from notebook_support import execute_with_check, pair_cells

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "08_scale.ipynb"
PAIRED = ROOT / "notebooks" / "08_scale.py"

CHECK = """
import json, os
print("CHECK " + json.dumps({
    "status": graph.status,
    "details": {k: str(v) for k, v in graph.details("count_primes").items()},
    "same": results == expected,
    "contexts": len(results),
    "workers": calls_per_worker,
    "dashboard": client.dashboard_link,
    "cluster": cluster.status.name,
    "client": client.status,
    "primes_status": get_ipython()._dffml_magics.graph("primes").status,
    "failed": [str(e) for e in outcome["1"].errors],
    "kernel_pid": os.getpid(),
}))
"""


def run_notebook(workdir: Path):
    nb, _ = execute_with_check(NOTEBOOK, workdir, CHECK, timeout=300)
    return nb


def test_the_pair_is_in_sync():
    """The .ipynb holds the cells of its jupytext .py (the file edited)."""
    from_py, saved = pair_cells(NOTEBOOK, PAIRED)
    assert from_py == saved


def _streams(nb) -> list[str]:
    return [
        output.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream"
    ]


@pytest.mark.slow
def test_notebook_runs_a_flow_on_a_local_cluster_with_the_live_graph(tmp_path):
    nb = run_notebook(tmp_path)
    texts = _streams(nb)
    line = next(text for text in texts if text.startswith("CHECK "))
    check = json.loads(line.split("CHECK ", 1)[1])
    # the live graph ran on the cluster: every node done, 16 calls, the worker named
    assert check["status"] == {"count_primes": "done", "density": "done"}
    assert check["same"] and check["contexts"] == 16
    assert check["details"]["last_worker"].startswith("tcp://127.0.0.1:")
    assert "'finished': 16" in check["details"]["counts"]
    # both workers took calls; every call was counted once
    assert len(check["workers"]) == 2 and sum(check["workers"].values()) == 16
    # the dashboard link was shown, and the magic's -pool run finished too
    assert check["dashboard"].startswith("http://127.0.0.1:") and check["dashboard"].endswith(
        "/status"
    )
    assert any(f"Dask dashboard: {check['dashboard']}" in text for text in texts)
    assert check["primes_status"] == {"primes_below": "done", "share": "done"}
    # the remote failure: named, with the worker and the traceback from there
    [failed] = check["failed"]
    assert "operation 'checked_sqrt' failed in context '1'" in failed
    assert "on worker tcp://127.0.0.1:" in failed and "Remote traceback" in failed
    # and it was shut down
    assert check["cluster"] == "closed" and check["client"] == "closed"
    assert any("cluster: closed" in text for text in texts)
