"""The read-only view of a running context that output operations receive.

An operation asks for it by annotating a parameter with ``Context``::

    @op(stage="output")
    def everything(ctx: Context) -> dict:
        return {d.name: [i.value for i in ctx.inputs(d)] for d in ctx.definitions()}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dffml_nb.df.types import Definition, Input


class Context:
    """The inputs of one context, by definition, in arrival order."""

    __slots__ = ("name", "_by_definition", "_record")

    def __init__(self, name: str, record: Callable[[Any], None] | None = None) -> None:
        self.name = name
        self._by_definition: dict[Definition, list[Input[Definition]]] = {}
        # the run's event recorder when someone listens: a subflow's events go there
        self._record = record

    def inner(self, event: Any, by: str) -> None:
        """Hand a subflow's operation ``event`` to this run's subscribers, marked
        ``inner=by`` (the operation running the subflow); nothing if nobody listens."""
        if self._record is not None:
            from dffml_nb.df.events import inner_event

            self._record(inner_event(self.name, by, event))

    @property
    def listening(self) -> bool:
        """Whether this run's events are heard (a subflow then forwards its own)."""
        return self._record is not None

    def _add(self, item: Input[Definition]) -> None:
        bucket = self._by_definition.get(item.definition)
        if bucket is None:
            self._by_definition[item.definition] = [item]
        else:
            bucket.append(item)

    def definitions(self) -> list[Definition]:
        """Every definition that has at least one input in this context."""
        return list(self._by_definition)

    def definition(self, name: str) -> Definition | None:
        """The definition called ``name`` that has inputs here, if any."""
        for definition in self._by_definition:
            if definition.name == name:
                return definition
        return None

    def inputs(self, definition: Definition | str) -> list[Input[Definition]]:
        """The inputs of ``definition`` (a Definition or its name), oldest first."""
        if isinstance(definition, str):
            found = self.definition(definition)
            if found is None:
                return []
            definition = found
        return list(self._by_definition.get(definition, ()))

    def values(self, definition: Definition | str) -> list[Any]:
        return [item.value for item in self.inputs(definition)]

    def __repr__(self) -> str:
        return f"Context({self.name!r}, {len(self._by_definition)} definitions)"
