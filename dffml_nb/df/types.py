"""Definitions (named kinds of data) and Inputs (one piece of data in a context)."""

from __future__ import annotations

import collections.abc
import types
import typing
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from dffml_nb.df.reprs import safe_repr

__all__ = ["NO_DEFAULT", "Definition", "DefinitionRef", "Input", "primitive_of", "PRIMITIVES"]


class _NoDefault:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_DEFAULT"

    def __reduce__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()

PRIMITIVES: dict[str, type] = {
    "int": int,
    "str": str,
    "float": float,
    "bool": bool,
    "list": list,
    "dict": dict,
    "bytes": bytes,
    "object": object,
}
# DFFML spellings of the same primitives
_ALIASES = {
    "string": "str",
    "integer": "int",
    "boolean": "bool",
    "array": "list",
    "map": "dict",
    "any": "object",
}


def primitive_of(annotation: Any) -> str:
    """The primitive name for a Python type, annotation or primitive name.

    ``int`` and ``"int"`` give ``"int"``; ``list[int]`` gives ``"list"``;
    ``Optional[float]`` gives ``"float"``; a class we don't know gives its
    name; a missing annotation gives ``"object"``.
    """
    if annotation is None or annotation is Any or annotation is typing.Any:
        return "object"
    if isinstance(annotation, str):
        text = annotation.strip()
        base = text.split("[", 1)[0].strip()
        lowered = base.lower()
        if lowered in PRIMITIVES:
            return lowered
        if lowered in _ALIASES:
            return _ALIASES[lowered]
        if lowered in ("typing.list", "list", "sequence", "iterable"):
            return "list"
        if lowered in ("typing.dict", "mapping"):
            return "dict"
        return text
    if isinstance(annotation, type):
        for name, python_type in PRIMITIVES.items():
            if annotation is python_type:
                return name
    origin = typing.get_origin(annotation)
    if origin is typing.Union or (hasattr(types, "UnionType") and origin is types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return primitive_of(args[0]) if len(args) == 1 else "object"
    if origin is typing.Annotated:
        return primitive_of(typing.get_args(annotation)[0])
    if origin in (list, tuple, set, frozenset, collections.abc.Sequence):
        return "list"
    if origin in (dict, collections.abc.Mapping):
        return "dict"
    if isinstance(annotation, type):
        return annotation.__name__
    return "object"


class Definition:
    """A named kind of data. Two definitions are the same if name and primitive are.

    ``lock=True``: one input of this definition is used by one running operation
    at a time. ``default``: the value an operation gets when no input of it
    arrives. ``validate``: a callable applied to every value as it enters a
    context; it returns the (possibly converted) value or raises.
    """

    __slots__ = ("name", "primitive", "lock", "default", "spec", "validate", "_hash")

    def __init__(
        self,
        name: str,
        primitive: Any = "object",
        *,
        lock: bool = False,
        default: Any = NO_DEFAULT,
        spec: Any = None,
        validate: Callable[[Any], Any] | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"Definition name must be a non-empty string, got {name!r}")
        self.name = name
        self.primitive = primitive_of(primitive)
        self.lock = bool(lock)
        self.default = default
        self.spec = spec
        self.validate = validate
        self._hash = hash((name, self.primitive))

    @property
    def type(self) -> type:
        """The Python type of the primitive (``object`` for names we don't know)."""
        return PRIMITIVES.get(self.primitive, object)

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Definition):
            return NotImplemented
        return self.name == other.name and self.primitive == other.primitive

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        extra = ", lock=True" if self.lock else ""
        if self.default is not NO_DEFAULT:
            extra += f", default={safe_repr(self.default)}"
        return f"Definition({self.name!r}, {self.primitive!r}{extra})"

    def convert(self, value: Any) -> Any:
        """Convert ``value`` (typically text from a CLI or a magic) to the primitive.

        Raises ``ValueError`` naming the definition and the expected primitive.
        """
        target = self.type
        if (
            target is object
            or isinstance(value, target)
            and not (target is int and isinstance(value, bool))
        ):
            return value
        try:
            if target is bool:
                if isinstance(value, str):
                    lowered = value.strip().lower()
                    if lowered in ("1", "true", "yes", "y", "on"):
                        return True
                    if lowered in ("0", "false", "no", "n", "off"):
                        return False
                    raise ValueError(value)
                return bool(value)
            if target in (list, dict) and isinstance(value, str):
                import json

                parsed = json.loads(value)
                if not isinstance(parsed, target):
                    raise ValueError(value)
                return parsed
            if target is int and isinstance(value, str):
                return int(value.strip())
            if target is int and isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return target(value)
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"{safe_repr(value)} is not a valid {self.primitive} for definition {self.name!r}"
            ) from error

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "primitive": self.primitive}
        if self.lock:
            out["lock"] = True
        if self.default is not NO_DEFAULT:
            out["default"] = self.default
        for attr in ("spec", "validate"):
            value = getattr(self, attr)
            if value is not None:
                out[attr] = f"{value.__module__}:{value.__qualname__}"
        return out

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], *, trust: bool = False, where: str = "<dict>"
    ) -> Definition:
        """The inverse of :meth:`to_dict`. ``spec`` / ``validate`` import paths are
        resolved as a flow file's operations are (see ``dffml_nb.df.resolve``)."""
        from dffml_nb.df.resolve import resolve

        kwargs: dict[str, Any] = {k: data[k] for k in ("lock", "default") if k in data}
        for attr in ("spec", "validate"):
            if data.get(attr):
                kwargs[attr] = resolve(
                    data[attr], where=f"{where}: {attr}", trust=trust, registered=False
                )
        return cls(data["name"], data.get("primitive", "object"), **kwargs)


#: what an Input names: a Definition, or (before a flow resolves it) a definition's name
DefinitionRef = TypeVar("DefinitionRef", bound="Definition | str", covariant=True)


class Input(Generic[DefinitionRef]):
    """One piece of data in a context. Outputs carry their parents (lineage).

    ``definition`` is a :class:`Definition`, or its name for the caller's
    convenience (``Input(1, "a")``); a run resolves names against its flow, so
    every input inside a run is an ``Input[Definition]``.
    """

    __slots__ = ("value", "definition", "parents", "origin")

    def __init__(
        self,
        value: Any,
        definition: DefinitionRef,
        parents: typing.Iterable[Input[Any]] = (),
        origin: str = "seed",
    ) -> None:
        self.value = value
        self.definition: DefinitionRef = definition
        self.parents: tuple[Input[Any], ...] = tuple(parents) if parents else ()
        self.origin = origin

    @property
    def definition_name(self) -> str:
        """The name of the definition, given as a Definition or as its name."""
        definition = self.definition
        return definition.name if isinstance(definition, Definition) else definition

    def ancestors(self) -> typing.Iterator[Input[Any]]:
        """Every input this one was made from, nearest first, each once."""
        seen: set[int] = set()
        stack = list(reversed(self.parents))
        while stack:
            item = stack.pop()
            if id(item) in seen:
                continue
            seen.add(id(item))
            yield item
            stack.extend(reversed(item.parents))

    # DFFML's spelling
    def get_parents(self) -> list[Input[Any]]:
        return list(self.ancestors())

    def __repr__(self) -> str:
        return f"Input({safe_repr(self.value)}, {self.definition_name!r}, origin={self.origin!r})"
