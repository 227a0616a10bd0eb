"""The executor's numbered semantics (DESIGN.md), in-process, on a ProcessPoolExecutor(2)
and on a Dask LocalCluster(2 worker processes): every rule holds with a pool.

The operations live in ``pool_ops`` (module level, so they pickle); the engine makes
them ``runner="process"`` for the pools. What the tests of tests/test_df_executor.py
read from lists in memory is read here from a log file the calls append to.
"""

from __future__ import annotations

import pool_ops
import pytest
from pool_ops import read_log
from pool_support import engine as make_engine

from dffml_nb.df import (
    DataFlowError,
    Definition,
    Input,
    OperationError,
    get_multi,
    get_single,
    op,
)
from dffml_nb.examples.calc import add, calc_string, mult, parse_line, result

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(
    scope="module",
    params=[
        "in-process",
        pytest.param("process-pool", marks=pytest.mark.slow),
        pytest.param("dask", marks=pytest.mark.slow),
    ],
)
def engine(request):
    with make_engine(request.param) as made:
        yield made


@pytest.fixture
def log(tmp_path):
    return str(tmp_path / "calls.jsonl")


def test_ops_run_where_the_engine_says(engine):
    import os

    results = engine.run(engine.flow(pool_ops.where), [{"x": i} for i in range(6)])
    pids = {r["where"] for r in results.values()}
    if engine.remote:
        assert os.getpid() not in pids
    else:
        assert pids == {os.getpid()}


# -- the calculator: conditions and an output operation ----------------------------------


def test_calculator(engine):
    flow = engine.flow(
        parse_line, add, mult, get_single, seed=[Input([result.name], get_single.inputs["spec"])]
    )
    results = engine.run(
        flow,
        {
            "add 40 and 2": [Input("add 40 and 2", calc_string)],
            "multiply 42 and 10": {"calc_string": "multiply 42 and 10"},
        },
    )
    assert results == {"add 40 and 2": {"result": 42}, "multiply 42 and 10": {"result": 420}}


# -- rule 2: every new combination exactly once -------------------------------------------


def test_one_by_two_by_two_inputs_give_four_runs(engine):
    results = engine.run(
        engine.flow(pool_ops.combine), {"ctx": [{"a": 1}, {"b": 2}, {"b": 3}, {"c": 4}, {"c": 5}]}
    )
    assert sorted(results["ctx"]["combine"]) == ["124", "125", "134", "135"]


def test_combinations_arriving_from_operations_run_once(engine):
    results = engine.run(engine.flow(pool_ops.spread, pool_ops.pair), [[{"a": 1}, {"a": 10}]])
    expected = sorted(a * 1000 + x for a in (1, 10) for x in (1, 2, 3, 10, 11, 12))
    assert sorted(results["0"]["pair"]) == expected


def test_defaults_used_when_no_input_arrives(engine):
    assert engine.run(engine.flow(pool_ops.scale), {"c": {"x": 2}})["c"] == {"scale": 6}
    assert engine.run(engine.flow(pool_ops.scale), {"c": {"x": 2, "factor": 5}})["c"] == {
        "scale": 10
    }
    assert engine.run(engine.flow(pool_ops.plus), {"c": {"x": 1}})["c"] == {"plus": 8}


# -- rule 3: no inputs run once per context -----------------------------------------------


def test_operation_without_inputs_runs_once_per_context(engine, log):
    flow = engine.flow(pool_ops.start, pool_ops.double, seed=[Input(log, Definition("log", str))])
    results = engine.run(flow, [{}, {}, {}])
    assert results == {str(i): {"double": 10} for i in range(3)}
    assert len(read_log(log)) == 3


# -- rule 4: conditions are ANDed ----------------------------------------------------------


def test_conditions_all_must_be_true(engine):
    flow = engine.flow(pool_ops.gated)
    assert engine.run(flow, {"c": {"x": 1, "first": True, "second": False}})["c"] == {}
    assert engine.run(flow, {"c": {"x": 2, "first": True}})["c"] == {}
    late = [{"x": 3, "first": True}, {"second": False}, {"second": True}]
    assert engine.run(flow, {"c": late})["c"] == {"gated": 3}


# -- rule 5: locks, held by the driver --------------------------------------------------------


def _overlaps(records: list[dict]) -> int:
    """How many calls started while another was running (from their start/end times)."""
    spans = {}
    for r in records:
        spans.setdefault(r["n"], {})[r["at"]] = r["t"]
    ordered = sorted((s["start"], s["end"]) for s in spans.values())
    return sum(1 for (_, end), (start, _) in zip(ordered, ordered[1:]) if start < end)


def test_locked_input_never_used_by_two_running_operations(engine, tmp_path):
    # in-process the calls run in threads (inline calls could never overlap at all)
    runner = "process" if engine.remote else "thread"
    for operation, definition, name in (
        (pool_ops.locked_use, "resource", "locked"),
        (pool_ops.free_use, "free_resource", "free"),
    ):
        log = str(tmp_path / f"{name}.jsonl")
        flow = engine.flow(op(operation, runner=runner))
        inputs = [{definition: "the one resource", "log": log}] + [{"n": i} for i in range(8)]
        results = engine.run(flow, {"c": inputs})
        assert sorted(results["c"]["done"]) == list(range(8))
        overlaps = _overlaps(read_log(log))
        if name == "locked":
            assert overlaps == 0, "two calls used the locked input at once"
            if engine.remote:  # and the calls did go to both workers
                assert len({r["pid"] for r in read_log(log)}) == 2
        else:  # without the lock the same calls do overlap: the test can fail
            assert overlaps > 0


# -- rule 6: expand and generators ----------------------------------------------------------------


def test_async_generator_feeds_remote_operation(engine):
    results = engine.run(engine.flow(pool_ops.numbers, pool_ops.square), {"c": {"n": 5}})
    assert sorted(results["c"]["square"]) == [0, 1, 4, 9, 16]


def test_expand_makes_each_item_an_input(engine):
    results = engine.run(engine.flow(pool_ops.split, pool_ops.shout), {"c": {"text": "a b c"}})
    assert sorted(results["c"]["shout"]) == ["A", "B", "C"]


def test_generator_yields_each_output(engine):
    results = engine.run(engine.flow(pool_ops.count_down), {"c": {"k": 4}})
    assert sorted(results["c"]["tick"]) == [0, 1, 2, 3]


def test_expand_of_a_non_list_is_an_error_naming_the_operation(engine):
    with pytest.raises(OperationError, match="operation 'bad_split' expands output 'bad_split'"):
        engine.run(engine.flow(pool_ops.bad_split), {"c": {"text": "x"}})


# -- rule 7: retry ---------------------------------------------------------------------------------


def test_retry_reruns_failing_operation(engine, log):
    flow = engine.flow(pool_ops.flaky)
    assert engine.run(flow, {"c": {"x": 1, "log": log}})["c"] == {"flaky": 1}
    assert len(read_log(log)) == 3


def test_retry_gives_up_after_n_more(engine, log):
    with pytest.raises(OperationError, match="ConnectionError: down"):
        engine.run(engine.flow(pool_ops.always_fails), {"c": {"x": 1, "log": log}})
    assert len(read_log(log)) == 2


# -- rule 8: stages ----------------------------------------------------------------------------------


def test_cleanup_runs_after_processing_and_output_last(engine, log):
    flow = engine.flow(
        pool_ops.work,
        pool_ops.tidy,
        get_multi,
        seed=[Input(["work"], get_multi.inputs["spec"]), Input(log, Definition("log", str))],
    )
    # (the two calls of work run at once on a pool: either may finish first)
    assert sorted(engine.run(flow, [[{"x": 1}, {"x": 2}]])["0"]["work"]) == [2, 3]
    assert [r["op"] for r in sorted(read_log(log), key=lambda r: r["t"])] == [
        "work",
        "work",
        "cleanup",
        "cleanup",
    ]


# -- rule 9: results ------------------------------------------------------------------------------------


def test_without_output_operations_results_are_the_leaves(engine):
    results = engine.run(engine.flow(pool_ops.a, pool_ops.b, pool_ops.c), {"k": {"x": 1}})
    assert results["k"] == {"b": 20, "c": "2"}


def test_get_single_and_get_multi_merge(engine):
    flow = engine.flow(
        pool_ops.many,
        get_single,
        get_multi,
        seed=[
            Input({"last": "many"}, get_single.inputs["spec"]),
            Input(["many"], get_multi.inputs["spec"]),
        ],
    )
    assert engine.run(flow, {"k": {"n": 3}})["k"] == {"last": 2, "many": [0, 1, 2]}


# -- rule 10: errors -------------------------------------------------------------------------------------


def test_strict_error_names_operation_context_inputs_and_chains(engine):
    with pytest.raises(OperationError) as info:
        engine.run(
            engine.flow(pool_ops.explode),
            {"one": {"x": 1}, "two": {"x": 2}, "three": {"x": 3}},
            max_contexts=1,
        )
    error = info.value
    assert error.operation == "explode" and error.context == "two" and error.inputs == {"x": 2}
    assert "explode" in str(error) and "'two'" in str(error) and "x=2" in str(error)
    assert isinstance(error.__cause__, ValueError)
    assert error.results == {"one": {"explode": 1}}  # nothing finished is lost
    if engine.remote:  # the remote traceback's text: where it was raised, on which worker
        assert error.worker
        assert "pool_ops.py" in error.remote_traceback
        assert 'raise ValueError("two is not allowed")' in error.remote_traceback
        assert "Remote traceback" in str(error) and error.worker in str(error)
        assert "two is not allowed" in str(error.__cause__.__cause__)


def test_non_strict_error_lands_in_results_and_other_contexts_complete(engine):
    results = engine.run(
        engine.flow(pool_ops.explode),
        {"one": {"x": 1}, "two": {"x": 2}, "three": {"x": 3}},
        strict=False,
    )
    assert results["one"] == {"explode": 1} and results["three"] == {"explode": 3}
    assert results["two"] == {}
    [error] = results["two"].errors
    assert isinstance(error, OperationError) and isinstance(error.__cause__, ValueError)


def test_exception_that_cannot_travel_still_reports_type_message_and_traceback(engine):
    with pytest.raises(OperationError, match=r"Unpicklable: odd failure \(4\)") as info:
        engine.run(engine.flow(pool_ops.raises_odd), {"c": {"x": 4}})
    if engine.remote:
        assert "raise Unpicklable" in info.value.remote_traceback


def test_multi_output_operation_returning_non_dict_is_a_clear_error(engine):
    with pytest.raises(OperationError, match="must return a dict keyed by them"):
        engine.run(engine.flow(pool_ops.two_outputs), {"c": {"x": 1}})


def test_cycle_that_returns_to_a_value_settles_by_redundancy(engine):
    flow = engine.flow(pool_ops.halve, get_multi, seed=[Input(["n"], get_multi.inputs["spec"])])
    assert engine.run(flow, {"c": {"n": 40}})["c"] == {"n": [40, 20, 10, 5, 2, 1]}


def test_cycle_that_never_settles_fails_instead_of_hanging(engine):
    with pytest.raises(OperationError, match="without settling; operations grow form a cycle"):
        engine.run(engine.flow(pool_ops.grow), {"c": {"n": 0}}, max_runs=50)


def test_unsound_flow_refused_before_anything_runs(engine):
    with pytest.raises(DataFlowError, match="an input names definition 'nope'"):
        engine.run(engine.flow(pool_ops.explode), {"c": {"nope": 1}})


# -- rule 12: events, from the driver ---------------------------------------------------------------


def test_events_in_order_with_worker_on_finished(engine):
    seen = []
    flow = engine.flow(pool_ops.a, pool_ops.b)
    engine.run(flow, {"c": {"x": 1}}, on_event=seen.append)
    kinds = [(e.kind, e.operation) for e in seen]
    assert kinds == [
        ("context_started", None),
        ("operation_started", "a"),
        ("operation_finished", "a"),
        ("operation_started", "b"),
        ("operation_finished", "b"),
        ("context_finished", None),
    ]
    finished = [e for e in seen if e.kind == "operation_finished"]
    assert finished[0].outputs == {"a": "2"} and finished[1].outputs == {"b": "20"}
    workers = {e.worker for e in finished}
    if engine.name == "dask":
        assert all(w.startswith("tcp://") for w in workers)
    elif engine.remote:
        assert all(w.startswith("pid ") for w in workers)
    else:
        assert workers == {None}


def test_batched_events_carry_the_same_stream(engine):
    one, many = [], []
    flow = engine.flow(pool_ops.a, pool_ops.b)
    engine.run(flow, [{"x": 1}], on_event=one.append)
    engine.run(flow, [{"x": 1}], on_events=many.append)
    assert [(e.kind, e.operation) for e in one] == [(e.kind, e.operation) for b in many for e in b]


def test_failed_event_names_the_worker(engine):
    seen = []
    engine.run(engine.flow(pool_ops.explode), {"c": {"x": 2}}, strict=False, on_event=seen.append)
    [failed] = [e for e in seen if e.kind == "operation_failed"]
    assert failed.operation == "explode" and isinstance(failed.error, OperationError)
    assert (failed.worker is not None) == engine.remote


# -- many contexts ---------------------------------------------------------------------------------------


def test_three_hundred_contexts_correct(engine):
    results = engine.run(engine.flow(pool_ops.a, pool_ops.b), [{"x": i} for i in range(300)])
    assert results == {str(i): {"b": (i + 1) * 10} for i in range(300)}
