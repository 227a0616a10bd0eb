"""Per-operation configuration, as DFFML's ``configs``.

An operation may declare ``config=`` (a dataclass); its function then receives
the configured value as its ``config`` argument, which is not an input::

    @dataclass
    class Database:
        database: str

    @op(config=Database)
    def count(table: str, config: Database) -> int: ...

Values are bound to the operation (``count.configure(database="x.db")``, a
configured copy) or given per flow (``DataFlow(count, configs={"count":
{"database": "x.db"}})``, saved in flow files); the flow's win. The dataclass
is built once per plan, so a field that is missing or unknown, or a value its
``__post_init__`` refuses, stops the run before anything runs, naming the
operation and the field.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dffml_nb.df.reprs import describe_error, short_repr

if TYPE_CHECKING:
    from dffml_nb.df.dataflow import DataFlow
    from dffml_nb.df.operation import Operation

__all__ = ["build", "check_class", "check_fields", "from_file", "problems", "to_file"]


def check_class(config: Any, where: str) -> None:
    """``config`` must be a dataclass (a class), for ``where`` ("operation 'x'")."""
    if not (isinstance(config, type) and dataclasses.is_dataclass(config)):
        raise TypeError(f"{where}: config must be a dataclass, got {short_repr(config)}")


def _fields(config: type) -> dict[str, dataclasses.Field[Any]]:
    return {field.name: field for field in dataclasses.fields(config) if field.init}


def check_fields(config: type | None, values: Mapping[str, Any], where: str) -> None:
    """Every key of ``values`` is a field of ``config``; else a TypeError listing them."""
    if config is None:
        if values:
            raise TypeError(f"{where} takes no configuration (it declares no config=)")
        return
    fields = _fields(config)
    unknown = [name for name in values if name not in fields]
    if unknown:
        raise TypeError(
            f"{where}: {config.__name__} has no field {unknown[0]!r}; its fields: "
            f"{', '.join(fields) or '(none)'}"
        )


def _missing(config: type, values: Mapping[str, Any]) -> list[str]:
    return [
        name
        for name, field in _fields(config).items()
        if name not in values
        and field.default is dataclasses.MISSING
        and field.default_factory is dataclasses.MISSING
    ]


def merged(operation: Operation, flow: DataFlow | None) -> dict[str, Any]:
    """The operation's bound values, overridden by the flow's ``configs`` for it."""
    values = dict(operation.configured)
    if flow is not None:
        values.update(flow.configs.get(operation.name, {}))
    return values


def problems(flow: DataFlow) -> list[str]:
    """What is wrong with the flow's configurations (for ``DataFlow.validate``)."""
    found: list[str] = []
    operations = flow.operations
    for name, values in flow.configs.items():
        operation = operations.get(name)
        if operation is None:
            found.append(
                f"configs name operation {name!r}, which is not in the flow; operations: "
                f"{', '.join(operations) or '(none)'}"
            )
            continue
        try:
            check_fields(operation.config, values, f"operation {name!r}")
        except TypeError as error:
            found.append(str(error))
    for operation in flow:
        if operation.config is None:
            continue
        missing = _missing(operation.config, merged(operation, flow))
        if missing:
            found.append(
                f"operation {operation.name!r} needs config field {missing[0]!r} "
                f"({operation.config.__name__}): give DataFlow(..., configs={{"
                f"{operation.name!r}: {{{missing[0]!r}: ...}}}}) or "
                f"{operation.name}.configure({missing[0]}=...)"
            )
    return found


def build(operation: Operation, flow: DataFlow | None) -> Any:
    """The operation's config object (None if it declares none); a refused value is a
    ``DataFlowError`` naming the operation."""
    if operation.config is None:
        return None
    from dffml_nb.df.errors import DataFlowError

    try:
        return operation.config(**merged(operation, flow))
    except Exception as error:  # noqa: BLE001 - __post_init__ is user code
        raise DataFlowError(
            f"operation {operation.name!r}: its configuration "
            f"{operation.config.__name__} refused the values given: {describe_error(error)}"
        ) from error


# -- flow files ---------------------------------------------------------------------------


def to_file(operation: Operation, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` as a flow file holds them: a DataFlow as its dict form, a saved thing
    (a model) as its location; anything else must be JSON data."""
    from dffml_nb.df.dataflow import DataFlow

    out: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, DataFlow):
            value = value.to_dict()
        elif getattr(value, "location", None) is not None and not isinstance(value, (str, dict)):
            value = str(value.location)
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            from dffml_nb.df.errors import DataFlowError

            raise DataFlowError(
                f"operation {operation.name!r}: config field {name!r} holds "
                f"{type(value).__name__} {short_repr(value)}, which a flow file cannot hold "
                "(JSON data, a DataFlow, or a saved model's location)"
            ) from None
        out[name] = value
    return out


def from_file(
    operation: Operation, values: Mapping[str, Any], *, origin: str, trust: bool
) -> dict[str, Any]:
    """The inverse of :func:`to_file`: fields typed ``DataFlow`` are read as flows."""
    from dffml_nb.df.dataflow import DataFlow

    out = dict(values)
    if operation.config is None:
        return out
    try:
        hints = typing.get_type_hints(operation.config)
    except Exception:  # noqa: BLE001 - unresolvable annotations: leave the values as given
        hints = {}
    for name, value in values.items():
        if hints.get(name) is DataFlow and isinstance(value, dict):
            out[name] = DataFlow.from_dict(
                value, origin=f"{origin}: configs of {operation.name!r} field {name!r}", trust=trust
            )
    return out
