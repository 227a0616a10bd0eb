"""``%dffml run NAME ... -pool VAR``: a notebook flow's process operations run in a pool."""

from __future__ import annotations

import textwrap

import pytest
from IPython import get_ipython
from IPython.core.error import UsageError
from IPython.testing.globalipapp import start_ipython

from dffml_nb import load_ipython_extension
from dffml_nb.nb import magics as magics_module

CELL = """
import os, threading
from dffml_nb import op

@op(runner="process")
def crunch(x: int) -> str:
    return f"{os.getpid()} {threading.current_thread().name}"

def shout(crunch: str) -> str:
    return crunch.upper()
"""


@pytest.fixture
def shell(monkeypatch):
    start_ipython()
    ip = get_ipython()
    ip.run_line_magic("load_ext", "dffml_nb")
    ip._dffml_magics = None  # a fresh registry per test
    load_ipython_extension(ip)
    monkeypatch.setattr(magics_module, "_display", lambda obj: None)
    ip.run_cell_magic("dffml", "flow scaled", textwrap.dedent(CELL))
    yield ip
    for graph in ip._dffml_magics.graphs.values():
        graph.close()
    for name in ("scaled", "pool", "client", "not_a_pool"):
        ip.user_ns.pop(name, None)


def test_pool_variable_runs_the_process_operations_there(shell):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="notebook-pool") as pool:
        shell.user_ns["pool"] = pool
        results = shell.run_line_magic("dffml", "run scaled x=3 -pool pool")
    assert "NOTEBOOK-POOL" in results["shout"]


@pytest.mark.slow
def test_pool_variable_holding_a_dask_client(shell):
    from pool_support import local_cluster

    with local_cluster() as client:
        shell.user_ns["client"] = client
        results = shell.run_line_magic("dffml", "run scaled x=3 -pool client")
        pid = int(results["shout"].split()[0])
        assert pid != __import__("os").getpid()  # it ran on a worker
        graph = shell._dffml_magics.graph("scaled")
        details = graph.select("crunch")  # a click on the node
    assert details["status"] == "done"
    assert details["last_worker"].startswith("tcp://127.0.0.1:")  # the node names the worker
    assert "last worker" in graph.details_panel.value
    assert details["last_worker"] in graph.details_panel.value


def test_pool_variable_mistakes_are_named(shell):
    with pytest.raises(UsageError, match="-pool nowhere: no variable 'nowhere' in the notebook"):
        shell.run_line_magic("dffml", "run scaled x=3 -pool nowhere")
    shell.user_ns["not_a_pool"] = 5
    with pytest.raises(UsageError, match="not_a_pool is a int, not a dask.distributed.Client"):
        shell.run_line_magic("dffml", "run scaled x=3 -pool not_a_pool")


def test_an_operation_the_pool_cannot_take_is_reported_in_one_message(shell, capsys):
    from concurrent.futures import ProcessPoolExecutor

    shell.run_cell_magic(
        "dffml",
        "flow locked",
        textwrap.dedent(
            """
            import threading
            from dffml_nb import op
            guard = threading.Lock()

            def helper_free(x: int) -> int:
                return x

            @op(runner="process")
            def inner(helper_free: int) -> int:
                def local(v):
                    return v
                return local(helper_free)
            """
        ),
    )
    # a function of the notebook made in a way pickle cannot find by name
    flow = shell.user_ns["locked"]
    flow["inner"].func.__qualname__ = "somewhere.<locals>.inner"
    with ProcessPoolExecutor(1) as pool:
        shell.user_ns["pool"] = pool
        assert shell.run_line_magic("dffml", "run locked x=1 -pool pool") is None
    err = capsys.readouterr().err
    assert "%dffml run locked: 1 operation(s) with runner='process' cannot run" in err
    assert "operation 'inner' cannot be sent" in err and "Traceback" not in err
    shell.user_ns.pop("locked", None)


# -- run_records over a pool: each record one context, its process calls on the pool --------


@pytest.mark.parametrize("name", ["process-pool", pytest.param("dask", marks=pytest.mark.slow)])
def test_run_records_runs_process_operations_in_the_pool(name):
    import os

    import pandas as pd
    import pool_ops
    from pool_support import engine

    from dffml_nb import DataFlow, op, run_records

    frame = pd.DataFrame({"x": [1, 2, 3, 4]}, index=["a", "b", "c", "d"])
    with engine(name) as made:
        flow = DataFlow(op(pool_ops.where, runner="process"), op(pool_ops.scale, runner="process"))
        out = run_records(flow, frame, pool=made.pool)
    assert out["scale"].tolist() == [3, 6, 9, 12] and list(out.index) == ["a", "b", "c", "d"]
    assert os.getpid() not in set(out["where"])  # the calls ran in other processes


def test_sources_and_pool_together_in_the_magic(shell):
    from concurrent.futures import ThreadPoolExecutor

    import pandas as pd

    shell.user_ns["frame"] = pd.DataFrame({"x": [1, 2]})
    with ThreadPoolExecutor(1, thread_name_prefix="records-pool") as pool:
        shell.user_ns["pool"] = pool
        out = shell.run_line_magic("dffml", "run scaled -sources frame -pool pool")
    assert all("RECORDS-POOL" in text for text in out["shout"])
    shell.user_ns.pop("frame", None)
