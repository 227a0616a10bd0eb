"""``dffml-nb evaluate`` and ``dffml-nb tune``: cross-validated leaderboards and grid search.

    dffml-nb evaluate -models scikitlor scikitrfc scikitgnb -model-features A:float:1 B:float:1
        -model-predict label:int:1 -sources f=csv -source-filename data.csv -cv 5 -scorers accuracy f1
    dffml-nb tune -model scikitlor -model-features ... -model-predict label:int:1
        -grid C=0.1,1,10 -grid max_iter=100,1000 -scorer accuracy -cv 5 -model-location tuned ...

DFFML's flags (``-model-features``, ``-model-predict``, ``-sources``,
``-source-*``, ``-scorer``); ``-model-HYPERPARAMETER VALUE`` sets a
hyperparameter (of every model that has it, for ``evaluate``; ``-model-NAME-HYPERPARAMETER``
for one model). Without ``-model-features`` every numeric column but the target is a
feature; ``-model-predict NAME`` alone reads the target's type from the data. Output is
JSON on stdout (the leaderboard rows best first; the tuned model, its best
hyperparameters and every candidate); a text progress bar goes to stderr
(``-no-progress``: none). The parsing is shared with ``%dffml evaluate`` / ``%dffml tune``.
"""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any

from dffml_nb.cli.args import Flag, Flags, UsageError, flag, one, prefixed
from dffml_nb.cli.ml import build_sources

USAGE = """\
usage: dffml-nb evaluate -models NAME ... [-model-features F:float:1 ...] -model-predict T:int:1
                         [-model-HYPERPARAMETER V] [-model-NAME-HYPERPARAMETER V]
                         -sources f=csv -source-filename FILE
                         [-scorers accuracy f1 ...] [-cv 5] [-n-jobs N] [-no-progress]
       dffml-nb tune     -model NAME [-model-features ...] -model-predict T:int:1
                         -grid C=0.1,1,10 [-grid NAME=V,V ...] [-model-location DIR]
                         -sources f=csv -source-filename FILE
                         [-scorer accuracy] [-cv 5] [-halving] [-n-jobs N] [-no-progress]
"""

# -model-* (features, predict, location, hyperparameters) and -source-* are families:
# their members are checked by the code that builds the models and sources
_FAMILIES = ("model", "source")
_COMMON = (Flag("sources", "+"), Flag("cv"), Flag("n-jobs"), Flag("no-progress", 0))
EVALUATE = Flags(
    USAGE,
    (*_COMMON, Flag("models", "+"), Flag("model"), Flag("scorers", "+"), Flag("scorer")),
    _FAMILIES,
)
TUNE = Flags(
    USAGE,
    (*_COMMON, Flag("model"), Flag("grid", "+"), Flag("scorer"), Flag("halving", 0)),
    _FAMILIES,
)


def _int(options: dict[str, list[str]], name: str, default: int | None) -> int | None:
    value = one(options, name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise UsageError(f"-{name} takes a whole number, got {value!r}") from None


def _shared(options: dict[str, list[str]], namespace: dict[str, Any] | None) -> dict[str, Any]:
    features = options.get("model-features") or None
    predict = one(options, "model-predict")
    if predict is None:
        raise UsageError(f"missing -model-predict TARGET (e.g. label:int:1)\n{USAGE}")
    cv = _int(options, "cv", 5)
    if cv is not None and cv < 2:
        raise UsageError(f"-cv takes the number of folds, 2 or more, got {cv}")
    return {
        "data": build_sources(options, namespace),
        "features": features,
        "predict": predict,
        "cv": cv,
        "n_jobs": _int(options, "n-jobs", None),
    }


def _hyperparameters(
    options: dict[str, list[str]], names: list[str], skip: tuple[str, ...] = ()
) -> dict[str, dict[str, str]]:
    """``{model name: {hyperparameter: text}}`` from ``-model-[NAME-]HYPERPARAMETER VALUE``."""
    from dffml_nb.model import Model

    chosen: dict[str, dict[str, str]] = {name: {} for name in names}
    for key, values in prefixed(options, "model").items():
        if key in ("features", "predict", *skip):
            continue
        flag_name = f"-model-{key.replace('_', '-')}"
        if len(values) != 1:
            raise UsageError(f"{flag_name} takes one value, got {len(values)}")
        own = [name for name in names if key.startswith(name.replace("-", "_") + "_")]
        if own:  # -model-NAME-HYPERPARAMETER: that model only
            name = max(own, key=len)
            chosen[name][key[len(name) + 1 :]] = values[0]
            continue
        takers = [name for name in names if key in Model.load(name).hyperparameters()]
        if not takers:
            raise UsageError(
                f"{flag_name}: no model here has a hyperparameter {key!r} "
                f"(models: {', '.join(names)}; see `dffml-nb list models`)"
            )
        for name in takers:
            chosen[name][key] = values[0]
    return chosen


def _is_model_variable(namespace: dict[str, Any] | None, name: str) -> bool:
    """Whether ``name`` is a notebook variable holding a model (``-models my_model scikitrfc``)."""
    from dffml_nb.model import Model

    return namespace is not None and isinstance(namespace.get(name), Model)


def evaluate_arguments(
    options: dict[str, list[str]], namespace: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The keywords of ``evaluate`` (models, data, features, predict, scorers, cv, n_jobs)."""
    from dffml_nb.model import Model

    names = options.get("models") or ([one(options, "model")] if options.get("model") else [])
    if not names:
        raise UsageError(f"missing -models NAME ... (e.g. -models scikitlor scikitgnb)\n{USAGE}")
    arguments = _shared(options, namespace)
    given = {name: (namespace or {})[name] for name in names if _is_model_variable(namespace, name)}
    chosen = _hyperparameters(options, [name for name in names if name not in given])
    arguments["models"] = [
        (name, given[name])
        if name in given
        else Model.load(name)(**chosen[name])
        if chosen.get(name)
        else name
        for name in names
    ]
    scorers = options.get("scorers") or options.get("scorer") or None
    arguments["scorers"] = scorers
    return arguments


_VALUES = re.compile(r"\([^)]*\)|\[[^\]]*\]|[^,]+")


def parse_grid(texts: list[str]) -> dict[str, list[str]]:
    """``["C=0.1,1,10", "hidden_layer_sizes=(10,),(20,10)"]`` -> ``{"C": ["0.1", "1", "10"], ...}``."""
    grid: dict[str, list[str]] = {}
    for text in texts:
        name, sep, values = text.partition("=")
        if not sep or not name.strip() or not values.strip():
            raise UsageError(
                f"-grid takes HYPERPARAMETER=VALUE,VALUE,... (e.g. -grid C=0.1,1,10), got {text!r}"
            )
        grid.setdefault(name.strip(), []).extend(
            part.strip() for part in _VALUES.findall(values) if part.strip()
        )
    return grid


def tune_arguments(
    options: dict[str, list[str]], namespace: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The arguments of ``tune``: ``model``, ``grid`` and the keywords."""
    from dffml_nb.model import Model

    name = one(options, "model")
    if not name:
        raise UsageError(f"missing -model NAME\n{USAGE}")
    if "grid" not in options:
        raise UsageError(f"missing -grid HYPERPARAMETER=VALUE,VALUE,...\n{USAGE}")
    grid = parse_grid(options["grid"])
    arguments = _shared(options, namespace)
    hyperparameters = _hyperparameters(options, [name], skip=("location",))[name]
    location = one(options, "model-location")
    arguments["model"] = Model.load(name)(location=location, **hyperparameters)
    arguments["grid"] = grid
    arguments["scorer"] = one(options, "scorer")
    arguments["halving"] = flag(options, "halving")
    return arguments


def _rows(frame: Any, index: str) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-ready dicts (NaN becomes null)."""
    rows = frame.reset_index().rename(columns={frame.index.name or "index": index})
    return [{key: _plain(value) for key, value in row.items()} for row in rows.to_dict("records")]


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _dump(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, default=repr)
    sys.stdout.write("\n")


def evaluate(tokens: list[str]) -> int:
    from dffml_nb.evaluation.evaluate import evaluate as run

    positional, options = EVALUATE.parse(tokens)
    if positional:
        raise UsageError(f"evaluate: unexpected {' '.join(positional)!r}\n{USAGE}")
    arguments = evaluate_arguments(options)
    progress = not flag(options, "no-progress")
    board = run(arguments.pop("models"), *arguments.pop("data"), progress=progress, **arguments)
    _dump(_rows(board, "model"))
    return 0


def tune(tokens: list[str]) -> int:
    from dffml_nb.evaluation.tune import tune as run

    positional, options = TUNE.parse(tokens)
    if positional:
        raise UsageError(f"tune: unexpected {' '.join(positional)!r}\n{USAGE}")
    arguments = tune_arguments(options)
    progress = not flag(options, "no-progress")
    model, grid = arguments.pop("model"), arguments.pop("grid")
    tuned = run(model, grid, *arguments.pop("data"), progress=progress, **arguments)
    tuning = getattr(tuned, "tuning")  # noqa: B009 - set by tune() on the instance
    _dump(
        {
            "model": tuned.name,
            "location": None if tuned.location is None else str(tuned.location),
            "hyperparameters": {k: _plain(v) for k, v in tuning.attrs["best_params"].items()},
            "scorer": tuning.attrs["scorer"],
            "score": _plain(tuning.attrs["best_score"]),
            "tuning": _rows(tuning, "candidate"),
        }
    )
    return 0
