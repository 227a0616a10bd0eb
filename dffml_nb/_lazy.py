"""One lazy-export helper for the package ``__init__`` modules (standard library only).

A package lists its public names and the module defining each; a name is
imported on first access (PEP 562 module ``__getattr__``) and cached in the
package's namespace, so ``import dffml_nb`` stays light::

    __getattr__, __dir__, __all__ = lazy_exports(__name__, {"DataFlow": "dffml_nb.df"})
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, names: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``(__getattr__, __dir__, __all__)`` for ``package``: each name loads from its module on first use."""
    exports = dict(names)

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # later lookups skip __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__, sorted(exports)
