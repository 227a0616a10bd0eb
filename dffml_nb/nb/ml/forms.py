"""Forms built from a model's :class:`~dffml_nb.model.config.Hyperparameter` s.

One field per hyperparameter, chosen from what the estimator accepts:

- ``bool`` → ``Checkbox``
- choices → ``Dropdown`` (with ``"None"`` when None is allowed); when numbers are
  accepted besides the choices (``gamma="scale"`` or ``0.1``) → ``Combobox``, which
  offers the choices and takes free text
- ``int`` / ``float`` → ``IntText`` / ``FloatText``, bounded (``BoundedIntText`` …)
  when the estimator declares a range
- a default of ``None`` (``max_depth``) and everything else (``str``, tuples such
  as ``hidden_layer_sizes``) → ``Text``, read with :meth:`Hyperparameter.parse`

Each field's ``description`` is the parameter name and its ``tooltip`` the
first sentence of the estimator's documentation. :meth:`HyperparameterForm.values`
returns only what differs from the defaults, so a model's ``config()`` stays short.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from dffml_nb.model.config import Hyperparameter, NoneType

# widest bounds a browser number field holds exactly (JSON has no infinity)
_INT_LIMIT = 2**53 - 1
_FLOAT_LIMIT = 1e300
_STYLE = {"description_width": "170px"}
_LAYOUT = {"width": "400px"}


def as_text(value: Any) -> str:
    """How a default appears in a text field: ``"None"``, ``"100, 50"``, ``"sqrt"``."""
    if value is None:
        return "None"
    if isinstance(value, (tuple, list)):
        return ", ".join(map(str, value))
    return str(value)


def _accepts_none(hp: Hyperparameter) -> bool:
    return NoneType in hp.types or hp.default is None


def _text_kind(hp: Hyperparameter) -> str:
    """Placeholder for a text field: what it accepts, e.g. ``"int or None"``."""
    kinds = [t.__name__ for t in (hp.types or (hp.type,)) if t not in (NoneType, object)]
    if _accepts_none(hp):
        kinds.append("None")
    return " or ".join(dict.fromkeys(kinds)) or "a value"


def field_for(hp: Hyperparameter) -> widgets.Widget:
    """The input widget for one hyperparameter, set to its default."""
    common: dict[str, Any] = {
        "description": hp.name,
        "tooltip": hp.help or hp.name,
        "style": _STYLE,
        "layout": widgets.Layout(**_LAYOUT),
    }
    if hp.choices:
        options = [as_text(choice) for choice in hp.choices]
        if _accepts_none(hp):
            options.insert(0, "None")
        default = as_text(hp.default)
        numbers = {int, float} & set(hp.types)
        if numbers:  # numbers are valid too: offer the choices, take free text
            return widgets.Combobox(
                options=options,
                value=default,
                ensure_option=False,
                placeholder=_text_kind(hp),
                **common,
            )
        if default not in options:
            options.append(default)
        return widgets.Dropdown(options=options, value=default, **common)
    if hp.type is bool and isinstance(hp.default, bool):
        return widgets.Checkbox(value=hp.default, indent=True, **common)
    if hp.type in (int, float) and isinstance(hp.default, (int, float)):
        return _number(hp, common)
    return widgets.Text(value=as_text(hp.default), placeholder=_text_kind(hp), **common)


def _number(hp: Hyperparameter, common: dict[str, Any]) -> widgets.Widget:
    integer = hp.type is int
    value = int(hp.default) if integer else float(hp.default)
    low, high = hp.low, hp.high
    # bounds only when they hold the default (a surprising range is better left out)
    inside = (low is None or value >= low) and (high is None or value <= high)
    if (low is None and high is None) or not inside:
        cls = widgets.IntText if integer else widgets.FloatText
        return cls(value=value, **common)
    limit = _INT_LIMIT if integer else _FLOAT_LIMIT
    cls = widgets.BoundedIntText if integer else widgets.BoundedFloatText
    return cls(
        value=value,
        min=-limit if low is None else low,
        max=limit if high is None else high,
        **common,
    )


def _same(value: Any, default: Any) -> bool:
    """Whether a form value is the default (``1`` and ``1.0`` differ for an estimator)."""
    if isinstance(default, tuple) and isinstance(value, (tuple, list)):
        return tuple(value) == default
    return type(value) is type(default) and value == default


class HyperparameterForm(widgets.VBox):
    """Fields for a model's hyperparameters, in a two-column grid.

    ``form.fields`` maps each hyperparameter name to its widget (set
    ``form.fields["n_estimators"].value = 20`` from code); ``form.values()``
    reads them back as the keywords to pass to the model.
    """

    def __init__(self, hyperparameters: dict[str, Hyperparameter], title: str = "") -> None:
        self.specs = dict(hyperparameters)
        self.fields: dict[str, widgets.Widget] = {
            name: field_for(hp) for name, hp in self.specs.items()
        }
        if self.fields:
            note = "hover over a field for its documentation; only changed values are passed"
        else:
            note = "this model has no hyperparameters"
        header = widgets.HTML(
            f"<b>{title or 'Hyperparameters'}</b> <span style='color:#666'>({note})</span>"
        )
        grid = widgets.GridBox(
            list(self.fields.values()),
            layout=widgets.Layout(grid_template_columns="repeat(2, 410px)"),
        )
        super().__init__([header, grid])

    def values(self) -> dict[str, Any]:
        """``{name: value}`` for every field that differs from its default.

        Text is converted with :meth:`Hyperparameter.parse`; a blank text field
        means the default. A value that does not parse raises ``ValueError``
        naming the hyperparameter.
        """
        result: dict[str, Any] = {}
        for name, field in self.fields.items():
            hp = self.specs[name]
            value = field.value
            if isinstance(value, str):
                # untouched text is the default as is ("100" would parse as 100, not (100,))
                if not value.strip() or value.strip() == as_text(hp.default):
                    continue
                value = hp.parse(value)
            if not _same(value, hp.default):
                result[name] = value
        return result

    def reset(self) -> None:
        """Put every field back to its default."""
        for name, field in self.fields.items():
            fresh = field_for(self.specs[name])
            field.value = fresh.value
            fresh.close()

    def __repr__(self) -> str:
        return f"HyperparameterForm({', '.join(self.fields)})"
