"""DataFlow <-> dict, JSON / YAML files, and Mermaid text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dffml_nb.df import configs
from dffml_nb.df.atomic import write_atomic
from dffml_nb.df.dataflow import DataFlow
from dffml_nb.df.errors import DataFlowError
from dffml_nb.df.reader import FORMAT_VERSION, flow_from_dict
from dffml_nb.df.types import Definition

__all__ = ["dumps", "flow_from_dict", "flow_to_dict", "load_flow", "mermaid", "save_flow"]


def flow_to_dict(flow: DataFlow) -> dict[str, Any]:
    definitions: dict[str, Any] = {}
    for definition in flow.definitions.values():
        definitions[definition.name] = definition.to_dict()
    seed = []
    for item in flow.seed:
        name = item.definition.name if isinstance(item.definition, Definition) else item.definition
        seed.append({"value": item.value, "definition": name})
    data: dict[str, Any] = {
        "dffml_nb": FORMAT_VERSION,
        "definitions": definitions,
        "operations": {o.name: o.to_dict() for o in flow},
        "seed": seed,
    }
    # configuration: what operations had bound, and the flow's own (DFFML's "configs")
    configured = {
        o.name: configs.to_file(o, configs.merged(o, flow))
        for o in flow
        if o.config is not None and configs.merged(o, flow)
    }
    if configured:
        data["configs"] = configured
    return data


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
    write_atomic(path, text)  # an interrupted save never leaves half a file


def load_flow(path: Any, *, trust: bool = False) -> DataFlow:
    path = Path(path)
    fmt = _format_of(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFlowError(f"{path}: no such dataflow file") from None
    except UnicodeDecodeError as error:
        raise DataFlowError(
            f"{path}: not a text file (byte {error.start} is not UTF-8); "
            "a dataflow file is JSON or YAML text"
        ) from None
    except OSError as error:
        raise DataFlowError(f"{path}: cannot read the dataflow file: {error.strerror}") from error
    try:
        data = _parse(text, fmt, path)
    except RecursionError:
        raise DataFlowError(
            f"{path}: nested too deeply to read (past Python's recursion limit); a dataflow "
            "file is a few levels deep — is this the right file?"
        ) from None
    return flow_from_dict(data, origin=str(path), trust=trust)


def _parse(text: str, fmt: str, path: Path) -> Any:
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise DataFlowError(
                f"{path}:{error.lineno}:{error.colno}: malformed JSON: {error.msg}"
            ) from error
    import yaml  # only when YAML is read

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or str(error)
        raise DataFlowError(f"{where}: malformed YAML: {problem}") from error


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
