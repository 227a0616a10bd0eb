"""FlowEditor: build a dataflow with the mouse (or from code), in JupyterLab, Notebook 7 and Voilà.

    editor = FlowEditor()                 # or FlowEditor(flow) to keep editing one
    editor                                # palette · graph · forms
    editor.add("get_single")              # every click has a method
    editor.connect("parse_line", "add", "numbers")
    editor.undo(); editor.redo()
    editor.run()                          # {context: {definition: value}}
    editor.export("python"); editor.to_cell(); editor.save("flow.json")

The widget is a view over :mod:`.model` (snapshots, edits, undo) and
:mod:`.export` (text forms): each button calls one method here, each method
makes one edit, and every edit re-shows only what changed.
"""

from __future__ import annotations

import html
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from dffml_nb.df import DataFlow, DataFlowError, Definition, Operation, OperationError, op
from dffml_nb.df.operation import RUNNERS, STAGES
from dffml_nb.nb.graph.editor import data as data_
from dffml_nb.nb.graph.editor import export as exporting
from dffml_nb.nb.graph.editor import model
from dffml_nb.nb.graph.editor.canvas import EditorGraph
from dffml_nb.nb.graph.editor.forms import (
    Choice,
    DataPicker,
    OutputsForm,
    PaletteView,
    SeedForm,
    SettingsForm,
)
from dffml_nb.nb.graph.editor.model import EditError, EditorState, History
from dffml_nb.nb.graph.editor.palette import PaletteEntry, discover, entry_for

__all__ = ["CellText", "FlowEditor"]

_COLOURS = {"ok": "#166534", "note": "#374151", "warn": "#92400e", "error": "#b91c1c"}


class CellText(str):
    """The text :meth:`FlowEditor.to_cell` made; ``placed`` says whether it went into the notebook."""

    kind: str
    placed: bool

    def __new__(cls, text: str, kind: str, placed: bool) -> CellText:
        made = super().__new__(cls, text)
        made.kind = kind
        made.placed = placed
        return made

    def __repr__(self) -> str:
        return str(self)


def _user_namespace() -> dict[str, Any] | None:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "user_ns", None) if shell is not None else None


def _flat_inputs(flow: DataFlow, inputs: Any) -> Any:
    """``{definition: value}`` (one context) becomes ``{"0": {...}}``; other forms pass through."""
    if inputs is None:
        return [{}]
    if isinstance(inputs, Mapping) and inputs and set(inputs) <= set(flow.definitions):
        if not any(isinstance(v, (Mapping,)) for v in inputs.values()):
            return {"0": dict(inputs)}
    return inputs


class FlowEditor(widgets.VBox):
    """A dataflow editor: palette, graph, forms; every click has a Python counterpart.

    ``flow``: a flow to start from (else empty). ``operations``: operations (or
    functions, or ``{name: operation}``) listed first in the palette.
    ``namespace``: where the notebook's ``@op`` operations, flows and models
    are looked for (default: the IPython user namespace). ``registered=False``
    leaves registered operations out of the palette.
    """

    def __init__(
        self,
        flow: DataFlow | None = None,
        *,
        operations: Iterable[Any] | Mapping[str, Any] | None = None,
        namespace: Mapping[str, Any] | None = None,
        registered: bool = True,
        height: str = "460px",
    ) -> None:
        self.history = History()
        self._operations = operations
        self._namespace = namespace
        self._registered = registered
        #: the palette's entries (see :meth:`refresh`)
        self.entries: list[PaletteEntry] = []
        #: what the last edit or action did (or why it could not)
        self.message = ""
        self.message_kind = "note"
        #: the last run's results (``{context: results}``) or None
        self.results: Any = None
        #: what Run runs over: None (the values under Inputs) or data (see :meth:`use_data`)
        self.data: Any = None
        self.data_label = ""
        self._data_columns: list[str] = []
        self._armed: str | None = None  # an output port clicked first: its definition node id
        self._pending: str | None = None  # a node marked while a connection awaits a choice
        self.selected_edge: str | None = None

        self._build_panels(height)
        super().__init__(self._layout(), layout=widgets.Layout(width="100%"))
        self.add_class("dffml-flow-editor")
        self.graph.view.on_node_click(self._node_clicked)
        self.graph.view.on_edge_click(self._edge_clicked)
        self._watch_keys()
        self.refresh()
        if flow is not None:
            self.load(flow)
        else:
            self._show("Click an operation in the palette to add it.")

    # -- parts -----------------------------------------------------------------------------------

    def _build_panels(self, height: str) -> None:
        """The canvas, palette, forms and panels (each a widget of its own module)."""
        self.graph = EditorGraph(DataFlow(), height=height)
        self.palette = PaletteView(self._pick, self.refresh)
        self.seeds = SeedForm(self._seed_from_form)
        self.data_picker = DataPicker(self._data_from_form, self._refresh_data)
        self.outputs = OutputsForm(self._outputs_from_form)
        self.settings_form = SettingsForm(
            RUNNERS, STAGES, self._settings_from_form, self._remove_op
        )
        self.choice = Choice()
        self.problems_panel = widgets.HTML()
        self.results_panel = widgets.HTML()
        self.export_box = widgets.Textarea(layout=widgets.Layout(width="100%", height="180px"))
        self.export_box.layout.display = "none"
        self.status = widgets.HTML()
        self.status.add_class("dffml-flow-editor-message")
        self.run_reason = widgets.HTML()
        self.run_reason.add_class("dffml-flow-editor-run-reason")
        self._build_toolbar()
        side = widgets.Tab(
            [
                widgets.VBox([self.data_picker, self.seeds]),
                self.outputs,
                self.settings_form,
                self.problems_panel,
            ],
            layout=widgets.Layout(width="320px", min_width="320px"),
        )
        for index, title in enumerate(("Inputs", "Outputs", "Operation", "Problems")):
            side.set_title(index, title)
        self.side = side

    def _layout(self) -> list[widgets.Widget]:
        """Toolbar, message strip, palette | canvas | side panel, results, export."""
        # Nothing above the canvas may change height: cytoscape.js caches where its
        # canvas is on the page and would take later clicks for clicks elsewhere. So
        # the messages live in a strip of fixed height, and questions beside the canvas.
        strip = widgets.VBox(
            [self.status, self.run_reason],
            layout=widgets.Layout(height="46px", overflow="auto", margin="0 0 4px 0"),
        )
        body = widgets.HBox(
            [
                self.palette,
                widgets.VBox([self.graph], layout=widgets.Layout(flex="1 1 auto", min_width="0")),
                widgets.VBox([self.choice, self.side], layout=widgets.Layout(flex="0 0 320px")),
            ],
            layout=widgets.Layout(width="100%", align_items="flex-start"),
        )
        return [self.toolbar, strip, body, self.results_panel, self.export_box]

    def _watch_keys(self) -> None:
        """Ctrl-Z / Ctrl-Shift-Z (Cmd on macOS) with the pointer over the canvas: undo / redo.

        ipyevents (in the ``notebook`` extra) carries the keys; without it the
        buttons still work. Only the canvas listens, so the text fields keep their
        own undo.
        """
        try:
            from ipyevents import Event
        except ImportError:
            self._keys = None
            return
        self._keys = Event(
            source=self.graph, watched_events=["keydown"], prevent_default_action=True
        )
        self._keys.on_dom_event(self.key_pressed)

    def key_pressed(self, event: Mapping[str, Any]) -> None:
        """Handle a key event from the front end (``{"key", "ctrlKey", "shiftKey", ...}``)."""
        if str(event.get("key", "")).lower() != "z":
            return
        if event.get("ctrlKey") or event.get("metaKey"):
            self._guard(self.redo if event.get("shiftKey") else self.undo)

    # -- toolbar ---------------------------------------------------------------------------------

    def _button(self, label: str, tip: str, action: Callable[[], Any]) -> widgets.Button:
        # no icons: Notebook 7.6 fails to serve the icon font (HTTP 403 in the console)
        button = widgets.Button(description=label, tooltip=tip, layout=widgets.Layout(width="auto"))
        button.on_click(lambda _: self._guard(action))
        return button

    def _build_toolbar(self) -> None:
        self.undo_button = self._button("Undo", "undo the last change", self.undo)
        self.redo_button = self._button("Redo", "redo what was undone", self.redo)
        self.remove_button = self._button(
            "Remove",
            "remove the selected operation, or disconnect the selected edge",
            self.remove_selected,
        )
        self.run_button = self._button(
            "Run", "run the flow with the inputs given", self._run_clicked
        )
        self.run_button.add_class("dffml-flow-run")
        self.format = widgets.Dropdown(
            options=list(exporting.FORMATS), value="python", layout=widgets.Layout(width="90px")
        )
        self.export_button = self._button("Export", "show the flow as text", self._export_clicked)
        self.cell_button = self._button(
            "To cell", "the flow as a notebook cell", self._cell_clicked
        )
        self.path = widgets.Text(placeholder="flow.json", layout=widgets.Layout(width="130px"))
        self.trust = widgets.Checkbox(
            value=False,
            description="trust",
            indent=False,
            layout=widgets.Layout(width="60px"),
            tooltip="let Load import the modules the file names (only for files you trust)",
        )
        self.save_button = self._button(
            "Save",
            "save to the file named (json, yaml, py, mmd)",
            lambda: self.save(self.path.value),
        )
        self.load_button = self._button(
            "Load",
            "load the flow file named",
            lambda: self.load(self.path.value, trust=self.trust.value),
        )
        self.toolbar = widgets.VBox(
            [
                widgets.HBox(
                    [
                        self.undo_button,
                        self.redo_button,
                        self.remove_button,
                        self.run_button,
                        self.format,
                        self.export_button,
                        self.cell_button,
                        self.path,
                        self.save_button,
                        self.load_button,
                        self.trust,
                    ],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
            ]
        )

    def _guard(self, action: Callable[[], Any]) -> None:
        """Run a button's action; a refusal or failure becomes the message, never a traceback."""
        try:
            action()
        except (
            EditError,
            DataFlowError,
            OperationError,
            OSError,
            ValueError,
            TypeError,
            LookupError,
        ) as error:
            self._show(str(error), "error")

    # -- the palette -------------------------------------------------------------------------------

    def refresh(self) -> list[PaletteEntry]:
        """Look again for operations (registered, the notebook's @ops, flows and models)."""
        namespace = self._namespace if self._namespace is not None else _user_namespace()
        self.entries = discover(namespace, self._operations, registered=self._registered)
        self.palette.show(self.entries)
        self._refresh_data()
        return self.entries

    def _pick(self, entry: PaletteEntry) -> None:
        self._guard(
            lambda: self.add(entry.make(), name=entry.name if entry.group != "given" else None)
        )

    def _resolve(self, item: Any) -> Operation:
        if isinstance(item, Operation):
            return item
        if isinstance(item, str):
            entry = entry_for(self.entries, item)
            if entry is not None:
                return entry.make()
            from dffml_nb import plugins

            try:
                loaded = plugins.load("operation", item)
            except plugins.PluginError as error:
                known = ", ".join(e.name for e in self.entries if not e.unavailable)
                raise EditError(
                    f"no operation {item!r} to add ({error}); the palette has: {known}"
                ) from None
            return loaded if isinstance(loaded, Operation) else op(loaded)
        if isinstance(item, DataFlow):
            if not hasattr(item, "as_op"):
                raise EditError(
                    "this dffml_nb has no DataFlow.as_op: use editor.load(flow) to edit the flow"
                )
            return item.as_op()
        if hasattr(item, "as_op") and not callable(getattr(item, "func", None)):
            return item.as_op()  # a model
        if callable(item):
            return op(item)
        raise EditError(
            f"cannot add {type(item).__name__} {item!r}: give an operation, a function or a palette name"
        )

    # -- edits: each one makes a snapshot ----------------------------------------------------------

    @property
    def state(self) -> EditorState:
        return self.history.current

    @property
    def flow(self) -> DataFlow:
        """The current ``DataFlow``."""
        return self.state.flow

    @property
    def problems(self) -> list[str]:
        """``flow.validate()``: every problem that stops the flow from running (empty when sound)."""
        return self.flow.validate()

    @property
    def run_blockers(self) -> list[str]:
        """Why Run is off (problems, then flow inputs without a value); empty when it can run.

        Running over data, the data's columns give the inputs of the same names.
        """
        if self.data is None:
            return list(self.state.blockers)
        return model.run_blockers(self.flow, self._columns())

    def _commit(self, state: EditorState) -> str:
        self.history.push(state)
        self._armed = None
        self._pending = None
        self._refresh(state.note)
        return state.note

    def add(self, op_or_name: Any, *, name: str | None = None) -> str:
        """Add an operation (an ``Operation``, a function, a palette or registered name, a model);
        returns its name in the flow (made unique if taken)."""
        operation = self._resolve(op_or_name)
        state, added = model.add(self.state, operation, name)
        self._commit(state)
        return added

    def connect(
        self,
        source_op: str,
        target_op: str,
        param: str | None = None,
        *,
        output: str | None = None,
        mode: str | None = None,
        force: bool = False,
    ) -> str:
        """``source_op``'s output feeds ``target_op``'s parameter ``param``; returns what changed.

        The output takes the parameter's definition (see :func:`.model.connect`
        for the choices: ``mode="replace" | "add"`` when the parameter already
        has a source, ``force=True`` for different types).
        """
        state = model.connect(
            self.state, source_op, target_op, param, output=output, mode=mode, force=force
        )
        return self._commit(state)

    def disconnect(self, source_op: str, target_op: str, param: str | None = None) -> str:
        """Stop ``source_op`` feeding ``target_op`` (the parameter becomes a flow input)."""
        return self._commit(model.disconnect(self.state, source_op, target_op, param))

    def remove(self, name: str) -> str:
        """Remove operation ``name``; returns what went with it (its links)."""
        self.selected_edge = None
        return self._commit(model.remove(self.state, name))

    def rename(self, old: str, new: str) -> str:
        state = model.rename(self.state, old, new)
        position = self.graph.positions.get(f"op:{old}")
        if position is not None:
            self.graph.positions[f"op:{new.strip()}"] = position
        if self.graph.selected == f"op:{old}":
            self.graph.selected = f"op:{new.strip()}"
        return self._commit(state)

    def settings(self, name: str, **changes: Any) -> str:
        """Change an operation's ``runner``, ``retry``, ``stage``, ``conditions`` or ``expand``."""
        return self._commit(model.settings(self.state, name, **changes))

    def configure(self, name: str, **fields: Any) -> str:
        """Set configuration fields of operation ``name`` (its ``config=`` dataclass) in this
        flow, as DFFML's per-flow ``configs``; None clears a field."""
        return self._commit(model.configure(self.state, name, **fields))

    def seed(self, definition: Definition | str, value: Any) -> str:
        """Give a flow input a value for every run (text converts to its primitive)."""
        return self._commit(model.seed(self.state, definition, value))

    def unseed(self, definition: Definition | str) -> str:
        return self._commit(model.unseed(self.state, definition))

    def set_outputs(self, definitions: Iterable[str], kind: str = "get_single") -> str:
        """Results from ``get_single`` / ``get_multi`` over ``definitions`` (empty: the leaves)."""
        operation = None
        if kind in model.OUTPUT_KINDS and kind not in self.flow:
            operation = self._resolve(kind)
        return self._commit(model.set_outputs(self.state, definitions, kind, operation))

    def undo(self) -> str:
        """Undo the last change; returns what was undone."""
        undone = self.history.current.note
        self.history.undo()
        self._armed = None
        self._refresh(f"undone: {undone}")
        return undone

    def redo(self) -> str:
        redone = self.history.next_note()
        self.history.redo()
        self._armed = None
        self._refresh(f"redone: {redone}")
        return redone

    def load(self, source: DataFlow | str | Path, *, trust: bool = False) -> str:
        """Edit ``source``: a ``DataFlow``, the name of one in the notebook, or a JSON / YAML file.

        A file names code by import path; unless ``trust=True`` it may only use
        registered operations and ones already imported (the core's loading
        rules). A bad file leaves the editor as it was (and the load is one
        undo away once it worked).
        """
        namespace = self._namespace if self._namespace is not None else _user_namespace()
        named = (namespace or {}).get(source.strip()) if isinstance(source, str) else None
        if isinstance(source, DataFlow):
            flow, where = source, "a flow"
        elif isinstance(named, DataFlow):
            flow, where = named, f"flow {str(source).strip()!r}"
        else:
            path = str(source).strip()
            if not path:
                raise EditError(
                    "name a flow to load: a .json / .yaml / .yml file, or a flow in the notebook"
                )
            flow, where = _load_file(Path(path), trust), path
        self.graph.lay_out_next = True  # a loaded flow gets a fresh layered picture
        state = model.load(self.state, flow, f"loaded {where}: {len(flow)} operation(s)")
        return self._commit(state)

    # -- selection and removal ------------------------------------------------------------------------

    def select(self, node: str) -> dict[str, Any]:
        """What clicking a node shows (an operation's name, a definition's ``def:NAME``, a node id)."""
        info = self.graph.select(node)
        self.selected_edge = None
        if info["kind"] == "operation":
            self.settings_form.show(
                self.flow[info["name"]],
                self._bool_definitions(),
                dict(self.state.configs.get(info["name"], {})),
            )
            self.side.selected_index = 2
        return info

    def remove_selected(self) -> str:
        """Remove what is selected: an operation, or disconnect a selected edge / definition."""
        if self.selected_edge is not None:
            return self._remove_edge(self.selected_edge)
        node_id = self.graph.selected
        if node_id is None:
            raise EditError("select an operation or an edge first (click it), then Remove")
        node = self.graph.geometry.nodes[node_id]
        if node.kind == "operation":
            return self.remove(node.name)
        return self._remove_definition(node.name)

    def _remove_edge(self, edge_id: str) -> str:
        edge = next((e for e in self.graph.geometry.edges if e.id == edge_id), None)
        if edge is None:
            self.selected_edge = None
            raise EditError("that edge is no longer in the flow")
        nodes = self.graph.geometry.nodes
        state = self.state
        if edge.kind == "output":
            producer, definition = nodes[edge.source].name, nodes[edge.target].name
            targets = [o.name for o in self.flow.consumers(definition) if o.name != producer]
            if not targets:
                raise EditError(
                    f"{definition!r} is {producer!r}'s output and nothing reads it: remove "
                    f"{producer!r} instead, or leave it (it is a result)"
                )
            for target in targets:
                state = model.disconnect(state, producer, target)
        else:
            definition, target = nodes[edge.source].name, nodes[edge.target].name
            producers = [o.name for o in self.flow.producers(definition)]
            if not producers:
                raise EditError(
                    f"{definition!r} is a flow input of {target!r}: an operation's input cannot be "
                    "removed; give it a value, or connect an output to it"
                )
            operation = self.flow[target]
            params = [p for p, d in operation.inputs.items() if d.name == definition]
            param = edge.label or (params[0] if params else None)
            if edge.kind == "condition":
                param = definition
            for producer in producers:
                state = model.disconnect(state, producer, target, param)
        self.selected_edge = None
        return self._commit(state)

    def _remove_definition(self, name: str) -> str:
        producers = [o.name for o in self.flow.producers(name)]
        consumers = [o.name for o in self.flow.consumers(name)]
        if not producers:
            raise EditError(
                f"{name!r} is a flow input (of {', '.join(consumers)}): remove the operation, "
                "or connect an output to it"
            )
        if not consumers:
            raise EditError(
                f"{name!r} is the output of {', '.join(producers)}: remove the operation instead"
            )
        state = self.state
        for producer in producers:
            for consumer in consumers:
                if consumer != producer:
                    state = model.disconnect(state, producer, consumer)
        return self._commit(state)

    def _remove_op(self, name: str) -> None:
        self._guard(lambda: self.remove(name))

    # -- clicks on the graph ------------------------------------------------------------------------

    def _node_clicked(self, node_id: str) -> None:
        self._guard(lambda: self.click(node_id))

    def click(self, node_id: str) -> str:
        """What a click on a node does: select it; an output clicked then an input connects them.

        Returns the message shown. ``node_id`` is ``op:NAME`` or ``def:NAME``.
        """
        nodes = self.graph.geometry.nodes
        if node_id not in nodes:
            raise EditError(f"no node {node_id!r} in the picture")
        node = nodes[node_id]
        self.choice.hide()
        self._unmark_pending()
        if self._armed is not None:
            port, self._armed = self._armed, None
            if port == node_id:
                self._decorate()
                return self._show("Connection cancelled.")
            return self._connect_ports(port, node_id)
        self.select(node_id)
        if node.kind == "definition" and self.flow.producers(node.name):
            self._armed = node_id
            self._decorate()
            producers = ", ".join(o.name for o in self.flow.producers(node.name))
            return self._show(
                f"Connecting {node.name!r} (output of {producers}): click an input — an operation, "
                f"or a definition it reads. Click {node.name!r} again to cancel."
            )
        self._decorate()
        if node.kind == "definition":
            return self._show(
                f"{node.name!r} is a flow input: give it a value under Inputs, or click an output "
                "(an oval right of an operation) and then this to connect them."
            )
        return self._show(f"Selected {node.name!r}: its settings are under Operation.")

    def _connect_ports(self, port: str, target_id: str) -> str:
        """An output port (a produced definition) clicked, then ``target_id``: connect them."""
        flow = self.flow
        nodes = self.graph.geometry.nodes
        produced = nodes[port].name
        source, output = next(
            (o.name, k)
            for o in flow.producers(produced)
            for k, d in o.outputs.items()
            if d.name == produced
        )
        target = nodes[target_id]
        if target.kind == "operation":
            return self._try_connect(source, target.name, {"output": output}, target_id)
        # a definition an operation reads: its (first) reader is the target
        read = target.name
        readers = [(o.name, p) for o in flow for p, d in o.inputs.items() if d.name == read]
        readers += [(o.name, read) for o in flow for d in o.conditions if d.name == read]
        readers = [r for r in readers if r[0] != source]
        if not readers:
            self._decorate()
            raise EditError(
                f"{read!r} is an output, not an input: click an operation, or a definition an "
                "operation reads (an oval left of it)"
            )
        name, param = readers[0]
        return self._try_connect(source, name, {"output": output, "param": param}, f"op:{name}")

    def _try_connect(self, source: str, target: str, options: dict[str, Any], mark: str) -> str:
        """Connect, or ask (types differ, the parameter has a source, several parameters fit)."""

        def again(**more: Any) -> Callable[[], None]:
            return lambda: self._guard(
                lambda: self._try_connect(source, target, {**options, **more}, mark)
            )

        try:
            return self.connect(source, target, **options)
        except model.IncompatibleConnection as error:
            self._mark_pending(mark)
            self.choice.ask(
                error.question, {"Connect anyway": again(force=True), "Cancel": self._cancel}
            )
            return self._show("The types differ: connect anyway, or cancel (below).", "warn")
        except model.OccupiedParameter as error:
            self._mark_pending(mark)
            self.choice.ask(
                error.question,
                {
                    "Replace": again(mode="replace"),
                    "Add (run for each)": again(mode="add"),
                    "Cancel": self._cancel,
                },
            )
            return self._show(
                "That input already has a source: replace it, or add (below).", "warn"
            )
        except model.AmbiguousConnection as error:
            self._mark_pending(mark)
            what = error.what

            def chosen() -> None:
                again(**{what: self.choice.options.value})()

            word = "input" if what == "param" else "output"
            self.choice.ask(
                f"{target if what == 'param' else source} has several {word}s: pick one.",
                {"Connect": chosen, "Cancel": self._cancel},
                options=error.choices,
            )
            return self._show(f"Which {word}? Pick it below.", "warn")

    def _cancel(self) -> None:
        self._unmark_pending()
        self._show("Connection cancelled.")

    def _mark_pending(self, node_id: str) -> None:
        self._pending = node_id
        self._decorate()

    def _unmark_pending(self) -> None:
        if self._pending is not None:
            self._pending = None
            self._decorate()

    def _edge_clicked(self, edge_id: str) -> None:
        self._guard(lambda: self.click_edge(edge_id))

    def click_edge(self, edge_id: str) -> str:
        """What a click on an edge does: select it (Remove then disconnects it)."""
        edge = next((e for e in self.graph.geometry.edges if e.id == edge_id), None)
        if edge is None:
            raise EditError(f"no edge {edge_id!r} in the picture")
        self._armed = None
        self.selected_edge = edge_id
        previous, self.graph.selected = self.graph.selected, None
        if previous is not None and previous in self.graph.geometry.nodes:
            self.graph._restyle(previous)
        self._decorate()
        nodes = self.graph.geometry.nodes
        return self._show(
            f"Selected the edge {nodes[edge.source].name} → {nodes[edge.target].name}: "
            "Remove disconnects it."
        )

    # -- forms --------------------------------------------------------------------------------------

    def _seed_from_form(self, definition: Definition, text: str) -> str | None:
        """A seed field changed: returns the problem to mark on it, or None."""
        try:
            if text == "":
                self.unseed(definition.name)
            else:
                self.seed(definition.name, text)
        except EditError as error:
            self._show(str(error), "error")
            self._refresh_run()
            return str(error)
        return None

    def _outputs_from_form(self, kind: str | None, names: list[str]) -> None:
        self._guard(lambda: self.set_outputs(names if kind else [], kind or "get_single"))

    def _settings_from_form(self, name: str, new_name: str, changes: dict[str, Any]) -> None:
        def apply() -> None:
            current = self.flow[name]
            texts = changes.pop("config", {})
            have = self.state.configs.get(name, {})
            config = {
                field: _config_value(text)
                for field, text in texts.items()
                if _config_value(text) != have.get(field)
            }
            if config:
                self.configure(name, **config)
            wanted = {
                k: v
                for k, v in changes.items()
                if (
                    v != [d.name for d in current.conditions]
                    if k == "conditions"
                    else v != getattr(current, k)
                )
            }
            if wanted:
                self.settings(name, **wanted)
            if new_name.strip() != name:
                self.rename(name, new_name)

        self._guard(apply)

    def _bool_definitions(self) -> list[str]:
        return sorted(n for n, d in self.flow.definitions.items() if d.primitive == "bool")

    # -- showing the state ----------------------------------------------------------------------------

    def _show(self, text: str, kind: str = "note") -> str:
        self.message, self.message_kind = text, kind
        colour = _COLOURS.get(kind, _COLOURS["note"])
        self.status.value = (
            f'<div class="dffml-msg-{kind}" style="font-size:12px;color:{colour};margin:0;line-height:1.4">'
            f"{html.escape(text)}</div>"
        )
        return text

    def _decorations(self) -> dict[str, str]:
        marks: dict[str, set[str]] = {}
        for problem in self.state.problems:
            for node_id in problem.nodes:
                marks.setdefault(node_id, set()).add("problem")
        missing = (
            self.state.missing
            if self.data is None
            else model.missing_inputs(self.flow, self._columns())
        )
        for name in missing:
            marks.setdefault(f"def:{name}", set()).add("missing")
        if self._armed is not None:
            marks.setdefault(self._armed, set()).add("armed")
        if self._pending is not None:
            marks.setdefault(self._pending, set()).add("problem")
        if self.selected_edge is not None:
            marks.setdefault(self.selected_edge, set()).add("picked")
        return {k: " ".join(sorted(v)) for k, v in marks.items()}

    def _decorate(self) -> None:
        self.graph.decorate(self._decorations())

    def _refresh(self, note: str) -> None:
        """Show the current snapshot everywhere (only what changed is sent)."""
        flow = self.flow
        if self.selected_edge is not None and all(
            e.id != self.selected_edge for e in self.graph.geometry.edges
        ):
            self.selected_edge = None
        self.graph.show(flow, self._decorations())
        if self.selected_edge is not None and all(
            e.id != self.selected_edge for e in self.graph.geometry.edges
        ):
            self.selected_edge = None
        self._refresh_forms(flow)
        self._refresh_problems(flow)
        self._refresh_run()
        self.undo_button.disabled = not self.history.can_undo
        self.redo_button.disabled = not self.history.can_redo
        self.undo_button.tooltip = (
            f"undo: {self.state.note}" if self.history.can_undo else "nothing to undo"
        )
        self.redo_button.tooltip = (
            f"redo: {self.history.next_note()}" if self.history.can_redo else "nothing to redo"
        )
        self._show(note, "ok" if note else "note")

    def _refresh_forms(self, flow: DataFlow) -> None:
        kind, chosen = model.outputs_of(self.state)
        specs = {o.inputs["spec"].name for o in flow if o.stage == "output" and "spec" in o.inputs}
        inputs = [d for n, d in flow.flow_inputs.items() if n not in specs]
        values = {}
        for item in flow.seed:
            name = item.definition if isinstance(item.definition, str) else item.definition.name
            values[name] = item.value
        columns = set(self._columns())
        provided = {d.name: "from a column of the data" for d in inputs if d.name in columns}
        self.seeds.show(inputs, values, provided)
        self.outputs.show(flow, kind, chosen, specs)
        selected = self.graph.selected
        node = self.graph.geometry.nodes.get(selected) if selected else None
        if node is not None and node.kind == "operation":
            self.settings_form.show(
                flow[node.name],
                self._bool_definitions(),
                dict(self.state.configs.get(node.name, {})),
            )
        else:
            self.settings_form.show(None, [])

    def _refresh_problems(self, flow: DataFlow) -> None:
        found = self.state.problems
        missing = (
            self.state.missing
            if self.data is None
            else model.missing_inputs(self.flow, self._columns())
        )
        rows = [
            f'<li class="dffml-problem" style="color:#b91c1c">{html.escape(p.text)}</li>'
            for p in found
        ]
        rows += [
            f'<li class="dffml-missing" style="color:#92400e">input {html.escape(repr(n))} '
            f"({html.escape(flow.definitions[n].primitive)}) has no value: fill it under Inputs</li>"
            for n in missing
        ]
        self.problems_panel.value = (
            f'<ul style="font-size:12px;padding-left:18px">{"".join(rows)}</ul>'
            if rows
            else '<div style="font-size:12px;color:#166534">No problems: the flow is sound.</div>'
        )
        self.side.set_title(3, f"Problems ({len(found)})" if found else "Problems")

    def _refresh_run(self) -> None:
        blockers = self.run_blockers
        self.run_button.disabled = bool(blockers)
        self.run_button.tooltip = "Run is off: " + blockers[0] if blockers else "run the flow"
        self.run_reason.value = (
            f'<div style="font-size:12px;color:#92400e">Run is off: {html.escape(blockers[0])}'
            + (f" (and {len(blockers) - 1} more, see Problems)" if len(blockers) > 1 else "")
            + "</div>"
            if blockers
            else ""
        )

    # -- run -------------------------------------------------------------------------------------------

    def run(self, inputs: Any = None, **options: Any) -> dict[str, Any]:
        """Run the flow with its seeds (and ``inputs``, as ``run_sync`` takes them; a flat
        ``{definition: value}`` is one context); the graph shows it live; returns the results.

        An unsound flow or a missing input raises :class:`~dffml_nb.df.DataFlowError` listing
        why; a failing operation raises its ``OperationError`` once the graph shows it.
        Nothing built is changed by a run.
        """
        flow = self.flow
        given = _flat_inputs(flow, inputs)
        provided = set()
        if isinstance(given, dict):
            for values in given.values():
                if isinstance(values, Mapping):
                    provided |= set(values)
        blockers = model.run_blockers(flow, provided)
        if blockers:
            raise DataFlowError(f"the flow cannot run; {len(blockers)} reason(s):", blockers)
        self.results = None
        try:
            results = self.graph.run(given, **options)
        except OperationError as error:
            self.results_panel.value = _failure_html(error)
            raise
        self.results = results
        self.results_panel.value = _results_html(results)
        return results

    def _run_clicked(self) -> None:
        if self.data is not None:
            frame = self.run_records()
            failed = len(frame.attrs.get("errors") or [])
            self._show(
                f"Ran over {len(frame)} records"
                + (f"; {failed} failed (see below)" if failed else "")
                + ".",
                "warn" if failed else "ok",
            )
            return
        try:
            results = self.run()
        except OperationError as error:
            self._show(
                f"The run failed: {error}. Click the red node for its inputs and error.", "error"
            )
            return
        count = sum(len(r) for r in results.values())
        self._show(f"Ran: {count} result(s).", "ok")

    # -- records mode ----------------------------------------------------------------------------------

    def use_data(self, data: Any) -> str:
        """Run over ``data`` from now on (a DataFrame, a data file's name; None: the Inputs values).

        Columns named like flow inputs give them their values, one run per record.
        """
        namespace = self._namespace if self._namespace is not None else _user_namespace()
        try:
            resolved, label = data_.resolve(data, namespace)
        except LookupError as error:
            raise EditError(str(error)) from None
        try:
            columns = data_.columns_of(resolved)
        except (OSError, ValueError) as error:
            raise EditError(f"cannot read the columns of {label}: {error}") from None
        self.data, self.data_label, self._data_columns = resolved, label, columns
        self._refresh_data()
        self._refresh_forms(self.flow)
        self._refresh_problems(self.flow)
        self._refresh_run()
        self._decorate()
        return self._show(
            f"Run runs over {label}." if label else "Run uses the values under Inputs."
        )

    def _data_from_form(self, token: Any) -> None:
        if token == "current":  # the data given from code, already in use
            return
        self._guard(lambda: self.use_data(token))

    def _refresh_data(self) -> None:
        namespace = self._namespace if self._namespace is not None else _user_namespace()
        options = data_.choices(namespace)
        current = None
        if self.data is not None:
            current = next(
                (
                    token
                    for _, token in options
                    if data_.resolve(token, namespace)[0] is self.data
                    or (not data_.is_frame(self.data) and token == f"file:{self.data}")
                ),
                None,
            )
            if current is None:
                options.append((self.data_label, "current"))
                current = "current"
        self.data_picker.show(options, current)

    def _columns(self) -> list[str]:
        """The columns of the data Run runs over (read once, when it is chosen)."""
        return self._data_columns if self.data is not None else []

    def run_records(self, data: Any = None, **options: Any) -> Any:
        """Run the flow over every record of ``data`` (default: :meth:`use_data`'s) with
        ``dffml_nb.run_records``; the graph shows it live; returns a DataFrame: the data's
        columns plus one per result. A record whose run fails keeps its columns and is
        listed in ``frame.attrs["errors"]`` (``strict=False``; pass ``strict=True`` to raise)."""
        try:
            from dffml_nb import run_records
        except ImportError:
            raise EditError(
                "running over records needs dffml_nb.run_records, which this version lacks"
            ) from None
        if data is not None:
            self.use_data(data)
        if self.data is None:
            raise EditError("choose data to run over first (use_data, or 'run over' under Inputs)")
        blockers = self.run_blockers
        if blockers:
            raise DataFlowError(f"the flow cannot run; {len(blockers)} reason(s):", blockers)
        options.setdefault("strict", False)
        graph = self.graph
        graph.reset()
        try:
            frame = run_records(
                self.flow, self.data, as_frame=True, on_event=graph.on_event, **options
            )
        finally:
            graph.settle()
        self.results = frame
        self.results_panel.value = _frame_html(frame)
        return frame

    # -- out to text and files ---------------------------------------------------------------------

    def export(self, fmt: str = "json", *, name: str = "flow") -> str:
        """The flow as ``json``, ``yaml``, ``mermaid`` or ``python`` (a module that rebuilds it)."""
        return exporting.export_text(self.flow, fmt, name=name)

    def save(self, path: str | Path) -> str:
        """Write the flow to ``path`` atomically: ``.json`` / ``.yaml`` / ``.yml`` (a flow file),
        ``.py`` (Python), ``.mmd`` / ``.md`` (Mermaid). An existing file is replaced whole or not at all."""
        text_path = str(path).strip()
        if not text_path:
            raise EditError("name a file to save to, e.g. flow.json")
        target = Path(text_path)
        formats = {
            ".json": "json",
            ".yaml": "yaml",
            ".yml": "yaml",
            ".py": "python",
            ".mmd": "mermaid",
            ".md": "mermaid",
        }
        fmt = formats.get(target.suffix.lower())
        if fmt is None:
            raise EditError(
                f"{target}: unknown suffix {target.suffix!r}; use one of {', '.join(formats)}"
            )
        name = target.stem if target.stem.isidentifier() else "flow"
        exporting.save_text(target, self.export(fmt, name=name))
        return self._show(f"saved {fmt} to {target}", "ok")

    def to_cell(self, name: str = "flow") -> CellText:
        """The flow as a notebook cell, placed as the next cell of the notebook.

        A ``%%dffml flow NAME`` cell when it makes exactly this flow (notebook
        functions wired by their own names, no seed), else Python that builds it.
        Placed with IPython's ``set_next_input`` when called from a cell; elsewhere
        (no IPython, a button click, Voilà) the text is returned and the message says so.
        """
        kind, text = exporting.cell_text(self.flow, name)
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
        placed = shell is not None and hasattr(shell, "set_next_input")
        if shell is not None and placed:
            shell.set_next_input(text, replace=False)
            self._show(
                f"the flow is in the next cell ({'%%dffml flow' if kind == 'magic' else 'Python'})",
                "ok",
            )
        else:
            self._show("no notebook to put a cell in: the cell's text is returned", "warn")
        return CellText(text, kind, placed)

    def _export_clicked(self) -> None:
        self.export_box.value = self.export(self.format.value)
        self.export_box.layout.display = ""
        self._show(f"{self.format.value} of the flow below", "ok")

    def _cell_clicked(self) -> None:
        # a button click is not a cell's execution: IPython would put the cell after
        # whatever runs next, so the text is shown to copy instead
        kind, text = exporting.cell_text(self.flow)
        self.export_box.value = text
        self.export_box.layout.display = ""
        self._show(
            "The cell is below: copy it into a cell, or run `editor.to_cell()` in a cell to "
            "insert it as the next one.",
            "ok",
        )

    def __repr__(self) -> str:
        return f"FlowEditor({self.flow!r}; {len(self.history)} step(s))"


def _load_file(path: Path, trust: bool) -> DataFlow:
    """A flow file, by the core's trust rules (nothing imported unless ``trust``)."""
    return DataFlow.load(path, trust=trust)


def _config_value(text: str) -> Any:
    """A configuration field's text as a value: JSON or a Python literal, else the text
    itself; an empty field is None (cleared)."""
    import ast
    import json

    text = text.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _results_html(results: dict[str, Any]) -> str:
    rows = []
    for context, values in results.items():
        for key, value in values.items():
            text = repr(value)
            text = text if len(text) <= 200 else text[:199] + "…"
            rows.append(
                f"<tr><td>{html.escape(str(context))}</td><td><b>{html.escape(str(key))}</b></td>"
                f"<td><code>{html.escape(text)}</code></td></tr>"
            )
        for error in getattr(values, "errors", []) or []:
            rows.append(
                f'<tr><td>{html.escape(str(context))}</td><td style="color:#b91c1c">error</td>'
                f"<td><code>{html.escape(str(error))}</code></td></tr>"
            )
    body = "".join(rows) or "<tr><td colspan='3'><i>no results</i></td></tr>"
    return (
        "<table class='dffml-results dffml-flow-editor-results' style='font-size:12px'>"
        "<caption style='text-align:left'><b>Results</b></caption>"
        f"<tr><th>context</th><th>definition</th><th>value</th></tr>{body}</table>"
    )


def _frame_html(frame: Any) -> str:
    from dffml_nb.nb.ui.reprs import table

    errors = frame.attrs.get("errors") or []
    listed = "".join(f"<li>{html.escape(str(error))}</li>" for error in errors[:20])
    failures = (
        f'<div style="color:#b91c1c;font-size:12px">{len(errors)} record(s) failed:'
        f"<ul>{listed}</ul></div>"
        if errors
        else ""
    )
    return (
        "<div class='dffml-flow-editor-results' style='font-size:12px'><b>Results</b>"
        f"{table(frame)}{failures}</div>"
    )


def _failure_html(error: OperationError) -> str:
    return (
        "<div class='dffml-flow-editor-results' style='font-size:12px;color:#b91c1c'>"
        f"<b>The run failed</b>: {html.escape(str(error))}</div>"
    )
