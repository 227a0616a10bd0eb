"""Operation configuration (DFFML's configs): ``config=`` on ``@op``, ``configure``,
``DataFlow(configs=...)``, saved in flow files; on both paths of the executor."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from executor_paths import executor_path  # noqa: F401 - both paths of the executor

from dffml_nb.df import DataFlow, DataFlowError, OperationError, op, run_sync


@dataclass
class Scale:
    factor: float
    offset: float = 0.0
    seen: list = field(default_factory=list)


@op(config=Scale)
def scaled(x: float, config: Scale) -> float:
    config.seen.append(x)
    return x * config.factor + config.offset


@dataclass
class Positive:
    minimum: int

    def __post_init__(self) -> None:
        if self.minimum < 0:
            raise ValueError("minimum must be >= 0")


@op(config=Positive)
def at_least(x: int, config: Positive) -> int:
    return max(x, config.minimum)


@dataclass
class Sub:
    dataflow: DataFlow


@op(config=Sub)
def inner_leaves(x: int, config: Sub) -> dict:
    return dict(next(iter(run_sync(config.dataflow, {"c": {"x": x}}).values())))


@op
def doubled(x: int) -> int:
    return 2 * x


def test_the_function_receives_its_config_which_is_not_an_input():
    assert list(scaled.inputs) == ["x"]
    flow = DataFlow(scaled, configs={"scaled": {"factor": 10}})
    assert run_sync(flow, [{"x": 1.0}, {"x": 2.0}]) == {
        "0": {"scaled": 10.0},
        "1": {"scaled": 20.0},
    }


def test_configure_returns_a_configured_copy_and_the_flow_wins():
    bound = scaled.configure(factor=2, offset=1)
    assert scaled.configured == {} and bound.configured == {"factor": 2, "offset": 1}
    assert run_sync(DataFlow(bound), {"c": {"x": 3.0}})["c"] == {"scaled": 7.0}
    flow = DataFlow(bound, configs={"scaled": {"offset": 100}})
    assert run_sync(flow, {"c": {"x": 3.0}})["c"] == {"scaled": 106.0}
    with pytest.raises(TypeError, match="Scale has no field 'factr'; its fields: factor, offset"):
        scaled.configure(factr=2)
    with pytest.raises(TypeError, match="takes no configuration"):
        doubled.configure(factor=2)


def test_one_config_object_per_run_plan():
    flow = DataFlow(scaled.configure(factor=1))
    run_sync(flow, [{"x": 1.0}, {"x": 2.0}, {"x": 3.0}])
    [plan_op] = __import__("dffml_nb.df.plan", fromlist=["plan_of"]).plan_of(flow).ops
    assert plan_op.config.seen == [1.0, 2.0, 3.0]
    flow.configs["scaled"] = {"factor": 5}  # a change of configs makes a new plan
    assert run_sync(flow, {"c": {"x": 1.0}})["c"] == {"scaled": 5.0}


def test_problems_name_the_operation_and_field():
    assert DataFlow(scaled).validate() == [
        "operation 'scaled' needs config field 'factor' (Scale): give DataFlow(..., "
        "configs={'scaled': {'factor': ...}}) or scaled.configure(factor=...)"
    ]
    problems = DataFlow(scaled, configs={"scaled": {"factor": 1, "size": 2}, "nope": {}}).validate()
    assert problems[0].startswith("operation 'scaled': Scale has no field 'size'; its fields:")
    assert "configs name operation 'nope', which is not in the flow" in problems[1]
    with pytest.raises(DataFlowError, match="needs config field 'factor'"):
        run_sync(DataFlow(scaled), {"c": {"x": 1.0}})
    with pytest.raises(
        DataFlowError,
        match=r"operation 'at_least': its configuration Positive "
        r"refused the values given: ValueError: minimum must be >= 0",
    ):
        run_sync(DataFlow(at_least, configs={"at_least": {"minimum": -1}}), {"c": {"x": 1}})


def test_declaring_config_needs_a_config_parameter():
    def plain(x: int) -> int:
        return x

    with pytest.raises(TypeError, match="declares config= but its function .* has no 'config'"):
        op(plain, config=Scale)
    with pytest.raises(TypeError, match="config must be a dataclass"):
        op(scaled.func, config=dict)


def test_saved_in_flow_files_with_nested_flows(tmp_path):
    flow = DataFlow(
        scaled.configure(factor=3),
        inner_leaves,
        configs={"inner_leaves": {"dataflow": DataFlow(doubled)}},
    )
    path = tmp_path / "flow.json"
    flow.save(path)
    loaded = DataFlow.load(path)
    assert loaded.configs["scaled"] == {"factor": 3}
    assert isinstance(loaded.configs["inner_leaves"]["dataflow"], DataFlow)
    assert run_sync(loaded, {"c": {"x": 2}})["c"] == {"scaled": 6.0, "inner_leaves": {"doubled": 4}}
    bad = DataFlow(scaled, configs={"scaled": {"factor": object()}})
    with pytest.raises(DataFlowError, match="config field 'factor' holds object"):
        bad.to_dict()


def test_a_failure_does_not_show_the_config():
    @dataclass
    class Secret:
        token: str

    @op(config=Secret)
    def call(x: int, config: Secret) -> int:
        raise RuntimeError("refused")

    with pytest.raises(OperationError) as raised:
        run_sync(DataFlow(call, configs={"call": {"token": "s3cr3t"}}), {"c": {"x": 1}})
    assert raised.value.inputs == {"x": 1} and "s3cr3t" not in str(raised.value)
