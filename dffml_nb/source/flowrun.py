"""Running a dataflow over records: each record one context, its results new features.

This is the engine under ``run_records`` and :class:`DataFlowSource`. A record
seeds its context with every feature whose name is a definition the flow
consumes; ``record_def`` seeds the record's key; ``inputs`` are constants added
to every context (a record's own feature of the same name wins). The flow's
results (its output operations' or its leaves) are merged into the features by
name, replacing a feature of the same name. Three shapes, one set of rules:

- :func:`frame_through_flow` — DataFrame in, a new DataFrame out (same index);
- :func:`records_through_flow` — Records in, new Records out (input order);
- :func:`columns_through_flow` — columnar: the flow runs once on whole columns.

Contexts are generated and consumed one at a time, so memory beyond the data
itself does not grow with the number of records. pandas is imported only by the
functions that take or make a DataFrame.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dffml_nb.df import DataFlow, DataFlowError, Named, OperationError, Results, iterate
from dffml_nb.df.plan import plan_of
from dffml_nb.record import Record
from dffml_nb.source.columns import CHUNK, ResultColumns, to_series
from dffml_nb.source.conform import conform_column, conform_value
from dffml_nb.source.convert import KEY, is_missing, is_prediction_column
from dffml_nb.source.errors import SourceError

if TYPE_CHECKING:
    import pandas as pd

#: the context of a columnar run (the flow runs once over whole columns)
COLUMNS_CONTEXT = "columns"


class FlowInputWarning(UserWarning):
    """Some definitions the flow consumes are given by no record, input or seed:
    the operations that need them do not run. Said once per run, naming them."""


class FailedRecordsWarning(UserWarning):
    """With ``strict=False``, some records' flows failed; they keep their features
    and the failures are in ``.errors`` of the result."""


@dataclass
class Seeding:
    """What seeds each context, checked once against the flow before any record runs."""

    flow: DataFlow
    #: feature names that are definitions the flow consumes, in the order given
    features: list[str]
    record_def: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)

    def seeds(self, key: str, features: Mapping[str, Any]) -> dict[str, Any]:
        """The input set of one record: constants, then its features, then its key."""
        seeds = dict(self.inputs)
        definitions = self.flow.definitions
        for name in self.features:
            value = features.get(name)
            if value is not None and not is_missing(value):
                seeds[name] = conform_value(value, definitions[name], key)
        if self.record_def is not None:
            seeds[self.record_def] = key
        return seeds

    def columns(self, frame: pd.DataFrame) -> list[pd.Series]:
        """The seeding columns of ``frame``, each as its definition's primitive."""
        definitions = self.flow.definitions
        return [conform_column(frame[name], definitions[name]) for name in self.features]


def plan_seeding(
    flow: DataFlow,
    available: Iterable[str],
    *,
    record_def: str | None = None,
    inputs: Mapping[str, Any] | None = None,
    features: Iterable[str] | None = None,
) -> Seeding:
    """Check ``record_def`` / ``inputs`` against the flow and decide which features seed it.

    ``available`` are the feature names the records have; ``features`` (DFFML's
    ``-source-features``) restricts seeding to those names. A ``record_def`` or an
    ``inputs`` name that is no definition of the flow is a :class:`DataFlowError`;
    so is a flow none of whose operations can run on what the records give. If only
    some cannot, a :class:`FlowInputWarning` names the missing definitions once.
    """
    definitions = flow.definitions
    known = ", ".join(sorted(definitions)) or "(none)"
    if record_def is not None and record_def not in definitions:
        raise DataFlowError(
            f"record_def {record_def!r} names no definition of this flow; "
            f"its definitions are: {known}"
        )
    inputs = dict(inputs or {})
    for name in inputs:
        if name not in definitions:
            raise DataFlowError(
                f"inputs name definition {name!r}, which this flow does not use; "
                f"its definitions are: {known}"
            )
    consumed = _consumed(flow)
    available = [name for name in available if isinstance(name, str)]
    if features is not None:
        wanted = set(features)
        available = [name for name in available if name in wanted]
    seeding = [name for name in dict.fromkeys(available) if name in consumed]
    given: set[str] = {*seeding, *inputs, *(_name(item.definition) for item in flow.seed)}
    if record_def is not None:
        given.add(record_def)
    _check_runnable(flow, given, available)
    return Seeding(flow, seeding, record_def, inputs)


def _name(definition: Any) -> str:
    return definition if isinstance(definition, str) else definition.name


def _consumed(flow: DataFlow) -> set[str]:
    return {d.name for o in flow for d in (*o.inputs.values(), *o.conditions)}


def _check_runnable(flow: DataFlow, given: set[str], available: list[str]) -> None:
    """Which operations can run on ``given``; none is an error, some a warning (once)."""
    have = set(given)
    runnable: set[str] = set()
    work = [o for o in flow if o.stage != "output"]
    changed = True
    while changed:
        changed = False
        for operation in work:
            if operation.name in runnable:
                continue
            needed = [
                d.name for p, d in operation.inputs.items() if p not in operation.defaults
            ] + [d.name for d in operation.conditions]
            if all(name in have for name in needed):
                runnable.add(operation.name)
                have.update(d.name for d in operation.outputs.values())
                changed = True
    blocked = [o for o in work if o.name not in runnable]
    if not blocked:
        return
    produced = {d.name for o in flow for d in o.outputs.values()}
    # what is missing at the root: definitions no operation produces (the rest follows)
    missing = sorted(
        {
            d.name
            for o in blocked
            for p, d in (*o.inputs.items(), *(("", c) for c in o.conditions))
            if d.name not in have and d.name not in produced and p not in o.defaults
        }
    )
    features = ", ".join(available) or "(none)"
    if not missing:  # a cycle of operations waiting on each other
        missing = sorted({d.name for o in blocked for d in o.inputs.values() if d.name not in have})
    what = (
        f"definition {missing[0]!r}, which"
        if len(missing) == 1
        else f"definitions {missing}, which"
    )
    message = (
        f"the flow consumes {what} no record provides (their features: {features}), "
        f"and no input, seed or record_def gives; operations that cannot run: "
        f"{', '.join(o.name for o in blocked)}. Rename the feature or definition, or "
        "give it with inputs={...}"
    )
    if not runnable:
        raise DataFlowError(message)
    _warn(message, FlowInputWarning)


# -- running contexts ------------------------------------------------------------------


@dataclass
class Outcome:
    """What a run over records gives besides the records: the failures (strict=False)."""

    errors: list[OperationError] = field(default_factory=list)

    def add(self, results: Results) -> bool:
        """Keep ``results``' errors; True if the record's flow failed."""
        if results.errors:
            self.errors.extend(results.errors)
            return True
        return False

    def warn(self, total: int) -> None:
        if not self.errors:
            return
        first = self.errors[0]
        failed = len({error.context for error in self.errors})
        _warn(
            f"{failed} of {total} records failed and kept their features (strict=False); "
            f"first: record {first.context!r}, operation {first.operation!r}: "
            f"{_cause(first)}. Every failure is in .errors of the result",
            FailedRecordsWarning,
        )


def _warn(message: str, category: type[Warning]) -> None:
    """Warn at the first caller outside dffml_nb (the user's line, however deep we are)."""
    frame: Any = sys._getframe(1)
    level = 2
    while frame is not None and frame.f_globals.get("__name__", "").startswith("dffml_nb."):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def _cause(error: OperationError) -> str:
    cause = error.__cause__ or error.error
    return f"{type(cause).__name__}: {cause}" if cause is not None else str(error)


def run_contexts(
    flow: DataFlow,
    contexts: Iterable[tuple[str, dict[str, Any]]],
    *,
    strict: bool = True,
    on_event: Callable[..., Any] | None = None,
    on_events: Callable[..., Any] | None = None,
) -> Iterator[tuple[int, Results]]:
    """``(position, results)`` for each ``(key, input set)`` of ``contexts``.

    Results come as contexts finish (in order for flows of plain functions);
    only the contexts in flight are remembered, so memory stays flat.
    """
    options: dict[str, Any] = {"strict": strict}
    if on_event is not None:
        options["on_event"] = on_event
    if on_events is not None:
        options["on_events"] = on_events
    if plan_of(flow).all_inline:  # every context finishes before the next starts: in order
        for position, (_, results) in enumerate(iterate(flow, Named(contexts), **options)):
            yield position, results
        return
    pending: dict[str, int] = {}

    def named() -> Iterator[tuple[str, dict[str, Any]]]:
        for position, (key, seeds) in enumerate(contexts):
            pending[key] = position
            yield key, seeds

    for name, results in iterate(flow, Named(named()), **options):
        yield pending.pop(name), results


def _unique(keys: Iterable[str], origin: str) -> None:
    seen: dict[str, int] = {}
    for position, key in enumerate(keys):
        if key in seen:
            raise SourceError(
                f"{origin}: key {key!r} is used by rows {seen[key]} and {position}; each record "
                "is one context named by its key, so keys must be unique (reset_index() gives "
                "fresh ones)"
            )
        seen[key] = position


# -- records in, records out ------------------------------------------------------------


def records_through_flow(
    flow: DataFlow,
    records: Iterable[Record],
    *,
    record_def: str | None = None,
    inputs: Mapping[str, Any] | None = None,
    strict: bool = True,
    features: Iterable[str] | None = None,
    on_event: Callable[..., Any] | None = None,
    on_events: Callable[..., Any] | None = None,
) -> tuple[list[Record], Outcome]:
    """New Records (input order) with the flow's results merged into their features."""
    records = list(records)
    _unique((r.key for r in records), "the records")
    names = dict.fromkeys(name for r in records for name in r.features())
    seeding = plan_seeding(flow, names, record_def=record_def, inputs=inputs, features=features)
    out = [record.copy() for record in records]
    outcome = Outcome()
    contexts = ((r.key, seeding.seeds(r.key, r.features())) for r in records)
    for position, results in run_contexts(
        flow, contexts, strict=strict, on_event=on_event, on_events=on_events
    ):
        if not outcome.add(results):
            out[position].evaluated(dict(results))
    outcome.warn(len(records))
    return out, outcome


# -- a DataFrame in, a DataFrame out -------------------------------------------------------


def frame_keys(frame: pd.DataFrame) -> list[str]:
    """Each row's record key as :class:`~dffml_nb.source.DataFrameSource` reads it:
    the ``key`` column if there is one, else the index label, as str."""
    labels = frame[KEY] if KEY in frame.columns else frame.index
    return [str(label) for label in labels.tolist()]


def _frame_contexts(frame: pd.DataFrame, seeding: Seeding) -> Iterator[tuple[str, dict[str, Any]]]:
    """One input set per row, built from column lists (no per-row pandas objects).

    Rows are read a chunk at a time, so the Python objects made of the frame's
    values (and of its keys) never exist for every row at once.
    """
    names = seeding.features
    constants = seeding.inputs
    record_def = seeding.record_def
    key_column = frame[KEY] if KEY in frame.columns else None
    columns = seeding.columns(frame)
    holes = any(column.hasnans for column in columns if column.dtype.kind not in "biu")
    for start in range(0, len(frame), CHUNK):
        stop = start + CHUNK
        labels = frame.index[start:stop] if key_column is None else key_column.iloc[start:stop]
        keys = [str(label) for label in labels.tolist()]
        values = [column.iloc[start:stop].tolist() for column in columns]
        if not holes and not constants and record_def is None:
            rows = zip(*values) if values else ((),) * len(keys)
            for key, row in zip(keys, rows):
                yield key, dict(zip(names, row))
            continue
        for index, key in enumerate(keys):
            seeds = dict(constants)
            for name, column in zip(names, values):
                value = column[index]
                if not is_missing(value):
                    seeds[name] = value
            if record_def is not None:
                seeds[record_def] = key
            yield key, seeds


def frame_through_flow(
    flow: DataFlow,
    frame: pd.DataFrame,
    *,
    record_def: str | None = None,
    inputs: Mapping[str, Any] | None = None,
    strict: bool = True,
    features: Iterable[str] | None = None,
    on_event: Callable[..., Any] | None = None,
    on_events: Callable[..., Any] | None = None,
) -> tuple[pd.DataFrame, Outcome]:
    """A new DataFrame: ``frame``'s columns plus one per result (``frame`` is not changed).

    Rows are keyed as a :class:`~dffml_nb.source.DataFrameSource` keys them. A
    result named like a column replaces that column's value in the rows that have
    the result; rows whose flow failed (``strict=False``) keep their values.
    """
    labels = frame[KEY] if KEY in frame.columns else frame.index
    if not labels.is_unique:
        _unique(frame_keys(frame), "the DataFrame")
    available = [c for c in frame.columns if isinstance(c, str) and not is_prediction_column(c)]
    seeding = plan_seeding(flow, available, record_def=record_def, inputs=inputs, features=features)
    count = len(frame)
    columns = ResultColumns(count)
    outcome = Outcome()
    contexts = _frame_contexts(frame, seeding)
    put, finished = columns.put, columns.finished
    for position, results in run_contexts(
        flow, contexts, strict=strict, on_event=on_event, on_events=on_events
    ):
        if not (results.errors and outcome.add(results)):
            for name, value in results.items():
                put(name, position, value)
        finished(position)
    outcome.warn(count)
    return _with_columns(frame, columns.arrays()), outcome


def _with_columns(frame: pd.DataFrame, columns: dict[str, Any]) -> pd.DataFrame:
    """``frame`` plus ``columns`` (a new frame); a column already there keeps its value
    in the rows where the new one has none."""
    new: dict[str, Any] = {}
    for name, values in columns.items():
        series = to_series(values, frame.index, name)
        if name in frame.columns:
            has = series.notna()
            if not has.all():
                series = series.where(has, frame[name])
        new[name] = series
    out: pd.DataFrame = frame.assign(**new) if new else frame.copy(deep=False)
    return out


# -- columnar: the flow runs once over whole columns ----------------------------------------


def columns_through_flow(
    flow: DataFlow,
    frame: pd.DataFrame,
    *,
    record_def: str | None = None,
    inputs: Mapping[str, Any] | None = None,
    strict: bool = True,
    features: Iterable[str] | None = None,
    on_event: Callable[..., Any] | None = None,
    on_events: Callable[..., Any] | None = None,
) -> tuple[pd.DataFrame, Outcome]:
    """The flow run once, each consumed column seeded as a whole Series (the frame's index).

    Every result must be a Series with the frame's index, a 1-D array or list of
    its length (one new column), or a DataFrame with its index (its columns join);
    anything else is a :class:`DataFlowError` naming the operation that made it.
    """
    import pandas as pd

    available = [c for c in frame.columns if isinstance(c, str) and not is_prediction_column(c)]
    seeding = plan_seeding(flow, available, record_def=record_def, inputs=inputs, features=features)
    seeds: dict[str, Any] = dict(seeding.inputs)
    for name, column in zip(seeding.features, seeding.columns(frame)):
        seeds[name] = column
    if seeding.record_def is not None:
        seeds[seeding.record_def] = pd.Series(frame_keys(frame), index=frame.index)
    outcome = Outcome()
    [(_, results)] = list(
        run_contexts(
            flow,
            [(COLUMNS_CONTEXT, seeds)],
            strict=strict,
            on_event=on_event,
            on_events=on_events,
        )
    )
    if outcome.add(results):
        outcome.warn(len(frame))
        return frame.copy(deep=False), outcome
    new: dict[str, Any] = {}
    for name, value in results.items():
        new.update(_as_columns(flow, frame, name, value))
    return (frame.assign(**new) if new else frame.copy(deep=False)), outcome


def _as_columns(flow: DataFlow, frame: pd.DataFrame, name: str, value: Any) -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    count = len(frame)
    if isinstance(value, pd.DataFrame):
        if len(value) == count and value.index.equals(frame.index):
            return {str(column): value[column] for column in value.columns}
        problem = _index_problem(value, count)
    elif isinstance(value, pd.Series):
        if len(value) == count and value.index.equals(frame.index):
            return {name: value.rename(name)}
        problem = _index_problem(value, count)
    elif isinstance(value, (list, tuple, np.ndarray)) and np.ndim(value) == 1:
        if len(value) == count:
            return {name: pd.Series(value, index=frame.index, name=name)}
        problem = f"{len(value)} values for {count} rows"
    else:
        shape = f" of shape {np.shape(value)}" if isinstance(value, np.ndarray) else ""
        problem = f"a {type(value).__name__}{shape}, not a column"
    producers = [o.name for o in flow.producers(name)] or [
        o.name for o in flow if o.stage == "output"
    ]
    who = f"operation {producers[0]!r}" if producers else "the flow"
    raise DataFlowError(
        f"columnar run: {who} gave result {name!r} as {problem}; each result must be a "
        f"Series with the records' index, or a 1-D array or list of one value per row "
        f"({count}), or a DataFrame with the records' index"
    )


def _index_problem(value: Any, count: int) -> str:
    kind = type(value).__name__
    if len(value) != count:
        return f"a {kind} of {len(value)} rows for {count}"
    return f"a {kind} whose index differs from the records' (were rows sorted or filtered?)"
