"""08_scale in a real browser: JupyterLab runs the notebook, a Dask LocalCluster runs the flow.

JupyterLab and Chromium as in ``tests/test_browser.py`` (whose fixtures and page
helpers this module reuses: its own server, this module's notebooks copy). Run
All starts the cluster and runs the CPU-bound flow on it: the live graph's
operation nodes end done (colour and class), the details panel of
``count_primes`` names the Dask worker that ran its last call, and the graph of
the ``%dffml run ... -pool client`` flow ends done as well.
"""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import Server
from test_browser import (  # noqa: F401 - fixtures used by name
    _GRAPH,
    SHORT,
    Session,
    browser,
    graph_state,
    home,
    lab,
    lab_session,
    notebook_dir,
    open_notebook,
    run_all,
    wait_all_done,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCALE = "08_scale.ipynb"

# the rows of graph ``index``'s details panel: {key: value}
_DETAILS = f"""
(index) => {{
  const g = ({_GRAPH})(index);
  if (!g) return null;
  const rows = {{}};
  for (const row of g.box.querySelectorAll('tr')) {{
    if (row.cells.length > 1) rows[row.cells[0].textContent.trim()] = row.cells[1].textContent;
  }}
  return rows;
}}
"""


def test_lab_scale_notebook_runs_on_a_local_cluster_and_its_graphs_end_done(
    lab: Server,  # noqa: F811 - test_browser's fixtures, imported above
    lab_session: Session,  # noqa: F811
) -> None:
    page, steps = open_notebook(lab_session, f"{lab.url}/lab/tree/{SCALE}?reset", SCALE, "lab")
    run_all(page, steps, SCALE)

    state = graph_state(steps, 0)
    names = sorted(n["name"] for n in state["nodes"] if n["kind"] == "operation")
    assert names == ["count_primes", "density"], names
    wait_all_done(steps, 0)
    # the notebook selected count_primes: its details name the worker of its last call
    details: dict[str, Any] = steps.js(
        "count_primes' details with the worker of its last call",
        f"""() => {{
          const rows = ({_DETAILS})(0);
          return rows && rows['last worker'] ? rows : null;
        }}""",
        None,
        SHORT,
    )
    assert details["last worker"].startswith("tcp://127.0.0.1:"), details
    assert "finished=16" in details["runs"], details
    steps.shot("scale-graph-done")

    # the %%dffml flow cell's graph, run by %dffml run ... -pool client
    state = graph_state(steps, 1)
    names = sorted(n["name"] for n in state["nodes"] if n["kind"] == "operation")
    assert names == ["primes_below", "share"], names
    wait_all_done(steps, 1)
    steps.shot("scale-magic-graph-done")
    lab_session.console.check()
