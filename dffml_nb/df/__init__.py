"""The dataflow core: standard library only.

Definitions name data, operations consume and produce it, a DataFlow links
them, and the executor runs it concurrently with locking.

Names load on first use (``import dffml_nb.df`` is cheap: the executor and
asyncio load when something of the core is first touched), so that the package
root can register the notebook display hook in :mod:`dffml_nb.df.display`
without making ``import dffml_nb`` pay for the whole core.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The submodule ``events`` (the event types) and the function ``events`` (a run's
# stream) share a name. Importing the submodule binds it on this package, which
# would hide the function if it happened after the function was bound: so import
# it first, here, and leave the public name to __getattr__.
from dffml_nb.df import events as _event_types  # noqa: F401

globals().pop("events", None)

if TYPE_CHECKING:
    from dffml_nb.df.context import Context
    from dffml_nb.df.dataflow import DataFlow
    from dffml_nb.df.errors import DataFlowError, OperationError, SubscriberError
    from dffml_nb.df.events import KINDS as EVENT_KINDS
    from dffml_nb.df.events import Event, EventBatch
    from dffml_nb.df.executor import Results, events, run, run_sync
    from dffml_nb.df.inputs import count_contexts, input_sets
    from dffml_nb.df.named import Named
    from dffml_nb.df.operation import UNSET, FunctionType, Operation, op
    from dffml_nb.df.output import associate_definition, get_multi, get_single, group_by
    from dffml_nb.df.stream import iterate
    from dffml_nb.df.types import NO_DEFAULT, Definition, Input

# public name -> (module, attribute)
_LAZY: dict[str, tuple[str, str]] = {
    "Context": ("dffml_nb.df.context", "Context"),
    "DataFlow": ("dffml_nb.df.dataflow", "DataFlow"),
    "DataFlowError": ("dffml_nb.df.errors", "DataFlowError"),
    "OperationError": ("dffml_nb.df.errors", "OperationError"),
    "SubscriberError": ("dffml_nb.df.errors", "SubscriberError"),
    "EVENT_KINDS": ("dffml_nb.df.events", "KINDS"),
    "Event": ("dffml_nb.df.events", "Event"),
    "EventBatch": ("dffml_nb.df.events", "EventBatch"),
    "Results": ("dffml_nb.df.executor", "Results"),
    "events": ("dffml_nb.df.executor", "events"),
    "run": ("dffml_nb.df.executor", "run"),
    "run_sync": ("dffml_nb.df.executor", "run_sync"),
    "count_contexts": ("dffml_nb.df.inputs", "count_contexts"),
    "input_sets": ("dffml_nb.df.inputs", "input_sets"),
    "Named": ("dffml_nb.df.named", "Named"),
    "iterate": ("dffml_nb.df.stream", "iterate"),
    "UNSET": ("dffml_nb.df.operation", "UNSET"),
    "FunctionType": ("dffml_nb.df.operation", "FunctionType"),
    "Operation": ("dffml_nb.df.operation", "Operation"),
    "op": ("dffml_nb.df.operation", "op"),
    "associate_definition": ("dffml_nb.df.output", "associate_definition"),
    "get_multi": ("dffml_nb.df.output", "get_multi"),
    "get_single": ("dffml_nb.df.output", "get_single"),
    "group_by": ("dffml_nb.df.output", "group_by"),
    "NO_DEFAULT": ("dffml_nb.df.types", "NO_DEFAULT"),
    "Definition": ("dffml_nb.df.types", "Definition"),
    "Input": ("dffml_nb.df.types", "Input"),
}

__all__ = [
    "Context",
    "DataFlow",
    "DataFlowError",
    "Definition",
    "EVENT_KINDS",
    "Event",
    "EventBatch",
    "FunctionType",
    "Input",
    "Named",
    "NO_DEFAULT",
    "Operation",
    "OperationError",
    "Results",
    "SubscriberError",
    "UNSET",
    "associate_definition",
    "count_contexts",
    "events",
    "get_multi",
    "get_single",
    "group_by",
    "input_sets",
    "iterate",
    "op",
    "run",
    "run_sync",
]


def __getattr__(name: str) -> Any:
    found = _LAZY.get(name)
    if found is None:
        raise AttributeError(f"module 'dffml_nb.df' has no attribute {name!r}")
    module, attribute = found
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
