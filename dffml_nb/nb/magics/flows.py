"""``%%dffml flow``, ``%dffml show | run | list | export | help``: dataflows in a notebook.

    %%dffml flow calc
    def add(a: int, b: int) -> int:
        return a + b
    def double(add: int) -> int:
        return add * 2

    r = %dffml run calc a=1 b=2        # r == {"double": 6}
    %dffml show calc                   # the graph (the one the cell drew)
    %dffml list
    %dffml export calc --format python -o calc_flow.py

Mistakes (a syntax error, functions whose types don't agree, a missing or
badly typed input, an unknown flow) give a short message and leave the
previous flow and its graph as they were.
"""

from __future__ import annotations

import ast
import builtins
import concurrent.futures
import dis
import html
import itertools
import json
import linecache
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic_arguments import argument, magic_arguments

from dffml_nb.df import DataFlow, DataFlowError, OperationError, PoolError, op
from dffml_nb.df.operation import Operation
from dffml_nb.df.pool import Pool
from dffml_nb.nb.magics import parse

if TYPE_CHECKING:
    from dffml_nb.nb.magics import DffmlMagics

__all__ = ["ExportText", "FlowEntry", "RunResults", "define_flow", "export_text", "register"]

EXPORT_FORMATS = ("json", "yaml", "mermaid", "python")
_CELLS = itertools.count(1)  # numbers the pseudo file names of flow cells
_MISSING = object()


@dataclass
class FlowEntry:
    """A flow defined with ``%%dffml flow``: the flow, its cell and its function names."""

    flow: DataFlow
    source: str
    functions: list[str]


class ExportText(str):
    """Exported text whose repr is the text itself, so it reads well as a cell's output."""

    def __repr__(self) -> str:
        return str(self)


class RunResults(dict):
    """``{definition: value}`` of a ``%dffml run``, shown as a table; ``errors`` as in Results."""

    errors: list[Any]

    def __init__(self, *args: Any, errors: list[Any] | None = None, flow: str = "") -> None:
        super().__init__(*args)
        self.errors = list(errors or [])
        self.flow = flow

    def _repr_html_(self) -> str:
        return _results_table({"0": self}, self.flow)


@magic_arguments("dffml flow")
@argument("name", metavar="NAME", help="a Python identifier: the flow is bound to it")
def define_flow(magics: DffmlMagics, argv: list[str], cell: str) -> None:
    """(cell) every top-level function in the cell becomes an
    operation of dataflow NAME, bound as variable NAME; shows its graph"""
    name = parse(define_flow, argv).name
    if not name.isidentifier():
        raise UsageError("usage: %%dffml flow NAME  (NAME: a Python identifier, bound to the flow)")
    keep = (
        f"flow {name!r} is unchanged" if name in magics.flows else f"flow {name!r} was not defined"
    )
    shell = magics.shell
    if shell is None:
        raise UsageError("%%dffml flow: needs an IPython shell (load it with %load_ext dffml_nb)")
    code = shell.transform_cell(cell)
    tree, functions = _parse_cell(name, code, keep)
    namespace = shell.user_ns
    before = dict(namespace)  # a refused cell leaves the notebook's names as they were
    try:
        _execute(name, code, tree, namespace, keep)
        operations = _operations(name, functions, namespace, keep)
        flow = DataFlow(*operations)
        problems = flow.validate()
        if problems:
            listed = "\n".join(f"  - {p}" for p in problems)
            hints = _annotation_hints(operations, problems)
            raise UsageError(
                f"%%dffml flow {name}: the functions don't fit together:\n{listed}{hints}\n{keep}"
            )
    except UsageError:
        _restore(namespace, before)
        raise
    magics.flows[name] = FlowEntry(flow, cell, functions)
    namespace[name] = flow
    graph = magics.graphs.get(name)
    if graph is None:
        graph = magics.graph(name)
    else:
        graph.update_flow(flow)
        magics.register_graph(flow, graph)
    magics.display(graph)  # drawing the live graph is this magic's job


def _parse_cell(name: str, code: str, keep: str) -> tuple[ast.Module, list[str]]:
    """The cell's syntax tree and the names of its top-level functions."""
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        where = f"line {error.lineno}" + (f", column {error.offset}" if error.offset else "")
        text = (error.text or "").rstrip()
        raise UsageError(
            f"%%dffml flow {name}: syntax error at {where}: {error.msg}"
            + (f"\n    {text}" if text else "")
            + f"\n{keep}"
        ) from None
    functions = [
        node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    if not functions:
        raise UsageError(
            f"%%dffml flow {name}: the cell defines no top-level function; each `def` becomes "
            f"an operation\n{keep}"
        )
    return tree, functions


def _execute(name: str, code: str, tree: ast.Module, namespace: dict[str, Any], keep: str) -> None:
    """Run the cell in the notebook's namespace, as IPython would."""
    # a file name per definition, with its source in linecache, so tracebacks
    # from these operations show their lines
    filename = f"<dffml flow {name} #{next(_CELLS)}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    try:
        exec(compile(tree, filename, "exec"), namespace)
    except Exception as error:
        raise UsageError(
            f"%%dffml flow {name}: the cell raised {_where(error, filename)}"
            f"{type(error).__name__}: {error}\n{keep}"
        ) from None


def _operations(
    name: str, functions: list[str], namespace: dict[str, Any], keep: str
) -> list[Operation]:
    """An operation per function the cell defined (an ``@op`` stays as it is)."""
    operations: list[Operation] = []
    for function in functions:
        obj = namespace.get(function)
        if isinstance(obj, Operation):
            operations.append(obj)
        elif callable(obj):
            try:
                operations.append(op(obj))
            except (TypeError, ValueError) as error:
                raise UsageError(
                    f"%%dffml flow {name}: function {function!r}: {error}\n{keep}"
                ) from None
        else:
            raise UsageError(
                f"%%dffml flow {name}: {function!r} is defined by the cell but rebound to a "
                f"{type(obj).__name__}; only functions become operations\n{keep}"
            )
    return operations


def _restore(namespace: dict[str, Any], before: dict[str, Any]) -> None:
    """Put back every name the refused cell bound or rebound; drop the ones it added."""
    for key in [key for key in namespace if key not in before]:
        del namespace[key]
    for key, value in before.items():
        if namespace.get(key, _MISSING) is not value:
            namespace[key] = value


@magic_arguments("dffml show")
@argument("name", metavar="NAME")
def show(magics: DffmlMagics, argv: list[str]) -> Any:
    """the flow's live graph (the one its cell drew); returns it"""
    return magics.graph(parse(show, argv).name)


@magic_arguments("dffml list")
def list_flows(magics: DffmlMagics, argv: list[str]) -> None:
    """the flows defined in this kernel"""
    parse(list_flows, argv)
    if not magics.flows:
        print("no flows yet — define one with `%%dffml flow NAME`")
        return None
    for name, entry in magics.flows.items():
        flow = entry.flow
        inputs = ", ".join(flow.flow_inputs) or "-"
        ops = ", ".join(o.name for o in flow)
        print(
            f"{name}: {len(flow)} operation{'s' if len(flow) != 1 else ''} ({ops}); inputs: {inputs}"
        )
    return None


@magic_arguments("dffml run")
@argument("name", metavar="NAME")
@argument(
    "values",
    nargs="*",
    metavar="DEFINITION=VALUE",
    help="an input by definition name, converted to the definition's type (with "
    "-sources: added to every record's context)",
)
@argument(
    "-sources",
    nargs="+",
    metavar="VAR",
    help="run over the records of these notebook variables (DataFrames, dict rows, "
    "records, sources) or files: each record one context, its features seeding the "
    "definitions named like them; returns a DataFrame with a column per result",
)
@argument("-record-def", dest="record_def", metavar="DEF", help="-sources: seed each key as DEF")
@argument(
    "-columnar",
    action="store_true",
    help="-sources: run once, each feature a whole column (pandas Series)",
)
@argument(
    "-pool",
    metavar="VAR",
    help="run its runner='process' operations in the pool held by notebook variable VAR "
    "(a dask.distributed.Client or a concurrent.futures.Executor)",
)
def run(magics: DffmlMagics, argv: list[str]) -> Any:
    """run with inputs by definition name (values converted to each
    definition's type); animates the graph; returns {definition: value}. With
    -sources, over records: returns the DataFrame with the flow's results"""
    args = parse(run, argv)
    name = args.name
    flow = magics.flow(name)
    options = {"pool": _pool(magics, name, args.pool)} if args.pool else {}
    if args.sources:
        return _run_records(magics, name, flow, args, options)
    if args.record_def or args.columnar:
        raise UsageError(f"%dffml run {name}: -record-def and -columnar go with -sources VAR")
    values = _input_values(name, flow, args.values)
    graph = magics.graph(name)
    try:
        results = graph.run({"0": values}, **options)
    except OperationError as error:
        magics.failed(error)
        print(f"%dffml run {name}: {_short_failure(error)}", file=sys.stderr)
        return None
    except (DataFlowError, PoolError) as error:  # an operation the pool cannot take, a lost pool
        magics.failed(error)
        print(f"%dffml run {name}: {error}", file=sys.stderr)
        return None
    first = results.get("0", {})
    return RunResults(first, errors=getattr(first, "errors", []), flow=name)


def _pool(magics: DffmlMagics, name: str, variable: str) -> Any:
    """The pool held by notebook variable ``variable`` (-pool VAR)."""
    shell = magics.shell
    namespace: dict[str, Any] = shell.user_ns if shell is not None else {}
    if variable not in namespace:
        raise UsageError(
            f"%dffml run {name}: -pool {variable}: no variable {variable!r} in the notebook; "
            "-pool takes the name of a variable holding a dask.distributed.Client (e.g. "
            "client = Client(LocalCluster())) or a concurrent.futures.Executor"
        )
    pool = namespace[variable]
    if not (
        isinstance(pool, (concurrent.futures.Executor, Pool))
        or type(pool).__module__.startswith("distributed.")
    ):
        raise UsageError(
            f"%dffml run {name}: -pool {variable}: {variable} is a {type(pool).__name__}, not a "
            "dask.distributed.Client or a concurrent.futures.Executor"
        )
    return pool


def _run_records(
    magics: DffmlMagics, name: str, flow: DataFlow, args: Any, options: dict[str, Any]
) -> Any:
    """``%dffml run NAME -sources VAR ...``: ``run_records`` over the variables' records,
    the graph animated with a progress bar over them; the new DataFrame, or None.
    ``options``: more of ``run_records``' options (``pool``)."""
    from dffml_nb.records import run_records

    namespace: dict[str, Any] = magics.shell.user_ns if magics.shell is not None else {}
    data = [_records_source(name, namespace, word) for word in args.sources]
    inputs = _input_values(name, flow, args.values, required=False)
    total = 1 if args.columnar else sum(_count(item) for item in data)
    graph = magics.graph(name)
    try:
        with graph.watching(total, unit="records") as subscriber:
            return run_records(
                flow,
                *data,
                record_def=args.record_def,
                inputs=inputs,
                as_frame=True,
                columnar=args.columnar,
                on_events=subscriber,
                **options,
            )
    except OperationError as error:
        magics.failed(error)
        print(f"%dffml run {name}: {_short_failure(error)}", file=sys.stderr)
    except (DataFlowError, PoolError) as error:
        magics.failed(error)
        print(f"%dffml run {name}: {' '.join(str(error).split())}", file=sys.stderr)
    return None


def _records_source(name: str, namespace: dict[str, Any], word: str) -> Any:
    """``-sources`` names a notebook variable (its value) or a file (its path)."""
    if word in namespace:
        return namespace[word]
    if Path(word).is_file():
        return word
    raise UsageError(
        f"%dffml run {name}: -sources {word}: no variable {word!r} in the notebook and no "
        "file of that name; give a DataFrame (or dict rows, records, a source) variable"
    )


def _count(data: Any) -> int:
    """How many records ``data`` holds (for the progress bar)."""
    from dffml_nb.source import open_source
    from dffml_nb.source.resolve import is_frame

    if is_frame(data):
        return len(data)
    if isinstance(data, dict):
        return 1
    return len(open_source(data))


def _input_values(
    name: str, flow: DataFlow, pairs: list[str], required: bool = True
) -> dict[str, Any]:
    """``["a=1", "b=2"]`` -> ``{"a": 1, "b": 2}``, converted; every flow input must be given.

    Values are converted with each definition's ``convert`` (``int``, ``float``,
    ``bool``, JSON for ``list`` / ``dict``). A flow input is required unless a
    seed or a parameter default supplies it.
    """
    definitions = flow.definitions
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"%dffml run {name}: expected definition=value, got {pair!r}")
        definition = definitions.get(key)
        if definition is None:
            raise UsageError(
                f"%dffml run {name}: no definition {key!r} in flow {name!r}; "
                f"its inputs are {_names(flow.flow_inputs)} (definitions: {_names(definitions)})"
            )
        try:
            values[key] = definition.convert(text)
        except ValueError:
            raise UsageError(
                f"%dffml run {name}: {key}={text!r}: definition {key!r} expects "
                f"{_article(definition.primitive)} {definition.primitive}, and {text!r} is not one"
            ) from None
    missing = _missing_inputs(flow, values) if required else []
    if missing:
        example = " ".join(f"{m}=..." for m in missing)
        raise UsageError(
            f"%dffml run {name}: missing input{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (flow inputs: {_names(flow.flow_inputs)}); "
            f"e.g. %dffml run {name} {example}"
        )
    return values


@magic_arguments("dffml export")
@argument("name", metavar="NAME")
@argument("-f", "--format", default="json", help="json (default), yaml, mermaid or python")
@argument("-o", "--output", metavar="FILE", help="write it to FILE instead of returning it")
@argument(
    "-m",
    "--module",
    metavar="MODULE",
    help="json / yaml: name the notebook's functions as MODULE:function (the python export)",
)
def export(magics: DffmlMagics, argv: list[str]) -> ExportText | None:
    """the flow as text (python: an importable module); -o writes a file"""
    args = parse(export, argv)
    if args.format not in EXPORT_FORMATS:
        raise UsageError(
            f"%dffml export: unknown format {args.format!r}; use one of {', '.join(EXPORT_FORMATS)}"
        )
    magics.flow(args.name)
    text = ExportText(export_text(magics, args.name, args.format, module=args.module))
    if args.output is None:
        return text
    _write(args.output, text)
    print(f"wrote {args.format} of flow {args.name!r} to {args.output}")
    return None  # the file has it; echoing the whole text as the cell's value would bury the notice


def _write(path: str, text: str) -> None:
    """Write ``text`` to ``path``; a mistake is one line naming the file and what to do."""
    target = Path(path).expanduser()
    if not target.parent.is_dir():
        raise UsageError(
            f"%dffml export: cannot write {path!r}: there is no folder {str(target.parent)!r} "
            "(create it first, or choose another -o FILE)"
        )
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UsageError(f"%dffml export: cannot write {path!r}: {reason}") from None


def export_text(magics: DffmlMagics, name: str, fmt: str, *, module: str | None = None) -> str:
    """Flow ``name`` as ``json``, ``yaml``, ``mermaid`` or ``python`` source.

    Functions defined in a notebook live in ``__main__``; ``module`` rewrites
    the ``func`` paths of JSON / YAML to ``module:function`` so that the file
    loads next to the Python export saved as ``module.py``.
    """
    entry = magics.flows[name]
    flow = entry.flow
    if fmt == "mermaid":
        return flow.mermaid()
    if fmt == "python":
        return _python_module(name, entry, magics.shell.user_ns if magics.shell is not None else {})
    data = flow.to_dict()
    if module:
        for spec in data.get("operations", {}).values():
            func = spec.get("func", "")
            if ":" in func and func.split(":", 1)[0] == "__main__":
                spec["func"] = f"{module}:{func.split(':', 1)[1]}"
    if fmt == "json":
        return json.dumps(data, indent=2, default=repr) + "\n"
    import yaml  # only for YAML, as the dataflow core does

    return yaml.safe_dump(data, sort_keys=False)


@magic_arguments("dffml help")
def help_(magics: DffmlMagics, argv: list[str]) -> None:
    """this message (%dffml SUBCOMMAND -h: one subcommand's options)"""
    parse(help_, argv)
    print(magics.usage())


def register() -> None:
    """Register ``%%dffml flow`` and ``%dffml show | run | list | export | help``."""
    from dffml_nb.nb.magics import register_subcommand

    register_subcommand("flow", define_flow, cell=True)
    for name, handler in (
        ("show", show),
        ("run", run),
        ("list", list_flows),
        ("export", export),
        ("help", help_),
    ):
        register_subcommand(name, handler)


# -- helpers ---------------------------------------------------------------------------------------


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _names(mapping: Any) -> str:
    return ", ".join(mapping) or "(none)"


def _where(error: BaseException, filename: str) -> str:
    """``"at line N: "`` for an error raised by the cell's own code."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == filename]
    return f"at line {frames[-1].lineno}: " if frames else ""


def _missing_inputs(flow: DataFlow, given: dict[str, Any]) -> list[str]:
    """Flow inputs that no value, seed or parameter default supplies."""
    seeded = {
        item.definition if isinstance(item.definition, str) else item.definition.name
        for item in flow.seed
    }
    missing = []
    for name in flow.flow_inputs:
        if name in given or name in seeded:
            continue
        for operation in flow.consumers(name):
            needs = [
                param
                for param, definition in operation.inputs.items()
                if definition.name == name and param not in operation.defaults
            ]
            if needs:
                missing.append(name)
                break
    return missing


def _annotation_hints(operations: list[Operation], problems: list[str]) -> str:
    """Point at unannotated functions when a definition clashes on its primitive."""
    if not any("primitive" in p for p in problems):
        return ""
    hints = []
    for operation in operations:
        untyped = [p for p, d in operation.inputs.items() if d.primitive == "object"]
        untyped += [f"-> {d.name}" for d in operation.outputs.values() if d.primitive == "object"]
        if untyped:
            hints.append(
                f"  {operation.name}: {', '.join(untyped)} unannotated, so typed `object`, which does not "
                "connect to the same name annotated with a type; annotate it (e.g. `a: int`, `-> int`)"
            )
    return ("\nhint:\n" + "\n".join(hints)) if hints else ""


def _short_failure(error: OperationError) -> str:
    """One or two lines: what failed, and the line of user code that raised."""
    cause = error.__cause__ or error.error
    text = str(error)
    if cause is not None and cause.__traceback__ is not None:
        frames = traceback.extract_tb(cause.__traceback__)
        if frames:
            last = frames[-1]
            code = f": {last.line.strip()}" if last.line else ""
            text += f"\n    raised at {last.filename}, line {last.lineno}{code}"
    return text + "\n    (%tb shows the full traceback)"


def _results_table(results: dict[str, Any], flow: str = "") -> str:
    rows = []
    for context, values in results.items():
        for key, value in values.items():
            rows.append(
                f"<tr><td>{html.escape(str(context))}</td><td><b>{html.escape(str(key))}</b></td>"
                f"<td><code>{html.escape(_short(value))}</code></td></tr>"
            )
        for error in getattr(values, "errors", []) or []:
            rows.append(
                f'<tr><td>{html.escape(str(context))}</td><td style="color:#b91c1c">error</td>'
                f"<td><code>{html.escape(str(error))}</code></td></tr>"
            )
    caption = (
        f"<caption style='text-align:left'>results of flow <b>{html.escape(flow)}</b></caption>"
        if flow
        else ""
    )
    head = "<tr><th>context</th><th>definition</th><th>value</th></tr>"
    body = "".join(rows) or "<tr><td colspan='3'><i>no results</i></td></tr>"
    return f"<table class='dffml-results'>{caption}{head}{body}</table>"


def _short(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _python_module(name: str, entry: FlowEntry, namespace: dict[str, Any]) -> str:
    """Source of an importable module: the cell plus ``flow = DataFlow(...)``."""
    source = _plain_python(entry.source)
    # names the functions use that the cell does not define: they came from
    # other cells and must be added by hand
    try:
        defined = _defined_names(ast.parse(source))
    except SyntaxError:  # IPython-only syntax in the cell: keep it as it is
        defined = set()
    outside: set[str] = set()
    for function in entry.functions:
        obj = namespace.get(function)
        func = getattr(obj, "func", obj)
        code = getattr(func, "__code__", None)
        if code is not None:
            outside.update(
                n for n in _global_names(code) if n not in defined and not hasattr(builtins, n)
            )
    outside.discard("DataFlow")
    note = ""
    if outside:
        note = (
            "# NOTE: the functions use names defined elsewhere in the notebook; add them here:\n"
            f"#   {', '.join(sorted(outside))}\n"
        )
    ops = ", ".join(entry.functions)
    return (
        f'"""Dataflow {name!r}, exported from a notebook with `%dffml export {name} --format python`.\n\n'
        f"    from {name}_flow import flow   # (whatever this file is called)\n"
        "    run_sync(flow, {...})\n"
        '"""\n\n'
        "from dffml_nb.df import DataFlow, op, run_sync  # noqa: F401\n\n"
        f"{note}"
        f"{source}\n\n"
        f"flow = DataFlow({ops})\n"
        f"{name} = flow\n"
    )


def _defined_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _global_names(code: Any) -> set[str]:
    """Global names a function (and the functions nested in it) reads."""
    names = {
        i.argval for i in dis.get_instructions(code) if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")
    }
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            names |= _global_names(const)
    return names


def _plain_python(source: str) -> str:
    """The cell with IPython-only lines (``%magic``, ``!shell``) commented out."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        lines.append(f"# (IPython only) {line}" if stripped[:1] in ("%", "!") else line)
    return "\n".join(lines).rstrip() + "\n"
