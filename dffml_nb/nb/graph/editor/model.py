"""The flow editor's state: immutable snapshots of a flow, edits that make new ones, undo / redo.

Pure Python on the dataflow core (no widget): every edit the editor's buttons
and clicks make is a function here, so a test (or a script) can drive it and
read the result::

    history = History()
    state, name = add(history.current, parse_line)
    history.push(state)
    state = connect(history.current, "parse_line", "add", "numbers")
    history.push(state)
    history.undo()

An edit never changes a snapshot; it returns a new :class:`EditorState` whose
``note`` says what it did (in words a person reads). Bad requests raise
:class:`EditError` (a ``ValueError``) naming the operation, parameter or
definition at fault and what would be right; nothing is changed then.

Connections follow DFFML: operations are linked by definitions. Connecting an
output to a parameter gives the output the parameter's definition (so every
consumer of that definition receives it, as in code); when the output already
feeds other operations, the parameter takes the output's definition instead, so
no existing link is broken.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from dffml_nb.df import DataFlow, Definition, Input, Operation, op

__all__ = [
    "AmbiguousConnection",
    "EditError",
    "EditorState",
    "History",
    "IncompatibleConnection",
    "OccupiedParameter",
    "Problem",
    "add",
    "compatible",
    "configure",
    "connect",
    "disconnect",
    "load",
    "missing_inputs",
    "problems",
    "remove",
    "rename",
    "run_blockers",
    "seed",
    "set_outputs",
    "settings",
    "unseed",
]

#: output operations the editor knows how to configure (their spec is a list of definitions)
OUTPUT_KINDS = ("get_single", "get_multi")
#: settings of an operation the side panel (and :func:`settings`) may change
SETTINGS = ("runner", "retry", "stage", "conditions", "expand")


class EditError(ValueError):
    """An edit that cannot be made as asked; the message says why and what would work."""


class IncompatibleConnection(EditError):
    """The output's primitive is not the parameter's: connect with ``force=True`` to do it anyway.

    ``question`` says the same in a form's words (no Python).
    """

    def __init__(
        self, message: str, source_type: str, target_type: str, question: str = ""
    ) -> None:
        super().__init__(message)
        self.source_type = source_type
        self.target_type = target_type
        self.question = question or message


class OccupiedParameter(EditError):
    """The parameter already receives another operation's output: choose ``mode``.

    ``question`` says the same in a form's words (no Python).
    """

    def __init__(self, message: str, sources: list[str], question: str = "") -> None:
        super().__init__(message)
        self.sources = sources
        self.question = question or message


class AmbiguousConnection(EditError):
    """Several outputs or parameters fit: ``choices`` lists them (say which)."""

    def __init__(self, message: str, what: str, choices: list[str]) -> None:
        super().__init__(message)
        self.what = what  # "output" or "param"
        self.choices = choices


@dataclass(frozen=True)
class EditorState:
    """One snapshot: the operations (in order), the seed values (one per definition name)
    and the operations' configuration values (``{operation: {field: value}}``, DFFML's
    per-flow ``configs``; never changed in place).

    ``note`` says what the edit that made this snapshot did. Seeds of definitions
    no operation uses, and configs of operations no longer there, are kept (undoing
    a removal brings them back) but left out of :attr:`flow`.
    """

    operations: tuple[Operation, ...] = ()
    seeds: tuple[Input, ...] = ()
    note: str = "empty flow"
    configs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @functools.cached_property
    def flow(self) -> DataFlow:
        """The ``DataFlow`` this snapshot describes."""
        used = {d.name for o in self.operations for d in o.definitions()}
        names = {o.name for o in self.operations}
        return DataFlow(
            *self.operations,
            seed=[s for s in self.seeds if _def_name(s.definition) in used],
            configs={n: dict(v) for n, v in self.configs.items() if n in names and v},
        )

    @functools.cached_property
    def problems(self) -> list[Problem]:
        """:func:`problems` of :attr:`flow` (computed once per snapshot)."""
        return problems(self.flow)

    @functools.cached_property
    def missing(self) -> list[str]:
        """:func:`missing_inputs` of :attr:`flow`: flow inputs without a value."""
        return missing_inputs(self.flow)

    @functools.cached_property
    def blockers(self) -> list[str]:
        """:func:`run_blockers` of :attr:`flow`: why it cannot run as it is."""
        return run_blockers(self.flow, known=(self.problems, self.missing))

    @property
    def names(self) -> list[str]:
        return [o.name for o in self.operations]

    def operation(self, name: str) -> Operation:
        for item in self.operations:
            if item.name == name:
                return item
        known = ", ".join(self.names) or "(none yet)"
        raise EditError(f"no operation {name!r} in this flow; operations: {known}")

    def seed_value(self, definition: str) -> Any:
        """The seed value of ``definition`` (KeyError if it has none)."""
        for item in self.seeds:
            if _def_name(item.definition) == definition:
                return item.value
        raise KeyError(definition)

    def with_operations(self, operations: Iterable[Operation], note: str) -> EditorState:
        return replace(self, operations=tuple(operations), note=note)


class History:
    """Snapshots in order, a cursor, undo and redo. A new edit drops what could be redone."""

    def __init__(self, state: EditorState | None = None, limit: int = 1000) -> None:
        self._states: list[EditorState] = [state or EditorState()]
        self._index = 0
        self.limit = limit

    @property
    def current(self) -> EditorState:
        return self._states[self._index]

    def push(self, state: EditorState) -> EditorState:
        current = self.current
        if state is current or (
            state.operations == current.operations
            and state.seeds == current.seeds
            and state.configs == current.configs
        ):
            return current  # an edit that changed nothing is not a step
        del self._states[self._index + 1 :]
        self._states.append(state)
        if len(self._states) > self.limit:
            del self._states[0]
        self._index = len(self._states) - 1
        return state

    @property
    def can_undo(self) -> bool:
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        return self._index < len(self._states) - 1

    def undo(self) -> EditorState:
        """Step back; the message of what was undone is the undone state's ``note``."""
        if not self.can_undo:
            raise EditError("nothing to undo")
        self._index -= 1
        return self.current

    def redo(self) -> EditorState:
        if not self.can_redo:
            raise EditError("nothing to redo")
        self._index += 1
        return self.current

    def next_note(self) -> str:
        """What :meth:`redo` would do again."""
        return self._states[self._index + 1].note if self.can_redo else ""

    def __len__(self) -> int:
        return len(self._states)


# -- small helpers --------------------------------------------------------------------------


def _def_name(definition: Definition | str) -> str:
    return definition if isinstance(definition, str) else definition.name


#: primitives that say "any type" (DFFML's library calls it ``generic``)
ANY = ("object", "generic")


def compatible(source: str, target: str) -> bool:
    """Whether an output of primitive ``source`` may feed a parameter of primitive ``target``.

    Equal primitives fit; ``object`` / ``generic`` fit anything (they say "any type").
    """
    return source == target or source in ANY or target in ANY


def _unique(base: str, taken: Iterable[str]) -> str:
    taken = set(taken)
    if base not in taken:
        return base
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def _definitions(state: EditorState) -> set[str]:
    return {d.name for o in state.operations for d in o.definitions()}


def _swap(state: EditorState, new: Operation) -> list[Operation]:
    return [new if o.name == new.name else o for o in state.operations]


def _producers(ops: Iterable[Operation], definition: str) -> list[tuple[str, str]]:
    """``[(operation, output key)]`` producing ``definition``."""
    return [(o.name, k) for o in ops for k, d in o.outputs.items() if d.name == definition]


def _consumers(ops: Iterable[Operation], definition: str) -> list[tuple[str, str]]:
    """``[(operation, slot)]`` reading ``definition``; a slot is a parameter or ``"condition"``."""
    found = [(o.name, p) for o in ops for p, d in o.inputs.items() if d.name == definition]
    found += [(o.name, "condition") for o in ops for d in o.conditions if d.name == definition]
    return found


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# -- edits ------------------------------------------------------------------------------------


def add(
    state: EditorState, operation: Operation, name: str | None = None
) -> tuple[EditorState, str]:
    """Add ``operation`` (renamed to a free name if its name is taken); returns the name.

    It links to the rest by definition name at once, as operations in code do.
    """
    if not isinstance(operation, Operation):
        operation = op(operation)
    wanted = name or operation.name
    final = _unique(wanted, state.names)
    if final != operation.name:
        operation = operation.replace(name=final)
    new = state.with_operations([*state.operations, operation], "")
    links = []
    for param, definition in operation.inputs.items():
        for source, _ in _producers(state.operations, definition.name):
            links.append(f"{source} → {final}.{param}")
    for definition in operation.conditions:
        for source, _ in _producers(state.operations, definition.name):
            links.append(f"{source} → {final} (condition {definition.name})")
    for key, definition in operation.outputs.items():
        for target, slot in _consumers(state.operations, definition.name):
            links.append(f"{final}.{key} → {target}" + ("" if slot == "condition" else f".{slot}"))
    note = f"added {final!r}" + (
        f" (as {final!r}: {wanted!r} was taken)" if final != wanted else ""
    )
    if links:
        note += f", linked by definition name: {', '.join(links)}"
    return replace(new, note=note), final


def remove(state: EditorState, name: str) -> EditorState:
    """Remove operation ``name``; the note lists the links that went with it."""
    target = state.operation(name)
    rest = [o for o in state.operations if o.name != name]
    lost = []
    for param, definition in target.inputs.items():
        lost += [f"{s} → {name}.{param}" for s, _ in _producers(rest, definition.name)]
    for definition in target.conditions:
        lost += [f"{s} → {name} (condition)" for s, _ in _producers(rest, definition.name)]
    starved = []
    for key, definition in target.outputs.items():
        for consumer, slot in _consumers(rest, definition.name):
            lost.append(f"{name}.{key} → {consumer}" + ("" if slot == "condition" else f".{slot}"))
            if not _producers(rest, definition.name):
                starved.append(f"{consumer} now needs {definition.name!r} as an input")
    edges = len(target.inputs) + len(target.outputs) + len(target.conditions)
    note = f"removed {name!r} and its {_plural(edges, 'edge')}"
    if lost:
        note += f"; links removed: {', '.join(lost)}"
    if starved:
        note += f"; {'; '.join(sorted(set(starved)))}"
    return state.with_operations(rest, note)


def _pick_output(source: Operation, output: str | None) -> str:
    if not source.outputs:
        raise EditError(f"operation {source.name!r} has no output to connect")
    if output is not None:
        if output in source.outputs:
            return output
        by_def = [k for k, d in source.outputs.items() if d.name == output]
        if by_def:
            return by_def[0]
        raise EditError(
            f"operation {source.name!r} has no output {output!r}; outputs: "
            + ", ".join(f"{k} ({d.name}: {d.primitive})" for k, d in source.outputs.items())
        )
    if len(source.outputs) == 1:
        return next(iter(source.outputs))
    choices = list(source.outputs)
    raise AmbiguousConnection(
        f"operation {source.name!r} has {len(choices)} outputs ({', '.join(choices)}); "
        "say which with output=...",
        "output",
        choices,
    )


def _pick_slot(
    state: EditorState, target: Operation, param: str | None, out: Definition
) -> tuple[str, Definition]:
    """``(slot, definition)``: a parameter name, or ``"condition:NAME"`` for a condition."""
    if param is not None:
        if param in target.inputs:
            return param, target.inputs[param]
        for definition in target.conditions:
            if param in (definition.name, f"condition:{definition.name}"):
                return f"condition:{definition.name}", definition
        conditions = [d.name for d in target.conditions]
        raise EditError(
            f"operation {target.name!r} has no parameter {param!r}; parameters: "
            + (", ".join(f"{p}: {d.primitive}" for p, d in target.inputs.items()) or "(none)")
            + (f"; conditions: {', '.join(conditions)}" if conditions else "")
        )
    if len(target.inputs) == 1:
        key = next(iter(target.inputs))
        return key, target.inputs[key]
    if not target.inputs:
        raise EditError(f"operation {target.name!r} takes no input to connect to")
    # several parameters: the open ones (nothing produces them) that fit the output's type
    open_fitting = [
        p
        for p, d in target.inputs.items()
        if not _producers(state.operations, d.name) and compatible(out.primitive, d.primitive)
    ]
    if len(open_fitting) == 1:
        return open_fitting[0], target.inputs[open_fitting[0]]
    choices = list(target.inputs)
    raise AmbiguousConnection(
        f"operation {target.name!r} has {len(choices)} parameters "
        f"({', '.join(f'{p}: {d.primitive}' for p, d in target.inputs.items())}); "
        "say which with param=...",
        "param",
        choices,
    )


def _retarget(operation: Operation, slot: str, definition: Definition) -> Operation:
    """``operation`` with parameter (or condition) ``slot`` reading ``definition``."""
    if slot.startswith("condition:"):
        old = slot.split(":", 1)[1]
        conditions = [definition if d.name == old else d for d in operation.conditions]
        return operation.replace(conditions=conditions)
    return operation.replace(inputs={**operation.inputs, slot: definition})


def connect(
    state: EditorState,
    source: str,
    target: str,
    param: str | None = None,
    *,
    output: str | None = None,
    mode: str | None = None,
    force: bool = False,
) -> EditorState:
    """Make ``source``'s output feed ``target``'s parameter ``param``.

    The output takes the parameter's definition (DFFML's linking: every
    consumer of that definition receives it). If the output already feeds
    other operations, the parameter takes the output's definition instead, so
    no link is broken. ``param`` may name a condition's definition.

    Raises :class:`IncompatibleConnection` when the primitives differ
    (``force=True`` connects anyway), :class:`OccupiedParameter` when the
    parameter already receives another operation's output (``mode="replace"``:
    it then receives only this one; ``mode="add"``: both — the target runs once
    per combination of values), :class:`AmbiguousConnection` when ``output`` /
    ``param`` must be said.
    """
    if mode not in (None, "replace", "add"):
        raise EditError(f"mode must be 'replace' or 'add', got {mode!r}")
    src, tgt = state.operation(source), state.operation(target)
    if src.name == tgt.name:
        raise EditError(f"cannot connect {source!r} to itself")
    key = _pick_output(src, output)
    out = src.outputs[key]
    slot, wanted = _pick_slot(state, tgt, param, out)
    shown_slot = slot.replace("condition:", "condition ")
    where = f"{source}.{key} ({out.name}: {out.primitive}) → {target}.{shown_slot}"
    if wanted.name == out.name and wanted.primitive == out.primitive:
        return replace(state, note=f"already connected: {where}")
    if not compatible(out.primitive, wanted.primitive) and not force:
        raise _incompatible(source, key, out, target, shown_slot, wanted)
    others = [c for c in _consumers(state.operations, out.name) if c[0] != target]
    sources = [s for s, _ in _producers(state.operations, wanted.name) if s != source]
    if sources and mode is None:
        raise _occupied(source, target, shown_slot, wanted, sources)
    if mode == "add" and sources and others:
        raise EditError(
            f"cannot add {source!r} as a second source of {target!r} {shown_slot!r}: its output "
            f"{key!r} already feeds {', '.join(sorted({c[0] for c in others}))}, which would "
            "lose it. Use mode='replace', or disconnect those first"
        )
    if (sources and mode == "replace") or (others and not sources):
        # the parameter reads the output's own definition: nothing else changes
        new_target = _retarget(tgt, slot, out)
        ops = _swap(state, new_target)
        how = f"{target}.{shown_slot} now reads {out.name!r}"
        if sources:
            how += f" (no longer from {', '.join(sources)})"
    else:
        # DFFML's way: the output takes the parameter's definition
        new_source = src.replace(outputs={**src.outputs, key: wanted})
        ops = _swap(state, new_source)
        how = f"{source}.{key} now produces {wanted.name!r}"
        if sources:
            how += f" (with {', '.join(sources)}: {target} runs for each value)"
    forced = (
        f" (types differ: {out.primitive} → {wanted.primitive}, connected anyway)"
        if not compatible(out.primitive, wanted.primitive)
        else ""
    )
    return state.with_operations(ops, f"connected {where}{forced}; {how}")


def _incompatible(
    source: str, key: str, out: Definition, target: str, shown_slot: str, wanted: Definition
) -> IncompatibleConnection:
    """The refusal of a connection whose primitives differ: for code, then for the UI."""
    return IncompatibleConnection(
        f"cannot connect {source!r} output {key!r} ({out.primitive}) to {target!r} "
        f"{shown_slot!r}, which expects {wanted.primitive}: the types differ. "
        "Connect anyway with force=True (the value is passed as it is), or put an "
        f"operation that converts {out.primitive} to {wanted.primitive} in between",
        out.primitive,
        wanted.primitive,
        f"{source}'s output {key!r} is {_article(out.primitive)} {out.primitive}, but "
        f"{target}'s {shown_slot!r} expects {_article(wanted.primitive)} {wanted.primitive}. "
        "Connect anyway (the value is passed as it is), or cancel and put an operation "
        "that converts it in between.",
    )


def _occupied(
    source: str, target: str, shown_slot: str, wanted: Definition, sources: list[str]
) -> OccupiedParameter:
    """The question asked when a parameter already receives another output."""
    return OccupiedParameter(
        f"{target!r} {shown_slot!r} already receives {wanted.name!r} from "
        f"{', '.join(repr(s) for s in sources)}. Connect with mode='replace' to feed it "
        f"from {source!r} only, or mode='add' to keep both: {target!r} then runs once for "
        "each value (every combination of its inputs)",
        sources,
        f"{target}'s {shown_slot!r} already receives {wanted.name!r} from "
        f"{', '.join(sources)}. Replace: only {source} feeds it. Add: both do, and "
        f"{target} runs once for each value.",
    )


def _fresh_definition(state: EditorState, base: str, primitive: str) -> Definition:
    return Definition(_unique(base, _definitions(state)), primitive)


def disconnect(
    state: EditorState, source: str, target: str, param: str | None = None
) -> EditorState:
    """Stop ``source``'s output from feeding ``target`` (one parameter, or every link between them).

    The parameter gets a definition of its own (a new flow input, to be given
    a value or connected again); a condition is dropped.
    """
    src, tgt = state.operation(source), state.operation(target)
    produced = {d.name for d in src.outputs.values()}
    links = [(p, d) for p, d in tgt.inputs.items() if d.name in produced]
    links += [(f"condition:{d.name}", d) for d in tgt.conditions if d.name in produced]
    if param is not None:
        links = [(p, d) for p, d in links if p in (param, f"condition:{param}")]
    if not links:
        fed = [
            f"{p} ← {', '.join(s for s, _ in _producers(state.operations, d.name)) or 'flow input'}"
            for p, d in tgt.inputs.items()
        ]
        which = f" parameter {param!r}" if param is not None else ""
        raise EditError(
            f"{source!r} does not feed {target!r}{which}; {target!r} reads: "
            + (", ".join(fed) or "(nothing)")
        )
    new = tgt
    done = []
    for slot, definition in links:
        if slot.startswith("condition:"):
            new = new.replace(conditions=[d for d in new.conditions if d.name != definition.name])
            done.append(f"condition {definition.name!r}")
        else:
            fresh = _fresh_definition(state, slot, definition.primitive)
            new = new.replace(inputs={**new.inputs, slot: fresh})
            done.append(f"{slot!r} (now the flow input {fresh.name!r})")
    return state.with_operations(
        _swap(state, new), f"disconnected {source!r} from {target!r}: {', '.join(done)}"
    )


def rename(state: EditorState, old: str, new: str) -> EditorState:
    """Rename operation ``old`` to ``new`` (its links stay: they are by definition)."""
    operation = state.operation(old)
    new = new.strip()
    if not new:
        raise EditError("an operation's name cannot be empty")
    if new == old:
        return state
    if new in state.names:
        raise EditError(f"there is already an operation named {new!r}")
    ops = [operation.replace(name=new) if o.name == old else o for o in state.operations]
    configs = {new if n == old else n: v for n, v in state.configs.items()}
    return replace(
        state, operations=tuple(ops), configs=configs, note=f"renamed {old!r} to {new!r}"
    )


def configure(state: EditorState, name: str, **fields: Any) -> EditorState:
    """Set configuration fields of operation ``name`` (its ``config`` dataclass); a value of
    None clears a field. An operation without ``config=``, or an unknown field, is refused
    naming the fields there are."""
    operation = state.operation(name)
    config = getattr(operation, "config", None)
    if config is None:
        raise EditError(f"operation {name!r} takes no configuration (it declares no config=)")
    from dffml_nb.df.configs import check_fields

    try:
        check_fields(config, fields, f"operation {name!r}")
    except TypeError as error:
        raise EditError(str(error)) from None
    values = {**state.configs.get(name, {}), **fields}
    values = {k: v for k, v in values.items() if v is not None}
    said = ", ".join(f"{k}={v!r}" for k, v in fields.items())
    return replace(state, configs={**state.configs, name: values}, note=f"{name}: {said}")


def settings(state: EditorState, name: str, **changes: Any) -> EditorState:
    """Change ``runner``, ``retry``, ``stage``, ``conditions`` (definitions or names) or ``expand``."""
    operation = state.operation(name)
    unknown = sorted(set(changes) - set(SETTINGS))
    if unknown:
        raise EditError(
            f"operation {name!r}: unknown setting {', '.join(unknown)}; settings: {', '.join(SETTINGS)}"
        )
    if "conditions" in changes:
        known = {d.name: d for o in state.operations for d in o.definitions()}
        changes["conditions"] = [
            c if isinstance(c, Definition) else known.get(c, Definition(c, "bool"))
            for c in changes["conditions"]
        ]
    try:
        updated = operation.replace(**changes)
    except (TypeError, ValueError) as error:
        raise EditError(str(error)) from None
    said = ", ".join(
        f"{k}={[d.name for d in v] if k == 'conditions' else v!r}" for k, v in changes.items()
    )
    return state.with_operations(_swap(state, updated), f"{name}: {said}")


def seed(state: EditorState, definition: Definition | str, value: Any) -> EditorState:
    """Give ``definition`` a value in every run (text is converted to its primitive).

    Raises :class:`EditError` naming the definition and its primitive when the
    value does not convert.
    """
    name = _def_name(definition)
    known = state.flow.definitions
    if isinstance(definition, str):
        if definition not in known:
            raise EditError(
                f"no definition {definition!r} in this flow; definitions: "
                + (", ".join(sorted(known)) or "(none yet)")
            )
        definition = known[definition]
    try:
        converted = definition.convert(value)
    except ValueError as error:
        raise EditError(str(error)) from None
    seeds = [s for s in state.seeds if _def_name(s.definition) != name]
    seeds.append(Input(converted, definition))
    return replace(state, seeds=tuple(seeds), note=f"{name} = {converted!r}")


def unseed(state: EditorState, definition: Definition | str) -> EditorState:
    name = _def_name(definition)
    seeds = tuple(s for s in state.seeds if _def_name(s.definition) != name)
    if len(seeds) == len(state.seeds):
        return state
    return replace(state, seeds=seeds, note=f"{name}: value cleared")


def set_outputs(
    state: EditorState, definitions: Iterable[str], kind: str, operation: Operation | None
) -> EditorState:
    """Results from the output operation ``kind`` over ``definitions`` (none: remove it).

    ``operation`` is the output operation to add when the flow has none yet.
    """
    if kind not in OUTPUT_KINDS:
        raise EditError(f"output operation must be one of {', '.join(OUTPUT_KINDS)}, got {kind!r}")
    wanted = list(definitions)
    known = set(state.flow.definitions)
    unknown = [d for d in wanted if d not in known]
    if unknown:
        raise EditError(
            f"no definition {', '.join(map(repr, unknown))} in this flow; definitions: "
            + (", ".join(sorted(known)) or "(none yet)")
        )
    # one output operation of the editor's kinds at a time
    ops = [o for o in state.operations if o.name not in OUTPUT_KINDS]
    if not wanted:
        return state.with_operations(ops, "no output operation: results are the flow's leaves")
    existing = next((o for o in state.operations if o.name == kind), None)
    if existing is None:
        if operation is None:
            raise EditError(f"no output operation {kind!r} available")
        existing = operation if operation.name == kind else operation.replace(name=kind)
    ops.append(existing)
    spec = existing.inputs["spec"]
    seeds = [s for s in state.seeds if _def_name(s.definition) != spec.name]
    seeds.append(Input(wanted, spec))
    return replace(
        state,
        operations=tuple(ops),
        seeds=tuple(seeds),
        note=f"results: {kind} of {', '.join(wanted)}",
    )


def outputs_of(state: EditorState) -> tuple[str | None, list[str]]:
    """``(kind, definitions)`` of the flow's output operation, ``(None, [])`` without one."""
    for operation in state.operations:
        if operation.name in OUTPUT_KINDS and "spec" in operation.inputs:
            try:
                value = state.seed_value(operation.inputs["spec"].name)
            except KeyError:
                value = []
            names = list(value) if isinstance(value, (list, tuple)) else list(value or {})
            return operation.name, [str(n) for n in names]
    return None, []


def load(state: EditorState, flow: DataFlow, note: str = "") -> EditorState:
    """Replace everything with ``flow`` (its operations and seeds)."""
    seeds = []
    known = flow.definitions
    for item in flow.seed:
        definition = item.definition
        if isinstance(definition, str):
            definition = known.get(definition, definition)
        seeds.append(Input(item.value, definition))
    return EditorState(
        tuple(flow),
        tuple(seeds),
        note or f"loaded {_plural(len(flow), 'operation')}",
        {n: dict(v) for n, v in getattr(flow, "configs", {}).items()},
    )


# -- soundness --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A problem ``validate()`` reports, and the node ids (``op:NAME`` / ``def:NAME``) it concerns."""

    text: str
    nodes: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        return self.text


_SUBJECT = re.compile(r"^(operation name|operation|definition|seed) ('(?:[^'\\]|\\.)*'|\S+)")


def problems(flow: DataFlow) -> list[Problem]:
    """``flow.validate()``, each problem with the nodes it concerns (to mark them).

    ``validate()`` returns text; the nodes are found from the text's subject
    (the first quoted name after "operation" / "definition") and the flow's
    structure — never from other words of the message.
    """
    found = []
    for text in flow.validate():
        match = _SUBJECT.match(text)
        nodes: tuple[str, ...] = ()
        if match is not None:
            kind, quoted = match.groups()
            name = quoted[1:-1] if quoted.startswith("'") else quoted
            if kind in ("operation name", "operation"):
                nodes = (f"op:{name}",)
            elif kind == "definition":
                users = {o.name for o in flow if any(d.name == name for d in o.definitions())}
                nodes = (f"def:{name}", *sorted(f"op:{u}" for u in users))
        found.append(Problem(text, nodes))
    return found


def missing_inputs(flow: DataFlow, provided: Iterable[str] = ()) -> list[str]:
    """Flow inputs that nothing gives a value: no seed, no default, not in ``provided``.

    (Conditions are not listed: an operation whose condition never arrives
    simply does not run, as in DFFML.)
    """
    given = set(provided) | {_def_name(s.definition) for s in flow.seed}
    missing = []
    for name in flow.flow_inputs:
        if name in given:
            continue
        for operation in flow.consumers(name):
            if any(
                d.name == name and p not in operation.defaults for p, d in operation.inputs.items()
            ):
                missing.append(name)
                break
    return missing


def run_blockers(
    flow: DataFlow,
    provided: Iterable[str] = (),
    *,
    known: tuple[list[Problem], list[str]] | None = None,
) -> list[str]:
    """Why ``flow`` cannot run now (empty: it can): problems, then inputs without a value.

    ``known``: ``(problems, missing inputs)`` already computed for this flow.
    """
    if not len(flow):
        return ["the flow is empty: add an operation from the palette"]
    found, missing = (
        known if known is not None else (problems(flow), missing_inputs(flow, provided))
    )
    reasons = [p.text for p in found]
    for name in missing:
        definition = flow.definitions[name]
        reasons.append(f"input {name!r} ({definition.primitive}) has no value: fill it in")
    return reasons
