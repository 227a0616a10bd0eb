"""Engines for the pool tests: the same flow in-process, on a process pool, on Dask.

An :class:`Engine` turns a test's operations into ``runner="process"`` ones (for the
pools) and runs flows with its ``pool=``. Operations that cannot leave the driver
(async ones, output operations taking the Context) stay as they are.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from dffml_nb.df import DataFlow, FunctionType, Operation, op, run_sync

ENGINES = ("in-process", "process-pool", "dask")


class Engine:
    def __init__(self, name: str, pool: Any = None) -> None:
        self.name = name
        self.pool = pool

    @property
    def remote(self) -> bool:
        return self.pool is not None

    def op(self, operation: Operation) -> Operation:
        if (
            not self.remote
            or operation.context_params
            or operation.function_type in (FunctionType.COROUTINE, FunctionType.ASYNC_GENERATOR)
        ):
            return operation
        return op(operation, runner="process")

    def flow(self, *operations: Operation, **options: Any) -> DataFlow:
        return DataFlow(*(self.op(o) for o in operations), **options)

    def run(self, flow: DataFlow, inputs: Any = None, **options: Any) -> dict[str, Any]:
        return run_sync(flow, inputs, pool=self.pool, **options)

    def __repr__(self) -> str:
        return f"Engine({self.name})"


@contextlib.contextmanager
def local_cluster(config: dict[str, Any] | None = None) -> Iterator[Any]:
    """A 2-worker process LocalCluster and its (synchronous) Client; ``config``: Dask
    settings in force while it starts (``{"distributed.scheduler.allowed-failures": 1}``)."""
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set(config or {}):
        cluster = LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address="127.0.0.1:0"
        )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@contextlib.contextmanager
def engine(name: str, dask_config: dict[str, Any] | None = None) -> Iterator[Engine]:
    if name == "in-process":
        yield Engine(name)
    elif name == "process-pool":
        with ProcessPoolExecutor(2) as pool:
            yield Engine(name, pool)
    else:
        with local_cluster(dask_config) as client:
            yield Engine(name, client)
