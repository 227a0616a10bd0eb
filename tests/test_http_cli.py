"""``dffml-nb serve`` as users run it: a real subprocess on a free loopback port, exercised
with httpx — DFFML's quickstart over HTTP, the token printed once, workers, one-line errors."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import httpx
import pytest
from http_support import NEW_ROWS, QUICKSTART_ROWS, auth, cli, cli_server, train_with_cli

from dffml_nb.examples.calc import calc_flow
from dffml_nb.http import Client


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory) -> Path:
    """A folder with DFFML's quickstart trained by the CLI (``model/``) and calc.json."""
    folder = tmp_path_factory.mktemp("serve")
    train_with_cli(folder)
    calc_flow().save(folder / "calc.json")
    return folder


def records(rows):
    return [{"features": row} for row in rows]


def test_dffml_quickstart_over_http(quickstart):
    """Train with the CLI, serve the model, POST the two new rows: 70 and 80."""
    with cli_server("-model", "salary=model", cwd=quickstart) as server:
        response = httpx.post(
            f"{server.url}/v1/models/salary/predict",
            headers=auth(server.token),
            json={"records": records(NEW_ROWS)},
        )
        assert response.status_code == 200
        got = response.json()["records"]
        assert [r["prediction"]["Salary"]["value"] for r in got] == pytest.approx([70, 80])
        assert got[0]["features"] == {"Years": 6, "Expertise": 13, "Trust": 0.7}
        # the printed URL is all a Python client needs
        printed = next(line.strip() for line in server.log_text().splitlines() if "?token=" in line)
        assert Client(printed).predict("salary", *NEW_ROWS)[1].prediction("Salary").value == (
            pytest.approx(80)
        )


def test_the_token_is_printed_once_and_never_logged(quickstart):
    with cli_server(
        "-model", "salary=model", "-dataflow", "calc=calc.json", "-trust", cwd=quickstart
    ) as server:
        token = server.token
        assert len(token) >= 32
        httpx.get(f"{server.url}/v1/flows", headers=auth(token)).raise_for_status()
        httpx.get(f"{server.url}/v1/flows", params={"token": token}).raise_for_status()
        httpx.get(f"{server.url}/docs", params={"token": token}).raise_for_status()
        assert httpx.get(f"{server.url}/v1/flows", params={"token": "guess"}).status_code == 401
        time.sleep(0.5)  # let the access log flush
        log = server.log_text()
    assert log.count(token) == 1, log  # the URL printed at start, nowhere else
    assert "GET /v1/flows?token=[redacted]" in log  # the access log works, without the token
    assert "GET /docs?token=[redacted]" in log
    first = log.splitlines()[0]
    assert first.startswith("dffml-nb serve: flows calc; models salary (1 worker)")


def test_serving_a_flow_file(quickstart):
    with cli_server("-dataflow", "calc=calc.json", "-trust", cwd=quickstart) as server:
        client = Client(server.url, server.token)
        assert client.flows() == ["calc"]
        assert client.run("calc", {"calc_string": "mult 6 and 7"}) == {"0": {"result": 42}}


def test_no_auth_on_loopback(quickstart):
    with cli_server("-dataflow", "calc=calc.json", "-no-auth", "-trust", cwd=quickstart) as server:
        assert server.token is None
        assert "auth is OFF" in server.log_text()
        assert httpx.get(f"{server.url}/v1/flows").json() == {"flows": ["calc"]}


def test_timeout_and_cors_flags(quickstart):
    (quickstart / "slowops.py").write_text(
        "import asyncio\nfrom dffml_nb import op\n\n"
        "@op\nasync def wait(seconds: float) -> float:\n"
        "    await asyncio.sleep(seconds)\n    return seconds\n"
    )
    from dffml_nb.df import DataFlow, op

    @op
    async def wait(seconds: float) -> float:  # the same signature, to write the flow file
        return seconds

    flow = DataFlow(wait).to_dict()
    flow["operations"]["wait"]["func"] = "slowops:wait"
    (quickstart / "slow.json").write_text(json.dumps(flow))
    args = [
        "-trust",
        "-dataflow",
        "slow=slow.json",
        "-timeout",
        "0.5",
        "-cors",
        "http://app.example",
    ]
    with cli_server(*args, cwd=quickstart, env={"PYTHONPATH": str(quickstart)}) as server:
        run = f"{server.url}/v1/flows/slow/run"
        quick = httpx.post(run, headers=auth(server.token), json={"inputs": {"seconds": 0.01}})
        assert quick.json()["results"] == {"0": {"wait": 0.01}}
        slow = httpx.post(run, headers=auth(server.token), json={"inputs": {"seconds": 30}})
        assert slow.status_code == 504 and "0.5 s" in slow.json()["detail"]
        preflight = httpx.options(
            run,
            headers={"Origin": "http://app.example", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.headers["access-control-allow-origin"] == "http://app.example"


@pytest.mark.slow
def test_workers_serve_the_same_models_and_see_a_shared_retrain(quickstart, tmp_path):
    import shutil

    shutil.copytree(quickstart / "model", tmp_path / "model")
    shutil.copy(quickstart / "calc.json", tmp_path / "calc.json")
    args = ["-model", "salary=model", "-dataflow", "calc=calc.json", "-workers", "2", "-trust"]
    with cli_server(*args, cwd=tmp_path) as server:
        assert "(2 workers)" in server.log_text()
        workers = _children(server.process.pid)
        assert len(workers) == 2, workers
        predict = f"{server.url}/v1/models/salary/predict"
        with httpx.Client(headers=auth(server.token), timeout=30) as client:
            for _ in range(10):
                got = client.post(predict, json={"records": records(NEW_ROWS)}).json()
                assert [r["prediction"]["Salary"]["value"] for r in got["records"]] == (
                    pytest.approx([70, 80])
                )
            doubled = [{**row, "Salary": 2 * row["Salary"]} for row in QUICKSTART_ROWS]
            trained = client.post(
                f"{server.url}/v1/models/salary/train", json={"records": records(doubled)}
            )
            assert trained.status_code == 200
            # one worker trained; the model directory is shared, so every worker serves it now
            for _ in range(10):
                with httpx.Client(headers=auth(server.token), timeout=30) as fresh:
                    got = fresh.post(predict, json={"records": records(NEW_ROWS)}).json()
                assert [r["prediction"]["Salary"]["value"] for r in got["records"]] == (
                    pytest.approx([140, 160])
                )


def _children(pid: int) -> list[int]:
    """PIDs of the uvicorn worker processes of ``pid`` (spawned by multiprocessing)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and "spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


# -- errors in one line ----------------------------------------------------------------------------


def _one_line_error(result, *expected: str) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def test_unknown_flag_is_refused(quickstart):
    _one_line_error(
        cli("serve", "-model", "salary=model", "-moddel", "x", cwd=quickstart), "-moddel"
    )
    _one_line_error(cli("serve", "extra", cwd=quickstart), "no arguments")


def test_exposed_hosts_are_refused_without_a_token(quickstart):
    _one_line_error(cli("serve", "-host", "0.0.0.0", cwd=quickstart), "0.0.0.0", "token")
    _one_line_error(
        cli("serve", "-host", "0.0.0.0", "-no-auth", cwd=quickstart), "loopback host only"
    )
    _one_line_error(cli("serve", "-token", "t", "-no-auth", cwd=quickstart), "not both")


def test_bad_files_are_named(quickstart, tmp_path):
    _one_line_error(
        cli("serve", "-model", "salary=nowhere", cwd=quickstart), "-model salary=nowhere"
    )
    (tmp_path / "broken.json").write_text('{"operations": {\n  "a": }\n')
    _one_line_error(
        cli("serve", "-dataflow", f"x={tmp_path / 'broken.json'}", cwd=quickstart),
        "broken.json:2:",
    )
    _one_line_error(cli("serve", "-model", "salary", cwd=quickstart), "NAME=PATH")
    # a flow file naming a module is data until the operator says -trust
    _one_line_error(cli("serve", "-dataflow", "calc=calc.json", cwd=quickstart), "-trust")
    _one_line_error(cli("serve", "-port", "eighty", cwd=quickstart), "-port")


def test_a_port_in_use_is_one_line(quickstart):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        _one_line_error(
            cli(
                "serve", "-dataflow", "calc=calc.json", "-trust", "-port", str(port), cwd=quickstart
            ),
            f"127.0.0.1:{port}",
        )


def test_usage_lists_serve():
    assert "serve" in cli("--help").stdout
    assert "-workers N" in cli("serve", "-h").stdout
