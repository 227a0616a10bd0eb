"""A layered left-to-right layout of a dataflow, computed in plain Python.

Operations and definitions are both nodes; edges run definition -> operation
(an input or a condition) and operation -> definition (an output). The layout is
the classic Sugiyama recipe, small enough to read:

1. break cycles (reverse DFS back edges, for layering only);
2. longest-path layering, then pull each source right next to its first
   consumer (a flow input sits just before the operation that reads it);
3. split edges that span several layers with invisible dummy nodes;
4. barycentric ordering sweeps (down, up, ...) keeping the order with the
   fewest crossings;
5. coordinates: one column per layer, each node pulled towards the mean of its
   neighbours with a minimum gap.

Both the live widget (``preset`` positions) and the static SVG use the result,
so the two pictures agree. No widget or Jupyter import here.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FlowLayout",
    "LayoutEdge",
    "LayoutNode",
    "def_id",
    "flow_layout",
    "layered_positions",
    "op_id",
]

# Rough text metrics (px per character at the fonts the views use): enough to
# size boxes so labels fit, without measuring text in a browser.
OP_CHAR = 7.4
DEF_CHAR = 6.6
OP_HEIGHT = 34.0
DEF_HEIGHT = 30.0
# room for a run count such as " ×1234" that the live view appends to a label
COUNT_ROOM = 40.0


def op_id(name: str) -> str:
    """Node id of an operation."""
    return f"op:{name}"


def def_id(name: str) -> str:
    """Node id of a definition."""
    return f"def:{name}"


@dataclass
class LayoutNode:
    """One node: ``kind`` is ``"operation"`` or ``"definition"``; ``x``/``y`` are its centre.

    ``role``: for an operation its stage (``processing``, ``cleanup``, ``output``);
    for a definition ``input`` (a flow input), ``leaf`` (a natural result) or
    ``intermediate``.
    """

    id: str
    kind: str
    name: str
    label: str
    role: str
    width: float
    height: float
    x: float = 0.0
    y: float = 0.0
    layer: int = 0


@dataclass
class LayoutEdge:
    """``kind`` is ``"input"`` (def -> op), ``"condition"`` (def -> op) or ``"output"`` (op -> def).

    ``points`` are the bend points (dummy-node positions) of an edge that
    crosses several layers, so a drawing can route it around other nodes.
    """

    id: str
    source: str
    target: str
    label: str
    kind: str
    points: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class FlowLayout:
    """The nodes (by id, in flow order), edges and the bounding box of a flow's picture."""

    nodes: dict[str, LayoutNode]
    edges: list[LayoutEdge]
    width: float
    height: float

    def operations(self) -> list[LayoutNode]:
        return [n for n in self.nodes.values() if n.kind == "operation"]

    def definitions(self) -> list[LayoutNode]:
        return [n for n in self.nodes.values() if n.kind == "definition"]


# -- the flow as a graph ----------------------------------------------------------


def _unique(base: str, taken: set[str]) -> str:
    # validate() reports duplicate operation names; the picture still needs unique ids
    if base not in taken:
        return base
    n = 2
    while f"{base}#{n}" in taken:
        n += 1
    return f"{base}#{n}"


def flow_graph(flow: Any) -> tuple[dict[str, LayoutNode], list[LayoutEdge]]:
    """Nodes and edges of ``flow`` (a ``DataFlow``), not yet positioned."""
    nodes: dict[str, LayoutNode] = {}
    edges: list[LayoutEdge] = []
    flow_inputs, leaves = flow.flow_inputs, flow.leaves
    produced = {d.name for o in flow for d in o.outputs.values()}
    for definition in flow.definitions.values():
        name = definition.name
        if name in flow_inputs or name not in produced:
            role = "input"
        elif name in leaves:
            role = "leaf"
        else:
            role = "intermediate"
        label = f"{name}: {definition.primitive}"
        nodes[def_id(name)] = LayoutNode(
            id=def_id(name),
            kind="definition",
            name=name,
            label=label,
            role=role,
            width=max(70.0, DEF_CHAR * len(label) * 1.15 + 26.0),  # an ellipse needs the extra
            height=DEF_HEIGHT,
        )
    edge_ids: set[str] = set()

    def add_edge(source: str, target: str, label: str, kind: str) -> None:
        edge_id = _unique(f"{source}->{target}:{label or kind}", edge_ids)
        edge_ids.add(edge_id)
        edges.append(LayoutEdge(edge_id, source, target, label, kind))

    for operation in flow:
        node_id = _unique(op_id(operation.name), set(nodes))
        nodes[node_id] = LayoutNode(
            id=node_id,
            kind="operation",
            name=operation.name,
            label=operation.name,
            role=operation.stage,
            width=max(80.0, OP_CHAR * len(operation.name) + 24.0 + COUNT_ROOM),
            height=OP_HEIGHT,
        )
        for param, definition in operation.inputs.items():
            label = "" if param == definition.name else param
            add_edge(def_id(definition.name), node_id, label, "input")
        for definition in operation.conditions:
            add_edge(def_id(definition.name), node_id, "", "condition")
        for key, definition in operation.outputs.items():
            label = "" if key == definition.name else key
            add_edge(node_id, def_id(definition.name), label, "output")
    return nodes, edges


def flow_layout(
    flow: Any, *, layer_gap: float = 56.0, node_gap: float = 22.0, margin: float = 16.0
) -> FlowLayout:
    """Lay ``flow`` out left to right: every edge goes from a smaller x to a larger one.

    (Except edges closing a cycle, which are drawn backwards.) Coordinates are
    node centres, starting at ``margin`` from the top-left corner.
    """
    nodes, edges = flow_graph(flow)
    # edge labels sit between columns: widen the gaps when there are any
    longest = max((len(e.label) for e in edges), default=0)
    gap = max(layer_gap, 6.0 * longest + 28.0)
    sizes: dict[Hashable, tuple[float, float]] = {n.id: (n.width, n.height) for n in nodes.values()}
    placed = layered_positions(
        list(nodes), [(e.source, e.target) for e in edges], sizes, layer_gap=gap, node_gap=node_gap
    )
    for node_id, (x, y, layer) in placed.nodes.items():
        node = nodes[str(node_id)]
        node.x, node.y, node.layer = x, y, layer
    for edge in edges:
        edge.points = list(placed.bends.get((edge.source, edge.target), ()))
    if nodes:
        left = min(n.x - n.width / 2 for n in nodes.values())
        top = min(n.y - n.height / 2 for n in nodes.values())
        dx, dy = margin - left, margin - top
        for node in nodes.values():
            node.x += dx
            node.y += dy
        for edge in edges:
            edge.points = [(x + dx, y + dy) for x, y in edge.points]
        width = max(n.x + n.width / 2 for n in nodes.values()) + margin
        height = max(n.y + n.height / 2 for n in nodes.values()) + margin
    else:
        width = height = 2 * margin
    return FlowLayout(nodes, edges, width, height)


# -- the algorithm: any graph of hashable node ids ----------------------------------


@dataclass
class Placement:
    """``nodes``: id -> (x, y, layer); ``bends``: (source, target) -> dummy points."""

    nodes: dict[Hashable, tuple[float, float, int]]
    bends: dict[tuple[Hashable, Hashable], list[tuple[float, float]]]


class _Dummy:
    """A point an edge passes through on a layer it crosses."""

    __slots__ = ("edge", "index")

    def __init__(self, edge: tuple[Hashable, Hashable], index: int) -> None:
        self.edge = edge
        self.index = index


def layered_positions(
    nodes: Sequence[Hashable],
    edges: Sequence[tuple[Hashable, Hashable]],
    sizes: Mapping[Hashable, tuple[float, float]] | None = None,
    *,
    layer_gap: float = 56.0,
    node_gap: float = 22.0,
    sweeps: int = 12,
) -> Placement:
    """Place ``nodes`` in layers from left to right; returns centres and edge bend points.

    ``sizes`` maps a node to ``(width, height)`` (default 80 x 30). Duplicate
    edges and self loops are ignored for placement.
    """
    sizes = sizes or {}
    order_in = {n: i for i, n in enumerate(nodes)}
    pairs = _distinct_edges(edges, order_in)
    forward = _acyclic(nodes, list(pairs))
    layer = _layers(nodes, forward)
    succ, pred, chains = _proper_layering(nodes, forward, layer)

    depth = max(layer.values(), default=-1) + 1
    layers: list[list[Any]] = [[] for _ in range(depth)]
    # initial order: flow order, dummies after the node they leave from
    for item in sorted(layer, key=lambda n: _initial_key(n, order_in)):
        layers[layer[item]].append(item)
    layers = _order(layers, pred, succ, sweeps)

    def size(item: Any) -> tuple[float, float]:
        if isinstance(item, _Dummy):
            return (0.0, 8.0)
        return sizes.get(item, (80.0, 30.0))

    # x: one column per layer, wide enough for its widest node
    xs: list[float] = []
    cursor = 0.0
    for items in layers:
        width = max((size(i)[0] for i in items), default=0.0)
        xs.append(cursor + width / 2)
        cursor += width + layer_gap
    ys = _coordinates(layers, pred, succ, size, node_gap)

    placed = {n: (xs[layer[n]], ys[n], layer[n]) for n in nodes}
    bends: dict[tuple[Hashable, Hashable], list[tuple[float, float]]] = {}
    for (source, target), chain in chains.items():
        points = [(xs[layer[d]], ys[d]) for d in chain]
        if (source, target) in pairs:
            bends[(source, target)] = points
        else:  # a reversed cycle edge: its points run the other way
            bends[(target, source)] = points[::-1]
    return Placement(placed, bends)


def _distinct_edges(
    edges: Sequence[tuple[Hashable, Hashable]], order_in: Mapping[Hashable, int]
) -> dict[tuple[Hashable, Hashable], None]:
    """The edges between known nodes, once each, in order; self loops left out."""
    pairs: dict[tuple[Hashable, Hashable], None] = {}
    for source, target in edges:
        if source != target and source in order_in and target in order_in:
            pairs.setdefault((source, target))
    return pairs


def _proper_layering(
    nodes: Sequence[Hashable],
    forward: list[tuple[Hashable, Hashable]],
    layer: dict[Any, int],
) -> tuple[
    dict[Any, list[Any]], dict[Any, list[Any]], dict[tuple[Hashable, Hashable], list[_Dummy]]
]:
    """A chain of dummies for every edge longer than one layer (added to ``layer``).

    Returns ``(successors, predecessors, chains)`` over nodes and dummies;
    ``chains`` maps each edge to its dummies, from source to target.
    """
    succ: dict[Any, list[Any]] = {n: [] for n in nodes}
    pred: dict[Any, list[Any]] = {n: [] for n in nodes}
    chains: dict[tuple[Hashable, Hashable], list[_Dummy]] = {}
    for source, target in forward:
        previous: Any = source
        chain: list[_Dummy] = []
        for step in range(1, layer[target] - layer[source]):
            dummy = _Dummy((source, target), step)
            layer[dummy] = layer[source] + step
            succ[dummy], pred[dummy] = [], []
            chain.append(dummy)
            succ[previous].append(dummy)
            pred[dummy].append(previous)
            previous = dummy
        succ[previous].append(target)
        pred[target].append(previous)
        chains[(source, target)] = chain
    return succ, pred, chains


def _initial_key(item: Any, order_in: Mapping[Hashable, int]) -> tuple[float, int]:
    if isinstance(item, _Dummy):
        return (order_in[item.edge[0]] + 0.5, item.index)
    return (float(order_in[item]), 0)


def _acyclic(
    nodes: Sequence[Hashable], pairs: list[tuple[Hashable, Hashable]]
) -> list[tuple[Hashable, Hashable]]:
    """The edges with every DFS back edge reversed, so the graph has no cycle."""
    succ: dict[Hashable, list[Hashable]] = {n: [] for n in nodes}
    for source, target in pairs:
        succ[source].append(target)
    state: dict[Hashable, int] = {}  # 1 = on the stack, 2 = done
    back: set[tuple[Hashable, Hashable]] = set()
    for root in nodes:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:  # iterative: deep flows must not hit the recursion limit
            node, children = stack[-1]
            for child in children:
                mark = state.get(child)
                if mark == 1:
                    back.add((node, child))
                elif mark is None:
                    state[child] = 1
                    stack.append((child, iter(succ[child])))
                    break
            else:
                state[node] = 2
                stack.pop()
    return [(t, s) if (s, t) in back else (s, t) for s, t in pairs]


def _layers(nodes: Sequence[Hashable], forward: list[tuple[Hashable, Hashable]]) -> dict[Any, int]:
    """Longest-path layering, then sources pulled right next to their first consumer."""
    succ: dict[Hashable, list[Hashable]] = {n: [] for n in nodes}
    indegree = dict.fromkeys(nodes, 0)
    for source, target in forward:
        succ[source].append(target)
        indegree[target] += 1
    layer: dict[Any, int] = dict.fromkeys(nodes, 0)
    ready = [n for n in nodes if indegree[n] == 0]
    while ready:
        node = ready.pop()
        for child in succ[node]:
            layer[child] = max(layer[child], layer[node] + 1)
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    has_pred = {t for _, t in forward}
    for node in nodes:
        if node not in has_pred and succ[node]:
            layer[node] = min(layer[c] for c in succ[node]) - 1
    low = min(layer.values(), default=0)
    return {n: v - low for n, v in layer.items()}


def _crossings(upper: list[Any], lower: list[Any], succ: Mapping[Any, list[Any]]) -> int:
    """Crossings between two adjacent layers (inversions of the lower ends)."""
    where = {item: i for i, item in enumerate(lower)}
    ends: list[int] = []
    for item in upper:
        ends.extend(sorted(where[c] for c in succ[item] if c in where))
    count = 0
    seen: list[int] = []
    for end in ends:  # inversions: earlier edges ending below this one
        count += len(seen) - bisect.bisect_right(seen, end)
        bisect.insort(seen, end)
    return count


def _total_crossings(layers: list[list[Any]], succ: Mapping[Any, list[Any]]) -> int:
    return sum(_crossings(layers[i], layers[i + 1], succ) for i in range(len(layers) - 1))


def _order(
    layers: list[list[Any]],
    pred: Mapping[Any, list[Any]],
    succ: Mapping[Any, list[Any]],
    sweeps: int,
) -> list[list[Any]]:
    """Barycentric sweeps; returns the ordering with the fewest crossings seen."""
    best = [list(items) for items in layers]
    best_count = _total_crossings(best, succ)
    current = [list(items) for items in layers]
    for sweep in range(sweeps):
        if best_count == 0:
            break
        down = sweep % 2 == 0
        indices = range(1, len(current)) if down else range(len(current) - 2, -1, -1)
        for i in indices:
            fixed = current[i - 1] if down else current[i + 1]
            where = {item: p for p, item in enumerate(fixed)}
            neighbours = pred if down else succ

            def barycentre(
                item: Any,
                p: int,
                where: dict[Any, int] = where,
                neighbours: Mapping[Any, list[Any]] = neighbours,
            ) -> float:
                found = [where[n] for n in neighbours[item] if n in where]
                # a node with no neighbour on that side keeps its place
                return sum(found) / len(found) if found else float(p)

            keyed = [(barycentre(item, p), p, item) for p, item in enumerate(current[i])]
            keyed.sort(key=lambda k: (k[0], k[1]))
            current[i] = [item for _, _, item in keyed]
        count = _total_crossings(current, succ)
        if count < best_count:
            best, best_count = [list(items) for items in current], count
    return best


def _coordinates(
    layers: list[list[Any]],
    pred: Mapping[Any, list[Any]],
    succ: Mapping[Any, list[Any]],
    size: Any,
    node_gap: float,
) -> dict[Any, float]:
    """Vertical centres: stacked per layer, then pulled towards neighbours a few times."""
    ys: dict[Any, float] = {}
    for items in layers:
        cursor = 0.0
        for item in items:
            height = size(item)[1]
            ys[item] = cursor + height / 2
            cursor += height + node_gap
        shift = cursor / 2
        for item in items:
            ys[item] -= shift  # centre each column on y = 0

    def place(items: list[Any], wanted: list[float]) -> None:
        # keep the order and a minimum gap, staying as close as possible to
        # the wanted centres on average
        placed: list[float] = []
        for index, item in enumerate(items):
            y = wanted[index]
            if placed:
                previous = items[index - 1]
                low = placed[-1] + (size(previous)[1] + size(item)[1]) / 2 + node_gap
                y = max(y, low)
            placed.append(y)
        offset = (sum(wanted) - sum(placed)) / len(placed)
        for item, y in zip(items, placed):
            ys[item] = y + offset

    for sweep in range(4):
        down = sweep % 2 == 0
        order = layers[1:] if down else layers[-2::-1]
        for items in order:
            if not items:
                continue
            wanted = []
            for item in items:
                neighbours = (pred if down else succ)[item] or (succ if down else pred)[item]
                wanted.append(
                    sum(ys[n] for n in neighbours) / len(neighbours) if neighbours else ys[item]
                )
            place(items, wanted)
    return ys
