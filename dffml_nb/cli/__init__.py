"""``dffml-nb``: DFFML's command line, so its quickstart works with the name changed.

    dffml-nb train -model scikitlr -model-features Years:int:1 ... -model-predict Salary:float:1 \\
        -model-location model -sources f=csv -source-filename training.csv
    dffml-nb accuracy ... -features Salary:float:1 -scorer mse
    dffml-nb predict all ...
    dffml-nb dataflow run flow.json -inputs "add 40 and 2"=calc_string

Output is JSON on stdout; errors go to stderr with a non-zero exit code and no
traceback unless ``-log debug``.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback

from dffml_nb.cli.args import UsageError

USAGE = """\
usage: dffml-nb COMMAND ...

commands:
  train                 train a model on sources
  accuracy              score a trained model (-scorer mse|mae|r2|accuracy|f1 ...)
  predict all           predict every record of the sources (JSON)
  dataflow run|diagram|create
                        run a dataflow file, draw it, or build one
  list models|sources|scorers|operations
                        what is installed (built-ins and plugins)
  serve                 serve flows and trained models over HTTP (-model NAME=DIR ...)
  quickstart            run DFFML's salary quickstart headless and print its results
  lab                   open the notebooks in JupyterLab

options for every command: -log debug|info|warning (debug shows tracebacks)
"""


def _commands() -> dict:
    from dffml_nb.cli import dataflow, listing, ml, serve, tasks

    return {
        "train": ml.train,
        "accuracy": ml.accuracy,
        "predict": ml.predict,
        "dataflow": dataflow.main,
        "list": listing.main,
        "serve": serve.main,
        "quickstart": tasks.quickstart,
        "lab": tasks.lab,
    }


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dffml-nb`` console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    level = "warning"
    if "-log" in argv:
        index = argv.index("-log")
        if index + 1 < len(argv):
            level = argv[index + 1].lower()
            del argv[index : index + 2]
    logging.basicConfig(level=getattr(logging, level.upper(), logging.WARNING), stream=sys.stderr)
    if not argv or argv[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0
    commands = _commands()
    handler = commands.get(argv[0])
    try:
        if handler is None:
            raise UsageError(f"unknown command {argv[0]!r}; commands: {', '.join(commands)}")
        return int(handler(argv[1:]) or 0)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:  # `dffml-nb predict all ... | head`: the reader left, not an error
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    except UsageError as error:
        sys.stderr.write(f"dffml-nb: {error}\n")
        return 2
    except Exception as error:  # every failure: one clear line, traceback only if asked
        if level == "debug":
            traceback.print_exc()
        sys.stderr.write(f"dffml-nb: error: {error}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
