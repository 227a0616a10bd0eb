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

import difflib
import logging
import os
import sys
import traceback

from dffml_nb.cli.args import HelpRequested, UsageError

USAGE = """\
usage: dffml-nb COMMAND ...

commands:
  train                 train a model on sources
  accuracy              score a trained model (-scorer mse|mae|r2|accuracy|f1 ...)
  predict all|record    predict every record of the sources, or those of -keys (JSON)
  evaluate              cross-validate several models: a leaderboard (-models A B -cv 5)
  tune                  grid-search a model's hyperparameters (-grid C=0.1,1,10)
  dataflow run|diagram|create
                        run a dataflow file, draw it, or build one
  dataflow run records all|set
                        run a dataflow over every record of sources (results become
                        features, written back unless -no-update)
  merge SRC DEST        merge the records of one source into another
  list models|sources|scorers|operations|records
                        what is installed (built-ins and plugins), or a source's records
  serve                 serve flows and trained models over HTTP (-model NAME=DIR ...)
  quickstart            run DFFML's salary quickstart headless and print its results
  lab                   open the notebooks in JupyterLab (other options go to Jupyter)

dffml-nb COMMAND -h shows a command's flags. Unknown flags are errors.
options for every command: -log debug|info|warning|error|critical (debug shows tracebacks)
"""

LEVELS = ("debug", "info", "warning", "error", "critical")
LOGGER = logging.getLogger("dffml_nb.cli")


def _commands() -> dict:
    from dffml_nb.cli import dataflow, listing, ml, records, serve, tasks
    from dffml_nb.cli import evaluate as evaluation

    return {
        "train": ml.train,
        "accuracy": ml.accuracy,
        "predict": ml.predict,
        "evaluate": evaluation.evaluate,
        "tune": evaluation.tune,
        "dataflow": dataflow.main,
        "list": listing.main,
        "merge": records.merge,
        "serve": serve.main,
        "quickstart": tasks.quickstart,
        "lab": tasks.lab,
    }


def _log_level(argv: list[str]) -> str:
    """Take DFFML's ``-log LEVEL`` (any command, anywhere) out of ``argv``; returns the level."""
    level = "warning"
    while "-log" in argv:
        index = argv.index("-log")
        value = argv[index + 1].lower() if index + 1 < len(argv) else ""
        if value not in LEVELS:
            raise UsageError(f"-log takes one of {', '.join(LEVELS)}, got {value or 'nothing'!r}")
        level = value
        del argv[index : index + 2]
    return level


def _one_line(error: BaseException) -> str:
    """The error's message on one line (a CLI error is one line on stderr)."""
    return " ".join(line.strip() for line in str(error).splitlines() if line.strip()) or repr(error)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dffml-nb`` console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    level = "warning"
    try:
        level = _log_level(argv)
        logging.basicConfig(level=getattr(logging, level.upper()), stream=sys.stderr)
        if not argv or argv[0] in ("-h", "--help", "help"):
            sys.stdout.write(USAGE)
            return 0
        commands = _commands()
        handler = commands.get(argv[0])
        if handler is None:
            close = difflib.get_close_matches(argv[0], list(commands), n=1)
            hint = f"did you mean {close[0]}?" if close else f"commands: {', '.join(commands)}"
            raise UsageError(f"unknown command {argv[0]!r}; {hint}")
        LOGGER.debug("dffml-nb %s: %s", argv[0], argv[1:])
        return int(handler(argv[1:]) or 0)
    except HelpRequested as help:
        sys.stdout.write(help.usage)
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:  # `dffml-nb predict all ... | head`: the reader left, not an error
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    except UsageError as error:
        if level == "debug":
            traceback.print_exc()
        sys.stderr.write(f"dffml-nb: {_one_line(error)}\n")
        return 2
    except Exception as error:  # every failure: one clear line, traceback only if asked
        if level == "debug":
            traceback.print_exc()
        sys.stderr.write(f"dffml-nb: error: {_one_line(error)}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
