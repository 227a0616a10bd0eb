"""Compile a DataFlow into the lookup tables the executor runs from.

Done once per flow (cached), so that a run does dictionary lookups only.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from dffml_nb.df.configs import build as build_config
from dffml_nb.df.dataflow import DataFlow, ensure_valid
from dffml_nb.df.operation import FunctionType, Operation
from dffml_nb.df.types import Definition


class Stage(IntEnum):
    """Where a context is: the three operation stages in order, then done.

    An operation's ``stage`` setting names one of the first three.
    """

    PROCESSING = 0
    CLEANUP = 1
    OUTPUT = 2
    SETTLED = 3  # every stage has run; the results are being made
    FINISHED = 4  # the results are handed over and the context released


OPERATION_STAGES = (Stage.PROCESSING, Stage.CLEANUP, Stage.OUTPUT)


class OpPlan:
    """One operation, flattened for the executor's hot loop."""

    __slots__ = (
        "op",
        "name",
        "func",
        "params",
        "arity",
        "defaults",
        "conditions",
        "single",
        "single_key",
        "single_def",
        "outputs",
        "expand",
        "expand_single",
        "function_type",
        "inline",
        "retry",
        "ctx_params",
        "locked",
        "cyclic",
        "stage",
        "unwrap",
        "is_output",
        "config",
    )

    def __init__(self, operation: Operation, cyclic: bool, config: Any = None) -> None:
        self.op = operation
        #: the operation's configuration object (its function's ``config`` argument), or None
        self.config = config
        self.name = operation.name
        self.func = operation.func
        self.params = tuple(operation.inputs)
        self.arity = len(self.params)  # how many inputs one call takes
        self.defaults = tuple(
            (i, operation.defaults[p]) for i, p in enumerate(self.params) if p in operation.defaults
        )
        self.conditions = operation.conditions
        self.single = operation.single
        self.outputs = operation.outputs
        # the one output of a single-output operation (single_def None otherwise)
        self.single_key: str = next(iter(operation.outputs), "") if self.single else ""
        self.single_def: Definition | None = (
            operation.outputs[self.single_key] if self.single else None
        )
        self.expand = operation.expand
        self.expand_single = self.single and self.single_key in operation.expand
        # DFFML-style ``return {"key": value}`` from a one-output operation is unwrapped
        # unless the output itself holds dicts.
        self.unwrap = self.single_def is not None and self.single_def.primitive not in (
            "dict",
            "object",
        )
        self.function_type = operation.function_type
        self.inline = operation.runner == "inline" and operation.function_type in (
            FunctionType.PLAIN,
            FunctionType.GENERATOR,
        )
        self.retry = operation.retry
        self.ctx_params = operation.context_params
        self.locked = tuple(i for i, p in enumerate(self.params) if operation.inputs[p].lock)
        self.cyclic = cyclic
        self.stage = Stage[operation.stage.upper()]
        self.is_output = self.stage is Stage.OUTPUT


class Plan:
    """Per stage: which (operation, parameter index) consume each definition."""

    def __init__(self, flow: DataFlow) -> None:
        ensure_valid(flow)
        ops = list(flow)
        cyclic = _cyclic_operations(ops)
        self.ops = [OpPlan(o, o.name in cyclic, build_config(o, flow)) for o in ops]
        # each indexed by Stage
        self.consumers: list[dict[Definition, list[tuple[OpPlan, int]]]] = [
            {} for _ in OPERATION_STAGES
        ]
        self.condition_consumers: list[dict[Definition, list[tuple[OpPlan, int]]]] = [
            {} for _ in OPERATION_STAGES
        ]
        self.starters: list[list[OpPlan]] = [[] for _ in OPERATION_STAGES]
        self.with_defaults: list[list[OpPlan]] = [[] for _ in OPERATION_STAGES]
        for plan in self.ops:
            for index, param in enumerate(plan.params):
                definition = plan.op.inputs[param]
                self.consumers[plan.stage].setdefault(definition, []).append((plan, index))
            for index, definition in enumerate(plan.conditions):
                self.condition_consumers[plan.stage].setdefault(definition, []).append(
                    (plan, index)
                )
            if plan.arity == 0:
                self.starters[plan.stage].append(plan)
            if plan.defaults:
                self.with_defaults[plan.stage].append(plan)
        self.has_output_ops = any(p.stage is Stage.OUTPUT for p in self.ops)
        self.has_cleanup_ops = any(p.stage is Stage.CLEANUP for p in self.ops)
        self.leaves = list(flow.leaves.values())
        self.definitions = flow.definitions
        self.all_inline = all(p.inline for p in self.ops)
        self.seed = flow.seed
        self.any_cyclic = any(p.cyclic for p in self.ops)
        self.any_validate = any(d.validate is not None for d in self.definitions.values())

    def resolve(self, name: str, where: str) -> Definition:
        definition = self.definitions.get(name)
        if definition is None:
            from dffml_nb.df.errors import DataFlowError

            known = ", ".join(sorted(self.definitions)) or "(none)"
            raise DataFlowError(
                f"{where} names definition {name!r}, which this flow does not use; "
                f"definitions of this flow: {known}"
            )
        return definition


def _cyclic_operations(ops: list[Operation]) -> set[str]:
    """Names of operations on a cycle (definition -> operation -> definition)."""
    consumers: dict[Definition, list[Operation]] = {}
    for o in ops:
        for d in (*o.inputs.values(), *o.conditions):
            consumers.setdefault(d, []).append(o)
    graph = {
        o.name: {c.name for d in o.outputs.values() for c in consumers.get(d, ())} for o in ops
    }
    # Tarjan's strongly connected components, iteratively
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cyclic: set[str] = set()
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    cyclic.update(component)
    return cyclic


def plan_of(flow: DataFlow) -> Plan:
    """The compiled plan of ``flow``, cached until its operations, seed or configs change."""
    key = (
        tuple(id(o) for o in flow),
        tuple(id(s) for s in flow.seed),
        tuple((n, tuple((k, id(v)) for k, v in c.items())) for n, c in flow.configs.items()),
    )
    cached: tuple[Any, Plan] | None = flow._plan
    if cached is None or cached[0] != key:
        cached = (key, Plan(flow))
        flow._plan = cached
    return cached[1]
