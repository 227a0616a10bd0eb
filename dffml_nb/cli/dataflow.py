"""``dffml-nb dataflow run|diagram|create``."""

from __future__ import annotations

import json
import sys
from typing import Any

from dffml_nb.cli.args import Flag, Flags, UsageError, flag, one, pairs

USAGE = """\
usage: dffml-nb dataflow run FILE -inputs VALUE=DEFINITION ... [-no-strict] [-trust]
       dffml-nb dataflow diagram FILE [-trust]
       (FILE may also be given as -dataflow FILE, DFFML's flag)
       dffml-nb dataflow create OPERATION ... [-seed VALUE=DEFINITION ...] [-format json|yaml]

  run       run a flow saved as JSON/YAML with one context of inputs; prints
            {context: results} as JSON
  diagram   print the flow as Mermaid text
  -trust    let the flow file import the modules its operations name (this
            runs their code): only for files you trust. Without it, only
            registered operations (dffml-nb list operations) are found
  create    build a flow from operations (import paths like pkg.module:func or
            registered names) and print it as JSON (or YAML)
"""


#: the flags of each subcommand (``-dataflow FILE`` is DFFML's spelling of FILE)
COMMANDS = {
    "run": Flags(
        USAGE, (Flag("dataflow"), Flag("inputs", "+"), Flag("no-strict", 0), Flag("trust", 0))
    ),
    "diagram": Flags(USAGE, (Flag("dataflow"), Flag("trust", 0))),
    "create": Flags(USAGE, (Flag("seed", "+"), Flag("format"))),
}


def main(tokens: list[str]) -> int:
    if not tokens or tokens[0] in ("help", "-h", "--help"):
        sys.stdout.write(USAGE)
        return 0
    command, rest = tokens[0], tokens[1:]
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
    from dffml_nb.df import Input

    items = []
    for text, name in pairs(values, what):
        definition = flow.definitions.get(name)
        if definition is None:
            known = ", ".join(sorted(flow.definitions))
            raise UsageError(
                f"{what} {text}={name}: the flow has no definition {name!r}; definitions: {known}"
            )
        items.append(Input(definition.convert(text), definition))
    return items


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
    operations = [
        plugins.import_path(n) if ":" in n else plugins.load("operation", n) for n in rest
    ]
    flow = DataFlow(*operations)
    flow.seed.extend(_typed(flow, options.get("seed", []), "-seed"))
    problems = flow.validate()
    if problems:
        raise UsageError("the flow is not sound: " + "; ".join(problems))
    sys.stdout.write(dumps(flow, one(options, "format", "json")))
    return 0
