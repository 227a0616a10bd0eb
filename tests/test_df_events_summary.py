"""Summary subscribers (``events.summary_subscriber``): the fast path counts the contexts
that ran every step instead of recording each one, and what such a subscriber reads —
tallies, newest events, failures — is what full batches give, on either path."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from dffml_nb.df import (
    DataFlow,
    EventBatch,
    Input,
    compiled,
    get_multi,
    get_single,
    op,
    run_sync,
)
from dffml_nb.df.events import reads_summary, summary_subscriber
from dffml_nb.nb.graph.state import RunState


@op
def parse(text: str) -> int:
    return int(text)


@op
def double(parse: int) -> int:
    return 2 * parse


@op
def plus(double: int, extra: int) -> int:
    return double + extra  # runs only where the context gives 'extra'


@op
def explode(parse: int) -> int:
    if parse == 13:
        raise ValueError("unlucky")
    return parse


FLOW = DataFlow(parse, double, plus, explode)
WITH_OUTPUT = DataFlow(
    parse, double, plus, explode, get_single, seed=[Input(["plus"], get_single.inputs["spec"])]
)


def mixed_inputs() -> dict[str, Any]:
    """Complete contexts around a failing one (13), a general-path one (two values of
    'text') and, last, a partial one (no 'extra': 'plus' does not run)."""
    inputs: dict[str, Any] = {f"c{i}": {"text": str(i), "extra": i} for i in range(40)}
    inputs["two"] = [{"text": "1"}, {"text": "2"}, {"extra": 7}]
    inputs.update({f"d{i}": {"text": str(i), "extra": 1} for i in range(40, 60)})
    inputs["partial"] = {"text": "5"}
    return inputs


def shown(state: RunState) -> dict[str, Any]:
    """Everything the graph shows from ``state``; durations only as 'measured or not'."""
    ops = {}
    for name in state.ops:
        details = state.op_details(name)
        duration = details.pop("last_duration")
        details["measured"] = duration if duration is None else duration >= 0
        ops[name] = details
    flow = state.flow
    definitions = {d: state.def_details(d, "any") for d in flow.definitions}
    contexts = (state.contexts_started, state.contexts_finished, sorted(state.failed_contexts))
    return {"ops": ops, "defs": definitions, "status": state.status(), "contexts": contexts}


def follow(flow: DataFlow, inputs: Any, *, summary: bool, **options: Any) -> RunState:
    """A run followed by a RunState, as a summary subscriber or as a plain one."""
    state = RunState(flow)
    subscriber = state.absorb if summary else (lambda batch: state.absorb(batch))
    assert reads_summary(subscriber) is summary
    run_sync(flow, inputs, on_events=subscriber, **options)
    state.settle()
    return state


@pytest.mark.parametrize("flow", [FLOW, WITH_OUTPUT], ids=["steps", "output-op"])
@pytest.mark.parametrize("interval", [0.0, 60.0])
def test_a_summary_subscriber_sees_what_a_full_one_sees_on_either_path(flow, interval):
    inputs = mixed_inputs()
    full = shown(follow(flow, inputs, summary=False, strict=False, interval=interval))
    summary = shown(follow(flow, inputs, summary=True, strict=False, interval=interval))
    with compiled.disabled():
        general = shown(follow(flow, inputs, summary=True, strict=False, interval=interval))
    assert summary == full == general
    # 'plus' did not run in the last context: its newest call is the row's newest
    assert summary["ops"]["plus"]["last_context"] == "d59"
    assert summary["ops"]["plus"]["last_inputs"] == {"double": "118", "extra": "1"}
    assert summary["ops"]["explode"]["error"] == "ValueError: unlucky"
    assert summary["contexts"] == (62, 62, ["c13"])


def test_the_fast_path_counts_complete_contexts_without_recording_them():
    flow = DataFlow(parse, double)
    inputs = [{"text": str(i)} for i in range(1000)]
    batches: list[EventBatch] = []
    tallies: Counter[tuple[str, str | None]] = Counter()

    @summary_subscriber
    def hear(batch: EventBatch) -> None:
        batches.append(batch)
        tallies.update(batch.tally())

    run_sync(flow, inputs, on_events=hear, interval=60.0)
    assert tallies == {
        ("context_started", None): 1000,
        ("context_finished", None): 1000,
        ("operation_started", "parse"): 1000,
        ("operation_finished", "parse"): 1000,
        ("operation_started", "double"): 1000,
        ("operation_finished", "double"): 1000,
    }
    # one batch, holding the events of the newest context only
    assert len(batches) == 1 and len(batches[0]) == 6
    newest = batches[0].last("operation_finished", "double")
    assert newest is not None and newest.context == "999" and newest.outputs == {"double": "1998"}
    assert newest.duration is not None and newest.duration >= 0
    # a plain subscriber still hears every event
    heard: list[int] = []
    run_sync(flow, inputs, on_events=lambda batch: heard.append(len(batch)), interval=60.0)
    assert sum(heard) == 6000


def test_a_summary_subscriber_is_still_heard_every_interval():
    flow = DataFlow(parse, double)
    tallied: list[int] = []

    @summary_subscriber
    def hear(batch: EventBatch) -> None:
        tallied.append(batch.tally().get(("context_finished", None), 0))

    run_sync(flow, [{"text": str(i)} for i in range(50)], on_events=hear, interval=0.0)
    assert tallied == [1] * 50  # interval 0: a batch after every context


def test_output_operations_of_counted_contexts_are_counted_too():
    flow = DataFlow(
        parse,
        double,
        get_single,
        get_multi,
        seed=[
            Input({"d": "double"}, get_multi.inputs["spec"]),
            Input(["parse"], get_single.inputs["spec"]),
        ],
    )
    inputs = [{"text": str(i)} for i in range(300)]
    batches: list[EventBatch] = []
    run_sync(flow, inputs, on_events=summary_subscriber(batches.append), interval=60.0)
    assert len(batches) == 1 and len(batches[0]) == 10  # the newest context's events only
    (batch,) = batches
    calls = {
        (kind, o.name): 300 for kind in ("operation_started", "operation_finished") for o in flow
    }
    assert batch.tally() == {
        ("context_started", None): 300,
        ("context_finished", None): 300,
        **calls,
    }
    outputs = [e for e in batch if e.operation in ("get_single", "get_multi")]
    # in the order the executor runs them (their specs' order), as a full batch says
    heard: list[Any] = []
    run_sync(flow, inputs[-1:], on_events=lambda b: heard.extend(b))
    assert [(e.kind, e.operation, e.inputs, e.outputs) for e in outputs] == [
        (e.kind, e.operation, e.inputs, e.outputs)
        for e in heard
        if e.operation in ("get_single", "get_multi")
    ]
    finished = batch.last("operation_finished", "get_multi")
    assert finished is not None and finished.context == "299"
    assert finished.outputs == {"d": "[598]"} and finished.duration >= 0
    assert batch.last("context_finished").results == {"parse": 299, "d": [598]}
