"""Hyperparameter introspection: what an estimator accepts, derived from its code.

Forms (widgets) and command-line flags are generated from
:func:`hyperparameters`, so nothing here is written per estimator: names and
defaults come from the constructor signature (public API); types, ranges and
choices are refined from scikit-learn's ``_parameter_constraints`` when it is
there and shaped as expected (a private attribute: without it, types come from
the defaults alone); a one-line help text comes from the numpydoc
``Parameters`` section, read by ``docstring_parser``.
"""

from __future__ import annotations

import builtins
import inspect
import numbers
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

NoneType = type(None)

# order in which a parameter's primary type is chosen when its default is None
_PRIORITY = (bool, int, float, str, tuple, dict, list)

_STRING_CONSTRAINTS = {
    "boolean": bool,
    "verbose": int,
    "random_state": int,
    "array-like": tuple,
    "sparse matrix": object,
    "cv_object": int,
    "nan": float,
}


@dataclass(frozen=True)
class Hyperparameter:
    """One constructor argument of a model: enough to draw a form field or a CLI flag.

    Unpacks as the triple ``(type, default, choices)``::

        kind, default, choices = Model.load("scikitrfc").hyperparameters()["criterion"]

    ``types`` lists every simple type the estimator accepts (``type(None)``
    included when ``None`` is allowed), ``low`` / ``high`` bound numbers when
    known, ``help`` is the first sentence of the estimator's documentation.
    """

    name: str
    type: builtins.type  # (the field is named "type": inside the class, "type" is it)
    default: Any
    choices: tuple[Any, ...] | None = None
    types: tuple[builtins.type, ...] = ()
    low: float | None = None
    high: float | None = None
    help: str = ""

    def __iter__(self) -> Iterator[Any]:
        return iter((self.type, self.default, self.choices))

    def parse(self, value: Any) -> Any:
        """Convert command-line or form text to a value this parameter accepts.

        Non-strings pass through unchanged. ``"none"`` becomes ``None`` when
        allowed, choices match exactly, then bool / int / float / tuple
        (comma-separated, e.g. ``"100,50"`` for ``hidden_layer_sizes``) are tried.
        """
        if not isinstance(value, str):
            return value
        text = value.strip()
        lowered = text.lower()
        accepted = self.types or (self.type,)
        if lowered in ("none", "null") and (NoneType in accepted or self.default is None):
            return None
        if self.choices and text in self.choices:
            return text
        if bool in accepted and lowered in ("true", "false", "yes", "no"):
            return lowered in ("true", "yes")
        if bool in accepted and self.type is bool and lowered in ("1", "0"):
            return lowered == "1"
        for number in (int, float):
            if number in accepted:
                try:
                    return number(text)
                except ValueError:
                    pass
        if tuple in accepted or list in accepted:
            parts = [part for part in re.split(r"[,\s]+", text.strip("()[]")) if part]
            try:
                return tuple(
                    int(part) if part.lstrip("-").isdigit() else float(part) for part in parts
                )
            except ValueError:
                pass
        if object in accepted:  # nothing known about the type: a number if it reads as one
            for number in (int, float):
                try:
                    return number(text)
                except ValueError:
                    pass
            return text
        if str in accepted and not self.choices:
            return text
        expected = ", ".join(repr(c) for c in self.choices) if self.choices else ""
        kinds = "/".join(t.__name__ for t in accepted if t is not NoneType and t is not str)
        what = " or ".join(filter(None, [kinds, f"one of {expected}" if expected else ""]))
        raise ValueError(f"hyperparameter {self.name!r}: cannot use {value!r}; expected {what}")


def _constraint_types(
    constraint: Any,
) -> tuple[set[type], set[Any] | None, float | None, float | None]:
    """Types, choices and bounds described by one scikit-learn constraint."""
    kind = type(constraint).__name__
    if constraint is None:
        return {NoneType}, None, None, None
    if isinstance(constraint, str):
        found = {_STRING_CONSTRAINTS.get(constraint, object)}
        if constraint == "random_state":  # an int seed, None or a RandomState
            found.add(NoneType)
        return found, None, None, None
    if kind == "Hidden":  # internal-only alternatives: not offered to users
        return set(), None, None, None
    if kind == "Interval":
        number = int if constraint.type is numbers.Integral else float
        return {number}, None, constraint.left, constraint.right
    if kind in ("StrOptions", "Options"):
        options = set(constraint.options) - set(getattr(constraint, "deprecated", ()) or ())
        base = _python_type(constraint.type) if isinstance(constraint.type, type) else str
        return {base}, options, None, None
    if isinstance(constraint, type):
        return {_python_type(constraint)}, None, None, None
    return {object}, None, None, None


def _python_type(cls: type) -> type:
    """The builtin a form or flag should offer for a constraint's class."""
    for builtin, abstract in ((bool, bool), (int, numbers.Integral), (float, numbers.Real)):
        if issubclass(cls, abstract):
            return builtin
    return cls if cls in (str, dict, list, tuple) else object


def _docs(cls: type) -> dict[str, str]:
    """First sentence of each constructor parameter's numpydoc description."""
    import docstring_parser  # ~8 ms to import: only when help texts are wanted

    try:
        parsed = docstring_parser.parse(
            inspect.getdoc(cls) or "", style=docstring_parser.DocstringStyle.NUMPYDOC
        )
    except docstring_parser.ParseError:
        return {}
    helps: dict[str, str] = {}
    for param in parsed.params:
        if param.args and param.args[0] == "param":  # not "attribute", "other_param", ...
            text = " ".join((param.description or "").split())
            # the first sentence: up to a full stop not followed by a lowercase word
            # ("e.g. x" and "(a.k.a. bias)" go on)
            helps[param.arg_name] = re.split(r"(?<=\.)\s+(?![a-z0-9])", text, maxsplit=1)[0]
    return helps


def _constraints(target: Any) -> dict[str, list[Any]]:
    """scikit-learn's per-parameter constraints, or ``{}``.

    ``_parameter_constraints`` is private: anything but a dict of lists (a
    scikit-learn that drops or reshapes it, a class that is not scikit-learn's)
    is ignored, and the types then come from the signature's defaults.
    """
    constraints = getattr(target, "_parameter_constraints", None)
    if not isinstance(constraints, dict):
        return {}
    return {
        name: list(found)
        for name, found in constraints.items()
        if isinstance(name, str) and isinstance(found, (list, tuple))
    }


def hyperparameters(
    target: Any, exclude: tuple[str, ...] = (), *, help: bool = True
) -> dict[str, Hyperparameter]:
    """``{name: Hyperparameter}`` for a class's (or function's) keyword arguments.

    Parameters whose default is the string ``"deprecated"`` (scikit-learn's
    marker, e.g. ``SVC(probability=...)`` in 1.9) are left out, as are ``exclude``.
    ``help=False`` leaves the help texts empty (what checking arguments needs).
    """
    constraints = _constraints(target)
    helps = _docs(target) if help and isinstance(target, type) else {}
    result: dict[str, Hyperparameter] = {}
    for name, param in inspect.signature(target).parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD) or name in exclude:
            continue
        default = None if param.default is param.empty else param.default
        if default == "deprecated":
            continue
        types: set[type] = set()
        choices: set[Any] = set()
        bounds = []
        for constraint in constraints.get(name, ()):
            try:
                found, options, left, right = _constraint_types(constraint)
            except (AttributeError, TypeError):  # a constraint shaped unlike 1.9's: skip it
                continue
            types |= found
            choices |= options or set()
            if type(constraint).__name__ == "Interval":
                bounds.append((left, right))
        # a range is only meaningful when there is one (several: e.g. count or fraction)
        low, high = bounds[0] if len(bounds) == 1 else (None, None)
        if default is not None:
            types.add(type(default))
        primary = type(default) if default is not None and type(default) in _PRIORITY else None
        if primary is None:
            primary = next((t for t in _PRIORITY if t in types), object)
        result[name] = Hyperparameter(
            name=name,
            type=primary,
            default=default,
            choices=tuple(sorted(choices, key=str)) or None,
            types=tuple(sorted(types, key=lambda t: t.__name__)),
            low=low,
            high=high,
            help=helps.get(name, ""),
        )
    return result
