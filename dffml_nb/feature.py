"""Features: the named, typed columns a model reads.

A feature is written the DFFML way, ``"Years:int:1"`` (name, dtype, length);
``"Years:int"`` and ``"Years"`` (dtype float, length 1) are short forms.
Standard library only, so ``import dffml_nb.feature`` stays light.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Union, overload

#: dtype names a feature accepts, and the Python type each stands for
DTYPES: dict[str, type] = {"int": int, "float": float, "str": str, "bool": bool}

FeatureSpec = Union["Feature", str]
"""A :class:`Feature` or its text form, ``"Years:int:1"``."""


def _dtype(value: type | str) -> type:
    """The Python type for ``value`` (a type or its name), or ValueError."""
    if isinstance(value, type) and value in DTYPES.values():
        return value
    if isinstance(value, str) and value in DTYPES:
        return DTYPES[value]
    expected = ", ".join(sorted(DTYPES))
    raise ValueError(f"unknown feature dtype {value!r}; expected one of {expected}")


class Feature:
    """One named, typed feature: ``Feature("Years", int, 1)``.

    ``dtype`` is ``int``, ``float``, ``str`` or ``bool`` (a type or its name);
    ``length`` is the number of values (1 for a scalar).
    """

    __slots__ = ("name", "dtype", "length")

    def __init__(self, name: str, dtype: type | str = float, length: int = 1) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"feature name must be a non-empty string, not {name!r}")
        if isinstance(length, bool) or not isinstance(length, int) or length < 1:
            raise ValueError(f"feature {name!r}: length must be a positive integer, not {length!r}")
        self.name = name
        self.dtype = _dtype(dtype)
        self.length = length

    @classmethod
    def parse(cls, spec: FeatureSpec) -> Feature:
        """A Feature from ``"name[:dtype[:length]]"`` (a Feature is returned as is)."""
        if isinstance(spec, Feature):
            return spec
        if not isinstance(spec, str):
            raise TypeError(f"a feature is a Feature or a 'name:dtype:length' string, not {spec!r}")
        parts = spec.split(":")
        problems = []
        if len(parts) > 3:
            problems.append("expected at most three ':'-separated parts")
        name = parts[0].strip()
        if not name:
            problems.append("the name is empty")
        dtype = parts[1].strip() if len(parts) > 1 else "float"
        if dtype not in DTYPES:
            problems.append(
                f"unknown dtype {dtype!r} (expected one of {', '.join(sorted(DTYPES))})"
            )
        length_text = parts[2].strip() if len(parts) > 2 else "1"
        if not length_text.isdigit() or int(length_text) < 1:
            problems.append(f"length {length_text!r} is not a positive integer")
        if problems:
            raise ValueError(
                f"malformed feature spec {spec!r}: {'; '.join(problems)}; "
                "expected 'name:dtype:length', e.g. 'Years:int:1'"
            )
        return cls(name, dtype, int(length_text))

    def export(self) -> dict[str, Any]:
        """``{"name", "dtype", "length"}`` as DFFML exports a feature (JSON-safe)."""
        return {"name": self.name, "dtype": self.dtype.__name__, "length": self.length}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Feature:
        """Inverse of :meth:`export`."""
        return cls(data["name"], data.get("dtype", float), data.get("length", 1))

    def __str__(self) -> str:
        return f"{self.name}:{self.dtype.__name__}:{self.length}"

    def __repr__(self) -> str:
        return f"Feature({self.name!r}, {self.dtype.__name__}, {self.length})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Feature):
            return NotImplemented
        return (self.name, self.dtype, self.length) == (other.name, other.dtype, other.length)

    def __hash__(self) -> int:
        return hash((self.name, self.dtype, self.length))


class Features(Sequence[Feature]):
    """An ordered, immutable sequence of :class:`Feature` with unique names.

    ``Features("Years:int:1", Feature("Trust"))`` — items may be Features or
    their text form.
    """

    __slots__ = ("_items",)

    def __init__(self, *features: FeatureSpec) -> None:
        items = tuple(Feature.parse(feature) for feature in features)
        seen: set[str] = set()
        for feature in items:
            if feature.name in seen:
                raise ValueError(f"feature {feature.name!r} is given twice")
            seen.add(feature.name)
        self._items = items

    @classmethod
    def parse(cls, features: Features | FeatureSpec | Iterable[FeatureSpec] | None) -> Features:
        """Features from one spec, an iterable of specs, or None (no features)."""
        if isinstance(features, Features):
            return features
        if features is None:
            return cls()
        if isinstance(features, (str, Feature)):
            return cls(features)
        return cls(*features)

    def names(self) -> list[str]:
        """The feature names, in order."""
        return [feature.name for feature in self._items]

    def get(self, name: str) -> Feature | None:
        """The feature called ``name``, or None."""
        for feature in self._items:
            if feature.name == name:
                return feature
        return None

    def export(self) -> list[dict[str, Any]]:
        """Each feature's :meth:`Feature.export`."""
        return [feature.export() for feature in self._items]

    @overload
    def __getitem__(self, index: int) -> Feature: ...

    @overload
    def __getitem__(self, index: slice) -> Features: ...

    def __getitem__(self, index: int | slice) -> Feature | Features:
        if isinstance(index, slice):
            return Features(*self._items[index])
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Feature]:
        return iter(self._items)

    def __contains__(self, item: object) -> bool:
        if isinstance(item, str):
            return self.get(item) is not None
        return item in self._items

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Features):
            return self._items == other._items
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        return f"Features({', '.join(repr(str(feature)) for feature in self._items)})"
