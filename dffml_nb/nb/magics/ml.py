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


def _guard(command: str, work: Any) -> Any:
    """Turn every mistake into a short message naming what is wrong, not a traceback."""
    try:
        return work()
    except UsageError:
        raise
    except cli_args.UsageError as error:
        raise UsageError(f"%dffml {command}: {error}") from None
    except (ValueError, TypeError, LookupError, FileNotFoundError, RuntimeError) as error:
        raise UsageError(f"%dffml {command}: {error}") from None


def train(magics: Any, argv: list[str]) -> Any:
    options = _options(argv, "train")
    namespace = magics.shell.user_ns
    model = _guard("train", lambda: cli_ml.run_train(options, namespace))
    return magics.present(model)


def accuracy(magics: Any, argv: list[str]) -> Any:
    from dffml_nb.scorer import Score

    options = _options(argv, "accuracy")
    namespace = magics.shell.user_ns
    value = _guard("accuracy", lambda: cli_ml.run_accuracy(options, namespace))
    if not isinstance(value, Score):
        value = Score(value, cli_args.one(options, "scorer", "mse"))
    return magics.present(value)


def predict(magics: Any, argv: list[str]) -> Any:
    from dffml_nb.high_level import predict as predict_frame

    options = _options(argv, "predict")
    namespace = magics.shell.user_ns

    def work() -> Any:
        model = cli_ml._trained(options, namespace)
        return predict_frame(model, *cli_ml.build_sources(options, namespace), as_frame=True)

    return magics.present(_guard("predict", work))


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
