"""Plugin lookup: entry points and ``module:attr`` paths.

Operations, models, sources and scorers are all found the same way, so a
third-party package registers one with a single line of ``pyproject.toml``::

    [project.entry-points."dffml_nb.model"]
    mymodel = "mypkg.model:MyModel"

This package registers its own built-ins there too: ``pyproject.toml`` is the
one list of them. Looking a built-in up reads only this package's own metadata
(``entry_points.txt`` of its distribution, about a millisecond) rather than
scanning every installed package (tens of milliseconds); other names scan.
Every name found is remembered for the process.
"""

from __future__ import annotations

import functools
import importlib
from importlib.metadata import PackageNotFoundError, distribution, entry_points
from typing import Any

GROUPS = ("operation", "model", "source", "scorer")

#: the distribution whose entry points are this package's built-ins
DISTRIBUTION = "dffml_nb"

_found: dict[tuple[str, str], Any] = {}  # (kind, name) -> the object found


class PluginError(LookupError):
    """An unknown plugin name or an import path that does not resolve."""


def _group(kind: str) -> str:
    if kind not in GROUPS:
        raise ValueError(f"unknown plugin kind {kind!r}; expected one of {', '.join(GROUPS)}")
    return f"dffml_nb.{kind}"


@functools.lru_cache(maxsize=1)
def _own_entry_points() -> dict[str, dict[str, str]]:
    """``{group: {name: "module:attr"}}`` registered by this package itself
    (empty when it is not installed, e.g. run from a source tree)."""
    try:
        text = distribution(DISTRIBUTION).read_text("entry_points.txt") or ""
    except PackageNotFoundError:
        return {}
    # the INI format of entry_points.txt, read directly: [group] then name = value lines
    table: dict[str, dict[str, str]] = {}
    section: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = table.setdefault(line[1:-1].strip(), {})
        elif "=" in line and not line.startswith(("#", ";")):
            name, _, value = line.partition("=")
            section[name.strip()] = value.strip()
    return table


def builtins(kind: str) -> dict[str, str]:
    """``{name: "module:attr"}`` of this package's own plugins of ``kind``."""
    return dict(_own_entry_points().get(_group(kind), {}))


def names(kind: str) -> list[str]:
    """Sorted names registered for ``kind`` ("operation", "model", "source", "scorer"),
    by this package and every installed plugin package."""
    found = {ep.name for ep in entry_points(group=_group(kind))}
    return sorted(found | set(builtins(kind)))


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


def registered(kind: str, name: str) -> Any:
    """The plugin registered as ``name`` for ``kind`` (built-in or installed);
    PluginError listing the registered names if there is none. Never imports a
    module a registration does not name (use :func:`load` for import paths)."""
    key = (kind, name)
    if key in _found:
        return _found[key]
    path = builtins(kind).get(name)
    if path is not None:
        found = import_path(path)
    else:
        matches = [ep for ep in entry_points(group=_group(kind)) if ep.name == name]
        if not matches:
            raise PluginError(_unknown(kind, name))
        found = matches[0].load()
    _found[key] = found
    return found


def load(kind: str, name: str) -> Any:
    """The plugin registered as ``name`` for ``kind``, or the object at an import
    path (``package.module:attr``)."""
    try:
        return registered(kind, name)
    except PluginError:
        if ":" not in name:
            raise
    found = import_path(name)
    _found[(kind, name)] = found
    return found


def _unknown(kind: str, name: str) -> str:
    known = ", ".join(names(kind)) or "(none installed)"
    message = f"unknown {kind} {name!r}; known {kind}s: {known}"
    if not _own_entry_points():
        message += (
            f" ({DISTRIBUTION}'s own {kind}s are registered by installing it: pip install -e .)"
        )
    return message
