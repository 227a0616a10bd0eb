"""Pools failing: operations that cannot be sent, workers that die, schedulers that vanish.

Each failure is named: the operation, what went wrong, what to do; none hangs.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pool_ops
import pytest
from pool_support import local_cluster

from dffml_nb.df import (
    Context,
    DataFlow,
    DataFlowError,
    OperationError,
    PoolError,
    op,
    run,
    run_sync,
)
from dffml_nb.df import process_pool as process_pool_module
from dffml_nb.df.remote import WorkerLost

pytestmark = pytest.mark.timeout(300)
TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def dask_client():
    with local_cluster() as client:
        yield client


# -- operations that cannot be sent fail before the run starts ------------------------------


def test_local_function_cannot_go_to_a_process_pool_and_nothing_runs():
    @op(runner="process")
    def local(x: int) -> int:
        return x

    lam = op(lambda x: x, name="lam", inputs={"x": pool_ops.number}, runner="process")
    seen = []
    with ProcessPoolExecutor(2) as pool:
        with pytest.raises(DataFlowError) as info:
            run_sync(DataFlow(local, lam), {"c": {"x": 1, "n": 2}}, pool=pool, on_event=seen.append)
    message = str(info.value)
    assert "2 operation(s) with runner='process' cannot run in ProcessPoolExecutor" in message
    assert "operation 'local' cannot be sent" in message
    assert "defined inside a function (test_local_function" in message
    assert "operation 'lam' cannot be sent" in message and "it is a lambda" in message
    assert "Define it with def at module level" in message and "dask.distributed.Client" in message
    assert seen == []  # not even a context started


def test_the_local_pool_names_itself_in_the_error():
    @op(runner="process")
    def local(x: int) -> int:
        return x

    with pytest.raises(DataFlowError, match="cannot run in a local process pool"):
        run_sync(DataFlow(local), {"c": {"x": 1}})


@pytest.mark.slow
def test_dask_sends_local_functions_by_value(dask_client):
    # what a ProcessPoolExecutor refuses works on Dask (cloudpickle): notebook functions too
    offset = 100

    @op(runner="process")
    def local(x: int) -> int:
        return x + offset

    results = run_sync(DataFlow(local), [{"x": 1}, {"x": 2}], pool=dask_client)
    assert results == {"0": {"local": 101}, "1": {"local": 102}}


@pytest.mark.slow
def test_dask_refuses_a_function_holding_a_lock_before_the_run(dask_client):
    lock = threading.Lock()

    @op(runner="process")
    def guarded(x: int) -> int:
        with lock:
            return x

    with pytest.raises(DataFlowError) as info:
        run_sync(DataFlow(guarded), {"c": {"x": 1}}, pool=dask_client)
    message = str(info.value)
    assert "operation 'guarded' cannot be sent to the Dask cluster at tcp://" in message
    assert "cloudpickle refused it" in message and "lock" in message


def test_notebook_functions_need_fork_on_a_process_pool(monkeypatch):
    def in_notebook(x: int) -> int:
        return x * 3

    # as if defined in a notebook cell: module __main__, reachable there by name
    in_notebook.__module__, in_notebook.__qualname__ = "__main__", "in_notebook"
    monkeypatch.setattr(sys.modules["__main__"], "in_notebook", in_notebook, raising=False)
    flow = DataFlow(op(in_notebook, runner="process"))
    spawn = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    with spawn, pytest.raises(DataFlowError) as info:
        run_sync(flow, {"c": {"x": 1}}, pool=spawn)
    assert "module __main__" in str(info.value) and "'spawn' method" in str(info.value)
    assert "dask.distributed.Client" in str(info.value)
    # forked workers have the notebook's functions: it runs
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as fork:
        assert run_sync(flow, {"c": {"x": 2}}, pool=fork) == {"c": {"in_notebook": 6}}


def test_operation_taking_the_context_cannot_leave_the_process():
    def peek(x: int, ctx: Context) -> int:
        return x

    with pytest.raises(DataFlowError, match="takes the running Context \\(parameter 'ctx'\\)"):
        run_sync(DataFlow(op(peek, runner="process")), {"c": {"x": 1}})


def test_async_operation_cannot_have_the_process_runner():
    async def fetch(x: int) -> int:
        return x

    with pytest.raises(ValueError, match="operation 'fetch': runner='process' runs plain"):
        op(fetch, runner="process")


@pytest.mark.parametrize("name", ["process-pool", pytest.param("dask", marks=pytest.mark.slow)])
def test_an_input_that_cannot_be_sent_fails_that_call_naming_it(name, request):
    pool = request.getfixturevalue("dask_client") if name == "dask" else None
    with contextlib.ExitStack() as stack:
        if pool is None:
            pool = stack.enter_context(ProcessPoolExecutor(1))
        flow = DataFlow(op(pool_ops.scale, runner="process"))
        results = run_sync(
            flow, {"ok": {"x": 1}, "bad": {"x": threading.Lock()}}, pool=pool, strict=False
        )
    assert results["ok"] == {"scale": 3}
    [error] = results["bad"].errors
    assert error.operation == "scale" and error.context == "bad"
    assert "lock" in str(error).lower()


# -- a worker that dies fails only the calls it held ------------------------------------------


CONTEXTS = {str(x): {"x": x} for x in (1, 2, 13, 3, 4, 5, 6)}


def _check_only_the_killer_failed(results):
    assert {k: dict(v) for k, v in results.items() if k != "13"} == {
        k: {"crunch": v["x"] * 2} for k, v in CONTEXTS.items() if k != "13"
    }
    assert results["13"] == {}
    [error] = results["13"].errors
    assert error.operation == "crunch" and error.context == "13"
    assert isinstance(error.__cause__, WorkerLost)
    assert "died before returning" in str(error)


@pytest.mark.parametrize(
    "name", ["local", "process-pool", pytest.param("dask", marks=pytest.mark.slow)]
)
def test_killed_worker_fails_only_its_call_and_other_contexts_finish(name, request):
    flow = DataFlow(op(pool_ops.crunch, runner="process"))
    if name == "dask":
        client = request.getfixturevalue("dask_client")
        results = run_sync(flow, CONTEXTS, pool=client, strict=False)
    elif name == "local":
        results = run_sync(flow, CONTEXTS, strict=False)
    else:
        with ProcessPoolExecutor(2) as pool:
            results = run_sync(flow, CONTEXTS, pool=pool, strict=False)
            # the broken pool was replaced by one the run owned: this one is the caller's
    _check_only_the_killer_failed(results)


@pytest.mark.slow
def test_dask_groups_fast_calls_and_a_killed_group_fails_only_the_killer(dask_client):
    from dffml_nb.scale.dask import DaskPool

    tasks = []  # (calls, tasks) of each submission

    class Counting(DaskPool):
        def _map(self, caller, calls, size=None):
            before = len(self.out)
            super()._map(caller, calls, size)
            tasks.append((len(calls), len(self.out) - before))

    flow = DataFlow(op(pool_ops.crunch, runner="process"))
    keys = [*range(20, 40), 13, *range(40, 50)]
    contexts = {str(x): {"x": x} for x in keys}
    results = run_sync(flow, contexts, pool=Counting(dask_client), strict=False, max_contexts=6)
    # a fast operation, once measured, goes to Dask several calls to a task
    assert any(calls > made for calls, made in tasks), tasks
    assert [dict(results[str(x)]) for x in keys if x != 13] == [
        {"crunch": x * 2} for x in keys if x != 13
    ]
    [error] = results["13"].errors
    assert isinstance(error.__cause__, WorkerLost)


def test_killed_worker_under_strict_raises_naming_operation_and_context():
    flow = DataFlow(op(pool_ops.crunch, runner="process"))
    with ProcessPoolExecutor(2) as pool, pytest.raises(OperationError) as info:
        run_sync(flow, {"13": {"x": 13}}, pool=pool)
    assert info.value.context == "13" and isinstance(info.value.__cause__, WorkerLost)


# -- the local pool: made when a process call runs, shut down after the run ---------------------


def test_local_pool_is_made_lazily_and_shut_down_after(monkeypatch):
    made = []

    class Counting(ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            made.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(process_pool_module, "ProcessPoolExecutor", Counting)
    gated = DataFlow(op(pool_ops.gated, runner="process"))
    assert run_sync(gated, {"c": {"x": 1, "first": False, "second": True}}) == {"c": {}}
    assert made == []  # no process call ran: no pool was started
    flow = DataFlow(op(pool_ops.where, runner="process"))
    results = run_sync(flow, [{"x": i} for i in range(4)])
    pids = {r["where"] for r in results.values()}
    assert len(made) == 1 and os.getpid() not in pids
    for pid in pids:  # its workers are gone
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


# -- which pool runs what -----------------------------------------------------------------------


def test_thread_pool_runs_process_operations_in_its_threads_without_pickling():
    @op(runner="process")
    def thread_name(x: int) -> str:  # a local function: fine, nothing is pickled
        return threading.current_thread().name

    with ThreadPoolExecutor(2, thread_name_prefix="given-pool") as pool:
        results = run_sync(DataFlow(thread_name), [{"x": 1}, {"x": 2}], pool=pool)
    assert all(r["thread_name"].startswith("given-pool") for r in results.values())


def test_pool_without_process_operations_warns():
    with ThreadPoolExecutor(1) as pool, pytest.warns(UserWarning, match="no operation of this"):
        assert run_sync(DataFlow(pool_ops.a), {"c": {"x": 1}}, pool=pool) == {"c": {"a": 2}}


def test_pool_of_an_unknown_kind_is_refused():
    with pytest.raises(TypeError, match="pool= must be a concurrent.futures.Executor"):
        run_sync(DataFlow(op(pool_ops.a, runner="process")), {"c": {"x": 1}}, pool=object())


def test_shut_down_executor_is_a_pool_error():
    pool = ProcessPoolExecutor(1)
    pool.shutdown()
    with pytest.raises(PoolError, match="was shut down"):
        run_sync(DataFlow(op(pool_ops.a, runner="process")), {"c": {"x": 1}}, pool=pool)


# -- Dask clients: asynchronous, closed ---------------------------------------------------------


@pytest.mark.slow
async def test_asynchronous_dask_client_on_its_loop(dask_client):
    from distributed import Client

    flow = DataFlow(op(pool_ops.a, runner="process"), op(pool_ops.b, runner="process"))
    address = dask_client.scheduler.address
    async with Client(address, asynchronous=True) as client:
        seen = {}
        async for name, results in run(flow, [{"x": i} for i in range(5)], pool=client):
            seen[name] = results
        assert seen == {str(i): {"b": (i + 1) * 10} for i in range(5)}
        # run_sync inside this loop runs the flow on a loop of its own: a clear error
        with pytest.raises(PoolError, match="Client is asynchronous"):
            run_sync(flow, {"c": {"x": 1}}, pool=client)


@pytest.mark.slow
async def test_a_run_let_go_cancels_its_calls_on_the_cluster(dask_client):
    flow = DataFlow(op(pool_ops.slow, runner="process"))
    async for name, _ in run(flow, {"long": {"x": 30}, "quick": {"x": 0}}, pool=dask_client):
        assert name == "quick"
        break  # the caller stops reading: the run is abandoned, its calls let go
    for _ in range(100):  # the 30 s call was cancelled: the workers soon hold nothing
        if not any(dask_client.processing().values()):
            break
        await asyncio.sleep(0.1)
    assert not any(dask_client.processing().values()), dask_client.processing()


@pytest.mark.slow
def test_a_failed_context_cancels_its_other_calls_on_the_cluster(dask_client):
    flow = DataFlow(op(pool_ops.slow, runner="process"), op(pool_ops.refuse, runner="process"))
    with pytest.raises(OperationError, match="refused at once"):
        run_sync(flow, {"c": {"x": 30}}, pool=dask_client)  # slow(30) and refuse(30) at once
    for _ in range(100):  # the context stopped: its 30 s call was cancelled on the cluster
        if not any(dask_client.processing().values()):
            break
        time.sleep(0.1)
    assert not any(dask_client.processing().values()), dask_client.processing()


@pytest.mark.slow
def test_closed_dask_client_is_refused_before_the_run(dask_client):
    from distributed import Client

    client = Client(dask_client.scheduler.address)
    client.close()
    with pytest.raises(PoolError, match="is not connected"):
        run_sync(DataFlow(op(pool_ops.a, runner="process")), {"c": {"x": 1}}, pool=client)


# -- a lost scheduler ends the run, bounded by pool_timeout ---------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _standalone_cluster(tmp_path):
    """``dask scheduler`` and one ``dask worker``, as on real machines (here on loopback)."""
    from distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), *sys.path])}
    logs = [open(tmp_path / name, "w") for name in ("scheduler.log", "worker.log")]  # noqa: SIM115
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port)]
        + ["--no-dashboard"],
        stdout=logs[0],
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "dask", "worker", address, "--nthreads", "1", "--no-dashboard"],
        stdout=logs[1],
        stderr=subprocess.STDOUT,
        env=env,
    )
    client = None
    try:
        client = Client(address, timeout=30)
        client.wait_for_workers(1, timeout=60)
        yield client, scheduler
    finally:
        for process in (worker, scheduler):
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGCONT)
                os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        if client is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                client.close(timeout=5)
        for log in logs:
            log.close()


@pytest.mark.slow
@pytest.mark.parametrize("how", ["killed", "stopped"])
def test_lost_scheduler_ends_the_run_with_a_clear_error(how, tmp_path):
    flow = DataFlow(op(pool_ops.slow, runner="process"))
    with _standalone_cluster(tmp_path) as (client, scheduler):
        assert run_sync(flow, {"c": {"x": 0}}, pool=client) == {"c": {"slow": 0}}
        stop = signal.SIGKILL if how == "killed" else signal.SIGSTOP
        threading.Timer(1.0, os.kill, (scheduler.pid, stop)).start()
        started = time.monotonic()
        with pytest.raises(PoolError) as info:
            # each call would take a minute: the run must end long before
            run_sync(flow, {"a": {"x": 60}, "b": {"x": 60}}, pool=client, pool_timeout=3)
        took = time.monotonic() - started
    message = str(info.value)
    assert "scheduler of the Dask cluster at tcp://127.0.0.1:" in message
    if how == "killed":
        assert "lost the connection" in message
    else:
        assert "did not answer for 3 s" in message and "pool_timeout=" in message
    assert took < 40, f"the run took {took:.0f} s to notice"


def test_pool_error_keeps_the_results_of_finished_contexts():
    class Vanishing:
        """A pool whose second call finds it gone."""

        description = "a vanishing pool"

        def __init__(self):
            self.calls = 0

        def prepare(self, operation):
            return operation.func

        async def call(self, target, kwargs, retry, drain):
            self.calls += 1
            await asyncio.sleep(0)
            if self.calls > 1:
                raise PoolError("the vanishing pool is gone")
            return True, target(**kwargs), None, "here"

        def close(self, abort):
            pass

    flow = DataFlow(op(pool_ops.a, runner="process"))
    with pytest.raises(PoolError, match="is gone") as info:
        run_sync(flow, {"first": {"x": 1}, "second": {"x": 2}}, pool=Vanishing(), max_contexts=1)
    assert info.value.results == {"first": {"a": 2}}


# -- Ctrl-C in a kernel stops the run and the run's own worker processes ----------------------


def _stops(pid: int, seconds: float = 10) -> bool:
    """Whether process ``pid`` ends (gone, or a zombie) within ``seconds``. By its pid, not
    Process.is_alive(): the executor's own thread reaps its workers too, and a waitpid
    that loses that race makes is_alive() say True of a process that has ended."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.timeout(60)
async def test_a_pool_stopped_mid_call_starts_no_worker_to_re_run_it():
    """Stopping the pool (Ctrl-C, a strict failure) kills its workers, which makes its calls
    look like calls of a broken pool: they must not be re-run in a new one."""
    from dffml_nb.df.process_pool import ExecutorPool

    pool = ExecutorPool(None)  # a local pool, made by the run
    target = pool.prepare(op(pool_ops.slow, runner="process"))
    call = asyncio.ensure_future(pool.call(target, {"x": 30}, 0, False))
    for _ in range(200):  # until its worker runs the call
        await asyncio.sleep(0.05)
        if pool.executor is not None and pool.executor._processes:
            break
    workers = list(pool.executor._processes.values())
    generation = pool.generation
    pool.close(abort=True)
    with pytest.raises(PoolError, match="takes no more calls"):
        await asyncio.wait_for(call, 20)
    assert pool.generation == generation and not pool.made  # no replacement was made
    for worker in workers:
        assert _stops(worker.pid), f"worker pid {worker.pid} still runs after the pool stopped"


@pytest.mark.timeout(60)
async def test_ctrl_c_stops_a_process_pool_run_and_its_workers(monkeypatch):
    """In a kernel, run_sync runs on a worker thread; Ctrl-C (KeyboardInterrupt in the main
    thread) ends it at once, and the pool the run made is stopped, not left computing."""
    import _thread

    processes = []

    class Recording(ProcessPoolExecutor):
        def _spawn_process(self):  # noqa: ANN202 - CPython's hook: record each worker
            super()._spawn_process()
            processes.extend(p for p in self._processes.values() if p not in processes)

    monkeypatch.setattr(process_pool_module, "ProcessPoolExecutor", Recording)

    def press_ctrl_c() -> None:
        for _ in range(400):  # until a worker runs a call (each takes 30 s)
            if processes:
                time.sleep(0.5)
                _thread.interrupt_main()
                return
            time.sleep(0.05)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        threading.Thread(target=press_ctrl_c, daemon=True).start()
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            run_sync(DataFlow(op(pool_ops.slow, runner="process")), [{"x": 30}] * 4)
        took = time.monotonic() - started
    finally:
        signal.signal(signal.SIGINT, previous)
    assert processes and took < 20, f"the run took {took:.0f} s to stop"
    for process in processes:
        assert _stops(process.pid), f"worker pid {process.pid} still runs after Ctrl-C"
