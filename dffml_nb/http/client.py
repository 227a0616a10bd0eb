"""``Client``: a served flow or model called like the Python API (needs only httpx).

    client = Client("http://127.0.0.1:8080", token)      # or the URL printed with ?token=
    client.predict("salary", df)                          # a DataFrame in, a DataFrame out
    client.run("calc", {"calc_string": "add 40 and 2"})   # {"0": {"result": 42}}

Shapes follow the Python API: ``run`` returns ``{context: results}`` whose
``results.errors`` are ``OperationError``\\ s, a strict run that fails raises
``OperationError``; ``predict`` returns Records with predictions (or a
DataFrame); ``score`` a float. Any other error response raises
:class:`ServiceError` with the server's ``status``, ``title`` and ``detail``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx

from dffml_nb.df import Event, OperationError, Results
from dffml_nb.http.encode import jsonable


class ServiceError(RuntimeError):
    """An error response: ``status``, ``title``, ``detail`` and the whole ``problem`` document."""

    def __init__(self, status: int, title: str, detail: str, problem: dict | None = None) -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status, self.title, self.detail = status, title, detail
        self.problem = dict(problem or {})


class RemoteOperationError(OperationError, ServiceError):
    """A strict run that stopped at a failing operation: an ``OperationError`` (as the Python
    API raises) that is also a ``ServiceError`` (422)."""

    def __init__(self, problem: dict[str, Any]) -> None:
        detail = str(problem.get("detail"))
        RuntimeError.__init__(self, detail)  # both bases' __init__ take other arguments
        self.operation, self.context = str(problem.get("operation")), str(problem.get("context"))
        self.inputs: dict[str, Any] = {}
        self.error = None
        self.status, self.title = int(problem.get("status", 422)), str(problem.get("title"))
        self.detail, self.problem = detail, problem
        self.results = _results(problem.get("results") or {}, [])


def _split_url(url: str) -> tuple[str, str | None]:
    """``http://h:p/docs?token=T`` -> ``("http://h:p", "T")``: the printed URL works too."""
    parts = urlsplit(url)
    tokens = parse_qs(parts.query).get("token")
    token = tokens[0] if tokens else None
    path = parts.path.rstrip("/")
    if path.endswith("/docs"):
        path = path[: -len("/docs")]
    return urlunsplit((parts.scheme, parts.netloc, path, "", "")), token


class Client:
    """Calls a dffml-nb server at ``url`` with ``token`` (taken from ``url``'s ``?token=``
    if not given). ``timeout`` is in seconds per request. A context manager."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        timeout: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        base, found = _split_url(url)
        self.url = base
        self.token = token if token is not None else found
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self._http = httpx.Client(
            base_url=base, headers=headers, timeout=timeout, transport=transport
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<dffml_nb.http.Client {self.url}>"

    # -- plumbing ----------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        response = self._http.request(method, path, json=body, params=params or None)
        if response.status_code >= 400:
            raise _error(response)
        return response.json()

    # -- what the server has -----------------------------------------------------------------

    def healthy(self) -> bool:
        """Whether the server answers ``/healthz``."""
        try:
            return self._http.get("/healthz").status_code == 200
        except httpx.HTTPError:
            return False

    def flows(self) -> list[str]:
        return self._call("GET", "/v1/flows")["flows"]

    def flow(self, name: str) -> dict[str, Any]:
        """The flow ``name`` in the export format (a dict: its operations stay on the server)."""
        return self._call("GET", f"/v1/flows/{name}")

    def put_flow(self, name: str, flow: Any) -> dict[str, Any]:
        """Register ``flow`` (a DataFlow or its export dict) as ``name`` on the server."""
        document = flow.to_dict() if hasattr(flow, "to_dict") else flow
        return self._call("PUT", f"/v1/flows/{name}", jsonable(document))

    def models(self) -> list[dict[str, Any]]:
        """``[{"name", "model", "features", "predict", "trained"}]``."""
        return self._call("GET", "/v1/models")["models"]

    def plugins(self) -> dict[str, list[str]]:
        return self._call("GET", "/v1/plugins")

    # -- flows ---------------------------------------------------------------------------------

    def run(
        self,
        flow: str,
        inputs: Any = None,
        *,
        strict: bool = True,
        on_event: Callable[[Event], Any] | None = None,
    ) -> dict[str, Results]:
        """Run ``flow`` as ``run_sync`` does: ``inputs`` is ``{definition: value}`` (one context
        ``"0"``), ``{context: {definition: value}}`` or a list of such dicts. ``on_event``
        receives the run's events as they happen (the response is then streamed)."""
        body = {"contexts": _contexts(inputs), "strict": strict}
        if on_event is None:
            document = self._call("POST", f"/v1/flows/{flow}/run", jsonable(body))
        else:
            document = self._stream(flow, jsonable(body), on_event)
        return _results(document["results"], document["errors"])

    def _stream(self, flow: str, body: Any, on_event: Callable[[Event], Any]) -> dict[str, Any]:
        with self._http.stream(
            "POST", f"/v1/flows/{flow}/run", json=body, params={"stream": "true"}
        ) as response:
            if response.status_code >= 400:
                response.read()
                raise _error(response)
            failure = None
            for name, data in _server_sent_events(response.iter_lines()):
                if name == "results":
                    if failure is not None:
                        raise failure
                    return data
                if name == "error":
                    failure = _problem_error(data)
                else:
                    on_event(_event(data))
        raise ServiceError(502, "Bad Gateway", "the event stream ended without its results")

    def run_records(
        self,
        flow: str,
        *data: Any,
        record_def: str | None = None,
        inputs: Mapping[str, Any] | None = None,
        strict: bool = True,
        as_frame: bool | None = None,
    ) -> Any:
        """``run_records`` on the server: the records with the flow's results added — a
        DataFrame when the first data argument is one (or ``as_frame``), else Records."""
        records, frame = _records_of(data)
        body = {"records": records, "record_def": record_def, "inputs": inputs, "strict": strict}
        document = self._call("POST", f"/v1/flows/{flow}/records", jsonable(body))
        done = document["records"]
        if as_frame or (as_frame is None and frame is not None):
            return _merged_frame(frame, done)
        from dffml_nb.record import Record

        return [Record(r["key"], r["features"]) for r in done]

    # -- models --------------------------------------------------------------------------------

    def predict(self, model: str, *data: Any, as_frame: bool | None = None) -> Any:
        """Predictions for every record of the data: Records with ``record.prediction(target)``,
        or a DataFrame (features, target, ``<target>_confidence``) when the first data
        argument is a DataFrame or ``as_frame`` is true."""
        records, frame = _records_of(data)
        document = self._call("POST", f"/v1/models/{model}/predict", {"records": records})
        predicted = document["records"]
        if as_frame or (as_frame is None and frame is not None):
            return _prediction_frame(frame, predicted)
        from dffml_nb.record import Record

        return [Record(r["key"], r["features"], r["prediction"]) for r in predicted]

    def train(self, model: str, *data: Any) -> dict[str, Any]:
        """Train the served model on the data (features and target); returns its description."""
        records, _ = _records_of(data)
        return self._call("POST", f"/v1/models/{model}/train", {"records": records})

    def score(self, model: str, scorer: str, *data: Any) -> float:
        """The model's ``scorer`` score on the data, against the model's own target."""
        records, _ = _records_of(data)
        body = {"scorer": scorer, "records": records}
        return float(self._call("POST", f"/v1/models/{model}/score", body)["score"])


# -- requests ------------------------------------------------------------------------------------


def _contexts(inputs: Any) -> dict[str, dict[str, Any]]:
    """``{context: {definition: value}}`` from the input shapes ``run_sync`` takes."""
    if inputs is None:
        return {"0": {}}
    items: Iterable[tuple[Any, Any]]
    if isinstance(inputs, Mapping):
        sets = [isinstance(v, (Mapping, list, tuple)) for v in inputs.values()]
        if inputs and not any(sets):
            return {"0": dict(inputs)}  # one input set given bare, as run_sync reads it
        items = inputs.items()
    else:
        items = ((str(i), s) for i, s in enumerate(inputs))
    out = {}
    for name, values in items:
        if not isinstance(values, Mapping):
            raise TypeError(
                f"context {name!r}: inputs over HTTP are {{definition: value}} dicts, "
                f"got {type(values).__name__}"
            )
        out[str(name)] = dict(values)
    return out


def _records_of(data: tuple[Any, ...]) -> tuple[list[dict[str, Any]], Any]:
    """``([{key, features}], the first argument if it is a DataFrame)`` for any data arguments."""
    from dffml_nb.source import as_frame, frame_to_records
    from dffml_nb.source.resolve import is_frame

    if not data:
        raise TypeError("no data given: pass rows (dicts), Records, files, DataFrames or sources")
    frame = data[0] if is_frame(data[0]) else None
    records = frame_to_records(as_frame(*data, allow_empty=True))
    return [{"key": r.key, "features": jsonable(r.features())} for r in records], frame


# -- responses -----------------------------------------------------------------------------------


def _error(response: httpx.Response) -> Exception:
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    problem.setdefault("status", response.status_code)
    problem.setdefault("title", response.reason_phrase)
    problem.setdefault("detail", response.text[:500])
    return _problem_error(problem)


def _problem_error(problem: dict[str, Any]) -> Exception:
    if problem.get("operation") is not None and problem.get("context") is not None:
        return RemoteOperationError(problem)
    return ServiceError(
        int(problem["status"]), str(problem["title"]), str(problem["detail"]), problem
    )


def _results(results: Mapping[str, Any], errors: list[dict[str, Any]]) -> dict[str, Results]:
    out = {name: Results(values) for name, values in results.items()}
    for error in errors:
        context = str(error.get("context"))
        failed = OperationError(
            str(error.get("operation")), context, message=str(error.get("message"))
        )
        out.setdefault(context, Results()).errors.append(failed)
    return out


def _server_sent_events(lines: Iterator[str]) -> Iterator[tuple[str, Any]]:
    """``(event name, JSON data)`` from text/event-stream lines."""
    name = "message"
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield name, json.loads("\n".join(data))
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[len("event:") :].strip()
        elif line.startswith("data:"):
            data.append(line[len("data:") :].lstrip())


def _event(data: dict[str, Any]) -> Event:
    error = data.get("error")
    return Event(
        kind=data["kind"],
        context=data["context"],
        operation=data.get("operation"),
        duration=data.get("duration"),
        inputs=data.get("inputs"),
        outputs=data.get("outputs"),
        error=None if error is None else RuntimeError(error),
        results=data.get("results"),
    )


def _prediction_frame(frame: Any, predicted: list[dict[str, Any]]) -> Any:
    """Features, the target and ``<target>_confidence`` per record, indexed like ``frame``."""
    import pandas as pd

    rows = []
    for record in predicted:
        row = dict(record["features"])
        for target, prediction in record["prediction"].items():
            row[target] = prediction["value"]
            row[f"{target}_confidence"] = prediction["confidence"]
        rows.append(row)
    out = pd.DataFrame(rows, index=_index(frame, predicted))
    confidence = [c for c in out.columns if str(c).endswith("_confidence")]
    out[confidence] = out[confidence].astype(float)  # None (undefined) as NaN, as predict gives
    return out


def _merged_frame(frame: Any, done: list[dict[str, Any]]) -> Any:
    """``frame`` (never modified) plus a column per result of ``run_records``."""
    import pandas as pd

    results = pd.DataFrame([r["features"] for r in done], index=_index(frame, done))
    if frame is None:
        return results
    out = frame.copy()
    for column in results.columns:
        if column not in out.columns or results[column].tolist() != out[column].tolist():
            out[column] = results[column].tolist()  # by position: the index may repeat
    return out


def _index(frame: Any, records: list[dict[str, Any]]) -> Any:
    import pandas as pd

    if frame is not None and len(frame.index) == len(records):
        return frame.index
    keys = [r["key"] for r in records]
    if keys == [str(i) for i in range(len(keys))]:
        return pd.RangeIndex(len(keys), name="key")
    return pd.Index(keys, name="key")
