"""Find the code a flow file names — running none unless the caller trusts the file.

A flow file is data, but its operations (and its definitions' ``validate`` /
``spec``) name code. Importing a module runs it, and calling an arbitrary
function (``os:system``, ``subprocess:run``) with a value from the file is
running the file. So, unless ``trust=True``:

- a name without ``:`` must be a registered operation (entry point group
  ``dffml_nb.operation``: installed packages declare them);
- ``package.module:attr`` resolves only if the module is **already imported**,
  and the object is an :class:`Operation` (made with ``@op``) or a function or
  class defined in that module itself, outside the standard library.

Nothing is imported and nothing else is accepted. ``trust=True`` imports what
the file names and accepts any callable.
"""

from __future__ import annotations

import importlib
import sys
from importlib.metadata import entry_points
from typing import Any

from dffml_nb.df.errors import DataFlowError
from dffml_nb.df.operation import Operation

__all__ = ["OPERATION_GROUP", "registered_operations", "resolve"]

OPERATION_GROUP = "dffml_nb.operation"
TRUST_HINT = "pass trust=True (CLI: -trust) if you trust this file"


def registered_operations() -> list[str]:
    """Names of the operations installed packages register (entry points)."""
    return sorted({ep.name for ep in entry_points(group=OPERATION_GROUP)})


def resolve(path: str, *, where: str, trust: bool = False, registered: bool = True) -> Any:
    """The object ``path`` names, for ``where`` (``"flow.json: operation 'add'"``).

    ``registered``: a bare name may be a registered operation. Raises
    :class:`DataFlowError` saying what was named, why it was refused and how to
    allow it.
    """
    if not isinstance(path, str) or not path.strip():
        raise DataFlowError(f"{where}: expected an import path 'package.module:attr', got {path!r}")
    if registered and ":" not in path:
        matches = [ep for ep in entry_points(group=OPERATION_GROUP) if ep.name == path]
        if matches:
            return matches[0].load()  # an installed package registered it: trusted as installed
    module_name, sep, attr = path.partition(":")
    if not sep:
        module_name, _, attr = path.rpartition(".")
    if not module_name or not attr:
        known = ", ".join(registered_operations()) or "(none installed)"
        problem = (
            f"unknown operation {path!r}; registered operations: {known}" if registered else ""
        )
        raise DataFlowError(
            f"{where}: {problem or f'{path!r} is not an import path'}"
            + ("; or give an import path 'package.module:function'" if registered else "")
        )
    module = sys.modules.get(module_name)
    if module is None and not trust and registered:
        # the import path of a registered operation (a flow saved from Python names its
        # operations so): as trusted as its registered name
        targets = [ep for ep in entry_points(group=OPERATION_GROUP) if ep.value == path]
        if targets:
            return targets[0].load()
    if module is None:
        if not trust:
            raise DataFlowError(
                f"{where}: {path!r} is in module {module_name!r}, which is not imported, and "
                f"importing it would run its code. Import it yourself first, or {TRUST_HINT}."
            )
        try:
            module = importlib.import_module(module_name)
        except Exception as error:  # noqa: BLE001 - any failure while importing the named module
            raise DataFlowError(
                f"{where}: cannot import module {module_name!r} for {path!r}: "
                f"{type(error).__name__}: {error} (is its folder on sys.path / PYTHONPATH?)"
            ) from error
    target: Any = module
    for part in attr.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise DataFlowError(
                f"{where}: module {module_name!r} has no attribute {attr!r} (from {path!r})"
            ) from None
        except Exception as error:  # noqa: BLE001 - a module __getattr__ that fails
            raise DataFlowError(f"{where}: cannot get {path!r}: {error}") from error
    if not trust and not _acceptable(target, module_name):
        raise DataFlowError(
            f"{where}: {path!r} is {_describe(target)}, not an operation made with @op nor a "
            f"function defined in {module_name!r}; a flow file may only call it if you trust "
            f"the file: {TRUST_HINT}."
        )
    return target


def _acceptable(target: Any, module_name: str) -> bool:
    if isinstance(target, Operation):
        return True
    top = module_name.partition(".")[0]
    if top in sys.stdlib_module_names or top == "__future__":
        return False  # os, subprocess, shutil, pickle, builtins ...: never from an untrusted file
    is_code = callable(target) and (hasattr(target, "__code__") or isinstance(target, type))
    return is_code and getattr(target, "__module__", None) == module_name


def _describe(target: Any) -> str:
    module = getattr(target, "__module__", None) or type(target).__module__
    name = getattr(target, "__qualname__", None) or type(target).__qualname__
    return f"{type(target).__name__} {module}.{name}"
