"""``%dffml serve``: serve the notebook's flows and models over HTTP, in the background.

    server = %dffml serve calc salary          # a %%dffml flow and a model variable
    %dffml serve                               # every flow of the kernel and every model variable
    %dffml serve calc -port 8080 -token secret
    %dffml serve stop                          # stop the servers started here

Returns the :class:`dffml_nb.http.Server` (its ``url`` and ``token``); the
notebook keeps working while it serves.
"""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError

from dffml_nb.cli import args as cli_args
from dffml_nb.cli.args import Flag, Flags

USAGE = """\
%dffml serve [NAME ...] [-host 127.0.0.1] [-port 0] [-token T | -no-auth] [-timeout S]
             [-cors ORIGIN ...]
%dffml serve stop
  NAME: a flow (%%dffml flow NAME, or a DataFlow variable) or a model variable;
  none: every flow of the kernel and every model variable"""

SERVE = Flags(
    USAGE,
    (
        Flag("host"),
        Flag("port"),
        Flag("token"),
        Flag("no-auth", 0),
        Flag("timeout"),
        Flag("cors", "+"),
    ),
)

#: servers started by this magic in this kernel (``%dffml serve stop`` stops them)
SERVERS: list[Any] = []


def _served(magics: Any, names: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``({name: DataFlow}, {name: Model})`` for ``names`` (default: everything there is)."""
    from dffml_nb.df import DataFlow
    from dffml_nb.model.base import Model

    namespace = magics.shell.user_ns
    if not names:
        flows = {name: entry.flow for name, entry in magics.flows.items()}
        models = {
            name: value
            for name, value in namespace.items()
            if isinstance(value, Model) and not name.startswith("_")
        }
        if not flows and not models:
            raise UsageError("%dffml serve: no flows or models in this notebook yet\n" + USAGE)
        return flows, models
    flows, models = {}, {}
    for name in names:
        value = namespace.get(name)
        if name in magics.flows:
            flows[name] = magics.flows[name].flow
        elif isinstance(value, DataFlow):
            flows[name] = value
        elif isinstance(value, Model):
            models[name] = value
        else:
            raise UsageError(
                f"%dffml serve: {name!r} is not a flow (%%dffml flow {name}, or a DataFlow "
                "variable) nor a model variable"
            )
    return flows, models


def _stop() -> None:
    while SERVERS:
        SERVERS.pop().stop()


def serve(magics: Any, argv: list[str]) -> Any:
    from dffml_nb.http.server import serve as start
    from dffml_nb.http.settings import TIMEOUT

    try:
        # a switch takes no value: `-no-auth calc` serves the flow calc
        names, options = SERVE.parse(argv)
    except cli_args.HelpRequested:
        print(USAGE)
        return None
    except cli_args.UsageError as error:
        raise UsageError(f"%dffml serve: {error}\n{USAGE}") from None
    if names == ["stop"]:
        _stop()
        return None
    flows, models = _served(magics, names)
    try:
        server = start(
            flows,
            models,
            host=cli_args.one(options, "host", "127.0.0.1"),
            port=int(cli_args.one(options, "port", "0")),
            token=cli_args.one(options, "token"),
            auth=not cli_args.flag(options, "no-auth"),
            timeout=float(cli_args.one(options, "timeout", TIMEOUT)),
            cors=tuple(options.get("cors", [])),
        )
    except (ValueError, OSError, RuntimeError) as error:  # bad flags, port in use, ...
        raise UsageError(f"%dffml serve: {error}") from None
    SERVERS.append(server)
    return server  # IPython shows it when it is the cell's last value


def register() -> None:
    from dffml_nb.nb.magics import register_subcommand

    register_subcommand(
        "serve",
        serve,
        "serve [NAME ...]: the notebook's flows and models over HTTP; returns the server",
    )
