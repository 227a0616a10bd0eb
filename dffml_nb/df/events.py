"""The executor's event stream: one small frozen record per thing that happens.

Progress bars, logs and live graphs are all built on this one stream.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from operator import itemgetter
from typing import Any, TypeVar, cast

from dffml_nb.df.reprs import short_repr

KINDS = (
    "context_started",
    "operation_started",
    "operation_finished",
    "operation_failed",
    "context_finished",
)


@dataclass(frozen=True, slots=True, repr=False)
class Event:
    """``kind`` is one of :data:`KINDS`; fields that don't apply are ``None``.

    ``inputs`` / ``outputs`` map parameter / output names to short reprs;
    ``duration`` is in seconds; ``results`` is set on ``context_finished``.
    ``worker`` names where an operation ran when it ran in a pool (``"pid 1234"``,
    a Dask worker's address), on ``operation_finished`` / ``operation_failed``.
    ``inner`` is set on an event of a subflow (``flow.as_op()``, ``dffml.dataflow.run``)
    heard by the outer run: the outer operation running it; ``context`` is then the
    outer context and ``operation`` the subflow's operation.
    """

    kind: str
    context: str
    operation: str | None = None
    duration: float | None = None
    inputs: dict[str, str] | None = None
    outputs: dict[str, str] | None = None
    error: BaseException | None = None
    results: dict[str, Any] | None = None
    inner: str | None = None
    worker: str | None = None

    def __repr__(self) -> str:
        # the values are user data: shown short, and a broken repr never raises
        shown = [f"{self.kind!r}", f"context={self.context!r}"]
        shown_fields = ("operation", "duration", "inputs", "outputs", "error", "results")
        for name in (*shown_fields, "inner", "worker"):
            value = getattr(self, name)
            if value is not None:
                shown.append(f"{name}={short_repr(value)}")
        return f"Event({', '.join(shown)})"


_new = object.__new__
_SETTERS = tuple(Event.__dict__[f.name].__set__ for f in fields(Event))


def make_event(
    kind: str,
    context: str,
    operation: str | None = None,
    duration: float | None = None,
    inputs: Mapping[str, str] | None = None,
    outputs: Mapping[str, str] | None = None,
    error: BaseException | None = None,
    results: dict[str, Any] | None = None,
    inner: str | None = None,
    worker: str | None = None,
) -> Event:
    """``Event(...)`` without the frozen dataclass's per-field ``object.__setattr__`` (3x faster)."""
    event = _new(Event)
    s = _SETTERS
    s[0](event, kind)
    s[1](event, context)
    s[2](event, operation)
    s[3](event, duration)
    s[4](event, inputs)
    s[5](event, outputs)
    s[6](event, error)
    s[7](event, results)
    s[8](event, inner)
    s[9](event, worker)
    return event


# -- raw records -----------------------------------------------------------------------
#
# What the executor records as things happen: a plain tuple, made in its hot loop in
# tens of nanoseconds and built into an Event only when a subscriber reads it. The
# functions below are the one place that knows the layout:
#
#     (kind, context, operation, duration, plan, payload, extra)
#
# ``plan`` is the executor's compiled operation (it has ``name``, ``params``,
# ``single``, ``single_key``, ``is_output``); ``payload`` is the argument Inputs
# (started), the result (finished) or both (``operation_ran``: an inline call, started
# and finished with nothing in between); ``extra`` is the OperationError (failed), the
# results (context_finished) or the worker that ran the call (finished, in a pool).
# The fast path's records, ``context_steps`` and ``contexts_counted``, say their own.

RawEvent = tuple[str, str, "str | None", "float | None", Any, Any, Any]
_RAN = "operation_ran"


def context_started(context: str) -> RawEvent:
    return ("context_started", context, None, None, None, None, None)


def operation_started(context: str, plan: Any, args: tuple[Any, ...]) -> RawEvent:
    return ("operation_started", context, plan.name, None, plan, args, None)


def operation_finished(
    context: str, plan: Any, duration: float, result: Any, worker: str | None = None
) -> RawEvent:
    return ("operation_finished", context, plan.name, duration, plan, result, worker)


def operation_ran(
    context: str, plan: Any, duration: float, args: tuple[Any, ...], result: Any
) -> RawEvent:
    """An inline call: stands for ``operation_started`` then ``operation_finished``."""
    return (_RAN, context, plan.name, duration, plan, (args, result), None)


def operation_failed(
    context: str, plan: Any, duration: float | None, error: BaseException
) -> RawEvent:
    return ("operation_failed", context, plan.name, duration, plan, None, error)


def context_finished(context: str, results: dict[str, Any]) -> RawEvent:
    return ("context_finished", context, None, None, None, None, results)


_INNER = "inner"
_STEPS = "context_steps"
_Subscriber = TypeVar("_Subscriber", bound=Callable[..., Any])


def context_steps(
    context: str, steps: Any, started: float, trace: Any, results: dict[str, Any] | None
) -> RawEvent:
    """A context of the fast path — its start, every call of its steps and, given its
    ``results``, its end — as ONE record.

    Made only for batch subscribers (``on_events``), where nothing is delivered in
    the middle of a context: one tuple per context instead of one per call is what
    keeps a live graph cheap on a run of plain functions. ``steps`` spells the
    record out (``steps.expand(context, started, trace, results)`` -> raw records)
    and names its operations (``steps.step_names``); ``trace`` is its own account
    of the calls, ``[values, call, ...]`` with None for a step that did not run. When
    every step ran, ``tally`` counts the record without spelling it out.
    """
    calls = trace[1:]
    keys = steps.tally_keys.get(len(calls)) if None not in calls else None
    key = keys[results is not None] if keys is not None else None
    return (_STEPS, context, key, started, steps, trace, results)


_COUNTED = "contexts_counted"


def contexts_counted(count: int, newest: RawEvent) -> RawEvent:
    """``count`` contexts of the fast path in a row, each of which ran every step and
    finished (``newest`` is the :func:`context_steps` record of the last of them): the
    record of a summarised batch (:func:`summary_subscriber`), counted, not spelled out."""
    return (_COUNTED, newest[1], newest[2], None, None, newest, count)


def summary_subscriber(subscriber: _Subscriber) -> _Subscriber:
    """Mark an ``on_events`` subscriber that reads a batch only through ``tally()``,
    ``last()`` and ``of_kind("operation_failed")``.

    The executor may then hand it summarised batches: contexts of its fast path
    (``df/compiled.py``) that ran every step and finished are counted rather
    than recorded one by one — of a row of them the batch keeps only the
    newest. Those three reads give what they give on a full batch; iterating
    it, ``len`` and ``of_kind`` of other kinds see only the events it kept.
    This is what makes a live graph nearly free on a run of plain functions.
    Use it on a function (or a method, where it is defined); anything else that
    cannot carry the mark (a bound method, a builtin) is wrapped in one that does.
    """
    try:
        setattr(subscriber, "reads_summary", True)  # noqa: B010 - a function attribute, for mypy
    except AttributeError:

        def marked(batch: EventBatch) -> Any:
            return subscriber(batch)

        setattr(marked, "reads_summary", True)  # noqa: B010
        return cast(_Subscriber, marked)
    return subscriber


def reads_summary(subscriber: Any) -> bool:
    """Whether ``subscriber`` was marked by :func:`summary_subscriber`."""
    return getattr(subscriber, "reads_summary", False) is True


def _expand(raw: RawEvent) -> list[RawEvent]:
    if raw[0] == _COUNTED:
        raw = raw[5]  # the newest of the row: the others are only counted
    records: list[RawEvent] = raw[4].expand(raw[1], raw[3], raw[5], raw[6])
    return records


def inner_event(context: str, by: str, event: Event) -> RawEvent:
    """An operation event of a subflow, heard in outer context ``context`` while outer
    operation ``by`` runs it. Not counted by ``tally`` or found by ``last`` (they are
    about the outer flow's operations); read, it is ``event`` with ``inner=by``."""
    return (_INNER, context, event.operation, event.duration, None, event, by)


def materialize(raw: RawEvent) -> Event:
    """A raw record -> an :class:`Event`; the short reprs are made here, only for events read."""
    kind, context, operation, duration, plan, payload, extra = raw
    if kind == "operation_started":
        inputs = {p: short_repr(a.value) for p, a in zip(plan.params, payload)}
        return make_event(kind, context, operation, inputs=inputs)
    if kind == "operation_finished":
        outputs = _short_outputs(plan, payload)
        return make_event(kind, context, operation, duration, outputs=outputs, worker=extra)
    if kind == "operation_failed":
        worker = getattr(extra, "worker", None)
        return make_event(kind, context, operation, duration, error=extra, worker=worker)
    if kind == "context_finished":
        return make_event(kind, context, results=extra)
    if kind == _INNER:
        e = payload
        return make_event(
            e.kind,
            context,
            e.operation,
            e.duration,
            e.inputs,
            e.outputs,
            e.error,
            inner=extra,
            worker=e.worker,
        )
    return make_event(kind, context)


def _short_outputs(plan: Any, result: Any) -> dict[str, str]:
    if result is None:
        return {}
    if plan.single and not (plan.is_output and isinstance(result, dict)):
        return {plan.single_key: short_repr(result)}
    if isinstance(result, dict):
        return {str(k): short_repr(v) for k, v in result.items()}
    return {"result": short_repr(result)}


def _split(raw: RawEvent) -> tuple[RawEvent, RawEvent]:
    """An inline call's record -> its started and finished records."""
    kind, context, operation, duration, plan, (args, result), extra = raw
    return (
        ("operation_started", context, operation, None, plan, args, None),
        ("operation_finished", context, operation, duration, plan, result, None),
    )


_KIND_AND_OPERATION = itemgetter(0, 2)


def _stored(raw: RawEvent) -> Event:
    """The build function of a batch made of ready Events (``EventBatch.of``)."""
    event: Event = raw[4]
    return event


class EventBatch(Sequence[Event]):
    """Events delivered together (``run(..., on_events=...)``), built into ``Event``s on access.

    ``tally()`` counts them by ``(kind, operation)`` without building any, and
    ``last(kind, operation)`` finds the newest of a kind: what a live view needs
    from thousands of events in a fraction of the cost.

    It holds raw records (see above); ``build`` turns one into an Event
    (:func:`materialize` unless given). A batch for a :func:`summary_subscriber`
    may count some contexts without holding their events.
    """

    __slots__ = ("_raw", "_build", "_flat")

    def __init__(
        self, raw: list[RawEvent], build: Callable[[RawEvent], Event] | None = None
    ) -> None:
        self._raw = raw
        self._build = build or materialize
        self._flat: list[RawEvent] | None = None

    @classmethod
    def of(cls, events: Sequence[Event]) -> EventBatch:
        """A batch of ready-made events (for code that has Events, not raw records)."""
        return cls(
            [
                (_INNER if e.inner else e.kind, e.context, e.operation, e.duration, e, None, None)
                for e in events
            ],
            _stored,
        )

    def _records(self) -> list[RawEvent]:
        """One record per event ("ran" records split in two), made once, on first need."""
        if self._flat is None:
            flat: list[RawEvent] = []
            for raw in self._raw:
                if raw[0] == _RAN:
                    flat.extend(_split(raw))
                elif raw[0] == _STEPS or raw[0] == _COUNTED:
                    flat.extend(_expand(raw))
                else:
                    flat.append(raw)
            self._flat = flat
        return self._flat

    def __len__(self) -> int:
        return len(self._records())

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self._build(raw) for raw in self._records()[index]]
        return self._build(self._records()[index])

    def tally(self) -> dict[tuple[str, str | None], int]:
        """``{(kind, operation): count}``; operation is None for context events. A
        subflow's events (``inner``) are not counted: they are read one by one."""
        # counted in C: no Python-level work per event
        counts = Counter(map(_KIND_AND_OPERATION, self._raw))
        partial = False
        rows: list[tuple[Any, int]] = []  # (key, contexts) of the rows of counted contexts
        for (kind, operation), count in list(counts.items()):
            if kind == _RAN:
                del counts[(kind, operation)]
                counts[("operation_started", operation)] += count
                counts[("operation_finished", operation)] += count
            elif kind == _INNER:  # a subflow's: not one of this flow's operations
                del counts[(kind, operation)]
            elif kind == _STEPS:
                del counts[(kind, operation)]
                if operation is None:  # some step did not run: spelled out below
                    partial = True
                    continue
                rows.append((operation, count))  # complete records: keyed by their steps
            elif kind == _COUNTED:
                del counts[(kind, operation)]
                rows.extend(
                    (operation, raw[6])
                    for raw in self._raw
                    if raw[0] == _COUNTED and raw[2] == operation
                )
        for (steps, ended), contexts in rows:
            counts[("context_started", None)] += contexts
            if ended:
                counts[("context_finished", None)] += contexts
            for name in steps.step_names:
                counts[("operation_started", name)] += contexts
                counts[("operation_finished", name)] += contexts
        if partial:
            for raw in self._raw:
                if raw[0] == _STEPS and raw[2] is None:
                    counts.update(map(_KIND_AND_OPERATION, _expand(raw)))
        return dict(counts)

    def of_kind(self, kind: str) -> list[Event]:
        """Every event of ``kind``, oldest first."""
        return [self._build(raw) for raw in self._records() if raw[0] == kind]

    def last(self, kind: str, operation: str | None = None) -> Event | None:
        """The newest event of ``kind`` (for ``operation``, if given), or None."""
        for raw in reversed(self._raw):
            if raw[0] == _STEPS or raw[0] == _COUNTED:
                found = EventBatch(_expand(raw), self._build).last(kind, operation)
                if found is not None:
                    return found
                continue
            if operation is not None and raw[2] != operation:
                continue
            if raw[0] == kind:
                return self._build(raw)
            if raw[0] == _RAN and kind in ("operation_started", "operation_finished"):
                return self._build(_split(raw)[kind == "operation_finished"])
        return None

    def __repr__(self) -> str:
        return f"<EventBatch of {len(self)} events>"
