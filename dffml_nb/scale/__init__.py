"""Scale-out adapters: the pools of existing distributed engines (Dask).

``run(flow, inputs, pool=client)`` adapts a ``dask.distributed.Client`` itself
(the package root registers :class:`dffml_nb.scale.dask.DaskPool`), so nothing
here needs importing by hand; Dask loads only when a Client is passed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DaskPool"]


def __getattr__(name: str) -> Any:
    if name == "DaskPool":
        from dffml_nb.scale.dask import DaskPool

        return DaskPool
    raise AttributeError(f"module 'dffml_nb.scale' has no attribute {name!r}")
