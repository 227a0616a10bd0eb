"""DFFML's mapping operations: take a value out of a dict, make a dict of a key and a value."""

from __future__ import annotations

from typing import Any

from dffml_nb.df import Definition, op

MAPPING = Definition("mapping", "dict")
MAPPING_TRAVERSE = Definition("mapping_traverse", "list")
MAPPING_KEY = Definition("key", "str")
MAPPING_VALUE = Definition("value", "generic")


@op(
    name="dffml.mapping.extract",
    inputs={"mapping": MAPPING, "traverse": MAPPING_TRAVERSE},
    outputs={"value": MAPPING_VALUE},
)
def mapping_extract_value(mapping: dict[str, Any], traverse: list[str] | str) -> Any:
    """The value found by following the keys ``traverse`` down through ``mapping``.

    ``traverse`` is a list of keys, or one string of keys separated by dots.

    >>> from dffml_nb import DataFlow, run_sync
    >>> flow = DataFlow(mapping_extract_value)
    >>> run_sync(flow, {"c": {"mapping": {"key1": {"key2": 42}}, "mapping_traverse": ["key1", "key2"]}})
    {'c': {'value': 42}}
    >>> mapping_extract_value({"a": {"b": 1}}, "a.b")
    1
    """
    keys = traverse.split(".") if isinstance(traverse, str) else list(traverse)
    current: Any = mapping
    for depth, key in enumerate(keys):
        try:
            current = current[key]
        except (KeyError, IndexError, TypeError):
            where = ".".join(map(str, keys[:depth])) or "the mapping"
            found = list(current) if isinstance(current, dict) else type(current).__name__
            raise KeyError(
                f"no key {key!r} under {where} (following {keys}); there: {found}"
            ) from None
    return current


@op(
    name="dffml.mapping.create",
    inputs={"key": MAPPING_KEY, "value": MAPPING_VALUE},
    outputs={"mapping": MAPPING},
)
def create_mapping(key: str, value: Any) -> dict[str, Any]:
    """``{key: value}``.

    >>> from dffml_nb import DataFlow, run_sync
    >>> run_sync(DataFlow(create_mapping), {"c": {"key": "key1", "value": 42}})
    {'c': {'mapping': {'key1': 42}}}
    """
    return {key: value}
