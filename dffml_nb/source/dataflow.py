"""DataFlowSource: another source's records with a dataflow's results added (read-only).

DFFML's ``df`` source (``dfpreprocess`` in later DFFML): feature engineering
written once as a flow, applied the same way at training and at prediction time::

    train(model, DataFlowSource(flow, "train.csv"))
    predict(model, DataFlowSource(flow, new_rows))
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from dffml_nb.df import DataFlow, OperationError
from dffml_nb.feature import Features
from dffml_nb.record import Record
from dffml_nb.source.base import Source
from dffml_nb.source.convert import index_to_records, select
from dffml_nb.source.errors import SourceError
from dffml_nb.source.flowrun import (
    columns_through_flow,
    frame_through_flow,
    records_through_flow,
)

if TYPE_CHECKING:
    import pandas as pd


class DataFlowSource(Source):
    """The records of ``source`` with ``dataflow``'s results merged into their features.

    ``dataflow`` is a :class:`~dffml_nb.df.DataFlow` or a flow file (``.json`` /
    ``.yaml``); ``source`` anything :func:`~dffml_nb.source.open_source` takes (a
    file name, a DataFrame, dict rows, a source). Each record is one context of
    the flow (see :func:`dffml_nb.run_records` for the rules): ``record_def``
    seeds its key, ``inputs`` (``{definition: value}``) are added to every
    context, ``features`` (DFFML's option) restricts which features seed it, and
    ``columnar=True`` runs the flow once over whole columns. ``strict=False``
    keeps records whose flow failed (without new features); the failures are in
    ``errors``. The flow runs when the records are first read, once. A flow file
    may name registered operations; ``trust=True`` lets it import other modules.

    A flow that takes nothing from the records (no feature, no ``record_def``)
    runs once: if it gives ``records`` (``{key: {"features": {...}}}``, as DFFML's
    dataset-making flows do — e.g. ``convert_list_to_records``), those are this
    source's records; else its results are added to every record.

    Read-only: results are never written to ``source`` — ``run_records(...,
    update=True)`` does that.
    """

    kind = "df"

    def __init__(
        self,
        dataflow: DataFlow | str | os.PathLike[str],
        source: Any,
        *,
        record_def: str | None = None,
        inputs: Mapping[str, Any] | None = None,
        columnar: bool = False,
        features: Iterable[str] | None = None,
        strict: bool = True,
        trust: bool = False,
    ) -> None:
        super().__init__()
        from dffml_nb.source.resolve import open_source

        if not isinstance(dataflow, DataFlow):
            dataflow = DataFlow.load(dataflow, trust=trust)
        self.dataflow = dataflow
        self.source = open_source(source)
        self.record_def = record_def
        self.inputs = dict(inputs or {})
        self.columnar = columnar
        self.features = None if features is None else Features.parse(features).names()
        self.strict = strict
        #: failures of records whose flow failed (``strict=False``), once read
        self.errors: list[OperationError] = []
        self._frame: pd.DataFrame | None = None

    @property
    def origin(self) -> str:
        return f"dataflow over {self.source.origin}"

    def _options(self) -> dict[str, Any]:
        return {
            "record_def": self.record_def,
            "inputs": self.inputs,
            "strict": self.strict,
            "features": self.features,
        }

    def _processed_frame(self) -> pd.DataFrame:
        """The inner source's frame with the flow's results (run once, then kept)."""
        if self._frame is None:
            frame = self.source.to_frame()
            if not self._takes_from(frame.columns):
                self._frame = self._once(list(index_to_records(frame)), frame)
                return self._frame
            through = columns_through_flow if self.columnar else frame_through_flow
            self._frame, outcome = through(self.dataflow, frame, **self._options())
            self.errors = outcome.errors
        return self._frame

    def _read(self, missing_ok: bool) -> dict[str, Record]:
        self._positional = self.source._positional
        if self.columnar or self._frame is not None:
            records = index_to_records(self._processed_frame())
            return {record.key: record for record in records}
        inner = list(self.source.records())
        if not self._takes_from(name for r in inner for name in r.features()):
            records = index_to_records(self._once(inner, None))
        else:
            records, outcome = records_through_flow(self.dataflow, inner, **self._options())
            self.errors = outcome.errors
        return {record.key: record for record in records}

    # -- a flow that takes nothing from the records: DFFML's dataset-making flows ------------

    def _takes_from(self, names: Iterable[Any]) -> bool:
        """Whether any record feature (or key) seeds the flow."""
        if self.record_def is not None:
            return True
        consumed = {d.name for o in self.dataflow for d in (*o.inputs.values(), *o.conditions)}
        wanted = None if self.features is None else set(self.features)
        return any(n in consumed and (wanted is None or n in wanted) for n in names)

    def _once(self, inner: list[Record], frame: pd.DataFrame | None) -> pd.DataFrame:
        """Run the flow once. If it gives ``records`` (``{key: {"features": {...}}}``, as
        DFFML's dataset-making flows do), those are the records; else its results are
        added to every record of the wrapped source."""
        from dffml_nb.df import run_sync
        from dffml_nb.source.convert import records_to_frame

        [results] = run_sync(
            self.dataflow, {"flow": dict(self.inputs)}, strict=self.strict
        ).values()
        self.errors = list(results.errors)
        made = results.get("records")
        if isinstance(made, Mapping):
            self._positional = False
            return records_to_frame(
                [
                    Record.from_dict(data, key=key)
                    if isinstance(data, Mapping) and "features" in data
                    else Record(key, data)
                    for key, data in made.items()
                ],
                predictions=True,
            )
        records = [record.copy().evaluated(dict(results)) for record in inner]
        if frame is not None and self._positional:
            return records_to_frame(records, predictions=True, positional=True)
        return records_to_frame(records, predictions=True)

    def _read_frame(
        self, columns: list[str] | None, predictions: bool, features: Features
    ) -> tuple[pd.DataFrame, Callable[[int], int] | None] | None:
        frame = self._processed_frame()
        return select(frame, columns, predictions=predictions, origin=self.origin), None

    def update(self, record: Record) -> None:
        raise SourceError(
            f"{self.origin} is read-only: the flow's results are never written to the "
            "underlying source; update that source itself, or use "
            "run_records(flow, source, update=True)"
        )

    def _write(self, records: list[Record], changed: set[str]) -> None:
        pass  # read-only: update() refuses, so there is never anything to write

    def __repr__(self) -> str:
        return f"DataFlowSource({self.dataflow!r}, {self.source!r})"
