"""Run-state bookkeeping for a dataflow graph: pure Python, fed by the executor's events.

What a live graph shows — each operation's state, its counts, its last inputs,
outputs and error, the contexts started and finished — is kept here, apart
from any widget, so a script (or a test) can follow a run the same way::

    state = RunState(flow)
    run_sync(flow, inputs, on_events=state.absorb)
    state.status()              # {"add": "done", ...}
    state.op_details("add")     # signature, counts, last inputs / outputs, error

Cost matters: a 10,000-context run makes about 80,000 events. ``absorb`` is a
summary subscriber (``events.summary_subscriber``): it reads a batch only
through ``tally()``, ``last()`` and its failures, so on the executor's fast
path the contexts that ran every step reach it counted, not recorded (a few
batches of a few records). :meth:`RunState.absorb` does one ``batch.tally()``
(counted in C) per batch, and builds the newest event per operation and kind
only from the batches a live view will show (``newest=``) and from the run's
last one.
It keeps no batch: holding on to a batch until the next one arrives keeps
hundreds of event records alive through the garbage collector's young
generations, which measured dearer (about 3% of a bare run) than building
those few events from every batch (about 2%); building them from a few
batches only costs next to nothing. ``benchmarks/bench_graph.py`` measures it.
"""

from __future__ import annotations

import time
from typing import Any

from dffml_nb.df import DataFlow, Event, EventBatch, count_contexts
from dffml_nb.df.events import summary_subscriber

__all__ = ["STATES", "OpState", "RunState", "context_total"]

#: the states an operation's node shows
STATES = ("idle", "running", "done", "failed")
_perf = time.perf_counter
_STARTED, _FINISHED, _FAILED = "operation_started", "operation_finished", "operation_failed"


def context_total(inputs: Any) -> int:
    """How many contexts ``run(flow, inputs)`` makes of ``inputs`` (0 when unknown).

    The notebook layer's one place for it, and it asks the executor's own
    reading of ``inputs`` (``dffml_nb.df.count_contexts``), so the two never
    disagree (``{"a": Input(..), "b": Input(..)}`` is two contexts).
    """
    return count_contexts(inputs) or 0


class OpState:
    """One operation's counters and newest event of each kind (``last_events``)."""

    __slots__ = ("name", "started", "finished", "failed", "inflight", "active", "last_events")

    def __init__(self, name: str) -> None:
        self.name = name
        self.started = self.finished = self.failed = self.inflight = 0
        self.active = False  # started since the view last looked (see DataFlowGraph._push)
        self.last_events: dict[str, Event | None] = {}

    @property
    def last_started(self) -> Event | None:
        return self.last_events.get(_STARTED)

    @property
    def last_finished(self) -> Event | None:
        return self.last_events.get(_FINISHED)

    @property
    def last_failed(self) -> Event | None:
        return self.last_events.get(_FAILED)

    @property
    def state(self) -> str:
        # failed first: with strict=False a failing operation keeps running for
        # other contexts, and the failure is what must catch the eye
        if self.failed:
            return "failed"
        if self.inflight > 0:
            return "running"
        if self.finished:
            return "done"
        return "idle"

    @property
    def runs(self) -> int:
        # a run stopped by max_runs fails without having started
        return max(self.started, self.finished + self.failed)

    def counts(self) -> dict[str, int]:
        return {"started": self.started, "finished": self.finished, "failed": self.failed}


class RunState:
    """The state of one run (or of the runs since :meth:`reset`) of a flow, by operation name.

    Feed it with :meth:`absorb` (an ``on_events`` subscriber); read it with
    :meth:`status`, :meth:`counts`, :meth:`op_details`, :meth:`def_details`.
    Not thread-safe by itself: a caller absorbing from a worker thread while
    another reads holds a lock around both (as :class:`DataFlowGraph` does).
    """

    def __init__(self, flow: DataFlow) -> None:
        self.flow = flow
        #: contexts the current run will finish, when known (0: unknown); see :meth:`absorb`
        self.expected = 0
        self.reset()

    def reset(self) -> None:
        """Back to idle: counts, newest events and errors are forgotten."""
        self.ops: dict[str, OpState] = {o.name: OpState(o.name) for o in self.flow}
        self.contexts_started = self.contexts_finished = 0
        self.failed_contexts: set[str] = set()
        self.run_started: float | None = None
        self.run_ended: float | None = None

    # it reads a batch only through tally(), last() and of_kind("operation_failed"), so
    # the executor may count the contexts of its fast path rather than record each one
    @summary_subscriber
    def absorb(self, batch: EventBatch, *, newest: bool = True) -> None:
        """Count a batch of events: the ``on_events`` subscriber.

        ``newest=False``: only count, and leave each operation's newest events
        as they were — for a live view that shows details only now and then.
        The batch that finishes the :attr:`expected` contexts, and any batch
        with a failure, is always read for them, so the state after a run is exact.
        """
        tally = batch.tally()
        failures = self._count(tally)
        if failures:  # rare: only then look at the failures one by one
            self.failed_contexts.update(e.context for e in batch.of_kind(_FAILED))
        last_one = self.expected > 0 and self.contexts_finished >= self.expected
        if newest or failures or last_one:
            ops = self.ops
            for kind, name in tally:
                state = ops.get(name) if name is not None else None
                if state is not None:
                    state.last_events[kind] = batch.last(kind, name)

    def _count(self, tally: dict[tuple[str, str | None], int]) -> bool:
        """Add a batch's tally to the counters; True if an operation failed."""
        ops = self.ops
        failures = False
        for (kind, name), count in tally.items():
            if name is None:  # a context event
                if kind == "context_started":
                    if self.run_started is None:
                        self.run_started = _perf()
                    self.contexts_started += count
                elif kind == "context_finished":
                    self.contexts_finished += count
                continue
            state = ops.get(name)
            if state is None:  # an operation this flow does not have (the flow was replaced)
                continue
            if kind == _STARTED:
                state.started += count
                state.inflight += count
                state.active = True
                continue
            if kind == _FINISHED:
                state.finished += count
            else:
                state.failed += count
                failures = True
            state.inflight = max(0, state.inflight - count)
        return failures

    def settle(self) -> None:
        """The run is over: nothing is in flight any more (cancelled tasks never report)."""
        for state in self.ops.values():
            state.inflight = 0
            state.active = False
        self.run_ended = _perf()

    # -- reading --------------------------------------------------------------------

    @property
    def contexts_failed(self) -> int:
        return len(self.failed_contexts)

    @property
    def idle(self) -> bool:
        """Nothing has happened since the last reset."""
        return not self.contexts_started and not any(s.runs for s in self.ops.values())

    def elapsed(self) -> float | None:
        """Seconds from the first context to the end of the run (or now), None before a run."""
        if self.run_started is None:
            return None
        end = self.run_ended if self.run_ended is not None else _perf()
        return max(0.0, end - self.run_started)

    def status(self) -> dict[str, str]:
        """``{operation name: "idle" | "running" | "done" | "failed"}``."""
        return {name: state.state for name, state in self.ops.items()}

    def counts(self) -> dict[str, dict[str, int]]:
        """``{operation name: {"started": n, "finished": n, "failed": n}}``."""
        return {name: state.counts() for name, state in self.ops.items()}

    def op_details(self, name: str) -> dict[str, Any]:
        """What a click on an operation shows: signature, counts, last inputs / outputs, error."""
        operation = self.flow[name]
        state = self.ops[name]
        finished, started, failed = state.last_finished, state.last_started, state.last_failed
        last = (
            failed
            if failed is not None and (finished is None or state.state == "failed")
            else finished
        )
        latest = last or started
        return {
            "kind": "operation",
            "name": name,
            "signature": operation.signature,
            "stage": operation.stage,
            "status": state.state,
            "counts": state.counts(),
            "last_context": latest.context if latest is not None else None,
            "last_inputs": _plain_dict(started.inputs if started is not None else None),
            "last_outputs": _plain_dict(finished.outputs if finished is not None else None),
            "last_duration": last.duration if last is not None else None,
            # which worker ran its last call, when it ran in a pool (runner="process")
            "last_worker": last.worker if last is not None else None,
            "error": error_text(failed.error) if failed is not None else None,
        }

    def def_details(self, name: str, role: str) -> dict[str, Any]:
        """What a click on a definition shows; ``role`` is its place in the picture."""
        producers = self.flow.producers(name)
        consumers = self.flow.consumers(name)
        return {
            "kind": "definition",
            "name": name,
            "primitive": self.flow.definitions[name].primitive,
            "role": role,
            "produced_by": [o.name for o in producers],
            "consumed_by": [o.name for o in consumers],
            "last_value": self._last_value(name, producers, consumers),
        }

    def _last_value(self, name: str, producers: list[Any], consumers: list[Any]) -> Any:
        """The last value of definition ``name``: produced by a producer, else read by a consumer."""
        value = None
        for operation in producers:
            state = self.ops.get(operation.name)
            event = state.last_finished if state else None
            if event is None or not event.outputs:
                continue
            for key, out in operation.outputs.items():
                if out.name == name and key in event.outputs:
                    value = event.outputs[key]
        if value is not None:
            return value
        for operation in consumers:
            state = self.ops.get(operation.name)
            event = state.last_started if state else None
            if event is None or not event.inputs:
                continue
            for param, used in operation.inputs.items():
                if used.name == name and param in event.inputs:
                    value = event.inputs[param]
        return value


def _plain_dict(mapping: Any) -> dict[str, Any] | None:
    return dict(mapping) if mapping is not None else None


def error_text(error: BaseException | None) -> str | None:
    """``"ZeroDivisionError: division by zero"``: the original error behind an OperationError."""
    if error is None:
        return None
    cause = error.__cause__ or getattr(error, "error", None)
    if cause is not None and cause is not error:
        return f"{type(cause).__name__}: {cause}"
    return f"{type(error).__name__}: {error}"
