"""A static SVG picture of a dataflow, drawn from the same layout as the live graph.

Used where no widget can render (GitHub, nbviewer, an HTML export). Every piece
of text is XML-escaped: definition names and labels come from user code.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from dffml_nb.nb.graph.layout import FlowLayout, LayoutEdge, LayoutNode, flow_layout

__all__ = ["flow_svg", "layout_svg", "COLOURS"]

# double quotes only: cytoscape.js rejects a font-family with single quotes
FONT = '-apple-system, "Segoe UI", Helvetica, Arial, sans-serif'

#: fill / stroke per node kind and state; the live view's stylesheet uses the same
COLOURS: dict[str, tuple[str, str]] = {
    "idle": ("#e0e7ff", "#4338ca"),
    "running": ("#fef3c7", "#d97706"),
    "done": ("#dcfce7", "#15803d"),
    "failed": ("#fee2e2", "#dc2626"),
    "input": ("#ccfbf1", "#0f766e"),
    "intermediate": ("#f3f4f6", "#6b7280"),
    "leaf": ("#f3e8ff", "#7e22ce"),
}
EDGE = "#94a3b8"
EDGE_TEXT = "#475569"


def _attr(value: Any) -> str:
    return escape(str(value), quote=True)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _node(node: LayoutNode, state: str | None, label: str) -> str:
    key = (state or "idle") if node.kind == "operation" else node.role
    fill, stroke = COLOURS.get(key, COLOURS["intermediate"])
    x, y, w, h = node.x, node.y, node.width, node.height
    title = f"<title>{escape(node.kind)} {escape(node.name)}</title>"
    if node.kind == "operation":
        shape = (
            f'<rect x="{_num(x - w / 2)}" y="{_num(y - h / 2)}" width="{_num(w)}" height="{_num(h)}" '
            f'rx="6" fill="{fill}" stroke="{stroke}" stroke-width="{3 if state == "running" else 1.5}"/>'
        )
        weight = ' font-weight="600"'
        size = 12
    else:
        shape = (
            f'<ellipse cx="{_num(x)}" cy="{_num(y)}" rx="{_num(w / 2)}" ry="{_num(h / 2)}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{2 if node.role != "intermediate" else 1.2}"/>'
        )
        weight = ""
        size = 11
    text = (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="middle" dominant-baseline="central" '
        f'font-size="{size}"{weight}>{escape(label)}</text>'
    )
    return (
        f'<g class="node {_attr(node.kind)} {_attr(key)}" data-id="{_attr(node.id)}">{title}'
        f"{shape}{text}</g>"
    )


def _anchor(node: LayoutNode, towards_right: bool) -> tuple[float, float]:
    return (node.x + (node.width / 2 if towards_right else -node.width / 2), node.y)


def _edge(edge: LayoutEdge, nodes: Mapping[str, LayoutNode]) -> str:
    source, target = nodes[edge.source], nodes[edge.target]
    forward = target.x >= source.x
    start = _anchor(source, forward)
    end = _anchor(target, not forward)
    points = [start, *edge.points, end]
    # smooth horizontal S-curves between consecutive points
    path = [f"M{_num(start[0])},{_num(start[1])}"]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        mid = (x0 + x1) / 2
        path.append(f"C{_num(mid)},{_num(y0)} {_num(mid)},{_num(y1)} {_num(x1)},{_num(y1)}")
    dash = ' stroke-dasharray="5 4"' if edge.kind == "condition" else ""
    out = [
        f'<path class="edge {_attr(edge.kind)}" d="{" ".join(path)}" fill="none" stroke="{EDGE}" '
        f'stroke-width="1.4"{dash} marker-end="url(#dffml-arrow)"/>'
    ]
    if edge.label:
        # the label sits on the first segment, where the edge leaves its source
        (x0, y0), (x1, y1) = points[0], points[1]
        out.append(
            f'<text class="edge-label" x="{_num((x0 + x1) / 2)}" y="{_num((y0 + y1) / 2 - 4)}" '
            f'text-anchor="middle" font-size="10" fill="{EDGE_TEXT}" stroke="#ffffff" '
            f'stroke-width="3" paint-order="stroke">{escape(edge.label)}</text>'
        )
    return "".join(out)


def layout_svg(
    layout: FlowLayout,
    status: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    *,
    title: str | None = None,
) -> str:
    """SVG text for a computed layout.

    ``status`` maps operation names to ``idle|running|done|failed`` (colours the
    boxes as the live graph does); ``labels`` overrides node labels by node id.
    """
    status = status or {}
    labels = labels or {}
    width, height = layout.width, layout.height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dffml-flow" width="{_num(width)}" '
        f'height="{_num(height)}" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'font-family="{_attr(FONT)}" role="img">'
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    parts.append(
        '<defs><marker id="dffml-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{EDGE}"/>'
        "</marker></defs>"
    )
    parts.extend(_edge(edge, layout.nodes) for edge in layout.edges)
    for node in layout.nodes.values():
        state = status.get(node.name) if node.kind == "operation" else None
        parts.append(_node(node, state, labels.get(node.id, node.label)))
    parts.append("</svg>")
    return "".join(parts)


def flow_svg(flow: Any, status: Mapping[str, str] | None = None) -> str:
    """A standalone SVG of ``flow`` (a ``DataFlow``)."""
    return layout_svg(flow_layout(flow), status, title=repr(flow))
