"""The executor's fast path (df/compiled.py): taken where eligible, indistinguishable from
the general path in results, errors and events."""

from __future__ import annotations

from collections import Counter

import pytest

from dffml_nb.df import (
    DataFlow,
    Input,
    OperationError,
    compiled,
    get_multi,
    get_single,
    op,
    run_sync,
)
from dffml_nb.df.compiled import fast_plan
from dffml_nb.df.plan import plan_of


@op
def parse(text: str) -> int:
    return int(text)


@op
def double(parse: int) -> int:
    return 2 * parse


@op
def shifted(parse: int, offset: int = 100) -> int:
    return parse + offset


@op(outputs={"low": "low", "high": "high"})
def split(double: int) -> dict:
    return {"low": double % 10, "high": double // 10}


@op
def explode(parse: int) -> int:
    if parse == 13:
        raise ValueError("unlucky")
    return parse


@op
def nothing(double: int) -> int:
    return None  # ran, made nothing


@op
def unwrapped(double: int) -> int:
    return {"unwrapped": double + 1}  # a one-output op may return {its output: value}


@op
def never(double: int, extra: int) -> int:
    return double + extra  # 'extra' is never given: never runs


def both(flow, inputs, *, batched=False, **options):
    """(results, events) on the fast path and on the general path.

    ``batched``: heard as batches (``on_events``), where the fast path records a
    context in one record (``events.context_steps``), spelled out when read; the
    batches' tallies must count exactly the events they spell out.
    """
    out = []
    for general in (False, True):
        events = []
        tallies = Counter()
        counted = Counter()

        def hear(batch, events=events, tallies=tallies, counted=counted):
            tallies.update(batch.tally())
            read = list(batch)
            counted.update((e.kind, e.operation) for e in read)
            events.extend(read)

        subscriber = {"on_events": hear} if batched else {"on_event": events.append}
        if general:
            with compiled.disabled():
                results = run_sync(flow, inputs, **subscriber, **options)
        else:
            results = run_sync(flow, inputs, **subscriber, **options)
        if batched:
            assert tallies == counted
            assert all(e.duration >= 0 for e in events if e.kind == "operation_finished")
        shown = [(e.kind, e.context, e.operation, e.inputs, e.outputs) for e in events]
        out.append((results, shown))
    return out


FLOWS = [
    DataFlow(parse, double),
    DataFlow(parse, double, split),
    DataFlow(parse, shifted),
    DataFlow(
        parse, double, get_single, seed=[Input(["double", "parse"], get_single.inputs["spec"])]
    ),
    DataFlow(parse, double, get_multi, seed=[Input({"d": "double"}, get_multi.inputs["spec"])]),
    DataFlow(parse, double, nothing, unwrapped, never),
]


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: repr(f))
def test_eligible_flows_take_the_fast_path_with_identical_results_and_events(flow, monkeypatch):
    assert fast_plan(plan_of(flow)) is not None
    taken = []

    def spy(original):
        def spied(self, state, name, input_set):
            handled = original(self, state, name, input_set)
            taken.append(handled)
            return handled

        return spied

    # run_batched: what FastPlan.runner gives a run heard only by batch subscribers
    for entry in ("run_context", "run_batched"):
        monkeypatch.setattr(compiled.FastPlan, entry, spy(getattr(compiled.FastPlan, entry)))
    inputs = {"a": {"text": "21"}, "b": [{"text": "7"}], "c": Input("4", "text")}
    for batched in (False, True):
        taken.clear()
        (fast, fast_events), (general, general_events) = both(flow, inputs, batched=batched)
        assert taken == [True, True, True]
        assert fast == general
        assert fast_events == general_events


def test_a_context_with_two_values_of_a_definition_takes_the_general_path():
    flow = DataFlow(parse, double)
    fast = fast_plan(plan_of(flow))
    assert fast.seeds({"text": "1"}) == {"text": "1"}
    assert fast.seeds([{"text": "1"}, {"text": "2"}]) is None  # combinations: the executor's rule 2
    assert fast.seeds({"parse": 3}) is None  # a produced definition given as well
    (results, events), (general, general_events) = both(flow, [[{"text": "1"}, {"text": "2"}]])
    assert results == general == {"0": {"double": [2, 4]}}
    assert events == general_events


def test_failures_are_the_same_strict_and_not():
    flow = DataFlow(parse, explode, double)
    inputs = {"ok": {"text": "1"}, "bad": {"text": "13"}, "after": {"text": "2"}}
    for batched in (False, True):
        (fast, fast_events), (general, general_events) = both(
            flow, inputs, strict=False, batched=batched
        )
        assert fast == general and fast_events == general_events
    assert [str(e) for e in fast["bad"].errors] == [str(e) for e in general["bad"].errors]
    messages = []
    for general_path in (False, True):
        with pytest.raises(OperationError) as raised:
            if general_path:
                with compiled.disabled():
                    run_sync(flow, inputs)
            else:
                run_sync(flow, inputs)
        messages.append((str(raised.value), type(raised.value.__cause__), raised.value.results))
    assert messages[0] == messages[1]
    assert messages[0][2] == {"ok": {"explode": 1, "double": 2}}


def words(text: str) -> list:
    return text.split()


@pytest.mark.parametrize(
    "flow, reason",
    [
        (DataFlow(op(conditions=["go"])(words)), "conditions"),
        (DataFlow(op(expand=["words"])(words)), "expand"),
    ],
)
def test_ineligible_flows_say_why(flow, reason):
    assert fast_plan(plan_of(flow)) is None
    assert reason in compiled.FastPlan(plan_of(flow)).reason


def test_a_default_fed_by_an_operation_run_on_defaults_is_ineligible_and_agrees():
    @op
    def first(x: int = 1) -> int:
        return x * 10

    @op
    def second(first: int = 5) -> int:
        return first + 1

    flow = DataFlow(first, second)
    assert fast_plan(plan_of(flow)) is None  # the executor applies both defaults at once
    with compiled.disabled():
        general = run_sync(flow, {"c": {}})
    assert run_sync(flow, {"c": {}}) == general == {"c": {"second": [6, 11]}}


def test_async_operations_and_generators_take_the_general_path():
    @op
    async def slow(x: int) -> int:
        return x

    assert fast_plan(plan_of(DataFlow(slow))) is None
    assert run_sync(DataFlow(slow), {"c": {"x": 3}}) == {"c": {"slow": 3}}
