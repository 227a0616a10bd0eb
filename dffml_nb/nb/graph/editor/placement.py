"""Where the editor puts a node that is new to the picture, without moving any other.

Pure Python. A new operation goes to the right of the definitions it reads
(or left of those it produces), else below everything; a new definition goes
right of its producer or left of its consumer. A spot that overlaps a node is
moved down until it is free.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dffml_nb.nb.graph.layout import LayoutEdge, LayoutNode

__all__ = ["place"]

GAP_X = 60.0
GAP_Y = 16.0
MARGIN = 16.0


def _box(node: LayoutNode, x: float, y: float) -> tuple[float, float, float, float]:
    return (x - node.width / 2, y - node.height / 2, x + node.width / 2, y + node.height / 2)


class _Board:
    """The boxes of placed nodes, to find a free spot."""

    def __init__(self) -> None:
        self.boxes: list[tuple[float, float, float, float]] = []

    def free(self, node: LayoutNode, x: float, y: float) -> tuple[float, float]:
        for _ in range(500):  # bounded: each step moves past one box
            x1, y1, x2, y2 = _box(node, x, y)
            hit = next(
                (
                    b
                    for b in self.boxes
                    if x1 < b[2] + GAP_Y
                    and b[0] < x2 + GAP_Y
                    and y1 < b[3] + GAP_Y
                    and b[1] < y2 + GAP_Y
                ),
                None,
            )
            if hit is None:
                break
            y = hit[3] + GAP_Y + node.height / 2
        return x, y

    def add(self, node: LayoutNode, x: float, y: float) -> None:
        self.boxes.append(_box(node, x, y))

    @property
    def bottom(self) -> float:
        return max((b[3] for b in self.boxes), default=MARGIN)

    @property
    def left(self) -> float:
        return min((b[0] for b in self.boxes), default=MARGIN)


def place(
    nodes: Mapping[str, LayoutNode],
    edges: Iterable[LayoutEdge],
    positions: Mapping[str, tuple[float, float]],
) -> dict[str, tuple[float, float]]:
    """Positions (centres) for the nodes of ``nodes`` that ``positions`` lacks."""
    edges = list(edges)
    placed = {k: v for k, v in positions.items() if k in nodes}
    board = _Board()
    for node_id, (x, y) in placed.items():
        board.add(nodes[node_id], x, y)
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for edge in edges:
        outgoing.setdefault(edge.source, []).append(edge.target)
        incoming.setdefault(edge.target, []).append(edge.source)
    new: dict[str, tuple[float, float]] = {}
    # operations first (next to definitions already shown), then their new definitions
    order = [n for n in nodes.values() if n.id not in placed and n.kind == "operation"]
    order += [n for n in nodes.values() if n.id not in placed and n.kind != "operation"]
    for node in order:
        where = {**placed, **new}
        before = [where[s] + (nodes[s].width,) for s in incoming.get(node.id, ()) if s in where]
        after = [where[t] + (nodes[t].width,) for t in outgoing.get(node.id, ()) if t in where]
        if before:
            x = max(bx + w / 2 for bx, _, w in before) + GAP_X + node.width / 2
            y = sum(by for _, by, _ in before) / len(before)
        elif after:
            x = min(ax - w / 2 for ax, _, w in after) - GAP_X - node.width / 2
            y = sum(ay for _, ay, _ in after) / len(after)
        else:
            x = board.left + node.width / 2 if board.boxes else MARGIN + node.width / 2 + 120.0
            y = board.bottom + GAP_Y * 2 + node.height / 2 if board.boxes else MARGIN + node.height
        x, y = board.free(node, x, y)
        board.add(node, x, y)
        new[node.id] = (x, y)
    return new
