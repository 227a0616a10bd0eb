"""What the flow editor can add: registered operations, the library, models and the notebook's own.

Pure Python (no widget). :func:`discover` lists :class:`PaletteEntry` items in
groups:

- ``notebook``: ``@op`` operations bound to names in the notebook (its
  namespace);
- ``flows``: dataflows bound in the notebook (added as one operation with
  ``flow.as_op()`` where the core has it);
- ``models``: configured models in the notebook, as ``model.as_op()``;
- ``library``: the operations library (``dffml_nb.operations``), by DFFML's names;
- ``output``: output operations (``get_single`` ...);
- ``plugins``: operations other packages register (entry points
  ``dffml_nb.operation``);
- ``given``: the ``operations=`` the editor was made with.

Entries make their operation on demand (``entry.make()``), so listing a model
does not build its operation until it is added.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dffml_nb.df import DataFlow, Operation, op

__all__ = ["GROUPS", "PaletteEntry", "discover", "entry_for", "search"]

#: groups in the order the palette shows them
GROUPS = ("given", "notebook", "flows", "models", "library", "output", "plugins")


@dataclass(frozen=True)
class PaletteEntry:
    """One thing the editor can add: its name, group, signature, docstring and maker."""

    name: str
    group: str
    signature: str
    doc: str
    make: Callable[[], Operation]
    #: why it cannot be added (empty when it can)
    unavailable: str = ""

    @property
    def summary(self) -> str:
        """The first line of the docstring."""
        return self.doc.strip().splitlines()[0] if self.doc.strip() else ""


def _doc(obj: Any) -> str:
    func = getattr(obj, "func", obj)
    return inspect.cleandoc(getattr(func, "__doc__", None) or getattr(obj, "__doc__", None) or "")


def _operation_entry(name: str, group: str, operation: Operation) -> PaletteEntry:
    return PaletteEntry(name, group, operation.signature, _doc(operation), lambda: operation)


def _registered(seen: set[int]) -> list[PaletteEntry]:
    """Entry points ``dffml_nb.operation``, grouped by where they live."""
    from importlib.metadata import entry_points

    entries = []
    for point in sorted(entry_points(group="dffml_nb.operation"), key=lambda e: e.name):
        module = point.value.split(":", 1)[0]
        if module.startswith("dffml_nb.df.output"):
            group = "output"
        elif module.startswith("dffml_nb.operations"):
            group = "library"
        else:
            group = "plugins"
        try:
            loaded = point.load()
            operation = loaded if isinstance(loaded, Operation) else op(loaded)
        except Exception as error:  # a broken plugin is listed, not fatal
            entries.append(
                PaletteEntry(
                    point.name,
                    group,
                    f"{point.name}(?)",
                    "",
                    _fail(f"{point.name}: cannot load {point.value}: {error}"),
                    f"cannot load {point.value}: {type(error).__name__}: {error}",
                )
            )
            continue
        seen.add(id(operation))
        entries.append(_operation_entry(point.name, group, operation))
    return entries


def _fail(message: str) -> Callable[[], Operation]:
    def make() -> Operation:
        raise LookupError(message)

    return make


def _is_model(value: Any) -> bool:
    base = sys.modules.get("dffml_nb.model.base")  # imported only if the notebook uses models
    model = getattr(base, "Model", None) if base is not None else None
    return model is not None and isinstance(value, model)


def _model_entry(name: str, model: Any) -> PaletteEntry:
    try:
        operation = model.as_op()
    except Exception as error:  # not configured with features / a target yet
        return PaletteEntry(
            name,
            "models",
            f"{name}(?)",
            _doc(model),
            _fail(f"model {name!r} cannot be an operation: {error}"),
            f"not usable as an operation yet: {error}",
        )
    return PaletteEntry(
        name, "models", operation.signature, _doc(operation), lambda: model.as_op(name=name)
    )


def _flow_entry(name: str, flow: DataFlow) -> PaletteEntry:
    inputs = ", ".join(f"{k}: {d.primitive}" for k, d in flow.flow_inputs.items())
    doc = f"Dataflow {name!r}: {', '.join(o.name for o in flow)}."
    if not hasattr(flow, "as_op"):
        return PaletteEntry(
            name,
            "flows",
            f"{name}({inputs})",
            doc,
            _fail("this version of dffml_nb has no DataFlow.as_op; load the flow instead"),
            "adding a flow as one operation needs DataFlow.as_op; use Load to edit it",
        )
    return PaletteEntry(name, "flows", f"{name}({inputs})", doc, lambda: flow.as_op(name=name))


def _namespace(namespace: Mapping[str, Any], seen: set[int]) -> list[PaletteEntry]:
    entries = []
    for name, value in list(namespace.items()):
        if name.startswith("_"):
            continue
        if isinstance(value, Operation):
            if id(value) in seen:
                continue  # a registered operation imported into the notebook
            seen.add(id(value))
            entries.append(_operation_entry(name, "notebook", value))
        elif isinstance(value, DataFlow):
            entries.append(_flow_entry(name, value))
        elif _is_model(value):
            entries.append(_model_entry(name, value))
    return entries


def _given(operations: Any, seen: set[int]) -> list[PaletteEntry]:
    if isinstance(operations, Mapping):
        items = list(operations.items())
    else:
        items = [(None, item) for item in operations]
    entries = []
    for name, item in items:
        operation = item if isinstance(item, Operation) else op(item)
        if name is not None and name != operation.name:
            operation = operation.replace(name=name)
        seen.add(id(item))
        entries.append(_operation_entry(operation.name, "given", operation))
    return entries


def discover(
    namespace: Mapping[str, Any] | None = None,
    operations: Iterable[Any] | Mapping[str, Any] | None = None,
    *,
    registered: bool = True,
) -> list[PaletteEntry]:
    """Everything addable, in :data:`GROUPS` order, by name within a group.

    ``operations`` (operations or functions, or ``{name: operation}``) come
    first, in the ``given`` group; ``registered=False`` leaves out entry
    points (an editor that offers exactly ``operations``).
    """
    seen: set[int] = set()
    entries = _given(operations, seen) if operations is not None else []
    if registered:
        entries += _registered(seen)
    if namespace is not None:
        entries += _namespace(namespace, seen)
    order = {group: i for i, group in enumerate(GROUPS)}
    given = [e for e in entries if e.group == "given"]
    rest = sorted(
        (e for e in entries if e.group != "given"), key=lambda e: (order[e.group], e.name.lower())
    )
    return given + rest


def search(entries: Iterable[PaletteEntry], text: str) -> list[PaletteEntry]:
    """Entries whose name, signature or docstring contains every word of ``text`` (any case)."""
    words = text.lower().split()
    if not words:
        return list(entries)
    return [
        e
        for e in entries
        if all(w in f"{e.name} {e.signature} {e.doc} {e.group}".lower() for w in words)
    ]


def entry_for(entries: Iterable[PaletteEntry], name: str) -> PaletteEntry | None:
    """The entry called ``name`` (the first, in palette order), or None."""
    return next((e for e in entries if e.name == name), None)
