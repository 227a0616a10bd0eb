"""``Leaderboard``: Orange's Test & Score in the notebook — models × scorers, and their mistakes.

A sortable table of cross-validated scores (:func:`dffml_nb.evaluate`'s
leaderboard). Selecting a model shows its cross-validated confusion matrix —
a grid of buttons, one per (true, predicted) cell, so that clicking a cell
works in any browser — and its ROC curves (classifiers), or predicted-vs-actual
and residual plots (regressors). Clicking a cell lists those records below:
linked selection, as in Orange. Models are added from a dropdown of the
registered ones, removed, and re-evaluated with a progress bar.

Everything is drivable from code, which is how the tests drive it::

    board = Leaderboard(["scikitlor", "scikitrfc", "scikitgnb"], df, predict="target")
    board.results                 # the leaderboard DataFrame, as shown
    board.sort("fit_time")        # or click a column header
    board.select("scikitrfc")     # or click the model's name
    board.click_cell(1, 0)        # true 1, predicted 0: board.records is those rows
    board.add("scikitknn"); board.remove("scikitgnb"); board.evaluate()

The numbers come from :mod:`dffml_nb.nb.ml.leaderboard_data` (no widget needed).
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from dffml_nb.nb.ml import leaderboard_data as data_
from dffml_nb.nb.ui.progress import Progress

#: records listed under the confusion matrix at most (the rest are counted)
MAX_RECORDS = 200
#: above this many classes the matrix is not drawn as buttons
MAX_CLASSES = 30


def _shade(count: int, most: int) -> str:
    """A blue as dark as the count is large (white for 0), as a CSS colour."""
    strength = 0.0 if most <= 0 else count / most
    low, high = (248, 250, 252), (37, 99, 235)
    red, green, blue = (round(a + (b - a) * strength) for a, b in zip(low, high))
    return f"rgb({red}, {green}, {blue})"


class ConfusionGrid(widgets.GridBox):
    """A confusion matrix as a grid of buttons; ``on_click(true, predicted)`` per cell.

    ``grid.cells[(true, predicted)]`` is the button of that cell (its
    description the count); each has the CSS classes ``dffml-nb-cm-cell`` and
    ``dffml-nb-cm-<row>-<column>``.
    """

    def __init__(self, labels: list[Any], counts: Any, on_click: Any) -> None:
        self.labels = list(labels)
        self.cells: dict[tuple[Any, Any], widgets.Button] = {}
        most = int(counts.max()) if counts.size else 0
        children: list[widgets.Widget] = [widgets.HTML("<i>true ↓ predicted →</i>")]
        children += [widgets.HTML(f"<b>{html.escape(str(label))}</b>") for label in labels]
        for row, true in enumerate(labels):
            children.append(widgets.HTML(f"<b>{html.escape(str(true))}</b>"))
            for column, predicted in enumerate(labels):
                count = int(counts[row, column])
                button = widgets.Button(
                    description=str(count),
                    tooltip=f"true {true}, predicted {predicted}: {count} records (click to list)",
                    layout=widgets.Layout(width="auto", height="40px"),
                )
                button.style.button_color = _shade(count, most)
                button.style.text_color = "white" if most and count > most / 2 else "black"
                button.add_class("dffml-nb-cm-cell")
                button.add_class(f"dffml-nb-cm-{row}-{column}")
                button.on_click(lambda _, t=true, p=predicted: on_click(t, p))
                self.cells[(true, predicted)] = button
                children.append(button)
        columns = f"max-content repeat({len(labels)}, minmax(64px, 110px))"
        super().__init__(
            children, layout=widgets.Layout(grid_template_columns=columns, grid_gap="3px")
        )
        self.add_class("dffml-nb-confusion")

    def mark(self, true: Any, predicted: Any) -> None:
        """Outline the chosen cell (and only it)."""
        for key, button in self.cells.items():
            button.style.font_weight = "bold" if key == (true, predicted) else "normal"
            if key == (true, predicted):
                button.add_class("dffml-nb-cm-selected")
            else:
                button.remove_class("dffml-nb-cm-selected")


def registered_models(kind: str) -> list[str]:
    """Names of the registered models of ``kind`` (one entry-point scan, no scikit-learn import)."""
    from importlib.metadata import entry_points

    names = []
    for entry in entry_points(group="dffml_nb.model"):
        try:
            found = entry.load()
        except Exception:  # a broken plugin does not empty the dropdown
            continue
        if getattr(found, "kind", None) == kind:
            names.append(entry.name)
    return sorted(set(names))


class Leaderboard(widgets.VBox):
    """Cross-validated scores of several models, with each model's mistakes one click away.

    ``Leaderboard(models, *data, scorers=None, cv=5, n_jobs=None, features=None,
    predict=None, progress=None)`` — the arguments of :func:`dffml_nb.evaluate`
    (``progress`` is for the first evaluation, made before the widget shows; later
    ones use the widget's own bar, ``board.progress``).
    """

    def __init__(
        self,
        models: Any,
        *data: Any,
        scorers: Any = None,
        cv: Any = 5,
        n_jobs: int | None = None,
        features: Any = None,
        predict: Any = None,
        progress: Any = None,
    ) -> None:
        from dffml_nb.evaluation.candidates import prepare
        from dffml_nb.evaluation.evaluate import splitter
        from dffml_nb.evaluation.metrics import resolve_scorers

        self.prepared = prepare(models, data, features=features, predict=predict)
        self.metrics = resolve_scorers(scorers, self.prepared.kind, self.prepared.labels)
        self.folds = splitter(cv, self.prepared)
        self.n_jobs = n_jobs
        self._outcomes: dict[str, data_.Outcome] = {}
        self.selected: str | None = None
        self.outcome: data_.Outcome | None = None
        self.cell: tuple[Any, Any] | None = None
        self.records: Any = None
        self.confusion: ConfusionGrid | None = None
        self._sort = (self.metrics[0].name, not self.metrics[0].greater_is_better)
        self._build()
        self.results = self._evaluate(self.prepared.entries, progress)
        self._render_table()
        best = self.results.index[self.results["error"].isna()]
        if len(best):
            self.select(best[0])

    # -- layout ----------------------------------------------------------------

    def _build(self) -> None:
        self.model_picker = widgets.Dropdown(
            options=registered_models(self.prepared.kind),
            description="model",
            layout=widgets.Layout(width="260px"),
        )
        self.add_button = widgets.Button(description="Add", icon="plus")
        self.remove_button = widgets.Button(description="Remove selected", icon="minus")
        self.evaluate_button = widgets.Button(description="Re-evaluate", icon="refresh")
        self.add_button.on_click(lambda _: self._guarded(lambda: self.add(self.model_picker.value)))
        self.remove_button.on_click(
            lambda _: self._guarded(lambda: self.remove(self.selected) if self.selected else None)
        )
        self.evaluate_button.on_click(lambda _: self._guarded(self.evaluate))
        self.progress = Progress(total=1)
        self.message = widgets.HTML()
        self.table = widgets.GridBox()
        self.table.add_class("dffml-nb-leaderboard-table")
        self.details = widgets.VBox()
        self.records_view = widgets.HTML()
        self.records_view.add_class("dffml-nb-records")
        controls = widgets.HBox(
            [self.model_picker, self.add_button, self.remove_button, self.evaluate_button]
        )
        super().__init__(
            [controls, self.progress, self.message, self.table, self.details, self.records_view]
        )
        self.add_class("dffml-nb-leaderboard")

    def _guarded(self, action: Any) -> None:
        """A button's action: a mistake is shown in the widget, not raised into the void."""
        try:
            action()
            self.message.value = ""
        except Exception as error:  # noqa: BLE001 - shown to the user, who can act on it
            self.message.value = f"<span style='color:#b00020'>{html.escape(str(error))}</span>"

    # -- the table -------------------------------------------------------------

    def _evaluate(self, entries: list[Any], progress: Any) -> Any:
        """Cross-validate ``entries``; ``progress`` None: a bar in the cell's output (tqdm)."""
        from dffml_nb.evaluation.evaluate import leaderboard

        folds = self.folds.get_n_splits(self.prepared.X, self.prepared.y)
        self.progress.start(len(entries) * folds, f"cross-validating {len(entries)} model(s)")
        try:
            board = leaderboard(
                self.prepared,
                self.metrics,
                self.folds,
                n_jobs=self.n_jobs,
                progress=progress,
                entries=entries,
            )
        except Exception as error:
            self.progress.fail(str(error))
            raise
        self.progress.finish(f"{len(entries)} model(s) × {folds} folds evaluated")
        return board

    def _columns(self) -> list[str]:
        return [*(metric.name for metric in self.metrics), "fit_time"]

    def sort(self, by: str | None = None, ascending: bool | None = None) -> Any:
        """Sort the table by a scorer, ``fit_time`` or ``model``; returns the sorted results.

        Scorers sort best first by default (highest, or lowest for errors); the
        same column again reverses the order, as clicking a header does.
        """
        from dffml_nb.evaluation.evaluate import sort_board

        by = by or self._sort[0]
        if by not in (*self._columns(), "model"):
            raise KeyError(f"cannot sort by {by!r}; columns: model, {', '.join(self._columns())}")
        if ascending is None:
            greater = {m.name: m.greater_is_better for m in self.metrics}
            best_first = not greater[by] if by in greater else True
            ascending = not self._sort[1] if by == self._sort[0] else best_first
        self._sort = (by, ascending)
        if by == "model":
            self.results = self.results.sort_index(ascending=ascending, kind="stable")
        else:
            self.results = sort_board(self.results, by, not ascending)
        self._render_table()
        return self.results

    def _render_table(self) -> None:
        by, ascending = self._sort
        arrow = " ▲" if ascending else " ▼"
        headers = []
        for column in ("model", *self._columns()):
            button = widgets.Button(
                description=column + (arrow if column == by else ""),
                tooltip=f"sort by {column}",
                layout=widgets.Layout(width="auto"),
            )
            button.add_class("dffml-nb-sort")
            button.on_click(lambda _, c=column: self.sort(c))
            headers.append(button)
        cells: list[widgets.Widget] = [*headers, widgets.HTML("<b>error</b>")]
        for label, row in self.results.iterrows():
            pick = widgets.Button(
                description=str(label),
                tooltip=f"show {label}'s confusion matrix or residuals",
                button_style="info" if label == self.selected else "",
                layout=widgets.Layout(width="auto"),
            )
            pick.add_class("dffml-nb-pick")
            pick.on_click(lambda _, name=label: self._guarded(lambda: self.select(name)))
            cells.append(pick)
            for metric in self.metrics:
                mean, std = row[metric.name], row[f"{metric.name}_std"]
                text = "—" if mean != mean else f"{mean:.4g} ± {std:.2g}"
                cells.append(widgets.HTML(text))
            fit = row["fit_time"]
            cells.append(widgets.HTML("—" if fit != fit else f"{fit:.3g} s"))
            error = row["error"] or ""
            cells.append(
                widgets.HTML(f"<span style='color:#b00020'>{html.escape(error[:200])}</span>")
            )
        count = len(self._columns()) + 2
        self.table.children = cells
        self.table.layout = widgets.Layout(
            grid_template_columns=f"repeat({count - 1}, max-content) auto", grid_gap="2px 12px"
        )

    # -- one model's mistakes --------------------------------------------------

    def select(self, label: str) -> data_.Outcome:
        """Show ``label``'s cross-validated confusion matrix and ROC, or its residuals."""
        entry = self.prepared.entry(label)
        error = entry.error or (
            self.results.loc[label, "error"] if label in self.results.index else None
        )
        if error:
            raise ValueError(f"{label} failed, so it has no predictions to show: {error}")
        outcome = self._outcomes.get(label)
        if outcome is None:
            self.progress.start(1, f"cross-validated predictions of {label}")
            try:
                outcome = data_.cross_validated(
                    self.prepared, entry, self.folds, n_jobs=self.n_jobs
                )
            except Exception as error:
                self.progress.fail(f"{label}: {error}")
                raise
            self.progress.finish(f"cross-validated predictions of {label}")
            self._outcomes[label] = outcome
        self.selected, self.outcome, self.cell, self.records = label, outcome, None, None
        self.records_view.value = ""
        self.details.children = self._details(outcome)
        self._render_table()
        return outcome

    def _details(self, outcome: data_.Outcome) -> list[widgets.Widget]:
        from dffml_nb.nb.ml import plots
        from dffml_nb.nb.ml.leaderboard_plots import residual_figure, roc_figure

        title = widgets.HTML()
        title.add_class("dffml-nb-details-title")
        if outcome.kind != "classifier":
            title.value = f"<h4>{html.escape(outcome.label)}: predictions from {len(outcome.y_true)} held-out records</h4>"
            scatter = plots.predicted_vs_actual(outcome.y_true, outcome.y_pred, outcome.target)
            spread = residual_figure(outcome.y_true, data_.residuals(outcome), outcome.target)
            return [title, widgets.HBox([plots.image(scatter), plots.image(spread)])]
        labels, counts = data_.confusion(outcome)
        title.value = (
            f"<h4>{html.escape(outcome.label)}: cross-validated confusion matrix "
            f"({len(outcome.y_true)} records) — click a cell to list its records</h4>"
        )
        parts: list[widgets.Widget] = []
        if len(labels) <= MAX_CLASSES:
            self.confusion = ConfusionGrid(labels, counts, self.click_cell)
            parts.append(self.confusion)
        else:
            self.confusion = None
            parts.append(widgets.HTML(f"{len(labels)} classes: too many to draw as a grid"))
        curves = data_.roc_curves(outcome)
        self.roc = curves
        if curves:
            parts.append(plots.image(roc_figure(curves, outcome.label)))
        # top-aligned: the matrix keeps its size beside a taller ROC picture
        return [title, widgets.HBox(parts, layout=widgets.Layout(align_items="flex-start"))]

    def click_cell(self, true: Any, predicted: Any) -> Any:
        """List the records of true label ``true`` predicted as ``predicted``; returns them."""
        if self.outcome is None or self.outcome.kind != "classifier":
            raise ValueError("select a classifier first (board.select(name)): only they have cells")
        if true not in self.outcome.classes or predicted not in self.outcome.classes:
            raise KeyError(
                f"no cell ({true!r}, {predicted!r}); labels: "
                f"{', '.join(map(repr, self.outcome.classes))}"
            )
        self.cell = (true, predicted)
        self.records = data_.records_of(self.outcome, true, predicted)
        if self.confusion is not None:
            self.confusion.mark(true, predicted)
        self.records_view.value = self._records_html(self.outcome, true, predicted, self.records)
        return self.records

    @staticmethod
    def _records_html(outcome: data_.Outcome, true: Any, predicted: Any, rows: Any) -> str:
        shown = rows.head(MAX_RECORDS)
        more = f" (the first {MAX_RECORDS} shown)" if len(rows) > MAX_RECORDS else ""
        verdict = "right" if true == predicted else "wrong"
        caption = (
            f"<b>{len(rows)} records</b> of {html.escape(str(outcome.target))} = "
            f"{html.escape(str(true))} predicted {html.escape(str(predicted))} by "
            f"{html.escape(outcome.label)} ({verdict}){more}"
        )
        table = shown.to_html(classes="dffml-nb-records-table", float_format=lambda v: f"{v:.4g}")
        return f"<div>{caption}</div><div style='max-height:360px;overflow:auto'>{table}</div>"

    # -- changing the models ---------------------------------------------------

    def add(self, model: Any, label: str | None = None) -> Any:
        """Add a model (a registered name, a model, an estimator) and cross-validate it."""
        import pandas as pd

        from dffml_nb.evaluation.candidates import add_entry

        entry = add_entry(self.prepared, model, label)
        try:
            row = self._evaluate([entry], self.progress)
        except Exception:
            self.prepared.entries.remove(entry)
            raise
        self.results = pd.concat([self.results, row])
        return self.sort(*self._sort)

    def remove(self, label: str) -> Any:
        """Take a model off the board."""
        entry = self.prepared.entry(label)
        self.prepared.entries.remove(entry)
        self.results = self.results.drop(index=label)
        self._outcomes.pop(label, None)
        if self.selected == label:
            self.selected = self.outcome = self.cell = self.records = None
            self.details.children, self.records_view.value = (), ""
        self._render_table()
        return self.results

    def evaluate(self) -> Any:
        """Cross-validate every model again (after changing the models or the data)."""
        self._outcomes.clear()
        self.results = self._evaluate(self.prepared.entries, self.progress)
        self.sort(*self._sort)
        if self.selected is not None:
            self.select(self.selected)
        return self.results
