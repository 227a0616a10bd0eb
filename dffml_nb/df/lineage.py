"""The settling rule for cycles: an output equal to one of its ancestors adds nothing new.

A cycle (``n -> grow -> n``) would otherwise run for ever. Walking every
ancestor of every output decides the rule but costs O(depth) per output — the
whole run is quadratic in its number of calls round a cycle that keeps making
new values. :class:`Repeats` makes the common case O(1): a context's inputs of
each definition are indexed by value, and the lineage is walked only when an
equal value exists somewhere in the context (to see whether it is an ancestor).
"""

from __future__ import annotations

from typing import Any

from dffml_nb.df.types import Definition, Input

__all__ = ["Repeats"]

_UNKEYABLE = object()


def _key(value: Any) -> Any:
    """A hashable stand-in for ``value``: equal values get equal keys.

    Lists, tuples, dicts and sets are frozen (so ``[1, 2]`` is indexed too);
    a value that cannot be hashed even then gets ``_UNKEYABLE``.
    """
    try:
        hash(value)
        return value
    except Exception:  # noqa: BLE001 - unhashable, or a __hash__ that raises
        pass
    try:
        if isinstance(value, (list, tuple)):
            return tuple(_key(v) for v in value)
        if isinstance(value, dict):
            return frozenset((k, _key(v)) for k, v in value.items())
        if isinstance(value, (set, frozenset)):
            return frozenset(value)
    except Exception:  # noqa: BLE001
        pass
    return _UNKEYABLE


def _equal(a: Any, b: Any) -> bool:
    try:
        return a is b or bool(a == b)
    except Exception:  # noqa: BLE001 - values that can't be compared (arrays, frames) never match
        return False


class _Index:
    """One definition's inputs by value key; ``loose`` holds the unkeyable ones."""

    __slots__ = ("synced", "by_key", "loose")

    def __init__(self) -> None:
        self.synced = 0  # how many of the context's inputs of the definition are indexed
        self.by_key: dict[Any, list[Input[Definition]]] = {}
        self.loose: list[Input[Definition]] = []

    def add(self, item: Input[Definition]) -> None:
        key = _key(item.value)
        if key is _UNKEYABLE:
            self.loose.append(item)
        else:
            self.by_key.setdefault(key, []).append(item)

    def equal(self, value: Any) -> list[Input[Definition]]:
        key = _key(value)
        found = self.loose if key is _UNKEYABLE else [*self.by_key.get(key, ()), *self.loose]
        return [i for i in found if _equal(i.value, value)]


class Repeats:
    """Per context: does a new output repeat a value among its ancestors?"""

    __slots__ = ("_indexes",)

    def __init__(self) -> None:
        self._indexes: dict[Definition, _Index] = {}

    def _index(self, definition: Definition) -> _Index:
        index = self._indexes.get(definition)
        if index is None:
            index = self._indexes[definition] = _Index()
        return index

    def note(self, item: Input[Definition]) -> None:
        """Index an input that is not among the context's inputs (a parameter's default)."""
        self._index(item.definition).add(item)

    def __call__(self, item: Input[Definition], known: list[Input[Definition]]) -> bool:
        """``known``: the context's inputs of ``item``'s definition, oldest first (append-only)."""
        index = self._index(item.definition)
        for old in known[index.synced :]:
            index.add(old)
        index.synced = len(known)
        candidates = index.equal(item.value)
        if not candidates:
            return False  # the usual case round a cycle that keeps changing: no walk at all
        wanted = {id(c) for c in candidates}
        return any(id(ancestor) in wanted for ancestor in item.ancestors())
