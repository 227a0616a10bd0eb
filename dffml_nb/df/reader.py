"""Read a flow's dict form (from a JSON / YAML file or a caller) into a DataFlow.

The dict is untrusted data: every section and field is checked for its shape,
and anything wrong is a :class:`DataFlowError` that names the file, the place
(``operation 'add' input 'a'``) and what was expected — never a raw
``AttributeError`` or ``TypeError``. Code it names is found by
:func:`dffml_nb.df.resolve.resolve`, which imports nothing unless ``trust``.
"""

from __future__ import annotations

from typing import Any

from dffml_nb.df import configs
from dffml_nb.df.dataflow import DataFlow
from dffml_nb.df.errors import DataFlowError
from dffml_nb.df.operation import Operation
from dffml_nb.df.reprs import short_repr
from dffml_nb.df.resolve import resolve
from dffml_nb.df.types import Definition, Input

__all__ = ["FORMAT_VERSION", "flow_from_dict"]

FORMAT_VERSION = 1
_DEFINITION_FIELDS = {"name": str, "primitive": str, "lock": bool, "spec": str, "validate": str}
# operation field -> (type, what it must be)
_OPERATION_FIELDS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "func": (str, "an import path or registered name"),
    "name": (str, "an import path or registered name"),
    "inputs": (dict, "a mapping {parameter: definition}"),
    "outputs": (dict, "a mapping {output: definition}"),
    "conditions": (list, "a list of definition names"),
    "expand": (list, "a list of output names"),
    "stage": (str, "'processing', 'cleanup' or 'output'"),
    "retry": (int, "a whole number"),
    "runner": (str, "'inline' or 'thread'"),
}


def _got(value: Any) -> str:
    return f"got {type(value).__name__}: {short_repr(value)}"


class _Reader:
    """One read of one flow dict; ``origin`` (a file name) starts every message."""

    def __init__(self, origin: str, trust: bool) -> None:
        self.origin = origin
        self.trust = trust
        self.definitions: dict[str, Definition] = {}

    def fail(self, where: str, message: str) -> DataFlowError:
        return DataFlowError(f"{self.origin}: {where}: {message}")

    def section(self, data: dict[str, Any], key: str, expected_type: type, expected: str) -> Any:
        value = data.get(key)
        if value is None:
            return expected_type()
        if not isinstance(value, expected_type):
            raise self.fail(f"'{key}'", f"must be {expected}, {_got(value)}")
        return value

    def name(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(where, f"a name must be a non-empty string, {_got(value)}")
        return value

    # -- definitions -------------------------------------------------------------------

    def definition(self, name: str, spec: Any, where: str) -> Definition:
        """``spec``: a primitive name, or ``{"primitive": ..., "lock": ..., ...}``."""
        if isinstance(spec, str):
            spec = {"primitive": spec}
        elif spec is None:
            spec = {}
        if not isinstance(spec, dict):
            raise self.fail(
                where, f"must be a primitive name or a mapping of its fields, {_got(spec)}"
            )
        for field, field_type in _DEFINITION_FIELDS.items():
            value = spec.get(field)
            if value is not None and not isinstance(value, field_type):
                raise self.fail(where, f"'{field}' must be a {field_type.__name__}, {_got(value)}")
        try:
            return Definition.from_dict(
                {**spec, "name": name}, trust=self.trust, where=f"{self.origin}: {where}"
            )
        except DataFlowError:
            raise
        except (TypeError, ValueError) as error:
            raise self.fail(where, f"is invalid: {error}") from error

    def definitions_of(self, section: dict[Any, Any]) -> None:
        for key, spec in section.items():
            where = f"definition {short_repr(key)}"
            name = self.name(key, where)
            self.definitions[name] = self.definition(name, spec, f"definition {name!r}")

    def reference(self, value: Any, where: str) -> Definition:
        """A definition named (or, DFFML style, written out) where an operation uses it."""
        if isinstance(value, dict):
            return self.definition(self.name(value.get("name"), where), value, where)
        if not isinstance(value, str):
            raise self.fail(where, f"must name a definition, {_got(value)}")
        found = self.definitions.get(value)
        if found is None:
            known = ", ".join(sorted(self.definitions)) or "(none)"
            raise self.fail(
                where,
                f"names definition {value!r}, which is not under 'definitions'; known: {known}",
            )
        return found

    # -- operations --------------------------------------------------------------------

    def operation(self, name: str, spec: Any) -> Operation:
        where = f"operation {name!r}"
        if isinstance(spec, str):
            spec = {"func": spec}
        elif spec is None:
            spec = {}
        if not isinstance(spec, dict):
            raise self.fail(where, f"must be an import path or a mapping of fields, {_got(spec)}")
        for field, (field_type, expected) in _OPERATION_FIELDS.items():
            value = spec.get(field)
            if value is not None and (not isinstance(value, field_type) or isinstance(value, bool)):
                raise self.fail(where, f"'{field}' must be {expected}, {_got(value)}")
        path = spec.get("func") or spec.get("name") or name
        target = resolve(path, where=f"{self.origin}: {where}", trust=self.trust)
        settings: dict[str, Any] = {"name": name}
        for field in ("inputs", "outputs"):
            if spec.get(field) is not None:
                role = field[:-1]
                settings[field] = {
                    self.name(key, f"{where} {role}s"): self.reference(
                        value, f"{where} {role} {key!r}"
                    )
                    for key, value in spec[field].items()
                }
        if spec.get("conditions") is not None:
            settings["conditions"] = [
                self.reference(v, f"{where} condition") for v in spec["conditions"]
            ]
        if spec.get("expand") is not None:
            settings["expand"] = [self.name(v, f"{where} expand") for v in spec["expand"]]
        for field in ("stage", "retry", "runner"):
            if spec.get(field) is not None:
                settings[field] = spec[field]
        try:
            if isinstance(target, Operation):
                return target.replace(**settings)
            if callable(target):
                return Operation.from_function(target, **settings)
            raise TypeError(f"{path!r} is a {type(target).__name__}, not a function or operation")
        except (TypeError, ValueError) as error:
            raise self.fail(where, str(error)) from error

    # -- configs (DFFML's per-operation configuration) ---------------------------------------

    def configs_of(
        self, operations: list[Operation], given: dict[str, Any]
    ) -> dict[str, dict[str, Any]]:
        by_name = {o.name: o for o in operations}
        out: dict[str, dict[str, Any]] = {}
        for name, values in given.items():
            where = f"configs of operation {short_repr(name)}"
            if not isinstance(values, dict):
                raise self.fail(where, f"must be a mapping {{field: value}}, {_got(values)}")
            operation = by_name.get(name)
            if operation is None:
                known = ", ".join(by_name) or "(none)"
                raise self.fail(where, f"no such operation in this flow; operations: {known}")
            out[name] = configs.from_file(operation, values, origin=self.origin, trust=self.trust)
        return out

    # -- seed ----------------------------------------------------------------------------

    def seed_of(self, section: list[Any]) -> list[Input[Any]]:
        seed: list[Input[Any]] = []
        for index, item in enumerate(section):
            if not isinstance(item, dict) or not isinstance(item.get("definition"), str):
                raise self.fail(
                    f"seed #{index}", f"must be {{'value': ..., 'definition': name}}, {_got(item)}"
                )
            name: str = item["definition"]
            known = self.definitions.get(name)
            seed.append(Input(item.get("value"), name if known is None else known))
        return seed


def flow_from_dict(data: Any, *, origin: str = "<dict>", trust: bool = False) -> DataFlow:
    """A flow from its dict form; ``trust`` as in :mod:`dffml_nb.df.resolve`."""
    if not isinstance(data, dict) or "operations" not in data:
        raise DataFlowError(
            f"{origin}: not a dataflow; expected a mapping with 'operations' "
            f"(and 'definitions', 'seed'), got {type(data).__name__}"
        )
    reader = _Reader(origin, trust)
    version = data.get("dffml_nb", FORMAT_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version > FORMAT_VERSION:
        raise reader.fail(
            "'dffml_nb'",
            f"format version {short_repr(version)} is not one this dffml_nb reads "
            f"(1 to {FORMAT_VERSION}); was it written by a newer version?",
        )
    reader.definitions_of(reader.section(data, "definitions", dict, "a mapping {name: definition}"))
    operations = [
        reader.operation(reader.name(name, f"operation {short_repr(name)}"), spec)
        for name, spec in reader.section(
            data, "operations", dict, "a mapping {name: operation}"
        ).items()
    ]
    seed = reader.seed_of(reader.section(data, "seed", list, "a list of {value, definition}"))
    given = reader.section(data, "configs", dict, "a mapping {operation: {field: value}}")
    return DataFlow(*operations, seed=seed, configs=reader.configs_of(operations, given))
