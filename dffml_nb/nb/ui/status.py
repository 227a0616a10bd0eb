"""One status line for the widgets: a message readable from code, shown in an HTML widget.

``ModelTrainer`` and ``Predictor`` say what happened the same way: a line of
text in the colour of its kind (``ok``, ``note``, ``warning``, ``error``) under
their buttons; ``status.message`` and ``status.error`` are what tests read.
"""

from __future__ import annotations

from collections.abc import Iterable

import ipywidgets as widgets

from dffml_nb.nb.ui import reprs

__all__ = ["Reports", "StatusLine"]


class StatusLine:
    """``message`` (text), ``error`` (the last exception or None) and ``html`` (the widget)."""

    def __init__(self) -> None:
        self.html = widgets.HTML()
        self.message = ""
        self.error: BaseException | None = None

    def show(self, text: str, kind: str = "note", notes: Iterable[str] = ()) -> None:
        """Say ``text`` (and ``notes`` as warnings under it); clears the error."""
        notes = list(notes)
        self.error = None
        self.message = "; ".join([text, *notes]) if text else "; ".join(notes)
        self.html.value = reprs.line(text, kind) + "".join(reprs.line(n, "warning") for n in notes)

    def fail(self, text: str, error: BaseException | None = None) -> None:
        """Say what went wrong, in red; ``error`` is kept for code (and ``%debug``) to look at."""
        self.error = error
        self.message = text
        self.html.value = reprs.line(text, "error")

    def clear(self) -> None:
        self.show("")


class Reports:
    """For a widget with a :class:`StatusLine` as ``self.status``: its ``message``,
    ``error`` and ``message_html``, read by code and tests."""

    status: StatusLine

    @property
    def message(self) -> str:
        """The status line's text: what the last action did, or what went wrong."""
        return self.status.message

    @property
    def error(self) -> BaseException | None:
        """The exception behind the last failure (None after a success)."""
        return self.status.error

    @property
    def message_html(self) -> widgets.HTML:
        """The status line's widget."""
        return self.status.html
