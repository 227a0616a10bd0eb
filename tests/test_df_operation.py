"""@op: inference from signatures, explicit definitions, options, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from dffml_nb.df import UNSET, Context, DataFlow, Definition, FunctionType, Operation, op


def test_inference_wires_functions_by_name():
    @op
    def add(a: int, b: int) -> int:
        return a + b

    @op
    def total(add: int) -> int:
        return add * 2

    assert isinstance(add, Operation)
    assert add.inputs == {"a": Definition("a", int), "b": Definition("b", "int")}
    assert add.outputs == {"add": Definition("add", int)}
    assert total.inputs["add"] == add.outputs["add"]
    flow = DataFlow(add, total)
    assert set(flow.flow_inputs) == {"a", "b"}
    assert set(flow.leaves) == {"total"}


def test_decorated_object_stays_callable():
    @op
    def add(a: int, b: int) -> int:
        return a + b

    assert add(2, 3) == 5
    assert add(a=1, b=1) == 2
    assert add.__name__ == "add"


def test_explicit_inputs_and_outputs_override_inference():
    number = Definition("number", int)
    doubled = Definition("doubled", int)

    @op(inputs={"x": number}, outputs={"y": doubled})
    def double(x):
        return 2 * x

    assert double.inputs == {"x": number}
    assert double.outputs == {"y": doubled}
    assert double.single


def test_only_inputs_given_infers_outputs_and_vice_versa():
    @op(inputs={"x": Definition("number", int)})
    def square(x: int) -> float:
        return x * x

    assert square.outputs == {"square": Definition("square", float)}

    @op(outputs={"out": Definition("out", str)})
    def name(first: str) -> str:
        return first

    assert name.inputs == {"first": Definition("first", str)}


def test_primitives_from_annotations():
    @op
    def f(a: list[int], b: dict[str, int], c: float | None, d, e: str) -> list[str]:
        return []

    prims = {k: d.primitive for k, d in f.inputs.items()}
    assert prims == {"a": "list", "b": "dict", "c": "float", "d": "object", "e": "str"}
    assert f.outputs["f"].primitive == "list"


def test_no_return_annotation_none_means_no_output():
    @op
    def log(message: str) -> None:
        pass

    assert log.outputs == {}


def test_async_generator_output_from_iterator_annotation():
    @op
    async def count(n: int) -> AsyncIterator[int]:
        for i in range(n):
            yield i

    assert count.function_type is FunctionType.ASYNC_GENERATOR
    assert count.outputs["count"].primitive == "int"


def test_coroutine_kind_and_options():
    cond = Definition("ok", bool)

    @op(name="fetch", conditions=[cond], retry=2, runner="thread", stage="processing")
    async def fetch_data(url: str) -> str:
        return url

    assert fetch_data.function_type is FunctionType.COROUTINE
    assert fetch_data.name == "fetch"
    assert fetch_data.conditions == (cond,)
    assert fetch_data.retry == 2


def test_context_parameter_is_not_an_input():
    @op(stage="output")
    def everything(ctx: Context) -> dict:
        return {}

    assert everything.inputs == {}
    assert everything.context_params == ("ctx",)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"stage": "later"}, "stage must be one of"),
        ({"runner": "process"}, "runner must be one of"),
        ({"retry": -1}, "retry must be"),
        ({"expand": ["nope"]}, "expand names ['nope']"),
        ({"inputs": {"zzz": Definition("z", int)}}, "input 'zzz' is not a parameter"),
    ],
)
def test_bad_options_name_the_operation(kwargs, message):
    def f(a: int) -> int:
        return a

    with pytest.raises((TypeError, ValueError), match="operation 'f'") as info:
        op(f, **kwargs)
    assert message in str(info.value)


def test_definition_equality_and_primitive_names():
    assert Definition("a", int) == Definition("a", "int")
    assert Definition("a", int) != Definition("a", float)
    assert hash(Definition("a", "string")) == hash(Definition("a", str))
    assert Definition("a", "float").convert("2.5") == 2.5
    assert Definition("a", "bool").convert("false") is False
    with pytest.raises(ValueError, match="'x' is not a valid int for definition 'a'"):
        Definition("a", int).convert("x")


# -- one list of settings; "not given" is not "the default" -------------------------------


def test_op_on_an_operation_applies_settings_equal_to_their_defaults():
    @op(stage="cleanup", retry=3, runner="thread", conditions=[Definition("ok", bool)])
    def f(a: int) -> int:
        return a

    g = op(f, stage="processing", retry=0, runner="inline", conditions=[])
    assert (g.stage, g.retry, g.runner, g.conditions) == ("processing", 0, "inline", ())
    # the original is untouched, and nothing given means the same operation
    assert (f.stage, f.retry, f.runner) == ("cleanup", 3, "thread")
    assert op(f) is f and op(f, retry=UNSET, stage=UNSET) is f
    assert op(f, name="renamed").name == "renamed" and op(f, name="renamed").retry == 3


def test_replace_copies_every_setting_and_changes_only_those_given():
    from dffml_nb.df.operation import SETTINGS

    @op(name="scale", retry=2, expand=["scale"], conditions=["go"])
    def scale(x: int) -> list[int]:
        return [x]

    copy = scale.replace(retry=0)
    for setting in SETTINGS:
        if setting != "retry":
            assert getattr(copy, setting) == getattr(scale, setting), setting
    assert copy.retry == 0 and copy.func is scale.func
    assert copy.defaults == scale.defaults and copy.function_type is scale.function_type


def test_from_function_infers_and_the_constructor_only_stores():
    def add(a: int, b: int = 2) -> int:
        return a + b

    inferred = Operation.from_function(add)
    assert inferred.inputs == {"a": Definition("a", int), "b": Definition("b", int)}
    assert inferred.outputs == {"add": Definition("add", int)} and inferred.defaults == {"b": 2}
    stored = Operation(add, name="plus", inputs={"x": Definition("x", int)}, outputs={})
    assert stored.name == "plus" and list(stored.inputs) == ["x"] and stored.outputs == {}


def test_unknown_setting_is_named():
    with pytest.raises(TypeError, match="unknown operation setting.*stag.*settings are name"):
        op(lambda a: a, stag="cleanup")
