"""Runs whose contexts are given and consumed one at a time (memory flat in their number).

``run_sync`` gathers every context's results in one dict. Code that runs a
flow over a million records wants neither the input sets nor the results of all
of them at once: :class:`Named` gives named input sets lazily and
:func:`iterate` yields each context's results as it finishes, synchronously,
inside or outside a running event loop.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Iterator
from typing import Any

from dffml_nb.df.dataflow import DataFlow
from dffml_nb.df.executor import Results, _loop_running, run
from dffml_nb.df.named import Named
from dffml_nb.df.plan import plan_of

__all__ = ["Named", "iterate"]

_END = object()


def iterate(
    dataflow: DataFlow, inputs: Any = None, **options: Any
) -> Iterator[tuple[str, Results]]:
    """``(context, results)`` as each context finishes, like ``run`` but synchronous.

    Flows of plain functions are stepped right here, with no event loop; other
    flows run on a private loop (in a worker thread when the caller is inside a
    running loop, such as a Jupyter kernel) and hand results over one by one.
    Options are those of :func:`~dffml_nb.df.run`. Failures raise as in ``run``.
    """
    agen = run(dataflow, inputs, **options)
    if plan_of(dataflow).all_inline:
        return _stepped(agen)
    if _loop_running():
        return _threaded(agen)
    return _private_loop(agen)


def _stepped(agen: Any) -> Iterator[tuple[str, Results]]:
    """An async generator that never waits on a future, driven without a loop."""
    try:
        while True:
            step = agen.__anext__()
            try:
                while True:
                    # ``await asyncio.sleep(0)`` (the run letting others breathe) yields None
                    if step.send(None) is not None:  # pragma: no cover - inline runs never wait
                        raise RuntimeError("an inline-only run waited on the event loop")
            except StopIteration as done:
                yield done.value
            except StopAsyncIteration:
                return
    finally:
        _close(agen)


def _close(agen: Any) -> None:
    closing = agen.aclose()
    try:
        while True:
            closing.send(None)
    except (StopIteration, StopAsyncIteration, RuntimeError):
        pass


def _private_loop(agen: Any) -> Iterator[tuple[str, Results]]:
    loop = asyncio.new_event_loop()
    try:
        while True:
            try:
                yield loop.run_until_complete(agen.__anext__())
            except StopAsyncIteration:
                return
    finally:
        loop.run_until_complete(agen.aclose())
        loop.close()


def _threaded(agen: Any) -> Iterator[tuple[str, Results]]:
    """Inside a running loop: the run goes on a worker thread's loop; results come back
    through a small queue, so the worker runs at most a few contexts ahead."""
    handoff: queue.Queue[Any] = queue.Queue(maxsize=256)
    stop = threading.Event()

    async def pump() -> None:
        try:
            async for item in agen:
                while not stop.is_set():
                    try:
                        handoff.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    break
        except BaseException as error:  # re-raised in the caller's thread
            handoff.put(error)
        finally:
            await agen.aclose()
            handoff.put(_END)

    thread = threading.Thread(
        target=lambda: asyncio.run(pump()), name="dffml_nb-iterate", daemon=True
    )
    thread.start()
    try:
        while True:
            item = handoff.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # drain so the worker is never stuck on a full queue
            try:
                handoff.get(timeout=0.1)
            except queue.Empty:
                pass
        thread.join()
