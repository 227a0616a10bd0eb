"""Flows over HTTP on a real server: run shapes, strict / non-strict errors, the event stream,
timeouts and disconnects (no task left behind, nothing saved lost), and PUT that never
imports a module."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
import time

import httpx
import pytest
from http_support import auth, server_tasks, wait_for_tasks

from dffml_nb.df import DataFlow, Input, get_single, op
from dffml_nb.examples.calc import calc_flow
from dffml_nb.http import Client, serve
from dffml_nb.http.client import ServiceError
from dffml_nb.http.problems import MEDIA_TYPE

CANCELLED: list[str] = []


@op
def double(x: int) -> int:
    return 2 * x


@op
def checked(double: int) -> int:
    if double == 6:
        raise ValueError("three is not allowed")
    return double + 1


@op
async def log_then_wait(job: str, database: str) -> str:
    """Saves a row (something a run keeps), then waits a long time."""
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS log (job TEXT)")
        conn.execute("INSERT INTO log VALUES (?)", (job,))
    try:
        await asyncio.sleep(60)
    except asyncio.CancelledError:
        CANCELLED.append(job)
        raise
    return job


def math_flow() -> DataFlow:
    return DataFlow(double, checked)


@pytest.fixture(scope="module")
def server():
    flows = {"calc": calc_flow(), "math": math_flow(), "slow": DataFlow(log_then_wait)}
    with serve(flows) as running:  # the default timeout (60 s): disconnects stop runs sooner
        yield running


@pytest.fixture
def http(server):
    with httpx.Client(base_url=server.url, headers=auth(server.token), timeout=30) as client:
        yield client


def sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


# -- run ---------------------------------------------------------------------------------------


def test_run_one_context_of_inputs(http):
    response = http.post("/v1/flows/calc/run", json={"inputs": {"calc_string": "add 40 and 2"}})
    assert response.status_code == 200
    assert response.json() == {"results": {"0": {"result": 42}}, "errors": []}
    timing = response.headers["server-timing"]
    assert timing.startswith("run;dur=") and float(timing.split("=")[1]) > 0


def test_run_many_contexts_each_with_its_own_results(http):
    contexts = {f"c{i}": {"calc_string": f"mult {i} and {i + 1}"} for i in range(20)}
    response = http.post("/v1/flows/calc/run", json={"contexts": contexts})
    results = response.json()["results"]
    assert results == {f"c{i}": {"result": i * (i + 1)} for i in range(20)}


def test_strict_failure_is_422_naming_operation_and_context(http):
    contexts = {"ok": {"x": 1}, "bad": {"x": 3}}
    response = http.post("/v1/flows/math/run", json={"contexts": contexts})
    assert response.status_code == 422 and response.headers["content-type"] == MEDIA_TYPE
    document = response.json()
    assert document["title"] == "Operation failed"
    assert document["operation"] == "checked" and document["context"] == "bad"
    assert "three is not allowed" in document["detail"] and "'checked'" in document["detail"]
    assert "Traceback" not in response.text


def test_non_strict_failure_reports_errors_and_keeps_other_contexts(http):
    contexts = {"ok": {"x": 1}, "bad": {"x": 3}, "also": {"x": 5}}
    response = http.post("/v1/flows/math/run", json={"contexts": contexts, "strict": False})
    assert response.status_code == 200
    document = response.json()
    assert document["results"]["ok"] == {"checked": 3}
    assert document["results"]["also"] == {"checked": 11}
    [error] = document["errors"]
    assert error["context"] == "bad" and error["operation"] == "checked"
    assert "three is not allowed" in error["message"]


def test_client_run_has_the_python_api_shapes(server):
    from dffml_nb import OperationError, run_sync

    client = Client(server.url, server.token)
    inputs = {"a": {"x": 1}, "b": {"x": 3}}
    remote = client.run("math", inputs, strict=False)
    local = run_sync(math_flow(), inputs, strict=False)
    assert remote == {name: dict(results) for name, results in local.items()}
    assert [str(e.operation) for e in remote["b"].errors] == ["checked"]
    with pytest.raises(OperationError) as raised:
        client.run("math", inputs)
    assert raised.value.operation == "checked" and raised.value.context == "b"
    assert raised.value.results == {"a": {"checked": 3}}
    with pytest.raises(ServiceError) as missing:
        client.run("nope", {"x": 1})
    assert missing.value.status == 404


# -- streaming ------------------------------------------------------------------------------------


def test_stream_is_the_runs_events_ending_with_results(http):
    body = {"contexts": {"a": {"calc_string": "add 1 and 2"}, "b": {"calc_string": "mult 3 and 4"}}}
    response = http.post("/v1/flows/calc/run", params={"stream": "true"}, json=body)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse(response.text)
    names = [name for name, _ in events]
    assert names[-1] == "results"
    assert events[-1][1] == http.post("/v1/flows/calc/run", json=body).json()
    kinds = {data["kind"] for name, data in events[:-1]}
    assert kinds == {
        "context_started",
        "operation_started",
        "operation_finished",
        "context_finished",
    }
    finished = [d for _, d in events if d.get("kind") == "operation_finished"]
    assert {(d["context"], d["operation"]) for d in finished} >= {("a", "add"), ("b", "mult")}
    assert all(d["duration"] >= 0 for d in finished)
    done = {d["context"]: d["results"] for _, d in events if d.get("kind") == "context_finished"}
    assert done == {"a": {"result": 3}, "b": {"result": 12}}


def test_stream_of_a_failing_run_has_an_error_event_then_results(http):
    body = {"contexts": {"bad": {"x": 3}}}
    events = sse(http.post("/v1/flows/math/run", params={"stream": "true"}, json=body).text)
    assert [name for name, _ in events][-2:] == ["error", "results"]
    assert "operation_failed" in {d.get("kind") for _, d in events}
    error = events[-2][1]
    assert error["status"] == 422 and error["operation"] == "checked"


def test_client_run_with_on_event_streams(server):
    seen = []
    results = Client(server.url, server.token).run(
        "calc", {"calc_string": "add 40 and 2"}, on_event=seen.append
    )
    assert results == {"0": {"result": 42}}
    assert seen[0].kind == "context_started" and seen[-1].kind == "context_finished"
    assert any(e.kind == "operation_finished" and e.operation == "parse_line" for e in seen)


# -- timeouts and disconnects -----------------------------------------------------------------------


def _rows(database) -> list[str]:
    with sqlite3.connect(database) as conn:
        return [job for (job,) in conn.execute("SELECT job FROM log")]


def _still_serving(server) -> None:
    response = httpx.post(
        f"{server.url}/v1/flows/calc/run",
        headers=auth(server.token),
        json={"inputs": {"calc_string": "add 1 and 1"}},
    )
    assert response.json()["results"] == {"0": {"result": 2}}


def test_a_run_over_the_timeout_is_cancelled_504_and_leaves_no_task(tmp_path):
    database = str(tmp_path / "log.sqlite")
    with serve({"slow": DataFlow(log_then_wait)}, timeout=1.5) as server:
        before = server_tasks(server)
        started = time.monotonic()
        response = httpx.post(
            f"{server.url}/v1/flows/slow/run",
            headers=auth(server.token),
            json={"inputs": {"job": "timeout", "database": database}},
            timeout=30,
        )
        elapsed = time.monotonic() - started
        assert wait_for_tasks(server, before) <= before
        assert not server.service.active
    assert 1.4 < elapsed < 30
    assert 1.0 < time.monotonic() - started < 30
    assert response.status_code == 504 and response.headers["content-type"] == MEDIA_TYPE
    assert "1.5 s" in response.json()["detail"]
    assert response.json()["results"] == {}  # no context had finished
    assert "timeout" in CANCELLED  # the operation itself was cancelled
    assert _rows(database) == ["timeout"]  # what it saved is kept


def test_client_leaving_mid_run_stops_it_and_leaves_no_task(server, tmp_path):
    database = str(tmp_path / "log.sqlite")
    before = server_tasks(server)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{server.url}/v1/flows/slow/run",
            headers=auth(server.token),
            json={"inputs": {"job": "left", "database": database}},
            timeout=0.5,
        )
    deadline = time.monotonic() + 10
    while "left" not in CANCELLED and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "left" in CANCELLED  # cancelled when the client went, long before the 60 s timeout
    assert wait_for_tasks(server, before) <= before
    assert not server.service.active
    assert _rows(database) == ["left"]
    _still_serving(server)


def test_client_leaving_mid_stream_stops_the_run_and_leaves_no_task(server, tmp_path):
    database = str(tmp_path / "log.sqlite")
    before = server_tasks(server)
    body = {"inputs": {"job": "stream", "database": database}}
    with httpx.Client(base_url=server.url, headers=auth(server.token), timeout=10) as client:
        with client.stream("POST", "/v1/flows/slow/run?stream=true", json=body) as response:
            lines = response.iter_lines()
            while "operation_started" not in next(lines):
                pass
        # leaving the block closed the connection mid-stream
    deadline = time.monotonic() + 10
    while "stream" not in CANCELLED and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "stream" in CANCELLED
    assert wait_for_tasks(server, before) <= before
    assert not server.service.active
    assert _rows(database) == ["stream"]
    _still_serving(server)


# -- PUT: flows by registered name only ------------------------------------------------------------


def test_get_then_put_round_trips_a_flow(http):
    document = http.get("/v1/flows/calc").json()
    assert set(document["operations"]) == {"parse_line", "add", "mult", "get_single"}
    assert http.put("/v1/flows/calc_copy", json=document).status_code == 200
    assert "calc_copy" in http.get("/v1/flows").json()["flows"]
    response = http.post("/v1/flows/calc_copy/run", json={"inputs": {"calc_string": "add 4 and 5"}})
    assert response.json()["results"] == {"0": {"result": 9}}


def test_put_by_operation_name_and_registered_name(http):
    flow = {
        "definitions": {"x": "int", "double": "int", "get_single_spec": "list"},
        "operations": {
            "double": "double",  # an operation of a served flow, by name
            "get_single": {"func": "get_single", "inputs": {"spec": "get_single_spec"}},
        },
        "seed": [{"value": ["double"], "definition": "get_single_spec"}],
    }
    assert http.put("/v1/flows/doubler", json=flow).status_code == 200, http.put(
        "/v1/flows/doubler", json=flow
    ).text
    response = http.post("/v1/flows/doubler/run", json={"inputs": {"x": 21}})
    assert response.json()["results"] == {"0": {"double": 42}}


@pytest.mark.parametrize(
    "operations",
    [
        {"shell": {"func": "os:system", "inputs": {"command": "cmd"}}},
        {"shell": "os:system"},
        {"os:system": {}},
        {"shell": {"name": "os:system"}},
        {"shell": {"func": "os.system"}},
        {"shell": {"func": "subprocess:getoutput"}},
    ],
)
def test_put_naming_os_system_is_422_and_nothing_runs(http, monkeypatch, operations):
    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))
    flow = {"definitions": {"cmd": "str"}, "operations": operations}
    response = http.put("/v1/flows/evil", json=flow)
    assert response.status_code == 422, response.text
    document = response.json()
    assert document["title"] == "Unknown operation" and "never imports" in document["detail"]
    assert "system" in document["detail"] or "getoutput" in document["detail"]
    assert "evil" not in http.get("/v1/flows").json()["flows"]
    assert http.post("/v1/flows/evil/run", json={"inputs": {"cmd": "touch x"}}).status_code == 404
    assert calls == []


def test_put_naming_a_module_not_yet_imported_imports_nothing(http, tmp_path, monkeypatch):
    marker = tmp_path / "imported"
    (tmp_path / "dffml_nb_http_never_imported.py").write_text(
        f"open({str(marker)!r}, 'w').close()\ndef run(x: int) -> int:\n    return x\n"
        f"def check(x):\n    return x\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    for flow in (
        {"operations": {"run": {"func": "dffml_nb_http_never_imported:run"}}},
        {
            "definitions": {
                "x": {"primitive": "int", "validate": "dffml_nb_http_never_imported:check"}
            },
            "operations": {"double": {"func": "double", "inputs": {"x": "x"}}},
        },
    ):
        response = http.put("/v1/flows/sneaky", json=flow)
        assert response.status_code == 422, response.text
        assert "dffml_nb_http_never_imported" in response.json()["detail"]
    assert not marker.exists()
    assert "dffml_nb_http_never_imported" not in sys.modules
    assert set(sys.modules) - before == set()


def test_the_loader_runs_with_imports_blocked(tmp_path, monkeypatch):
    """Defence in depth: even a path the check missed could not import a module."""
    from dffml_nb.http.uploads import imports_blocked

    (tmp_path / "dffml_nb_http_blocked.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with imports_blocked(), pytest.raises(ImportError, match="not allowed"):
        import dffml_nb_http_blocked  # noqa: F401
    import json as already_imported  # modules already imported are still found

    assert already_imported is json
    assert "dffml_nb_http_blocked" not in sys.modules


def test_put_an_unsound_flow_is_422_listing_problems(http):
    flow = {
        "definitions": {"x": "int", "double": "int"},
        "operations": {
            "double": "double",
            "checked": {
                "func": "checked",
                "inputs": {"double": {"name": "double", "primitive": "str"}},
            },
        },
    }
    response = http.put("/v1/flows/unsound", json=flow)
    assert response.status_code == 422
    assert "double" in response.json()["detail"]


def test_put_with_a_wrong_shape_is_422(http):
    assert http.put("/v1/flows/x", json={"operations": []}).status_code == 422
    assert http.put("/v1/flows/x", json={"definitions": {}}).status_code == 422
    assert http.put("/v1/flows/x", json={"operations": {"a": 5}}).status_code == 422


def test_seed_only_run_and_seed_inputs(http):
    flow = DataFlow(double, seed=[Input(5, double.inputs["x"])])
    with serve({"seeded": flow}) as running:
        response = httpx.post(
            f"{running.url}/v1/flows/seeded/run", headers=auth(running.token), json={}
        )
        assert response.json() == {"results": {"0": {"double": 10}}, "errors": []}


def test_get_single_flow_document_is_json(http):
    document = http.get("/v1/flows/calc").json()
    assert document["seed"] == [{"value": ["result"], "definition": get_single.inputs["spec"].name}]
