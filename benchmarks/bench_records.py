"""``run_records`` speed and memory, as ratios against baselines measured in the same run.

    python benchmarks/bench_records.py            # 100,000 rows row-wise, 1,000,000 columnar
    python benchmarks/bench_records.py --quick    # a tenth of the rows, fewer repetitions

Row-wise: a 3-operation flow (parse a number out of raw text, multiply two
columns, combine both) over a DataFrame, DataFrame out, against pandas'
``DataFrame.apply(axis=1)`` calling the same three functions and a bare Python
``for`` loop over the rows calling them (the physical limit to approach).
Columnar: the same computation on whole columns (``columnar=True``) against the
same pandas code written directly. Memory: traced peak beyond the data (the
input frame exists before tracing starts; the output's new column is
subtracted) for 100,000 and 1,000,000 records — flat means it does not grow with
the number of records. Every variant's output is checked equal to the others.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

from dffml_nb import DataFlow, op, run_records


def best(fns: dict, repeat: int) -> dict[str, tuple[float, object]]:
    """Best time and output of each function, their repetitions interleaved so that a
    change in the machine's load (other processes) hits every variant alike."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    outs: dict[str, object] = {}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()
            start = time.perf_counter()
            outs[name] = fn()
            times[name].append(time.perf_counter() - start)
    return {name: (min(times[name]), outs[name]) for name in fns}


# -- the work ----------------------------------------------------------------------------


def years(text: str) -> int:
    """``"12 years, senior"`` -> 12"""
    return int(text.split(" ", 1)[0])


def rate(hours: int, wage: float) -> float:
    return hours * wage


def pay(years: int, rate: float) -> float:
    return rate + 100.0 * years


ROW_FLOW = DataFlow(op(years), op(rate), op(pay))


@op
def years_col(text: object) -> object:
    return text.str.split(" ", n=1).str[0].astype("int64")


@op
def rate_col(hours: object, wage: object) -> object:
    return hours * wage


@op
def pay_col(years_col: object, rate_col: object) -> object:
    return rate_col + 100.0 * years_col


COLUMN_FLOW = DataFlow(years_col, rate_col, pay_col)


def dataset(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "text": [f"{n} years, senior" for n in rng.integers(0, 40, rows)],
            "hours": rng.integers(1, 60, rows),
            "wage": rng.random(rows) * 50,
        }
    )


# -- row-wise ------------------------------------------------------------------------------


def with_apply(frame: pd.DataFrame) -> pd.DataFrame:
    column = frame.apply(
        lambda row: pay(years(row["text"]), rate(row["hours"], row["wage"])), axis=1
    )
    return frame.assign(pay=column)


def with_loop(frame: pd.DataFrame) -> pd.DataFrame:
    out = []
    for text, hours, wage in zip(
        frame["text"].tolist(), frame["hours"].tolist(), frame["wage"].tolist()
    ):
        out.append(pay(years(text), rate(hours, wage)))
    return frame.assign(pay=out)


def with_flow(frame: pd.DataFrame) -> pd.DataFrame:
    return run_records(ROW_FLOW, frame)


# -- columnar ------------------------------------------------------------------------------


def with_pandas(frame: pd.DataFrame) -> pd.DataFrame:
    years_ = frame["text"].str.split(" ", n=1).str[0].astype("int64")
    rate_ = frame["hours"] * frame["wage"]
    return frame.assign(pay_col=rate_ + 100.0 * years_)


def with_columnar_flow(frame: pd.DataFrame) -> pd.DataFrame:
    return run_records(COLUMN_FLOW, frame, columnar=True)


# -- memory --------------------------------------------------------------------------------


def peak_beyond_data(rows: int) -> float:
    """Traced peak of a row-wise run_records, minus the output column, in bytes."""
    frame = dataset(rows)
    gc.collect()
    tracemalloc.start()
    out = run_records(ROW_FLOW, frame)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - out["pay"].to_numpy().nbytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rows, big, repeat = (10_000, 100_000, 2) if args.quick else (100_000, 1_000_000, 5)

    frame = dataset(rows)
    timed = best(
        {
            "apply": lambda: with_apply(frame),
            "loop": lambda: with_loop(frame),
            "flow": lambda: with_flow(frame),
        },
        repeat,
    )
    (t_apply, a), (t_loop, b), (t_flow, c) = timed["apply"], timed["loop"], timed["flow"]
    pd.testing.assert_series_equal(a["pay"], c["pay"], check_dtype=False)
    pd.testing.assert_series_equal(b["pay"], c["pay"], check_dtype=False)
    print(f"row-wise, {rows:,} records, 3 operations, DataFrame in -> DataFrame out")
    print(f"  DataFrame.apply(axis=1) {t_apply:7.3f} s")
    print(f"  bare Python for loop    {t_loop:7.3f} s")
    print(f"  run_records             {t_flow:7.3f} s")
    print(f"  run_records vs apply:   {t_apply / t_flow:5.2f}x as fast (goal >= 1)")
    print(f"  run_records vs loop:    {t_loop / t_flow:5.2f}x as fast (the physical limit is 1)")

    wide = dataset(big)
    timed = best(
        {"pandas": lambda: with_pandas(wide), "flow": lambda: with_columnar_flow(wide)}, repeat
    )
    (t_pandas, d), (t_columnar, e) = timed["pandas"], timed["flow"]
    pd.testing.assert_series_equal(d["pay_col"], e["pay_col"])
    print(f"columnar, {big:,} records")
    print(f"  pandas directly         {t_pandas:7.3f} s")
    print(f"  run_records columnar    {t_columnar:7.3f} s")
    print(f"  columnar vs pandas:     {t_pandas / t_columnar:5.2f}x as fast (goal >= 0.8)")

    small, large = peak_beyond_data(rows), peak_beyond_data(big)
    print("memory: traced peak beyond the data (row-wise run_records)")
    print(f"  {rows:>9,} records  {small / 2**20:7.2f} MiB  ({small / rows:6.1f} B/record)")
    print(f"  {big:>9,} records  {large / 2**20:7.2f} MiB  ({large / big:6.1f} B/record)")
    print(f"  growth {big // rows}x records -> {large / small:5.2f}x memory (flat: about 1)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
