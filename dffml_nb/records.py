"""``run_records``: a dataflow over records — generate datasets, engineer features.

DFFML's loop is *data → dataflow → features → model*: each record is one context
of the flow, and the flow's results become new features of the record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from dffml_nb.df import DataFlow, OperationError

if TYPE_CHECKING:
    import pandas as pd

    from dffml_nb.record import Record
    from dffml_nb.source import Source

__all__ = ["RecordList", "run_records"]


class RecordList(list):
    """The records ``run_records`` returns, in input order, plus ``errors``: the
    failure (an :class:`~dffml_nb.df.OperationError` naming the record's key as its
    ``context``, the operation and the message) of each record whose flow failed."""

    def __init__(self, records: Any = (), errors: list[OperationError] | None = None) -> None:
        super().__init__(records)
        self.errors: list[OperationError] = list(errors or [])


def run_records(
    flow: DataFlow,
    *data: Any,
    record_def: str | None = None,
    inputs: Mapping[str, Any] | None = None,
    update: bool = False,
    strict: bool = True,
    as_frame: bool | None = None,
    columnar: bool = False,
    on_event: Callable[..., Any] | None = None,
    on_events: Callable[..., Any] | None = None,
) -> RecordList | pd.DataFrame:
    """Run ``flow`` over every record of ``data``; the results become new features.

    ``data`` is anything :func:`~dffml_nb.train` takes: dict rows, Records, file
    names, DataFrames, sources. Each record is one context, named by its key.
    Features whose names are definitions the flow consumes seed it; features
    matching no definition are carried along untouched. ``record_def`` seeds the
    record's key as that definition; ``inputs`` (``{definition: value}``) are
    added to every context (a record's own feature of the same name wins).

    The flow's results (its output operations', else its leaves) are merged into
    the features by name: a result named like an existing feature **replaces its
    value** in what is returned — and in the original source only with
    ``update=True``, which saves every file or database source atomically (a
    failed save leaves the file as it was). A DataFrame argument is never
    modified.

    Returns a DataFrame (same index, the original columns plus one per result)
    when the first argument is a DataFrame or ``as_frame=True``; else a
    :class:`RecordList` of new Records in input order.

    ``strict=False``: a record whose flow fails keeps its features and gets no
    new ones; every failure is reported in ``.errors`` of the list (or
    ``frame.attrs["errors"]``) and summed up in one warning. ``columnar=True``
    runs the flow once with whole columns (pandas Series) as inputs: every result
    must be a column of the same length. ``on_event`` receives the run's events
    (``on_events``: in batches, the cheap form a live graph or progress bar takes).

    >>> @op
    ... def bonus(Salary: float) -> float:
    ...     return Salary / 10
    >>> run_records(DataFlow(bonus), pd.DataFrame({"Salary": [100.0, 50.0]}))
       Salary  bonus
    0   100.0   10.0
    1    50.0    5.0
    """
    from dffml_nb.source import open_source
    from dffml_nb.source.resolve import _groups, is_frame

    if not data:
        raise TypeError("run_records needs data: dict rows, Records, files, DataFrames or sources")
    if not isinstance(flow, DataFlow):
        raise TypeError(
            f"run_records takes a DataFlow first, got {type(flow).__name__}: "
            "DataFlow(op1, op2, ...) or DataFlow.load('flow.json')"
        )
    frame_out = is_frame(data[0]) if as_frame is None else bool(as_frame)
    options: dict[str, Any] = {"record_def": record_def, "inputs": inputs, "strict": strict}
    if on_event is not None:
        options["on_event"] = on_event
    if on_events is not None:
        options["on_events"] = on_events
    sources = [open_source(item) for item in _groups(data)]
    if update:
        _check_writable(sources)
    parts = [
        _through(flow, item, source, columnar, frame_out, options)
        for item, source in zip(_groups(data), sources)
    ]
    errors = [error for _, part_errors in parts for error in part_errors]
    if update:
        for source, (result, _) in zip(sources, parts):
            if _persistent(source):
                _write_back(source, result)
    return _combine([result for result, _ in parts], errors, frame_out)


def _through(
    flow: DataFlow, item: Any, source: Source, columnar: bool, frame_out: bool, options: dict
) -> tuple[Any, list[OperationError]]:
    """One data argument through the flow: a DataFrame, or a list of Records."""
    from dffml_nb.source.flowrun import (
        columns_through_flow,
        frame_through_flow,
        records_through_flow,
    )
    from dffml_nb.source.resolve import is_frame

    if columnar or (frame_out and is_frame(item)):
        frame = item if is_frame(item) else _read(source, source.to_frame)
        through = columns_through_flow if columnar else frame_through_flow
        result, outcome = through(flow, frame, **options)
        return result, outcome.errors
    records, outcome = records_through_flow(flow, _read(source, source.records), **options)
    return records, outcome.errors


def _read(source: Source, read: Callable[[], Any]) -> Any:
    """``read()``, its failure naming the source (the file) if its message does not."""
    from dffml_nb.source import SourceError

    try:
        return read()
    except (OSError, ValueError) as error:
        if source.origin in str(error) or getattr(error, "filename", None):
            raise
        raise SourceError(
            f"cannot read {source.origin}: {type(error).__name__}: {error}"
        ) from error


def _persistent(source: Source) -> bool:
    from dffml_nb.source import DataFrameSource, MemorySource

    return not isinstance(source, (DataFrameSource, MemorySource))


def _check_writable(sources: list[Source]) -> None:
    from dffml_nb.source.dataflow import DataFlowSource

    for source in sources:
        if isinstance(source, DataFlowSource):
            raise ValueError(
                f"update=True cannot write to {source.origin}: a DataFlowSource is read-only; "
                "pass the underlying source to run_records instead"
            )
    if not any(_persistent(source) for source in sources):
        kinds = ", ".join(source.origin for source in sources)
        raise ValueError(
            f"update=True writes the results back to file or database sources, and none was "
            f"given ({kinds}): the returned records or DataFrame hold the results; save them "
            "with dffml_nb.save('out.csv', ...) if wanted"
        )


def _write_back(source: Source, result: Any) -> None:
    """Merge the updated records into ``source`` and save it (atomically)."""
    from dffml_nb.source.resolve import is_frame

    if is_frame(result):
        source.update_frame(result)
    else:
        for record in result:
            source.update(record)
    source.save()


def _combine(parts: list[Any], errors: list[OperationError], frame_out: bool) -> Any:
    from dffml_nb.source.convert import index_to_records, records_to_frame
    from dffml_nb.source.resolve import _concat, is_frame

    if frame_out:
        frames = [
            part if is_frame(part) else records_to_frame(part, predictions=True) for part in parts
        ]
        frame = frames[0] if len(frames) == 1 else _concat(frames)
        frame.attrs["errors"] = errors
        return frame
    records: list[Record] = []
    for part in parts:
        records.extend(index_to_records(part) if is_frame(part) else part)
    return RecordList(records, errors)
