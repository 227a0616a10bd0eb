"""DFFML-style command-line options: ``-model scikitlr -model-features A:int:1 B:float:1``.

Options are single-dash words followed by zero or more values. Each command
declares what it accepts with one :class:`Flags` value — its fixed flags and
its *families* (``model`` for ``-model-<keyword>``, ``source`` for
``-source-[<label>-]<keyword>``) — and anything else is a :class:`UsageError`
that names the flag and suggests the closest valid one. A family's members are
checked by the code that builds the thing they configure, against the keywords
its constructor takes (:func:`keywords`, :func:`check_keywords`), so a model's
hyperparameters need no flag of their own.
"""

from __future__ import annotations

import difflib
import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

_OPTION = re.compile(r"^--?[A-Za-z][\w-]*$")
HELP = ("-h", "--help")


class UsageError(ValueError):
    """A command line that does not make sense; the message says what would."""


class HelpRequested(UsageError):
    """``-h`` / ``--help`` was given: show ``usage`` and stop. The command line
    prints it on stdout and exits 0; a magic shows it as its usage message."""

    def __init__(self, usage: str) -> None:
        super().__init__(usage)
        self.usage = usage


@dataclass(frozen=True)
class Flag:
    """One flag a command accepts (``name`` without its dash).

    ``nargs``: ``0`` a switch (``-no-strict``), ``1`` one value, ``"+"`` one or
    more values, ``"*"`` any number.
    """

    name: str
    nargs: int | str = 1


@dataclass(frozen=True)
class Flags:
    """Everything one command accepts: its usage text, flags and flag families."""

    usage: str
    flags: tuple[Flag, ...] = ()
    #: prefixes whose members (``-<family>-<keyword>``) the command's builders check
    families: tuple[str, ...] = ()
    _by_name: dict[str, Flag] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {flag.name: flag for flag in self.flags})

    def parse(self, tokens: list[str]) -> tuple[list[str], dict[str, list[str]]]:
        """Positional words and ``{flag: [values]}``, checked (see :meth:`check`)."""
        switches = {flag.name for flag in self.flags if flag.nargs == 0}
        positional, options = parse(tokens, switches)
        self.check(options)
        return positional, options

    def family(self, name: str) -> str | None:
        """The family ``name`` belongs to (``model`` for ``model-features``), if any."""
        return next((f for f in self.families if name.startswith(f + "-")), None)

    def check(self, options: dict[str, list[str]]) -> None:
        """Every option is a declared flag (with a fitting number of values) or a family member.

        ``-h`` / ``--help`` raises :class:`HelpRequested`.
        """
        if "h" in options or "help" in options:
            raise HelpRequested(self.usage)
        for name, values in options.items():
            if self.family(name):
                continue
            flag = self._by_name.get(name)
            if flag is None:
                # a typo in a family's prefix (-modl-features) is matched within the family
                rest = name.partition("-")[2]
                family_forms = [f"{family}-{rest}" for family in self.families if rest]
                raise unknown_flag(name, [*self._by_name, *family_forms])
            _check_count(flag, values)


def _check_count(flag: Flag, values: list[str]) -> None:
    if flag.nargs == 0 and values:
        raise UsageError(f"-{flag.name} takes no value, got: {' '.join(values)}")
    if flag.nargs == 1 and len(values) != 1:
        got = f"{len(values)}: {' '.join(values)}" if values else "none"
        raise UsageError(f"-{flag.name} takes one value, got {got}")
    if flag.nargs == "+" and not values:
        raise UsageError(f"-{flag.name} needs at least one value")


def unknown_flag(name: str, valid: Iterable[str], context: str = "") -> UsageError:
    """``unknown flag -scorr; did you mean -scorer?`` (else the valid flags are listed).

    Flags that share a family prefix with ``name`` (``source-``) are compared
    without it, so the prefix alone does not make ``-source-delimiter`` look
    like ``-source-readwrite``.
    """
    valid = sorted(set(valid))
    family = name.partition("-")[0] + "-"
    shared = [v for v in valid if v.startswith(family)]
    if "-" in name and shared:
        tails = difflib.get_close_matches(
            name[len(family) :], [v[len(family) :] for v in shared], n=1, cutoff=0.6
        )
        close = [family + tail for tail in tails]
    else:
        close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
    if close:
        hint = f"did you mean -{close[0]}?"
    elif valid:
        hint = "valid: " + ", ".join(f"-{v}" for v in valid)
    else:
        hint = "this command takes no flags"
    return UsageError(f"unknown flag -{name}{context}; {hint}")


def keywords(target: Callable[..., Any]) -> list[str]:
    """The names ``target`` (a function, or a class: its constructor) takes as keywords."""
    accepted = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return [p.name for p in inspect.signature(target).parameters.values() if p.kind in accepted]


def check_keywords(
    family: str, given: Iterable[str], valid: Iterable[str], context: str = ""
) -> None:
    """Each ``-<family>-<keyword>`` names one of ``valid``; else a :func:`unknown_flag` error."""
    valid = list(valid)
    for keyword in given:
        if keyword not in valid:
            raise unknown_flag(f"{family}-{keyword}", [f"{family}-{v}" for v in valid], context)


def parse(
    tokens: list[str], switches: Iterable[str] = ()
) -> tuple[list[str], dict[str, list[str]]]:
    """Split into positional words and ``{option: [values]}`` (option without dashes).

    A negative number (``-1``, ``-0.5``) is a value, not an option. Words after a
    switch (a flag named in ``switches``, which takes no value) are positional:
    ``dataflow diagram -simple flow.json``; so are the words after ``--``. Parsing alone accepts any option:
    :meth:`Flags.parse` is what checks them.
    """
    switches = set(switches)
    positional: list[str] = []
    options: dict[str, list[str]] = {}
    current: list[str] | None = None
    for index, token in enumerate(tokens):
        if token == "--":  # as in DFFML (and POSIX): every word after it is positional
            positional.extend(tokens[index + 1 :])
            break
        if _OPTION.match(token):
            name = token.lstrip("-")
            current = options.setdefault(name, [])
            if name in switches:
                current = None
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


def cli_value(text: str, definition: Any, where: str) -> Any:
    """A command-line value for ``definition``, read as DFFML reads one: ``None`` is None;
    text for a ``str`` definition stays text; other known primitives are converted
    (``"[1, 2]"`` for a list); anything else is a Python literal if it parses as one."""
    import ast

    if text == "None":
        return None
    if definition.primitive == "str":
        return text
    if definition.type is not object:
        try:
            return definition.convert(text)
        except ValueError as error:
            raise UsageError(f"{where}: {error}") from None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
