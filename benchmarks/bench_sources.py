"""Loading a 100,000-row CSV: ``as_frame`` / ``CSVSource.to_frame`` vs ``pandas.read_csv``.

Run: ``python benchmarks/bench_sources.py [--rows N] [--repeat N] [--fresh N]``.

Both sides are timed in the same run on the same file, so the ratio does not
depend on the machine. Target: no more than 1.3x ``read_csv``, both

- on the **first call in a fresh process** (the honest number: nothing can have
  been prepared by an earlier call). Each call runs in its own new Python
  process, after ``import pandas`` and ``import dffml_nb.source`` (imports are
  not part of the call); best of ``--fresh`` processes per contender,
  interleaved; and
- **steady state**: best of ``--repeat`` calls in this process, interleaved.

Nothing is cached across calls: every call reads and parses the file.

Two layouts are measured:

- ``plain``: DFFML's quickstart layout, no key column (rows keyed "0", "1", ...
  by position: the frame keeps pandas' RangeIndex);
- ``keyed``: a ``key`` column, as ``CSVSource.save`` writes. Keys must be read
  as text ("007" is not 7), so the fair baseline there is ``read_csv`` with
  ``dtype={"key": str}``; the ratio against plain ``read_csv`` (which parses
  the keys as integers) is printed too.

Exit status 1 if a target ratio is exceeded.
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

from dffml_nb.source import CSVSource, as_frame

LIMIT = 1.3

#: the calls compared, by name: source code run on ``path`` (a str)
CALLS = {
    "read_csv": "pd.read_csv(path)",
    "read_csv_text_keys": "pd.read_csv(path, dtype={'key': str})",
    "as_frame": "as_frame(path)",
    "to_frame": "CSVSource(path).to_frame()",
}

#: the same calls, for timing in this process
FUNCTIONS: dict[str, Callable[[str], Any]] = {
    "read_csv": lambda path: pd.read_csv(path),
    "read_csv_text_keys": lambda path: pd.read_csv(path, dtype={"key": str}),
    "as_frame": lambda path: as_frame(path),
    "to_frame": lambda path: CSVSource(path).to_frame(),
}

#: one fresh process: imports first (not timed), then the first call, timed
FRESH = """
import sys, time
import pandas as pd
from dffml_nb.source import CSVSource, as_frame
path = sys.argv[1]
start = time.perf_counter()
{call}
print(time.perf_counter() - start)
"""


def best_of(functions: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """The fastest of ``repeat`` runs of each function, in seconds.

    Runs are interleaved (a, b, c, a, b, c, ...) so that load from other
    processes hits every contender alike.
    """
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in times.items()}


def first_calls(path: Path, names: list[str], repeat: int) -> dict[str, list[float]]:
    """Seconds taken by the first call of each of ``names`` in ``repeat`` fresh
    processes each (interleaved)."""
    times: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(repeat):
        for name in names:
            code = FRESH.format(call=CALLS[name])
            output = subprocess.run(
                [sys.executable, "-c", code, str(path)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            times[name].append(float(output.split()[-1]))
    return times


def write_csv(path: Path, rows: int, keyed: bool) -> None:
    """Quickstart-like columns: Years, Expertise (int), Trust, Salary (float)."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "Years": rng.integers(0, 40, rows),
            "Expertise": rng.integers(0, 10, rows),
            "Trust": rng.random(rows).round(4),
            "Salary": (rng.random(rows) * 100_000).round(2),
        }
    )
    frame.to_csv(path, index=keyed, index_label="key" if keyed else None)


def report(label: str, seconds: float, baseline: float, note: str = "") -> float:
    ratio = seconds / baseline
    print(f"  {label:<40} {seconds * 1e3:8.1f} ms  ratio {ratio:4.2f}{note}")
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50, help="steady-state calls per contender")
    parser.add_argument("--fresh", type=int, default=15, help="fresh processes per contender")
    args = parser.parse_args()
    ratios: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as directory:
        for layout in ("plain", "keyed"):
            path = Path(directory) / f"{layout}.csv"
            write_csv(path, args.rows, keyed=layout == "keyed")
            fair = "read_csv" if layout == "plain" else "read_csv_text_keys"
            names = ["read_csv", *([fair] if layout == "keyed" else []), "as_frame", "to_frame"]
            print(f"{layout}: {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB")

            fresh = first_calls(path, names, args.fresh)
            best = {name: min(values) for name, values in fresh.items()}
            print(f"  first call in a fresh process (best of {args.fresh}; median in brackets)")
            for name in names:
                median = statistics.median(fresh[name])
                ratio = report(CALLS[name], best[name], best[fair], f"  ({median * 1e3:.1f} ms)")
                if name in ("as_frame", "to_frame"):
                    ratios.append((f"{layout}, first call, {name}", ratio))

            steady = best_of(
                {name: (lambda f=FUNCTIONS[name], p=str(path): f(p)) for name in names},
                args.repeat,
            )
            print(f"  steady state (best of {args.repeat})")
            for name in names:
                ratio = report(CALLS[name], steady[name], steady[fair])
                if name in ("as_frame", "to_frame"):
                    ratios.append((f"{layout}, steady state, {name}", ratio))
            if layout == "keyed":
                print(
                    f"  as_frame vs plain read_csv (keys parsed as ints)           "
                    f"ratio {steady['as_frame'] / steady['read_csv']:.2f}"
                )
    failed = [(label, ratio) for label, ratio in ratios if ratio > LIMIT]
    for label, ratio in failed:
        print(f"FAIL: {label}: {ratio:.2f}x read_csv (target <= {LIMIT}x)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
