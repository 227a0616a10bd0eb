"""A small progress bar widget for long work: a bar, a count and a line of text.

``Progress`` is an ipywidgets ``HBox`` (an ``IntProgress`` and an ``HTML``
label). It is driven the same way from a step-by-step job, a loop or the
dataflow executor's event stream::

    progress = Progress(total=5)
    progress.step("loading data")            # one step done, say what comes next
    progress(3, text="fitting")              # a callback: done, total, text
    for item in progress.track(items): ...   # a loop
    run_sync(flow, inputs, on_event=progress.on_event)  # contexts of a run
    progress.finish("done")                  # or progress.fail("what went wrong")

Its state is readable from code: ``progress.value``, ``progress.total``,
``progress.text`` and ``progress.state`` (``"idle"``, ``"running"``,
``"done"``, ``"failed"``).

Why not ``tqdm.notebook``: this bar is a *part* composed inside other widgets
(the graph's box, the trainer's button row) and fed from the executor's event
batches, which are already throttled. ``tqdm.notebook.tqdm`` displays its own
output on creation, keeps its widget as an implementation detail
(``.container``), has no failed state of its own to read back, and would add
a dependency to do what these ~100 lines do; so dffml_nb does not depend on
tqdm (the unused requirement was dropped).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

import ipywidgets as widgets

from dffml_nb.df.events import summary_subscriber

T = TypeVar("T")

# ipywidgets' bar_style for each state: blue while running, green done, red failed
_STYLES = {"idle": "", "running": "info", "done": "success", "failed": "danger"}


class Progress(widgets.HBox):
    """A progress bar with a label; every method is also usable as a callback."""

    def __init__(self, total: int = 1, text: str = "", description: str = "") -> None:
        self.bar = widgets.IntProgress(
            value=0,
            min=0,
            max=max(int(total), 1),
            description=description,
            layout=widgets.Layout(width="260px"),
        )
        self.label = widgets.HTML()
        super().__init__([self.bar, self.label])
        self.text = text
        self.state = "idle"
        self._render()

    # -- reading -------------------------------------------------------------

    @property
    def value(self) -> int:
        """Units of work done so far."""
        return self.bar.value

    @property
    def total(self) -> int:
        """Units of work in all."""
        return self.bar.max

    # -- driving -------------------------------------------------------------

    def start(self, total: int | None = None, text: str = "") -> Progress:
        """Reset to zero (optionally with a new total) and mark as running."""
        if total is not None:
            self.bar.max = max(int(total), 1)
        self.bar.value = 0
        self.text, self.state = text, "running"
        self._render()
        return self

    def __call__(self, done: int, total: int | None = None, text: str | None = None) -> None:
        """Set the amount done (a callback signature: ``done, total, text``)."""
        if total is not None:
            self.bar.max = max(int(total), 1)
        self.bar.value = min(max(int(done), 0), self.bar.max)
        if text is not None:
            self.text = text
        if self.state == "idle":
            self.state = "running"
        self._render()

    def step(self, text: str | None = None, n: int = 1) -> None:
        """Advance by ``n`` units; ``text`` says what is happening now."""
        self(self.bar.value + n, text=text)

    update = step  # tqdm's name for the same thing, for code written against tqdm

    def finish(self, text: str = "done") -> None:
        """Fill the bar and mark it done."""
        self.bar.value = self.bar.max
        self.text, self.state = text, "done"
        self._render()

    def fail(self, text: str) -> None:
        """Mark it failed where it stands (the bar stays at the step that failed)."""
        self.text, self.state = text, "failed"
        self._render()

    def track(self, items: Iterable[T], total: int | None = None, text: str = "") -> Iterator[T]:
        """Yield ``items``, advancing one unit per item (``total`` defaults to ``len(items)``)."""
        if total is None and hasattr(items, "__len__"):
            total = len(items)  # type: ignore[arg-type]
        self.start(total, text)
        for item in items:
            yield item
            self.step()
        self.finish(self.text or "done")

    def on_event(self, event: Any) -> None:
        """An ``on_event`` callback for a dataflow run: one unit per finished context.

        Set the total first (``progress.start(len(contexts))``); the label shows
        the operation that last started, and a failed operation marks the bar
        failed.
        """
        kind = getattr(event, "kind", None)
        if kind == "context_finished":
            self.step(f"context {event.context} finished")
        elif kind == "operation_started":
            self(self.bar.value, text=f"running {event.operation}")
        elif kind == "operation_failed":
            self.fail(f"{event.operation} failed in context {event.context}: {event.error}")

    @summary_subscriber  # reads only tally() and the last failure
    def on_events(self, batch: Any) -> None:
        """An ``on_events`` callback (event batches, the cheap form): the same as :meth:`on_event`."""
        failed = batch.last("operation_failed")
        finished = batch.tally().get(("context_finished", None), 0)
        if finished:
            self(self.bar.value + finished, text=f"{self.bar.value + finished} contexts finished")
        if failed is not None:
            self.fail(f"{failed.operation} failed in context {failed.context}: {failed.error}")

    # -- display -------------------------------------------------------------

    def _render(self) -> None:
        self.bar.bar_style = _STYLES[self.state]
        colour = "#b00020" if self.state == "failed" else "inherit"
        count = f"{self.bar.value}/{self.bar.max}"
        text = f" — {html.escape(self.text)}" if self.text else ""
        self.label.value = f"<span style='color:{colour}'>{count}{text}</span>"

    def __repr__(self) -> str:
        text = f", {self.text!r}" if self.text else ""
        return f"Progress({self.value}/{self.total}, {self.state}{text})"
