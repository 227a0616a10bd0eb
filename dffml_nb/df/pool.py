"""Pools: where ``runner="process"`` operations run.

``run(flow, inputs, pool=...)`` accepts a ``concurrent.futures.Executor`` or a
``dask.distributed.Client``; without one, a local process pool is made for the
run. The executor talks to every kind through one small protocol, :class:`Pool`.

Why a protocol and a registry rather than Dask code here: the dataflow core
imports only the standard library (it must load, and be checked, without Dask
installed). ``concurrent.futures`` is standard, so its adapter lives in the core
(:mod:`dffml_nb.df.process_pool`); the Dask adapter lives above, in
:mod:`dffml_nb.scale.dask`, and the package root registers it by the module of
the object it adapts (``register_pool_adapter("distributed.", ...)``), loading it
only when a Client is actually passed. Any other engine can plug in the same way.

Cheap to import: the package root imports this module to register the adapter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from dffml_nb.df.operation import Operation
    from dffml_nb.df.remote import Outcome

__all__ = ["DEFAULT_POOL_TIMEOUT", "Pool", "as_pool", "register_pool_adapter"]

#: seconds a pool may stay unreachable (a Dask scheduler that answers no ping)
#: before the run fails; Dask's own default connect timeout
DEFAULT_POOL_TIMEOUT = 30.0


@runtime_checkable
class Pool(Protocol):
    """What the executor needs of a pool: prepare each operation, call, close.

    ``prepare(operation)`` runs before the run starts, for every ``runner="process"``
    operation: it returns what to send for the function (checked to pickle) or
    raises ``ValueError`` saying why it cannot be sent and what to do.
    ``call(target, kwargs, retry, drain)`` runs one call on a worker and returns its
    :data:`~dffml_nb.df.remote.Outcome`; it raises
    :class:`~dffml_nb.df.remote.WorkerLost` when the worker holding the call died
    and :class:`~dffml_nb.df.errors.PoolError` when the pool itself is gone.
    ``close(abort)`` ends what the run made (a pool passed in stays open).
    """

    description: str

    def prepare(self, operation: Operation) -> Any: ...

    async def call(
        self, target: Any, kwargs: dict[str, Any], retry: int, drain: bool
    ) -> Outcome: ...

    def close(self, abort: bool) -> None: ...


PoolAdapter = Callable[[Any, float], Pool]

# (module prefix of the adapted object's type, adapter)
_ADAPTERS: list[tuple[str, PoolAdapter]] = []


def register_pool_adapter(module_prefix: str, adapter: PoolAdapter) -> None:
    """Adapt objects whose type comes from a module starting with ``module_prefix``
    (``"distributed."`` for Dask) with ``adapter(obj, timeout) -> Pool``."""
    _ADAPTERS[:] = [(p, a) for p, a in _ADAPTERS if p != module_prefix]
    _ADAPTERS.append((module_prefix, adapter))


def as_pool(pool: Any, timeout: float = DEFAULT_POOL_TIMEOUT) -> Pool:
    """The :class:`Pool` for ``run``'s ``pool=`` (None: a local process pool for the run)."""
    import concurrent.futures

    from dffml_nb.df.process_pool import ExecutorPool

    if pool is None:
        return ExecutorPool(None)
    if isinstance(pool, concurrent.futures.Executor):
        return ExecutorPool(pool)
    if isinstance(pool, Pool):
        return pool
    module = type(pool).__module__ + "."
    for prefix, adapter in reversed(_ADAPTERS):
        if module.startswith(prefix):
            return adapter(pool, timeout)
    raise TypeError(
        f"pool= must be a concurrent.futures.Executor (ProcessPoolExecutor, "
        f"ThreadPoolExecutor) or a dask.distributed.Client, got "
        f"{type(pool).__module__}.{type(pool).__qualname__}"
    )
