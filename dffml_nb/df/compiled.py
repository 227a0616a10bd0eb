"""The executor's fast path: flows of plain functions, compiled once into straight-line steps.

The general executor keeps, per context, every input and every operation's
combinations so far; that is what rules 2-8 need in general. But in the most
common flow — plain functions over one record, each definition with one value —
every operation runs at most once, in dependency order, and all that
bookkeeping only costs time. So a flow whose operations are all plain
functions (sync, inline, no conditions, expand, generators, cycles, validators
or context parameters; output operations only ``get_single`` / ``get_multi``)
is compiled once into steps, and each context whose inputs give every
definition at most one value runs them in a loop over a dict. Anything else —
a flow or a context outside that case — takes the general path, so the
semantics are the executor's: the same results, errors and events.

Where the general executor applies a parameter's default only once its stage
has settled, a step applies it in dependency order; the two agree unless a
defaulted parameter is fed by an operation that itself ran on a default, which
makes the flow ineligible.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterable, Iterator
from time import perf_counter as _perf
from typing import TYPE_CHECKING, Any

from dffml_nb.df.errors import OperationError
from dffml_nb.df.events import (
    RawEvent,
    context_finished,
    context_started,
    context_steps,
    operation_failed,
    operation_finished,
    operation_ran,
    operation_started,
)
from dffml_nb.df.operation import FunctionType
from dffml_nb.df.output import _aliases, get_multi, get_single
from dffml_nb.df.reprs import short_repr
from dffml_nb.df.types import NO_DEFAULT, Definition, Input

if TYPE_CHECKING:
    from dffml_nb.df.plan import OpPlan
from dffml_nb.df.plan import Plan

__all__ = ["FastPlan", "fast_plan", "disabled"]

_MISSING = object()
_OUTPUT_FUNCS = {get_single.func: "single", get_multi.func: "multi"}
#: set by :func:`disabled` (tests run the executor's rules through both paths)
_enabled = True
#: each plan's compiled steps, kept as long as the plan (a flow's cached plan) lives
_compiled: weakref.WeakKeyDictionary[Plan, FastPlan] = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """Within the block every run takes the general path (to compare the two)."""
    global _enabled
    previous, _enabled = _enabled, False
    try:
        yield
    finally:
        _enabled = previous


class _Step:
    """One operation as the fast path calls it."""

    __slots__ = (
        "plan",
        "func",
        "params",
        "names",
        "defaults",
        "outputs",
        "single",
        "unwrap",
        "pairs",
        "simple",
        "out",
    )

    def __init__(self, plan: OpPlan) -> None:
        self.plan = plan
        self.func = plan.func
        self.params = plan.params
        self.names = tuple(plan.op.inputs[p].name for p in plan.params)
        defaults = dict(plan.defaults)
        self.defaults = tuple(defaults.get(i, NO_DEFAULT) for i in range(plan.arity))
        self.outputs = {key: d.name for key, d in plan.outputs.items()}
        self.single = plan.single_key if plan.single else None
        self.unwrap = plan.unwrap
        #: (parameter, definition name) pairs, for the loop of the common case
        self.pairs = tuple(zip(self.params, self.names))
        #: no defaults, retries or config: the hot loop calls it without the general bookkeeping
        self.simple = not plan.defaults and not plan.retry and plan.config is None
        #: the output definition of a one-output operation
        self.out = self.outputs[self.single] if self.single is not None else None


class _Names:
    """Operations a complete record stands for, as ``events.tally`` reads them."""

    __slots__ = ("step_names",)

    def __init__(self, names: tuple[str, ...]) -> None:
        self.step_names = names


class FastPlan:
    """A flow's steps in dependency order, or why the flow cannot take the fast path."""

    def __init__(self, plan: Plan) -> None:
        # made while a run starts, so the executor (which imports this module) is loaded
        from dffml_nb.df.executor import OutputShapeError, Results

        self.results_class = Results
        self.shape_error = OutputShapeError
        self.plan = plan
        self.reason = _ineligible(plan)
        self.steps: list[_Step] = []
        self.output_ops: list[tuple[OpPlan, str, str]] = []  # (plan, kind, spec name)
        self.names = frozenset(plan.definitions)
        self.produced: frozenset[str] = frozenset()
        self.hot: tuple[tuple[Any, ...], ...] = ()
        self.traced: tuple[tuple[Any, ...], ...] = ()
        self.seed: dict[str, Any] | None = None
        if self.reason is not None:
            return
        ordered = _order([p for p in plan.ops if p.stage == 0]) + _order(
            [p for p in plan.ops if p.stage == 1]
        )
        self.steps = [_Step(p) for p in ordered]
        #: the steps as the hot loop reads them, if every one is simple
        self.hot = (
            tuple((st.func, st.pairs, st.out, st) for st in self.steps)
            if all(st.simple for st in self.steps)
            else ()
        )
        #: the same for run_batched, each with its place in the context's trace
        self.traced = tuple((*hot, at) for at, hot in enumerate(self.hot, 1))
        self.trace_width = len(self.steps) + 1
        self.new_results = dict.__new__
        for p in plan.ops:
            if p.stage == 2:
                spec = p.op.inputs[p.params[0]].name
                self.output_ops.append((p, _OUTPUT_FUNCS[p.func], spec))
        self.produced = frozenset(d.name for p in plan.ops for d in p.outputs.values())
        seed: dict[str, Any] = {}
        for item in plan.seed:
            name = item.definition if isinstance(item.definition, str) else item.definition.name
            if name in seed or name in self.produced:
                return  # a definition with two values: every context takes the general path
            seed[name] = item.value
        self.seed = seed
        self.leaves = [d.name for d in plan.leaves]
        self.runs = len(self.steps) + len(self.output_ops)
        #: the operations a complete context_steps record stands for (events.tally)
        self.step_names = tuple(st.plan.name for st in self.steps)
        #: how events.tally groups complete context_steps records, by how many calls they
        #: hold: (steps, with its end?), or, with the output operations of a summarised
        #: context (_outputs_traced), those as well, and its end
        self.tally_keys: dict[int, tuple[Any, Any]] = {
            len(self.steps): ((self, False), (self, True))
        }
        if self.output_ops:
            names = self.step_names + tuple(p.name for p, _, _ in self.output_ops)
            self.tally_keys[len(self.steps) + len(self.output_ops)] = (None, (_Names(names), True))

    # -- one context ------------------------------------------------------------------

    def seeds(self, input_set: Any) -> dict[str, Any] | None:
        """The context's values by definition name, or None if it needs the general path."""
        if self.seed is None:
            return None
        if type(input_set) is dict:
            if not input_set.keys() <= self.names or not self.produced.isdisjoint(input_set):
                return None  # an unknown name (the general path says so), a second value
            if not self.seed:
                return input_set.copy()
            values = dict(self.seed)
            values.update(input_set)
            if len(values) != len(self.seed) + len(input_set):
                return None  # a definition both seeded by the flow and given here
            return values
        entries = input_set if isinstance(input_set, (list, tuple)) else [input_set]
        values = dict(self.seed)
        definitions = self.plan.definitions
        for entry in entries:
            pairs: Iterable[tuple[str, Any]]
            if isinstance(entry, dict):
                pairs = entry.items()
            elif isinstance(entry, Input):
                definition = entry.definition
                name = definition if isinstance(definition, str) else definition.name
                if not isinstance(definition, str) and definitions.get(name) != definition:
                    return None  # a definition this flow does not consume by that name
                pairs = ((name, entry.value),)
            else:
                return None
            for name, value in pairs:
                if name in values or name not in self.names or name in self.produced:
                    return None
                values[name] = value
        return values

    def runner(self, state: Any) -> Any:
        """The method that runs a context of the run ``state`` (bound, found once per
        run): :meth:`run_batched` for batch subscribers, else :meth:`run_context`."""
        if self.hot and state.listening and state.on_event is None:
            return self.run_batched
        return self.run_context

    def run_context(self, state: Any, name: str, input_set: Any) -> bool:
        """Run one context on the fast path if it can take it; False if it cannot."""
        if state.max_runs < self.runs:
            return False
        values = self.seeds(input_set)
        if values is None:
            return False
        record = state.record if state.listening else None
        errors: list[OperationError] = []
        if record is None and self.hot:
            if not self._hot(state, name, values, errors):
                return True  # strict failure: the run stops
        elif record is not None and self.hot and state.on_event is None:
            # batch subscribers only: the executor calls run_batched directly (see runner)
            return self.run_batched(state, name, input_set)
        else:
            if record is not None:
                record(context_started(name))
                if state.failure is not None:
                    return True  # a subscriber failed: the run stops
            if not self._steps(state, name, values, errors):
                return True
        results = self.new_results(self.results_class)  # without the Python-level __init__
        results.errors = errors
        if self.output_ops:
            if not self._output(state, name, values, results, errors):
                return True
        else:
            for leaf in self.leaves:
                if leaf in values:
                    results[leaf] = values[leaf]
        if record is not None:
            record(context_finished(name, results))
            if state.failure is not None:
                return True
        state.done.append((name, results))
        state.finished += 1
        if state.on_events is not None:
            state.due()
        return True

    def _results(
        self, state: Any, name: str, values: dict[str, Any], errors: list[OperationError]
    ) -> Any:
        """The context's results (its output operations run here); None if the run stops."""
        results = self.new_results(self.results_class)  # without the Python-level __init__
        results.errors = errors
        if self.output_ops:
            if not self._output(state, name, values, results, errors):
                return None
        else:
            for leaf in self.leaves:
                if leaf in values:
                    results[leaf] = values[leaf]
        return results

    def _steps(
        self, state: Any, name: str, values: dict[str, Any], errors: list[OperationError]
    ) -> bool:
        """Every step in order, with events, defaults and retries; False after a strict failure."""
        call = self._call
        for step in self.steps:
            if not call(state, name, step, values, errors):
                return False
        return True

    def _hot(
        self, state: Any, name: str, values: dict[str, Any], errors: list[OperationError]
    ) -> bool:
        """:meth:`_steps` for the common case — no event subscriber, no step with defaults
        or retries — kept to a few dict operations per call."""
        for func, pairs, out, step in self.hot:
            kwargs = {}
            try:
                for param, definition in pairs:
                    kwargs[param] = values[definition]
            except KeyError:
                continue  # an input never arrives: the operation does not run
            try:
                result = func(**kwargs)
            except Exception as error:  # noqa: BLE001 - any failure of user code is reported
                if not self._failed(state, name, step.plan, kwargs, error, None, False, errors):
                    return False
                continue
            if result is None:
                continue
            if out is not None and not (step.unwrap and type(result) is dict):
                values[out] = result
                continue
            try:
                _store(step, result, values, self.shape_error)
            except self.shape_error as error:
                if not self._failed(state, name, step.plan, kwargs, error, None, False, errors):
                    return False
        return True

    def run_batched(self, state: Any, name: str, input_set: Any) -> bool:
        """:meth:`run_context` for a run heard by batch subscribers only (nothing is
        delivered in the middle of a context): the context's start, calls and (with no output
        operation) its end go out as ONE record (``events.context_steps``), or, for a
        summary subscriber and a context that ran every step, are counted in the run's
        row (``_Run.newest``, then ``events.contexts_counted``), which keeps only the
        newest context.

        The record's trace is ``[values, call, ...]``: the context's values, then per
        step its end time (its inputs and output are read back from ``values``, where
        each definition is set once), ``(result, end)`` when ``values`` would not tell
        the result (None, a dict), ``None`` when it did not run. A failing call ends
        the trace (see :meth:`_traced_failure`).

        Longer than most: a counted context is handled here without further calls
        (one costs about what a clock reading does), and the interval is checked
        against the clock reading the context started with, because calls and clock
        reads are most of what a subscriber costs (benchmarks/bench_graph.py).
        """
        if state.max_runs < self.runs:
            return False
        values = self.seeds(input_set)
        if values is None:
            return False
        errors: list[OperationError] = []
        # every slot is set below, in a list made at its size (the run's spare, when a
        # summary subscriber let the previous one go: see _Run.spare)
        trace = state.spare
        if trace is None:
            trace = [None] * self.trace_width
        trace[0] = values
        complete = True  # every step ran
        started = _perf()
        for func, pairs, out, step, at in self.traced:
            kwargs = {}
            try:
                for param, definition in pairs:
                    kwargs[param] = values[definition]
            except KeyError:
                trace[at] = None  # an input never arrives: the operation does not run
                complete = False
                continue
            try:
                result = func(**kwargs)
                if out is not None and result is not None and type(result) is not dict:
                    values[out] = result
                    trace[at] = _perf()
                    continue
                if result is not None:
                    _store(step, result, values, self.shape_error)
            except Exception as error:  # noqa: BLE001 - any failure of user code is reported
                failed = (at, kwargs, error)
                return self._traced_failure(state, name, errors, started, trace, failed)
            trace[at] = (result, _perf())
        results = self.new_results(self.results_class)  # without the Python-level __init__
        results.errors = errors
        if not (complete and state.summary):
            return self._recorded(state, name, started, trace, results)
        if self.output_ops:
            ran = self._outputs_traced(values)
            if ran is None:
                return self._recorded(state, name, started, trace, results)
            for _, _, out, _ in ran:
                results.update(out)
            trace[self.trace_width :] = ran
        else:
            for leaf in self.leaves:
                if leaf in values:
                    results[leaf] = values[leaf]
        # counted in the run's row (see _Run.newest): no record, the buffer does not grow
        state.counted += 1
        state.newest = (name, self, started, results)
        state.spare = state.kept  # the previous newest's trace is free again
        state.kept = trace
        state.done.append((name, results))
        state.finished += 1
        if started >= state.deliver_by:
            state.deliver()
        return True

    def _recorded(
        self, state: Any, name: str, started: float, trace: list[Any], results: Any
    ) -> bool:
        """The end of a context of :meth:`run_batched` that is recorded, not counted: its
        steps as one record (which keeps the trace), its output operations, its end."""
        values = trace[0]
        del trace[self.trace_width :]  # a reused trace may hold a row's output operations
        state.spare = None
        if self.output_ops:  # they record as they run: this context's calls come first
            state.record(context_steps(name, self, started, trace, None))
            if not self._output(state, name, values, results, results.errors):
                return True
            state.record(context_finished(name, results))
        else:
            for leaf in self.leaves:
                if leaf in values:
                    results[leaf] = values[leaf]
            state.record(context_steps(name, self, started, trace, results))
        state.done.append((name, results))
        state.finished += 1
        if started >= state.deliver_by or len(state.buffer) >= state.batch_size:
            state.deliver()
        return True

    def _outputs_traced(self, values: dict[str, Any]) -> list[Any] | None:
        """The output operations of a context a summary subscriber will only count, as
        :meth:`_output` runs them: ``[(plan, spec name, output, duration), ...]`` in
        the order they ran, or None if one would not run or would fail (the context is
        then recorded as usual: they build dicts from ``values``, nothing else)."""
        output_ops = self.output_ops
        if len(output_ops) > 1:  # in the order their specs arrived, as the executor feeds them
            order = {definition: index for index, definition in enumerate(values)}
            output_ops = sorted(output_ops, key=lambda o: order.get(o[2], len(order)))
        ran: list[Any] = []
        previous = _perf()
        for plan, kind, spec_name in output_ops:
            spec = values.get(spec_name, _MISSING)
            if spec is _MISSING:
                return None
            try:
                wanted = _aliases(spec)
                if kind == "single":
                    out = {a: values[n] for a, n in wanted.items() if n in values}
                else:
                    out = {a: [values[n]] if n in values else [] for a, n in wanted.items()}
            except Exception:  # noqa: BLE001 - _output reports it
                return None
            ended = _perf()
            ran.append((plan, spec_name, out, ended - previous))
            previous = ended
        return ran

    def _traced_failure(
        self,
        state: Any,
        name: str,
        errors: list[OperationError],
        started: float,
        trace: list[Any],
        failed: tuple[int, dict[str, Any], Exception],
    ) -> bool:
        """A call of :meth:`run_batched` failed (``(its place in the trace, its arguments,
        the error)``): the trace so far goes out as a record of its own, the failure as
        another, the rest of the context call by call. Always True."""
        at, kwargs, error = failed
        values = trace[0]
        done = at - 1  # the failed step's index
        step = self.steps[done]
        state.record(context_steps(name, self, started, trace[:at], None))
        calls = trace[1:at]
        ended = next((t if type(t) is float else t[1] for t in reversed(calls) if t), started)
        if not self._failed(state, name, step.plan, kwargs, error, _perf() - ended, False, errors):
            return True
        if not self._steps_from(done + 1, state, name, values, errors):
            return True
        if state.failure is not None:
            return True
        results = self._results(state, name, values, errors)
        if results is None:
            return True
        state.record(context_finished(name, results))
        if state.failure is not None:
            return True
        state.done.append((name, results))
        state.finished += 1
        state.due()
        return True

    def _steps_from(
        self, first: int, state: Any, name: str, values: dict[str, Any], errors: list[Any]
    ) -> bool:
        """The steps from ``first`` on, each recorded as it runs (after a failure)."""
        for step in self.steps[first:]:
            if not self._call(state, name, step, values, errors):
                return False
        return True

    def expand(self, context: str, started: float, trace: Any, results: Any) -> list[RawEvent]:
        """A ``context_steps`` record spelled out: the context's start, a started and a
        finished record per step that ran, and its end when the record holds it."""
        values, calls = trace[0], trace[1:]
        outputs = calls[len(self.steps) :]  # a summarised context's (_outputs_traced)
        records = [context_started(context)]
        previous = started
        for step, call in zip(self.steps, calls):
            if call is None:
                continue
            if type(call) is float:
                result, ended = values[step.out], call
            else:
                result, ended = call
            plan = step.plan
            args = tuple(Input(values[d], plan.op.inputs[p]) for p, d in step.pairs)
            records.append(operation_started(context, plan, args))
            records.append(operation_finished(context, plan, ended - previous, result))
            previous = ended
        for plan, spec_name, out, duration in outputs:
            args = (Input(values[spec_name], plan.op.inputs[plan.params[0]]),)
            records.append(operation_started(context, plan, args))
            records.append(operation_finished(context, plan, duration, out))
        if results is not None:
            records.append(context_finished(context, results))
        return records

    def _call(
        self,
        state: Any,
        name: str,
        step: _Step,
        values: dict[str, Any],
        errors: list[OperationError],
    ) -> bool:
        kwargs = {}
        for param, definition, default in zip(step.params, step.names, step.defaults):
            value = values.get(definition, _MISSING)
            if value is _MISSING:
                if default is NO_DEFAULT:
                    return True  # an input never arrives: the operation does not run
                value = default
            kwargs[param] = value
        plan = step.plan
        # the config argument is no input: not in events or failures, only in the call
        call = kwargs if plan.config is None else {**kwargs, "config": plan.config}
        record = state.record if state.listening else None
        now = record is not None and state.on_event is not None
        if record is not None:
            args = tuple(Input(v, plan.op.inputs[p]) for p, v in kwargs.items())
            if now:
                record(operation_started(name, plan, args))
                if state.failure is not None:
                    return False
            started = _perf()
        attempts = plan.retry
        while True:
            try:
                result = step.func(**call)
                break
            except Exception as error:  # noqa: BLE001 - any failure of user code is reported
                if attempts:
                    attempts -= 1
                    continue
                duration = _perf() - started if record is not None else None
                return self._failed(state, name, plan, kwargs, error, duration, now, errors)
        if result is not None:
            try:
                _store(step, result, values, self.shape_error)
            except self.shape_error as error:
                return self._failed(state, name, plan, kwargs, error, None, now, errors)
        if record is not None:
            duration = _perf() - started
            if now:
                record(operation_finished(name, plan, duration, result))
            else:
                record(operation_ran(name, plan, duration, args, result))
        return state.failure is None

    def _failed(
        self,
        state: Any,
        name: str,
        plan: OpPlan,
        kwargs: dict[str, Any],
        error: BaseException,
        duration: float | None,
        now: bool,
        errors: list[OperationError],
    ) -> bool:
        failure = OperationError(plan.name, name, kwargs, error)
        failure.__cause__ = error
        record = state.record if state.listening else None
        if record is not None:
            if not now:
                args = tuple(Input(v, plan.op.inputs[p]) for p, v in kwargs.items())
                record(operation_started(name, plan, args))
            record(operation_failed(name, plan, duration, failure))
            if state.failure is not None:
                return False
        if state.strict:
            if state.failure is None:
                state.failure = failure
            return False
        errors.append(failure)
        return True

    def _output(
        self,
        state: Any,
        name: str,
        values: dict[str, Any],
        results: Any,
        errors: list[OperationError],
    ) -> bool:
        ran = False
        output_ops = self.output_ops
        if len(output_ops) > 1:  # in the order their specs arrived, as the executor feeds them
            order = {definition: index for index, definition in enumerate(values)}
            output_ops = sorted(output_ops, key=lambda o: order.get(o[2], len(order)))
        for plan, kind, spec_name in output_ops:
            spec = values.get(spec_name, _MISSING)
            if spec is _MISSING:
                continue
            kwargs = {plan.params[0]: spec}
            record = state.record if state.listening else None
            now = record is not None and state.on_event is not None
            if record is not None:
                args = (Input(spec, plan.op.inputs[plan.params[0]]),)
                if now:
                    record(operation_started(name, plan, args))
                    if state.failure is not None:
                        return False
                started = _perf()
            try:
                wanted = _aliases(spec)
                if kind == "single":
                    out = {a: values[n] for a, n in wanted.items() if n in values}
                else:
                    out = {a: [values[n]] if n in values else [] for a, n in wanted.items()}
            except Exception as error:  # noqa: BLE001 - a malformed spec, as the op would fail
                duration = _perf() - started if record is not None else None
                if not self._failed(state, name, plan, kwargs, error, duration, now, errors):
                    return False
                continue
            ran = True
            results.update(out)
            if record is not None:
                duration = _perf() - started
                if now:
                    record(operation_finished(name, plan, duration, out))
                else:
                    record(operation_ran(name, plan, duration, args, out))
                if state.failure is not None:
                    return False
        if not ran:
            for leaf in self.leaves:
                if leaf in values:
                    results[leaf] = values[leaf]
        return True


def _store(step: _Step, result: Any, values: dict[str, Any], shape_error: type) -> None:
    """Put an operation's outputs into ``values`` (the executor's rules for shapes)."""
    plan = step.plan
    if step.single is not None:
        if step.unwrap and type(result) is dict and len(result) == 1 and step.single in result:
            result = result[step.single]
        values[step.outputs[step.single]] = result
        return
    if not isinstance(result, dict):
        raise shape_error(
            f"operation {plan.name!r} has outputs {', '.join(map(repr, plan.outputs))} and must "
            f"return a dict keyed by them, but returned {type(result).__name__}: {short_repr(result)}"
        )
    for key, value in result.items():
        definition = step.outputs.get(key)
        if definition is None:
            raise shape_error(
                f"operation {plan.name!r} returned output {key!r}, which it does not declare; "
                f"its outputs are {', '.join(map(repr, plan.outputs))}"
            )
        if value is not None:
            values[definition] = value


def _ineligible(plan: Plan) -> str | None:
    """Why ``plan`` cannot take the fast path, or None if it can."""
    if plan.any_validate:
        return "a definition has a validator"
    producers: dict[Definition, OpPlan] = {}
    for p in plan.ops:
        if p.stage == 2:
            if _OUTPUT_FUNCS.get(p.func) is None or p.arity != 1 or p.conditions:
                return f"output operation {p.name!r} is not get_single / get_multi"
            continue
        if not p.inline or p.function_type is not FunctionType.PLAIN:
            return f"operation {p.name!r} is not a plain function"
        if p.conditions or p.expand or p.cyclic or p.ctx_params:
            return f"operation {p.name!r} has conditions, expand, a cycle or a Context"
        for definition in p.outputs.values():
            if definition in producers:
                return f"definition {definition.name!r} has two producers"
            producers[definition] = p
    tainted = _tainted(plan, producers)
    for p in plan.ops:
        for index, _ in p.defaults:
            producer = producers.get(p.op.inputs[p.params[index]])
            if producer is not None and producer.name in tainted:
                return f"operation {p.name!r} has a default fed by an operation run on defaults"
    return None


def _tainted(plan: Plan, producers: dict[Definition, OpPlan]) -> set[str]:
    """Operations with defaults and every operation downstream of one."""
    consumers: dict[Definition, list[OpPlan]] = {}
    for p in plan.ops:
        for param in p.params:
            consumers.setdefault(p.op.inputs[param], []).append(p)
    tainted: set[str] = set()
    work = [p for p in plan.ops if p.defaults]
    while work:
        p = work.pop()
        if p.name in tainted:
            continue
        tainted.add(p.name)
        for definition in p.outputs.values():
            work.extend(consumers.get(definition, ()))
    return tainted


def _order(ops: list[OpPlan]) -> list[OpPlan]:
    """``ops`` so that every producer comes before its consumers (the flow is acyclic)."""
    made = {d: p for p in ops for d in p.outputs.values()}
    ordered: list[OpPlan] = []
    placed: set[int] = set()

    def place(p: OpPlan) -> None:
        if id(p) in placed:
            return
        placed.add(id(p))
        for param in p.params:
            producer = made.get(p.op.inputs[param])
            if producer is not None:
                place(producer)
        ordered.append(p)

    for p in ops:
        place(p)
    return ordered


def fast_plan(plan: Plan) -> FastPlan | None:
    """The compiled steps of ``plan`` (made once per plan), or None if it is ineligible."""
    if not _enabled:
        return None
    fast = _compiled.get(plan)
    if fast is None:
        fast = _compiled[plan] = FastPlan(plan)
    return fast if fast.reason is None else None
