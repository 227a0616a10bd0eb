"""How a DataFlow shows itself in a notebook: one hook, set by the layers above.

The dataflow core imports nothing of dffml_nb, so it cannot import the notebook
layer's picture of a flow. Instead the package root (``dffml_nb/__init__.py``)
sets a hook here that loads the notebook layer on first use; without one a
DataFlow shows as its plain repr. Standard library only, and cheap to import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["mimebundle", "set_mimebundle_hook"]

MimebundleHook = Callable[[Any], "dict[str, Any] | None"]

_hook: MimebundleHook | None = None


def set_mimebundle_hook(hook: MimebundleHook | None) -> MimebundleHook | None:
    """Show DataFlows with ``hook(flow) -> {mimetype: data}`` (None: plain repr).

    Returns the hook it replaces, so a caller can put it back.
    """
    global _hook
    previous, _hook = _hook, hook
    return previous


def mimebundle(flow: Any) -> dict[str, Any] | None:
    """The display bundle of ``flow`` from the hook, or None when there is none."""
    return _hook(flow) if _hook is not None else None
