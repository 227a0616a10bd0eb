"""The in-process async executor.

Each context keeps, per operation, the inputs seen so far for each parameter.
When an input arrives only the *new* combinations (those that include it) are
dispatched, so every combination runs exactly once and the cost of an arrival
is the number of new runs, not the size of the context. Sync operations run
inline; coroutines, async generators, ``runner="thread"`` and ``runner="process"``
(sent to the run's pool, see :mod:`dffml_nb.df.pool`) become tasks.
A context whose operations are all inline finishes without touching the event
loop, which is what makes ``run_sync`` fast and loop-agnostic.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import inspect
import itertools
import threading
import time
import warnings
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

from dffml_nb.df.compiled import fast_plan
from dffml_nb.df.context import Context
from dffml_nb.df.dataflow import DataFlow
from dffml_nb.df.errors import DataFlowError, OperationError, PoolError, SubscriberError
from dffml_nb.df.events import (
    Event,
    EventBatch,
    RawEvent,
    context_finished,
    context_started,
    context_steps,
    contexts_counted,
    operation_failed,
    operation_finished,
    operation_ran,
    operation_started,
    reads_summary,
)
from dffml_nb.df.inputs import input_sets, parse_input_set
from dffml_nb.df.lineage import Repeats
from dffml_nb.df.operation import FunctionType
from dffml_nb.df.plan import OpPlan, Plan, Stage, plan_of
from dffml_nb.df.pool import DEFAULT_POOL_TIMEOUT, Pool, as_pool
from dffml_nb.df.remote import rebuild_error
from dffml_nb.df.reprs import describe_error, short_repr
from dffml_nb.df.types import Definition, Input

__all__ = ["run", "run_sync", "events", "Results"]

_perf = time.perf_counter
Item = Input[Definition]  # an input inside a run: its definition is resolved
Args = tuple[Item, ...]  # one call's inputs, one per parameter
# enum members as module constants: the hot loop reads globals, not enum attributes
PROCESSING, CLEANUP, OUTPUT, SETTLED, FINISHED = Stage
# indexed by stage (a tuple: an Enum's __hash__ is Python code, too slow for a dict here)
_NEXT_STAGE = (CLEANUP, OUTPUT, SETTLED)
GENERATOR = FunctionType.GENERATOR
COROUTINE = FunctionType.COROUTINE
ASYNC_GENERATOR = FunctionType.ASYNC_GENERATOR


class _StopSignal:
    """Set from another thread (``run_sync``'s caller on Ctrl-C) to stop a run."""

    __slots__ = ("requested",)

    def __init__(self) -> None:
        self.requested = False


# the stop signal of the run_sync call this run belongs to, if any
_STOP: contextvars.ContextVar[_StopSignal | None] = contextvars.ContextVar(
    "dffml_nb_stop", default=None
)
_NEVER_STOPPED = _StopSignal()
_BATCH = 512  # events per batch at most (see _Run.due)


class Results(dict[str, Any]):
    """A context's results: definition name -> value, plus ``errors``."""

    __slots__ = ("errors",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.errors: list[OperationError] = []


class OutputShapeError(TypeError):
    """An operation returned something that does not fit its declared outputs."""


class OutputRejected(ValueError):
    """An output value was refused by its definition's ``validate``."""


# what an operation's outputs can fail with: reported as that operation's failure
_OUTPUT_ERRORS = (OutputShapeError, OutputRejected)


class _RemoteFailure(Exception):
    """An operation raised on a pool's worker: its exception, the worker, the traceback text."""

    def __init__(self, error: BaseException, worker: str, text: str) -> None:
        super().__init__(error)
        self.error, self.worker, self.text = error, worker, text


_NEVER_WRITTEN: list[Any] = []


class _State:
    """One operation's inputs so far within one context."""

    __slots__ = ("arrived", "condition_met", "conditions_missing", "held", "defaulted")

    def __init__(self, plan: OpPlan) -> None:
        #: per parameter, the inputs that arrived for it, oldest first
        self.arrived: list[list[Item]] = [[] for _ in range(plan.arity)]
        #: how many conditions have no true input yet; while any, calls are held
        self.conditions_missing = missing = len(plan.conditions)
        # without conditions both lists stay empty: share one (never written) instead of
        # making two per operation per context
        #: per condition, whether a true input of it arrived
        self.condition_met: list[bool] = [False] * missing if missing else _NEVER_WRITTEN
        #: calls formed before every condition was met, run once they are
        self.held: list[Args] = [] if missing else _NEVER_WRITTEN
        #: the parameters' defaults were applied (once, when the stage settled)
        self.defaulted = False


class _ContextRun:
    """Runs one context: a small state machine driven by inline calls and task completions."""

    __slots__ = (
        "run",
        "name",
        "ctx",
        "states",
        "queue",
        "inflight",
        "stage",
        "consumers",
        "condition_consumers",
        "errors",
        "output_results",
        "output_ran",
        "driving",
        "halted",
        "aborted",
        "failure",
        "tasks",
        "runs",
        "parked",
        "repeats",
    )

    def __init__(self, run: _Run, name: str) -> None:
        self.run = run
        self.name = name
        self.ctx = Context(name, run.record if run.listening else None)
        self.states: dict[OpPlan, _State] = {}
        self.queue: deque[tuple[OpPlan, Args]] = deque()
        self.inflight = 0
        self.stage = PROCESSING
        self.consumers = run.plan.consumers[0]
        self.condition_consumers = run.plan.condition_consumers[0]
        self.errors: list[OperationError] = []
        self.output_results: dict[str, Any] = {}
        self.output_ran = False
        self.driving = False
        self.halted = False
        self.aborted = False  # stopped from outside (Ctrl-C, the run ending early): no results
        self.failure: OperationError | None = None
        self.tasks: set[asyncio.Task[Any]] | None = None
        self.runs = 0
        self.parked = 0
        self.repeats: Repeats | None = None  # made on the first output of a cycle

    # -- inputs ------------------------------------------------------------

    def begin(self, items: list[Item]) -> None:
        run = self.run
        if run.listening:
            run.record(context_started(self.name))
        for starter in run.plan.starters[PROCESSING]:
            self._dispatch(starter, ())
        add = self._add
        for item in items:
            add(item)
        self._drive()

    def _add(self, item: Item) -> None:
        self.ctx._add(item)
        self._feed(item)

    def _feed(self, item: Item) -> None:
        definition = item.definition
        consumers = self.consumers.get(definition)
        if consumers is not None:
            states = self.states
            for plan, index in consumers:
                state = states.get(plan)
                if state is None:
                    state = states[plan] = _State(plan)
                arrived = state.arrived
                if plan.arity == 1:
                    arrived[0].append(item)
                    self._dispatch_state(plan, state, (item,))
                    continue
                # the new combinations: this input at its parameter, all arrived at the others
                pools = [(item,) if j == index else arrived[j] for j in range(plan.arity)]
                arrived[index].append(item)
                if all(pools):
                    for args in itertools.product(*pools):
                        self._dispatch_state(plan, state, args)
        conditions = self.condition_consumers.get(definition)
        if conditions is not None and item.value:
            for plan, index in conditions:
                state = self.states.get(plan)
                if state is None:
                    state = self.states[plan] = _State(plan)
                if not state.condition_met[index]:
                    state.condition_met[index] = True
                    state.conditions_missing -= 1
                    if state.conditions_missing == 0:
                        self.queue.extend((plan, args) for args in state.held)
                        state.held.clear()

    def _dispatch(self, plan: OpPlan, args: Args) -> None:
        state = self.states.get(plan)
        if state is None:
            state = self.states[plan] = _State(plan)
        self._dispatch_state(plan, state, args)

    def _dispatch_state(self, plan: OpPlan, state: _State, args: Args) -> None:
        if state.conditions_missing:
            state.held.append(args)
        else:
            self.queue.append((plan, args))

    def _apply_defaults(self, stage: Stage) -> None:
        """When a stage settles, parameters with defaults that got no input use them."""
        for plan in self.run.plan.with_defaults[stage]:
            state = self.states.get(plan)
            if state is None:
                state = self.states[plan] = _State(plan)
            if state.defaulted:
                continue
            state.defaulted = True
            empty = [(i, v) for i, v in plan.defaults if not state.arrived[i]]
            if not empty:
                continue
            for i, value in empty:
                param = plan.params[i]
                item = Input(value, plan.op.inputs[param], origin="default")
                state.arrived[i].append(item)
                if self.run.plan.any_cyclic:  # a default can be an ancestor round a cycle
                    self._checker().note(item)
            if all(state.arrived):
                for args in itertools.product(*state.arrived):
                    self._dispatch_state(plan, state, args)

    # -- driving -----------------------------------------------------------

    def _drive(self) -> None:
        if self.driving:
            return
        self.driving = True
        try:
            queue = self.queue
            run = self.run
            stop = run.stop
            while True:
                while queue and not self.halted:
                    if stop.requested:  # Ctrl-C from the caller's thread: start nothing more
                        self.abort()
                        break
                    plan, args = queue.popleft()
                    self.runs += 1
                    if self.runs > run.max_runs:
                        self._too_many_runs(plan, args)
                        break
                    if plan.locked and not run.acquire(self, plan, args):
                        self.parked += 1  # resumed by run.release
                        continue
                    if plan.inline:
                        self._call_inline(plan, args)
                    else:
                        self._launch(plan, args)
                if self.inflight or (self.parked and not self.halted):
                    return
                if self.halted:
                    self._finish()
                    return
                if not self._advance():
                    return
        finally:
            self.driving = False

    def resume(self, calls: list[tuple[OpPlan, Args]]) -> None:
        """Calls that waited for a lock may run now: they go first, then the context drives."""
        self.parked -= len(calls)
        if self.stage is FINISHED:
            return
        if not self.halted:
            for call in calls:
                self.queue.appendleft(call)
            self.runs -= len(calls)  # each was counted when first popped
        if not self.driving:
            self._drive()  # a halted context finishes once nothing is parked

    def _advance(self) -> bool:
        """Move to the next stage when this one has settled; False once finished."""
        plan = self.run.plan
        while self.stage < SETTLED:
            self._apply_defaults(self.stage)
            if self.queue:
                return True
            self.stage = _NEXT_STAGE[self.stage]
            if self.stage is SETTLED:
                break
            if (self.stage is CLEANUP and plan.has_cleanup_ops) or (
                self.stage is OUTPUT and plan.has_output_ops
            ):
                self._enter_stage(self.stage)
                if self.queue:
                    return True
        self._finish()
        return False

    def _enter_stage(self, stage: Stage) -> None:
        plan = self.run.plan
        self.consumers = plan.consumers[stage]
        self.condition_consumers = plan.condition_consumers[stage]
        for starter in plan.starters[stage]:
            self._dispatch(starter, ())
        for items in list(self.ctx._by_definition.values()):
            for item in list(items):
                self._feed(item)

    def _kwargs(self, plan: OpPlan, args: Args) -> dict[str, Any]:
        if plan.arity == 1:
            kwargs = {plan.params[0]: args[0].value}
        else:
            kwargs = {p: a.value for p, a in zip(plan.params, args)}
        for param in plan.ctx_params:
            kwargs[param] = self.ctx
        if plan.config is not None:
            kwargs["config"] = plan.config
        return kwargs

    def _call_inline(self, plan: OpPlan, args: Args) -> None:
        run = self.run
        kwargs = self._kwargs(plan, args)
        on_event = run.listening
        # A per-event subscriber hears "started" before the call. For batches an
        # inline call is one record ("ran": started and finished, adjacent as
        # nothing else runs in between), which the batch expands when read.
        now = on_event and run.on_event is not None
        if on_event:
            if now:
                run.record(operation_started(self.name, plan, args))
            started = _perf()
        attempts = plan.retry
        while True:
            try:
                result = plan.func(**kwargs)
                if plan.function_type is GENERATOR:
                    result = list(result)
                break
            except Exception as error:  # noqa: BLE001 - any failure of user code is reported
                if attempts:
                    attempts -= 1
                    continue
                if on_event and not now:
                    run.record(operation_started(self.name, plan, args))
                self._failed(plan, args, error, _perf() - started if on_event else None)
                return
        try:
            if plan.function_type is GENERATOR:
                for item in result:
                    self._outputs(plan, args, item)
            else:
                self._outputs(plan, args, result)
        except _OUTPUT_ERRORS as error:
            if on_event and not now:
                run.record(operation_started(self.name, plan, args))
            self._failed(plan, args, error, None)
            return
        if now:
            run.record(operation_finished(self.name, plan, _perf() - started, result))
        elif on_event:
            run.record(operation_ran(self.name, plan, _perf() - started, args, result))

    def _launch(self, plan: OpPlan, args: Args) -> None:
        self.inflight += 1
        if self.tasks is None:
            self.tasks = set()
        task = asyncio.get_running_loop().create_task(self._call_async(plan, args))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _call_async(self, plan: OpPlan, args: Args) -> None:
        # Longer than most, on purpose: one task runs one call, its retries and its
        # outputs; splitting the retry loop into another coroutine would add a frame
        # and an await per call on the path every async and threaded call takes.
        run = self.run
        on_event = run.listening
        started = _perf()
        try:
            if self.halted:
                return  # the context stopped before this call began
            kwargs = self._kwargs(plan, args)
            if on_event:
                run.record(operation_started(self.name, plan, args))
                run.soon()  # a long operation shows as running without waiting for the next event
            attempts = plan.retry
            yielded = False
            result: Any = None
            worker: str | None = None
            while True:
                try:
                    if plan.function_type is ASYNC_GENERATOR:
                        async for item in plan.func(**kwargs):
                            yielded = True
                            self._outputs(plan, args, item)
                            self._drive()
                    elif plan.function_type is COROUTINE:
                        result = await plan.func(**kwargs)
                    elif plan.remote:  # runner="process": the worker retries, not the driver
                        attempts = 0
                        result, worker = await self._call_remote(plan, kwargs)
                    else:  # runner="thread"
                        call = functools.partial(_call_collect, plan.func, kwargs)
                        result = await asyncio.get_running_loop().run_in_executor(None, call)
                    break
                except _OUTPUT_ERRORS as error:
                    self._failed(plan, args, error, _perf() - started)
                    return
                except _RemoteFailure as failed:  # the operation raised on its worker
                    duration = _perf() - started
                    self._failed(plan, args, failed.error, duration, failed.worker, failed.text)
                    return
                except PoolError as error:  # the pool as a whole is gone: the run stops
                    run.pool_failed(error)
                    return
                except Exception as error:  # noqa: BLE001
                    if attempts and not yielded:
                        attempts -= 1
                        continue
                    self._failed(plan, args, error, _perf() - started)
                    return
            try:
                if plan.function_type is GENERATOR:
                    for item in result:
                        self._outputs(plan, args, item)
                elif plan.function_type is not ASYNC_GENERATOR:
                    self._outputs(plan, args, result)
            except _OUTPUT_ERRORS as error:
                self._failed(plan, args, error, _perf() - started, worker)
                return
            if on_event:
                run.record(operation_finished(self.name, plan, _perf() - started, result, worker))
                run.soon()
        finally:
            self.inflight -= 1
            if plan.locked:
                run.release(plan, args)
            self._drive()

    async def _call_remote(self, plan: OpPlan, kwargs: dict[str, Any]) -> tuple[Any, str]:
        """One ``runner="process"`` call in the run's pool: ``(result, worker)``."""
        run = self.run
        assert run.pool is not None  # run() made it: the flow has remote operations
        drain = plan.function_type is GENERATOR
        outcome = await run.pool.call(run.targets[plan], kwargs, plan.retry, drain)
        ok, result, failure, worker = outcome
        if not ok:
            assert failure is not None
            raise _RemoteFailure(rebuild_error(failure), worker, failure.traceback)
        return result, worker

    # -- outputs -----------------------------------------------------------

    def _outputs(self, plan: OpPlan, args: Args, result: Any) -> None:
        if result is None:
            return
        if plan.is_output:
            self.output_ran = True
            if isinstance(result, dict):
                self.output_results.update(result)
            elif plan.single_def is not None:
                self.output_results[plan.single_def.name] = result
            return
        single_def = plan.single_def
        if single_def is not None:  # one output: the result is its value
            if (
                plan.unwrap
                and type(result) is dict
                and len(result) == 1
                and plan.single_key in result
            ):
                result = result[plan.single_key]
            if plan.expand_single:
                for value in _iterate(plan, plan.single_key, result):
                    self._emit_output(plan, single_def, value, args)
            else:
                self._emit_output(plan, single_def, result, args)
            return
        if not isinstance(result, dict):
            raise OutputShapeError(
                f"operation {plan.name!r} has outputs {', '.join(map(repr, plan.outputs))} and must "
                f"return a dict keyed by them, but returned {type(result).__name__}: {short_repr(result)}"
            )
        for key, value in result.items():
            definition = plan.outputs.get(key)
            if definition is None:
                raise OutputShapeError(
                    f"operation {plan.name!r} returned output {key!r}, which it does not declare; "
                    f"its outputs are {', '.join(map(repr, plan.outputs))}"
                )
            if value is None:
                continue
            if key in plan.expand:
                for item in _iterate(plan, key, value):
                    self._emit_output(plan, definition, item, args)
            else:
                self._emit_output(plan, definition, value, args)

    def _emit_output(self, plan: OpPlan, definition: Definition, value: Any, args: Args) -> None:
        if definition.validate is not None:
            try:
                value = definition.validate(value)
            except Exception as error:  # noqa: BLE001 - the validator is user code
                raise OutputRejected(
                    f"output value {short_repr(value)} rejected by the validator of definition "
                    f"{definition.name!r}: {describe_error(error)}"
                ) from error
        item = Input(value, definition, args, plan.name)
        if plan.cyclic and self._repeats(item):
            # The redundancy rule: a value that comes back round a cycle unchanged
            # adds nothing new, so the cycle settles instead of spinning forever.
            return
        self._add(item)

    def _checker(self) -> Repeats:
        if self.repeats is None:
            self.repeats = Repeats()
        return self.repeats

    def _repeats(self, item: Item) -> bool:
        return self._checker()(item, self.ctx._by_definition.get(item.definition, []))

    # -- failures and the end ----------------------------------------------

    def _failed(
        self,
        plan: OpPlan,
        args: Args,
        error: BaseException,
        duration: float | None,
        worker: str | None = None,
        remote_traceback: str | None = None,
    ) -> None:
        values = {p: a.value for p, a in zip(plan.params, args)}
        failure = OperationError(plan.name, self.name, values, error)
        failure.__cause__ = error
        if worker is not None:
            failure.ran_on(worker, remote_traceback)
        run = self.run
        if run.listening:
            run.record(operation_failed(self.name, plan, duration, failure))
        if run.strict:
            self.failure = failure
            self.halted = True
            self.queue.clear()
            self._cancel_tasks()
        else:
            self.errors.append(failure)

    def _too_many_runs(self, plan: OpPlan, args: Args) -> None:
        cyclic = sorted({p.name for p in self.run.plan.ops if p.cyclic})
        cause = DataFlowError(
            f"context {self.name!r} ran more than {self.run.max_runs} operations without settling"
            + (
                f"; operations {', '.join(cyclic)} form a cycle that keeps producing new values"
                if cyclic
                else ""
            )
            + ". Make the cycle converge (return None to stop it) or pass a larger max_runs="
        )
        self._failed(plan, args, cause, None)
        if not self.run.strict:
            self.halted = True
            self.queue.clear()

    def abort(self) -> None:
        """Stop this context where it is: nothing more starts, running tasks are cancelled."""
        self.halted = self.aborted = True
        self.queue.clear()
        self._cancel_tasks()

    def _cancel_tasks(self) -> None:
        """Cancel this context's running operation calls.

        A task that has not started yet is left to start: it sees ``halted`` and
        returns at once, through the ``finally`` that keeps ``inflight`` right. (A
        coroutine cancelled before its first step never runs its ``finally``, and
        the context would wait for it for ever.)
        """
        current = _current_task()
        for task in list(self.tasks or ()):
            if task is not current and not _not_started(task):
                task.cancel()

    def _finish(self) -> None:
        run = self.run
        if self.stage is FINISHED:
            return
        self.stage = FINISHED
        if self.failure is not None or self.aborted:
            results = None
        else:
            results = Results()
            results.errors = self.errors
            if self.output_ran:
                results.update(self.output_results)
            else:
                by_definition = self.ctx._by_definition
                for definition in run.plan.leaves:
                    items = by_definition.get(definition)
                    if items:
                        results[definition.name] = (
                            items[0].value if len(items) == 1 else [i.value for i in items]
                        )
            if run.listening:
                run.record(context_finished(self.name, results))
        # release everything this context held: memory stays flat over many contexts
        del self.ctx, self.states
        self.repeats = None
        run.context_done(self, results)


def _not_started(task: asyncio.Task[Any]) -> bool:
    return inspect.getcoroutinestate(task.get_coro()) == inspect.CORO_CREATED  # type: ignore[arg-type]


def _current_task() -> Any:
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None


def _call_collect(func: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    result = func(**kwargs)
    if hasattr(result, "__next__"):  # a generator run in a thread: drain it there
        return list(result)
    return result


def _iterate(plan: OpPlan, key: str, value: Any) -> Iterable[Any]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise OutputShapeError(
            f"operation {plan.name!r} expands output {key!r}, so it must return a list "
            f"(or other iterable) there, but returned {type(value).__name__}: {short_repr(value)}"
        )
    items: Iterable[Any] = value
    return items


class _Run:
    """One call of ``run``: the contexts in flight, locks and finished results."""

    def __init__(
        self,
        plan: Plan,
        strict: bool,
        on_event: Callable[[Event], Any] | None,
        max_runs: int,
        on_events: Callable[[EventBatch], Any] | None = None,
        interval: float = 0.1,
    ) -> None:
        self.plan = plan
        self.strict = strict
        self.on_event = on_event
        self.on_events = on_events
        self.interval = interval
        #: someone subscribed: events are recorded (when nobody listens they cost nothing)
        self.listening = on_event is not None or on_events is not None
        #: raw event records not yet delivered
        self.buffer: list[RawEvent] = []
        #: the batch subscriber reads only tallies and newest events (events.summary_subscriber):
        #: the fast path counts the contexts that ran every step in a row, keeping the newest
        self.summary = on_event is None and reads_summary(on_events)
        #: that row, until another record or a delivery puts it in the buffer (see close_row):
        #: how many, the newest one's (name, steps, started, results) and its trace
        self.counted = 0
        self.newest: tuple[Any, ...] | None = None
        self.kept: list[Any] | None = None
        #: a trace list no record holds, for the fast path's next context: when a newer
        #: context replaces the newest, its trace is reused (allocating one per context
        #: was a third of what a summary subscriber cost)
        self.spare: list[Any] | None = None
        # batch subscribers only: recording an event is one list append, nothing more
        self.record: Callable[[RawEvent], None] = (
            self._record_now
            if on_event is not None
            else self._record_after_row
            if self.summary
            else self.buffer.append
        )
        #: when the buffer is due even if small, and records per batch at most (see due)
        self.deliver_by = _perf() + interval
        self.batch_size = _BATCH
        self.timer: Any = None
        self.max_runs = max_runs
        self.stop = _STOP.get() or _NEVER_STOPPED
        self.active: set[_ContextRun] = set()
        self.done: deque[tuple[str, Results]] = deque()
        self.failure: OperationError | SubscriberError | PoolError | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.busy: set[int] = set()
        self.waiting: dict[int, list[tuple[_ContextRun, OpPlan, Args]]] = {}
        self.finished = 0
        self.started = 0
        #: where runner="process" operations run, and what is sent for each (see open_pool)
        self.pool: Pool | None = None
        self.targets: dict[OpPlan, Any] = {}

    def open_pool(self, pool: Any, timeout: float) -> None:
        """Before any context starts: the pool for this run's remote operations, and each
        remote operation checked to be sendable (every problem named at once)."""
        remote = self.plan.remote
        if not remote:
            if pool is not None:
                warnings.warn(
                    "pool= was given but no operation of this flow has runner='process', so "
                    "everything runs in this process; mark the CPU-heavy operations "
                    "@op(runner='process') to run them in the pool",
                    stacklevel=4,
                )
            return
        adapted = as_pool(pool, timeout)
        problems = []
        for plan in remote:
            if plan.ctx_params:
                problems.append(
                    f"operation {plan.name!r} takes the running Context (parameter "
                    f"{plan.ctx_params[0]!r}), which cannot leave this process: give it "
                    "runner='inline' or 'thread', or pass it the inputs it needs"
                )
                continue
            try:
                self.targets[plan] = adapted.prepare(plan.op)
            except ValueError as error:
                problems.append(str(error))
        if problems:
            adapted.close(abort=True)
            raise DataFlowError(
                f"{len(problems)} operation(s) with runner='process' cannot run in "
                f"{adapted.description}:",
                problems,
            )
        self.pool = adapted

    def pool_failed(self, error: PoolError) -> None:
        """The pool is gone (a Dask scheduler lost): the run stops with ``error``."""
        if self.failure is None:
            self.failure = error
        self.cancel()
        self.wake()

    @property
    def pending(self) -> bool:
        """Events wait to be delivered."""
        return bool(self.buffer) or self.newest is not None

    def close_row(self) -> None:
        """Put the row of counted contexts (see ``newest``) into the buffer."""
        if self.newest is not None:
            name, steps, started, results = self.newest
            trace, self.kept, self.newest = self.kept, None, None  # the record keeps the trace
            record = context_steps(name, steps, started, trace, results)
            self.buffer.append(contexts_counted(self.counted, record))
            self.counted = 0

    def _record_after_row(self, raw: RawEvent) -> None:
        """With a summary subscriber: the row of counted contexts goes before ``raw``."""
        if self.newest is not None:
            self.close_row()
        self.buffer.append(raw)

    def _record_now(self, raw: RawEvent) -> None:
        """With a per-event subscriber: keep the event and deliver it at once."""
        self.buffer.append(raw)
        self.deliver()

    def deliver(self) -> None:
        """Hand the buffered events to the subscribers."""
        self.close_row()
        pending = self.buffer
        if not pending:
            return
        records = pending[:]
        pending.clear()  # the same list: ``record`` is bound to its append
        self.deliver_by = _perf() + self.interval
        batch = EventBatch(records)
        on_event, on_events = self.on_event, self.on_events
        if on_event is not None:
            for event in batch:
                try:
                    on_event(event)
                except Exception as error:  # noqa: BLE001 - reported as the run's failure
                    receiving = f"the {event.kind} event"
                    if event.operation is not None:
                        receiving += f" of operation {event.operation!r}"
                    receiving += f" in context {event.context!r}"
                    self._subscriber_failed("on_event", on_event, receiving, error)
                    return
        if on_events is not None:
            try:
                on_events(batch)
            except Exception as error:  # noqa: BLE001
                receiving = f"a batch of {len(batch)} events"
                self._subscriber_failed("on_events", on_events, receiving, error)

    def _subscriber_failed(
        self, option: str, subscriber: Any, receiving: str, error: Exception
    ) -> None:
        """A subscriber raised: stop the run and report it (inline or async alike)."""
        failure = SubscriberError(option, subscriber, receiving, error)
        failure.__cause__ = error
        self.on_event = self.on_events = None  # nobody hears the rest of a stopped run
        if self.failure is None:
            self.failure = failure
        self.cancel()
        self.wake()

    def due(self) -> None:
        """Deliver to batch subscribers once ``interval`` has passed or the batch is big.

        Checked as contexts finish. Small batches keep the events (and the
        values they hold until read) young, so the garbage collector never
        has to walk a large pile of them.
        """
        if len(self.buffer) >= _BATCH or (self.pending and _perf() >= self.deliver_by):
            self.deliver()

    def soon(self) -> None:
        """From a task: buffered events go out within ``interval`` even if nothing else happens."""
        if self.on_events is None or self.timer is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return

        def fire() -> None:
            self.timer = None
            self.deliver()

        self.timer = loop.call_later(self.interval, fire)

    def start_more(self, sets: Iterator[tuple[str, Any]], max_contexts: int) -> bool:
        """Start contexts from ``sets`` while fewer than ``max_contexts`` run (and results
        don't pile up); True once every input set has been started."""
        active, done, stop, plan, start = self.active, self.done, self.stop, self.plan, self.start
        fast = fast_plan(plan)  # flows of plain functions: straight-line steps (df/compiled.py)
        run_fast = fast.runner(self) if fast is not None else None
        count = 0  # a local in this loop, once per context
        try:
            while self.failure is None and len(active) < max_contexts and not stop.requested:
                try:
                    name, input_set = next(sets)
                except StopIteration:
                    return True
                if run_fast is None or not run_fast(self, name, input_set):
                    start(name, parse_input_set(plan, name, input_set))
                count += 1
                if len(done) >= 256:
                    break
            return False
        finally:
            self.started += count

    def close(self) -> None:
        """The run is over (or abandoned): stop what still runs, deliver the last events."""
        aborted = bool(self.active) or self.failure is not None
        if self.active:
            self.cancel()
        if self.pool is not None:
            self.pool.close(abort=aborted)
        if self.timer is not None:
            self.timer.cancel()
        if self.pending:
            self.deliver()

    def start(self, name: str, items: list[Item]) -> None:
        context = _ContextRun(self, name)
        self.active.add(context)
        context.begin(items)

    def context_done(self, context: _ContextRun, results: Results | None) -> None:
        self.active.discard(context)
        if results is None:
            if self.failure is None:
                self.failure = context.failure
        else:
            self.done.append((context.name, results))
            self.finished += 1
        if self.on_events is not None:
            self.due()
        self.wake()

    def wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self) -> None:
        self.waiter = asyncio.get_running_loop().create_future()
        try:
            await self.waiter
        finally:
            self.waiter = None

    # -- locks: one input of a locked definition in one running operation at a time

    def acquire(self, context: _ContextRun, plan: OpPlan, args: Args) -> bool:
        """Take the locks of ``args``' locked inputs; False if one is busy (the call waits)."""
        keys = [id(args[i]) for i in plan.locked]
        for key in keys:
            if key in self.busy:
                self.waiting.setdefault(key, []).append((context, plan, args))
                return False
        if plan.inline:
            return True  # runs to completion before anything else can look at the lock
        self.busy.update(keys)
        return True

    def release(self, plan: OpPlan, args: Args) -> None:
        """Free the locks of a finished call; the calls that waited for them resume."""
        woken: dict[_ContextRun, list[tuple[OpPlan, Args]]] = {}
        for i in plan.locked:
            key = id(args[i])
            self.busy.discard(key)
            for context, waiting_plan, waiting_args in self.waiting.pop(key, ()):
                woken.setdefault(context, []).append((waiting_plan, waiting_args))
        for context, calls in woken.items():
            context.resume(calls)

    def cancel(self) -> None:
        for context in list(self.active):
            context.abort()


async def run(
    dataflow: DataFlow,
    inputs: Any = None,
    *,
    strict: bool = True,
    max_contexts: int = 128,
    on_event: Callable[[Event], Any] | None = None,
    max_runs: int = 100_000,
    on_events: Callable[[EventBatch], Any] | None = None,
    interval: float = 0.1,
    pool: Any = None,
    pool_timeout: float = DEFAULT_POOL_TIMEOUT,
) -> AsyncIterator[tuple[str, Results]]:
    """Run ``dataflow``; yield ``(context_name, results)`` as each context finishes.

    ``inputs``: ``{context_name: input_set}`` or a list of input sets (contexts
    named ``"0"``, ``"1"``, ...); an input set is ``{definition_name: value}`` or a
    list of ``Input``s and such dicts. ``strict=False`` keeps going past failures
    (they land in ``results.errors``). ``max_runs`` bounds the operations one
    context may run, so a cycle that never settles fails instead of hanging.

    Events: ``on_event(event)`` gets every :class:`Event` as it happens;
    ``on_events(batch)`` gets them as an :class:`EventBatch` at most every
    ``interval`` seconds (and when the run ends) — the cheap way for high-rate
    subscribers such as progress bars and live graphs.

    Pools: operations with ``runner="process"`` run in ``pool`` — a
    ``concurrent.futures.Executor`` or a ``dask.distributed.Client`` — or, without
    one, in a local process pool made for the run (on its first such call) and shut
    down after it (``runner="thread"`` operations use the loop's own thread pool,
    whatever ``pool`` is). Every rule above still holds; events come from here, and
    ``operation_finished`` names the ``worker``. An operation that cannot be sent
    fails before the run starts (``DataFlowError``); a pool that stops answering for
    ``pool_timeout`` seconds ends the run with ``PoolError``.
    """
    state = _Run(plan_of(dataflow), strict, on_event, max_runs, on_events, interval)
    sets = input_sets(inputs)
    exhausted = False
    done = state.done
    try:
        state.open_pool(pool, pool_timeout)
        while True:
            if not exhausted:
                exhausted = state.start_more(sets, max_contexts)
            while done:
                yield done.popleft()
            if state.stop.requested:
                raise KeyboardInterrupt  # run_sync's caller pressed Ctrl-C (see _run_in_thread)
            if (exhausted or state.failure is not None) and not state.active:
                break
            if state.active and not done:
                if state.pending:
                    state.deliver()  # about to wait: show what has happened so far
                await state.wait()
            elif state.started & 1023 == 0:
                await asyncio.sleep(0)  # let other tasks (a kernel's I/O) breathe
        if state.pending:
            state.deliver()  # the last events, before saying how the run ended
        if state.failure is not None:
            failure = state.failure
            raise failure from failure.__cause__
    finally:
        state.close()


async def events(dataflow: DataFlow, inputs: Any = None, **options: Any) -> AsyncIterator[Event]:
    """The event stream of a run as an async iterator (``context_finished`` carries results)."""
    queue: asyncio.Queue[Any] = asyncio.Queue()
    end = object()

    async def pump() -> None:
        try:
            async for _ in run(dataflow, inputs, on_event=queue.put_nowait, **options):
                pass
        finally:
            queue.put_nowait(end)

    task = asyncio.ensure_future(pump())
    try:
        while True:
            event = await queue.get()
            if event is end:
                break
            yield event
        await task
    finally:
        if not task.done():
            task.cancel()


def run_sync(dataflow: DataFlow, inputs: Any = None, **options: Any) -> dict[str, Results]:
    """Run to completion and return ``{context_name: results}``.

    Works with or without a running event loop (a Jupyter kernel), with no
    nest_asyncio: flows of plain functions run right here; flows with async
    operations inside a running loop run on a private loop in a worker thread.
    On failure the raised ``OperationError`` carries ``.results`` of the
    contexts that finished.
    """
    collected: dict[str, Results] = {}
    stop = _StopSignal()

    async def main() -> None:
        token = _STOP.set(stop)
        try:
            async for name, results in run(dataflow, inputs, **options):
                collected[name] = results
        finally:
            _STOP.reset(token)

    try:
        if plan_of(dataflow).all_inline:
            _drive_inline(main())
        elif _loop_running():
            _run_in_thread(main(), stop)
        else:
            asyncio.run(main())
    except (OperationError, SubscriberError, PoolError) as error:
        error.results = collected
        raise
    return collected


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _drive_inline(coro: Any) -> None:
    """Step a coroutine that never waits on a future, without any event loop."""
    try:
        while True:
            yielded = coro.send(None)
            if yielded is not None:  # pragma: no cover - inline flows never wait
                raise RuntimeError("an inline-only run waited on the event loop")
    except StopIteration:
        return
    finally:
        coro.close()


def _run_in_thread(coro: Any, stop: _StopSignal) -> None:
    """Run ``coro`` on a private event loop in a worker thread and wait for it.

    The wait is a loop of short joins so that Ctrl-C (KeyboardInterrupt, raised
    in this thread by a kernel's interrupt) gets through. It then stops the run:
    the worker starts no further operation call, its tasks are cancelled, and
    this thread waits for calls already running in threads to return (they
    cannot be killed; a second Ctrl-C stops waiting for them).
    """
    box: dict[str, Any] = {}
    finished = threading.Event()  # waited on rather than join(): an interrupted join may
    # leave is_alive() False while the thread still runs (CPython bpo-45274)

    async def main() -> None:
        box["loop"], box["task"] = asyncio.get_running_loop(), asyncio.current_task()
        await coro

    def target() -> None:
        try:
            asyncio.run(main())
        except BaseException as error:  # re-raised in the caller's thread
            box["error"] = error
        finally:
            finished.set()

    thread = threading.Thread(target=target, name="dffml_nb-run_sync", daemon=True)
    thread.start()
    try:
        while not finished.wait(0.05):
            pass
    except BaseException:
        stop.requested = True  # seen by the worker between operation calls
        loop = box.get("loop")
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(box["task"].cancel)  # wakes a run that waits
        with contextlib.suppress(BaseException):
            while not finished.wait(0.05):
                pass
        raise
    thread.join()
    if "error" in box:
        raise box["error"]
