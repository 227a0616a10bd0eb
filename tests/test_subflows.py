"""Subflows: ``flow.as_op()`` and ``dffml.dataflow.run`` run a flow inside a flow, in the
same executor; the outer run's subscribers hear the inner operations, marked inner."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from executor_paths import executor_path  # noqa: F401 - both paths of the executor

from dffml_nb.df import DataFlow, EventBatch, Input, OperationError, get_single, op, run_sync
from dffml_nb.operations import literal_eval, mapping_extract_value, run_dataflow

THREADS: list[int] = []


@op
def words(text: str) -> list:
    THREADS.append(threading.get_ident())
    return text.split()


@op
def count(words: list) -> int:
    if not words:
        raise ValueError("no words")
    return len(words)


@op
def shout(count: int) -> str:
    return "!" * count


COUNTING = DataFlow(words, count)


def test_as_op_takes_the_flows_inputs_and_gives_its_results():
    sub = COUNTING.as_op("counting")
    assert list(sub.inputs) == ["text"] and list(sub.outputs) == ["count"]
    assert sub.inputs["text"] == words.inputs["text"]  # the same definitions: it wires by name
    picked = DataFlow(
        words,
        count,
        get_single,
        seed=[Input({"n": "count", "w": "words"}, get_single.inputs["spec"])],
    ).as_op()
    assert sorted(picked.outputs) == ["n", "w"]


def test_a_subflow_of_plain_functions_runs_inline_and_its_events_are_marked_inner():
    THREADS.clear()
    seen = []
    outer = DataFlow(COUNTING.as_op("counting"), shout)
    results = run_sync(outer, {"a": {"text": "x y z"}, "b": {"text": "hi"}}, on_event=seen.append)
    assert results == {"a": {"shout": "!!!"}, "b": {"shout": "!"}}
    assert set(THREADS) == {threading.get_ident()}  # no thread, no loop of its own
    inner = [(e.kind, e.context, e.operation, e.inner) for e in seen if e.inner]
    assert ("operation_finished", "a", "words", "counting") in inner
    assert ("operation_finished", "b", "count", "counting") in inner
    assert not any(e.kind.startswith("context") and e.inner for e in seen)
    outer_ops = {e.operation for e in seen if e.operation and not e.inner}
    assert outer_ops == {"counting", "shout"}


def test_batches_carry_inner_events_without_counting_them_as_the_outer_flows():
    batches: list[EventBatch] = []
    run_sync(
        DataFlow(COUNTING.as_op("counting"), shout), {"a": {"text": "x"}}, on_events=batches.append
    )
    tally: dict = {}
    for batch in batches:
        for key, value in batch.tally().items():
            tally[key] = tally.get(key, 0) + value
    assert ("operation_finished", "words") not in tally
    assert tally[("operation_finished", "counting")] == 1
    assert any(e.inner == "counting" for batch in batches for e in batch)
    assert all(b.last("operation_finished", "words") is None for b in batches)


def test_an_async_subflow_runs_on_the_outer_loop():
    loops = []

    @op
    async def slow_words(text: str) -> list:
        loops.append(asyncio.get_running_loop())
        await asyncio.sleep(0)
        return text.split()

    inner = DataFlow(slow_words, count.replace(inputs={"words": "slow_words"}))

    @op
    async def outer_first(seed: str) -> str:
        loops.append(asyncio.get_running_loop())
        return seed

    wired = inner.as_op("inner").replace(inputs={"text": outer_first.outputs["outer_first"]})
    outer = DataFlow(outer_first, wired)
    assert run_sync(outer, {"c": {"seed": "a b"}})["c"] == {"count": 2}
    assert len(loops) == 2 and loops[0] is loops[1]


def test_an_inner_failure_is_the_subflow_operations_failure():
    with pytest.raises(
        OperationError, match="operation 'counting' failed in context 'e'"
    ) as raised:
        run_sync(DataFlow(COUNTING.as_op("counting")), {"e": {"text": ""}})
    assert isinstance(raised.value.__cause__, OperationError)
    assert "no words" in str(raised.value.__cause__)


def test_a_saved_subflow_loads_by_registered_names_in_a_fresh_process(tmp_path):
    extract = mapping_extract_value.replace(
        inputs={**mapping_extract_value.inputs, "mapping": literal_eval.outputs["str_after_eval"]}
    )
    outer = DataFlow(DataFlow(literal_eval, extract).as_op("extract"))
    path = tmp_path / "outer.json"
    outer.save(path)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    ran = subprocess.run(
        [
            "dffml-nb",
            "dataflow",
            "run",
            str(path),
            "-inputs",
            "{'a': {'b': 7}}=InputStr",
            '["a", "b"]=mapping_traverse',
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == {"0": {"value": 7}}


def test_dffml_dataflow_run_runs_contexts_given_as_an_input():
    @op
    def last_path(URL: str) -> str:
        return URL.split("/")[-1]

    seen = []
    outer = DataFlow(
        run_dataflow, configs={"dffml.dataflow.run": {"dataflow": DataFlow(last_path)}}
    )
    results = run_sync(
        outer,
        {
            "c": {
                "flow_inputs": {
                    "dffml": [{"value": "https://github.com/dffml/dffml", "definition": "URL"}],
                    "nb": {"URL": "https://example.org/nb"},
                }
            }
        },
        on_event=seen.append,
    )
    assert results["c"]["flow_results"] == {
        "dffml": {"last_path": "dffml"},
        "nb": {"last_path": "nb"},
    }
    assert {(e.context, e.operation, e.inner) for e in seen if e.inner} == {
        ("c", "last_path", "dffml.dataflow.run")
    }
