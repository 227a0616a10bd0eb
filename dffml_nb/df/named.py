"""Named input sets given lazily (so a run over many contexts never holds them all)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


class Named:
    """Named input sets given lazily: ``run(flow, Named((name, input_set) for ...))``.

    Names are strings (context names always are).
    The iterable is read only as contexts start, so a generator over a large
    file or frame never has all its input sets in memory at once.
    """

    __slots__ = ("pairs",)

    def __init__(self, pairs: Iterable[tuple[str, Any]]) -> None:
        self.pairs = pairs

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return iter(self.pairs)
