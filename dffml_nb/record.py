"""Records: one keyed row of features plus the predictions made for it.

Mirrors DFFML's ``Record``: ``record.features()``, ``record.feature(name)``,
``record.predicted(target, value, confidence)``, ``record.prediction(target)``
and ``record.export()``. Standard library only.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Prediction:
    """A predicted ``value`` and the model's ``confidence`` in it (None: undefined)."""

    value: Any = None
    confidence: float | None = 0.0

    def export(self) -> dict[str, Any]:
        """``{"value": ..., "confidence": ...}`` as DFFML exports a prediction."""
        return {"value": self.value, "confidence": self.confidence}

    @classmethod
    def parse(cls, data: Prediction | Mapping[str, Any] | tuple[Any, Any]) -> Prediction:
        """A Prediction from itself, ``{"value", "confidence"}`` or ``(value, confidence)``."""
        if isinstance(data, Prediction):
            return data
        if isinstance(data, Mapping):
            return cls(data.get("value"), data.get("confidence"))
        if isinstance(data, tuple) and len(data) == 2:
            return cls(*data)
        raise TypeError(
            f"a prediction is a Prediction, a {{'value', 'confidence'}} dict "
            f"or a (value, confidence) pair, not {data!r}"
        )


class Record:
    """One keyed row: ``Record("0", {"Years": 0}, {"Salary": Prediction(10, 0.9)})``.

    ``key`` is always a string. ``predictions`` maps a target name to a
    :class:`Prediction` (dicts and ``(value, confidence)`` pairs are accepted).
    ``extra`` holds anything else DFFML would keep beside a record.
    """

    __slots__ = ("key", "_features", "predictions", "extra")

    def __init__(
        self,
        key: Any,
        features: Mapping[str, Any] | None = None,
        predictions: Mapping[str, Any] | None = None,
        *,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.key = str(key)
        self._features: dict[str, Any] = dict(features or {})
        self.predictions: dict[str, Prediction] = {
            name: Prediction.parse(value) for name, value in (predictions or {}).items()
        }
        self.extra: dict[str, Any] = dict(extra or {})

    # -- features ---------------------------------------------------------

    def features(self, names: Iterable[str] | None = None) -> dict[str, Any]:
        """All features, or only those in ``names``.

        As in DFFML, if any named feature is missing (or None) the result is
        ``{}``, so ``if not record.features(names)`` skips incomplete records.
        """
        if not names:
            return dict(self._features)
        subset = {}
        for name in names:
            value = self._features.get(name)
            if value is None:
                return {}
            subset[name] = value
        return subset

    def feature(self, name: str) -> Any:
        """The value of feature ``name``; KeyError naming it and the record if absent."""
        try:
            return self._features[name]
        except KeyError:
            known = ", ".join(self._features) or "none"
            raise KeyError(
                f"record {self.key!r} has no feature {name!r} (its features: {known})"
            ) from None

    def evaluated(self, features: Mapping[str, Any], overwrite: bool = False) -> Record:
        """Add ``features`` (replace all of them if ``overwrite``); returns self."""
        if overwrite:
            self._features = dict(features)
        else:
            self._features.update(features)
        return self

    # -- predictions ------------------------------------------------------

    def predicted(self, name: str, value: Any, confidence: float | None = None) -> None:
        """Record that ``name`` was predicted as ``value`` with ``confidence``."""
        self.predictions[name] = Prediction(value, confidence)

    def prediction(self, name: str) -> Prediction:
        """The prediction for ``name``; as in DFFML an empty
        ``Prediction(None, 0.0)`` if nothing was predicted for it."""
        return self.predictions.get(name, Prediction())

    # -- whole record -----------------------------------------------------

    def merge(self, other: Record) -> Record:
        """Take ``other``'s features, predictions and extra over ours; returns self."""
        self._features.update(other._features)
        self.predictions.update(other.predictions)
        self.extra.update(other.extra)
        return self

    def copy(self) -> Record:
        """A copy whose dicts can change without touching this record."""
        return Record(self.key, self._features, self.predictions, extra=self.extra)

    def export(self) -> dict[str, Any]:
        """``{"key", "features", "predictions"[, "extra"]}``, as DFFML exports a record."""
        data: dict[str, Any] = {
            "key": self.key,
            "features": dict(self._features),
            "predictions": {name: p.export() for name, p in self.predictions.items()},
        }
        if self.extra:
            data["extra"] = dict(self.extra)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], key: Any = None) -> Record:
        """Inverse of :meth:`export`; also reads DFFML's ``"prediction"`` spelling.

        ``key`` is used when ``data`` has none (DFFML's JSON keys records outside).
        """
        if "key" in data:
            key = data["key"]
        if key is None:
            raise ValueError(f"record data has no 'key': {dict(data)!r}")
        predictions = data.get("predictions", data.get("prediction")) or {}
        return cls(key, data.get("features") or {}, predictions, extra=data.get("extra"))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record):
            return NotImplemented
        return (self.key, self._features, self.predictions, self.extra) == (
            other.key,
            other._features,
            other.predictions,
            other.extra,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __repr__(self) -> str:
        parts = [repr(self.key), f"features={self._features!r}"]
        if self.predictions:
            parts.append(f"predictions={self.predictions!r}")
        if self.extra:
            parts.append(f"extra={self.extra!r}")
        return f"Record({', '.join(parts)})"

    def _repr_html_(self) -> str:
        """A small table for Jupyter: features, then predictions with confidence."""
        esc = html.escape
        rows = [
            f"<tr><th>{esc(str(name))}</th><td>{esc(repr(value))}</td><td></td></tr>"
            for name, value in self._features.items()
        ]
        rows += [
            f"<tr><th>{esc(str(name))} <em>(predicted)</em></th>"
            f"<td>{esc(repr(p.value))}</td><td>{esc(_confidence(p.confidence))}</td></tr>"
            for name, p in self.predictions.items()
        ]
        return (
            '<table class="dffml-nb-record">'
            f"<caption>Record <code>{esc(self.key)}</code></caption>"
            "<thead><tr><th>name</th><th>value</th><th>confidence</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )


def _confidence(confidence: float | None) -> str:
    if confidence is None:
        return "undefined"
    try:
        return f"{float(confidence):.3g}"
    except (TypeError, ValueError):
        return str(confidence)
