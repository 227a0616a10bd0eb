"""Train + predict through dffml_nb vs the same work with pandas + scikit-learn.

Run: ``python benchmarks/bench_models.py [--rows N] [--repeat N] [--model NAME]``.

A CSV of ``--rows`` rows (5 numeric features, a linear target plus noise) is
written once. Each side then, from the file name alone:

- dffml_nb: ``train(model, path)`` then ``predict(model, path, as_frame=True)``;
- baseline: ``pandas.read_csv`` + ``estimator.fit``, then ``read_csv`` +
  ``estimator.predict``, building the same result frame (features, prediction,
  confidence) and computing the same training R² that dffml_nb reports as
  confidence.

Both are timed in the same run, interleaved, best of ``--repeat``; the ratio is
what matters (target: at most 1.15x). Exit status 1 if it is exceeded. Nothing
is cached across runs: each reads and parses the file twice.

For information, the first run in a fresh process is timed too (best of
``--fresh`` processes per side, interleaved; ``--fresh 0`` skips it). Both
processes import pandas, scikit-learn's estimator and dffml_nb's modules
first (not timed); the dffml_nb side includes ``Model.load(name)``, whose
first call in a process reads dffml_nb's own entry points (about 1 ms: built-in
names never scan every installed package), and the model class's first look at
its estimator's signature (help texts are not parsed until a form asks).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dffml_nb import Model, predict, train

LIMIT = 1.15
FEATURES = ["f0", "f1", "f2", "f3", "f4"]


def best_of(functions: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Fastest of ``repeat`` interleaved runs of each function, in seconds."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in times.items()}


def write_csv(path: Path, rows: int) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, len(FEATURES))).round(6)
    y = X @ np.array([1.5, -2.0, 0.5, 3.0, -1.0]) + 4.0 + rng.normal(scale=0.1, size=rows)
    frame = pd.DataFrame(X, columns=FEATURES)
    frame["target"] = y.round(6)
    frame.to_csv(path, index=False)


def dffml_nb_run(name: str, path: Path) -> pd.DataFrame:
    model = Model.load(name)(features=[f"{f}:float:1" for f in FEATURES], predict="target:float:1")
    train(model, path)
    return predict(model, path, as_frame=True)


def baseline_run(estimator_class: type, path: Path) -> pd.DataFrame:
    from sklearn.metrics import r2_score

    training = pd.read_csv(path)
    X, y = training[FEATURES].to_numpy(), training["target"].to_numpy()
    estimator = estimator_class().fit(X, y)
    confidence = r2_score(y, estimator.predict(X))
    frame = pd.read_csv(path)[FEATURES]
    frame["target"] = estimator.predict(frame.to_numpy())
    frame["target_confidence"] = confidence
    return frame


#: one fresh process: imports (not timed), then one run of ``side``, timed
FRESH = """
import sys, time
sys.path.insert(0, {folder!r})
import pandas, sklearn.metrics
import dffml_nb, dffml_nb.model.data, dffml_nb.source
from bench_models import baseline_run, dffml_nb_run
from dffml_nb.model.sklearn import model_class
side, name, path = sys.argv[1:]
estimator_class = model_class(name).estimator_class()  # imports the estimator's module
start = time.perf_counter()
if side == "dffml_nb":
    dffml_nb_run(name, path)
else:
    baseline_run(estimator_class, path)
print(time.perf_counter() - start)
"""


def first_runs(name: str, path: Path, repeat: int) -> dict[str, list[float]]:
    """Seconds taken by one run of each side in ``repeat`` fresh processes each."""
    code = FRESH.format(folder=str(Path(__file__).resolve().parent))
    times: dict[str, list[float]] = {"dffml_nb": [], "pandas + scikit-learn": []}
    for _ in range(repeat):
        for side in times:
            output = subprocess.run(
                [sys.executable, "-c", code, side.split()[0], name, str(path)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            times[side].append(float(output.split()[-1]))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=31)
    parser.add_argument("--fresh", type=int, default=5, help="fresh processes per side")
    parser.add_argument("--model", default="scikitlr", help="a regressor's registered name")
    args = parser.parse_args(argv)

    estimator_class = Model.load(args.model).estimator_class()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "data.csv"
        write_csv(path, args.rows)
        ours, theirs = dffml_nb_run(args.model, path), baseline_run(estimator_class, path)
        np.testing.assert_allclose(ours["target"].to_numpy(), theirs["target"].to_numpy())
        times = best_of(
            {
                "dffml_nb": lambda: dffml_nb_run(args.model, path),
                "pandas + scikit-learn": lambda: baseline_run(estimator_class, path),
            },
            args.repeat,
        )
        fresh = first_runs(args.model, path, args.fresh) if args.fresh else None
    ratio = times["dffml_nb"] / times["pandas + scikit-learn"]
    print(f"train + predict, {args.rows:,} rows x {len(FEATURES)} features, {args.model}")
    for label, seconds in times.items():
        print(f"  {label:<24} {seconds * 1000:8.1f} ms (best of {args.repeat})")
    print(f"  ratio                    {ratio:8.2f}x  (target <= {LIMIT}x)")
    if fresh:
        print(f"  first run in a fresh process (best of {args.fresh}; median in brackets)")
        for label, values in fresh.items():
            median = statistics.median(values)
            print(f"  {label:<24} {min(values) * 1000:8.1f} ms ({median * 1000:.1f} ms)")
        first = min(fresh["dffml_nb"]) / min(fresh["pandas + scikit-learn"])
        print(f"  ratio                    {first:8.2f}x  (for information)")
    return 0 if ratio <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
