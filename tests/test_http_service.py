"""The HTTP service's contract on a real server (``serve()``: uvicorn in a thread) with httpx:
auth, problem+json errors (400 / 401 / 404 / 413 / 422 / 500), CORS, import lightness."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import time

import httpx
import pytest
from http_support import NEW_ROWS, auth, trained_model

from dffml_nb.examples.calc import calc_flow
from dffml_nb.http import serve
from dffml_nb.http.problems import MEDIA_TYPE

RUN = "/v1/flows/calc/run"


@pytest.fixture(scope="module")
def server():
    with serve({"calc": calc_flow()}, {"salary": trained_model()}) as running:
        yield running


@pytest.fixture
def http(server):
    with httpx.Client(base_url=server.url, headers=auth(server.token), timeout=30) as client:
        yield client


def problem(response: httpx.Response, status: int) -> dict:
    """The problem document of an error response, checked to be one."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    document = response.json()
    assert document["status"] == status
    assert document["title"] and document["detail"]
    assert "Traceback" not in response.text
    return document


# -- import lightness -------------------------------------------------------------------------


def _loaded_after(code: str) -> set[str]:
    probe = (
        f"{code}; import sys; "
        "print(','.join(m for m in ('fastapi', 'uvicorn', 'starlette', 'httpx', 'pydantic') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return {m for m in out.stdout.strip().split(",") if m}


def test_import_dffml_nb_imports_neither_fastapi_nor_uvicorn():
    assert _loaded_after("import dffml_nb; import dffml_nb.http") == set()


def test_the_client_needs_only_httpx():
    assert _loaded_after("from dffml_nb.http import Client") == {"httpx"}


# -- health and auth ----------------------------------------------------------------------------


def test_healthz_needs_no_token(server):
    response = httpx.get(f"{server.url}/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/v1/flows"),
        ("GET", "/v1/flows/calc"),
        ("PUT", "/v1/flows/calc"),
        ("POST", RUN),
        ("POST", "/v1/flows/calc/records"),
        ("GET", "/v1/models"),
        ("POST", "/v1/models/salary/predict"),
        ("POST", "/v1/models/salary/train"),
        ("POST", "/v1/models/salary/score"),
        ("GET", "/v1/plugins"),
        ("GET", "/openapi.json"),
        ("GET", "/docs"),
    ],
)
def test_every_other_route_needs_the_token(server, method, path):
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {server.token}"},
    ):
        response = httpx.request(method, server.url + path, headers=headers, json={})
        document = problem(response, 401)
        assert "Authorization: Bearer" in document["detail"]
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_token_in_header_or_query(server):
    assert httpx.get(f"{server.url}/v1/flows", headers=auth(server.token)).json() == {
        "flows": ["calc"]
    }
    assert httpx.get(f"{server.url}/v1/flows", params={"token": server.token}).status_code == 200
    assert (
        httpx.get(f"{server.url}/v1/flows", params={"token": "x" + server.token}).status_code == 401
    )


def test_a_random_token_is_made_per_server():
    with serve({"calc": calc_flow()}) as one, serve({"calc": calc_flow()}) as two:
        assert len(one.token) >= 32 and one.token != two.token
        assert httpx.get(f"{one.url}/v1/flows", headers=auth(two.token)).status_code == 401


def test_token_is_compared_in_constant_time(server, monkeypatch):
    import dffml_nb.http.auth as auth_module

    calls = []
    real = auth_module.secrets.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth_module.secrets, "compare_digest", spy)
    assert httpx.get(f"{server.url}/v1/flows", headers=auth("guess")).status_code == 401
    assert calls == [(b"guess", server.token.encode())]


def test_non_loopback_host_needs_a_chosen_token_and_no_auth_is_loopback_only():
    from dffml_nb.http.settings import SettingsError

    with pytest.raises(SettingsError, match="without a token you chose"):
        serve({"calc": calc_flow()}, host="0.0.0.0")
    with pytest.raises(SettingsError, match="loopback host only"):
        serve({"calc": calc_flow()}, host="0.0.0.0", auth=False)
    with serve({"calc": calc_flow()}, auth=False) as open_server:
        assert open_server.token is None
        assert httpx.get(f"{open_server.url}/v1/flows").json() == {"flows": ["calc"]}


def test_docs_and_schema_open_with_the_printed_url(server):
    docs = httpx.get(f"{server.url}/?token={server.token}", follow_redirects=True)
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    # the page asks for the schema with the same token, so it works in a browser
    assert f"/openapi.json?token={server.token}" in docs.text
    schema = httpx.get(f"{server.url}/openapi.json", params={"token": server.token}).json()
    assert {"/v1/flows/{name}/run", "/v1/models/{name}/predict", "/healthz"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


# -- errors ---------------------------------------------------------------------------------------


def test_malformed_json_is_400_with_line_and_column(http):
    response = http.post(
        RUN,
        content=b'{"inputs":\n  {"calc_string": }}',
        headers={"content-type": "application/json"},
    )
    document = problem(response, 400)
    assert "line 2 column 19" in document["detail"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"inputs": 5}, "body.inputs"),
        ({"contexts": {"a": [1]}}, "body.contexts.a"),
        ({"inputs": {}, "contexts": {}}, "not both"),
        ({"inputs": {}, "strict": "maybe"}, "body.strict"),
        ({"inputs": {"nope": 1}}, "body.contexts.0.nope"),
        ({"inputs": {"calc_string": ["not", "text"]}}, "body.contexts.0.calc_string"),
    ],
)
def test_wrong_shapes_are_422_naming_the_field(http, body, field):
    document = problem(http.post(RUN, json=body), 422)
    assert field in document["detail"]


def test_a_value_of_the_wrong_type_is_shown_as_given(http):
    # 1e999 is JSON for a float too large: inf, shown as such (not as the null it encodes to)
    response = http.post(
        RUN,
        content=b'{"inputs": {"calc_string": 1e999}}',
        headers={"Content-Type": "application/json"},
    )
    document = problem(response, 422)
    assert "takes a str, got float inf" in document["detail"]


def test_predict_with_wrong_shapes_names_the_field(http):
    document = problem(http.post("/v1/models/salary/predict", json={"records": [{"key": 1}]}), 422)
    assert "body.records.0.features" in document["detail"]
    document = problem(
        http.post("/v1/models/salary/predict", json={"records": [{"features": {"Years": 1}}]}),
        422,
    )
    assert "Expertise" in document["detail"]  # the missing feature, by name


def test_unknown_flow_and_model_are_404_listing_what_exists(http):
    document = problem(http.post("/v1/flows/nope/run", json={"inputs": {}}), 404)
    assert "'nope'" in document["detail"] and "calc" in document["detail"]
    document = problem(http.post("/v1/models/nope/predict", json={"records": []}), 404)
    assert "'nope'" in document["detail"] and "salary" in document["detail"]
    problem(http.get("/v1/flows/nope"), 404)
    problem(http.get("/no/such/route"), 404)
    problem(http.delete("/v1/flows"), 405)


def test_body_over_10_mib_declared_is_413_before_reading_it(server):
    """A Content-Length over the limit is refused without reading the body (none is sent)."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            (
                f"POST {RUN} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {server.token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {11 * 2**20}\r\n\r\n"
            ).encode()
        )
        head = _response(conn)
    assert head.startswith("HTTP/1.1 413"), head
    assert MEDIA_TYPE in head and "10485760 bytes" in head


def _response(conn: socket.socket) -> str:
    """One whole HTTP response (headers and Content-Length body) read from ``conn``."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lengths = [line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
    length = int(lengths[0].split(b":")[1]) if lengths else 0
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return (head + b"\r\n\r\n" + body).decode()


def test_chunked_body_is_cut_off_while_streaming(server):
    """Without a Content-Length the server counts while reading and answers 413 as soon as the
    body passes 10 MiB: the client gets the answer having sent little more than that."""
    host, port = server.url.removeprefix("http://").split(":")
    chunk = b"x" * 2**20
    sent = 0
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            (
                f"POST {RUN} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {server.token}\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            ).encode()
        )
        conn.settimeout(0.05)
        answer = b""
        for _ in range(40):  # up to 40 MiB, if the server never answered
            try:
                conn.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
            except OSError:  # the server closed the connection after answering
                break
            try:
                answer += conn.recv(65536)
            except (TimeoutError, OSError):
                pass
            if answer:
                break
        conn.settimeout(10)
        while b"\r\n\r\n" not in answer:
            data = conn.recv(65536)
            if not data:
                break
            answer += data
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent <= 16 * 2**20  # cut off near the limit, not after the whole body


async def test_body_limit_reads_no_further_than_the_limit():
    """At the ASGI level: the app stops pulling body chunks once past the limit."""
    from dffml_nb.http.app import create_app
    from dffml_nb.http.settings import Settings

    app = create_app({"calc": calc_flow()}, settings=Settings(token="t", max_body=5 * 2**20))
    pulled = 0

    async def receive():
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b" " * 2**20, "more_body": pulled < 100}

    sent = []

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": RUN,
        "raw_path": RUN.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"authorization", b"Bearer t"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 2),
    }
    await app(scope, receive, send)
    assert sent[0]["status"] == 413
    assert pulled == 6  # 6 MiB read of the 100 MiB offered


def test_unexpected_error_is_500_without_traceback_which_goes_to_the_log(server, http, caplog):
    """A bug (here: predicting raises something unexpected) answers a bare 500 problem."""
    served = server.service.models["salary"]
    original = served.model

    class Broken:
        location = None

        def __getattr__(self, name):
            raise ZeroDivisionError("secret internal detail")

    served.model = Broken()
    try:
        with caplog.at_level(logging.ERROR):
            records = [{"features": row} for row in NEW_ROWS]
            response = http.post("/v1/models/salary/predict", json={"records": records})
            time.sleep(0.2)
    finally:
        served.model = original
    document = problem(response, 500)
    assert document["title"] == "Server error"
    assert "secret internal detail" not in response.text
    assert "ZeroDivisionError" in caplog.text  # the server's log has the traceback


def test_cors_is_off_unless_configured(server):
    preflight = {
        "Origin": "http://evil.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    response = httpx.options(server.url + RUN, headers=preflight)
    assert "access-control-allow-origin" not in response.headers
    simple = httpx.get(
        f"{server.url}/v1/flows", headers={**auth(server.token), "Origin": "http://evil.example"}
    )
    assert "access-control-allow-origin" not in simple.headers
    with serve({"calc": calc_flow()}, cors=["http://app.example"]) as allowed:
        response = httpx.options(
            allowed.url + RUN, headers={**preflight, "Origin": "http://app.example"}
        )
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "http://app.example"
        response = httpx.options(allowed.url + RUN, headers=preflight)  # another origin
        assert "access-control-allow-origin" not in response.headers


def test_serve_works_inside_a_running_event_loop():
    """A notebook's kernel has a loop running: serve() and a client on that loop both work."""
    import asyncio

    async def main():
        with serve({"calc": calc_flow()}) as running:
            async with httpx.AsyncClient(
                base_url=running.url, headers=auth(running.token)
            ) as client:
                response = await client.post(RUN, json={"inputs": {"calc_string": "add 2 and 3"}})
                return response.json()

    assert asyncio.run(main()) == {"results": {"0": {"result": 5}}, "errors": []}


def test_stop_frees_the_port_and_the_server_is_a_context_manager():
    with serve({"calc": calc_flow()}) as running:
        url = running.url
        assert httpx.get(f"{url}/healthz").status_code == 200
    assert not running.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/healthz", timeout=2)


def test_schema_serves_errors_as_problem_json(server):
    schema = httpx.get(f"{server.url}/openapi.json", headers=auth(server.token)).json()
    predict = schema["paths"]["/v1/models/{name}/predict"]["post"]["responses"]
    assert set(predict["422"]["content"]) == {MEDIA_TYPE}
    assert json.dumps(predict["200"]).count("PredictResult") == 1


def test_connections_get_tcp_nodelay():
    """asyncio sets TCP_NODELAY on accepted connections only when the listening socket says
    it is TCP; without it each response waited ~40 ms for a delayed ACK."""
    from dffml_nb.http.server import bind

    sock = bind("127.0.0.1", 0)
    try:
        with socket.create_connection(sock.getsockname()):
            accepted, _ = sock.accept()
            with accepted:
                assert accepted.proto == socket.IPPROTO_TCP
                import asyncio.base_events

                asyncio.base_events._set_nodelay(accepted)  # what asyncio does to it
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        sock.close()


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_body_not_sent_as_json_is_415(http, content_type):
    """A browser form (or a body without a type) is refused: no cross-site request can post
    JSON without a CORS preflight, and CORS is off."""
    headers = {"content-type": content_type} if content_type else {}
    response = http.post(
        RUN, content=b'{"inputs": {"calc_string": "add 1 and 2"}}', headers=headers
    )
    document = problem(response, 415)
    assert "Content-Type: application/json" in document["detail"]
