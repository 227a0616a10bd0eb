"""``%dffml train | accuracy | predict``: the ``dffml-nb`` CLI's flags, in a notebook.

The same option parsing as the command line (:mod:`dffml_nb.cli.ml`), plus the
notebook's namespace: a DataFrame (or list of dicts, or source) variable is a
source (``-sources training``), and a trained model variable can stand for
``-model`` in ``accuracy`` / ``predict`` (``-model model``).

    model = %dffml train -model scikitlr -model-features Years:int:1 -model-predict Salary:float:1 -sources training
    %dffml accuracy -model model -features Salary:float:1 -scorer mse -sources test
    %dffml predict all -model model -sources new_rows
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from IPython.core.error import UsageError

from dffml_nb.cli import args as cli_args
from dffml_nb.cli import ml as cli_ml


def _options(argv: list[str], command: str) -> dict[str, list[str]]:
    positional, options = cli_args.parse(argv)
    if command == "predict" and positional[:1] == ["all"]:
        positional = positional[1:]
    if positional:
        raise UsageError(f"%dffml {command}: unexpected {' '.join(positional)!r}\n\n{cli_ml.USAGE}")
    return options


def guard(magics: Any, command: str, work: Callable[[], Any], files: Sequence[str] = ()) -> Any:
    """Run ``work``; every failure becomes one line naming what is wrong, not a traceback.

    As ``dffml-nb`` does on the command line. The exception stays reachable
    for ``%tb`` / ``%debug`` (``sys.last_value``).
    """
    try:
        return work()
    except UsageError:
        raise
    except Exception as error:
        magics.failed(error)
        raise UsageError(f"%dffml {command}: {_one_line(error, list(files))}") from None


def _one_line(error: BaseException, files: list[str]) -> str:
    """What went wrong, naming the file at fault (a source or the model's location)."""
    if isinstance(error, OSError) and error.filename is not None:
        text = f"cannot use {error.filename!r}: {error.strerror or type(error).__name__}"
    else:
        text = " ".join(str(error).split()) or type(error).__name__
        if not isinstance(error, (ValueError, LookupError, TypeError, cli_args.UsageError)):
            text = f"{type(error).__name__}: {text}"
    unnamed = [name for name in files if name not in text]
    if unnamed and len(unnamed) == len(files):  # the message names none of the files given
        text += f" (files: {', '.join(unnamed)})"
    return text


def _files(options: dict[str, list[str]]) -> list[str]:
    """The file names the flags give: sources' ``-source[-LABEL]-filename`` and ``-model-location``."""
    return [
        value
        for key, values in options.items()
        if key == "model-location" or (key.startswith("source") and key.endswith("filename"))
        for value in values
    ]


def _run(magics: Any, command: str, argv: list[str], work: Callable[[Any, Any], Any]) -> Any:
    """Parse the CLI flags of ``command`` and call ``work(options, namespace)`` under the guard."""
    options = guard(magics, command, lambda: _options(argv, command))
    return guard(magics, command, lambda: work(options, magics.shell.user_ns), _files(options))


def train(magics: Any, argv: list[str]) -> Any:
    """``model = %dffml train -model ... -sources ...``: returns the trained model."""
    return _run(magics, "train", argv, cli_ml.run_train)


def accuracy(magics: Any, argv: list[str]) -> Any:
    """``%dffml accuracy ... -features T:float:1 -scorer mse``: returns the score (a ``Score``)."""
    from dffml_nb.scorer import Score

    def work(options: dict[str, list[str]], namespace: Any) -> Any:
        value = cli_ml.run_accuracy(options, namespace)
        return (
            value
            if isinstance(value, Score)
            else Score(value, cli_args.one(options, "scorer", "mse"))
        )

    return _run(magics, "accuracy", argv, work)


def predict(magics: Any, argv: list[str]) -> Any:
    """``%dffml predict all ...``: returns a DataFrame of features, prediction and confidence."""
    from dffml_nb.high_level import predict as predict_frame

    def work(options: dict[str, list[str]], namespace: Any) -> Any:
        model = cli_ml._trained(options, namespace)
        return predict_frame(model, *cli_ml.build_sources(options, namespace), as_frame=True)

    return _run(magics, "predict", argv, work)


def register() -> None:
    from dffml_nb.nb.magics import register_subcommand

    register_subcommand(
        "train",
        train,
        "train a model: the dffml-nb CLI's flags; a DataFrame variable can be a source",
    )
    register_subcommand(
        "accuracy", accuracy, "score a model (-features TARGET -scorer mse); returns the score"
    )
    register_subcommand(
        "predict",
        predict,
        "returns a DataFrame of features, prediction, confidence",
        args="[all] ...",
    )
