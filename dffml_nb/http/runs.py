"""One run of a flow on the server's event loop, bounded by a timeout and by its client.

A :class:`FlowRun` runs the executor in a task and funnels everything that can
happen into one queue: the run's events (``run(..., on_event=...)``), its end,
the timeout firing and the client going away. The route reads that queue —
for a plain request until the end, for ``?stream=true`` event by event — and
:meth:`FlowRun.close` always cancels and awaits what is left, so a run that
times out or loses its client leaves no task behind.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from dffml_nb.http.encode import error_text, jsonable
from dffml_nb.http.problems import Problem

END = "end"
TIMEOUT = "timeout"
GONE = "disconnected"
_SIGNALS = (END, TIMEOUT, GONE)


async def until_disconnected(receive: Any) -> None:
    """Return when the client disconnects (the request body must already be read)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


class FlowRun:
    """``flow`` over ``contexts`` (``{name: [Input]}``); ``events=True`` queues its events too."""

    def __init__(
        self,
        flow: Any,
        contexts: dict[str, list[Any]],
        *,
        strict: bool,
        timeout: float,
        events: bool = False,
        active: set[asyncio.Task] | None = None,
    ) -> None:
        self.flow = flow
        self.contexts = contexts
        self.strict = strict
        self.timeout = timeout
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self.with_events = events
        self.results: dict[str, Any] = {}
        self.failure: BaseException | None = None
        self.outcome: str | None = None  # END, TIMEOUT or GONE once known
        self.duration = 0.0  # seconds the executor ran
        self._active = active if active is not None else set()
        self._task: asyncio.Task | None = None
        self._watcher: asyncio.Task | None = None
        self._timer: asyncio.TimerHandle | None = None

    # -- starting and stopping --------------------------------------------------------------

    def start(self, receive: Any = None) -> FlowRun:
        """Start the run; with ``receive``, a client that disconnects stops it."""
        loop = asyncio.get_running_loop()
        self._task = self._track(loop.create_task(self._main()))
        self._timer = loop.call_later(self.timeout, self.queue.put_nowait, TIMEOUT)
        if receive is not None:
            self._watcher = self._track(loop.create_task(until_disconnected(receive)))
            self._watcher.add_done_callback(self._client_gone)
        return self

    def _track(self, task: asyncio.Task) -> asyncio.Task:
        self._active.add(task)
        task.add_done_callback(self._active.discard)
        return task

    def _client_gone(self, watcher: asyncio.Task) -> None:
        if not watcher.cancelled():
            self.queue.put_nowait(GONE)

    async def close(self) -> None:
        """Cancel whatever still runs (timer, watcher, the run) and wait for it to stop."""
        if self._timer is not None:
            self._timer.cancel()
        for task in (self._watcher, self._task):
            if task is not None and not task.done():
                task.cancel()
        for task in (self._watcher, self._task):
            if task is not None:
                try:
                    await task
                except BaseException:  # cancelled or failed: either way it is over
                    pass

    async def _main(self) -> None:
        from dffml_nb.df import run

        started = time.perf_counter()
        on_event = self.queue.put_nowait if self.with_events else None
        try:
            async for name, results in run(
                self.flow, self.contexts, strict=self.strict, on_event=on_event
            ):
                self.results[name] = results
        except asyncio.CancelledError:
            raise
        except Exception as error:  # reported to the client by the route
            self.failure = error
        finally:
            self.duration = time.perf_counter() - started
            self.queue.put_nowait(END)

    # -- reading --------------------------------------------------------------------------

    async def events(self) -> AsyncIterator[Any]:
        """The run's events as they happen; stops at the end, the timeout or a disconnect."""
        while True:
            item = await self.queue.get()
            if isinstance(item, str) and item in _SIGNALS:
                self.outcome = item
                return
            yield item

    async def wait(self) -> None:
        """Until the run ends, times out or loses its client (see :attr:`outcome`)."""
        async for _ in self.events():
            pass

    # -- what the client gets -----------------------------------------------------------------

    def timeout_problem(self) -> Problem:
        return Problem(
            504,
            f"the run of the flow did not finish within the server's timeout of "
            f"{self.timeout:g} s and was cancelled ({len(self.results)} of "
            f"{len(self.contexts)} contexts had finished)",
            title="Run timed out",
            results=self.finished(),  # what finished before the timeout is not lost
        )

    def failure_problem(self) -> Problem | None:
        """A 422 for a strict run that stopped at a failing operation or refused its inputs."""
        failure = self.failure
        if failure is None:
            return None
        from dffml_nb.df import DataFlowError, OperationError

        if isinstance(failure, OperationError):
            return Problem(
                422,
                error_text(failure),
                title="Operation failed",
                operation=failure.operation,
                context=failure.context,
                results=self.finished(),
            )
        if isinstance(failure, DataFlowError):
            return Problem(422, error_text(failure), title="Invalid run")
        raise failure  # a bug: the server's error handler answers 500 and logs it

    def finished(self) -> dict[str, Any]:
        """``{context: {definition: value}}`` of the contexts that finished, as JSON data."""
        return {name: jsonable(dict(results)) for name, results in self.results.items()}

    def document(self) -> dict[str, Any]:
        """The ``run`` response: results per context and the errors of a non-strict run."""
        errors: list[dict[str, Any]] = []
        for results in self.results.values():
            errors.extend(error_item(error) for error in getattr(results, "errors", ()))
        return {"results": self.finished(), "errors": errors}


def error_item(error: Any) -> dict[str, Any]:
    """``{"context", "operation", "message"}`` for an ``OperationError`` (or a dict that
    says the same with ``key`` for the context, as a record's failure may)."""
    if isinstance(error, dict):
        return {
            "context": str(error.get("context", error.get("key", ""))),
            "operation": error.get("operation"),
            "message": str(error.get("message", error.get("error", ""))),
        }
    return {
        "context": str(getattr(error, "context", "")),
        "operation": getattr(error, "operation", None),
        "message": error_text(error),
    }


def event_document(event: Any) -> dict[str, Any]:
    """An executor :class:`~dffml_nb.df.Event` as JSON data (errors as text)."""
    document: dict[str, Any] = {"kind": event.kind, "context": event.context}
    if event.operation is not None:
        document["operation"] = event.operation
    if event.duration is not None:
        document["duration"] = event.duration
    if event.inputs is not None:
        document["inputs"] = jsonable(event.inputs)
    if event.outputs is not None:
        document["outputs"] = jsonable(event.outputs)
    if event.error is not None:
        document["error"] = error_text(event.error)
    if event.results is not None:
        document["results"] = jsonable(dict(event.results))
    return document
