"""``dffml-nb dataflow run|diagram|create``."""

from __future__ import annotations

import json
import sys
from typing import Any

from dffml_nb.cli.args import Flag, Flags, UsageError, cli_value, flag, one, pairs

USAGE = """\
usage: dffml-nb dataflow run [single] FILE -inputs VALUE=DEFINITION ... [-no-strict] [-trust]
       dffml-nb dataflow run records all|set -dataflow FILE -sources ... (run records -h)
       dffml-nb dataflow diagram FILE [-trust]
       (FILE may also be given as -dataflow FILE, DFFML's flag)
       dffml-nb dataflow create [NAME=]OPERATION ... [-inputs VALUE=DEFINITION ...]
           [-flow SOURCES=OPERATION.inputs.PARAMETER ...] [-config VALUE=OPERATION.FIELD ...]
           [-configloader json|yaml]

  run       run a flow saved as JSON/YAML with one context of inputs; prints
            {context: results} as JSON
  diagram   print the flow as Mermaid text
  -trust    let the flow file import the modules its operations name (this
            runs their code): only for files you trust. Without it, only
            registered operations (dffml-nb list operations) are found
  create    build a flow from operations (import paths like pkg.module:func or
            registered names; NAME= renames one) and print it as JSON (or YAML).
            -inputs (or -seed) adds seed values. -flow (DFFML's) says where an input
            comes from: '[{"OPERATION": "OUTPUT"}]' (that output) or '[{"seed": ["DEF"]}]'
            (definition DEF, given by seeds or records). -config sets an operation's
            configuration field (OPERATION.FIELD, or deeper: OPERATION.FIELD.KEY)
"""


#: the flags of each subcommand (``-dataflow FILE`` is DFFML's spelling of FILE)
COMMANDS = {
    "run": Flags(
        USAGE, (Flag("dataflow"), Flag("inputs", "+"), Flag("no-strict", 0), Flag("trust", 0))
    ),
    "diagram": Flags(USAGE, (Flag("dataflow"), Flag("trust", 0))),
    "create": Flags(
        USAGE,
        (
            Flag("seed", "+"),
            Flag("inputs", "+"),
            Flag("flow", "+"),
            Flag("format"),
            Flag("configloader"),
            Flag("config", "+"),
        ),
    ),
}


def main(tokens: list[str]) -> int:
    if not tokens or tokens[0] in ("help", "-h", "--help"):
        sys.stdout.write(USAGE)
        return 0
    command, rest = tokens[0], tokens[1:]
    if command == "run" and rest[:1] == ["records"]:
        from dffml_nb.cli.records import run_records_command

        return run_records_command(rest[1:])
    if command == "run" and rest[:1] == ["single"]:  # DFFML's name for running one context
        rest = rest[1:]
    if command not in COMMANDS:
        raise UsageError(f"unknown dataflow command {command!r}; commands: {', '.join(COMMANDS)}")
    positional, options = COMMANDS[command].parse(rest)
    if command == "run":
        return _run(positional, options)
    if command == "diagram":
        return _diagram(positional, options)
    return _create(positional, options)


def _load(rest: list[str], options: dict[str, list[str]]) -> Any:
    from dffml_nb.df import DataFlow

    files = rest + options.get("dataflow", [])
    if len(files) != 1:
        raise UsageError(
            f"expected one dataflow FILE (or -dataflow FILE), got {len(files)}: dffml-nb dataflow -h"
        )
    try:
        return DataFlow.load(files[0], trust=flag(options, "trust"))
    except Exception as error:
        if files[0] in str(error):
            raise
        # the message comes from deep inside the flow: say which file it is about
        raise ValueError(f"{files[0]}: not a loadable dataflow: {error}") from error


def _typed(flow: Any, values: list[str], what: str) -> list[Any]:
    from dffml_nb.cli.records import typed_values
    from dffml_nb.df import Input

    return [Input(value, definition) for definition, value in typed_values(flow, values, what)]


def _run(rest: list[str], options: dict[str, list[str]]) -> int:
    from dffml_nb.df import run_sync

    flow = _load(rest, options)
    inputs = _typed(flow, options.get("inputs", []), "-inputs")
    results = run_sync(
        flow, {"0": inputs} if inputs else None, strict=not flag(options, "no-strict")
    )
    out = {}
    for context, result in results.items():
        out[context] = dict(result)
        if result.errors:
            out[context]["errors"] = [str(e) for e in result.errors]
    json.dump(out, sys.stdout, indent=2, default=repr)
    sys.stdout.write("\n")
    return 1 if any(r.errors for r in results.values()) else 0


def _diagram(rest: list[str], options: dict[str, list[str]]) -> int:
    sys.stdout.write(_load(rest, options).mermaid())
    return 0


def _create(rest: list[str], options: dict[str, list[str]]) -> int:
    from dffml_nb import plugins
    from dffml_nb.df import DataFlow
    from dffml_nb.df.serialize import dumps

    if not rest:
        raise UsageError("name at least one operation: dffml-nb dataflow -h")
    operations: list[tuple[str, Any]] = []  # (what the command line calls it, operation)
    for word in rest:
        name, _, ref = word.rpartition("=") if "=" in word.split(":", 1)[0] else ("", "", word)
        found = plugins.import_path(ref) if ":" in ref else plugins.load("operation", ref)
        if name:
            found = found.replace(name=name)
        operations.append((name or ref, found))
    for text, target in pairs(options.get("flow", []), "-flow"):
        _link(operations, text, target)
    flow = DataFlow(
        *(o for _, o in operations), configs=_configs(operations, options.get("config", []))
    )
    seeds = options.get("seed", []) + options.get("inputs", [])
    flow.seed.extend(_typed(flow, seeds, "-inputs"))
    problems = flow.validate()
    if problems:
        raise UsageError("the flow is not sound: " + "; ".join(problems))
    fmt = one(options, "format") or one(options, "configloader") or "json"
    sys.stdout.write(dumps(flow, fmt))
    return 0


def _configs(operations: list[tuple[str, Any]], values: list[str]) -> dict[str, Any]:
    """DFFML's ``-config VALUE=OPERATION.FIELD[.KEY...]``: nested configuration values."""
    from dffml_nb.df import Definition

    configs: dict[str, Any] = {}
    anything = Definition("config", "object")
    for text, path in pairs(values, "-config"):
        names = [o.name for _, o in operations]
        found = next(
            (n for n in sorted(names, key=len, reverse=True) if path.startswith(n + ".")), None
        )
        if found is None:
            raise UsageError(
                f"-config {text}={path}: names no operation of the flow ({', '.join(names)}); "
                "expected OPERATION.FIELD"
            )
        *parents, last = path[len(found) + 1 :].split(".")
        target = configs.setdefault(found, {})
        for key in parents:
            target = target.setdefault(key, {})
        target[last] = cli_value(text, anything, f"-config {text}={path}")
    return configs


def _output_of(operations: list[tuple[str, Any]], origin: str, key: str, where: str) -> Any:
    """The definition of ``origin``'s output ``key``. DFFML links one operation to another,
    dffml_nb by definition: an output whose definition another operation produces too
    (DFFML's ``output_data`` of every cleanup operation) is given its own first,
    ``OPERATION.OUTPUT``, so the link means that operation's output only."""
    from dffml_nb.df import Definition

    index = next((i for i, (k, o) in enumerate(operations) if origin in (k, o.name)), None)
    producer = None if index is None else operations[index][1]
    if index is None or producer is None or key not in producer.outputs:
        raise UsageError(f"{where}: no operation {origin!r} with output {key!r}")
    definition = producer.outputs[key]
    shared = any(o is not producer and definition in o.outputs.values() for _, o in operations)
    if shared:
        definition = Definition(f"{producer.name}.{key}", definition.primitive)
        renamed = producer.replace(outputs={**producer.outputs, key: definition})
        operations[index] = (operations[index][0], renamed)
    return definition


def _link(operations: list[tuple[str, Any]], text: str, target: str) -> None:
    """DFFML's ``-flow '[{"op": "output"}]'=other.inputs.param``: where ``param`` comes
    from. dffml_nb links by definition, so the parameter takes that definition."""
    from dffml_nb.df import Definition

    ref, sep, param = target.rpartition(".inputs.")
    index = next((i for i, (key, o) in enumerate(operations) if ref in (key, o.name)), None)
    operation = None if index is None else operations[index][1]
    if not sep or index is None or operation is None or param not in operation.inputs:
        where = (
            f"operation {ref!r} has no input {param!r}; its inputs: {', '.join(operation.inputs)}"
            if operation is not None and sep
            else f"names no operation of the flow ({', '.join(o.name for _, o in operations)})"
        )
        raise UsageError(f"-flow ...={target}: {where}; expected OPERATION.inputs.PARAMETER")
    try:
        sources = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"-flow {text}={target}: not JSON: {error.msg}") from None
    current = operation.inputs[param]
    found = set()
    for source in sources if isinstance(sources, list) else [sources]:
        if source == "seed":
            found.add(current)
            continue
        if not isinstance(source, dict) or len(source) != 1:
            raise UsageError(f'-flow {text}={target}: each source is "seed" or {{name: value}}')
        ((origin, key),) = source.items()
        if origin == "seed":
            for name in key if isinstance(key, list) else [key]:
                found.add(Definition(name, current.primitive))
            continue
        found.add(_output_of(operations, origin, key, f"-flow {text}={target}"))
    if len(found) != 1:
        raise UsageError(
            f"-flow {text}={target}: dffml_nb links operations by definition, so an input "
            "comes from one definition; give one source"
        )
    (definition,) = found
    key = operations[index][0]
    operations[index] = (key, operation.replace(inputs={**operation.inputs, param: definition}))
