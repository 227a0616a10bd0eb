"""The executor's numbered semantics (DESIGN.md), re-expressed from DFFML's own tests."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import threading
from collections.abc import AsyncIterator

import pytest
from executor_paths import executor_path  # noqa: F401 - both paths of the executor

from dffml_nb.df import (
    DataFlow,
    DataFlowError,
    Definition,
    Input,
    OperationError,
    get_multi,
    get_single,
    op,
    run,
    run_sync,
)
from dffml_nb.examples.calc import calc_flow, calc_string

# -- the calculator: conditions, output operations, every input form ----------


def test_calculator_dict_contexts():
    results = run_sync(
        calc_flow(),
        {
            "add 40 and 2": [Input("add 40 and 2", calc_string)],
            "multiply 42 and 10": [Input("multiply 42 and 10", calc_string)],
        },
    )
    assert results == {"add 40 and 2": {"result": 42}, "multiply 42 and 10": {"result": 420}}


@pytest.mark.parametrize(
    "inputs",
    [
        {"a": {"calc_string": "add 40 and 2"}, "m": {"calc_string": "multiply 42 and 10"}},
        {"a": [{"calc_string": "add 40 and 2"}], "m": [{"calc_string": "multiply 42 and 10"}]},
        {"a": Input("add 40 and 2", calc_string), "m": Input("multiply 42 and 10", calc_string)},
        {
            "a": [Input("add 40 and 2", "calc_string")],
            "m": [Input("multiply 42 and 10", "calc_string")],
        },
    ],
)
def test_calculator_every_input_form(inputs):
    results = run_sync(calc_flow(), inputs)
    assert results == {"a": {"result": 42}, "m": {"result": 420}}


def test_calculator_list_of_input_sets_names_contexts_by_position():
    results = run_sync(
        calc_flow(), [{"calc_string": "add 40 and 2"}, [{"calc_string": "multiply 42 and 10"}]]
    )
    assert results == {"0": {"result": 42}, "1": {"result": 420}}


async def test_calculator_async_iterator_yields_each_context():
    seen = {}
    async for context, results in run(calc_flow(), {"x": {"calc_string": "add 1 and 2"}}):
        seen[context] = results
    assert seen == {"x": {"result": 3}}


def test_results_are_dicts_with_errors_attribute():
    results = run_sync(calc_flow(), {"x": {"calc_string": "add 1 and 2"}})["x"]
    assert isinstance(results, dict) and results.errors == []


# -- rule 2: every new combination exactly once ---------------------------------


def test_one_by_two_by_two_inputs_give_four_runs():
    calls = []

    @op
    def combine(a: int, b: int, c: int) -> str:
        calls.append((a, b, c))
        return f"{a}{b}{c}"

    results = run_sync(
        DataFlow(combine), {"ctx": [{"a": 1}, {"b": 2}, {"b": 3}, {"c": 4}, {"c": 5}]}
    )
    assert sorted(calls) == [(1, 2, 4), (1, 2, 5), (1, 3, 4), (1, 3, 5)]
    assert sorted(results["ctx"]["combine"]) == ["124", "125", "134", "135"]


def test_combinations_arriving_from_operations_run_once():
    calls = []

    @op
    async def b(a: int) -> AsyncIterator[int]:
        for i in range(3):
            await asyncio.sleep(0)
            yield a + i

    @op
    def pair(a: int, b: int) -> int:
        calls.append((a, b))
        return a * b

    run_sync(DataFlow(b, pair), [[{"a": 1}, {"a": 10}]])
    assert sorted(calls) == sorted({(a, x) for a in (1, 10) for x in (1, 2, 3, 10, 11, 12)})


def test_thirty_by_thirty_combinations():
    @op
    def pair(p: int, q: int) -> int:
        return p * 100 + q

    results = run_sync(
        DataFlow(pair), [[{"p": i} for i in range(30)] + [{"q": j} for j in range(30)]]
    )
    assert sorted(results["0"]["pair"]) == sorted(p * 100 + q for p in range(30) for q in range(30))


def test_parameter_default_used_when_no_input_arrives():
    @op
    def scale(x: int, factor: int = 3) -> int:
        return x * factor

    assert run_sync(DataFlow(scale), {"c": {"x": 2}})["c"] == {"scale": 6}
    assert run_sync(DataFlow(scale), {"c": {"x": 2, "factor": 5}})["c"] == {"scale": 10}


def test_definition_default_used_when_no_input_arrives():
    @op(inputs={"x": Definition("x", int), "y": Definition("y", int, default=7)})
    def plus(x, y):
        return x + y

    assert run_sync(DataFlow(plus), {"c": {"x": 1}})["c"] == {"plus": 8}


# -- rule 3: no inputs run once per context ----------------------------------------


def test_operation_without_inputs_runs_once_per_context():
    calls = []

    @op
    def start() -> int:
        calls.append(1)
        return 5

    @op
    def double(start: int) -> int:
        return start * 2

    results = run_sync(DataFlow(start, double), [{}, {}, {}])
    assert len(calls) == 3
    assert results == {str(i): {"double": 10} for i in range(3)}


# -- rule 4: conditions are ANDed ------------------------------------------------------


def test_conditions_all_must_be_true():
    first, second = Definition("first", bool), Definition("second", bool)
    calls = []

    @op(conditions=[first, second])
    def gated(x: int) -> int:
        calls.append(x)
        return x

    flow = DataFlow(gated)
    assert run_sync(flow, {"c": {"x": 1, "first": True, "second": False}})["c"] == {}
    assert run_sync(flow, {"c": {"x": 2, "first": True}})["c"] == {}
    assert run_sync(flow, {"c": [{"x": 3, "first": True}, {"second": False}, {"second": True}]})[
        "c"
    ] == {"gated": 3}
    assert calls == [3]


# -- rule 5: locks -------------------------------------------------------------------


def test_locked_input_never_used_by_two_running_operations():
    resource = Definition("resource", "object", lock=True)
    active: dict[int, int] = {}
    overlaps = []

    async def use(resource, n):
        key = id(resource)
        active[key] = active.get(key, 0) + 1
        if active[key] > 1:
            overlaps.append(n)
        for _ in range(3):
            await asyncio.sleep(0)
        active[key] -= 1
        return n

    user = op(
        use,
        inputs={"resource": resource, "n": Definition("n", int)},
        outputs={"done": Definition("done", int)},
    )
    flow = DataFlow(user)
    results = run_sync(flow, {"c": [{"resource": object()}] + [{"n": i} for i in range(10)]})
    assert sorted(results["c"]["done"]) == list(range(10))
    assert overlaps == []

    # without the lock the same operations do overlap: the test can fail
    free = op(
        use,
        inputs={"resource": Definition("resource", "object"), "n": Definition("n", int)},
        outputs={"done": Definition("done", int)},
    )
    run_sync(DataFlow(free), {"c": [{"resource": object()}] + [{"n": i} for i in range(10)]})
    assert overlaps != []


# -- rule 6: expand and async generators -----------------------------------------------


def test_async_generator_yielding_five_values_triggers_five_runs():
    downstream = []

    @op
    async def numbers(n: int) -> AsyncIterator[int]:
        for i in range(n):
            yield i

    @op
    def square(numbers: int) -> int:
        downstream.append(numbers)
        return numbers * numbers

    results = run_sync(DataFlow(numbers, square), {"c": {"n": 5}})
    assert sorted(downstream) == [0, 1, 2, 3, 4]
    assert sorted(results["c"]["square"]) == [0, 1, 4, 9, 16]


def test_expand_makes_each_item_an_input():
    @op(expand=["split"])
    def split(text: str) -> list[str]:
        return text.split()

    @op
    def shout(split: str) -> str:
        return split.upper()

    results = run_sync(DataFlow(split, shout), {"c": {"text": "a b c"}})
    assert sorted(results["c"]["shout"]) == ["A", "B", "C"]


def test_expand_of_a_non_list_is_an_error_naming_the_operation():
    @op(expand=["split"])
    def split(text: str) -> list:
        return 5

    with pytest.raises(OperationError, match="operation 'split' expands output 'split'"):
        run_sync(DataFlow(split), {"c": {"text": "x"}})


# -- rule 7: retry ---------------------------------------------------------------------


def test_retry_reruns_failing_operation():
    attempts = []

    @op(retry=2)
    def flaky(x: int) -> int:
        attempts.append(x)
        if len(attempts) < 3:
            raise ConnectionError("try again")
        return x

    assert run_sync(DataFlow(flaky), {"c": {"x": 1}})["c"] == {"flaky": 1}
    assert len(attempts) == 3


async def test_retry_async_gives_up_after_n_more():
    attempts = []

    @op(retry=1)
    async def always(x: int) -> int:
        attempts.append(x)
        raise ConnectionError("down")

    with pytest.raises(OperationError):
        async for _ in run(DataFlow(always), {"c": {"x": 1}}):
            pass
    assert len(attempts) == 2


# -- rule 8: stages ----------------------------------------------------------------------


def test_cleanup_runs_after_processing_and_output_last():
    order = []

    @op
    async def work(x: int) -> int:
        await asyncio.sleep(0)
        order.append("work")
        return x + 1

    @op(stage="cleanup")
    def tidy(work: int) -> None:
        order.append("cleanup")

    flow = DataFlow(work, tidy, get_single, seed=[Input(["work"], get_single.inputs["spec"])])
    assert run_sync(flow, [[{"x": 1}, {"x": 2}]])["0"] == {"work": 3}
    assert order == ["work", "work", "cleanup", "cleanup"]


# -- rule 9: results -----------------------------------------------------------------------


def test_without_output_operations_results_are_the_leaves():
    @op
    def a(x: int) -> int:
        return x + 1

    @op
    def b(a: int) -> int:
        return a * 10

    @op
    def c(a: int) -> str:
        return str(a)

    assert run_sync(DataFlow(a, b, c), {"k": {"x": 1}})["k"] == {"b": 20, "c": "2"}


def test_get_single_and_get_multi_merge():
    @op(expand=["many"])
    def many(n: int) -> list[int]:
        return list(range(n))

    flow = DataFlow(
        many,
        get_single,
        get_multi,
        seed=[
            Input({"last": "many"}, get_single.inputs["spec"]),
            Input(["many"], get_multi.inputs["spec"]),
        ],
    )
    assert run_sync(flow, {"k": {"n": 3}})["k"] == {"last": 2, "many": [0, 1, 2]}


# -- rule 10: errors ------------------------------------------------------------------------


@op
def explode(x: int) -> int:
    if x == 2:
        raise ValueError("two is not allowed")
    return x


def test_strict_error_names_operation_context_inputs_and_chains():
    with pytest.raises(OperationError) as info:
        run_sync(
            DataFlow(explode), {"one": {"x": 1}, "two": {"x": 2}, "three": {"x": 3}}, max_contexts=1
        )
    error = info.value
    assert error.operation == "explode" and error.context == "two" and error.inputs == {"x": 2}
    assert "explode" in str(error) and "'two'" in str(error) and "x=2" in str(error)
    assert isinstance(error.__cause__, ValueError)
    # nothing finished is lost
    assert error.results == {"one": {"explode": 1}}


def test_non_strict_error_lands_in_results_and_other_contexts_complete():
    results = run_sync(
        DataFlow(explode), {"one": {"x": 1}, "two": {"x": 2}, "three": {"x": 3}}, strict=False
    )
    assert results["one"] == {"explode": 1} and results["three"] == {"explode": 3}
    assert results["two"] == {}
    [error] = results["two"].errors
    assert isinstance(error, OperationError) and isinstance(error.__cause__, ValueError)


def test_multi_output_operation_returning_non_dict_is_a_clear_error():
    @op(outputs={"a": Definition("a", int), "b": Definition("b", int)})
    def two(x: int):
        return 5

    with pytest.raises(OperationError, match="must return a dict keyed by them"):
        run_sync(DataFlow(two), {"c": {"x": 1}})


def test_seed_naming_unknown_definition_is_refused():
    with pytest.raises(
        DataFlowError,
        match="context 'c': an input names definition 'y', which this flow does not use; definitions of this flow: explode, x",
    ):
        run_sync(DataFlow(explode), {"c": {"y": 1}})


def test_definition_with_two_primitives_is_refused_by_run():
    @op
    def make() -> int:
        return 1

    @op
    def use(make: str) -> str:
        return make

    flow = DataFlow(make, use)
    [problem] = flow.validate()
    assert "definition 'make'" in problem and "int" in problem and "str" in problem
    with pytest.raises(DataFlowError, match="definition 'make'"):
        run_sync(flow, {"c": {}})


def test_validate_names_duplicate_operations_and_colliding_outputs():
    same = Definition("same", int)

    @op(outputs={"a": same, "b": same})
    def f(x: int):
        return {"a": 1, "b": 2}

    problems = DataFlow(f, f).validate()
    assert any("operation name 'f' is used by 2" in p for p in problems)
    assert any("outputs 'a' and 'b' both produce definition 'same'" in p for p in problems)


def test_cycle_that_returns_to_a_value_settles_by_redundancy():
    calls = []

    @op(inputs={"n": Definition("n", int)}, outputs={"n": Definition("n", int)})
    def halve(n):
        calls.append(n)
        return max(n // 2, 1)

    flow = DataFlow(halve, get_multi, seed=[Input(["n"], get_multi.inputs["spec"])])
    assert run_sync(flow, {"c": {"n": 40}})["c"] == {"n": [40, 20, 10, 5, 2, 1]}
    assert calls == [40, 20, 10, 5, 2, 1]  # 1 -> 1 came back unchanged: not run again


def test_cycle_that_never_settles_fails_instead_of_hanging():
    @op(inputs={"n": Definition("n", int)}, outputs={"n": Definition("n", int)})
    def grow(n):
        return n + 1

    with pytest.raises(OperationError, match="without settling; operations grow form a cycle"):
        run_sync(DataFlow(grow), {"c": {"n": 0}}, max_runs=1000)


# -- rule 11: runners, memory ---------------------------------------------------------------


def test_thread_runner_runs_off_the_event_loop_thread():
    threads = []

    @op(runner="thread")
    def blocking(x: int) -> int:
        threads.append(threading.get_ident())
        return x

    assert run_sync(DataFlow(blocking), {"c": {"x": 4}})["c"] == {"blocking": 4}
    assert threads and threads[0] != threading.get_ident()


def test_twenty_thousand_contexts_correct_and_released():
    @op
    def a(x: int) -> int:
        return x + 1

    @op
    def b(a: int) -> int:
        return a * 2

    results = run_sync(DataFlow(a, b), [{"x": i} for i in range(20_000)])
    assert len(results) == 20_000
    assert all(results[str(i)] == {"b": (i + 1) * 2} for i in range(20_000))
    gc.collect()
    from dffml_nb.df.types import Input as InputType

    live = sum(1 for o in gc.get_objects() if type(o) is InputType)
    assert live < 1000, f"{live} Inputs still alive after the run"


# -- rule 12: events ---------------------------------------------------------------------------


def test_events_in_order_with_durations_and_outputs():
    seen = []
    run_sync(calc_flow(), {"c": {"calc_string": "add 40 and 2"}}, on_event=seen.append)
    kinds = [(e.kind, e.operation) for e in seen]
    assert kinds[0] == ("context_started", None)
    assert kinds[-1] == ("context_finished", None)
    assert kinds.index(("operation_started", "parse_line")) < kinds.index(
        ("operation_finished", "parse_line")
    )
    assert kinds.index(("operation_finished", "parse_line")) < kinds.index(
        ("operation_started", "add")
    )
    assert ("operation_started", "mult") not in kinds
    finished = [e for e in seen if e.kind == "operation_finished" and e.operation == "add"][0]
    assert finished.duration >= 0 and finished.outputs == {"sum": "42"}
    assert seen[-1].results == {"result": 42}
    with pytest.raises(dataclasses.FrozenInstanceError):
        seen[0].kind = "changed"  # type: ignore[misc]


def test_failed_event_carries_error():
    seen = []
    run_sync(DataFlow(explode), {"c": {"x": 2}}, strict=False, on_event=seen.append)
    failed = [e for e in seen if e.kind == "operation_failed"]
    assert len(failed) == 1 and failed[0].operation == "explode"
    assert isinstance(failed[0].error, OperationError)


async def test_event_stream_async_iterable():
    from dffml_nb.df import events

    kinds = [e.kind async for e in events(calc_flow(), {"c": {"calc_string": "add 1 and 1"}})]
    assert kinds[0] == "context_started" and kinds[-1] == "context_finished"


# -- run_sync inside a running loop --------------------------------------------------------------


async def test_run_sync_inside_running_event_loop():
    assert asyncio.get_running_loop().is_running()
    assert run_sync(calc_flow(), {"c": {"calc_string": "multiply 6 and 7"}}) == {
        "c": {"result": 42}
    }

    @op
    async def slow(x: int) -> int:
        await asyncio.sleep(0.001)
        return x * 3

    assert run_sync(DataFlow(slow), {"c": {"x": 2}}) == {"c": {"slow": 6}}


def test_input_parents_recover_the_whole_lineage():
    from dffml_nb.df import Context

    @op
    def a(x: int) -> int:
        return x + 1

    @op
    def b(a: int) -> int:
        return a + 1

    found = {}

    def capture(ctx: Context) -> None:
        found["b"] = ctx.inputs("b")[0]

    flow = DataFlow(a, b, op(capture, stage="output"))
    run_sync(flow, {"c": {"x": 1}})
    item = found["b"]
    assert item.value == 3 and item.origin == "b"
    assert [(p.definition.name, p.value) for p in item.ancestors()] == [("a", 2), ("x", 1)]


# -- batched events (on_events) ------------------------------------------------------------------


def test_on_events_batches_carry_every_event_and_tally_them():
    batches = []
    results = run_sync(
        calc_flow(),
        [{"calc_string": f"add {i} and 1"} for i in range(300)],
        on_events=batches.append,
    )
    assert len(results) == 300
    assert len(batches) > 1  # delivered in several batches, not one pile at the end
    tally: dict = {}
    for batch in batches:
        for key, count in batch.tally().items():
            tally[key] = tally.get(key, 0) + count
    assert tally[("context_started", None)] == tally[("context_finished", None)] == 300
    assert (
        tally[("operation_finished", "add")] == 300 and ("operation_started", "mult") not in tally
    )
    events = [event for batch in batches for event in batch]
    assert sum(len(b) for b in batches) == len(events) == sum(tally.values())
    last = batches[-1].last("operation_finished", "add")
    assert last.kind == "operation_finished" and last.outputs == {"sum": last.outputs["sum"]}
    assert last.outputs["sum"].isdigit()


def test_on_events_and_on_event_see_the_same_stream():
    one, many = [], []
    run_sync(
        calc_flow(),
        {"c": {"calc_string": "add 2 and 3"}},
        on_event=one.append,
        on_events=many.append,
    )
    assert [(e.kind, e.operation) for e in one] == [(e.kind, e.operation) for b in many for e in b]


async def test_long_async_operation_is_reported_while_it_runs():
    seen = []
    release = asyncio.Event()

    @op
    async def slow(x: int) -> int:
        await release.wait()
        return x

    async def consume():
        async for _ in run(DataFlow(slow), {"c": {"x": 1}}, on_events=seen.append, interval=0.01):
            pass

    task = asyncio.ensure_future(consume())
    for _ in range(200):  # bounded wait for the started event to be delivered mid-run
        if any(e.kind == "operation_started" for b in seen for e in b):
            break
        await asyncio.sleep(0.005)
    started = [e for b in seen for e in b if e.kind == "operation_started"]
    assert started and not any(e.kind == "operation_finished" for b in seen for e in b)
    release.set()
    await task
    assert any(e.kind == "context_finished" for b in seen for e in b)


def test_failed_operations_found_in_a_batch():
    batches = []
    run_sync(
        DataFlow(explode), [{"x": 1}, {"x": 2}, {"x": 2}], strict=False, on_events=batches.append
    )
    failed = [e for b in batches for e in b.of_kind("operation_failed")]
    assert sorted(e.context for e in failed) == ["1", "2"]
    assert all(isinstance(e.error, OperationError) for e in failed)


def test_batches_alone_give_the_same_stream_as_per_event():
    one, many = [], []
    inputs = [{"calc_string": "add 2 and 3"}, {"calc_string": "multiply 4 and 5"}]
    run_sync(calc_flow(), inputs, on_event=one.append, max_contexts=1)
    run_sync(calc_flow(), inputs, on_events=many.append, max_contexts=1)
    flat = [e for b in many for e in b]
    assert [(e.kind, e.context, e.operation) for e in one] == [
        (e.kind, e.context, e.operation) for e in flat
    ]
    started = [e for e in flat if e.kind == "operation_started" and e.operation == "add"][0]
    assert started.inputs == {"numbers": "[2, 3]"}
    finished = [e for e in flat if e.kind == "operation_finished" and e.operation == "add"][0]
    assert finished.outputs == {"sum": "5"} and finished.duration >= 0
    assert many[0].tally()[("operation_started", "parse_line")] == 2


def test_event_fields_are_plain_values():
    seen = []
    run_sync(calc_flow(), {"c": {"calc_string": "add 40 and 2"}}, on_event=seen.append)
    finished = [e for e in seen if e.kind == "operation_finished" and e.operation == "add"][0]
    assert dataclasses.is_dataclass(finished)
    assert type(finished.outputs) is dict and finished.outputs == {"sum": "42"}
    started = [e for e in seen if e.kind == "operation_started" and e.operation == "add"][0]
    assert type(started.inputs) is dict and started.inputs == {"numbers": "[40, 2]"}
    assert dataclasses.replace(finished, context="other").context == "other"
