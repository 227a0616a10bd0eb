"""Built-in output operations, configured by a seed of their ``spec`` definition.

DataFlow(add, get_single, seed=[Input(["add"], get_single.inputs["spec"])])
"""

from __future__ import annotations

from typing import Any

from dffml_nb.df.context import Context
from dffml_nb.df.operation import op
from dffml_nb.df.types import Definition

get_single_spec = Definition("get_single_spec", "list")
get_single_output = Definition("get_single_output", "dict")
get_multi_spec = Definition("get_multi_spec", "list")
get_multi_output = Definition("get_multi_output", "dict")
group_by_spec = Definition("group_by_spec", "dict")
group_by_output = Definition("group_by_output", "dict")
associate_spec = Definition("associate_spec", "dict")
associate_output = Definition("associate_output", "dict")


def _aliases(spec: Any) -> dict[str, str]:
    """``["a", "b"]`` or ``{"alias": "a"}`` -> ``{alias: definition name}``."""
    if isinstance(spec, str):
        return {spec: spec}
    if isinstance(spec, dict):
        return {str(k): (v.name if isinstance(v, Definition) else str(v)) for k, v in spec.items()}
    return {
        (item.name if isinstance(item, Definition) else str(item)): (
            item.name if isinstance(item, Definition) else str(item)
        )
        for item in spec
    }


@op(inputs={"spec": get_single_spec}, outputs={"output": get_single_output}, stage="output")
def get_single(spec: Any, ctx: Context) -> dict[str, Any]:
    """``{alias: last value}`` for each definition named in ``spec`` that has a value."""
    want: dict[str, Any] = {}
    for alias, name in _aliases(spec).items():
        values = ctx.values(name)
        if values:
            want[alias] = values[-1]
    return want


@op(inputs={"spec": get_multi_spec}, outputs={"output": get_multi_output}, stage="output")
def get_multi(spec: Any, ctx: Context) -> dict[str, list[Any]]:
    """``{alias: [every value]}`` for each definition named in ``spec``."""
    return {alias: ctx.values(name) for alias, name in _aliases(spec).items()}


@op(inputs={"spec": group_by_spec}, outputs={"output": group_by_output}, stage="output")
def group_by(spec: dict[str, Any], ctx: Context) -> dict[str, dict[Any, list[Any]]]:
    """Group values by an ancestor: ``{alias: {"group": defn, "by": defn}}``.

    Gives ``{alias: {by_value: [group values descended from that by input]}}``.
    """
    want: dict[str, dict[Any, list[Any]]] = {}
    for alias, config in spec.items():
        group, by = _name(config["group"]), _name(config["by"])
        buckets: dict[Any, list[Any]] = {}
        keys = ctx.inputs(by)
        for key in keys:
            buckets.setdefault(_hashable(key.value), [])
        for item in ctx.inputs(group):
            ancestors = [item, *item.ancestors()]
            for key in keys:
                if any(a is key for a in ancestors):
                    buckets[_hashable(key.value)].append(item.value)
        want[alias] = buckets
    return want


@op(inputs={"spec": associate_spec}, outputs={"output": associate_output}, stage="output")
def associate_definition(spec: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """``{key_definition: value_definition}`` -> ``{key_definition: value}``.

    For each input of the value definition whose ancestors include an input of
    the key definition, as DFFML's ``associate_definition`` does.
    """
    want: dict[str, Any] = {}
    for key, value in spec.items():
        key, value = _name(key), _name(value)
        for item in ctx.inputs(value):
            if any(parent.definition_name == key for parent in item.ancestors()):
                want[key] = item.value
    return want


def _name(definition: Any) -> str:
    return definition.name if isinstance(definition, Definition) else str(definition)


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value
