"""Small HTML snippets shared by the training and prediction widgets.

Everything user-supplied is escaped here, once, so widgets can show column
names and error messages as they are.
"""

from __future__ import annotations

import html
from typing import Any

_COLOURS = {"error": "#b00020", "warning": "#8a5a00", "ok": "#1b5e20", "note": "#555"}


def line(text: str, kind: str = "note") -> str:
    """One line of text in the colour of its kind: ``error``, ``warning``, ``ok`` or ``note``."""
    if not text:
        return ""
    colour = _COLOURS.get(kind, "inherit")
    weight = "bold" if kind == "error" else "normal"
    body = html.escape(text).replace("\n", "<br>")
    return f"<div style='color:{colour};font-weight:{weight}'>{body}</div>"


def number(value: Any) -> str:
    """A short, readable number: ``0.0123``, ``70``, ``1.2e-29``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int) or float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}"


def table(frame: Any, max_rows: int = 50) -> str:
    """A DataFrame as an HTML table, cut to ``max_rows`` rows with a note saying so."""
    shown = frame.head(max_rows)
    body = shown.to_html(border=0, classes="dffml-nb-table", float_format=lambda v: f"{v:.4g}")
    if len(frame) > max_rows:
        body += line(f"showing {max_rows} of {len(frame)} rows")
    return body


def html_text(value: Any) -> str:
    """``value`` as escaped HTML text."""
    return html.escape(str(value))
