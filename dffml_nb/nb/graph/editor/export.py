"""The editor's flow as text: JSON, YAML, Mermaid, a Python module, a notebook cell; atomic saves.

Pure Python. The Python form rebuilds the flow exactly — every operation
with its definitions and settings, and the seed — importing functions from
their modules and copying the source of functions defined in the notebook.
"""

from __future__ import annotations

import ast
import inspect
import keyword
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

from dffml_nb.df import NO_DEFAULT, DataFlow, Definition, Operation, op

__all__ = ["FORMATS", "cell_text", "export_text", "python_source", "save_text"]

FORMATS = ("json", "yaml", "mermaid", "python")
#: modules whose functions the notebook defines (their source is copied, not imported)
_NOTEBOOK_MODULES = ("__main__", "builtins")


def export_text(flow: DataFlow, fmt: str, *, name: str = "flow") -> str:
    """``flow`` as ``json``, ``yaml``, ``mermaid`` or ``python`` text."""
    if fmt == "mermaid":
        return flow.mermaid()
    if fmt == "python":
        return python_source(flow, name=name)
    if fmt in ("json", "yaml"):
        from dffml_nb.df.serialize import dumps

        return dumps(flow, fmt)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def save_text(path: Any, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (:mod:`dffml_nb.df.atomic`): an interrupted save
    leaves the old file as it was."""
    from dffml_nb.df.atomic import write_atomic

    return Path(write_atomic(path, text))


# -- Python ----------------------------------------------------------------------------------


def _identifier(name: str, taken: set[str]) -> str:
    base = re.sub(r"\W", "_", name) or "_"
    if base[0].isdigit() or keyword.iskeyword(base):
        base = f"_{base}"
    final, n = base, 2
    while final in taken:
        final, n = f"{base}_{n}", n + 1
    taken.add(final)
    return final


def _literal(value: Any) -> str | None:
    """``repr(value)`` if it reads back as an equal value, else None."""
    text = repr(value)
    try:
        return text if ast.literal_eval(text) == value else None
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _function_of(operation: Operation) -> Any:
    return operation.func


def _source_of(func: Any) -> str | None:
    try:
        return textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        return None


def _base(func: Any) -> tuple[str, str]:
    module = str(getattr(func, "__module__", None) or "")
    qualname = str(getattr(func, "__qualname__", None) or getattr(func, "__name__", ""))
    return module, qualname


class _Writer:
    """Collects imports, copied sources and definitions while the operations are written."""

    def __init__(self) -> None:
        self.imports: dict[str, set[str]] = {"dffml_nb.df": {"DataFlow", "Definition", "op"}}
        self.sources: list[str] = []
        self.notes: list[str] = []
        self.names: set[str] = {"DataFlow", "Definition", "Input", "op", "flow"}
        self.functions: dict[int, str] = {}
        self.definitions: dict[tuple[str, str], str] = {}
        self.definition_lines: list[str] = []

    def function(self, operation: Operation) -> str:
        """The name the module gives ``operation``'s function (importing or copying it)."""
        func = _function_of(operation)
        if id(func) in self.functions:
            return self.functions[id(func)]
        module, qualname = _base(func)
        if module not in _NOTEBOOK_MODULES and "<locals>" not in qualname and module:
            head = qualname.split(".")[0]
            local = _identifier(head, self.names)
            self.imports.setdefault(module, set()).add(
                head if local == head else f"{head} as {local}"
            )
            ref = local + qualname[len(head) :]
        else:
            source = _source_of(func)
            ref = _identifier(getattr(func, "__name__", operation.name), self.names)
            if source is not None and "<locals>" not in qualname and "lambda" not in qualname:
                # strip decorators: the flow below says every setting explicitly
                tree_lines = source.splitlines()
                while tree_lines and tree_lines[0].lstrip().startswith("@"):
                    tree_lines.pop(0)
                text = "\n".join(tree_lines)
                defined = re.match(r"\s*(?:async\s+)?def\s+(\w+)", text)
                if defined and defined.group(1) != ref:
                    text = text.replace(f"def {defined.group(1)}", f"def {ref}", 1)
                self.sources.append(text.rstrip() + "\n")
            else:
                self.notes.append(
                    f"# NOTE: {operation.name!r} calls {qualname or operation.name!r}, which was made "
                    "at run time (a model's or a flow's operation, a closure); define it here as "
                    f"`{ref}`."
                )
        self.functions[id(func)] = ref
        return ref

    def definition(self, definition: Definition) -> str:
        key = (definition.name, definition.primitive)
        if key in self.definitions:
            return self.definitions[key]
        ref = _identifier(f"{definition.name}_def", self.names)
        extra = ""
        if definition.lock:
            extra += ", lock=True"
        if definition.default is not NO_DEFAULT:
            literal = _literal(definition.default)
            if literal is not None:
                extra += f", default={literal}"
        self.definition_lines.append(
            f"{ref} = Definition({definition.name!r}, {definition.primitive!r}{extra})"
        )
        self.definitions[key] = ref
        return ref

    def operation(self, operation: Operation) -> str:
        func = self.function(operation)
        parts = [func, f"name={operation.name!r}"]
        ins = ", ".join(f"{k!r}: {self.definition(d)}" for k, d in operation.inputs.items())
        outs = ", ".join(f"{k!r}: {self.definition(d)}" for k, d in operation.outputs.items())
        parts += [f"inputs={{{ins}}}", f"outputs={{{outs}}}"]
        base = _imported_operation(operation.func)
        if operation.conditions or (base is not None and base.conditions):
            parts.append(
                f"conditions=[{', '.join(self.definition(d) for d in operation.conditions)}]"
            )
        if operation.expand or (base is not None and base.expand):
            parts.append(f"expand={sorted(operation.expand)!r}")
        for setting, default in (("stage", "processing"), ("retry", 0), ("runner", "inline")):
            value = getattr(operation, setting)
            if (
                value != (getattr(base, setting) if base is not None else default)
                or value != default
            ):
                parts.append(f"{setting}={value!r}")
        call = f"op({', '.join(parts)})"
        if len(call) <= 88:
            return call
        inner = "".join(f"        {part},\n" for part in parts)
        return f"op(\n{inner}    )"


def _imported_operation(func: Any) -> Operation | None:
    """The operation a module binds for ``func`` (what ``from module import name`` gives)."""
    module, qualname = _base(func)
    if module in _NOTEBOOK_MODULES or "<locals>" in qualname:
        return None
    found: Any = sys.modules.get(module)
    for part in qualname.split("."):
        found = getattr(found, part, None)
    return found if isinstance(found, Operation) else None


def python_source(flow: DataFlow, *, name: str = "flow") -> str:
    """An importable module that builds ``flow`` (as ``flow`` and as ``name``)."""
    writer = _Writer()
    operations = [writer.operation(o) for o in flow]
    seeds = []
    for item in flow.seed:
        definition = item.definition
        ref = (
            writer.definition(definition)
            if isinstance(definition, Definition)
            else repr(definition)
        )
        literal = _literal(item.value)
        if literal is None:
            writer.notes.append(
                f"# NOTE: the seed of {getattr(definition, 'name', definition)!r} "
                f"({type(item.value).__name__}) cannot be written as a literal; set it here."
            )
            continue
        seeds.append(f"Input({literal}, {ref})")
    if seeds:
        writer.imports["dffml_nb.df"].add("Input")
    imports = [
        f"from {module} import {', '.join(sorted(names))}"
        for module, names in sorted(
            writer.imports.items(), key=lambda kv: (kv[0] != "dffml_nb.df", kv[0])
        )
    ]
    body = ",\n".join(f"    {line}" for line in operations)
    seed = ""
    if seeds:
        seed = "    seed=[\n" + "".join(f"        {s},\n" for s in seeds) + "    ],\n"
    configs = {n: v for n, v in getattr(flow, "configs", {}).items() if v}
    if configs:
        literal = _literal(configs)
        if literal is None:
            writer.notes.append("# NOTE: the flow's configs are not literals; set them here.")
        else:
            seed += f"    configs={literal},\n"
    parts = [
        f'"""Dataflow {name!r}, built with the dffml_nb flow editor."""',
        "\n".join(imports),
        *writer.notes,
        *writer.sources,
        "\n".join(writer.definition_lines),
        f"flow = DataFlow(\n{body}{',' if body else ''}\n{seed})",
    ]
    if name != "flow" and name.isidentifier():
        parts.append(f"{name} = flow")
    return "\n\n".join(p for p in parts if p) + "\n"


def _magic_form(flow: DataFlow) -> list[str] | None:
    """The sources of a ``%%dffml flow`` cell that makes exactly ``flow``, or None.

    That is the case when every operation is a notebook function, named and
    wired as ``@op`` infers from its signature, with default settings and no seed.
    """
    if flow.seed:
        return None
    sources = []
    for operation in flow:
        func = operation.func
        module, qualname = _base(func)
        if module not in _NOTEBOOK_MODULES or "<locals>" in qualname:
            return None
        source = _source_of(func)
        if source is None or source.lstrip().startswith("@"):
            return None
        inferred = op(func)
        if inferred.to_dict() != operation.to_dict() or inferred.name != operation.name:
            return None
        if [d.primitive for d in inferred.definitions()] != [
            d.primitive for d in operation.definitions()
        ]:
            return None
        sources.append(source.rstrip() + "\n")
    return sources


def cell_text(flow: DataFlow, name: str = "flow") -> tuple[str, str]:
    """``(kind, text)``: a ``%%dffml flow NAME`` cell when it makes exactly ``flow``, else Python.

    ``kind`` is ``"magic"`` or ``"python"``.
    """
    if not name.isidentifier():
        raise ValueError(f"the cell binds the flow to a Python name; {name!r} is not one")
    sources = _magic_form(flow) if len(flow) else None
    if sources:
        return "magic", f"%%dffml flow {name}\n" + "\n\n".join(sources)
    text = python_source(flow, name=name)
    # a cell shows the flow's graph as its last value
    return "python", text + f"\n{name}\n"
