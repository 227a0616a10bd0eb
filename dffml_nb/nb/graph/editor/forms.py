"""The flow editor's forms: palette, flow-input values, results picker, operation settings, choices.

Each form is a small ipywidgets box that shows part of the editor's state and
calls back into :class:`~dffml_nb.nb.graph.editor.widget.FlowEditor` — it
holds no state of its own, so undo / redo just re-show it. Forms are kept and
patched between edits (a row per flow input is made once), so an edit sends
few widget messages.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import ipywidgets as widgets

from dffml_nb.df import DataFlow, Definition, Operation
from dffml_nb.nb.graph.editor.palette import GROUPS, PaletteEntry, search

__all__ = ["Choice", "DataPicker", "OutputsForm", "PaletteView", "SeedForm", "SettingsForm"]

_GROUP_TITLES = {
    "given": "Operations",
    "notebook": "Notebook operations",
    "flows": "Notebook flows",
    "models": "Models",
    "library": "Operations library",
    "output": "Output operations",
    "plugins": "Plugins",
}


def _html(text: str, colour: str = "#374151", size: int = 12) -> str:
    return f'<div style="font-size:{size}px;color:{colour}">{html.escape(text)}</div>'


class PaletteView(widgets.VBox):
    """A search box and one button per entry, grouped; a click adds, the panel shows the doc.

    Buttons carry the entry's signature as tooltip; ``info`` shows the
    signature and docstring of the last entry clicked (or of the only match
    of a search).
    """

    def __init__(
        self, on_pick: Callable[[PaletteEntry], Any], on_refresh: Callable[[], Any]
    ) -> None:
        self._on_pick = on_pick
        self.search = widgets.Text(
            placeholder="search operations",
            continuous_update=True,
            layout=widgets.Layout(width="100%"),
        )
        self.refresh = widgets.Button(
            description="Refresh",
            tooltip="look again for operations, flows and models defined in the notebook",
            layout=widgets.Layout(width="100%"),
        )
        self.refresh.on_click(lambda _: on_refresh())
        self.groups = widgets.VBox(layout=widgets.Layout(overflow="auto", max_height="420px"))
        self.info = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.entries: list[PaletteEntry] = []
        self.buttons: dict[str, widgets.Button] = {}
        self._sections: dict[str, widgets.VBox] = {}
        super().__init__(
            [widgets.HTML("<b>Palette</b>"), self.search, self.groups, self.refresh, self.info],
            layout=widgets.Layout(width="200px", min_width="200px", padding="0 8px 0 0"),
        )
        self.add_class("dffml-flow-palette")
        self.search.observe(lambda _: self.filter(self.search.value), names="value")

    def show(self, entries: Sequence[PaletteEntry]) -> None:
        """List these entries (rebuilds the buttons: only on refresh, not per edit)."""
        self.entries = list(entries)
        old = list(self.buttons.values())
        self.buttons = {}
        sections = []
        for group in GROUPS:
            members = [e for e in self.entries if e.group == group]
            if not members:
                continue
            buttons = []
            for entry in members:
                key = f"{group}:{entry.name}"
                button = widgets.Button(
                    description=entry.name,
                    tooltip=entry.unavailable or f"{entry.signature}\n{entry.summary}".strip(),
                    disabled=bool(entry.unavailable),
                    layout=widgets.Layout(width="auto", max_width="100%", margin="1px 2px"),
                )
                button.add_class("dffml-palette-entry")
                button.on_click(lambda _, e=entry: self.pick(e))
                self.buttons[key] = button
                buttons.append(button)
            title = widgets.HTML(
                f'<div style="font-size:11px;color:#6b7280;margin-top:4px">'
                f"{html.escape(_GROUP_TITLES.get(group, group))}</div>"
            )
            # no shrinking: in a list taller than its box, the list scrolls instead of
            # squeezing each group to one clipped row
            box = widgets.VBox(
                [
                    title,
                    widgets.Box(
                        buttons, layout=widgets.Layout(flex_flow="row wrap", flex="0 0 auto")
                    ),
                ],
                layout=widgets.Layout(flex="0 0 auto"),
            )
            self._sections[group] = box
            sections.append(box)
        self.groups.children = sections
        for button in old:
            button.close()
        self.filter(self.search.value)

    def filter(self, text: str) -> list[PaletteEntry]:
        """Show only the entries matching ``text`` (every word, in name, signature or doc)."""
        shown = search(self.entries, text)
        keys = {f"{e.group}:{e.name}" for e in shown}
        for key, button in self.buttons.items():
            button.layout.display = "" if key in keys else "none"
        for group, box in self._sections.items():
            box.layout.display = "" if any(e.group == group for e in shown) else "none"
        if len(shown) == 1 and text.strip():
            self.describe(shown[0])
        return shown

    def describe(self, entry: PaletteEntry) -> None:
        doc = html.escape(entry.doc or "(no docstring)").replace("\n", "<br>")
        note = (
            f'<div style="color:#b45309">{html.escape(entry.unavailable)}</div>'
            if entry.unavailable
            else ""
        )
        self.info.value = (
            f'<div style="font-size:11px;border-top:1px solid #e5e7eb;margin-top:6px;padding-top:4px">'
            f"<code>{html.escape(entry.signature)}</code>{note}"
            f'<div style="color:#4b5563;margin-top:3px">{doc}</div></div>'
        )

    def pick(self, entry: PaletteEntry) -> None:
        """What a click on an entry does: describe it and add it."""
        self.describe(entry)
        self._on_pick(entry)


class SeedField(widgets.HBox):
    """One flow input: a typed field; a value that does not convert is marked on the field."""

    def __init__(
        self, definition: Definition, on_value: Callable[[Definition, str], str | None]
    ) -> None:
        self.definition = definition
        self._on_value = on_value
        self._quiet = False
        label = widgets.HTML(
            f'<span style="font-size:12px"><b>{html.escape(definition.name)}</b>'
            f' <span style="color:#6b7280">{html.escape(definition.primitive)}</span></span>',
            layout=widgets.Layout(width="110px"),
        )
        if definition.primitive == "bool":
            self.field: widgets.Widget = widgets.Dropdown(
                options=["", "true", "false"], value="", layout=widgets.Layout(width="120px")
            )
        else:
            self.field = widgets.Text(
                placeholder=_placeholder(definition.primitive),
                continuous_update=False,
                layout=widgets.Layout(width="120px"),
            )
        self.field.add_class("dffml-seed-field")
        self.status = widgets.HTML(layout=widgets.Layout(width="auto"))
        super().__init__([label, self.field, self.status])
        self.add_class("dffml-seed-row")
        self.field.observe(self._changed, names="value")

    def _changed(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        problem = self._on_value(self.definition, change["new"])
        self.mark(problem)

    def mark(self, problem: str | None) -> None:
        """Show ``problem`` on the field (None: the value is good)."""
        if problem:
            self.field.add_class("dffml-bad")
            if hasattr(self.field.style, "background"):
                self.field.style.background = "#fee2e2"
            self.status.value = (
                f'<span class="dffml-seed-error" style="color:#b91c1c;font-size:11px">'
                f"✗ {html.escape(problem)}</span>"
            )
        else:
            self.field.remove_class("dffml-bad")
            if hasattr(self.field.style, "background"):
                self.field.style.background = None
            self.status.value = ""

    def show(self, value: Any, *, provided: str = "") -> None:
        """Show the state's value without calling back; ``provided``: where the value comes from."""
        text = "" if value is None else _as_text(value)
        self._quiet = True
        try:
            if self.field.value != text and (
                not isinstance(self.field, widgets.Dropdown) or text in self.field.options
            ):
                self.field.value = text
        finally:
            self._quiet = False
        self.field.disabled = bool(provided)
        if provided:
            self.status.value = _html(provided, "#6b7280", 11)
        elif "dffml-bad" not in self.field._dom_classes:
            self.status.value = ""


def _placeholder(primitive: str) -> str:
    return {
        "int": "a whole number",
        "float": "a number",
        "str": "text",
        "list": "JSON list, e.g. [1, 2]",
        "dict": 'JSON object, e.g. {"a": 1}',
    }.get(primitive, "a value")


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        import json

        try:
            return json.dumps(value)
        except (TypeError, ValueError):
            return repr(value)
    return str(value)


class SeedForm(widgets.VBox):
    """A field per flow input; rows are kept by definition and made only for new inputs."""

    def __init__(self, on_value: Callable[[Definition, str], str | None]) -> None:
        self._on_value = on_value
        self.rows: dict[tuple[str, str], SeedField] = {}
        self.note = widgets.HTML()
        super().__init__([self.note])
        self.add_class("dffml-seed-form")

    def show(
        self,
        inputs: Iterable[Definition],
        values: dict[str, Any],
        provided: dict[str, str] | None = None,
    ) -> None:
        provided = provided or {}
        shown = []
        for definition in inputs:
            key = (definition.name, definition.primitive)
            row = self.rows.get(key)
            if row is None:
                row = self.rows[key] = SeedField(definition, self._on_value)
            row.show(values.get(definition.name), provided=provided.get(definition.name, ""))
            shown.append(row)
        self.note.value = (
            ""
            if shown
            else _html("No flow inputs: every input is produced by an operation.", "#6b7280")
        )
        children: tuple[Any, ...] = (self.note, *shown)
        if tuple(self.children) != children:  # type: ignore[has-type]
            self.children = children

    def field(self, name: str) -> SeedField:
        for (definition, _), row in self.rows.items():
            if definition == name and row in self.children:
                return row
        raise KeyError(f"no field for flow input {name!r}")


class OutputsForm(widgets.VBox):
    """Which output operation makes the results, over which definitions."""

    def __init__(self, on_apply: Callable[[str | None, list[str]], Any]) -> None:
        self.kind = widgets.Dropdown(
            options=[
                ("the flow's leaves", ""),
                ("get_single (last value)", "get_single"),
                ("get_multi (every value)", "get_multi"),
            ],
            value="",
            description="results",
            layout=widgets.Layout(width="100%"),
        )
        self.definitions = widgets.SelectMultiple(
            options=[], rows=6, layout=widgets.Layout(width="100%")
        )
        self.apply = widgets.Button(description="Apply")
        self.summary = widgets.HTML()
        self.apply.on_click(
            lambda _: on_apply(self.kind.value or None, list(self.definitions.value))
        )
        super().__init__([self.kind, self.definitions, self.apply, self.summary])
        self.add_class("dffml-outputs-form")

    def show(
        self, flow: DataFlow, kind: str | None, chosen: list[str], spec_names: set[str]
    ) -> None:
        # definitions some processing (or cleanup) operation produces
        produced = {d.name for o in flow if o.stage != "output" for d in o.outputs.values()}
        names = sorted(produced - spec_names)
        if list(self.definitions.options) != names:
            self.definitions.options = names
        self.definitions.value = tuple(n for n in chosen if n in names)
        self.kind.value = kind or ""
        if kind:
            self.summary.value = _html(f"results: {kind} of {', '.join(chosen) or '(nothing)'}")
        else:
            leaves = ", ".join(flow.leaves) or "(none yet)"
            self.summary.value = _html(f"results: the leaves — {leaves}")


class SettingsForm(widgets.VBox):
    """The selected operation's name and settings (runner, retry, stage, conditions)."""

    def __init__(
        self,
        runners: Sequence[str],
        stages: Sequence[str],
        on_apply: Callable[[str, str, dict[str, Any]], Any],
        on_remove: Callable[[str], Any],
    ) -> None:
        self._on_apply = on_apply
        self.operation: str | None = None
        self.title = widgets.HTML()
        self.name = widgets.Text(description="name", layout=widgets.Layout(width="100%"))
        self.runner = widgets.Dropdown(options=list(runners), description="runner")
        self.retry = widgets.BoundedIntText(min=0, max=1000, description="retry")
        self.stage = widgets.Dropdown(options=list(stages), description="stage")
        self.conditions = widgets.SelectMultiple(options=[], rows=4, description="conditions")
        #: one text field per configuration field (operations declaring config=)
        self.config_fields: dict[str, widgets.Text] = {}
        self.config_box = widgets.VBox()
        self.apply = widgets.Button(description="Apply")
        self.remove = widgets.Button(description="Remove operation")
        self.apply.on_click(lambda _: self._apply())
        self.remove.on_click(lambda _: self.operation and on_remove(self.operation))
        self.fields = widgets.VBox(
            [
                self.name,
                self.runner,
                self.retry,
                self.stage,
                self.conditions,
                self.config_box,
                widgets.HBox([self.apply, self.remove]),
            ]
        )
        super().__init__([self.title, self.fields])
        self.add_class("dffml-settings-form")
        self.show(None, [])

    def show(
        self,
        operation: Operation | None,
        bools: list[str],
        config: dict[str, Any] | None = None,
    ) -> None:
        """Show ``operation``'s settings; ``config``: its configuration values in the flow."""
        self.operation = operation.name if operation is not None else None
        if operation is None:
            self.title.value = _html(
                "Click an operation to see and change its settings.", "#6b7280"
            )
            self.fields.layout.display = "none"
            return
        self.fields.layout.display = ""
        self.title.value = (
            f'<div style="font-size:12px"><code>{html.escape(operation.signature)}</code></div>'
        )
        self.name.value = operation.name
        self.runner.value = (
            operation.runner if operation.runner in self.runner.options else self.runner.options[0]
        )
        self.retry.value = operation.retry
        self.stage.value = operation.stage
        current = [d.name for d in operation.conditions]
        options = sorted(set(bools) | set(current))
        if list(self.conditions.options) != options:
            self.conditions.options = options
        self.conditions.value = tuple(current)
        self._show_config(operation, config or {})

    def _show_config(self, operation: Operation, values: dict[str, Any]) -> None:
        import dataclasses

        config = getattr(operation, "config", None)
        old = list(self.config_fields.values())
        self.config_fields = {}
        rows: list[widgets.Widget] = []
        if config is not None:
            rows.append(_html(f"configuration ({config.__name__})", "#374151"))
            for item in dataclasses.fields(config):
                if not item.init:
                    continue
                has_default = item.default is not dataclasses.MISSING
                hint = f"default {item.default!r}" if has_default else "required"
                text = widgets.Text(
                    value=_as_text(values[item.name]) if item.name in values else "",
                    description=item.name,
                    placeholder=hint,
                    layout=widgets.Layout(width="100%"),
                )
                text.add_class("dffml-config-field")
                self.config_fields[item.name] = text
                rows.append(text)
        self.config_box.children = [
            r if isinstance(r, widgets.Widget) else widgets.HTML(r) for r in rows
        ]
        for widget in old:
            widget.close()

    def _apply(self) -> None:
        if self.operation is None:
            return
        self._on_apply(
            self.operation,
            self.name.value,
            {
                "runner": self.runner.value,
                "retry": int(self.retry.value),
                "stage": self.stage.value,
                "conditions": list(self.conditions.value),
                "config": {name: text.value for name, text in self.config_fields.items()},
            },
        )


class Choice(widgets.VBox):
    """A question with buttons (and an optional list): how to make a connection that needs a say."""

    def __init__(self) -> None:
        self.question = widgets.HTML()
        self.options = widgets.Dropdown(options=[], layout=widgets.Layout(width="auto"))
        self.buttons = widgets.HBox()
        self._handlers: dict[str, Callable[[], Any]] = {}
        super().__init__([self.question, self.options, self.buttons])
        self.add_class("dffml-flow-choice")
        self.layout.border = "1px solid #f59e0b"
        self.layout.padding = "4px 8px"
        self.layout.width = "320px"
        self.layout.margin = "0 0 6px 0"
        self.hide()

    def ask(
        self,
        question: str,
        answers: dict[str, Callable[[], Any]],
        options: Sequence[str] = (),
    ) -> None:
        """Show ``question``; each answer is a button calling its function (then the box hides)."""
        self.question.value = (
            f'<div style="font-size:12px;color:#92400e">{html.escape(question)}</div>'
        )
        self.options.options = list(options)
        self.options.layout.display = "" if options else "none"
        old = list(self.buttons.children)
        buttons = []
        for label, handler in answers.items():
            button = widgets.Button(description=label, layout=widgets.Layout(width="auto"))
            button.add_class("dffml-choice-button")
            button.on_click(lambda _, h=handler: self._answer(h))
            buttons.append(button)
        self.buttons.children = buttons
        for button in old:
            button.close()
        self.layout.display = ""

    def _answer(self, handler: Callable[[], Any]) -> None:
        self.hide()
        handler()

    def hide(self) -> None:
        self.layout.display = "none"

    @property
    def is_open(self) -> bool:
        return self.layout.display != "none"


class DataPicker(widgets.HBox):
    """What Run runs over: the values under Inputs (one run), or every record of some data.

    The choices are the DataFrames in the notebook and the data files in its
    folder; ``↻`` looks again. (The first choice's value is ``""``, not None:
    a Dropdown shows nothing for None.)
    """

    NONE = ("values below: one run", "")

    def __init__(self, on_pick: Callable[[Any], Any], on_refresh: Callable[[], Any]) -> None:
        self._on_pick = on_pick
        self._quiet = False
        self.choice = widgets.Dropdown(
            options=[self.NONE],
            value="",
            description="run over",
            style={"description_width": "56px"},
            layout=widgets.Layout(width="215px"),
        )
        self.choice.add_class("dffml-data-picker")
        self.again = widgets.Button(
            description="↻", tooltip="look again for data", layout=widgets.Layout(width="36px")
        )
        self.again.on_click(lambda _: on_refresh())
        super().__init__([self.choice, self.again])
        self.choice.observe(self._changed, names="value")

    def _changed(self, change: dict[str, Any]) -> None:
        if not self._quiet:
            self._on_pick(change["new"] or None)

    def show(self, options: list[tuple[str, Any]], value: Any) -> None:
        """List ``(label, value)`` choices (after "the values below"), showing ``value``."""
        self._quiet = True
        try:
            choices = [self.NONE, *options]
            self.choice.options = choices
            self.choice.value = value if value is not None else ""
        finally:
            self._quiet = False
