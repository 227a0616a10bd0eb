"""Plugin lookup: entry points and ``module:attr`` paths.

Operations, models, sources and scorers are all found the same way, so a
third-party package registers one with a single line of ``pyproject.toml``::

    [project.entry-points."dffml_nb.model"]
    mymodel = "mypkg.model:MyModel"
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

GROUPS = ("operation", "model", "source", "scorer")


class PluginError(LookupError):
    """An unknown plugin name or an import path that does not resolve."""


def _group(kind: str) -> str:
    if kind not in GROUPS:
        raise ValueError(f"unknown plugin kind {kind!r}; expected one of {', '.join(GROUPS)}")
    return f"dffml_nb.{kind}"


def names(kind: str) -> list[str]:
    """Sorted names registered for ``kind`` ("operation", "model", "source", "scorer")."""
    return sorted({ep.name for ep in entry_points(group=_group(kind))})


def import_path(path: str) -> Any:
    """Import ``package.module:attr`` (or ``package.module.attr``)."""
    module_name, sep, attr = path.partition(":")
    if not sep:
        module_name, _, attr = path.rpartition(".")
    if not module_name or not attr:
        raise PluginError(f"{path!r} is not an import path; expected 'package.module:attr'")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as error:
        raise PluginError(f"cannot import module {module_name!r} for {path!r}: {error}") from error
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise PluginError(
                f"module {module_name!r} has no attribute {attr!r} (from {path!r})"
            ) from None
    return obj


def load(kind: str, name: str) -> Any:
    """The plugin registered as ``name`` for ``kind``, or the object at an import path."""
    matches = [ep for ep in entry_points(group=_group(kind)) if ep.name == name]
    if matches:
        return matches[0].load()
    if ":" in name:
        return import_path(name)
    known = ", ".join(names(kind)) or "(none installed)"
    raise PluginError(f"unknown {kind} {name!r}; known {kind}s: {known}")
