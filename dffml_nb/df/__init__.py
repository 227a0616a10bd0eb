"""The dataflow core: standard library only.

Definitions name data, operations consume and produce it, a DataFlow links
them, and the executor runs it concurrently with locking.
"""

from dffml_nb.df.context import Context
from dffml_nb.df.dataflow import DataFlow
from dffml_nb.df.errors import DataFlowError, OperationError, SubscriberError
from dffml_nb.df.events import KINDS as EVENT_KINDS
from dffml_nb.df.events import Event, EventBatch
from dffml_nb.df.executor import Results, events, run, run_sync
from dffml_nb.df.operation import UNSET, FunctionType, Operation, op
from dffml_nb.df.output import associate_definition, get_multi, get_single, group_by
from dffml_nb.df.types import NO_DEFAULT, Definition, Input

__all__ = [
    "NO_DEFAULT",
    "UNSET",
    "Context",
    "DataFlow",
    "DataFlowError",
    "Definition",
    "EVENT_KINDS",
    "Event",
    "EventBatch",
    "FunctionType",
    "Input",
    "Operation",
    "OperationError",
    "Results",
    "SubscriberError",
    "associate_definition",
    "events",
    "get_multi",
    "get_single",
    "group_by",
    "op",
    "run",
    "run_sync",
]
