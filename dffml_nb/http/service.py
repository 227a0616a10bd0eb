"""What a server holds — its flows and models — and what it does with them.

The routes are thin: they parse and validate, then call a :class:`Service`
method, which calls dffml_nb's own API and turns its errors into
:class:`~dffml_nb.http.problems.Problem`\\ s that name what is at fault.

Models are served as trained; ``train`` builds a new model, trains it (saving
it atomically to its location, when it has one) and only then swaps it in, so
a prediction never sees a half-trained model and an interrupted train leaves
the previous one loadable. A model served from a location is reloaded when
its saved files change (another worker, or ``dffml-nb train``, retrained it).
"""

from __future__ import annotations

import asyncio
import copy
import math
import os
import reprlib
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from dffml_nb.http.encode import error_text, jsonable
from dffml_nb.http.loading import load_model_dir
from dffml_nb.http.predictions import predict_records
from dffml_nb.http.problems import Problem, not_found
from dffml_nb.http.runs import FlowRun, error_item
from dffml_nb.model.persist import saved_digest

# data errors raised by the model and source layers (bad values, missing columns, ...)
_DATA_ERRORS = (ValueError, TypeError, KeyError, LookupError)


@dataclass
class Served:
    """A served model, a lock for trains, and what tells when its saved files changed.

    ``stamp`` is ``model.json``'s mtime, inode and size when it was last checked: a cheap hint,
    read on every request. Only when it moves is ``model.json`` read, and the model
    reloaded if the state it names is not the one the served model came from (its
    ``saved_digest``) — so a model loaded just before another process saved a new one
    is never taken for the new one, whatever the clocks say.
    """

    model: Any
    stamp: tuple[int, int, int] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: the saved model's ``model.json`` (a plain string, no Path: it is stat'ed per request)
    metadata: str | None = None

    @classmethod
    def of(cls, model: Any) -> Served:
        location = model.location
        metadata = None if location is None else os.path.join(location, "model.json")
        # no stamp yet: the first request compares the saved state with the model's
        return cls(model, None, metadata=metadata)

    def changed(self) -> bool:
        """Whether another version of the model was saved since this one was read."""
        if self.metadata is None:
            return False
        stamp = _stamp(self.metadata)
        if stamp == self.stamp:
            return False
        digest = saved_digest(self.model.location)
        if digest is None or digest == self.model.saved_digest:
            self.stamp = stamp  # unchanged (or unreadable: keep serving what we have)
            return False
        return True


def _stamp(path: str | None) -> tuple[int, int, int] | None:
    """What changes when ``path`` is saved again: an atomic save is a new file (inode),
    which also tells apart two saves within one tick of a coarse file-system clock."""
    if path is None:
        return None
    try:
        stat = os.stat(path)
        return stat.st_mtime_ns, stat.st_ino, stat.st_size
    except OSError:
        return None


class Service:
    """``flows`` ``{name: DataFlow}`` and ``models`` ``{name: Model}`` (trained, or saved at
    their location), and what the routes do with them."""

    def __init__(
        self,
        flows: Mapping[str, Any] | None = None,
        models: Mapping[str, Any] | None = None,
    ) -> None:
        self.flows: dict[str, Any] = dict(flows or {})
        self.models: dict[str, Served] = {
            name: Served.of(model) for name, model in (models or {}).items()
        }
        #: asyncio tasks of runs in flight (the run and its disconnect watcher)
        self.active: set[asyncio.Task] = set()
        self._plugins: dict[str, list[str]] | None = None

    # -- plugins ---------------------------------------------------------------------------

    def plugins(self) -> dict[str, list[str]]:
        if self._plugins is None:
            from dffml_nb import plugins

            self._plugins = {kind + "s": plugins.names(kind) for kind in plugins.GROUPS}
        return self._plugins

    # -- flows -----------------------------------------------------------------------------

    def flow(self, name: str) -> Any:
        flow = self.flows.get(name)
        if flow is None:
            raise not_found("flow", name, list(self.flows))
        return flow

    def flow_document(self, name: str) -> dict[str, Any]:
        from dffml_nb.df.serialize import flow_to_dict

        return jsonable(flow_to_dict(self.flow(name)))

    def put_flow(self, name: str, document: dict[str, Any]) -> dict[str, Any]:
        from dffml_nb.http.uploads import flow_from_upload

        self.flows[name] = flow_from_upload(name, document, self.flows.values())
        return self.flow_document(name)

    def contexts(self, name: str, given: Mapping[str, Mapping[str, Any]]) -> dict[str, list[Any]]:
        """``{context: [Input]}`` from ``{context: {definition: value}}``, values converted to
        each definition's primitive; a 422 names the context and definition at fault."""
        from dffml_nb.df import Input

        flow = self.flow(name)
        definitions = flow.definitions
        out: dict[str, list[Any]] = {}
        for context, values in given.items():
            items = []
            for key, value in values.items():
                where = f"body.contexts.{context}.{key}"
                definition = definitions.get(key)
                if definition is None:
                    inputs = ", ".join(sorted(flow.flow_inputs)) or "(none)"
                    raise Problem(
                        422,
                        f"{where}: flow {name!r} has no definition {key!r}; its inputs: {inputs}",
                        title="Unknown definition",
                    )
                items.append(Input(_json_value(definition, value, where), definition))
            out[context] = items
        return out

    def start_run(
        self,
        name: str,
        contexts: dict[str, list[Any]],
        *,
        strict: bool,
        timeout: float,
        events: bool = False,
        receive: Any = None,
    ) -> FlowRun:
        run = FlowRun(
            self.flow(name),
            contexts,
            strict=strict,
            timeout=timeout,
            events=events,
            active=self.active,
        )
        return run.start(receive)

    def run_records(
        self,
        name: str,
        records: list[dict[str, Any]],
        *,
        record_def: str | None,
        inputs: dict[str, Any] | None,
        strict: bool,
    ) -> dict[str, Any]:
        """``run_records`` over the records; blocking (call it in a thread)."""
        from dffml_nb.df import DataFlowError, OperationError
        from dffml_nb.records import run_records

        flow = self.flow(name)
        try:
            done = run_records(
                flow,
                _records(records),
                record_def=record_def,
                inputs=inputs,
                strict=strict,
                as_frame=False,
            )
        except OperationError as error:
            raise Problem(
                422,
                error_text(error),
                title="Operation failed",
                operation=error.operation,
                context=error.context,
            ) from None
        except (DataFlowError, *_DATA_ERRORS) as error:
            raise Problem(422, error_text(error), title="Invalid records") from None
        errors = [error_item(e) for e in getattr(done, "errors", None) or ()]
        out: list[Any] = list(done)  # as_frame=False: records out
        return {
            "records": [{"key": r.key, "features": jsonable(r.features())} for r in out],
            "errors": errors,
        }

    # -- models ----------------------------------------------------------------------------

    def model(self, name: str) -> Any:
        """The model served as ``name``, reloaded first if its saved files changed."""
        served = self.models.get(name)
        if served is None:
            raise not_found("model", name, list(self.models))
        if served.changed():
            self._reload(served)
        return served.model

    def _reload(self, served: Served) -> None:
        with served.lock:
            # the stamp before reading: a save that lands while we read moves it again,
            # and the next request looks again
            stamp = _stamp(served.metadata)
            if saved_digest(served.model.location) in (None, served.model.saved_digest):
                served.stamp = stamp  # another request reloaded it meanwhile
                return
            try:
                served.model = load_model_dir(served.model.location)
            except Exception as error:  # keep serving the model we have; say why
                import logging

                logging.getLogger("dffml_nb.http").warning(
                    "keeping the loaded model: reloading %s failed: %s",
                    served.model.location,
                    error,
                )
            served.stamp = stamp

    def describe(self, name: str) -> dict[str, Any]:
        model = self.model(name)
        return {
            "name": name,
            "model": model.name,
            "features": [str(f) for f in model.features or ()],
            "predict": None if model.target is None else str(model.target),
            "trained": bool(model.is_trained),
        }

    def describe_models(self) -> list[dict[str, Any]]:
        return [self.describe(name) for name in self.models]

    def predict(self, name: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The CLI's predict JSON for ``records`` (``[{key?, features}]``)."""
        model = self.model(name)
        with _model_errors(name):
            return predict_records(model, records, _records)

    def train(self, name: str, records: list[dict[str, Any]]) -> dict[str, Any]:
        """Train a fresh copy of the model on ``records``, save it, then serve it (blocking)."""
        served = self.models.get(name)
        if served is None:
            raise not_found("model", name, list(self.models))
        with served.lock, _exclusive(served.model.location):
            current = served.model
            fresh = type(current)(**current.config())
            with _model_errors(name):
                try:
                    fresh.fit(_records(records))  # saves atomically when it has a location
                except OSError as error:  # the disk, not the request: the old model stays
                    raise Problem(
                        500,
                        f"model {name!r}: saving to {fresh.location} failed ({error_text(error)}); "
                        "the previous model is still served and saved",
                        title="Saving the model failed",
                    ) from None
            served.model, served.stamp = fresh, _stamp(served.metadata)
        return self.describe(name)

    def score(self, name: str, scorer: str, records: list[dict[str, Any]]) -> float:
        """The model's score on ``records`` against its own target (blocking)."""
        from dffml_nb.scorer import Scorer

        model = self.model(name)
        if model.target is None:
            raise Problem(422, f"model {name!r} has no target to score against")
        with _model_errors(name):
            try:
                chosen = Scorer.load(scorer)
            except LookupError as error:
                raise Problem(
                    422, f"body.scorer: {error_text(error)}", title="Unknown scorer"
                ) from None
            # a shallow copy without location: scoring must not write the served model's files
            reader = copy.copy(model)
            reader.location = None
            value = float(chosen.score(reader, model.target, _records(records)))
        if not math.isfinite(value):
            raise Problem(
                422,
                f"the {scorer} score is undefined for these {len(records)} records ({value})",
                title="Undefined score",
            )
        return value


# the JSON values each primitive accepts (an int is a fine float; a bool is no int)
_JSON_KINDS: dict[type, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    float: (int, float),
    bool: (bool,),
    list: (list,),
    dict: (dict,),
}


def _json_value(definition: Any, value: Any, where: str) -> Any:
    """``value`` if it is JSON of the definition's primitive, else a 422 saying what fits."""
    accepted = _JSON_KINDS.get(definition.type)
    if accepted is None:  # "object": anything goes
        return value
    if isinstance(value, accepted) and (definition.type is bool or not isinstance(value, bool)):
        return float(value) if definition.type is float else value  # type: ignore[arg-type]
    raise Problem(
        422,
        f"{where}: definition {definition.name!r} takes a {definition.primitive}, "
        f"got {type(value).__name__} {reprlib.repr(value)}",
        title="Invalid input",
    )


def _records(rows: list[dict[str, Any]]) -> list[Any]:
    """Records from ``[{key?, features}]``; a missing key is the record's position."""
    from dffml_nb.record import Record

    return [
        Record(position if row.get("key") is None else row["key"], row.get("features") or {})
        for position, row in enumerate(rows)
    ]


@contextmanager
def _model_errors(name: str) -> Iterator[None]:
    """Data errors from the model and source layers as 422s, an untrained model as 409."""
    from dffml_nb.model.base import ModelNotTrainedError

    try:
        yield
    except Problem:
        raise
    except ModelNotTrainedError as error:
        raise Problem(
            409, f"model {name!r}: {error_text(error)}", title="Model not trained"
        ) from None
    except _DATA_ERRORS as error:
        raise Problem(
            422, f"model {name!r}: {error_text(error)}", title="Invalid records"
        ) from None


@contextmanager
def _exclusive(location: Any) -> Iterator[None]:
    """Hold an exclusive lock on ``location`` (workers sharing a model directory train one at
    a time: each save is atomic, but two interleaved saves could remove each other's state)."""
    if location is None:
        yield
        return
    try:
        import fcntl
    except ImportError:  # not POSIX: the in-process lock is all there is
        yield
        return
    os.makedirs(location, exist_ok=True)
    with open(os.path.join(location, ".train.lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
