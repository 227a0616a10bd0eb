"""32 concurrent clients predicting and running flows against ``dffml-nb serve`` for a bounded
time: no error, and every response matches its own request's inputs (nothing mixed up)."""

from __future__ import annotations

import asyncio
import random
import time

import httpx
import pytest
from http_support import auth, cli_server, salary_of, train_with_cli

from dffml_nb.examples.calc import calc_flow

CLIENTS = 32
SECONDS = 4.0  # each client stops after this long (or MAX_REQUESTS)
MAX_REQUESTS = 150


async def _client(url: str, token: str, number: int, deadline: float) -> int:
    rng = random.Random(number)
    done = 0
    async with httpx.AsyncClient(base_url=url, headers=auth(token), timeout=60) as http:
        while time.monotonic() < deadline and done < MAX_REQUESTS:
            if done % 2 == 0:
                years = [number * 1000 + done + k for k in range(rng.randint(1, 5))]
                rows = [
                    {
                        "key": f"{number}-{done}-{k}",
                        "features": {"Years": y, "Expertise": 2 * y + 1, "Trust": 0.1 * (y + 1)},
                    }
                    for k, y in enumerate(years)
                ]
                response = await http.post("/v1/models/salary/predict", json={"records": rows})
                assert response.status_code == 200, response.text
                got = response.json()["records"]
                assert [r["key"] for r in got] == [row["key"] for row in rows]
                for record, y in zip(got, years):
                    assert record["features"]["Years"] == y
                    assert record["prediction"]["Salary"]["value"] == pytest.approx(
                        salary_of(y), rel=1e-6
                    )
            else:
                pairs = {
                    f"{number}:{done}:{k}": (rng.randint(0, 10**6), rng.randint(0, 10**6))
                    for k in range(rng.randint(1, 4))
                }
                contexts = {
                    name: {"calc_string": f"add {a} and {b}"} for name, (a, b) in pairs.items()
                }
                response = await http.post("/v1/flows/calc/run", json={"contexts": contexts})
                assert response.status_code == 200, response.text
                assert response.json() == {
                    "results": {name: {"result": a + b} for name, (a, b) in pairs.items()},
                    "errors": [],
                }
            done += 1
    return done


async def _all(url: str, token: str) -> list[int]:
    deadline = time.monotonic() + SECONDS
    return await asyncio.gather(*(_client(url, token, n, deadline) for n in range(CLIENTS)))


@pytest.mark.slow
def test_32_concurrent_clients_get_their_own_results(tmp_path):
    train_with_cli(tmp_path)
    calc_flow().save(tmp_path / "calc.json")
    with cli_server(
        "-model", "salary=model", "-dataflow", "calc=calc.json", "-trust", cwd=tmp_path
    ) as server:
        counts = asyncio.run(_all(server.url, server.token))
        assert all(count >= 2 for count in counts), counts  # every client got answers of both kinds
        assert httpx.get(f"{server.url}/healthz").status_code == 200
        log = server.log_text()
    assert " 500 " not in log and "Traceback" not in log
