"""Module-level operations for the pool tests: importable (so picklable) in worker processes.

What a test needs to see of the calls (how many ran, when, in what order) is written
to a log file whose path arrives as the ``log`` input: process-safe, unlike a list in
the test's memory. Each line is one JSON record, appended in one write.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

from dffml_nb.df import Definition, op

resource = Definition("resource", "str", lock=True)
free_resource = Definition("free_resource", "str")
number = Definition("n", int)
done = Definition("done", int)
first = Definition("first", bool)
second = Definition("second", bool)


def note(log: str, **record: object) -> None:
    """Append one record (with the writer's pid and the time) to the log file."""
    record.update(pid=os.getpid(), t=time.time())
    line = json.dumps(record) + "\n"
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())  # O_APPEND: one write is one whole line, whoever writes
    finally:
        os.close(fd)


def read_log(log: str | Path) -> list[dict]:
    path = Path(log)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


# -- combinations ------------------------------------------------------------------------


@op
def combine(a: int, b: int, c: int) -> str:
    return f"{a}{b}{c}"


@op
async def spread(a: int) -> AsyncIterator[int]:
    for i in range(3):
        await asyncio.sleep(0)
        yield a + i


@op
def pair(a: int, spread: int) -> int:
    return a * 1000 + spread


@op
def scale(x: int, factor: int = 3) -> int:
    return x * factor


@op(inputs={"x": Definition("x", int), "y": Definition("y", int, default=7)})
def plus(x, y):
    return x + y


@op
def start(log: str) -> int:
    note(log, op="start")
    return 5


@op
def double(start: int) -> int:
    return start * 2


@op(conditions=[first, second])
def gated(x: int) -> int:
    return x


# -- locks: calls record when they ran ----------------------------------------------------


def use(resource, n, log):
    note(log, op="use", n=n, at="start")
    time.sleep(0.05)
    note(log, op="use", n=n, at="end")
    return n


locked_use = op(
    use,
    name="locked_use",
    inputs={"resource": resource, "n": number, "log": Definition("log", str)},
    outputs={"done": done},
)
free_use = op(
    use,
    name="free_use",
    inputs={"resource": free_resource, "n": number, "log": Definition("log", str)},
    outputs={"done": done},
)


# -- expand, generators ------------------------------------------------------------------


@op
async def numbers(n: int) -> AsyncIterator[int]:
    for i in range(n):
        yield i


@op
def square(numbers: int) -> int:
    return numbers * numbers


@op(expand=["split"])
def split(text: str) -> list[str]:
    return text.split()


@op
def shout(split: str) -> str:
    return split.upper()


@op(expand=["bad_split"])
def bad_split(text: str) -> list:
    return 5  # type: ignore[return-value]


def countdown(k: int):
    """A plain generator: each yielded value is its own output."""
    yield from range(k)


count_down = op(countdown, outputs={"tick": Definition("tick", int)})


# -- retry ---------------------------------------------------------------------------------


@op(retry=2)
def flaky(x: int, log: str) -> int:
    note(log, op="flaky")
    if len(read_log(log)) < 3:
        raise ConnectionError("try again")
    return x


@op(retry=1)
def always_fails(x: int, log: str) -> int:
    note(log, op="always_fails")
    raise ConnectionError("down")


# -- stages ----------------------------------------------------------------------------------


@op
def work(x: int, log: str) -> int:
    time.sleep(0.01)
    note(log, op="work")
    return x + 1


@op(stage="cleanup")
def tidy(work: int, log: str) -> None:
    note(log, op="cleanup")


# -- results ---------------------------------------------------------------------------------


@op
def a(x: int) -> int:
    return x + 1


@op
def b(a: int) -> int:
    return a * 10


@op
def c(a: int) -> str:
    return str(a)


@op(expand=["many"])
def many(n: int) -> list[int]:
    return list(range(n))


# -- errors ------------------------------------------------------------------------------------


@op
def explode(x: int) -> int:
    if x == 2:
        raise ValueError("two is not allowed")
    return x


@op(outputs={"one": Definition("one", int), "two": Definition("two", int)})
def two_outputs(x: int):
    return 5


class Unpicklable(Exception):
    """An exception that cannot travel: its __init__ takes two arguments, args has one."""

    def __init__(self, what: str, code: int) -> None:
        super().__init__(f"{what} ({code})")


@op
def raises_odd(x: int) -> int:
    raise Unpicklable("odd failure", x)


# -- cycles --------------------------------------------------------------------------------------


@op(inputs={"n": Definition("n", int)}, outputs={"n": Definition("n", int)})
def halve(n):
    return max(n // 2, 1)


@op(inputs={"n": Definition("n", int)}, outputs={"n": Definition("n", int)})
def grow(n):
    return n + 1


# -- failures of workers ------------------------------------------------------------------------


@op
def crunch(x: int) -> int:
    """A short CPU-bound call; ``x == 13`` kills the worker process running it."""
    if x == 13:
        os.kill(os.getpid(), 9)
    total = 0
    for i in range(20_000):
        total += i % 7
    return x * 2


@op
def slow(x: int) -> int:
    time.sleep(x)
    return x


@op
def where(x: int) -> int:
    """The worker's pid: which process ran the call."""
    return os.getpid()


@op
def refuse(x: int) -> int:
    """Fails at once (beside ``slow``, which takes ``x`` seconds on the same input)."""
    raise ValueError("refused at once")
