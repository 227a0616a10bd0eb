"""``tune``: grid search over a model's hyperparameters, on scikit-learn's ``GridSearchCV``.

The grid is checked against the model's hyperparameters first (their names,
types and choices come from the estimator itself: :mod:`dffml_nb.model.config`),
so a typo is an error naming it rather than a column of failed fits. The search
is scikit-learn's ``GridSearchCV`` (or ``HalvingGridSearchCV`` with
``halving=True``) on the model's estimator, scored and split as
:func:`dffml_nb.evaluate` does; the best hyperparameters are then trained on
all the rows the search used (a ``location`` gets the tuned model, as with ``train``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from dffml_nb.evaluation.candidates import EvaluationError, prepare
from dffml_nb.evaluation.metrics import resolve_scorers
from dffml_nb.evaluation.progress import FitProgress, ProgressArg

if TYPE_CHECKING:
    import pandas as pd

    from dffml_nb.model.base import Model
    from dffml_nb.model.config import Hyperparameter

__all__ = ["check_grid", "tune"]

Grid = Mapping[str, Any] | Iterable[Mapping[str, Any]]


# -- the grid -----------------------------------------------------------------------


def _values(name: str, values: Any) -> list[Any]:
    """The list of values to try (one value on its own is a list of one)."""
    import numpy as np

    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple, range, np.ndarray)):
        values = [values]
    values = list(values)
    if not values:
        raise EvaluationError(f"grid: hyperparameter {name!r} has no values to try")
    return values


def _accepts(value: Any, accepted: tuple[type, ...]) -> bool:
    if value is None:
        return type(None) in accepted
    if isinstance(value, bool):
        return bool in accepted or int in accepted
    if isinstance(value, int):
        return int in accepted or float in accepted
    if isinstance(value, float):
        return float in accepted
    if isinstance(value, str):
        return str in accepted
    if isinstance(value, (tuple, list)):
        return tuple in accepted or list in accepted
    return False


def check_value(hyperparameter: Hyperparameter, value: Any) -> Any:
    """``value`` as the model takes it (text converted), or an error naming the hyperparameter."""
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        value = value.item()  # numpy scalars: np.int64(3) is an int here
    try:
        value = hyperparameter.parse(value)  # text; an unknown choice is an error naming it
    except ValueError as error:
        raise EvaluationError(f"grid: {error}") from None
    accepted = hyperparameter.types or (hyperparameter.type,)
    if object not in accepted and not _accepts(value, accepted):
        kinds = " or ".join("None" if kind is type(None) else kind.__name__ for kind in accepted)
        raise EvaluationError(
            f"grid: hyperparameter {hyperparameter.name!r} cannot be {value!r} "
            f"({type(value).__name__}); expected {kinds}"
        )
    low, high = hyperparameter.low, hyperparameter.high
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number and ((low is not None and value < low) or (high is not None and value > high)):
        limits = [
            f"at least {low}" if low is not None else "",
            f"at most {high}" if high is not None else "",
        ]
        raise EvaluationError(
            f"grid: hyperparameter {hyperparameter.name!r} cannot be {value!r}; "
            f"expected a value {' and '.join(filter(None, limits))}"
        )
    return value


def check_grid(model_class: type[Model], grid: Grid) -> list[dict[str, list[Any]]]:
    """The grid as scikit-learn's ``param_grid`` (a list of dicts), every value checked.

    ``grid`` is ``{hyperparameter: [values]}`` or a list of such dicts (as
    ``GridSearchCV`` takes it); values may be text (``"0.1"``), as from a
    command line. An empty grid, an unknown hyperparameter or a value of the
    wrong type is an :class:`EvaluationError` naming it.
    """
    known = model_class.hyperparameters()
    grids = [grid] if isinstance(grid, Mapping) else list(grid or [])
    if not grids or not all(grids):
        example = next(iter(known), "C")
        raise EvaluationError(
            f"the grid is empty: give at least one hyperparameter of {model_class.name} with "
            f"values to try, e.g. {{{example!r}: [...]}}; its hyperparameters: "
            f"{', '.join(known) or '(none)'}"
        )
    checked = []
    for one in grids:
        if not isinstance(one, Mapping):
            raise EvaluationError(f"grid: expected {{hyperparameter: [values]}}, got {one!r}")
        part = {}
        for name, values in one.items():
            if name not in known:
                raise EvaluationError(
                    f"grid: {model_class.name} has no hyperparameter {name!r}; "
                    f"its hyperparameters: {', '.join(known) or '(none)'}"
                )
            part[name] = [check_value(known[name], value) for value in _values(name, values)]
        checked.append(part)
    return checked


# -- the search ---------------------------------------------------------------------


def _search(estimator: Any, grid: list[dict[str, list[Any]]], halving: bool, **options: Any) -> Any:
    from dffml_nb.evaluation.estimator import param_name

    param_grid = [
        {param_name(estimator, name): values for name, values in part.items()} for part in grid
    ]
    if halving:
        from sklearn.experimental import enable_halving_search_cv  # noqa: F401
        from sklearn.model_selection import HalvingGridSearchCV

        # train scores off: they are not reported, and the scorer would tick twice per fit
        return HalvingGridSearchCV(
            estimator, param_grid, refit=False, return_train_score=False, **options
        )
    from sklearn.model_selection import GridSearchCV

    return GridSearchCV(estimator, param_grid, refit=False, **options)


def _tuning_frame(search: Any, grid: list[dict[str, list[Any]]], metric: Any) -> pd.DataFrame:
    """Every candidate: its hyperparameters, mean and std score, rank and fit time; best first."""
    import numpy as np
    import pandas as pd

    from dffml_nb.evaluation.estimator import param_name

    results = search.cv_results_
    names = list(dict.fromkeys(name for part in grid for name in part))
    frame = pd.DataFrame(
        {name: results[f"param_{param_name(search.estimator, name)}"] for name in names}
    )
    frame = frame.astype(object).where(frame.notna(), None)  # a hyperparameter not in a sub-grid
    frame[metric.name] = np.asarray(results["mean_test_score"], dtype=float) * metric.sign
    frame[f"{metric.name}_std"] = np.asarray(results["std_test_score"], dtype=float)
    frame["rank"] = results["rank_test_score"]
    frame["fit_time"] = results["mean_fit_time"]
    if "iter" in results:  # successive halving: the round and the records it used
        frame["iter"] = results["iter"]
        frame["n_resources"] = results["n_resources"]
    frame.index.name = "candidate"
    return frame.sort_values(
        ["rank", *(["iter"] if "iter" in results else [])],
        ascending=[True, *([False] if "iter" in results else [])],
        kind="stable",
    )


def _best(search: Any, grid: list[dict[str, list[Any]]]) -> dict[str, Any]:
    """The best candidate's hyperparameters, by hyperparameter name."""
    from dffml_nb.evaluation.estimator import param_name

    names = {param_name(search.estimator, name): name for part in grid for name in part}
    return {names[key]: value for key, value in search.best_params_.items()}


def tune(
    model: Any,
    grid: Grid,
    *data: Any,
    scorer: Any = None,
    cv: Any = 5,
    n_jobs: int | None = None,
    halving: bool = False,
    features: Any = None,
    predict: Any = None,
    progress: ProgressArg = None,
) -> Model:
    """Grid-search ``model``'s hyperparameters; returns the model trained on all data with the best.

    ``model``: a model instance (its hyperparameters outside the grid are kept),
    or a registered name / class with ``features`` and ``predict``.
    ``grid``: ``{hyperparameter: [values]}`` (or a list of such dicts), checked
    against the model's hyperparameters. ``data``: anything ``train`` accepts.
    ``scorer``: one scorer name (default ``accuracy`` for classifiers, ``r2``
    for regressors); ``cv``: an int or a scikit-learn splitter, as in
    :func:`~dffml_nb.evaluate`. ``halving=True`` uses scikit-learn's
    ``HalvingGridSearchCV`` (successive halving). ``n_jobs`` goes to the search.
    ``progress``: one tick per fit (a bar in Jupyter by default; see
    :mod:`dffml_nb.evaluation.progress`).

    The returned model is a new instance (saved to the model's ``location``,
    if it has one); ``model.tuning`` is a DataFrame of every candidate — its
    hyperparameters, the mean and std score over the folds (an error such as
    ``mse`` as the error itself), ``rank`` and ``fit_time`` — best first;
    ``model.tuning.attrs`` holds ``best_params``, ``best_score`` and ``scorer``.

    >>> tuned = tune(Model.load("scikitlor")(features=..., predict="target:int:1"),
    ...              {"C": [0.1, 1, 10]}, df)  # doctest: +SKIP
    """
    from sklearn.model_selection import ParameterGrid

    prepared, entry, checked, metric, folds = _setup(
        model, grid, data, scorer=scorer, cv=cv, features=features, predict=predict
    )
    splits = folds.get_n_splits(prepared.X, prepared.y)
    total = None if halving else len(ParameterGrid(checked)) * splits + 1
    with FitProgress(progress, total, n_jobs=n_jobs, text=f"tuning {entry.label}") as fits:
        search = _search(
            entry.estimator,
            checked,
            halving,
            scoring=fits.wrap(metric.scorer),
            cv=folds,
            n_jobs=n_jobs,
        )
        search.fit(prepared.X, prepared.y)
        best = _best(search, checked)
        tuned = type(entry.model)(**{**entry.model.config(), **best})
        if halving:  # its number of fits is known now
            fits.set_total(fits.done + 1)
        tuned.fit_arrays(prepared.X, prepared.y)  # the rows the search used, already read
        fits.tick()
    tuning = _tuning_frame(search, checked, metric)
    tuning.attrs.update(
        best_params=best,
        best_score=float(search.best_score_) * metric.sign,
        scorer=metric.name,
        greater_is_better=metric.greater_is_better,
    )
    tuned.tuning = tuning
    return tuned


def _setup(
    model: Any,
    grid: Grid,
    data: tuple[Any, ...],
    *,
    scorer: Any,
    cv: Any,
    features: Any,
    predict: Any,
) -> tuple[Any, Any, list[dict[str, list[Any]]], Any, Any]:
    """Everything checked before a fit: the model and data, the grid, the scorer, the folds."""
    from dffml_nb.evaluation.evaluate import splitter

    if hasattr(model, "get_params") or isinstance(model, (list, tuple, dict)):
        raise EvaluationError(
            f"tune takes one dffml_nb model (an instance, a name or a class), not {model!r}"
        )
    prepared = prepare(model, data, features=features, predict=predict)
    entry = prepared.entries[0]
    if entry.error is not None:
        raise EvaluationError(f"{entry.label}: {entry.error}")
    checked = check_grid(type(entry.model), grid)
    metrics = resolve_scorers(scorer, prepared.kind, [entry.label])
    if len(metrics) != 1:
        raise EvaluationError("tune takes one scorer (the one the best candidate is chosen by)")
    return prepared, entry, checked, metrics[0], splitter(cv, prepared)
