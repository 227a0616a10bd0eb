"""DFFML-style command-line options: ``-model scikitlr -model-features A:int:1 B:float:1``.

Options are single-dash words followed by zero or more values. They are
collected generically, so ``-model-<keyword>`` and ``-source-<keyword>`` reach
the model's and source's constructor keywords without a flag per keyword.
"""

from __future__ import annotations

import re
from typing import Any

_OPTION = re.compile(r"^--?[A-Za-z][\w-]*$")


class UsageError(ValueError):
    """A command line that does not make sense; the message says what would."""


def parse(tokens: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Split into positional words and ``{option: [values]}`` (option without dashes).

    A negative number (``-1``, ``-0.5``) is a value, not an option.
    """
    positional: list[str] = []
    options: dict[str, list[str]] = {}
    current: list[str] | None = None
    for token in tokens:
        if _OPTION.match(token):
            name = token.lstrip("-")
            current = options.setdefault(name, [])
        elif current is None:
            positional.append(token)
        else:
            current.append(token)
    return positional, options


def one(
    options: dict[str, list[str]], name: str, default: Any = None, required: bool = False
) -> Any:
    """The single value of ``-name``; a clear error when it is missing or repeated."""
    values = options.get(name)
    if not values:
        if required:
            raise UsageError(f"missing -{name}")
        return default
    if len(values) > 1:
        raise UsageError(f"-{name} takes one value, got {len(values)}: {' '.join(values)}")
    return values[0]


def flag(options: dict[str, list[str]], name: str) -> bool:
    if name not in options:
        return False
    values = options[name]
    if values:
        raise UsageError(f"-{name} takes no value, got: {' '.join(values)}")
    return True


def prefixed(options: dict[str, list[str]], prefix: str) -> dict[str, list[str]]:
    """``-model-features a b`` -> ``{"features": ["a", "b"]}`` for prefix ``model``."""
    start = prefix + "-"
    return {k[len(start) :].replace("-", "_"): v for k, v in options.items() if k.startswith(start)}


def pairs(values: list[str], what: str) -> list[tuple[str, str]]:
    """``["40=n", "add 1 and 2=calc_string"]`` -> ``[("40", "n"), ...]`` (split at the last '=')."""
    out = []
    for value in values:
        left, sep, right = value.rpartition("=")
        if not sep or not right:
            raise UsageError(f"{what} must look like value=definition, got {value!r}")
        out.append((left, right))
    return out
