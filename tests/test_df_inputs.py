"""One reading of a run's inputs: input_sets (what the executor runs) and count_contexts."""

from __future__ import annotations

import pytest

from dffml_nb.df import DataFlow, Input, count_contexts, input_sets, op, run_sync


@op
def double(x: int) -> int:
    return x * 2


X = double.inputs["x"]

FORMS = {
    "None: one context, no inputs": (None, ["0"]),
    "a bare {definition: value}": ({"x": 1}, ["0"]),
    "one Input": (Input(1, X), ["0"]),
    "a list of Inputs (DFFML style)": ([Input(1, X), Input(2, X)], ["0"]),
    "{context: {definition: value}}": ({"a": {"x": 1}, "b": {"x": 2}}, ["a", "b"]),
    "{context: Input}": ({"a": Input(1, X), "b": Input(2, X)}, ["a", "b"]),
    "{context: [Input or dict]}": ({"a": [Input(1, X)], "b": [{"x": 2}]}, ["a", "b"]),
    "a list of input sets": ([{"x": 1}, [Input(2, X)], {"x": 3}], ["0", "1", "2"]),
    "a tuple of input sets": (({"x": 1}, {"x": 2}), ["0", "1"]),
    "non-string context names": ({1: {"x": 1}, 2: {"x": 2}}, ["1", "2"]),
}


@pytest.mark.parametrize("case", list(FORMS))
def test_input_sets_count_and_run_agree(case):
    inputs, names = FORMS[case]
    assert [name for name, _ in input_sets(inputs)] == names
    assert count_contexts(inputs) == len(names)
    assert list(run_sync(DataFlow(double), inputs)) == names  # what the executor runs


def test_context_inputs_given_as_inputs_are_contexts_not_one_bare_set():
    """The form the graph's progress bar used to count as one context."""
    inputs = {"a": Input(20, X), "b": Input(21, X)}
    assert count_contexts(inputs) == 2
    assert run_sync(DataFlow(double), inputs) == {"a": {"double": 40}, "b": {"double": 42}}


def test_a_generator_of_input_sets_is_read_lazily_and_not_counted():
    read = []

    def sets():
        for i in range(3):
            read.append(i)
            yield {"x": i}

    inputs = sets()
    assert count_contexts(inputs) is None and read == []
    pairs = input_sets(inputs)
    assert next(pairs) == ("0", {"x": 0}) and read == [0]
    assert run_sync(DataFlow(double), (s for s in [{"x": 5}, {"x": 6}])) == {
        "0": {"double": 10},
        "1": {"double": 12},
    }
