"""Every failure is reported and nothing hangs (issue 8): rejected outputs, broken reprs,
cycles that never settle, Ctrl-C in a kernel, subscribers that raise."""

from __future__ import annotations

import asyncio

import pytest
from executor_paths import executor_path  # noqa: F401 - both paths of the executor

from dffml_nb.df import DataFlow, Definition, OperationError, op, run_sync


def positive(value: int) -> int:
    if value <= 0:
        raise ValueError(f"{value} is not positive")
    return value


POSITIVE = Definition("positive", int, validate=positive)


# -- 1. an output rejected by its definition's validator is an OperationError ------------------


@op(outputs={"out": POSITIVE})
def inline_negate(x: int) -> int:
    return -x


@op(outputs={"out": POSITIVE})
async def async_negate(x: int) -> int:
    await asyncio.sleep(0)
    return -x


@op(outputs={"out": POSITIVE})
async def asyncgen_negate(x: int):
    yield -x


@op(outputs={"out": POSITIVE}, runner="thread")
def thread_negate(x: int) -> int:
    return -x


@op
async def async_source(x: int) -> int:
    await asyncio.sleep(0)
    return x


@op(outputs={"out": POSITIVE})
def inline_after_async(async_source: int) -> int:
    return -async_source


REJECTING = {
    "inline": DataFlow(inline_negate),
    "async": DataFlow(async_negate),
    "asyncgen": DataFlow(asyncgen_negate),
    "thread": DataFlow(thread_negate),
    "inline downstream of async": DataFlow(async_source, inline_after_async),
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", list(REJECTING))
def test_rejected_output_is_an_operation_error_when_strict(name):
    with pytest.raises(OperationError) as info:
        run_sync(REJECTING[name], {"ok": {"x": -1}, "bad": {"x": 1}}, max_contexts=1)
    error = info.value
    assert error.context == "bad"
    assert error.operation in ("inline_negate", "async_negate", "asyncgen_negate") or (
        error.operation in ("thread_negate", "inline_after_async")
    )
    message = str(error)
    assert "rejected by the validator of definition 'positive'" in message
    assert "-1 is not positive" in message
    # the validator's own exception is in the chain
    cause = error.__cause__
    while cause is not None and not isinstance(cause, ValueError):
        cause = cause.__cause__
    assert isinstance(cause, ValueError) and "not positive" in str(cause)
    assert error.results == {"ok": {"positive": 1}}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", list(REJECTING))
def test_rejected_output_lands_in_errors_when_not_strict(name):
    results = run_sync(REJECTING[name], {"ok": {"x": -1}, "bad": {"x": 1}}, strict=False)
    assert results["ok"] == {"positive": 1} and not results["ok"].errors
    [error] = results["bad"].errors
    assert isinstance(error, OperationError) and "rejected by the validator" in str(error)


@pytest.mark.timeout(30)
async def test_rejected_output_inside_a_running_loop_does_not_hang():
    # inside a kernel's loop the async flow runs on a worker thread: it must end there too
    with pytest.raises(OperationError, match="rejected by the validator"):
        run_sync(REJECTING["inline downstream of async"], {"bad": {"x": 1}})


# -- 2. an input whose repr raises never makes the failure vanish ------------------------------


class Unprintable:
    """A value whose repr (and str) raise, as some proxies and half-built objects do."""

    def __repr__(self) -> str:
        raise RuntimeError("repr exploded")

    __str__ = __repr__


class UnprintableError(Exception):
    def __str__(self) -> str:
        raise RuntimeError("str exploded")


UNPRINTABLE = Definition("unprintable", object)


@op(inputs={"value": UNPRINTABLE})
def fail_inline(value) -> int:
    raise ValueError("failed on purpose")


@op(inputs={"value": UNPRINTABLE})
async def fail_async(value) -> int:
    raise UnprintableError()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("operation", [fail_inline, fail_async], ids=["inline", "async"])
def test_failure_with_an_unprintable_input_is_still_reported(operation):
    flow = DataFlow(operation)
    with pytest.raises(OperationError) as info:
        run_sync(flow, {"c": {"unprintable": Unprintable()}})
    message = str(info.value)
    assert operation.name in message and "'c'" in message and "<Unprintable" in message
    results = run_sync(flow, {"c": {"unprintable": Unprintable()}}, strict=False)
    [error] = results["c"].errors
    assert error.operation == operation.name


def test_events_and_inputs_with_unprintable_values_have_reprs():
    from dffml_nb.df import Input

    @op
    def passthrough(unprintable: object) -> object:
        return unprintable

    events = []
    run_sync(DataFlow(passthrough), {"c": {"unprintable": Unprintable()}}, on_event=events.append)
    assert len(events) == 4
    for event in events:
        assert isinstance(repr(event), str)
    assert "<Unprintable" in repr(Input(Unprintable(), UNPRINTABLE))
    assert "<Unprintable" in repr(Definition("d", object, default=Unprintable()))


def test_unprintable_values_in_other_messages():
    from dffml_nb.df import DataFlowError, Input

    with pytest.raises(ValueError, match="<Unprintable"):
        Definition("n", int).convert(Unprintable())

    def refuse(value):
        raise UnprintableError()

    checked = Definition("checked", int, validate=refuse)

    @op(inputs={"n": checked})
    def use(n):
        return n

    with pytest.raises(DataFlowError, match="rejected by the validator of definition 'checked'"):
        run_sync(DataFlow(use), {"c": {"checked": Unprintable()}})
    flow = DataFlow(use, seed=[Input(Unprintable(), "no_such_definition")])
    [problem] = flow.validate()
    assert "<Unprintable" in problem and "no_such_definition" in problem


# -- 3. a cycle that never settles fails at max_runs quickly: cost linear in calls -------------


@pytest.mark.timeout(60)
def test_cycle_that_never_settles_reaches_the_default_max_runs_quickly():
    """100,000 runs round a cycle: linear work takes about a second; a lineage walk per
    output (quadratic, ~5e9 steps) would take half an hour and trip the timeout."""
    calls = []

    @op(inputs={"n": Definition("n", int)}, outputs={"n": Definition("n", int)})
    def grow(n):
        calls.append(n)
        return n + 1

    with pytest.raises(OperationError, match="ran more than 100000 operations without settling"):
        run_sync(DataFlow(grow), {"c": {"n": 0}})
    assert len(calls) == 100_000


def test_cycle_redundancy_still_follows_lineage_not_the_whole_context():
    """A value equal to one in another branch (not an ancestor) is not redundant."""
    from dffml_nb.df import Input, get_multi

    @op(inputs={"n": Definition("n", int)}, outputs={"n": Definition("n", int)})
    def countdown(n):
        return n - 1 if n > 0 else None

    flow = DataFlow(countdown, get_multi, seed=[Input(["n"], get_multi.inputs["spec"])])
    n = Definition("n", int)
    result = run_sync(flow, {"c": [Input(3, n), Input(2, n)]})["c"]["n"]
    # both branches count down on their own: 3 2 1 0 and 2 1 0
    assert sorted(result) == sorted([3, 2, 2, 1, 1, 0, 0])


def test_cycle_of_unhashable_values_settles():
    @op(inputs={"xs": Definition("xs", list)}, outputs={"xs": Definition("xs", list)})
    def trim(xs):
        return xs[:-1] if len(xs) > 1 else list(xs)

    assert run_sync(DataFlow(trim), {"c": {"xs": [1, 2, 3]}})["c"] == {}
    from dffml_nb.df import Input, get_multi

    flow = DataFlow(trim, get_multi, seed=[Input(["xs"], get_multi.inputs["spec"])])
    assert run_sync(flow, {"c": {"xs": [1, 2, 3]}})["c"] == {"xs": [[1, 2, 3], [1, 2], [1]]}


def test_cycle_output_equal_to_a_default_it_was_made_from_settles_at_once():
    calls = []

    @op(inputs={"n": Definition("n", int)}, outputs={"n": Definition("n", int)})
    def same(n=7):
        calls.append(n)
        return n

    run_sync(DataFlow(same), {"c": {}})
    assert calls == [7]


# -- 4. Ctrl-C during run_sync in a kernel (the worker-thread path) stops the run -------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("runner", ["inline", "thread"])
async def test_ctrl_c_during_run_sync_in_a_running_loop_stops_every_operation(runner):
    """In a kernel, run_sync runs an async flow on a worker thread; Ctrl-C raises
    KeyboardInterrupt in the main thread. Afterwards no operation call may start."""
    import _thread
    import signal
    import threading
    import time

    started: list[float] = []
    first = threading.Event()

    @op
    async def tick(x: int) -> int:
        await asyncio.sleep(0)
        return x

    @op(runner=runner)
    def work(tick: int) -> int:
        started.append(time.monotonic())
        first.set()
        time.sleep(0.002)
        return tick

    def press_ctrl_c() -> None:
        if first.wait(20):
            time.sleep(0.05)
            _thread.interrupt_main()  # what a kernel's interrupt does: SIGINT in the main thread

    # as ipykernel does while a cell runs (asyncio.Runner's own handler would only cancel a task)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        threading.Thread(target=press_ctrl_c, daemon=True).start()
        assert asyncio.get_running_loop().is_running()
        contexts = 5_000
        with pytest.raises(KeyboardInterrupt):
            run_sync(DataFlow(tick, work), [{"x": i} for i in range(contexts)], max_contexts=8)
        stopped_at = time.monotonic()
    finally:
        signal.signal(signal.SIGINT, previous)
    count = len(started)
    assert 0 < count < contexts
    time.sleep(0.5)
    assert len(started) == count, f"{len(started) - count} operation calls started after Ctrl-C"
    assert all(t <= stopped_at for t in started)
    assert not [t for t in threading.enumerate() if t.name == "dffml_nb-run_sync"]


# -- 5. an event subscriber that raises fails the run the same way for every operation kind ---


@op
def inline_double(x: int) -> int:
    return x * 2


@op
async def async_double(x: int) -> int:
    await asyncio.sleep(0)
    return x * 2


def broken_logger(event) -> None:
    if event.kind == "operation_finished":
        raise KeyError("the log is full")


def broken_progress(batch) -> None:
    raise KeyError("the bar is full")


@pytest.mark.timeout(30)
@pytest.mark.parametrize("operation", [inline_double, async_double], ids=["inline", "async"])
@pytest.mark.parametrize("strict", [True, False], ids=["strict", "not strict"])
@pytest.mark.parametrize(
    "subscribe",
    [{"on_event": broken_logger}, {"on_events": broken_progress}],
    ids=["on_event", "on_events"],
)
def test_subscriber_that_raises_fails_the_run_naming_it(operation, strict, subscribe):
    from dffml_nb.df import SubscriberError

    flow = DataFlow(operation)
    inputs = [{"x": i} for i in range(50)]
    with pytest.raises(SubscriberError) as info:
        run_sync(flow, inputs, strict=strict, max_contexts=4, **subscribe)
    error = info.value
    [(option, subscriber)] = subscribe.items()
    message = str(error)
    assert f"{option} subscriber" in message and subscriber.__name__ in message
    assert "KeyError" in message and "is full" in message
    if option == "on_event":
        assert "operation_finished" in message and operation.name in message
    assert isinstance(error.__cause__, KeyError)
    assert error.subscriber is subscriber
    # the run stopped (a per-event subscriber at once; batches come late by design),
    # and what finished is kept
    if option == "on_event":
        assert len(error.results) < len(inputs)
    assert all(r == {operation.name: int(k) * 2} for k, r in error.results.items())


@pytest.mark.timeout(30)
async def test_subscriber_that_raises_in_a_running_loop():
    from dffml_nb.df import SubscriberError

    with pytest.raises(SubscriberError, match="broken_logger"):
        run_sync(DataFlow(async_double), {"c": {"x": 1}}, on_event=broken_logger)
    with pytest.raises(SubscriberError, match="broken_logger"):
        async for _ in __import__("dffml_nb.df", fromlist=["run"]).run(
            DataFlow(async_double), {"c": {"x": 1}}, on_event=broken_logger
        ):
            pass


@pytest.mark.timeout(30)
def test_failure_while_a_sibling_async_call_has_not_started_does_not_hang():
    @op
    async def fails(x: int) -> int:
        raise ValueError("no")

    @op
    async def other(x: int) -> int:
        await asyncio.sleep(0)
        return x

    with pytest.raises(OperationError, match="operation 'fails'"):
        run_sync(DataFlow(fails, other), {"c": {"x": 1}})
