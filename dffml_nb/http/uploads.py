"""A flow sent with ``PUT /v1/flows/{name}``: built from known operations only.

A flow file names its operations by import path (``package.module:function``)
and loading it imports those modules — fine for a file the person starting the
server chose, never for a request body: ``os:system`` would be an operation.
So an uploaded flow may name only

- operations registered as plugins (entry points ``dffml_nb.operation``), and
- operations of the flows the server already serves, by name or import path,

and its definitions may use only the ``spec`` / ``validate`` hooks those
operations' definitions use. Everything is checked before the document reaches
the flow loader, and the loader then runs with imports blocked in this thread,
so that even a path the check missed cannot import a module.
"""

from __future__ import annotations

import importlib.abc
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from dffml_nb.http.problems import Problem

_guard = threading.local()


class _NoImports(importlib.abc.MetaPathFinder):
    """Refuses every import in a thread that is loading an uploaded flow."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if getattr(_guard, "active", False):
            raise ImportError(f"importing {fullname!r} is not allowed for a flow sent over HTTP")
        return None


_FINDER = _NoImports()


@contextmanager
def imports_blocked() -> Iterator[None]:
    """No module can be imported by this thread inside the block (modules already
    imported are still found: ``sys.modules`` is consulted before any finder)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    _guard.active = True
    try:
        yield
    finally:
        _guard.active = False


def _hooks(definitions: Iterable[Any]) -> set[str]:
    """The ``spec`` / ``validate`` paths of ``definitions`` (as ``to_dict`` writes them)."""
    found = set()
    for definition in definitions:
        for attr in ("spec", "validate"):
            value = getattr(definition, attr, None)
            if value is not None:
                found.add(f"{value.__module__}:{value.__qualname__}")
    return found


def _resolves_to(path: str, operation: Any) -> bool:
    """Whether ``path`` names ``operation`` (or its function) in an already-imported module."""
    module_name, _, attr = path.partition(":")
    obj: Any = sys.modules.get(module_name)
    if obj is None or not attr:
        return False
    for part in attr.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return False
    return obj is operation or obj is getattr(operation, "func", None)


class Vocabulary:
    """The operations an uploaded flow may name: ``{name or path: resolvable path}``."""

    def __init__(self, flows: Iterable[Any]) -> None:
        from dffml_nb import plugins

        self.registered = set(plugins.names("operation"))
        self.served: dict[str, str] = {}
        self.hooks: set[str] = set()
        for flow in flows:
            for operation in flow:
                path = operation.path
                if not _resolves_to(path, operation):
                    continue  # a closure or a lambda: it has no path the loader could use
                self.served.setdefault(operation.name, path)
                self.served.setdefault(path, path)
                self.hooks |= _hooks(operation.definitions())

    def resolve(self, where: str, name: Any) -> str:
        """The name to hand the loader for operation ``name``, or a 422 naming it."""
        if isinstance(name, str) and name in self.registered:
            return name
        if isinstance(name, str) and name in self.served:
            return self.served[name]
        served = sorted(n for n in self.served if ":" not in n)
        raise Problem(
            422,
            f"{where}: unknown operation {name!r}. A flow sent to the server may name only "
            f"registered operations ({', '.join(sorted(self.registered)) or 'none'}) or "
            f"operations of the flows it serves ({', '.join(served) or 'none'}); "
            "the server never imports a module named in a request",
            title="Unknown operation",
            operation=str(name),
        )

    def load_registered(self, names: Iterable[str]) -> None:
        """Load the registered operations a document uses (before imports are blocked)."""
        from dffml_nb import plugins

        for name in names:
            self.hooks |= _hooks(plugins.load("operation", name).definitions())


def _definition_hooks(where: str, spec: Any, allowed: set[str]) -> None:
    if not isinstance(spec, dict):
        return
    for attr in ("spec", "validate"):
        value = spec.get(attr)
        if value and value not in allowed:
            raise Problem(
                422,
                f"{where}: {attr} {value!r} is not one the server knows; a flow sent to the "
                f"server may use only the {attr} functions of known operations' definitions",
                title="Unknown definition hook",
            )


def checked_document(document: dict[str, Any], vocabulary: Vocabulary) -> dict[str, Any]:
    """A copy of ``document`` whose operations all resolve to known ones (else 422)."""
    operations = document.get("operations")
    if not isinstance(operations, dict) or not operations:
        raise Problem(422, "body.operations: a flow needs at least one operation")
    rewritten: dict[str, Any] = {}
    used: set[str] = set()
    for name, spec in operations.items():
        where = f"body.operations.{name}"
        if isinstance(spec, str):
            spec = {"func": spec}
        if not isinstance(spec, dict):
            raise Problem(422, f"{where}: expected an object with 'func', got {spec!r}")
        # the loader's own rule for which key names the function
        target = vocabulary.resolve(where, spec.get("func") or spec.get("name") or name)
        if ":" not in target:
            used.add(target)
        rewritten[name] = {**spec, "func": target}
    vocabulary.load_registered(used)
    for name, spec in (document.get("definitions") or {}).items():
        _definition_hooks(f"body.definitions.{name}", spec, vocabulary.hooks)
    for name, spec in rewritten.items():
        for key in ("inputs", "outputs"):
            for param, definition in (spec.get(key) or {}).items():
                _definition_hooks(
                    f"body.operations.{name}.{key}.{param}", definition, vocabulary.hooks
                )
        for definition in spec.get("conditions") or []:
            _definition_hooks(f"body.operations.{name}.conditions", definition, vocabulary.hooks)
    return {**document, "operations": rewritten}


def flow_from_upload(name: str, document: dict[str, Any], served: Iterable[Any]) -> Any:
    """The DataFlow described by ``document``, built from known operations only."""
    from dffml_nb.df import DataFlowError
    from dffml_nb.df.serialize import flow_from_dict

    checked = checked_document(document, Vocabulary(served))
    try:
        with imports_blocked():
            flow = flow_from_dict(checked, origin=f"flow {name!r}")
    except (DataFlowError, TypeError, ValueError, KeyError) as error:
        raise Problem(422, str(error), title="Invalid flow") from None
    problems = flow.validate()
    if problems:
        raise Problem(
            422,
            f"flow {name!r} is not sound: " + "; ".join(problems),
            title="Invalid flow",
            problems=problems,
        )
    return flow
