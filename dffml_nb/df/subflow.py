"""A dataflow as one operation of another: ``flow.as_op()`` (and ``dffml.dataflow.run``).

The subflow runs in the same executor as the flow that calls it: a subflow of
plain functions is stepped right inside the calling operation (no event loop,
no thread), any other is awaited on the running loop. Each call is one context
of the subflow, named like the outer context. When the outer run has
subscribers, the subflow's operation events reach them marked ``inner`` (the
outer operation's name), so a live graph or a log of the outer run sees them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dffml_nb.df.context import Context
from dffml_nb.df.dataflow import DataFlow
from dffml_nb.df.errors import DataFlowError
from dffml_nb.df.events import EventBatch
from dffml_nb.df.operation import Operation, op
from dffml_nb.df.output import _aliases, get_multi, get_single
from dffml_nb.df.types import Definition

__all__ = ["RunDataFlowConfig", "subflow_operation", "run_contexts"]


@dataclass
class RunDataFlowConfig:
    """DFFML's ``RunDataFlowConfig``: the flow to run (``name``: what its events are
    marked with in the outer run; the operation's name by default)."""

    dataflow: DataFlow
    name: str | None = None


def _forward(ctx: Context, by: str) -> dict[str, Any]:
    """``run`` options that hand the subflow's operation events to the outer run."""
    if not ctx.listening:
        return {}

    def on_events(batch: EventBatch) -> None:
        for event in batch:
            if event.operation is not None:  # its contexts are not the outer run's
                ctx.inner(event, by)

    return {"on_events": on_events}


def run_contexts(config: RunDataFlowConfig, ctx: Context, contexts: Any, by: str) -> dict[str, Any]:
    """Run ``config.dataflow`` on ``contexts`` from inside an operation call (the flow
    is of plain functions: stepped here, no loop); ``{context: results}``."""
    from dffml_nb.df.stream import iterate

    return {
        name: results for name, results in iterate(config.dataflow, contexts, **_forward(ctx, by))
    }


async def run_contexts_async(
    config: RunDataFlowConfig, ctx: Context, contexts: Any, by: str
) -> dict[str, Any]:
    """:func:`run_contexts` for subflows with coroutines: on the running event loop."""
    from dffml_nb.df.executor import run

    return {
        name: results async for name, results in run(config.dataflow, contexts, **_forward(ctx, by))
    }


def _outputs(results: Mapping[str, Any], outputs: Mapping[str, Definition]) -> Any:
    """A call's return value: the one output's value, or ``{output: value}``."""
    if len(outputs) == 1:
        return results.get(next(iter(outputs)))
    return {key: results[key] for key in outputs if key in results}


# Operations (not plain functions) at these import paths, so that a saved flow reads back
# with their config class; registered as ``dffml_nb.subflow`` / ``dffml_nb.subflow.async``.
@op(name="dffml_nb.subflow", inputs={}, outputs={}, config=RunDataFlowConfig)
def run_subflow(ctx: Context, config: RunDataFlowConfig, **values: Any) -> Any:
    """The function of ``flow.as_op()`` for a subflow of plain functions."""
    by = config.name or "subflow"
    results = run_contexts(config, ctx, {ctx.name: values}, by)[ctx.name]
    return _outputs(results, subflow_outputs(config.dataflow))


@op(name="dffml_nb.subflow.async", inputs={}, outputs={}, config=RunDataFlowConfig)
async def run_subflow_async(ctx: Context, config: RunDataFlowConfig, **values: Any) -> Any:
    """The function of ``flow.as_op()`` for a subflow with coroutines or threads."""
    by = config.name or "subflow"
    results = (await run_contexts_async(config, ctx, {ctx.name: values}, by))[ctx.name]
    return _outputs(results, subflow_outputs(config.dataflow))


def subflow_inputs(flow: DataFlow) -> dict[str, Definition]:
    """The flow's inputs a caller gives: consumed, never produced, not seeded by the flow."""
    seeded = {
        item.definition if isinstance(item.definition, str) else item.definition.name
        for item in flow.seed
    }
    return {name: d for name, d in flow.flow_inputs.items() if name not in seeded}


def subflow_outputs(flow: DataFlow) -> dict[str, Definition]:
    """The flow's results as outputs: what its get_single / get_multi pick (by alias),
    else its leaves."""
    picked: dict[str, Definition] = {}
    definitions = flow.definitions
    for operation in flow:
        if operation.stage != "output":
            continue
        if operation.func not in (get_single.func, get_multi.func):
            raise DataFlowError(
                f"{flow!r} cannot be an operation: its output operation {operation.name!r} "
                "gives results that cannot be named in advance (use get_single / get_multi)"
            )
        spec = operation.inputs[next(iter(operation.inputs))]
        for seed in flow.seed:
            named = seed.definition if isinstance(seed.definition, str) else seed.definition.name
            if named == spec.name:
                for alias, name in _aliases(seed.value).items():
                    found = definitions.get(name)
                    many = operation.func is get_multi.func
                    primitive = "list" if many or found is None else found.primitive
                    picked[alias] = (
                        found
                        if found is not None and alias == name and not many
                        else Definition(alias, primitive)
                    )
    return picked or dict(flow.leaves)


def subflow_operation(flow: DataFlow, name: str | None = None) -> Operation:
    """``flow`` as one operation: inputs its inputs, outputs its results (see module doc)."""
    from dffml_nb.df.plan import plan_of

    name = name or "subflow"
    outputs = subflow_outputs(flow)
    if not outputs:
        raise DataFlowError(f"{flow!r} gives no results, so it cannot be an operation")
    runner = run_subflow if plan_of(flow).all_inline else run_subflow_async
    return runner.replace(
        name=name,
        inputs=subflow_inputs(flow),
        outputs=outputs,
        configured={"dataflow": flow, "name": name},
    )
