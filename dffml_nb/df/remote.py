"""What travels to a worker process and runs there: one operation call.

A pool (a ``concurrent.futures`` process pool, a Dask cluster) receives
:func:`call_remote` with the operation's function, the call's keyword arguments
and its ``retry`` count; it returns an :data:`Outcome` tuple. Failures come back
as data (:class:`RemoteFailure`), never as an exception of the pool, so that
"the operation raised" (an ``OperationError`` like any other) stays distinct from
"the worker or the pool failed" (:class:`WorkerLost`, :class:`~dffml_nb.df.errors.PoolError`).

Retries happen on the worker: a failing call is re-run there without a round
trip through the driver.
"""

from __future__ import annotations

import importlib
import os
import pickle
import traceback
from collections.abc import Callable
from typing import Any

from dffml_nb.df.reprs import describe_error, safe_str

__all__ = [
    "FunctionRef",
    "Outcome",
    "RemoteError",
    "RemoteFailure",
    "RemoteTraceback",
    "WorkerLost",
    "call_remote",
    "rebuild_error",
]

#: ``(ok, value, failure, worker)``: the result (``ok``) or a :class:`RemoteFailure`,
#: and which worker ran the call (``"pid 1234"``, a Dask worker's address)
Outcome = tuple[bool, Any, "RemoteFailure | None", str]


class WorkerLost(RuntimeError):
    """The worker process running a call died before returning (killed, out of memory,
    a crash in native code). Only the calls that worker held fail with it."""


class RemoteError(Exception):
    """A remote exception that could not be sent back as itself (not picklable)."""


class RemoteTraceback(Exception):
    """The traceback text of a remote failure, chained as its ``__cause__`` (as
    ``concurrent.futures`` does), so a printed traceback shows where it happened."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f'\n"""\n{self.text}"""'


class RemoteFailure:
    """An exception raised on a worker, in a form that always pickles."""

    __slots__ = ("description", "traceback", "pickled")

    def __init__(self, description: str, traceback_text: str, pickled: bytes | None) -> None:
        self.description = description  # "ValueError: message"
        self.traceback = traceback_text
        self.pickled = pickled  # the exception itself, when it pickles

    @classmethod
    def of(cls, error: BaseException, skip: int = 0) -> RemoteFailure:
        """``skip``: frames to leave out of the traceback (the call's own wrapper)."""
        tb = error.__traceback__
        for _ in range(skip):
            if tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
        text = "".join(traceback.format_exception(type(error), error, tb))
        pickled: bytes | None
        try:
            pickled = pickle.dumps(error)
            pickle.loads(pickled)  # an exception class with an odd __init__ may not load back
        except Exception:  # noqa: BLE001 - then the description and the text travel alone
            pickled = None
        return cls(describe_error(error), text, pickled)

    def __reduce__(self) -> tuple[Any, ...]:
        return (RemoteFailure, (self.description, self.traceback, self.pickled))


def rebuild_error(failure: RemoteFailure) -> BaseException:
    """The remote exception on the driver: the original type where it loads, its
    traceback text chained as ``__cause__``."""
    error: BaseException | None = None
    if failure.pickled is not None:
        try:
            error = pickle.loads(failure.pickled)
        except Exception:  # noqa: BLE001 - its class is not importable here
            error = None
    if not isinstance(error, BaseException):
        error = RemoteError(failure.description)
    error.__cause__ = RemoteTraceback(failure.traceback)
    return error


class FunctionRef:
    """A module-level function sent by its import path, resolved on the worker.

    ``@op`` leaves an :class:`~dffml_nb.df.operation.Operation` at the module
    attribute where the function was defined, so plain ``pickle`` refuses the
    function itself ("not the same object as module.name"); this sends the path
    and unwraps the Operation found there.
    """

    __slots__ = ("module", "qualname")

    def __init__(self, module: str, qualname: str) -> None:
        self.module = module
        self.qualname = qualname

    def __reduce__(self) -> tuple[Any, ...]:
        return (FunctionRef, (self.module, self.qualname))

    def __repr__(self) -> str:
        return f"FunctionRef({self.module}:{self.qualname})"

    @property
    def __name__(self) -> str:  # noqa: PLW3201 - engines name tasks after their function
        return self.qualname.rsplit(".", 1)[-1]

    def resolve(self) -> Callable[..., Any]:
        found = _RESOLVED.get((self.module, self.qualname))
        if found is None:
            found = lookup(self.module, self.qualname)
            func = getattr(found, "func", None)  # an Operation: its function
            if func is not None and callable(func) and hasattr(found, "inputs"):
                found = func
            _RESOLVED[(self.module, self.qualname)] = found
        result: Callable[..., Any] = found
        return result


_RESOLVED: dict[tuple[str, str], Any] = {}


def reference_to(func: Any) -> FunctionRef | None:
    """``func`` by import path, when that path holds it or the Operation made from it
    (``@op`` at module level); None for functions with no such path (notebook cells
    excepted: ``__main__`` is a path, valid where the worker was forked from here)."""
    module = getattr(func, "__module__", None)
    qualname = getattr(func, "__qualname__", None)
    if not module or not qualname or "<" in qualname:
        return None
    try:
        found = lookup(module, qualname)
    except Exception:  # noqa: BLE001 - not importable by name
        return None
    if found is func or getattr(found, "func", None) is func:
        return FunctionRef(module, qualname)
    return None


def lookup(module: str, qualname: str) -> Any:
    """``module.qualname`` (dotted qualname), importing the module."""
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    return found


def worker_label() -> str:
    """Which worker this is, for events and errors: ``"pid 1234"`` (a Dask pool
    names its workers by address instead)."""
    return f"pid {os.getpid()}"


def call_remote(
    target: Callable[..., Any] | FunctionRef, kwargs: dict[str, Any], retry: int, drain: bool
) -> Outcome:
    """Run one operation call here, on the worker; re-run it up to ``retry`` more times.

    ``drain``: the function is a generator, which cannot travel back: its items
    are collected into a list here.
    """
    try:
        func = target.resolve() if isinstance(target, FunctionRef) else target
    except Exception as error:  # noqa: BLE001 - reported as the call's failure
        failure = RemoteFailure.of(
            ImportError(
                f"cannot load {target.module}:{target.qualname} on this worker "  # type: ignore[union-attr]
                f"({describe_error(error)}); the module that defines an operation must be "
                "importable on every worker (install its package there)"
            )
        )
        return (False, None, failure, worker_label())
    attempts = retry
    while True:
        try:
            result = func(**kwargs)
            if drain and hasattr(result, "__next__"):
                result = list(result)
            return (True, result, None, worker_label())
        except Exception as error:  # noqa: BLE001 - any failure of user code is reported
            if attempts:
                attempts -= 1
                continue
            # the traceback starts in the operation: call_remote's own frame says nothing
            return (False, None, RemoteFailure.of(error, skip=1), worker_label())


def describe_target(target: Any) -> str:
    """``module:qualname`` of what is sent, for messages."""
    if isinstance(target, FunctionRef):
        return f"{target.module}:{target.qualname}"
    module = getattr(target, "__module__", None) or "?"
    return f"{module}:{safe_str(getattr(target, '__qualname__', target))}"
