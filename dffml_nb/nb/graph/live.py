"""DataFlowGraph: a live picture of a dataflow, itself an ipywidgets widget.

It subscribes to the executor's event stream (``on_events``, as a summary
subscriber: see ``RunState``) and never looks at executor internals. Events land
in plain Python objects (cheap: a 10,000-context run produces 80,000 of them);
the widget is updated at most every ``interval`` seconds and on ``flush()``, so
attaching a graph barely slows a run (``benchmarks/bench_graph.py``).

    graph = DataFlowGraph(flow)
    graph                                   # in a notebook: the live graph
    graph.run({"a": 1, "b": 2})             # animates it, returns the results
    run_sync(flow, inputs, on_event=graph.on_event)   # or subscribe yourself
    graph.status                            # {"add": "done", ...}
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import threading
import time
from collections.abc import Iterator
from typing import Any

import ipywidgets

from dffml_nb.df import DataFlow, Event, EventBatch, run_sync
from dffml_nb.df.events import summary_subscriber
from dffml_nb.nb.graph.layout import FlowLayout, def_id, flow_layout
from dffml_nb.nb.graph.state import STATES, RunState, context_total
from dffml_nb.nb.graph.svg import COLOURS, layout_svg
from dffml_nb.nb.ui.progress import Progress

__all__ = ["DataFlowGraph", "STATES"]

_perf = time.perf_counter


class DataFlowGraph(ipywidgets.VBox):
    """The live graph of ``flow``: operations and definitions as nodes, state per operation.

    Composed of the graph view, a status line, a details panel (click a node, or
    call :meth:`select`) and a legend. Readable from Python: :attr:`status`,
    :attr:`counts`, :meth:`details`. ``interval`` is the minimum time in seconds
    between two pushes of run state to the widget.
    """

    def __init__(
        self, flow: DataFlow, *, height: str | None = None, interval: float = 0.1, **kwargs: Any
    ) -> None:
        # imported here: ipycytoscape pulls in pandas, so wait until a graph is built
        from dffml_nb.nb.graph.view import CytoscapeView

        self.flow = flow
        self.interval = interval
        #: number of times run state was pushed to the widget (bounded by the throttle)
        self.widget_updates = 0
        self.height = height  # None: sized to the flow (see _box_height)
        self.view = CytoscapeView(height=height or _box_height(flow_layout(flow)))
        self.status_line = ipywidgets.HTML(layout=ipywidgets.Layout(margin="2px 0"))
        self.details_panel = ipywidgets.HTML(
            value=_hint(),
            layout=ipywidgets.Layout(flex="1 1 auto", min_width="0", margin="0 12px 0 0"),
        )
        self.legend = ipywidgets.HTML(value=_legend(), layout=ipywidgets.Layout(flex="0 0 auto"))
        #: shown during a run of many contexts (see :meth:`run`); updated with the throttled pushes
        self.progress = Progress()
        self.progress.layout.display = "none"
        self._total = 0
        super().__init__(
            children=[
                self.view.widget,
                self.status_line,
                self.progress,
                ipywidgets.HBox([self.details_panel, self.legend]),
            ],
            **kwargs,
        )
        self.add_class("dffml-dataflow-graph")
        self.selected: str | None = None
        self._lock = (
            threading.RLock()
        )  # async runs report from a worker thread; re-entered by _push -> details
        self._loop: asyncio.AbstractEventLoop | None = _running_loop()
        self._loop_thread = threading.get_ident()
        self._timer_pending = False
        self._fit_pending = False
        self._build(flow)
        self.view.on_node_click(self.select)
        self.view.on_new_view(self._fit_when_shown)

    # -- structure --------------------------------------------------------------

    def _build(self, flow: DataFlow) -> None:
        self.flow = flow
        self.geometry: FlowLayout = flow_layout(flow)
        self._node_of: dict[str, str] = {}  # operation name -> node id
        for node in self.geometry.nodes.values():
            if node.kind == "operation":
                self._node_of.setdefault(node.name, node.id)
        self._clear_state()
        self.view.set_elements(*_elements(self.geometry))
        if self.height is None:
            # a new height also makes every view resize and refit
            self.view.set_height(_box_height(self.geometry))
        #: (classes, label) last pushed to the view, per operation name
        self._shown = {
            name: (self.view.node(node_id)["classes"], name)
            for name, node_id in self._node_of.items()
        }
        self._show_status()

    def update_flow(self, flow: DataFlow) -> None:
        """Show ``flow`` instead, on this same widget (every view of it updates)."""
        with self._lock:
            self._build(flow)
        keep = self.selected
        self.selected = None
        if keep is not None and self._find(keep) is not None:
            self.select(keep)
        else:
            self.details_panel.value = _hint()
        self.fit()

    def fit(self) -> None:
        """Fit the whole graph into its box (in every view that exists)."""
        self.view.fit()

    # -- run state ----------------------------------------------------------------

    def _clear_state(self) -> None:
        #: the run's bookkeeping (pure Python, no widget): what the nodes show comes from here
        self.state = RunState(self.flow)
        self._stale = False  # run state changed since the last push
        self._lit = False  # a live push showed operations running that are not in flight
        self._pushed_at = 0.0

    def on_event(self, event: Event) -> None:
        """A per-event subscriber (``on_event=graph.on_event``); :meth:`on_events` is cheaper."""
        self.on_events(EventBatch.of([event]))

    @summary_subscriber  # only RunState.absorb reads the batch
    def on_events(self, batch: EventBatch) -> None:
        """The subscriber: pass as ``on_events=graph.on_events`` to ``run`` / ``run_sync``.

        The executor hands over events in batches (at most every ``interval``,
        or every few hundred events); :class:`RunState` tallies them, and the
        widget is pushed to only if ``interval`` has passed since the last
        push (else a trailing push is scheduled on the kernel's event loop).
        """
        due = _perf() - self._pushed_at >= self.interval
        with self._lock:
            # the newest events (a node's details) are read from the batches that are
            # pushed, and from the run's last one (RunState.expected); every batch
            # when the run's size is unknown (a run started elsewhere)
            self.state.absorb(batch, newest=due or not self.state.expected)
            self._stale = True
        if due:
            self._push(live=True)
        elif not self._timer_pending:
            self._schedule_flush()

    def _schedule_flush(self) -> None:
        # Set even when no loop can take the timer: don't retry on every event.
        # flush() clears it.
        self._timer_pending = True
        loop = self._loop
        try:
            if loop is None or loop.is_closed():
                loop = self._loop = asyncio.get_running_loop()
                self._loop_thread = threading.get_ident()
            if threading.get_ident() == self._loop_thread:
                loop.call_later(self.interval, self._trailing_flush)
            else:  # the run reports from a worker thread: the timer belongs to the kernel's loop
                loop.call_soon_threadsafe(loop.call_later, self.interval, self._trailing_flush)
        except RuntimeError:  # no running loop (a plain script): flush() at the end does it
            pass

    def _trailing_flush(self) -> None:
        if self._stale:  # events since the last push: the run may still be going
            self._push(live=True)
        elif self._lit:  # nothing since a live push: the run went quiet, show the exact state
            self._push(live=False)

    def flush(self) -> None:
        """Push the run state to the widget now (exactly :attr:`status`)."""
        self._push(live=False)

    def _push(self, live: bool) -> None:
        """Send what changed to the view.

        ``live`` (the throttled pushes during a run): an operation that started
        since the previous push is shown running even if it has finished since
        — an inline operation takes microseconds, and a picture that only showed
        what is in flight at the instant of a push would rarely show any. A
        later push with no events in between shows the exact state again.

        Looks at every operation rather than tracking which changed: a flow has
        few, and a run reporting from a worker thread cannot race a shared set.
        """
        with self._lock:
            self._pushed_at = _perf()
            self._timer_pending = False
            stale, self._stale = self._stale, False
            states, lit = self._shown_states(live)
            changed = self._show_nodes(states)
            self._lit = lit
            if stale and self._total:
                done = self.state.contexts_finished
                self.progress(done, text=f"{done:,} of {self._total:,} contexts")
            if stale or changed:
                self._show_status(states)
                if self.selected is not None:
                    self.details_panel.value = _details_html(self.details(self.selected))
                self.widget_updates += 1
        if lit:
            self._schedule_flush()  # so the lit nodes settle once the run goes quiet

    def _shown_states(self, live: bool) -> tuple[dict[str, str], bool]:
        """``({operation: state to show}, whether any is lit)``; clears the "started" marks."""
        states: dict[str, str] = {}
        lit = False
        for name, op_state in self.state.ops.items():
            shown = op_state.state
            if live and op_state.active and shown in ("idle", "done"):
                shown, lit = "running", True
            op_state.active = False
            states[name] = shown
        return states, lit

    def _show_nodes(self, states: dict[str, str]) -> bool:
        """Restyle the operation nodes whose look changed; True if any did."""
        changed = False
        for name, shown_state in states.items():
            node_id = self._node_of[name]
            pick = " picked" if self.selected == node_id else ""
            shown = (f"operation op-{shown_state}{pick}", _label(name, self.state.ops[name].runs))
            if shown != self._shown.get(name):
                self.view.update_node(node_id, classes=shown[0], label=shown[1])
                self._shown[name] = shown
                changed = True
        return changed

    def reset(self) -> None:
        """Back to idle: counts, last inputs / outputs and errors are forgotten."""
        with self._lock:
            self.state.reset()
            self._stale = True
        self.flush()

    def settle(self) -> None:
        """Mark the run as over: nothing is running any more (cancelled tasks never report)."""
        with self._lock:
            self.state.settle()
            self._stale = True
        self.flush()

    def run(self, inputs: Any = None, **options: Any) -> dict[str, Any]:
        """``reset()``, then ``run_sync(flow, inputs, on_event=..., **options)``; returns its results.

        An ``on_event`` (every event) or ``on_events`` (batches) in ``options`` is
        subscribed too. Errors are raised after the failed node is shown.
        """
        options.setdefault("interval", self.interval)
        with self.watching(context_total(inputs), options.pop("on_events", None)) as subscriber:
            return run_sync(self.flow, inputs, on_events=subscriber, **options)

    @contextlib.contextmanager
    def watching(self, total: int, extra: Any = None, unit: str = "contexts") -> Iterator[Any]:
        """Show one run of this flow (any way of running it): ``reset()``, then a progress
        bar over ``total`` contexts (when more than one) while the block runs; yields the
        ``on_events`` subscriber to give the run (``extra``, if given, hears it too).
        Errors are raised after the failed node is shown; ``unit`` names the contexts
        in the bar's last line (``"records"``)."""
        subscriber = self.on_events
        if extra is not None:

            def subscriber(batch: EventBatch, _mine: Any = self.on_events) -> None:
                _mine(batch)
                extra(batch)

        self.reset()
        self.state.run_started = _perf()  # the clock includes reading the inputs
        self._total = self.state.expected = total
        many = self._total > 1  # long work shows a progress bar; one context needs none
        if many:
            self.progress.start(self._total, "starting")
        self.progress.layout.display = "" if many else "none"
        try:
            yield subscriber
        except BaseException as error:
            if many:
                self.progress.fail(f"stopped: {type(error).__name__}")
            raise
        finally:
            self.state.expected = 0  # a later run_sync(on_events=graph.on_events): size unknown
            self.settle()
        if many:
            # counted from the events as they came, not by walking every context's results
            failed, done = self.state.contexts_failed, self.state.contexts_finished
            self.progress.finish(
                f"{done:,} {unit}" + (f", {failed:,} with errors" if failed else "")
            )

    # -- reading it from Python ---------------------------------------------------

    @property
    def status(self) -> dict[str, str]:
        """``{operation name: "idle" | "running" | "done" | "failed"}`` — what the nodes show.

        ``running``: in flight now. (During a run the nodes also light up, as
        running, operations that started since the previous push; the final
        push shows exactly this.) ``failed`` wins over the others: an operation
        that failed in any context of the run is shown failed.
        """
        return self.state.status()

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        """``{operation name: {"started": n, "finished": n, "failed": n}}``."""
        return self.state.counts()

    def _find(self, name: str) -> str | None:
        """Node id for an operation name, a definition name or a node id (operations win)."""
        if name in self.geometry.nodes:
            return name
        if name in self._node_of:
            return self._node_of[name]
        if def_id(name) in self.geometry.nodes:
            return def_id(name)
        return None

    def _resolve(self, name: str) -> str:
        """:meth:`_find`, or a KeyError listing the graph's nodes."""
        node_id = self._find(name)
        if node_id is None:
            ops = ", ".join(self._node_of) or "(none)"
            defs = ", ".join(n.name for n in self.geometry.definitions()) or "(none)"
            raise KeyError(
                f"no node {name!r} in this graph; operations: {ops}; definitions: {defs}"
            )
        return node_id

    def details(self, name: str) -> dict[str, Any]:
        """What clicking the node shows, as a dict.

        ``name`` is an operation name, a definition name (an operation of the same
        name wins: use ``"def:NAME"``) or a node id (``"op:NAME"`` / ``"def:NAME"``).
        """
        node = self.geometry.nodes[self._resolve(name)]
        with self._lock:
            if node.kind == "operation":
                return self.state.op_details(node.name)
            return self.state.def_details(node.name, node.role)

    def select(self, name: str) -> dict[str, Any]:
        """Show a node's details in the panel and highlight it — exactly what a click does."""
        node_id = self._resolve(name)
        previous, self.selected = self.selected, node_id
        for item in (previous, node_id):
            if item is not None and item in self.geometry.nodes:
                self._restyle(item)
        info = self.details(node_id)
        self.details_panel.value = _details_html(info)
        return info

    def _restyle(self, node_id: str) -> None:
        node = self.geometry.nodes[node_id]
        pick = " picked" if self.selected == node_id else ""
        if node.kind == "operation":
            op_state = self.state.ops[node.name]
            shown = (f"operation op-{op_state.state}{pick}", _label(node.name, op_state.runs))
            self._shown[node.name] = shown
            self.view.update_node(node_id, classes=shown[0], label=shown[1])
        else:
            self.view.update_node(node_id, classes=f"definition def-{node.role}{pick}")

    def _show_status(self, states: dict[str, str] | None = None) -> None:
        self.status_line.value = _status_html(self, self.status if states is None else states)

    # -- display --------------------------------------------------------------------

    def svg(self) -> str:
        """A static SVG of the graph in its current state."""
        labels = {self._node_of[n]: _label(n, s.runs) for n, s in self.state.ops.items()}
        return layout_svg(self.geometry, self.status, labels, title=repr(self.flow))

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        # The widget for live front ends, plus static pictures for the places that
        # cannot run widgets (GitHub, nbviewer, a notebook saved without widget state).
        from dffml_nb.nb.graph.display import static_mimebundle

        bundle = static_mimebundle(self.flow, svg=self.svg())
        bundle.update(super()._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = repr(self)
        self._fit_when_shown()
        return bundle

    def _fit_when_shown(self) -> None:
        # The first render is not fitted to its box. Called when the graph is
        # displayed and again when a front end reports a new view: refit a moment
        # later, once the view has its size (and once more for slow front ends).
        if self._fit_pending:
            return
        loop = _running_loop()
        if loop is None:
            return
        self._fit_pending = True

        def fit(last: bool) -> None:
            if last:
                self._fit_pending = False
            self.fit()

        loop.call_later(0.4, fit, False)
        loop.call_later(1.5, fit, True)

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for state in self.status.values():
            counts[state] = counts.get(state, 0) + 1
        shown = ", ".join(f"{n} {s}" for s, n in counts.items())
        return f"DataFlowGraph({self.flow!r}; {shown or 'empty'})"


# -- small HTML pieces ----------------------------------------------------------------


def _elements(geometry: FlowLayout) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The view's nodes and edges (plain dicts, see CytoscapeView) for a layout, every node idle."""
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
            "classes": "operation op-idle"
            if node.kind == "operation"
            else f"definition def-{node.role}",
        }
        for node in geometry.nodes.values()
    ]
    edges = [
        {"id": e.id, "source": e.source, "target": e.target, "label": e.label, "classes": e.kind}
        for e in geometry.edges
    ]
    return nodes, edges


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _box_height(geometry: FlowLayout, width: float = 900.0) -> str:
    """A view height that fits the flow's aspect in a typical notebook width."""
    zoom = min(1.6, (width - 48) / max(geometry.width, 1.0))  # 1.6: the view's max zoom
    return f"{int(min(600.0, max(180.0, geometry.height * zoom + 64)))}px"


def _label(name: str, runs: int) -> str:
    return f"{name} ×{runs}" if runs else name


def _swatch(key: str, shape: str) -> str:
    fill, stroke = COLOURS[key]
    radius = "50%" if shape == "ellipse" else "3px"
    return (
        f'<span style="display:inline-block;width:14px;height:10px;background:{fill};'
        f'border:1.5px solid {stroke};border-radius:{radius};vertical-align:middle;margin:0 3px 0 8px"></span>'
    )


def _legend() -> str:
    ops = "".join(f"{_swatch(s, 'box')}{s}" for s in STATES)
    defs = "".join(
        f"{_swatch(k, 'ellipse')}{t}"
        for k, t in (("input", "flow input"), ("intermediate", "data"), ("leaf", "result"))
    )
    return (
        '<div style="font-size:11px;line-height:1.9;color:#374151">'
        f"<div><b>operations</b> (boxes):{ops}</div>"
        f"<div><b>definitions</b> (ovals):{defs}</div>"
        "<div>edge label = parameter name · dashed edge = condition · <b>×n</b> = times run</div>"
        "</div>"
    )


def _hint() -> str:
    return '<div style="font-size:12px;color:#6b7280">Click a node to see its details.</div>'


def _status_html(graph: DataFlowGraph, status: dict[str, str]) -> str:
    running = sum(1 for s in status.values() if s == "running")
    failed = sum(1 for s in status.values() if s == "failed")
    done = sum(1 for s in status.values() if s == "done")
    state = graph.state
    started, finished = state.contexts_started, state.contexts_finished
    if state.idle:
        text = f"{len(status)} operations, {len(graph.flow.definitions)} definitions · idle"
    else:
        parts = [f"contexts: {finished:,} finished of {started:,} started"]
        if state.contexts_failed:
            parts.append(f"{state.contexts_failed:,} with errors")
        parts.append(f"operations: {done} done, {running} running, {failed} failed")
        elapsed = state.elapsed()
        if elapsed is not None:
            parts.append(f"{elapsed:.2f} s")
        text = " · ".join(parts)
    colour = "#b91c1c" if failed else "#374151"
    return f'<div style="font-size:12px;color:{colour}">{html.escape(text)}</div>'


def _details_html(info: dict[str, Any]) -> str:
    rows: list[tuple[str, str]] = []

    def add(key: str, value: Any) -> None:
        if value is None or value == [] or value == {}:
            return
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        elif isinstance(value, float):
            value = f"{value * 1000:.3f} ms"
        rows.append((key, str(value)))

    if info["kind"] == "operation":
        title = f"operation <b>{html.escape(info['name'])}</b> · {html.escape(info['status'])}"
        add("signature", info["signature"])
        if info["stage"] != "processing":
            add("stage", info["stage"])
        add("runs", info["counts"])
        add("last context", info["last_context"])
        add("last inputs", info["last_inputs"])
        add("last outputs", info["last_outputs"])
        add("last duration", info["last_duration"])
        add("last worker", info["last_worker"])
        add("error", info["error"])
    else:
        title = f"definition <b>{html.escape(info['name'])}</b> · {html.escape(info['role'])}"
        add("primitive", info["primitive"])
        add("produced by", info["produced_by"])
        add("consumed by", info["consumed_by"])
        add("last value", info["last_value"])
    body = "".join(
        f'<tr><td style="color:#6b7280;padding:1px 8px 1px 0;vertical-align:top;white-space:nowrap">{html.escape(k)}</td>'
        f'<td style="font-family:monospace;padding:1px 0;{"color:#b91c1c;" if k == "error" else ""}">{html.escape(v)}</td></tr>'
        for k, v in rows
    )
    return f'<div style="font-size:12px"><div>{title}</div><table style="border-collapse:collapse">{body}</table></div>'
