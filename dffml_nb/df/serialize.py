"""DataFlow <-> dict, JSON / YAML files, and Mermaid text."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from dffml_nb.df.dataflow import DataFlow
from dffml_nb.df.errors import DataFlowError
from dffml_nb.df.operation import Operation
from dffml_nb.df.resolve import resolve
from dffml_nb.df.types import Definition, Input

FORMAT_VERSION = 1


def flow_to_dict(flow: DataFlow) -> dict[str, Any]:
    definitions: dict[str, Any] = {}
    for definition in flow.definitions.values():
        definitions[definition.name] = definition.to_dict()
    seed = []
    for item in flow.seed:
        name = item.definition.name if isinstance(item.definition, Definition) else item.definition
        seed.append({"value": item.value, "definition": name})
    return {
        "dffml_nb": FORMAT_VERSION,
        "definitions": definitions,
        "operations": {o.name: o.to_dict() for o in flow},
        "seed": seed,
    }


def flow_from_dict(data: Any, *, origin: str = "<dict>", trust: bool = False) -> DataFlow:
    """A flow from its dict form; ``trust`` as in :mod:`dffml_nb.df.resolve`."""
    if not isinstance(data, dict) or "operations" not in data:
        raise DataFlowError(
            f"{origin}: not a dataflow; expected a mapping with 'operations' "
            f"(and 'definitions', 'seed'), got {type(data).__name__}"
        )
    defs_data = data.get("definitions") or {}
    definitions: dict[str, Definition] = {}
    for name, spec in defs_data.items():
        try:
            spec = (
                {"name": name, **spec}
                if isinstance(spec, dict)
                else {"name": name, "primitive": spec}
            )
            definitions[name] = Definition.from_dict(
                spec, trust=trust, where=f"{origin}: definition {name!r}"
            )
        except DataFlowError:
            raise
        except Exception as error:
            raise DataFlowError(f"{origin}: definition {name!r} is invalid: {error}") from error

    def definition(name: Any, where: str) -> Definition:
        if isinstance(name, dict):
            return Definition.from_dict(name, trust=trust, where=f"{origin}: {where}")
        found = definitions.get(name)
        if found is None:
            raise DataFlowError(
                f"{origin}: {where} names definition {name!r}, which is not under 'definitions'; "
                f"known: {', '.join(sorted(definitions)) or '(none)'}"
            )
        return found

    operations: list[Operation] = []
    for name, spec in (data.get("operations") or {}).items():
        if isinstance(spec, str):
            spec = {"func": spec}
        path = spec.get("func") or spec.get("name") or name
        target = resolve(path, where=f"{origin}: operation {name!r}", trust=trust)
        where = f"operation {name!r}"
        config: dict[str, Any] = {"name": name}
        if "inputs" in spec:
            config["inputs"] = {
                k: definition(v, f"{where} input {k!r}") for k, v in spec["inputs"].items()
            }
        if "outputs" in spec:
            config["outputs"] = {
                k: definition(v, f"{where} output {k!r}") for k, v in spec["outputs"].items()
            }
        if "conditions" in spec:
            config["conditions"] = [definition(v, f"{where} condition") for v in spec["conditions"]]
        for key in ("expand", "stage", "retry", "runner"):
            if key in spec:
                config[key] = spec[key]
        try:
            if isinstance(target, Operation):
                operations.append(target.replace(**config))
            elif callable(target):
                operations.append(Operation(target, **config))
            else:
                raise TypeError(
                    f"{path!r} is a {type(target).__name__}, not a function or operation"
                )
        except (TypeError, ValueError) as error:
            raise DataFlowError(f"{origin}: {where}: {error}") from error
    seed = []
    for index, item in enumerate(data.get("seed") or []):
        if not isinstance(item, dict) or "definition" not in item:
            raise DataFlowError(
                f"{origin}: seed #{index} must be {{'value': ..., 'definition': name}}"
            )
        name = item["definition"]
        seed.append(Input(item.get("value"), definitions.get(name, name)))
    return DataFlow(*operations, seed=seed)


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    raise DataFlowError(
        f"{path}: unsupported dataflow file suffix {suffix!r}; use .json, .yaml or .yml"
    )


def dumps(flow: DataFlow, fmt: str = "json") -> str:
    data = flow_to_dict(flow)
    if fmt == "json":
        return json.dumps(data, indent=2, default=repr) + "\n"
    if fmt == "yaml":
        import yaml

        return yaml.safe_dump(data, sort_keys=False)
    raise ValueError(f"unknown format {fmt!r}; use 'json' or 'yaml'")


def save_flow(flow: DataFlow, path: Any) -> None:
    path = Path(path)
    text = dumps(flow, _format_of(path))
    # temporary file + rename: an interrupted save never leaves half a file
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_flow(path: Any, *, trust: bool = False) -> DataFlow:
    path = Path(path)
    fmt = _format_of(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFlowError(f"{path}: no such dataflow file") from None
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise DataFlowError(
                f"{path}:{error.lineno}:{error.colno}: malformed JSON: {error.msg}"
            ) from error
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
            problem = getattr(error, "problem", None) or str(error)
            raise DataFlowError(f"{where}: malformed YAML: {problem}") from error
    return flow_from_dict(data, origin=str(path), trust=trust)


def _label(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def mermaid(flow: DataFlow) -> str:
    """Operations as rectangles, definitions as stadiums; flow inputs and leaves styled."""
    lines = ["flowchart LR"]
    ids: dict[str, str] = {}
    flow_inputs, leaves = flow.flow_inputs, flow.leaves
    for index, definition in enumerate(flow.definitions.values()):
        ids[definition.name] = f"d{index}"
        cls = (
            "input"
            if definition.name in flow_inputs
            else "leaf"
            if definition.name in leaves
            else "definition"
        )
        lines.append(
            f'    d{index}(["{_label(definition.name)}: {_label(definition.primitive)}"]):::{cls}'
        )
    for index, operation in enumerate(flow):
        node = f"o{index}"
        lines.append(f'    {node}["{_label(operation.name)}"]:::operation')
        for param, definition in operation.inputs.items():
            label = "" if param == definition.name else f"|{_label(param)}|"
            lines.append(f"    {ids[definition.name]} -->{label} {node}")
        for definition in operation.conditions:
            lines.append(f"    {ids[definition.name]} -.->|condition| {node}")
        for key, definition in operation.outputs.items():
            label = "" if key == definition.name else f"|{_label(key)}|"
            lines.append(f"    {node} -->{label} {ids[definition.name]}")
    lines += [
        "    classDef operation fill:#dbeafe,stroke:#1d4ed8",
        "    classDef definition fill:#f3f4f6,stroke:#6b7280",
        "    classDef input fill:#dcfce7,stroke:#15803d",
        "    classDef leaf fill:#fef3c7,stroke:#b45309",
    ]
    return "\n".join(lines) + "\n"
