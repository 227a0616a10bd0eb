"""The :class:`~dffml_nb.df.pool.Pool` of a ``concurrent.futures.Executor``.

A ``ProcessPoolExecutor`` (passed in, or made for the run on its first
``runner="process"`` call and shut down after it) runs calls in other processes;
functions travel by ``pickle``, so by import path (see :func:`sendable`). A
``ThreadPoolExecutor`` runs them in its threads: nothing is pickled, which makes
it a handy way to debug a process flow.

A worker process that dies breaks a ``ProcessPoolExecutor`` for good: every call
it held *and every other call in it* fails with ``BrokenProcessPool``. So the
pool is replaced by a new one (same size and start method, owned and shut down
by the run) and each call that was in the broken pool is re-run *alone* in the
new one: the call whose worker dies again while alone is the one that killed
it and fails with :class:`~dffml_nb.df.remote.WorkerLost`; the others complete
(they may have run twice: at-least-once, as on a Dask cluster).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from dffml_nb.df.errors import PoolError
from dffml_nb.df.operation import Operation
from dffml_nb.df.remote import Outcome, WorkerLost, call_remote, reference_to
from dffml_nb.df.reprs import describe_error

__all__ = ["ExecutorPool", "sendable"]


class ExecutorPool:
    """Runs calls on a ``concurrent.futures.Executor`` (None: a process pool made for the run)."""

    def __init__(self, executor: Executor | None) -> None:
        self.executor = executor
        self.threads = isinstance(executor, ThreadPoolExecutor)
        #: executors this pool made (the local one, replacements of broken ones): shut down
        #: when the run ends
        self.made: list[Executor] = []
        self.generation = 0  # counts replacements: a call knows which executor it used
        self.closed = False  # the run ended: nothing new is started, nothing replaced
        self.suspects = 0  # calls of a broken executor waiting to re-run alone
        self.gate: asyncio.Event | None = None  # cleared while suspects re-run
        self.probe: asyncio.Lock | None = None
        if executor is None:
            self.description = f"a local process pool ({_cpu_count()} workers)"
        else:
            workers = getattr(executor, "_max_workers", None)
            self.description = f"{type(executor).__name__}(max_workers={workers})"

    # -- before the run ------------------------------------------------------------------

    def prepare(self, operation: Operation) -> Any:
        if self.threads:
            return operation.func  # threads share this process: nothing travels
        return sendable(operation, self.start_method(), self.description)

    def start_method(self) -> str:
        context = getattr(self.executor, "_mp_context", None)
        if context is not None:
            return str(context.get_start_method())
        return str(multiprocessing.get_context().get_start_method())

    # -- calls -----------------------------------------------------------------------------

    async def call(self, target: Any, kwargs: dict[str, Any], retry: int, drain: bool) -> Outcome:
        gate = self._gate()
        while True:
            if not gate.is_set():
                await gate.wait()  # calls of a broken pool are re-running alone
            generation, executor = self.generation, self._current()
            try:
                future = executor.submit(call_remote, target, kwargs, retry, drain)
            except BrokenExecutor:  # broken before this call went in: it is no suspect
                self._replace(generation)
                continue
            except RuntimeError as error:  # shut down by its owner meanwhile
                raise PoolError(f"{self.description} was shut down during the run") from error
            try:
                outcome: Outcome = await asyncio.wrap_future(future)
                return outcome
            except BrokenExecutor:
                return await self._alone(generation, target, kwargs, retry, drain)

    async def _alone(
        self, generation: int, target: Any, kwargs: dict[str, Any], retry: int, drain: bool
    ) -> Outcome:
        """A call that was in a pool when one of its workers died: re-run it alone."""
        self._replace(generation)
        gate = self._gate()
        if self.probe is None:
            self.probe = asyncio.Lock()
        self.suspects += 1
        gate.clear()
        try:
            async with self.probe:
                generation, executor = self.generation, self._current()
                future = executor.submit(call_remote, target, kwargs, retry, drain)
                try:
                    outcome: Outcome = await asyncio.wrap_future(future)
                    return outcome
                except BrokenExecutor:
                    self._replace(generation)
                    raise WorkerLost(
                        "the worker process running it died before returning (killed, out of "
                        "memory, or a crash in native code), also when re-run alone; "
                        f"{self.description} was replaced for the remaining calls"
                    ) from None
        finally:
            self.suspects -= 1
            if not self.suspects:
                gate.set()

    def _gate(self) -> asyncio.Event:
        if self.gate is None:
            self.gate = asyncio.Event()
            self.gate.set()
        return self.gate

    def _current(self) -> Executor:
        self._check_open()
        if self.executor is None:
            self.executor = ProcessPoolExecutor()
            self.made.append(self.executor)
        return self.executor

    def _replace(self, generation: int) -> None:
        """A new executor for the broken one (once per breakage, whoever notices first)."""
        self._check_open()  # workers stopped by close() look broken: they stay stopped
        if generation != self.generation:
            return
        broken = self.executor
        if not isinstance(broken, ProcessPoolExecutor):
            raise PoolError(
                f"{self.description} is broken (a worker died or its initializer failed) and "
                "cannot be replaced: pass a working executor"
            )
        self.executor = ProcessPoolExecutor(
            max_workers=getattr(broken, "_max_workers", None),
            mp_context=getattr(broken, "_mp_context", None),
            initializer=getattr(broken, "_initializer", None),
            initargs=getattr(broken, "_initargs", ()),
        )
        self.made.append(self.executor)
        self.generation += 1
        if broken in self.made:
            broken.shutdown(wait=False, cancel_futures=True)

    # -- the end ---------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.closed:
            raise PoolError(f"the run ended: {self.description} takes no more calls")

    def close(self, abort: bool) -> None:
        """Shut down the executors the run made; on ``abort`` stop their workers at once
        (a call still running would otherwise hold up the error or Ctrl-C)."""
        self.closed = True
        for executor in self.made:
            if abort:
                _terminate(executor)
            else:
                executor.shutdown(wait=True, cancel_futures=True)
        self.made.clear()


def _terminate(executor: Executor) -> None:
    """Stop ``executor`` and every worker it has, a call in progress or not."""
    terminate = getattr(executor, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    # Another thread of the run may be submitting right now, starting a worker. So:
    # hold on to the executor's table of workers, shut it down (that takes the lock
    # submit() holds while it starts one, and then drops the table), and only then
    # stop every worker the table lists — one started meanwhile is in it too.
    workers: dict[Any, Any] | None = getattr(executor, "_processes", None)  # the table itself
    executor.shutdown(wait=False, cancel_futures=True)
    for process in list((workers or {}).values()):
        process.terminate()


def _cpu_count() -> int:
    return os.cpu_count() or 1


def sendable(operation: Operation, start_method: str, pool: str) -> Any:
    """What to send for ``operation``'s function through ``pickle``; ValueError saying why
    it cannot be sent and what to do.

    ``pickle`` sends a function by its import path. ``@op`` leaves the Operation at that
    path, so such functions go as a :class:`FunctionRef` (unwrapped on the worker).
    Functions defined in a notebook (module ``__main__``) exist in a worker only if it
    was forked from this process (start method ``fork``).
    """
    func = operation.func
    where = f"operation {operation.name!r} cannot be sent to {pool}"
    module = getattr(func, "__module__", None)
    qualname = getattr(func, "__qualname__", None)
    target: Any = func
    try:
        pickle.dumps(func)
    except Exception as error:  # noqa: BLE001 - explained below
        target = reference_to(func)
        if target is None:
            raise ValueError(f"{where}: {_why(func, qualname, error)}") from error
    if module == "__main__" and start_method != "fork":
        raise ValueError(
            f"{where}: it is defined in the notebook or script (module __main__), which "
            f"workers started with the {start_method!r} method cannot import. Move it to a "
            "module (or a package) the workers can import, or pass a dask.distributed.Client "
            "as pool= (Dask sends notebook functions by value, with cloudpickle)"
        )
    return target


def _why(func: Any, qualname: str | None, error: Exception) -> str:
    if qualname and "<lambda>" in qualname:
        what = "it is a lambda"
    elif qualname and "<locals>" in qualname:
        what = f"it is defined inside a function ({qualname})"
    else:
        what = f"pickle refused it ({describe_error(error)})"
    return (
        f"{what}, and process pools send functions with pickle, by import path. Define it "
        "with def at module level, in a module (or a package) the workers can import — or "
        "pass a dask.distributed.Client as pool= (Dask sends such functions by value, with "
        "cloudpickle)"
    )
