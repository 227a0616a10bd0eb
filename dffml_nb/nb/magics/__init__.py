"""``%dffml`` / ``%%dffml``: the dispatcher, the registry of subcommands and of this kernel's flows.

    %load_ext dffml_nb

Subcommands live beside this module and register themselves here:
:mod:`.flows` (``%%dffml flow``, ``show``, ``run``, ``list``, ``export``,
``help``) and :mod:`.ml` (``train``, ``accuracy``, ``predict``). Others plug in
the same way with :func:`register_subcommand`: a handler is called as
``handler(magics, argv)`` with ``argv`` the shell-split words after the
subcommand (a cell subcommand as ``handler(magics, argv, cell)``), and its
return value is the magic's.
"""

from __future__ import annotations

import ast
import shlex
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
    help: str = "",
    *,
    args: str = "",
    cell: bool = False,
) -> None:
    """Add ``%dffml NAME ...`` (``cell=True``: ``%%dffml NAME ...``).

    ``%dffml help`` shows ``%dffml NAME ARGS`` and ``help`` (what it does).
    Use :meth:`DffmlMagics.present` to show a result once (see its docstring).
    """
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


def _builtin_subcommands() -> None:
    """Register the subcommands that ship with dffml_nb (idempotent)."""
    from dffml_nb.nb.magics import flows, ml

    flows.register()
    ml.register()


@magics_class
class DffmlMagics(Magics):
    """The ``%dffml`` magics; ``flows`` and ``graphs`` are this kernel's registry (by flow name)."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self.flows: dict[str, FlowEntry] = {}
        self.graphs: dict[str, Any] = {}  # name -> DataFlowGraph, one per flow per kernel
        #: the OperationError of the last failed ``%dffml run`` (also in ``sys.last_value``)
        self.last_error: BaseException | None = None
        self._cell: str | None = None  # the raw cell IPython is running now, if any
        self._line = ""  # the line of the %dffml magic running now
        if shell is not None:
            shell.events.register("pre_run_cell", self._cell_starts)
            shell.events.register("post_run_cell", self._cell_ends)

    def _cell_starts(self, info: Any) -> None:
        self._cell = getattr(info, "raw_cell", None)

    def _cell_ends(self, result: Any = None) -> None:
        self._cell = None

    # -- dispatch ----------------------------------------------------------------

    @line_cell_magic
    def dffml(self, line: str, cell: str | None = None) -> Any:
        """DFFML dataflows in a notebook. ``%dffml help`` lists the subcommands."""
        self._line = line
        try:
            argv = shlex.split(line)
        except ValueError as error:
            raise UsageError(f"%dffml: cannot parse {line!r}: {error}\n\n{self.usage()}") from None
        if cell is not None:
            entry = CELL_SUBCOMMANDS.get(argv[0]) if argv else None
            if entry is None:
                names = ", ".join(f"`%%dffml {n} ...`" for n in CELL_SUBCOMMANDS)
                raise UsageError(f"%%dffml (cell): expected one of {names}\n\n{self.usage()}")
            return entry[0](self, argv[1:], cell)
        if not argv:
            raise UsageError(self.usage())
        command, rest = argv[0], argv[1:]
        if command in SUBCOMMANDS:
            return SUBCOMMANDS[command][0](self, rest)
        if command in CELL_SUBCOMMANDS:
            raise UsageError(
                f"`{command}` is a cell magic: put `%%dffml {command} ...` on the first line of a cell"
            )
        raise UsageError(f"%dffml: unknown subcommand {command!r}\n\n{self.usage()}")

    def usage(self) -> str:
        """What ``%dffml help`` prints: every subcommand's help, cell magics first."""
        entries = [*CELL_SUBCOMMANDS.values(), *SUBCOMMANDS.values()]
        return "\n".join(text for _, text in entries if text)

    # -- showing things once ------------------------------------------------------------

    def present(self, value: Any, shown: Any = None) -> Any:
        """Return ``value``, displaying ``shown`` (default ``value``) unless IPython will echo it.

        IPython displays the value of a cell's last expression, so a bare
        ``%dffml show x`` would otherwise show its widget twice; an assigned
        ``g = %dffml show x`` is displayed here instead.
        """
        if not self._echoed():
            self.display(value if shown is None else shown)
        return value

    @staticmethod
    def display(obj: Any) -> None:
        """Show ``obj`` in the cell's output."""
        _display(obj)

    def _echoed(self) -> bool:
        """Whether IPython will show this magic's value: it is the cell's last expression.

        Read from the cell being run (IPython's ``pre_run_cell`` event), as
        IPython itself transforms it; a magic called from code (no cell, or not
        the last line) is never echoed.
        """
        shell = self.shell
        if shell is None or self._cell is None:
            return False
        try:
            body = ast.parse(shell.transform_cell(self._cell)).body
        except SyntaxError:
            return False
        if not body or not isinstance(body[-1], ast.Expr):
            return False
        call = body[-1].value
        echoed = (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "run_line_magic"
            and len(call.args) >= 2
            and all(isinstance(arg, ast.Constant) for arg in call.args[:2])
            and call.args[0].value == "dffml"
            and call.args[1].value == self._line
        )
        quiet = self._cell.rstrip().endswith(";")
        return echoed and not quiet

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
