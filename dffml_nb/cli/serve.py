"""``dffml-nb serve``: flows from files and trained models from their directories, over HTTP.

    dffml-nb serve -model salary=./model -dataflow calc=calc.json

Prints the URL with its token once, as Jupyter does, then serves until
interrupted. ``-workers N`` runs N uvicorn worker processes; each loads the
same flows and models (read from the environment by uvicorn's app factory).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from dffml_nb.cli.args import Flag, Flags, UsageError, flag, one

USAGE = """\
usage: dffml-nb serve [-host 127.0.0.1] [-port 8080] [-token T | -no-auth]
                      [-dataflow NAME=FILE ...] [-model NAME=DIR ...]
                      [-workers N] [-timeout S] [-cors ORIGIN ...] [-trust]

  -dataflow NAME=FILE   serve the flow saved in FILE (JSON or YAML) as NAME
  -model NAME=DIR       serve the model trained to DIR (-model-location of train) as NAME
  -host, -port          where to listen (loopback by default; -port 0: any free port)
  -token T              the token clients must send (default: a random one, printed)
  -no-auth              no token at all: allowed on a loopback host only
  -workers N            N worker processes (train and PUT a flow change one worker only,
                        unless the model directory is shared: see docs/http.md)
  -timeout S            cancel a run after S seconds (504; default 60)
  -cors ORIGIN ...      browser origins allowed to call the API (default: none)
  -trust                let the -dataflow files import the modules their operations
                        name (this runs their code); without it only registered
                        operations (and modules already imported) resolve
"""

SERVE = Flags(
    USAGE,
    (
        Flag("host"),
        Flag("port"),
        Flag("token"),
        Flag("no-auth", 0),
        Flag("dataflow", "+"),
        Flag("model", "+"),
        Flag("workers"),
        Flag("timeout"),
        Flag("cors", "+"),
        Flag("trust", 0),
    ),
)


def _number(options: dict[str, list[str]], name: str, default: str, kind: type) -> Any:
    text = one(options, name, default)
    try:
        return kind(text)
    except ValueError:
        raise UsageError(f"-{name} takes a {kind.__name__}, got {text!r}") from None


def _pairs(options: dict[str, list[str]], name: str) -> dict[str, str]:
    from dffml_nb.http.loading import LoadError, split_pair

    out: dict[str, str] = {}
    for text in options.get(name, []):
        try:
            key, path = split_pair(text, f"-{name}")
        except LoadError as error:
            raise UsageError(str(error)) from None
        if key in out:
            raise UsageError(f"-{name} {key} is given twice")
        out[key] = path
    return out


def main(tokens: list[str]) -> int:
    from dffml_nb.http.loading import load_named
    from dffml_nb.http.settings import TIMEOUT, Settings, SettingsError

    if tokens[:1] == ["help"]:
        sys.stdout.write(USAGE)
        return 0
    positional, options = SERVE.parse(tokens)  # -h / --help: the usage, exit 0
    if positional:
        raise UsageError(
            f"serve takes no arguments, got {' '.join(positional)!r} (dffml-nb serve -h for help)"
        )
    host = one(options, "host", "127.0.0.1")
    port = _number(options, "port", "8080", int)
    workers = _number(options, "workers", "1", int)
    if workers < 1:
        raise UsageError(f"-workers takes a number >= 1, got {workers}")
    try:
        settings = Settings.for_host(
            host,
            one(options, "token"),
            auth=not flag(options, "no-auth"),
            timeout=_number(options, "timeout", str(TIMEOUT), float),
            cors=tuple(options.get("cors", [])),
        )
    except SettingsError as error:
        raise UsageError(str(error)) from None
    flows, models = _pairs(options, "dataflow"), _pairs(options, "model")
    trust = flag(options, "trust")
    # in this process first: a bad file fails here, once
    loaded = load_named(flows, models, trust=trust)
    return _run(host, port, workers, settings, flows, models, loaded, trust)


def _run(
    host: str,
    port: int,
    workers: int,
    settings: Any,
    flows: dict[str, str],
    models: dict[str, str],
    loaded: tuple[dict, dict],
    trust: bool,
) -> int:
    import uvicorn

    from dffml_nb.http.app import create_app, environment
    from dffml_nb.http.auth import redact_access_log
    from dffml_nb.http.server import base_url, bind

    sock = bind(host, port)
    common: dict[str, Any] = {
        "lifespan": "off",
        "timeout_graceful_shutdown": 5,
        "log_level": "info",
    }
    _announce(base_url(host, sock), settings.token, flows, models, workers)
    if workers == 1:
        config = uvicorn.Config(create_app(*loaded, settings=settings), **common)
        redact_access_log()  # after uvicorn configured logging
        uvicorn.Server(config).run(sockets=[sock])
        return 0
    from uvicorn.supervisors import Multiprocess

    os.environ.update(environment(flows, models, settings, trust))  # what each worker serves
    config = uvicorn.Config(
        "dffml_nb.http.app:app_from_environment", factory=True, workers=workers, **common
    )
    Multiprocess(config, sockets=[sock]).run()
    return 0


def _announce(url: str, token: str | None, flows: dict, models: dict, workers: int) -> None:
    """The one place the token is printed: the URL to open, as Jupyter prints it."""
    what = []
    if flows:
        what.append("flows " + ", ".join(flows))
    if models:
        what.append("models " + ", ".join(models))
    plural = "s" if workers > 1 else ""
    lines = [
        f"dffml-nb serve: {'; '.join(what) or 'nothing yet (PUT a flow)'} ({workers} worker{plural})",
    ]
    if token is None:
        lines += ["    auth is OFF (loopback only). Open the API docs at:", f"        {url}/docs"]
    else:
        lines += [
            "    Open this URL for the API docs; clients send 'Authorization: Bearer <token>'",
            "    with the token in it (dffml_nb.http.Client accepts the URL as is):",
            f"        {url}/?token={token}",
        ]
    sys.stderr.write("\n".join(lines) + "\n")
    sys.stderr.flush()
