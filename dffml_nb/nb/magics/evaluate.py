"""``%dffml evaluate`` and ``%dffml tune``: the ``dffml-nb`` flags, in a notebook.

The same parsing as the command line (:mod:`dffml_nb.cli.evaluate`), plus the
notebook's namespace: a DataFrame (or list of dicts, or source) variable is a
source (``-sources df``), and a model variable can be one of the ``-models``.

    board = %dffml evaluate -models scikitlor scikitrfc scikitgnb -model-predict target -sources df -cv 5
    tuned = %dffml tune -model scikitrfc -model-predict target -grid n_estimators=10,50,100 -sources df

``evaluate`` returns a :class:`~dffml_nb.nb.ml.leaderboard.Leaderboard` (its
``results`` is the leaderboard DataFrame), ``tune`` the tuned model (its
``tuning`` every candidate). Each returns its value and IPython shows it, once —
or not, when it is assigned. A progress bar shows in the cell while they run.
"""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError

from dffml_nb.cli import args as cli_args
from dffml_nb.cli import evaluate as cli_evaluate
from dffml_nb.nb.magics.ml import guard


def _options(argv: list[str], command: str, flags: cli_args.Flags) -> dict[str, list[str]]:
    """The flags, checked: positional words and unknown flags are errors."""
    positional, options = flags.parse(argv)
    if positional:
        raise UsageError(
            f"%dffml {command}: unexpected {' '.join(positional)!r}\n\n{cli_evaluate.USAGE}"
        )
    return options


def _progress(options: dict[str, list[str]]) -> Any:
    return False if cli_args.flag(options, "no-progress") else None  # None: a bar in the cell


def evaluate(magics: Any, argv: list[str]) -> Any:
    from dffml_nb.nb.ml.leaderboard import Leaderboard

    def work() -> Any:
        options = _options(argv, "evaluate", cli_evaluate.EVALUATE)
        arguments = cli_evaluate.evaluate_arguments(options, magics.shell.user_ns)
        models, data = arguments.pop("models"), arguments.pop("data")
        return Leaderboard(models, *data, progress=_progress(options), **arguments)

    return guard(magics, "evaluate", work)


def tune(magics: Any, argv: list[str]) -> Any:
    from dffml_nb.evaluation.tune import tune as run

    def work() -> Any:
        options = _options(argv, "tune", cli_evaluate.TUNE)
        arguments = cli_evaluate.tune_arguments(options, magics.shell.user_ns)
        model, grid = arguments.pop("model"), arguments.pop("grid")
        return run(model, grid, *arguments.pop("data"), progress=_progress(options), **arguments)

    return guard(magics, "tune", work)


def register() -> None:
    from dffml_nb.nb.magics import register_subcommand

    register_subcommand(
        "evaluate",
        evaluate,
        "cross-validate models (-models A B -model-predict T -sources df -cv 5): a Leaderboard",
    )
    register_subcommand(
        "tune",
        tune,
        "grid-search a model (-model A -grid C=0.1,1,10 ...): the tuned model (.tuning)",
    )
