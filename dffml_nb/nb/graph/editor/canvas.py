"""The editor's graph: a :class:`DataFlowGraph` whose picture changes one edit at a time.

Everything a live graph does (run states pushed at most every ``interval``,
counts, a node's last inputs / outputs / error on click) is inherited. What
differs: nodes keep the places they have (positions are remembered by node
id, dragged ones included, across edits and undo), a node new to the picture
is placed beside its neighbours without moving any other, and each change is
sent as a patch (:meth:`CytoscapeView.update_elements`) instead of a redraw.
Nodes and edges can carry extra classes (``problem``, ``missing``, ``armed``)
that survive the run-state restyling.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets

from dffml_nb.df import DataFlow
from dffml_nb.nb.graph.editor.placement import MARGIN, place
from dffml_nb.nb.graph.layout import FlowLayout, LayoutNode, flow_graph, flow_layout
from dffml_nb.nb.graph.live import DataFlowGraph

__all__ = ["EDITOR_STYLE", "EditorGraph"]

#: styles of the editor's extra classes, after (so over) the graph's own
EDITOR_STYLE: list[dict[str, Any]] = [
    {
        "selector": ".missing",
        "style": {"border-color": "#d97706", "border-width": 3, "border-style": "dashed"},
    },
    {
        "selector": ".problem",
        "style": {
            "border-color": "#dc2626",
            "border-width": 4,
            "border-style": "double",
            "background-color": "#fee2e2",
        },
    },
    {"selector": ".armed", "style": {"border-color": "#2563eb", "border-width": 5}},
    {"selector": ".picked", "style": {"border-color": "#111827", "border-width": 3.5}},
    {"selector": "edge.picked", "style": {"line-color": "#111827", "width": 3.5}},
    {"selector": "edge.problem", "style": {"line-color": "#dc2626", "width": 2.5}},
]


def _base_classes(node: LayoutNode) -> str:
    return "operation op-idle" if node.kind == "operation" else f"definition def-{node.role}"


class EditorGraph(DataFlowGraph):
    """A live graph for editing: positions kept, changes patched, extra classes per element."""

    def __init__(self, flow: DataFlow, *, height: str = "460px", interval: float = 0.1) -> None:
        from dffml_nb.nb.graph.view import STYLE

        #: node id -> (x, y) centre; kept for nodes that left the picture (undo brings them back)
        self.positions: dict[str, tuple[float, float]] = {}
        #: node or edge id -> extra classes ("problem", "missing", "armed", "picked")
        self.decorations: dict[str, str] = {}
        #: elements created, changed or removed in the view, over this graph's life
        self.element_changes = 0
        #: the next picture is laid out afresh (a loaded flow), not placed around the old one
        self.lay_out_next = False
        super().__init__(flow, height=height, interval=interval)
        self.add_class("dffml-flow-editor-graph")
        # the details panel and the legend share a row: let them wrap in a narrow column
        for child in self.children:
            if isinstance(child, widgets.HBox) and self.details_panel in child.children:
                child.layout.flex_flow = "row wrap"
                self.details_panel.layout.min_width = "220px"
        self.view.widget.set_style(STYLE + EDITOR_STYLE)
        self.view.on_node_moved(self._moved)

    # -- structure -------------------------------------------------------------------------

    def _build(self, flow: DataFlow) -> None:
        self.flow = flow
        nodes, edges = flow_graph(flow)
        fresh = self.lay_out_next or not any(node_id in self.positions for node_id in nodes)
        self.lay_out_next = False
        if nodes and fresh:
            # nothing of it is shown yet (a new or loaded flow): the layered layout
            laid = flow_layout(flow)
            self.positions.update({n.id: (n.x, n.y) for n in laid.nodes.values()})
        else:
            self.positions.update(place(nodes, edges, self.positions))
        for node in nodes.values():
            node.x, node.y = self.positions[node.id]
        right = max((n.x + n.width / 2 for n in nodes.values()), default=MARGIN) + MARGIN
        bottom = max((n.y + n.height / 2 for n in nodes.values()), default=MARGIN) + MARGIN
        self.geometry = FlowLayout(nodes, edges, right, bottom)
        self._node_of = {}
        for node in nodes.values():
            if node.kind == "operation":
                self._node_of.setdefault(node.name, node.id)
        self._clear_state()
        if self.selected is not None and self.selected not in nodes:
            self.selected = None
        self.element_changes += self.view.update_elements(*self._elements())
        self._shown = {
            name: (self.view.node(node_id)["classes"], name)
            for name, node_id in self._node_of.items()
        }
        self._show_status()

    def _classes(self, node_id: str, base: str) -> str:
        extra = self.decorations.get(node_id, "")
        pick = " picked" if getattr(self, "selected", None) == node_id else ""
        return f"{base}{pick}{' ' + extra if extra else ''}"

    def _elements(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        nodes = [
            {
                "id": node.id,
                "label": node.label,
                "name": node.name,
                "kind": node.kind,
                "role": node.role,
                "w": node.width,
                "h": node.height,
                "x": node.x,
                "y": node.y,
                "classes": self._classes(node.id, _base_classes(node)),
            }
            for node in self.geometry.nodes.values()
        ]
        edges = [
            {
                "id": e.id,
                "source": e.source,
                "target": e.target,
                "label": e.label,
                "kind": e.kind,
                "classes": self._classes(e.id, e.kind),
            }
            for e in self.geometry.edges
        ]
        return nodes, edges

    def show(self, flow: DataFlow, decorations: Mapping[str, str] | None = None) -> None:
        """Show ``flow`` (after an edit) with these extra classes; only differences are sent."""
        if decorations is not None:
            self.decorations = dict(decorations)
        with self._lock:
            self._build(flow)
        if self.selected is not None:
            self.select(self.selected)
        else:
            self.details_panel.value = (
                '<div style="font-size:12px;color:#6b7280">Click a node to see its details.</div>'
            )

    def decorate(self, decorations: Mapping[str, str]) -> None:
        """Change only the extra classes (nothing else is sent)."""
        self.decorations = dict(decorations)
        self.element_changes += self.view.update_elements(*self._elements())

    def update_flow(self, flow: DataFlow) -> None:
        """Show ``flow`` instead, keeping every node that stays where it is."""
        self.show(flow)

    # -- run-state restyling keeps the extra classes -------------------------------------------

    def _show_nodes(self, states: dict[str, str]) -> bool:
        changed = False
        for name, shown_state in states.items():
            node_id = self._node_of[name]
            shown = (
                self._classes(node_id, f"operation op-{shown_state}"),
                _label(name, self.state.ops[name].runs),
            )
            if shown != self._shown.get(name):
                self.view.update_node(node_id, classes=shown[0], label=shown[1])
                self._shown[name] = shown
                changed = True
        return changed

    def _restyle(self, node_id: str) -> None:
        node = self.geometry.nodes[node_id]
        if node.kind == "operation":
            op_state = self.state.ops[node.name]
            shown = (
                self._classes(node_id, f"operation op-{op_state.state}"),
                _label(node.name, op_state.runs),
            )
            self._shown[node.name] = shown
            self.view.update_node(node_id, classes=shown[0], label=shown[1])
        else:
            self.view.update_node(node_id, classes=self._classes(node_id, _base_classes(node)))

    # -- positions ---------------------------------------------------------------------------

    def _moved(self, node_id: str, x: float, y: float) -> None:
        self.positions[node_id] = (x, y)
        node = self.geometry.nodes.get(node_id)
        if node is not None:
            node.x, node.y = x, y

    def move(self, node_id: str, x: float, y: float) -> None:
        """Put a node somewhere else (what a drag does)."""
        self.view.set_position(node_id, x, y)
        self._moved(node_id, x, y)


def _label(name: str, runs: int) -> str:
    return f"{name} ×{runs}" if runs else name
