"""The graph view: ipycytoscape behind one small class.

This is the only module that imports ipycytoscape (which imports pandas, about
0.6 s), and it is imported only when a graph is first built. Callers speak in
plain dicts — nodes ``{"id", "label", "classes", "x", "y", "w", "h", ...}`` and
edges ``{"id", "source", "target", "label", "classes"}`` — so another renderer
(an anywidget around cytoscape.js, say) could replace this class without
touching them.

Facts this relies on (ipycytoscape 1.3.3, see DESIGN.md): any change to the node
or edge *lists* re-runs the layout on the whole graph, so positions are given up
front with the ``preset`` layout and a run only changes ``classes`` / ``data``;
the first render is not fitted, so ``fit()`` re-runs the preset layout (which
fits) once a view exists. Checked in JupyterLab 4.6 with Chromium: the bundled
cytoscape.js (3.21) ignores compound class selectors (``.operation.done``), so
every state has a class of its own (``op-done``), and its ``font-family``
accepts double quotes only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import ipycytoscape
import ipywidgets

from dffml_nb.nb.graph.svg import COLOURS, EDGE, EDGE_TEXT, FONT

__all__ = ["CytoscapeView", "STYLE"]


def _node_style(selector: str, key: str, border: float = 1.5) -> dict[str, Any]:
    fill, stroke = COLOURS[key]
    return {
        "selector": selector,
        "style": {"background-color": fill, "border-color": stroke, "border-width": border},
    }


STYLE: list[dict[str, Any]] = [
    {
        "selector": "node",
        "style": {
            "label": "data(label)",
            "width": "data(w)",
            "height": "data(h)",
            "text-valign": "center",
            "text-halign": "center",
            "font-family": FONT,
            "font-size": 11,
            "color": "#111827",
            "text-wrap": "none",
        },
    },
    {
        "selector": "node.operation",
        "style": {"shape": "round-rectangle", "font-size": 12, "font-weight": "bold"},
    },
    # one class per state: the cytoscape.js in ipycytoscape 1.3.3 (3.21) matches
    # nothing with compound class selectors such as "node.operation.done"
    _node_style(".op-idle", "idle"),
    _node_style(".op-running", "running", 3),
    _node_style(".op-done", "done"),
    _node_style(".op-failed", "failed", 2.5),
    {"selector": "node.definition", "style": {"shape": "ellipse"}},
    _node_style(".def-intermediate", "intermediate", 1.2),
    _node_style(".def-input", "input", 2),
    _node_style(".def-leaf", "leaf", 2),
    # the node whose details are shown (our own class: cytoscape's :selected is
    # turned off by auto_unselectify)
    {"selector": ".picked", "style": {"border-color": "#111827", "border-width": 3.5}},
    {
        "selector": "edge",
        "style": {
            "curve-style": "bezier",
            "width": 1.4,
            "line-color": EDGE,
            "target-arrow-shape": "triangle",
            "target-arrow-color": EDGE,
            "arrow-scale": 0.9,
            "label": "data(label)",
            "font-family": FONT,
            "font-size": 9,
            "color": EDGE_TEXT,
            "text-background-color": "#ffffff",
            "text-background-opacity": 0.85,
            "text-background-padding": 1,
        },
    },
    {"selector": "edge.condition", "style": {"line-style": "dashed"}},
    # elements removed from the picture but still in the widget's lists (update_elements)
    {"selector": ".gone", "style": {"display": "none"}},
]


class CytoscapeView:
    """A cytoscape.js canvas showing nodes at given positions; ``widget`` is what to compose."""

    def __init__(self, height: str = "340px") -> None:
        self._height = height
        self._nudged = False
        self.widget = ipycytoscape.CytoscapeWidget(
            layout=ipywidgets.Layout(height=height, width="100%", border="1px solid #e5e7eb"),
        )
        self.widget.set_style(STYLE)
        self.widget.cytoscape_layout = {
            "name": "preset",
            "fit": True,
            "padding": 24,
            "animate": False,
        }
        # small flows would otherwise be zoomed until nodes fill the box
        self.widget.max_zoom = 1.6
        self.widget.min_zoom = 0.2
        self._nodes: dict[str, ipycytoscape.Node] = {}
        self._edges: list[ipycytoscape.Edge] = []
        self._click: Callable[[str], Any] | None = None
        self._edge_click: Callable[[str], Any] | None = None
        #: element id -> the spec update_elements last sent (set_elements forgets them)
        self._sent: dict[str, dict[str, Any]] = {}
        #: removed elements still in the lists (see update_elements)
        self._tombstones: list[Any] = []
        self._anchor_node: Any = None
        self._moved: Callable[[str, float, float], Any] | None = None
        self._new_view: Callable[[], Any] | None = None
        # ipywidgets counts the views a front end creates when this is not None:
        # the only sure sign that a view exists and can be fitted (Voilà, for
        # one, runs every cell before it creates any view)
        self.widget._view_count = 0
        self.widget.observe(self._views_changed, names="_view_count")

    # -- elements -------------------------------------------------------------

    def set_elements(
        self, nodes: Iterable[dict[str, Any]], edges: Iterable[dict[str, Any]]
    ) -> None:
        """Show exactly these nodes and edges.

        Nodes that keep their id keep their widget (their position, data and
        classes are updated in place); the node and edge lists are replaced in
        one assignment each, so an existing view re-renders once.
        """
        self._sent = {}
        kept: dict[str, ipycytoscape.Node] = {}
        for spec in nodes:
            spec = dict(spec)
            node_id = spec["id"]
            position = {"x": float(spec.pop("x")), "y": float(spec.pop("y"))}
            classes = spec.pop("classes", "")
            widget = self._nodes.get(node_id)
            if widget is None:
                widget = ipycytoscape.Node(data=spec, position=position, classes=classes)
            else:
                widget.data = spec
                widget.position = position
                widget.classes = classes
            kept[node_id] = widget
        new_edges = []
        for spec in edges:
            spec = dict(spec)
            classes = spec.pop("classes", "")
            new_edges.append(ipycytoscape.Edge(data=spec, classes=classes))
        dropped = [w for node_id, w in self._nodes.items() if node_id not in kept]
        old_edges = self._edges
        graph = self.widget.graph
        adjacency: dict[str, dict[str, int]] = {node_id: {} for node_id in kept}
        for edge in new_edges:
            targets = adjacency.setdefault(edge.data["source"], {})
            targets[edge.data["target"]] = targets.get(edge.data["target"], 0) + 1
        graph.edges = []  # first, so no edge ever points at a missing node
        graph.nodes = list(kept.values())
        graph.edges = new_edges
        graph._adj = adjacency
        self._nodes, self._edges = kept, new_edges
        buried = [*self._tombstones, *([self._anchor_node] if self._anchor_node else [])]
        self._tombstones, self._anchor_node = [], None
        for widget in (*dropped, *old_edges, *buried):
            widget.close()  # free their comms in the kernel and the browser

    def update_elements(
        self, nodes: Iterable[dict[str, Any]], edges: Iterable[dict[str, Any]]
    ) -> int:
        """Show exactly these nodes and edges, sending only what differs; returns the changes made.

        Like :meth:`set_elements`, but for one edit at a time: kept elements
        (matched by id) keep their widget and are sent only the data / classes
        / position that changed; new ones are *appended* to the node and edge
        lists; gone ones are removed through their ``removed`` trait and stay in
        the lists, hidden, as tombstones. Why: the front end matches the lists
        by position (``ViewList.update``) and re-creates every element after
        the first difference, removing the old ones asynchronously — so any
        removal from the middle of a list would re-add live elements whose
        old copies still exist ("Can not create second element"). Appending
        never does. When tombstones outnumber ``max_tombstones`` the lists are
        rebuilt once (emptied, then refilled) to drop them.
        """
        sent = self._sent
        changes = 0
        kept: dict[str, ipycytoscape.Node] = {}
        added_nodes = []
        for spec in nodes:
            node_id = spec["id"]
            widget = self._nodes.get(node_id)
            if widget is not None and sent.get(node_id) == spec:
                kept[node_id] = widget
                continue
            sent[node_id] = dict(spec)
            spec = dict(spec)
            position = {"x": float(spec.pop("x")), "y": float(spec.pop("y"))}
            classes = spec.pop("classes", "")
            if widget is None:
                widget = ipycytoscape.Node(data=spec, position=position, classes=classes)
                added_nodes.append(widget)
            else:
                _refresh(widget, spec, classes)
                if widget.position != position:
                    widget.position = position
                changes += 1
            kept[node_id] = widget
        live_edges = {e.data["id"]: e for e in self._edges}
        new_edges = []
        added_edges = []
        for spec in edges:
            edge_id = spec["id"]
            widget = live_edges.get(edge_id)
            if widget is not None and sent.get(edge_id) == spec:
                new_edges.append(widget)
                continue
            sent[edge_id] = dict(spec)
            spec = dict(spec)
            classes = spec.pop("classes", "")
            if widget is None:
                widget = ipycytoscape.Edge(data=spec, classes=classes)
                added_edges.append(widget)
            else:
                _refresh(widget, spec, classes)
                changes += 1
            new_edges.append(widget)
        kept_edges = {id(e) for e in new_edges}
        gone_edges = [e for e in self._edges if id(e) not in kept_edges]
        gone_nodes = [w for node_id, w in self._nodes.items() if node_id not in kept]
        for widget in (*gone_edges, *gone_nodes):  # edges first: they point at the nodes
            sent.pop(widget.data.get("id"), None)
            self._bury(widget)
        graph = self.widget.graph
        if added_nodes:
            graph.nodes = [*graph.nodes, *added_nodes]
        if added_edges:
            graph.edges = [*graph.edges, *added_edges]
        self._nodes, self._edges = kept, new_edges
        if len(self._tombstones) > self.max_tombstones:
            self._compact()
        return changes + len(added_nodes) + len(added_edges) + len(gone_nodes) + len(gone_edges)

    #: tombstones kept in the lists before they are rebuilt without them
    max_tombstones = 400

    def _bury(self, widget: Any) -> None:
        """Remove an element from every view; keep its widget, hidden and harmless, in the list.

        Its data gets an id of its own (and an edge the hidden anchor as both
        ends), so a view made later (the page reloaded) creates it without
        clashing with a live element of the old id.
        """
        widget.removed = True
        self._tombstones.append(widget)
        dead = f"__gone_{len(self._tombstones)}_{id(widget)}"
        if isinstance(widget, ipycytoscape.Edge):
            anchor = self._anchor()
            widget.data = {"id": dead, "source": anchor, "target": anchor}
        else:
            widget.data = {"id": dead}
        widget.classes = "gone"

    def _anchor(self) -> str:
        """A hidden node that buried edges point at (made once)."""
        if self._anchor_node is None:
            self._anchor_node = ipycytoscape.Node(
                data={"id": "__gone_anchor__"}, position={"x": 0.0, "y": 0.0}, classes="gone"
            )
            graph = self.widget.graph
            graph.nodes = [*graph.nodes, self._anchor_node]
        return "__gone_anchor__"

    def _compact(self) -> None:
        """Rebuild the lists with live elements only (two steps: empty, then refill)."""
        graph = self.widget.graph
        graph.edges = []
        graph.nodes = []
        graph.nodes = list(self._nodes.values())
        graph.edges = list(self._edges)
        for widget in (*self._tombstones, *([self._anchor_node] if self._anchor_node else [])):
            widget.close()
        self._tombstones = []
        self._anchor_node = None

    def move_node(self, node_id: str, x: float, y: float) -> None:
        """Record that a node is at (x, y) without sending it (a drag already put it there)."""
        sent = self._sent
        if node_id in sent:
            sent[node_id] = {**sent[node_id], "x": x, "y": y}

    def set_position(self, node_id: str, x: float, y: float) -> None:
        """Move one node (every view follows)."""
        self._nodes[node_id].position = {"x": float(x), "y": float(y)}
        self.move_node(node_id, float(x), float(y))

    def update_node(
        self, node_id: str, *, classes: str | None = None, label: str | None = None
    ) -> None:
        """Change a node's classes and/or label (nothing else moves)."""
        widget = self._nodes[node_id]
        if classes is not None and widget.classes != classes:
            widget.classes = classes
        if label is not None and widget.data.get("label") != label:
            widget.data = {**widget.data, "label": label}
        known = self._sent.get(node_id)
        if known is not None:  # keep update_elements' record true
            self._sent[node_id] = {
                **known,
                **({"classes": classes} if classes is not None else {}),
                **({"label": label} if label is not None else {}),
            }

    def node(self, node_id: str) -> dict[str, Any]:
        """What the view holds for a node: its data, classes and position."""
        widget = self._nodes[node_id]
        return {
            **widget.data,
            "classes": widget.classes,
            "x": widget.position.get("x"),
            "y": widget.position.get("y"),
        }

    def elements(self) -> dict[str, list[dict[str, Any]]]:
        """All nodes and edges as plain dicts (for tests and debugging)."""
        return {
            "nodes": [self.node(node_id) for node_id in self._nodes],
            "edges": [{**e.data, "classes": e.classes} for e in self._edges],
        }

    # -- interaction ----------------------------------------------------------

    def on_node_click(self, callback: Callable[[str], Any]) -> None:
        """Call ``callback(node_id)`` when a node is clicked in the browser."""
        first = self._click is None
        self._click = callback
        if first:
            self.widget.on("node", "click", self._clicked)

    def on_edge_click(self, callback: Callable[[str], Any]) -> None:
        """Call ``callback(edge_id)`` when an edge is clicked in the browser.

        Register before the graph is first shown: ipycytoscape 1.3.3's front
        end adds a second event type of an element kind only at its first render.
        """
        first = self._edge_click is None
        self._edge_click = callback
        if first:
            self.widget.on("edge", "click", self._edge_clicked)

    def on_node_moved(self, callback: Callable[[str, float, float], Any]) -> None:
        """Call ``callback(node_id, x, y)`` when a node is let go after a drag (its new place).

        (ipycytoscape does not sync positions back; the ``mouseup`` event
        carries the node's position. Register before the graph is first shown.)
        """
        first = self._moved is None
        self._moved = callback
        if first:
            self.widget.on("node", "mouseup", self._released)

    def _edge_clicked(self, target: dict[str, Any]) -> None:
        edge_id = (target.get("data") or {}).get("id")
        if edge_id is not None and self._edge_click is not None:
            self._edge_click(edge_id)

    def _released(self, target: dict[str, Any]) -> None:
        node_id = (target.get("data") or {}).get("id")
        position = target.get("position") or {}
        widget = self._nodes.get(node_id) if node_id is not None else None
        if node_id is None or widget is None or "x" not in position or "y" not in position:
            return
        x, y = float(position["x"]), float(position["y"])
        old = widget.position or {}
        if abs(old.get("x", x) - x) <= 0.5 and abs(old.get("y", y) - y) <= 0.5:
            return  # a click, not a drag
        widget.position = {"x": x, "y": y}  # other views of the graph follow
        self.move_node(node_id, x, y)
        if self._moved is not None:
            self._moved(node_id, x, y)

    def on_new_view(self, callback: Callable[[], Any]) -> None:
        """Call ``callback()`` whenever a front end creates a view of the graph."""
        self._new_view = callback

    def _views_changed(self, change: dict[str, Any]) -> None:
        if (change.get("new") or 0) > (change.get("old") or 0) and self._new_view is not None:
            self._new_view()

    def _clicked(self, target: dict[str, Any]) -> None:
        node_id = (target.get("data") or {}).get("id")
        if node_id is not None and self._click is not None:
            self._click(node_id)

    def set_height(self, height: str) -> None:
        """Set the canvas height (CSS, e.g. ``"240px"``); views resize and refit."""
        self._height = height
        self._nudged = False
        self.widget.layout.height = height

    def fit(self) -> None:
        """Fit every node into the box, in every view that exists; nothing moves.

        cytoscape.js caches its container's size, and ``relayout()`` alone fits
        to that stale size (the first render happens before the box has its
        height). The view's only path that calls ``cy.resize()`` then
        ``cy.fit()`` is a change of the layout's height, so nudge it by a pixel
        (alternately up and back).
        """
        height = self._height
        if height.endswith("px"):
            base = float(height[:-2])
            self._nudged = not self._nudged
            self.widget.layout.height = f"{base + (1 if self._nudged else 0):g}px"
        self.widget.relayout()

    def close(self) -> None:
        for widget in (*self._nodes.values(), *self._edges):
            widget.close()
        self.widget.close()


def _refresh(widget: Any, data: dict[str, Any], classes: str) -> int:
    """Send a kept element's new data / classes if they differ; returns how many were sent."""
    sent = 0
    if widget.classes != classes:
        widget.classes = classes
        sent += 1
    if dict(widget.data) != data:
        widget.data = data
        sent += 1
    return sent
