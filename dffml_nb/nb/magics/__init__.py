"""``%dffml`` / ``%%dffml``: the dispatcher, the registry of subcommands and of this kernel's flows.

    %load_ext dffml_nb

Subcommands live beside this module and register themselves here:
:mod:`.flows` (``%%dffml flow``, ``show``, ``run``, ``list``, ``export``,
``help``) and :mod:`.ml` (``train``, ``accuracy``, ``predict``). Others plug in
the same way with :func:`register_subcommand`: a handler is called as
``handler(magics, argv)`` with ``argv`` the shell-split words after the
subcommand (a cell subcommand as ``handler(magics, argv, cell)``), and its
return value is the magic's.

Results follow IPython's convention: a subcommand *returns* its value and
IPython shows it when the magic is a cell's last expression (``;`` silences
it; ``x = %dffml ...`` shows nothing). Only drawing is a subcommand's own job
(``%%dffml flow`` shows the live graph, which ``%dffml run`` then animates).

Options are parsed with IPython's :mod:`~IPython.core.magic_arguments`
(``%dffml export NAME --format yaml -o FILE``; ``%dffml SUBCOMMAND -h`` prints
its help); the ML subcommands keep the ``dffml-nb`` command line's
single-dash flags (``-model-features ...``), DFFML's contract.
"""

from __future__ import annotations

import inspect
import shlex
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class

if TYPE_CHECKING:
    from dffml_nb.df import DataFlow
    from dffml_nb.nb.magics.flows import FlowEntry

__all__ = [
    "CELL_SUBCOMMANDS",
    "DffmlMagics",
    "SUBCOMMANDS",
    "load_ipython_extension",
    "register_subcommand",
]

#: line subcommand -> (handler(magics, argv), its line of ``%dffml help``)
SUBCOMMANDS: dict[str, tuple[Callable[..., Any], str]] = {}
#: cell subcommand (``%%dffml NAME ...``) -> (handler(magics, argv, cell), its help)
CELL_SUBCOMMANDS: dict[str, tuple[Callable[..., Any], str]] = {}
_HELP_COLUMN = 25  # where the description starts in ``%dffml help``


def register_subcommand(
    name: str,
    handler: Callable[..., Any],
    help: str | None = None,
    *,
    args: str | None = None,
    cell: bool = False,
) -> None:
    """Add ``%dffml NAME ...`` (``cell=True``: ``%%dffml NAME ...``).

    ``%dffml help`` shows ``%dffml NAME ARGS`` and ``help`` (what it does);
    for a handler decorated with ``magic_arguments`` both default to its
    parser's usage and description.
    """
    parser = getattr(handler, "parser", None)
    if args is None:
        args = _arguments(parser) if parser is not None else ""
    if help is None:
        help = inspect.cleandoc(parser.description or "") if parser is not None else ""
    prefix = "%%dffml" if cell else "%dffml"
    head = " ".join(part for part in (prefix, name, args) if part)
    lines = help.splitlines() or [""]
    if len(head) < _HELP_COLUMN:
        text = [f"{head:<{_HELP_COLUMN}}{lines[0]}".rstrip()]
        lines = lines[1:]
    else:
        text = [head]
    text += [" " * _HELP_COLUMN + line for line in lines]
    (CELL_SUBCOMMANDS if cell else SUBCOMMANDS)[name] = (handler, "\n".join(text))


def _arguments(parser: Any) -> str:
    """``"[-f FORMAT] NAME"``: a magic_arguments parser's usage without its program name."""
    usage = " ".join(parser.format_usage().split())  # "::  %dffml export [-f FORMAT] NAME"
    return usage.split(parser.prog, 1)[-1].strip()


def parse(handler: Any, argv: list[str]) -> Any:
    """``argv`` parsed by ``handler``'s ``magic_arguments`` parser; mistakes name the usage."""
    parser = handler.parser
    try:
        return parser.parse_args(argv)
    except UsageError as error:
        raise UsageError(
            f"%{parser.prog}: {error}\nusage: %{parser.prog} {_arguments(parser)}"
        ) from None


def _help_text(parser: Any) -> str:
    """``%dffml SUBCOMMAND -h``: usage, description and options (IPython formats it as reST)."""
    return parser.format_help().replace("::\n\n  %", "usage: %", 1).strip()


def _wants_help(handler: Any, argv: list[str]) -> bool:
    return hasattr(handler, "parser") and any(word in ("-h", "--help") for word in argv)


def _builtin_subcommands() -> None:
    """Register the subcommands that ship with dffml_nb (idempotent)."""
    from dffml_nb.nb.magics import evaluate, flows, ml, serve

    flows.register()
    ml.register()
    evaluate.register()
    serve.register()


@magics_class
class DffmlMagics(Magics):
    """The ``%dffml`` magics; ``flows`` and ``graphs`` are this kernel's registry (by flow name)."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self.flows: dict[str, FlowEntry] = {}
        self.graphs: dict[str, Any] = {}  # name -> DataFlowGraph, one per flow per kernel
        #: the OperationError of the last failed ``%dffml run`` (also in ``sys.last_value``)
        self.last_error: BaseException | None = None

    # -- dispatch ----------------------------------------------------------------

    @line_cell_magic
    def dffml(self, line: str, cell: str | None = None) -> Any:
        """DFFML dataflows in a notebook. ``%dffml help`` lists the subcommands."""
        try:
            argv = shlex.split(line)
        except ValueError as error:
            raise UsageError(f"%dffml: cannot parse {line!r}: {error}\n\n{self.usage()}") from None
        if cell is not None:
            entry = CELL_SUBCOMMANDS.get(argv[0]) if argv else None
            if entry is None:
                names = ", ".join(f"`%%dffml {n} ...`" for n in CELL_SUBCOMMANDS)
                raise UsageError(f"%%dffml (cell): expected one of {names}\n\n{self.usage()}")
            if _wants_help(entry[0], argv[1:]):
                print(_help_text(getattr(entry[0], "parser")))  # noqa: B009 - checked above
                return None
            return entry[0](self, argv[1:], cell)
        if not argv:
            raise UsageError(self.usage())
        command, rest = argv[0], argv[1:]
        if command in SUBCOMMANDS:
            handler = SUBCOMMANDS[command][0]
            if _wants_help(handler, rest):
                print(_help_text(getattr(handler, "parser")))  # noqa: B009 - checked above
                return None
            return handler(self, rest)
        if command in CELL_SUBCOMMANDS:
            raise UsageError(
                f"`{command}` is a cell magic: put `%%dffml {command} ...` on the first line of a cell"
            )
        raise UsageError(f"%dffml: unknown subcommand {command!r}\n\n{self.usage()}")

    def usage(self) -> str:
        """What ``%dffml help`` prints: every subcommand's help, cell magics first."""
        entries = [*CELL_SUBCOMMANDS.values(), *SUBCOMMANDS.values()]
        return "\n".join(text for _, text in entries if text)

    @staticmethod
    def display(obj: Any) -> None:
        """Show ``obj`` in the cell's output (for what a subcommand draws)."""
        _display(obj)

    def failed(self, error: BaseException) -> None:
        """Keep ``error`` for ``%tb`` / ``%debug`` (``sys.last_value``) after a one-line report."""
        self.last_error = error
        sys.last_type, sys.last_value, sys.last_traceback = (
            type(error),
            error,
            error.__traceback__,
        )

    # -- the registry -----------------------------------------------------------------------

    def flow(self, name: str) -> DataFlow:
        """The flow called ``name``; a UsageError lists the known ones."""
        entry = self.flows.get(name)
        if entry is None:
            known = (
                ", ".join(sorted(self.flows)) or "none yet — define one with `%%dffml flow NAME`"
            )
            raise UsageError(f"%dffml: no flow named {name!r}; flows: {known}")
        return entry.flow

    def graph(self, name: str) -> Any:
        """The one DataFlowGraph of flow ``name`` in this kernel (built on first use)."""
        flow = self.flow(name)
        graph = self.graphs.get(name)
        if graph is None:
            from dffml_nb.nb.graph.live import DataFlowGraph  # here: widgets load on first use

            graph = self.graphs[name] = DataFlowGraph(flow)
            self.register_graph(flow, graph)
        return graph

    @staticmethod
    def register_graph(flow: DataFlow, graph: Any) -> None:
        """Make ``graph`` what displaying ``flow`` shows (the same widget everywhere)."""
        from dffml_nb.nb.graph.display import register_graph

        register_graph(flow, graph)


def _display(obj: Any) -> None:
    from IPython.display import display

    display(obj)


def load_ipython_extension(ipython: Any) -> DffmlMagics:
    """``%load_ext dffml_nb``: register ``%dffml`` / ``%%dffml`` (once per shell; reloading keeps the flows)."""
    _builtin_subcommands()
    magics = getattr(ipython, "_dffml_magics", None)
    if magics is None:
        magics = DffmlMagics(ipython)
        ipython._dffml_magics = magics
    ipython.register_magics(magics)
    return magics
