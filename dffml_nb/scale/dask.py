"""The pool of a ``dask.distributed.Client``: ``runner="process"`` calls on a Dask cluster.

The executor hands over one call at a time; what goes to Dask is batched, so the
driver adds no round trip that a hand-written ``client.map`` would not make:

- calls handed over in the same moment are submitted together, one
  ``client.map`` per operation (one graph update; the function pickled once);
- calls of an operation measured to be quick share a task (about 20 ms of work
  each), so Dask's cost per task is paid once for many;
- finished calls are found by looking at the futures' status (no task per call)
  and their results fetched together, one ``client.gather`` for all that
  finished meanwhile.

Results come back to the driver, where the executor links them into the flow, so
locks, conditions, stages and events stay the driver's, exactly as without a
cluster. Every exchange with Dask happens on the Client's own event loop (a
thread of its own for a synchronous Client; the run's loop for an asynchronous
one); outcomes come back to the run's loop in one hop per batch.

Functions travel with Dask's serialisation (cloudpickle), so functions defined in
a notebook work; the packages they import must be installed on the workers, and
so must dffml_nb (the call runs through :func:`dffml_nb.df.remote.call_remote`).

Failures: a call whose worker died more often than the scheduler allows
(``distributed.scheduler.allowed-failures``) fails with ``WorkerLost`` (calls that
shared its task are re-run alone, one at a time, so only the one that kills fails); a lost
scheduler (connection closed, or no answer to a ping for ``timeout`` seconds)
ends the run with ``PoolError``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from typing import Any

import cloudpickle  # type: ignore[import-untyped]
from distributed import Client, get_worker
from distributed.client import FutureCancelledError
from distributed.scheduler import KilledWorker

from dffml_nb.df.errors import PoolError
from dffml_nb.df.operation import Operation
from dffml_nb.df.pool import DEFAULT_POOL_TIMEOUT
from dffml_nb.df.remote import Outcome, WorkerLost, call_remote, reference_to
from dffml_nb.df.reprs import describe_error

__all__ = ["DaskPool"]

# how often (at most) the scheduler is pinged while calls are out
_PING_EVERY = 5.0
# While calls are out, calls handed over within this many seconds travel together:
# fewer, larger graph updates, as Dask's own comms batch their messages. A call made
# while none is out goes at once, so a lone call waits for nothing.
_BATCH_WINDOW = 0.01
# finished calls are looked for this often: from _POLL_MIN while calls finish, backing
# off to _POLL_MAX while none does (a long call's result waits at most that long)
_POLL_MIN, _POLL_MAX = 0.002, 0.05
# Calls of an operation measured to take less than this go to Dask several to a task, up
# to about this much work per task: Dask's cost per task (a millisecond or so, on the
# scheduler and the worker) would dwarf them. Calls not measured yet go one to a task.
_TASK_SECONDS = 0.02

Job = tuple[Any, dict[str, Any], int, bool]  # target, kwargs, retry, drain
Call = tuple[dict[str, Any], Any]  # kwargs, the waiter of the call
Reply = tuple[Any, bool, Any]  # waiter, ok, outcome or exception


class _Caller:
    """What Dask runs for one operation: ``caller([kwargs, ...])`` on a worker.

    One per (function, retry, drain), so a batch of calls of one operation is one
    ``client.map`` and the function is serialised once per batch. A task runs one
    call or several (see ``_TASK_SECONDS``), and says how long they took.
    """

    __slots__ = ("target", "retry", "drain", "__name__")

    def __init__(self, target: Any, retry: int, drain: bool) -> None:
        self.target, self.retry, self.drain = target, retry, drain
        # Dask names tasks (and its dashboard bars) after the function
        self.__name__ = getattr(target, "__name__", "operation")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Caller, (self.target, self.retry, self.drain))

    def __call__(self, calls: list[dict[str, Any]]) -> tuple[list[Outcome], float]:
        started = time.perf_counter()
        address = get_worker().address
        outcomes = []
        for kwargs in calls:
            ok, value, failure, _ = call_remote(self.target, kwargs, self.retry, self.drain)
            outcomes.append((ok, value, failure, address))
        return outcomes, time.perf_counter() - started


class DaskPool:
    """Runs calls on the cluster of ``client`` (sync, or asynchronous on the run's loop)."""

    def __init__(self, client: Client, timeout: float = DEFAULT_POOL_TIMEOUT) -> None:
        self.client = client
        self.timeout = timeout
        address = getattr(client.scheduler, "address", None) or "(not connected)"
        self.description = f"the Dask cluster at {address}"
        if client.status != "running":
            raise PoolError(
                f"the Dask client of {self.description} is not connected (status "
                f"{client.status!r}): start the cluster and pass a connected Client"
            )
        self.lost: PoolError | None = None
        self.loop: asyncio.AbstractEventLoop | None = None  # the run's loop
        # the run's side: calls out (the future each call waits on)
        self.waiting: set[asyncio.Future[Outcome]] = set()
        self.watchdog: asyncio.Task[None] | None = None
        # handed over, not yet submitted (written by the run's loop, read by the client's)
        self.outbox: list[tuple[Job, asyncio.Future[Outcome]]] = []
        self.outbox_lock = threading.Lock()
        self.flush_due = False
        # the client's side (its loop only): submitted calls and their collector
        self.callers: dict[tuple[int, int, bool], _Caller] = {}
        self.out: dict[Any, tuple[_Caller, list[Call]]] = {}  # Dask future -> its calls
        self.future_of: dict[Any, Any] = {}  # waiter -> the Dask future running its call
        self.per_call: dict[_Caller, float] = {}  # seconds a call takes on a worker
        # calls of a task whose worker died, re-run one at a time to find the one that kills
        self.suspects: deque[tuple[_Caller, Call]] = deque()
        self.probe: Any = None  # the Dask future of the suspect running now
        self.collecting = False

    def _client_loop(self) -> asyncio.AbstractEventLoop:
        """The asyncio loop under the Client's (tornado) IOLoop: where Dask is spoken to."""
        loop: asyncio.AbstractEventLoop = getattr(self.client.loop, "asyncio_loop")  # noqa: B009
        return loop

    # -- before the run ------------------------------------------------------------------

    def prepare(self, operation: Operation) -> Any:
        func = operation.func
        if getattr(func, "__module__", "__main__") != "__main__":
            # a module's @op function by import path, as cloudpickle sends module functions
            # (it would send it by value, as the module attribute is the Operation)
            reference = reference_to(func)
            if reference is not None:
                return reference
        try:
            cloudpickle.dumps(func)
        except Exception as error:  # noqa: BLE001 - explained
            raise ValueError(
                f"operation {operation.name!r} cannot be sent to {self.description}: "
                f"cloudpickle refused it ({describe_error(error)}). It holds something that "
                "cannot leave this process (a lock, an open file or connection): create that "
                "inside the function, or pass what it needs as inputs"
            ) from error
        return func

    # -- the run's side --------------------------------------------------------------------

    async def call(self, target: Any, kwargs: dict[str, Any], retry: int, drain: bool) -> Outcome:
        if self.lost is not None:
            raise self.lost
        loop = self.loop = asyncio.get_running_loop()
        client_loop = self._client_loop()
        if client_loop is not loop and getattr(self.client, "_asynchronous", False):
            raise PoolError(
                "this Dask Client is asynchronous and its event loop is not the one running "
                "the flow (run_sync runs flows on a loop of its own): use it on its loop "
                "(async for ... in run(flow, inputs, pool=client)), or create the Client "
                "with asynchronous=False"
            )
        waiter: asyncio.Future[Outcome] = loop.create_future()
        with self.outbox_lock:
            self.outbox.append(((target, kwargs, retry, drain), waiter))
            flush, self.flush_due = not self.flush_due, True
        if flush:  # the first call of a batch: it goes out now if the pool is idle, else soon
            delay = _BATCH_WINDOW if self.waiting else 0.0
            client_loop.call_soon_threadsafe(client_loop.call_later, delay, self._flush)
        self.waiting.add(waiter)
        if self.watchdog is None or self.watchdog.done():
            self.watchdog = loop.create_task(self._watch())
        try:
            return await waiter
        except asyncio.CancelledError:  # the run let go of the call: so does Dask
            _threadsafe(client_loop, self._let_go, [waiter])
            raise
        finally:
            self.waiting.discard(waiter)

    # -- the client's side (on its event loop) ------------------------------------------------

    def _flush(self) -> None:
        """Submit every call handed over since the last flush: one map per operation."""
        with self.outbox_lock:
            batch, self.outbox, self.flush_due = self.outbox, [], False
        groups: dict[_Caller, list[tuple[dict[str, Any], asyncio.Future[Outcome]]]] = {}
        for (target, kwargs, retry, drain), waiter in batch:
            if waiter.done():  # cancelled before it went out
                continue
            key = (id(target), retry, drain)
            caller = self.callers.get(key)
            if caller is None:
                caller = self.callers[key] = _Caller(target, retry, drain)
            groups.setdefault(caller, []).append((kwargs, waiter))
        if not groups:
            return
        replies: list[Reply] = []
        for caller, calls in groups.items():
            try:
                self._map(caller, calls)
            except Exception:  # noqa: BLE001 - some input cannot be serialised: find which
                for call in calls:
                    try:
                        self._map(caller, [call])
                    except Exception as error:  # noqa: BLE001 - that call fails, no other
                        failure = RuntimeError(
                            f"could not send the call to {self.description}: "
                            f"{describe_error(error)}"
                        )
                        replies.append((call[1], False, failure))
        self._reply(replies)
        if not self.collecting:
            self.collecting = True
            asyncio.ensure_future(self._collect())

    def _map(self, caller: _Caller, calls: list[Call], size: int | None = None) -> None:
        """Submit ``calls`` as tasks of ``size`` calls (by default as measured fits)."""
        if size is None:
            per = self.per_call.get(caller)
            size = 1 if per is None else int(_TASK_SECONDS / max(per, 1e-6))
        size = max(1, min(size, len(calls)))
        chunks = [calls[i : i + size] for i in range(0, len(calls), size)]
        futures = self.client.map(
            caller, [[kwargs for kwargs, _ in chunk] for chunk in chunks], pure=False
        )
        for future, chunk in zip(futures, chunks):
            self.out[future] = (caller, chunk)
            for _, waiter in chunk:
                self.future_of[waiter] = future

    async def _collect(self) -> None:
        """While calls are out: take every finished one, fetch their results together.

        The futures' status is read (the client updates it as the scheduler reports),
        every ``_POLL_MIN`` seconds while calls finish, backing off to ``_POLL_MAX``
        while none does: an attribute read per call out, and no task per call.
        """
        pause = _POLL_MIN
        try:
            while self.out:
                ready = [f for f in self.out if f.status != "pending"]
                if ready:
                    await self._deliver(ready)
                    pause = _POLL_MIN
                else:
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, _POLL_MAX)
        finally:
            self.collecting = False

    async def _deliver(self, batch: list[Any]) -> None:
        finished = [f for f in batch if f.status == "finished"]
        replies: list[Reply] = []
        if finished:
            try:
                values = await self.client.gather(finished)
            except Exception:  # noqa: BLE001 - some result was lost: fetch one by one below
                pass
            else:
                for future, (outcomes, seconds) in zip(finished, values):
                    caller, calls = self.out.pop(future)
                    self._measured(caller, seconds / len(outcomes))
                    replies += [(waiter, True, o) for (_, waiter), o in zip(calls, outcomes)]
                    self._forget(future, calls)
        for future in batch:
            if future not in self.out:
                continue
            caller, calls = self.out.pop(future)
            self._forget(future, calls)
            ok, value = await self._outcome(future)
            if ok:
                outcomes, _ = value
                replies += [(waiter, True, o) for (_, waiter), o in zip(calls, outcomes)]
            elif isinstance(value, WorkerLost) and len(calls) > 1:
                # Which of these calls killed its worker? Each goes again alone, one after
                # another: two at once could share a worker, and Dask would blame both.
                self.per_call.pop(caller, None)
                self.suspects.extend((caller, call) for call in calls)
            else:
                replies += [(waiter, False, value) for _, waiter in calls]
        if self.probe is not None and self.probe not in self.out:
            self.probe = None  # the last suspect is done
        self._next_suspect()
        self._reply(replies)

    def _next_suspect(self) -> None:
        while self.probe is None and self.suspects:
            caller, (kwargs, waiter) = self.suspects.popleft()
            if not waiter.done():
                self._map(caller, [(kwargs, waiter)], size=1)
                self.probe = self.future_of[waiter]

    def _measured(self, caller: _Caller, seconds: float) -> None:
        before = self.per_call.get(caller)
        self.per_call[caller] = seconds if before is None else 0.7 * before + 0.3 * seconds

    async def _outcome(self, future: Any) -> tuple[bool, Any]:
        try:
            return True, await future
        except KilledWorker as error:
            return False, WorkerLost(
                "the Dask worker running it died before returning (killed, out of memory, or "
                f"a crash in native code) on every worker that tried it: {error}"
            )
        except FutureCancelledError as error:
            if error.reason == "scheduler-connection-lost":
                return False, self._connection_lost("Dask cancelled the calls that were out")
            return False, RuntimeError(f"Dask cancelled the call: {describe_error(error)}")
        except Exception as error:  # noqa: BLE001 - e.g. a result that cannot be deserialised
            return False, RuntimeError(
                f"{self.description} could not run the call or send its result back: "
                f"{describe_error(error)}"
            )

    def _forget(self, future: Any, calls: list[Call]) -> None:
        for _, waiter in calls:
            if self.future_of.get(waiter) is future:
                del self.future_of[waiter]

    def _let_go(self, waiters: list[Any]) -> None:
        """Calls nobody waits for any more: cancel their tasks once no call of them is wanted."""
        futures = []
        for waiter in waiters:
            future = self.future_of.pop(waiter, None)
            entry = self.out.get(future) if future is not None else None
            if entry is None:
                continue
            if all(w.done() or w is waiter for _, w in entry[1]):
                del self.out[future]
                futures.append(future)
        if futures:
            asyncio.ensure_future(self.client.cancel(futures))

    def _reply(self, replies: list[Reply]) -> None:
        """Hand outcomes to the run's loop: one hop for the whole batch."""
        if replies and self.loop is not None:
            _threadsafe(self.loop, _settle_all, replies)

    # -- a scheduler that stops answering ----------------------------------------------------

    async def _watch(self) -> None:
        """While calls are out, ping the scheduler: lost, or no answer within ``timeout``,
        ends the run."""
        every = min(self.timeout / 3, _PING_EVERY)
        while self.waiting and self.lost is None:
            await asyncio.sleep(every)
            if not self.waiting:
                return
            problem = await self._ping()
            if problem is not None:
                self._lose(problem)

    async def _ping(self) -> PoolError | None:
        """None when the scheduler answers within the timeout, else the run's error."""
        if self.client.status not in ("running", "connecting"):
            return self._connection_lost(f"the client is {self.client.status}")
        loop = asyncio.get_running_loop()
        client_loop = self._client_loop()
        identity = self.client.scheduler.identity()
        try:
            if client_loop is loop:
                await asyncio.wait_for(identity, self.timeout)
            else:
                asked = asyncio.run_coroutine_threadsafe(identity, client_loop)
                try:
                    await asyncio.wait_for(asyncio.wrap_future(asked), self.timeout)
                finally:
                    asked.cancel()
        except (asyncio.TimeoutError, TimeoutError):
            return PoolError(
                f"the scheduler of {self.description} did not answer for {self.timeout:g} s: "
                "the run was stopped. Check the scheduler, or pass a larger pool_timeout="
            )
        except Exception as error:  # noqa: BLE001 - any failure to reach it
            return self._connection_lost(describe_error(error))
        return None

    def _connection_lost(self, detail: str) -> PoolError:
        return PoolError(
            f"lost the connection to the scheduler of {self.description} during the run "
            f"({detail}); calls that were out are unfinished. Check the scheduler, then run "
            "the flow again"
        )

    def _lose(self, error: PoolError) -> None:
        self.lost = error
        waiters = list(self.waiting)
        for waiter in waiters:
            if not waiter.done():
                waiter.set_exception(error)
        _threadsafe(self._client_loop(), self._let_go, waiters)

    # -- the end ---------------------------------------------------------------------------

    def close(self, abort: bool) -> None:
        """The Client belongs to the caller: it stays open. Calls still out are let go."""
        if self.waiting:
            _threadsafe(self._client_loop(), self._let_go, list(self.waiting))
        if self.watchdog is not None:
            self.watchdog.cancel()


def _threadsafe(loop: asyncio.AbstractEventLoop, func: Any, *args: Any) -> None:
    try:
        loop.call_soon_threadsafe(func, *args)
    except RuntimeError:  # that loop closed meanwhile: nobody is there to tell
        pass


def _settle_all(replies: list[Reply]) -> None:
    """On the run's loop: each waiter gets its outcome (or exception)."""
    for waiter, ok, value in replies:
        if waiter.done():
            continue
        if ok:
            waiter.set_result(value)
        else:
            waiter.set_exception(value)
