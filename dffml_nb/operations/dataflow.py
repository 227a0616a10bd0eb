"""DFFML's ``dffml.dataflow.run``: run a subflow on contexts given as an input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dffml_nb.df import Context, Definition, op
from dffml_nb.df.subflow import RunDataFlowConfig, run_contexts_async

FLOW_INPUTS = Definition("flow_inputs", "dict")
FLOW_RESULTS = Definition("flow_results", "dict")


def _input_set(name: str, items: Any) -> Any:
    """DFFML's ``[{"value": ..., "definition": name}, ...]`` (or an input set already)."""
    if isinstance(items, list) and all(
        isinstance(i, Mapping) and set(i) == {"value", "definition"} for i in items
    ):
        return [{str(i["definition"]): i["value"]} for i in items]
    return items


@op(
    name="dffml.dataflow.run",
    inputs={"inputs": FLOW_INPUTS},
    outputs={"results": FLOW_RESULTS},
    config=RunDataFlowConfig,
)
async def run_dataflow(
    inputs: Mapping[str, Any], ctx: Context, config: RunDataFlowConfig
) -> dict[str, Any]:
    """Run the configured ``dataflow`` on ``inputs`` — ``{context: [{"value": v,
    "definition": d}, ...]}`` as in DFFML, or ``{context: {definition: value}}`` — and
    give ``{context: results}``. It runs in the calling flow's executor (on its event
    loop); the outer run's subscribers hear its operation events, marked ``inner``.

    >>> from dffml_nb import DataFlow, op, run_sync
    >>> @op
    ... def last_path(URL: str) -> str:
    ...     return URL.split("/")[-1]
    >>> outer = DataFlow(run_dataflow, configs={"dffml.dataflow.run": {"dataflow": DataFlow(last_path)}})
    >>> run_sync(outer, {"c": {"flow_inputs": {"dffml": [
    ...     {"value": "https://github.com/dffml/dffml", "definition": "URL"}]}}})
    {'c': {'flow_results': {'dffml': {'last_path': 'dffml'}}}}
    """
    contexts = {str(name): _input_set(str(name), items) for name, items in inputs.items()}
    by = config.name or "dffml.dataflow.run"
    results = await run_contexts_async(config, ctx, contexts, by)
    return {name: dict(found) for name, found in results.items()}
