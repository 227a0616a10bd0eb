"""evaluate() and tune() vs calling scikit-learn's cross_validate / GridSearchCV directly.

Run: ``python benchmarks/bench_evaluate.py [--rows N] [--repeat N]``.

One DataFrame of ``--rows`` rows (10 numeric features, a binary target) is
made once. Then, timed in the same run, interleaved, best of ``--repeat``:

- evaluate: ``evaluate([scikitlor, scikitgnb, scikitdtc], df, cv=5)`` vs, for
  each of the three estimators, ``cross_validate(estimator, X, y, cv=5,
  scoring="accuracy")`` with ``X`` / ``y`` taken from the frame (also timed);
- tune: ``tune(scikitlor, {"C": [0.01, 0.1, 1]}, df, cv=5)`` (with a progress
  callback: one tick per fit) vs ``GridSearchCV(LogisticRegression(), same grid,
  cv=5).fit(X, y)`` (which refits the best on all rows, as tune trains it).

Both sides run with BLAS / OpenMP limited to one thread (threadpoolctl): on a
small shared machine, thread oversubscription otherwise swamps the difference
being measured. Target: each ratio at most 1.1x. Exit status 1 if one is exceeded.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier

from dffml_nb import Model, evaluate, tune

LIMIT = 1.1
FEATURES = [f"f{i}" for i in range(10)]
GRID = {"C": [0.01, 0.1, 1.0]}


def best_of(functions: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Fastest of ``repeat`` interleaved runs of each function, in seconds."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in times.items()}


def make_frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, len(FEATURES)))
    logit = X @ rng.normal(size=len(FEATURES)) + rng.normal(scale=2.0, size=rows)
    frame = pd.DataFrame(X, columns=FEATURES)
    frame["target"] = (logit > 0).astype(int)
    return frame


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    frame = make_frame(args.rows)
    target = "target:int:1"

    def models() -> list[Any]:
        return [
            Model.load("scikitlor")(features=FEATURES, predict=target),
            Model.load("scikitgnb")(features=FEATURES, predict=target),
            Model.load("scikitdtc")(features=FEATURES, predict=target, max_depth=8, random_state=0),
        ]

    def ours_evaluate() -> Any:
        return evaluate(models(), frame, cv=5, progress=False)

    def sklearn_evaluate() -> Any:
        X, y = frame[FEATURES].to_numpy(float), frame["target"].to_numpy()
        estimators = [
            LogisticRegression(),
            GaussianNB(),
            DecisionTreeClassifier(max_depth=8, random_state=0),
        ]
        return [
            cross_validate(e, X, y, cv=5, scoring="accuracy")["test_score"].mean()
            for e in estimators
        ]

    ticks: list[int] = []

    def ours_tune() -> Any:
        model = Model.load("scikitlor")(features=FEATURES, predict=target)
        return tune(model, GRID, frame, cv=5, progress=lambda done, total: ticks.append(done))

    def sklearn_tune() -> Any:
        X, y = frame[FEATURES].to_numpy(float), frame["target"].to_numpy()
        return GridSearchCV(LogisticRegression(), GRID, cv=5).fit(X, y)

    # same numbers first: a benchmark of different work would mean nothing
    board, direct = ours_evaluate(), sklearn_evaluate()
    assert np.allclose(sorted(board["accuracy"]), sorted(direct), atol=1e-9), (board, direct)
    tuned, search = ours_tune(), sklearn_tune()
    assert tuned.hyperparameter_values["C"] == search.best_params_["C"]

    print(f"{args.rows} rows x {len(FEATURES)} features; best of {args.repeat}, interleaved")
    failed = False
    for label, ours, theirs in (
        ("evaluate, 3 models, 5-fold", ours_evaluate, sklearn_evaluate),
        ("tune, 3 candidates, 5-fold", ours_tune, sklearn_tune),
    ):
        times = best_of({"dffml_nb": ours, "scikit-learn": theirs}, args.repeat)
        ratio = times["dffml_nb"] / times["scikit-learn"]
        failed |= ratio > LIMIT
        print(
            f"{label:30s} dffml_nb {times['dffml_nb']:7.3f} s   scikit-learn "
            f"{times['scikit-learn']:7.3f} s   ratio {ratio:.3f}x (limit {LIMIT}x)"
            + ("  FAIL" if ratio > LIMIT else "")
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
